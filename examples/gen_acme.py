#!/usr/bin/env python3
"""Generator of the example organisation "Acme 示例科技有限公司".

    python3 examples/gen_acme.py            # writes examples/acme/ (with deliberate violations)
    python3 examples/gen_acme.py --clean    # writes tests/fixtures/clean-org/ (no violations)
    python3 examples/gen_acme.py --out DIR  # another output directory

Python 3 standard library only. Deterministic: a fixed seed, no clock, no hash ordering, so
running it twice gives byte-identical files. Both variants draw the same random numbers; the
example org differs from the clean one only by its deliberate violations (see VIOLATIONS).

The data follows the contract in shared/spec/org-data.md and the record schema of
policies/schema.zd; the audit period is 2026-01-01 … 2026-06-30, as_of 2026-06-30.
"""

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import os
import random
import re
import shutil
import sys

SEED = 20260630
ORG_NAME = "Acme 示例科技有限公司"
AS_OF = dt.date(2026, 6, 30)
PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
CST = dt.timezone(dt.timedelta(hours=8))
MARKER = "# 由 examples/gen_acme.py 生成"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

D = dt.date


def T(y, mo, d, h, mi):
    """A Beijing-time datetime."""
    return dt.datetime(y, mo, d, h, mi, tzinfo=CST)


# ============================================================================ serialisation
BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def tkey(k):
    return k if BARE_KEY.match(k) else json.dumps(k, ensure_ascii=False)


def tval(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(tval(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{tkey(k)} = {tval(x)}" for k, x in v.items() if x is not None) + " }"
    raise TypeError(type(v))


class Rec(dict):
    """A record; `note` is written as a comment line above it."""

    def __init__(self, *args, note=None, **kw):
        super().__init__(*args, **kw)
        self.note = note


def toml_records(kind, records):
    out = []
    for r in records:
        if getattr(r, "note", None):
            for line in r.note.split("\n"):
                out.append(f"# {line}")
        out.append(f"[[{kind}]]")
        for k, v in r.items():
            if v is None:
                continue
            if isinstance(v, list) and len(v) > 1 and all(isinstance(x, dict) for x in v):
                out.append(f"{tkey(k)} = [")
                for x in v:
                    out.append(f"  {tval(x)},")
                out.append("]")
            else:
                out.append(f"{tkey(k)} = {tval(v)}")
        out.append("")
    return "\n".join(out)


def csv_cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return ";".join(csv_cell(x) for x in v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


def csv_text(header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([csv_cell(r.get(h)) for h in header])
    return buf.getvalue()


# ============================================================================ calendar
def month_end(d):
    nxt = D(d.year + (d.month // 12), d.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def windows(kind, period=PERIOD):
    """Calendar windows wholly inside the period, as the tool computes them (`windows()`)."""
    a, b = period
    out = []
    if kind in ("month", "quarter", "half", "year"):
        n = {"month": 1, "quarter": 3, "half": 6, "year": 12}[kind]
        for y in range(a.year, b.year + 1):
            for i in range(12 // n):
                f = D(y, i * n + 1, 1)
                t = month_end(D(y, i * n + n, 1))
                label = {
                    "month": f"{y:04d}-{f.month:02d}",
                    "quarter": f"{y:04d}-Q{i + 1}",
                    "half": f"{y:04d}-H{i + 1}",
                    "year": f"{y:04d}",
                }[kind]
                if f >= a and t <= b:
                    out.append((f, t, label))
    elif kind == "week":
        f = a - dt.timedelta(days=a.weekday())
        while f <= b:
            t = f + dt.timedelta(days=6)
            if f >= a and t <= b:
                iy, iw, _ = f.isocalendar()
                out.append((f, t, f"{iy:04d}-W{iw:02d}"))
            f += dt.timedelta(days=7)
    elif kind == "day":
        d = a
        while d <= b:
            out.append((d, d, d.isoformat()))
            d += dt.timedelta(days=1)
    return out


def last_workday(first_of_month):
    d = month_end(first_of_month)
    while d.weekday() >= 5:
        d -= dt.timedelta(days=1)
    return d


def last_friday(first_of_month):
    d = month_end(first_of_month)
    while d.weekday() != 4:
        d -= dt.timedelta(days=1)
    return d


def nth_weekday(year, month, weekday, n):
    d = D(year, month, 1)
    while d.weekday() != weekday:
        d += dt.timedelta(days=1)
    return d + dt.timedelta(days=7 * (n - 1))


# ============================================================================ names
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲芬燕彬鹏辉宇浩凯健俊帆旭宁林欣悦雪婷琳晶妍茜秋莉晨阳博文斌峰楠思雨佳怡梦欢馨嘉子梓涵轩晓一可心诗语若泽昊然天成志海亮国建新慧颖琪瑶雅蕾薇璐昕睿哲航铭锐飞云兰翔"
)


class Names:
    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def new(self):
        while True:
            s = self.rng.choice(SURNAMES)
            g = self.rng.choice(GIVEN)
            if self.rng.random() < 0.72:
                g += self.rng.choice(GIVEN)
            n = s + g
            if n not in self.used:
                self.used.add(n)
                return n


# ============================================================================ the organisation
VIOLATIONS = [
    # (rule, subject, file, 中文, English)
    ("APV-3", "change:CHG-2026-011", "changes.toml",
     "运营经理提交的“活动页规则说明文案调整”由其本人审批",
     "a change to the campaign page copy is approved by its own author (an operations manager)"),
    ("PERM-2", "grant:G-2026-014", "data-security.toml",
     "清理活动测试数据的“删除”权限授予了运营专员，超出权限矩阵（运营专员：本部门活动数据，查看、导出）",
     "delete rights on activity data were granted to an operations specialist; the matrix allows only 查看/导出"),
    ("ORG-5", "unit:S08", "units.toml, people.toml",
     "广州北京路店唯一的外卖员 5 月 31 日离职后未补员，门店缺外卖员",
     "the store's only 外卖员 (delivery rider) left on 2026-05-31 and was not replaced"),
    ("SOP-2", "unit:U-CO", "content.toml",
     "5 月的内容审核平均处理时间超过 4 小时：端午粽子礼盒预售从提交（10:00）到发布（22:30）用时 12.5 小时（warning）",
     "May's average review time (submission to publication) is over 4 hours: one item took 12.5 hours (warning)"),
    ("ORG-2", "unit:R3", "units.toml",
     "华北区域只下辖 3 家门店（北京国贸店已划归管理部直管），少于 4 家",
     "the 华北 region has only 3 stores (the 国贸 store now reports to 管理部), fewer than 4"),
    ("RISK-2", "risk:RK-2026-010", "risks.toml",
     "高可能性×中影响（高风险）的“加盟扩张过快”风险采取了“接受”",
     "a high risk (likelihood 高, impact 中) is accepted; acceptance is only for low risks"),
    ("CAD-4", "unit:U-CO", "events.toml (event.csv)",
     "2026-04-05 没有数据备份记录（event.csv 中缺该日的“数据备份”行）",
     "no data backup was recorded on 2026-04-05 (the 数据备份 row is missing from event.csv)"),
    ("APR-5", "appraisal:A-{low2}-2026-05", "appraisal-low.toml",
     "门店服务员 2026-05 考核总分低于 60 分，但没有改进计划",
     "a store waiter scored below 60 in 2026-05 but has no improvement plan"),
    ("PERM-5", "transfer:TR-2026-006", "data-security.toml",
     "核心数据“交易记录”以未加密的邮件附件发送",
     "the core dataset 交易记录 (transactions) was sent as an unencrypted e-mail attachment"),
]


class Org:
    def __init__(self, clean):
        self.clean = clean
        self.rng = random.Random(SEED)
        self.names = Names(self.rng)
        self.units = []
        self.people = []
        self.by_id = {}
        self.assignments = []
        self.mentor_of = {}
        self.store_meta = []  # (unit id, mentor pid)
        self.key = {}

    # ------------------------------------------------------------------ helpers
    def rdate(self, a, b):
        return a + dt.timedelta(days=self.rng.randint(0, (b - a).days))

    def unit(self, uid, name, typ, parent=None, area=None, note=None):
        r = Rec(id=uid, name=name, type=typ, parent=parent, area=area, note=note)
        self.units.append(r)
        return uid

    def person(self, unit, roles, joined=None, senior=False, level=None):
        pid = f"P{len(self.people) + 1:04d}"
        if joined is None:
            joined = self.rdate(D(2014, 3, 1), D(2020, 12, 31)) if senior else self.rdate(D(2017, 1, 1), D(2025, 8, 31))
        r = Rec(id=pid, name=self.names.new(), unit=unit, roles=list(roles), joined=joined)
        if level is None and "董事" not in roles:
            level = "高级" if joined < D(2021, 1, 1) else ("中级" if joined < D(2025, 9, 1) else "新人")
        r["level"] = level
        r["mentor"] = None
        r["left"] = None
        self.people.append(r)
        self.by_id[pid] = r
        return pid

    def with_role(self, role, unit=None):
        return [p["id"] for p in self.people if role in p["roles"] and (unit is None or p["unit"] == unit)]

    def active(self, pid, on):
        p = self.by_id[pid]
        return p["joined"] <= on and (p["left"] is None or p["left"] >= on)

    # ------------------------------------------------------------------ structure
    def build_structure(self):
        u = self.unit
        u("U-CO", ORG_NAME, "company")
        u("U-BOD", "董事会", "board", "U-CO")
        u("U-DC", "公司决策委员会", "management", "U-BOD")
        u("U-MGT", "管理层", "management", "U-BOD")
        for uid, name in [("U-OPS", "运营部"), ("U-TECH", "技术部"), ("U-MKT", "市场部"), ("U-SALES", "销售部"),
                          ("U-CS", "客服部"), ("U-FIN", "财务部"), ("U-PRD", "产品部")]:
            u(uid, name, "department", "U-MGT")
        u("U-POC", "产品运营中心", "centre", "U-MGT")
        u("U-OC", "运营中心", "centre", "U-MGT")
        u("U-OC-MKT", "营销部", "department", "U-OC")
        u("U-OC-OM", "运营管理部", "department", "U-OC")
        u("U-OC-ADM", "管理部", "admin", "U-OC-OM")  # 运营中心设营销部、运营管理部（002）
        u("R1", "华东区域", "region", "U-OC-OM", "上海")
        u("R2", "华南区域", "region", "U-OC-OM", "广州")
        u("R3", "华北区域", "region", "U-OC-OM", "北京",
          note=None if self.clean else "违规示例: ORG-2 华北区域只剩 3 家门店（北京国贸店 S14 已划归管理部直管），少于 4 家")
        stores = [
            ("R1", "上海", ["徐家汇店", "静安寺店", "陆家嘴店", "五角场店", "中山公园店", "虹桥天街店"]),
            ("R2", "广州", ["天河城店", "北京路店", "珠江新城店", "番禺万达店"]),
            ("R3", "北京", ["三里屯店", "中关村店", "望京店", "国贸店"]),
            ("U-OC-ADM", None, ["杭州西湖店", "南京新街口店"]),
        ]
        n = 0
        self.stores = []
        for parent, area, names in stores:
            for nm in names:
                n += 1
                sid = f"S{n:02d}"
                a = area or ("杭州" if "杭州" in nm else "南京")
                p = parent
                note = None
                if sid == "S14" and not self.clean:
                    p = "U-OC-ADM"
                    note = "违规示例: ORG-2 国贸店划归管理部直管后，华北区域 R3 只剩 3 家门店"
                u(sid, a + nm, "store", p, a, note=note)
                self.stores.append(sid)

    # ------------------------------------------------------------------ people
    def build_people(self):
        P = self.person
        k = self.key
        # 董事会：董事作为审批人登记为人员，但不是员工——不设培训级别，不参加绩效考核（APR-2）、
        # 数据安全培训（CAD-1）与分级培训（CAD-7）
        k["directors"] = [P("U-BOD", ["董事"], senior=True) for _ in range(3)]
        # 管理层；总经理、副总经理兼任公司决策委员会委员
        k["gm"] = P("U-MGT", ["总经理", "决策委员会委员"], senior=True)
        k["vgm"] = [P("U-MGT", ["副总经理", "决策委员会委员"], senior=True), P("U-MGT", ["副总经理"], senior=True)]
        # 运营部
        k["coo"] = P("U-OPS", ["运营总监"], senior=True)
        k["om1"] = P("U-OPS", ["运营经理"], senior=True)
        k["om2"] = P("U-OPS", ["运营经理"], joined=D(2019, 7, 15))  # 2026-02-01 由运营专员晋升（见 assignment）
        k["ops_spec"] = [P("U-OPS", ["运营专员"]) for _ in range(5)]
        k["ops_leaver"] = P("U-OPS", ["运营专员"])  # 2026-02-28 离职
        k["ops_new"] = P("U-OPS", ["运营专员"], joined=D(2025, 10, 8))
        k["analysts"] = [P("U-OPS", ["数据分析员"]) for _ in range(2)]
        k["analyst_global"] = P("U-OPS", ["数据分析师", "数据分析员"])
        k["mkt_ops"] = [P("U-OPS", ["市场运营"]) for _ in range(2)]
        k["user_ops_lead"] = P("U-OPS", ["用户运营主管"], senior=True)
        k["user_ops"] = [P("U-OPS", ["用户运营"]) for _ in range(2)]
        k["content_ops"] = [P("U-OPS", ["内容运营"], senior=True)] + [P("U-OPS", ["内容运营"]) for _ in range(2)]
        k["content_new"] = P("U-OPS", ["内容运营"], joined=D(2026, 3, 2))
        k["tech_ops_mgr"] = P("U-OPS", ["技术运营经理"], senior=True)
        k["tech_ops"] = [P("U-OPS", ["技术运营"]) for _ in range(2)]
        # 技术部；技术总监兼任决策委员会委员
        k["cto"] = P("U-TECH", ["技术总监", "决策委员会委员"], senior=True)
        k["sysadmin"] = [P("U-TECH", ["系统管理员"]) for _ in range(2)]
        k["tech_tech_ops"] = [P("U-TECH", ["技术运营"]) for _ in range(2)]
        # 市场部、销售部、客服部、财务部、产品部
        k["mkt"] = [P("U-MKT", ["市场运营"], senior=True)] + [P("U-MKT", ["市场运营"]) for _ in range(3)]
        k["sales_mgr"] = P("U-SALES", ["销售部经理"], senior=True)
        k["sales"] = [P("U-SALES", ["市场运营"]) for _ in range(2)]
        k["cs"] = [P("U-CS", ["用户运营"], senior=True)] + [P("U-CS", ["用户运营"]) for _ in range(3)]
        k["cs_new"] = P("U-CS", ["用户运营"], joined=D(2026, 4, 13))
        k["cfo"] = P("U-FIN", ["财务经理"], senior=True)
        k["fin_analyst"] = P("U-FIN", ["数据分析员"])
        k["prd_mgr"] = P("U-PRD", ["产品部经理"], senior=True)
        k["pm"] = [P("U-PRD", ["项目经理"]) for _ in range(2)]
        k["presales"] = [P("U-PRD", ["售前工程师"]) for _ in range(2)]
        # 产品运营中心
        k["poc_mgr"] = P("U-POC", ["产品运营经理"], senior=True)
        k["product_mgr"] = [P("U-POC", ["产品经理"]) for _ in range(2)]
        k["poc_spec"] = [P("U-POC", ["运营专员"]) for _ in range(2)]
        k["poc_new"] = P("U-POC", ["运营专员"], joined=D(2026, 1, 5))
        k["poc_analyst"] = P("U-POC", ["数据分析员"])
        # 运营中心：营销部、运营管理部、管理部、区域
        k["oc_mkt"] = [P("U-OC-MKT", ["市场运营"]) for _ in range(2)]
        k["oc_om"] = [P("U-OC-OM", ["运营专员"]), P("U-OC-OM", ["数据分析员"])]
        k["adm_head"] = P("U-OC-ADM", ["管理部主任"], senior=True)
        k["adm_sup"] = P("U-OC-ADM", ["管理部督导专员"])
        k["region_mgr"] = {r: P(r, ["区域经理"], senior=True) for r in ("R1", "R2", "R3")}
        k["region_asst"] = P("R1", ["区域经理助理"])
        # 门店：7 种岗位
        new_hire_dates = [D(2025, 9, 15), D(2025, 11, 3), D(2026, 1, 12), D(2026, 2, 23),
                          D(2026, 3, 16), D(2026, 4, 20), D(2026, 5, 18), D(2025, 12, 1)]
        k["store_staff"] = {}
        nh = 0
        for i, sid in enumerate(self.stores):
            staff = {}
            staff["店长"] = [P(sid, ["店长"], senior=True)]
            staff["前厅主管"] = [P(sid, ["前厅主管"])]
            staff["厨房主管"] = [P(sid, ["厨房主管"])]
            staff["出品员"] = [P(sid, ["出品员"]) for _ in range(2)]
            staff["收银员"] = [P(sid, ["收银员"])]
            staff["服务员"] = [P(sid, ["服务员"]) for _ in range(2 + (i % 3 == 0))]
            riders = 1 if sid == "S08" else 1 + (i % 2)
            staff["外卖员"] = [P(sid, ["外卖员"]) for _ in range(riders)]
            if i % 2 == 0:  # 新员工（服务员），由店长带教
                pid = P(sid, ["服务员"], joined=new_hire_dates[nh % len(new_hire_dates)])
                nh += 1
                staff["服务员"].append(pid)
                self.by_id[pid]["mentor"] = staff["店长"][0]
            k["store_staff"][sid] = staff
        # 导师（新员工配中级或高级员工）
        self.by_id[k["ops_new"]]["mentor"] = k["om1"]
        self.by_id[k["content_new"]]["mentor"] = k["content_ops"][0]
        self.by_id[k["cs_new"]]["mentor"] = k["cs"][0]
        self.by_id[k["poc_new"]]["mentor"] = k["poc_mgr"]
        # 离职
        self.by_id[k["ops_leaver"]]["left"] = D(2026, 2, 28)
        rider = k["store_staff"]["S08"]["外卖员"][0]
        k["s08_rider"] = rider
        if not self.clean:
            self.by_id[rider]["left"] = D(2026, 5, 31)
            self.by_id[rider].note = "违规示例: ORG-5 广州北京路店唯一的外卖员，2026-05-31 离职后未补员"
            for u in self.units:
                if u["id"] == "S08":
                    u.note = f"违规示例: ORG-5 本店唯一的外卖员 {rider} 已于 2026-05-31 离职，未补员，门店缺外卖员（门店缺岗只由 ORG-5 报告）"
        # 任职记录：om2 于 2026-02-01 由运营专员晋升为运营经理
        om2 = self.by_id[k["om2"]]
        self.assignments = [
            Rec(id="AS-001", person=om2["id"], role="运营专员", unit="U-OPS", **{"from": om2["joined"]}, to=D(2026, 1, 31)),
            Rec(id="AS-002", person=om2["id"], role="运营经理", unit="U-OPS", **{"from": D(2026, 2, 1)}),
        ]
        # 资深员工确保不是新人
        for p in self.people:
            if p["level"] == "新人":
                assert p["mentor"], p

    # ------------------------------------------------------------------ approvals
    def changes(self):
        k = self.key
        ap = lambda by, role, date, decision="approve": {"by": by, "role": role, "date": date, "decision": decision}
        c = []

        def ch(cid, title, tier, author, sub, golive, approvals, note=None):
            c.append(Rec(id=cid, title=title, tier=tier, author=author, submitted=sub, golive=golive,
                         approvals=approvals, note=note))

        ch("CHG-2026-001", "首页 Banner 文案微调", "日常优化", k["content_ops"][1], D(2026, 1, 6), D(2026, 1, 8),
           [ap(k["om1"], "运营经理", D(2026, 1, 7))])
        ch("CHG-2026-002", "上线会员积分功能", "重大改革", k["product_mgr"][0], D(2026, 2, 2), D(2026, 3, 20),
           [ap(k["coo"], "运营总监", D(2026, 2, 10)), ap(k["cto"], "技术总监", D(2026, 2, 12))])
        ch("CHG-2026-003", "推送文案 A/B 实验", "日常优化", k["ops_spec"][0], D(2026, 2, 9), D(2026, 2, 11),
           [ap(k["om2"], "运营经理", D(2026, 2, 10))])
        ch("CHG-2026-004", "上线门店自提下单", "重大改革", k["product_mgr"][1], D(2026, 3, 2), D(2026, 4, 28),
           [ap(k["coo"], "运营总监", D(2026, 3, 10)), ap(k["cto"], "技术总监", D(2026, 3, 11), "reject"),
            ap(k["cto"], "技术总监", D(2026, 3, 25))])
        ch("CHG-2026-005", "与供应链系统对接（跨部门合作）", "复杂项目", k["pm"][0], D(2026, 3, 5), D(2026, 5, 15),
           [ap(k["gm"], "决策委员会委员", D(2026, 3, 20)), ap(k["vgm"][0], "决策委员会委员", D(2026, 3, 20)),
            ap(k["cto"], "决策委员会委员", D(2026, 3, 21))])
        ch("CHG-2026-006", "会员中心按钮文案优化", "日常优化", k["content_ops"][2], D(2026, 3, 16), D(2026, 3, 17),
           [ap(k["coo"], "运营总监", D(2026, 3, 16))])
        ch("CHG-2026-007", "客服自动回复话术更新", "日常优化", k["user_ops_lead"], D(2026, 4, 7), D(2026, 4, 9),
           [ap(k["om1"], "运营经理", D(2026, 4, 8))])
        ch("CHG-2026-008", "上线新版个性化推荐", "重大改革", k["tech_ops_mgr"], D(2026, 5, 6), D(2026, 6, 10),
           [ap(k["coo"], "运营总监", D(2026, 5, 12)), ap(k["cto"], "技术总监", D(2026, 5, 13))])
        ch("CHG-2026-009", "小程序菜品图片替换", "日常优化", k["oc_om"][0], D(2026, 5, 11), D(2026, 5, 12),
           [ap(k["om2"], "运营经理", D(2026, 5, 11))])
        ch("CHG-2026-010", "全渠道会员打通（跨部门合作）", "复杂项目", k["poc_mgr"], D(2026, 5, 18), D(2026, 6, 30),
           [ap(k["gm"], "决策委员会委员", D(2026, 6, 5)), ap(k["vgm"][0], "决策委员会委员", D(2026, 6, 5))])
        if self.clean:
            ch("CHG-2026-011", "活动页规则说明文案调整", "日常优化", k["om1"], D(2026, 6, 8), D(2026, 6, 9),
               [ap(k["om2"], "运营经理", D(2026, 6, 8))])
        else:
            ch("CHG-2026-011", "活动页规则说明文案调整", "日常优化", k["om1"], D(2026, 6, 8), D(2026, 6, 9),
               [ap(k["om1"], "运营经理", D(2026, 6, 8))],
               note="违规示例: APV-3 提交人（运营经理）本人审批了自己的变更")
        ch("CHG-2026-012", "搜索结果排序优化", "日常优化", k["tech_ops"][0], D(2026, 6, 15), None,
           [ap(k["om2"], "运营经理", D(2026, 6, 16))])
        return c

    def plans(self):
        k = self.key
        ap = lambda by, role, date, decision="approve": {"by": by, "role": role, "date": date, "decision": decision}
        out = []

        def pl(pid, kind, owner, sub, approvals, fields=None, title=None, outcome=None, note=None):
            out.append(Rec(id=pid, kind=kind, title=title, owner=owner, submitted=sub, approvals=approvals,
                           fields=fields, outcome=outcome, note=note))

        pl("PL-2026-001", "运营计划", k["om1"], D(2026, 1, 5), [ap(k["gm"], "总经理", D(2026, 1, 9))],
           {"年度运营目标": "日活跃用户提升 20%", "用户增长目标": "新增注册 30 万", "重点项目": "会员积分、门店自提"},
           "2026 年产品运营规划")
        pl("PL-2026-002", "运营计划", k["poc_mgr"], D(2026, 1, 12), [ap(k["vgm"][0], "副总经理", D(2026, 1, 15))],
           {"年度运营目标": "小程序订单占比 35%", "用户增长目标": "会员 50 万", "重点项目": "全渠道会员打通"},
           "产品运营中心 2026 上半年运营计划")
        opt = [("PL-2026-003", k["ops_spec"][1], D(2026, 1, 20), k["om1"], "下单页减少一步确认"),
               ("PL-2026-004", k["ops_spec"][2], D(2026, 2, 24), k["om2"], "优惠券到期提醒"),
               ("PL-2026-005", k["poc_spec"][0], D(2026, 4, 14), k["om1"], "门店列表按距离排序"),
               ("PL-2026-006", k["ops_spec"][3], D(2026, 5, 26), k["om2"], "积分兑换入口前置")]
        for pid, owner, sub, appr, title in opt:
            pl(pid, "产品优化", owner, sub, [ap(appr, "运营经理", sub + dt.timedelta(days=2))], title=title)
        acts = [("PL-2026-007", k["ops_spec"][0], D(2026, 2, 2), "春季会员日活动方案"),
                ("PL-2026-008", k["mkt_ops"][0], D(2026, 4, 1), "五一联合促销活动方案"),
                ("PL-2026-009", k["ops_spec"][4], D(2026, 5, 25), "618 会员狂欢活动方案")]
        for pid, owner, sub, title in acts:
            pl(pid, "活动方案", owner, sub, [ap(k["om1"], "运营经理", sub + dt.timedelta(days=3))], title=title)
        budgets = [("PL-2026-010", k["coo"], "运营部", D(2026, 1, 5)),
                   ("PL-2026-011", k["cto"], "技术部", D(2026, 1, 6)),
                   ("PL-2026-012", k["prd_mgr"], "产品部", D(2026, 1, 7)),
                   ("PL-2026-013", k["sales_mgr"], "销售部", D(2026, 1, 7)),
                   ("PL-2026-014", k["adm_head"], "运营中心", D(2026, 1, 8))]
        for i, (pid, owner, dept, sub) in enumerate(budgets):
            pl(pid, "预算", owner, sub,
               [ap(k["cfo"], "财务经理", D(2026, 1, 14)), ap(k["gm"], "总经理", D(2026, 1, 20)),
                ap(k["directors"][0], "董事", D(2026, 1, 27))],
               {"部门": dept, "收入预算": f"{(i + 3) * 120} 万元", "成本预算": f"{(i + 2) * 80} 万元",
                "费用预算": f"{(i + 1) * 45} 万元"},
               f"{dept} 2026 年度预算")
        proj = [("PL-2026-015", k["sales"][0], D(2026, 2, 16), "连锁烘焙品牌会员系统实施",
                 {"项目背景": "客户 40 家门店会员数据分散", "客户需求": "会员系统与门店收银打通",
                  "项目近期及未来发展情况": "一期 20 家门店，二期全国推广", "客情关系": "已合作三年",
                  "合同金额": "80 万元", "项目实施风险": "门店网络条件参差"}),
                ("PL-2026-016", k["sales"][1], D(2026, 4, 20), "社区生鲜小程序定制",
                 {"项目背景": "客户自建小程序转化低", "客户需求": "定制拼团与自提功能",
                  "项目近期及未来发展情况": "一期上线 3 个城市", "客情关系": "新客户，经渠道引荐",
                  "合同金额": "45 万元", "项目实施风险": "需求变动频繁"})]
        for pid, owner, sub, title, fields in proj:
            d1 = sub + dt.timedelta(days=5)
            pl(pid, "立项", owner, sub,
               [ap(k["gm"], "总经理", d1), ap(k["sales_mgr"], "销售部经理", d1),
                ap(k["prd_mgr"], "产品部经理", d1 + dt.timedelta(days=1))], fields, title, "立项")
        # 立项小组未一致通过（产品部经理否决）：项目终止，没有项目记录引用它——这不是违规（APV-7）
        d1 = D(2026, 5, 18)
        pl("PL-2026-017", "立项", k["sales"][0], D(2026, 5, 13),
           [ap(k["gm"], "总经理", d1), ap(k["sales_mgr"], "销售部经理", d1),
            ap(k["prd_mgr"], "产品部经理", d1 + dt.timedelta(days=1), "reject")],
           {"项目背景": "客户希望门店按客流自动排班", "客户需求": "定制智能排班与考勤对接",
            "项目近期及未来发展情况": "一期 5 家门店试点", "客情关系": "新客户，展会结识",
            "合同金额": "18 万元", "项目实施风险": "客流数据不全，排班算法难以验证"},
           "门店智能排班系统定制", "终止",
           note="产品部经理否决，立项小组未一致通过，项目终止（没有项目记录引用本申请）：不是违规（APV-7）")
        return out

    # ------------------------------------------------------------------ KPI
    def kpi_sheets(self):
        def sheet(sid, role, kpis):
            assert sum(x[3] for x in kpis) == 100, sid
            return Rec(id=sid, role=role,
                       kpis=[{"name": n, "formula": f, "target": t, "weight": w} for n, f, t, w in kpis])

        return [
            sheet("KS-01", "运营总监", [("运营目标达成率", "已达成目标数/目标总数", ">= 90%", 50),
                                     ("日活跃用户增长率", "(本期日活-上期日活)/上期日活", ">= 2%", 30),
                                     ("ROI", "利润/营销投入", ">= 4", 20)]),
            sheet("KS-02", "运营经理", [("部门目标达成率", "已达成目标数/目标总数", ">= 90%", 40),
                                     ("转化率", "付费订单/访客数", ">= 3%", 30),
                                     ("用户留存率", "期末仍活跃的用户数/期初用户数", ">= 30%", 30)]),
            sheet("KS-03", "数据分析员", [("报告按时提交率", "按时提交报告数/应提交报告数", ">= 95%", 50),
                                      ("数据准确率", "无差错数据表数/数据表总数", ">= 99%", 50)]),
            sheet("KS-04", "数据分析师", [("分析需求完成率", "按期完成需求数/需求总数", ">= 90%", 60),
                                      ("脱敏合规率", "合规导出次数/导出总次数", ">= 100%", 40)]),
            sheet("KS-05", "市场运营", [("活动参与人数", "参与活动的用户数", ">= 5000", 40),
                                     ("转化率", "付费订单/访客数", ">= 3%", 40),
                                     ("渠道获客成本", "渠道费用/新增用户数", "<= 25", 20)]),
            sheet("KS-06", "用户运营", [("用户留存率", "期末仍活跃的用户数/期初用户数", ">= 30%", 50),
                                     ("NPS", "推荐者占比 - 贬损者占比", ">= 40", 50)]),
            sheet("KS-07", "内容运营", [("阅读量", "内容被阅读的次数", ">= 200000", 40),
                                     ("互动率", "（点赞数+评论数+转发数）/阅读量", ">= 5%", 40),
                                     ("审核时效达标率", "4 小时内发布数/发布总数", ">= 95%", 20)]),
            sheet("KS-08", "技术运营", [("系统可用率", "系统正常服务时长/统计期总时长", ">= 99.9%", 70),
                                     ("工单响应时长", "工单平均首次响应时间（分钟）", "<= 30", 30)]),
            sheet("KS-09", "技术运营经理", [("系统可用率", "系统正常服务时长/统计期总时长", ">= 99.9%", 60),
                                        ("故障恢复时长", "故障平均恢复时间（分钟）", "<= 60", 40)]),
            sheet("KS-10", "用户运营主管", [("用户留存率", "期末仍活跃的用户数/期初用户数", ">= 30%", 40),
                                        ("NPS", "推荐者占比 - 贬损者占比", ">= 40", 30),
                                        ("投诉按时反馈率", "2 天内反馈数/投诉总数", ">= 98%", 30)]),
        ]

    def metrics(self):
        series = {
            "日活跃用户": [48200, 49150, 50380, 51620, 52940, 54110],
            "转化率": [2.4, 2.6, 2.5, 2.8, 2.9, 3.1],
            "次日留存": [31.5, 32.0, 33.2, 32.8, 34.1, 35.0],
            "日增用户数": [520, 505, 560, 610, 585, 640],
            "NPS": [41, 43, 42, 45, 46, 48],
        }
        code = {"日活跃用户": "DAU", "转化率": "CVR", "次日留存": "D1R", "日增用户数": "NEW", "NPS": "NPS"}
        out = []
        for name, vals in series.items():
            for m, v in enumerate(vals, 1):
                out.append(Rec(id=f"M-{code[name]}-2026-{m:02d}", name=name, period=f"2026-{m:02d}", value=v))
        return out

    def awards(self):
        k = self.key
        return [
            Rec(id="AW-2026-Q1-1", person=k["ops_spec"][1], cycle="2026-Q1", attainment=126,
                reason="下单页优化使转化率提升 0.3 个百分点"),
            Rec(id="AW-2026-Q1-2", person=k["content_ops"][0], cycle="2026-Q1", attainment=132,
                reason="春节专题阅读量超目标 32%"),
            Rec(id="AW-2026-Q1-3", person=k["store_staff"]["S01"]["店长"][0], cycle="2026-Q1", attainment=118,
                reason="门店会员拉新超目标 18%"),
            Rec(id="AW-2026-Q2-1", person=k["mkt"][0], cycle="2026-Q2", attainment=121,
                reason="五一联合促销活动参与人数超目标 21%"),
        ]

    # ------------------------------------------------------------------ appraisals
    def appraisals(self):
        """Monthly scores for every person and every month; quarters are the rounded means."""
        k = self.key
        months = windows("month")
        quarters = windows("quarter")
        # 低绩效：这些月份的四项得分在 45–58 分之间（总分必低于 60 分）
        low = {k["ops_spec"][4]: ("2026-02", "2026-03")}
        low2 = k["store_staff"]["S05"]["服务员"][1]
        low[low2] = ("2026-05",)
        k["low2"] = low2
        recs = []
        for p in self.people:
            base = self.rng.randint(70, 90)
            scores = {}
            for f, t, label in months:
                s = [max(0, min(100, base + self.rng.randint(-6, 8))) for _ in range(4)]
                poor = [self.rng.randint(45, 58) for _ in range(4)]
                scores[label] = poor if label in low.get(p["id"], ()) else s

            def eligible(f, t):
                # 董事会成员不是员工，不参加绩效考核（APR-2）；随机数照常抽取，其余人员的得分不受影响
                return p["unit"] != "U-BOD" and p["joined"] <= f and (p["left"] is None or p["left"] >= t)

            for f, t, label in months:
                if eligible(f, t):
                    recs.append((p["id"], label, scores[label]))
            for f, t, label in quarters:
                if eligible(f, t):
                    ms = [scores[m] for (mf, mt, m) in months if f <= mf <= t]
                    s = [int(sum(x[i] for x in ms) / len(ms) + 0.5) for i in range(4)]
                    recs.append((p["id"], label, s))
        out = []
        for pid, cycle, s in recs:
            total = round(0.4 * s[0] + 0.2 * s[1] + 0.1 * s[2] + 0.3 * s[3], 1)
            r = Rec(id=f"A-{pid}-{cycle}", person=pid, cycle=cycle,
                    scores={"上级评价": s[0], "同事评价": s[1], "自我评价": s[2], "数据分析": s[3]}, total=total)
            if total < 60:
                r["improvement_plan"] = 3
                if pid == low2 and cycle == "2026-05" and not self.clean:
                    del r["improvement_plan"]
                    r.note = "违规示例: APR-5 总分低于 60 分，但没有改进计划"
            out.append(r)
        return out

    # ------------------------------------------------------------------ data security
    def datasets(self):
        return [
            Rec(id="DS-01", name="运营部活动数据", category="活动数据", owner="U-OPS", **{"class": "内部"}),
            Rec(id="DS-02", name="产品运营中心活动数据", category="活动数据", owner="U-POC", **{"class": "内部"}),
            Rec(id="DS-03", name="门店活动数据", category="活动数据", owner="U-OC-OM", **{"class": "内部"}),
            Rec(id="DS-04", name="用户画像", category="用户画像", owner="U-OPS", **{"class": "核心"}),
            Rec(id="DS-05", name="交易记录", category="交易记录", owner="U-FIN", **{"class": "核心"}),
            Rec(id="DS-06", name="门店经营日报", category="经营数据", owner="U-OC", **{"class": "内部"}),
            Rec(id="DS-07", name="客诉工单", category="客服数据", owner="U-CS", **{"class": "内部"}),
            Rec(id="DS-08", name="品牌宣传素材库", category="内容素材", owner="U-MKT", **{"class": "公开"}),
            Rec(id="DS-09", name="应用访问日志", category="系统日志", owner="U-TECH", **{"class": "内部"}),
        ]

    def grants(self):
        k = self.key
        own = {"U-OPS": "DS-01", "U-POC": "DS-02", "U-OC-OM": "DS-03"}
        out = []
        n = 0
        specs = [p for p in self.people if "运营专员" in p["roles"] and p["left"] is None]
        for p in specs:
            n += 1
            ops = ["查看", "导出"] if n % 3 else ["查看"]
            out.append(Rec(id=f"G-2026-{n:03d}", person=p["id"], dataset=own[p["unit"]], ops=ops, view="raw"))
        n += 1
        out.append(Rec(id=f"G-2026-{n:03d}", person=k["analyst_global"], dataset="*", ops=["查看", "分析"], view="masked"))
        for sa in k["sysadmin"]:
            n += 1
            out.append(Rec(id=f"G-2026-{n:03d}", person=sa, dataset="*", ops=["查看", "修改", "删除"], view="raw"))
        n += 1
        gid = f"G-2026-{n:03d}"
        assert gid == "G-2026-014", gid
        purpose = "清理活动测试数据"
        if self.clean:
            out.append(Rec(id=gid, person=k["sysadmin"][0], dataset="DS-01", ops=["查看", "删除"], view="raw",
                           purpose=purpose))
        else:
            out.append(Rec(id=gid, person=k["ops_spec"][2], dataset="DS-01", ops=["查看", "删除"], view="raw",
                           purpose=purpose,
                           note="违规示例: PERM-2 “删除”权限授予了运营专员，超出权限矩阵（运营专员：本部门活动数据，查看、导出）"))
        return out

    def transfers(self):
        out = [
            Rec(id="TR-2026-001", dataset="DS-05", date=D(2026, 1, 28), encrypted=True, method="PGP",
                to="外部审计机构"),
            Rec(id="TR-2026-002", dataset="DS-04", date=D(2026, 2, 10), encrypted=True, method="PGP",
                to="营销数据服务商（脱敏样本）"),
            Rec(id="TR-2026-003", dataset="DS-01", date=D(2026, 3, 5), encrypted=True, method="SFTP + AES-256",
                to="产品运营中心"),
            Rec(id="TR-2026-004", dataset="DS-08", date=D(2026, 3, 18), encrypted=False, method="HTTPS 公开链接",
                to="媒体合作方"),
            Rec(id="TR-2026-005", dataset="DS-06", date=D(2026, 4, 2), encrypted=True, method="加密压缩包（AES-256）",
                to="区域经理"),
        ]
        if self.clean:
            out.append(Rec(id="TR-2026-006", dataset="DS-05", date=D(2026, 5, 12), encrypted=True, method="PGP",
                           to="财务顾问"))
        else:
            out.append(Rec(id="TR-2026-006", dataset="DS-05", date=D(2026, 5, 12), encrypted=False, method="邮件附件",
                           to="财务顾问", note="违规示例: PERM-5 核心数据“交易记录”以未加密的邮件附件发送"))
        out.append(Rec(id="TR-2026-007", dataset="DS-09", date=D(2026, 6, 3), encrypted=True, method="SFTP",
                       to="云服务商技术支持"))
        return out

    # ------------------------------------------------------------------ cadences
    def meetings(self):
        weekly_units = ["U-OPS", "U-PRD", "U-TECH", "U-POC"]
        monthly_units = ["U-OPS", "U-PRD", "U-TECH", "U-MKT", "U-SALES", "U-CS", "U-POC", "U-FIN", "U-OC"]
        out = []
        for f, t, label in windows("week"):
            wk = label.split("-W")[1]
            out.append({"id": f"MT-W{wk}-周例会", "kind": "周例会", "date": f + dt.timedelta(days=2),
                        "units": weekly_units, "outputs": ["会议纪要", "待办事项"]})
            out.append({"id": f"MT-W{wk}-部门例会", "kind": "部门例会", "date": f,
                        "units": ["U-OPS"], "outputs": ["会议纪要", "本周工作任务"]})
        for f, t, label in windows("month"):
            out.append({"id": f"MT-{label}-月度复盘会", "kind": "月度复盘会", "date": last_friday(f),
                        "units": monthly_units, "outputs": ["改进计划草案", "会议纪要"]})
        out.sort(key=lambda r: (r["date"], r["id"]))
        return out

    def trainings(self):
        out = []

        def attendees(day, pred):
            return [p["id"] for p in self.people if self.active(p["id"], day) and pred(p)]

        # 数据安全培训：每半年全体员工一次（董事会成员不是员工，不参加）；入职较晚者参加补训
        d1, d2 = D(2026, 3, 18), D(2026, 6, 17)
        first = attendees(d1, lambda p: p["unit"] != "U-BOD")
        out.append({"id": "TR-DS-2026-H1-1", "topic": "数据安全培训", "level": "", "date": d1,
                    "attendees": first, "assessment": "线上测验：全部通过"})
        out.append({"id": "TR-DS-2026-H1-2", "topic": "数据安全培训", "level": "", "date": d2,
                    "attendees": attendees(d2, lambda p: p["unit"] != "U-BOD" and p["id"] not in first),
                    "assessment": "线上测验（补训）：全部通过"})
        # 分级培训
        for f, t, label in windows("month"):
            day = nth_weekday(f.year, f.month, 3, 2)  # 每月第二个周四
            out.append({"id": f"TR-XL-{label}", "topic": "Excel", "level": "新人", "date": day,
                        "attendees": attendees(day, lambda p: p["level"] == "新人"), "assessment": "操作考核：全部通过"})
        for day, label in [(D(2026, 2, 26), "2026-Q1"), (D(2026, 5, 21), "2026-Q2")]:
            out.append({"id": f"TR-SQL-{label}", "topic": "SQL", "level": "中级", "date": day,
                        "attendees": attendees(day, lambda p: p["level"] == "中级"), "assessment": "案例诊断报告：已提交"})
        day = D(2026, 4, 23)
        out.append({"id": "TR-UG-2026-H1", "topic": "用户增长策略", "level": "高级", "date": day,
                    "attendees": attendees(day, lambda p: p["level"] == "高级"), "assessment": "策划案评审会：已评审"})
        out.sort(key=lambda r: (r["date"], r["id"]))
        assert all(r["attendees"] for r in out)
        return out

    def daily_events(self):
        out = []
        for f, t, label in windows("day"):
            tag = f.strftime("%Y%m%d")
            if not (f == D(2026, 4, 5) and not self.clean):
                out.append({"id": f"EV-BK-{tag}", "kind": "数据备份", "date": f})
            out.append({"id": f"EV-VF-{tag}", "kind": "备份验证", "date": f})
        return out

    def other_events(self):
        out = [
            Rec(id="EV-PR-2026-Q1", kind="流程评审", date=D(2026, 3, 27), topic="内容审核流程 PDCA：审核时长、返工率"),
            Rec(id="EV-PR-2026-Q2", kind="流程评审", date=D(2026, 6, 19), topic="投诉处理流程 PDCA：反馈时长、投诉率"),
            Rec(id="EV-TS-2026", kind="技术栈评审", date=D(2026, 5, 15), topic="报表从 Excel 迁移至 BI 工具的评估"),
            Rec(id="EV-FR-2026-H1", kind="全面复盘", date=D(2026, 6, 29), topic="上半年数据波动原因分析与改进计划"),
        ]
        for f, t, label in windows("month"):
            out.append(Rec(id=f"EV-MR-{label}", kind="运营月报", date=last_workday(f),
                           topic=f"运营管理中心 {label} 月度报告"))
        if not self.clean:
            out.append(Rec(id="EV-NOTE-2026-04-05", kind="备份异常说明", date=D(2026, 4, 5),
                           topic="备份任务因存储扩容中断，当日未执行",
                           note="违规示例: CAD-4 2026-04-05 没有数据备份记录（event.csv 中缺该日的“数据备份”行；\n"
                                "本条“备份异常说明”不是数据备份，不能替代）"))
        return out

    # ------------------------------------------------------------------ development
    def rotations(self):
        k = self.key
        plan = [
            (k["ops_spec"][0], [("内容运营", D(2025, 7, 1), D(2025, 10, 31)), ("活动运营", D(2025, 11, 1), D(2026, 2, 28)),
                                ("用户运营", D(2026, 3, 1), D(2026, 6, 30))]),
            (k["ops_spec"][1], [("数据分析", D(2025, 9, 1), D(2026, 1, 31)), ("产品运营", D(2026, 2, 1), D(2026, 6, 30))]),
            (k["content_ops"][1], [("内容运营", D(2025, 8, 1), D(2025, 11, 30)), ("市场运营", D(2025, 12, 1), D(2026, 4, 30))]),
            (k["poc_spec"][0], [("产品运营", D(2025, 10, 1), D(2026, 1, 31)), ("活动运营", D(2026, 2, 1), D(2026, 5, 31))]),
        ]
        out = []
        n = 0
        for pid, mods in plan:
            for module, f, t in mods:
                n += 1
                out.append(Rec(id=f"RT-{n:03d}", person=pid, module=module, **{"from": f}, to=t))
        return out

    def coachings(self):
        out = []
        for p in self.people:
            if p["level"] != "新人" or not p["mentor"]:
                continue
            for f, t, label in windows("week"):
                if f >= p["joined"] and (p["left"] is None or f <= p["left"]):
                    out.append({"id": f"CO-{p['id']}-{f.isoformat()}", "mentor": p["mentor"], "mentee": p["id"],
                                "date": f, "kind": "周辅导", "notes": "1页学习笔记"})
            for f, t, label in windows("month"):
                d = last_workday(f)
                if d >= p["joined"] and (p["left"] is None or d <= p["left"]):
                    out.append({"id": f"CO-{p['id']}-{d.isoformat()}", "mentor": p["mentor"], "mentee": p["id"],
                                "date": d, "kind": "月反馈", "notes": "30分钟面谈记录"})
        out.sort(key=lambda r: (r["mentee"], r["date"], r["kind"]))
        return out

    # ------------------------------------------------------------------ processes
    def contents(self):
        k = self.key
        editors = k["content_ops"]
        reviewer = [k["om1"], k["om2"]]
        titles = ["春季新品推荐", "会员积分上线公告", "门店自提使用指南", "清明踏青套餐", "五一联合促销预告",
                  "夏季饮品上新", "618 会员狂欢攻略", "门店探店 Vlog：上海徐家汇店", "食品安全小课堂",
                  "用户故事：我和 Acme 的一年", "端午粽子礼盒预售", "新版推荐功能介绍"]
        steps = ["收集内容素材", "初步筛选", "人工审核", "标签化分类", "发布前预览"]
        out = []
        for i, title in enumerate(titles):
            cid = f"CT-2026-{i + 1:03d}"
            mo = 1 + i // 2
            day = 6 + (i % 2) * 12 + (i % 3)
            sub = T(2026, mo, day, 9 + i % 4, 0 if i % 2 else 30)
            ed = editors[i % len(editors)]
            rv = reviewer[i % 2] if (mo >= 2 or i % 2 == 0) else k["om1"]
            if i == 10:  # CT-2026-011
                sub = T(2026, 5, 20, 10, 0)
            gaps = [10, 25, 40, 20, 15]  # minutes between steps
            at = sub
            st = []
            for s, g in zip(steps, gaps):
                at = at + dt.timedelta(minutes=g + (i * 3) % 11)
                st.append({"step": s, "at": at, "by": rv if s == "人工审核" else ed})
            published = at + dt.timedelta(minutes=20)
            note = None
            if i == 10 and not self.clean:
                published = T(2026, 5, 20, 22, 30)
                note = "违规示例: SOP-2 从提交（10:00）到发布（22:30）用时 12.5 小时，5 月内容审核平均处理时间超过 4 小时"
            out.append(Rec(id=cid, title=title, submitted=sub, published=published, steps=st, note=note))
        # 一篇尚在审核中的内容（未发布）
        sub = T(2026, 6, 29, 15, 0)
        out.append(Rec(id="CT-2026-013", title="七月新品预告（审核中）", submitted=sub,
                       steps=[{"step": "收集内容素材", "at": sub + dt.timedelta(minutes=15), "by": editors[0]},
                              {"step": "初步筛选", "at": sub + dt.timedelta(minutes=40), "by": editors[0]}]))
        return out

    def launches(self):
        units = ["U-CS", "U-SALES", "U-OC"]
        rows = [("LN-2026-001", "会员积分", D(2026, 3, 20), "全部门店与小程序"),
                ("LN-2026-002", "门店自提下单", D(2026, 4, 28), "上海、广州门店先行，其余门店 5 月跟进"),
                ("LN-2026-003", "新版个性化推荐", D(2026, 6, 10), "小程序首页 30% 流量灰度")]
        out = []
        for lid, product, day, scope in rows:
            out.append(Rec(id=lid, product=product, date=day, tests=["功能测试", "性能测试", "兼容性测试"],
                           plan={"上线时间": f"{day.isoformat()} 02:00", "上线范围": scope,
                                 "上线内容": f"{product}全部功能", "上线流程": "预演 → 灰度发布 → 全量 → 上线监控",
                                 "风险应对措施": "保留一键回滚；客服话术与公告预案就绪"},
                           trained=units, faq=True))
        return out

    def activities(self):
        k = self.key
        rows = [("AC-2026-001", "春季会员日", "2026-03-08", "全部门店及小程序", "线上+线下", 80000, 76500),
                ("AC-2026-002", "五一联合促销", "2026-05-01 至 05-05", "上海、广州门店", "线下", 150000, 142300),
                ("AC-2026-003", "会员开放日·上海站", "2026-05-23", "上海徐家汇店", "线下沙龙", 20000, 18800),
                ("AC-2026-004", "618 会员狂欢", "2026-06-18", "小程序", "线上", 120000, 119000)]
        out = []
        for i, (aid, name, when, where, form, budget, spent) in enumerate(rows):
            out.append(Rec(id=aid, name=name,
                           plan={"主题": name, "时间": when, "地点": where, "形式": form,
                                 "内容": "会员专享折扣、积分加倍、互动抽奖", "预算": f"{budget} 元"},
                           budget=budget, spent=spent,
                           reviewed_by=[["U-MKT", "U-FIN"], ["U-MKT", "U-FIN", "U-OC-MKT"], ["U-OC-MKT"], ["U-MKT", "U-TECH"]][i],
                           safety_owner=[k["adm_sup"], k["region_mgr"]["R1"]][i % 2] if i != 3 else k["tech_ops_mgr"],
                           summary_to=k["om1"]))
        return out

    def projects_and_tasks(self):
        k = self.key
        projects = [
            # 阶段名称须为项目模板声明的阶段（policies/schema.zd：project.phases.name），
            # 故促销活动也按项目制模板（启动、执行、收尾）记录，各阶段在时限内并有规定产出。
            Rec(id="PJ-2026-001", name="五一联合促销活动",
                phases=[{"name": "启动", "start": D(2026, 4, 1), "end": D(2026, 4, 2),
                         "deliverables": ["项目计划书", "活动方案"]},
                        {"name": "执行", "start": D(2026, 4, 22), "end": D(2026, 5, 5),
                         "deliverables": ["进度报告", "执行日报"]},
                        {"name": "收尾", "start": D(2026, 5, 6), "end": D(2026, 5, 12),
                         "deliverables": ["PPT", "数据报告", "复盘报告"]}]),
            Rec(id="PJ-2026-002", name="门店会员拉新专项（项目制）",
                phases=[{"name": "启动", "start": D(2026, 3, 2), "end": D(2026, 3, 3), "deliverables": ["项目计划书"]},
                        {"name": "执行", "start": D(2026, 3, 4), "end": D(2026, 3, 17), "deliverables": ["进度报告"]},
                        {"name": "收尾", "start": D(2026, 3, 18), "end": D(2026, 3, 24),
                         "deliverables": ["PPT", "数据报告"]}]),
            Rec(id="PJ-2026-003", name="连锁烘焙品牌会员系统实施", plan="PL-2026-015",
                phases=[{"name": "设备到场", "start": D(2026, 3, 2), "end": D(2026, 3, 6), "deliverables": ["到货签收单"]},
                        {"name": "安装调试", "start": D(2026, 3, 9), "end": D(2026, 3, 20), "deliverables": ["调试记录"]},
                        {"name": "开发计划", "start": D(2026, 3, 9), "end": D(2026, 4, 17), "deliverables": ["开发计划书"]},
                        {"name": "第三方实施", "start": D(2026, 4, 6), "end": D(2026, 4, 24), "deliverables": ["收银对接报告"]},
                        {"name": "客户验收", "start": D(2026, 4, 27), "end": D(2026, 5, 8), "deliverables": ["验收报告"]},
                        {"name": "客户培训", "start": D(2026, 5, 11), "end": D(2026, 5, 15), "deliverables": ["培训签到表"]}],
                change_requests=[{"date": D(2026, 3, 25), "written": True, "signed_by_customer": True},
                                 {"date": D(2026, 4, 14), "written": True, "signed_by_customer": True}]),
        ]
        tasks = [
            Rec(id="TK-001", project="PJ-2026-001", name="联合促销活动策划", owner=k["mkt_ops"][0],
                start=D(2026, 4, 1), end=D(2026, 4, 8)),
            Rec(id="TK-002", project="PJ-2026-001", name="宣传物料设计", owner=k["mkt"][1],
                start=D(2026, 4, 9), end=D(2026, 4, 15), depends=["TK-001"]),
            Rec(id="TK-003", project="PJ-2026-001", name="渠道投放", owner=k["mkt"][2],
                start=D(2026, 4, 16), end=D(2026, 4, 30), depends=["TK-002"]),
            Rec(id="TK-004", project="PJ-2026-001", name="门店员工培训", owner=k["region_mgr"]["R1"],
                start=D(2026, 4, 16), end=D(2026, 4, 22), depends=["TK-002"]),
            Rec(id="TK-005", project="PJ-2026-001", name="活动执行", owner=k["adm_sup"],
                start=D(2026, 5, 1), end=D(2026, 5, 5), depends=["TK-003", "TK-004"]),
            Rec(id="TK-006", project="PJ-2026-001", name="活动复盘", owner=k["mkt_ops"][0],
                start=D(2026, 5, 6), end=D(2026, 5, 8), depends=["TK-005"]),
            Rec(id="TK-007", project="PJ-2026-003", name="收银系统接口开发", owner=k["pm"][0],
                start=D(2026, 3, 9), end=D(2026, 4, 3)),
            Rec(id="TK-008", project="PJ-2026-003", name="门店联调", owner=k["presales"][0],
                start=D(2026, 4, 6), end=D(2026, 4, 24), depends=["TK-007"]),
            Rec(id="TK-009", project="PJ-2026-003", name="客户验收", owner=k["pm"][0],
                start=D(2026, 4, 27), end=D(2026, 5, 8), depends=["TK-008"]),
        ]
        return projects, tasks

    def complaints(self):
        out = []
        days = [D(2026, 1, 9), D(2026, 1, 23), D(2026, 2, 6), D(2026, 2, 26), D(2026, 3, 12), D(2026, 3, 30),
                D(2026, 4, 8), D(2026, 4, 21), D(2026, 5, 7), D(2026, 5, 22), D(2026, 6, 11), D(2026, 6, 24)]
        topics = ["外卖送达超时", "菜品与图片不符", "积分未到账", "收银多收费", "自提订单未备好", "服务态度",
                  "优惠券无法使用", "外卖餐品洒漏", "会员等级未升级", "排队时间过长", "退款进度慢", "门店卫生"]
        for i, (day, topic) in enumerate(zip(days, topics)):
            d2 = day + dt.timedelta(days=i % 2)
            fb = day + dt.timedelta(days=1 + (i % 2))
            out.append(Rec(id=f"CP-2026-{i + 1:03d}", received=day, topic=topic,
                           steps=[{"step": "投诉受理", "at": day}, {"step": "投诉调查与处理", "at": d2},
                                  {"step": "投诉跟踪与反馈", "at": fb}], feedback=fb))
        out.append(Rec(id="CP-2026-013", received=D(2026, 6, 29), topic="小程序支付失败（处理中）",
                       steps=[{"step": "投诉受理", "at": D(2026, 6, 29)}]))
        return out

    def risks(self):
        rows = [
            ("RK-2026-001", "竞品低价促销分流客源", "市场", "中", "中", "中", "降低"),
            ("RK-2026-002", "核心交易系统宕机", "技术", "低", "高", "中", "降低"),
            ("RK-2026-003", "用户数据泄露", "技术", "中", "高", "高", "降低"),
            ("RK-2026-004", "门店食品安全事故", "运营", "低", "高", "中", "转移"),
            ("RK-2026-005", "广告宣传用语违反广告法", "法律", "低", "中", "中", "降低"),
            ("RK-2026-006", "办公耗材价格小幅上涨", "财务", "低", "低", "低", "接受"),
            ("RK-2026-007", "外卖平台佣金上调", "财务", "中", "中", "中", "转移"),
            ("RK-2026-008", "进入政策不明朗的海外市场", "市场", "高", "高", "高", "规避"),
            ("RK-2026-009", "节假日客服人手不足", "运营", "中", "低", "中", "降低"),
        ]
        out = [Rec(id=a, title=b, category=c, likelihood=d, impact=e, grade=f, response=g) for a, b, c, d, e, f, g in rows]
        if self.clean:
            out.append(Rec(id="RK-2026-010", title="加盟扩张过快导致门店管理失控", category="运营", likelihood="高",
                           impact="中", grade="高", response="降低"))
        else:
            out.append(Rec(id="RK-2026-010", title="加盟扩张过快导致门店管理失控", category="运营", likelihood="高",
                           impact="中", grade="高", response="接受",
                           note="违规示例: RISK-2 高风险（可能性高、影响中）不得“接受”，应规避、降低或转移"))
        return out

    def sanctions(self):
        k = self.key
        return [
            Rec(id="SN-2026-001", person=k["store_staff"]["S03"]["服务员"][0], date=D(2026, 2, 14), level="口头警告",
                offence="当月迟到 3 次"),
            Rec(id="SN-2026-002", person=k["store_staff"]["S10"]["收银员"][0], date=D(2026, 4, 3), level="书面通报",
                offence="收银现金短款未按规定上报"),
            Rec(id="SN-2026-003", person=k["ops_spec"][3], date=D(2026, 5, 19), level="口头警告",
                offence="推送文案出现错别字即发布"),
        ]

    # ------------------------------------------------------------------ exports
    def export_rows(self):
        provinces = ["上海市", "广东省", "北京市", "浙江省", "江苏省", "四川省", "湖北省", "山东省"]
        levels = ["普通会员", "银卡会员", "金卡会员", "黑金会员"]
        rows = []
        for i in range(1, 21):
            uid = f"U{100000 + i * 37}"
            age = self.rng.randint(18, 58)
            lo = age // 5 * 5
            rows.append({"user_id": hashlib.sha256(uid.encode()).hexdigest(),
                         "地址": provinces[self.rng.randrange(len(provinces))],
                         "年龄": f"{lo}-{lo + 5}岁",
                         "会员等级": levels[self.rng.randrange(len(levels))],
                         "近90天订单数": self.rng.randint(1, 40),
                         "近90天消费金额": f"{self.rng.randint(3000, 250000) / 100:.2f}",
                         "备注": ""})
        rows[6]["备注"] = "偏好外卖"
        rows[11]["备注"] = "生日月赠券"
        if not self.clean:
            rows[13]["备注"] = "回访电话 13800138000"
        return rows


# ============================================================================ writing
def write(out_dir, rel, text):
    path = os.path.join(out_dir, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def header(title, clean):
    variant = "tests/fixtures/clean-org（无违规版本）" if clean else "examples/acme（含若干处违规示例，见 README.md）"
    return f"{MARKER}：python3 examples/gen_acme.py{' --clean' if clean else ''}，请勿手工编辑。\n# {variant}\n# {title}\n\n"


def generate(out_dir, clean):
    org = Org(clean)
    org.build_structure()
    org.build_people()
    changes = org.changes()
    plans = org.plans()
    sheets = org.kpi_sheets()
    metrics = org.metrics()
    awards = org.awards()
    appraisals = org.appraisals()
    datasets = org.datasets()
    grants = org.grants()
    transfers = org.transfers()
    meetings = org.meetings()
    trainings = org.trainings()
    daily = org.daily_events()
    events = org.other_events()
    rotations = org.rotations()
    coachings = org.coachings()
    contents = org.contents()
    launches = org.launches()
    activities = org.activities()
    projects, tasks = org.projects_and_tasks()
    complaints = org.complaints()
    risks = org.risks()
    sanctions = org.sanctions()
    export_rows = org.export_rows()

    low = [a for a in appraisals if a["total"] < 60]
    bulk = [a for a in appraisals if a["total"] >= 60]

    files = {}
    name = ORG_NAME if not clean else ORG_NAME + "（合规基线）"
    files["zhidu.toml"] = (
        header("组织信息与审计期间", clean)
        + f"[org]\nname = {tval(name)}\nas_of = {AS_OF.isoformat()}\n"
        + f"period = {{ from = {PERIOD[0].isoformat()}, to = {PERIOD[1].isoformat()} }}\n"
    )
    files["units.toml"] = header("组织单位：公司、董事会、管理层、职能部门、产品运营中心、运营中心（营销部、运营管理部及其下的管理部）、区域与门店", clean) + toml_records("unit", org.units)
    files["people.toml"] = (
        header(f"人员（{len(org.people)} 人）与任职记录。level 为培训级别；新人配业务导师（mentor）", clean)
        + toml_records("person", org.people)
        + "# 任职记录：运营经理晋升前后的岗位（APV-2 按任职记录核对审批人岗位）\n\n"
        + toml_records("assignment", org.assignments)
    )
    files["changes.toml"] = header("变更与分级审批（日常优化、重大改革、复杂项目）", clean) + toml_records("change", changes)
    files["plans.toml"] = header("计划与申请：运营计划、产品优化、活动方案、预算、立项", clean) + toml_records("plan", plans)
    files["kpi.toml"] = (
        header("KPI 表（运营专员使用制度包自带的 KPI 表）、核心指标观测值、季度评优", clean)
        + toml_records("kpi_sheet", sheets) + toml_records("metric", metrics) + toml_records("award", awards)
    )
    files["appraisal-low.toml"] = (
        header("低绩效考核记录（总分低于 60 分）与改进计划；其余考核记录见 appraisal.csv", clean)
        + toml_records("appraisal", low)
    )
    ap_header = ["id", "person", "cycle", "scores.上级评价", "scores.同事评价", "scores.自我评价", "scores.数据分析",
                 "total", "improvement_plan"]
    ap_rows = []
    for a in bulk:
        r = {"id": a["id"], "person": a["person"], "cycle": a["cycle"], "total": a["total"],
             "improvement_plan": a.get("improvement_plan")}
        for k2, v in a["scores"].items():
            r[f"scores.{k2}"] = v
        ap_rows.append(r)
    files["appraisal.csv"] = csv_text(ap_header, ap_rows)
    files["data-security.toml"] = (
        header("数据集分级、数据权限授予、数据传输", clean)
        + toml_records("dataset", datasets) + toml_records("grant", grants) + toml_records("transfer", transfers)
    )
    files["meeting.csv"] = csv_text(["id", "kind", "date", "units", "outputs"], meetings)
    files["training.csv"] = csv_text(["id", "topic", "level", "date", "attendees", "assessment"], trainings)
    files["event.csv"] = csv_text(["id", "kind", "date"], daily)
    files["events.toml"] = (
        header("周期事项：流程评审、技术栈评审、全面复盘、运营月报（每日数据备份与备份验证见 event.csv）", clean)
        + toml_records("event", events)
    )
    files["development.toml"] = header("人才培养：轮岗记录（导师辅导记录见 coaching.csv）", clean) + toml_records("rotation", rotations)
    files["coaching.csv"] = csv_text(["id", "mentor", "mentee", "date", "kind", "notes"], coachings)
    files["content.toml"] = header("内容审核与发布记录（内容审核 SOP 五个步骤）", clean) + toml_records("content", contents)
    files["launches.toml"] = (
        header("产品上线与活动", clean) + toml_records("launch", launches) + toml_records("activity", activities)
    )
    files["projects.toml"] = header("项目与甘特图任务", clean) + toml_records("project", projects) + toml_records("task", tasks)
    files["complaints.toml"] = header("客户投诉处理记录", clean) + toml_records("complaint", complaints)
    files["risks.toml"] = header("风险登记", clean) + toml_records("risk", risks)
    files["sanctions.toml"] = header("处分记录", clean) + toml_records("sanction", sanctions)
    # The export's data category (MASK-2 applies the masks of that category).
    files["exports/user-profile-2026-06.csv.toml"] = 'category = "用户画像"\n'
    files["exports/user-profile-2026-06.csv"] = csv_text(
        ["user_id", "地址", "年龄", "会员等级", "近90天订单数", "近90天消费金额", "备注"], export_rows)

    counts = {
        "unit": len(org.units), "person": len(org.people), "assignment": len(org.assignments),
        "change": len(changes), "plan": len(plans), "kpi_sheet": len(sheets), "metric": len(metrics),
        "award": len(awards), "appraisal": len(appraisals), "dataset": len(datasets), "grant": len(grants),
        "transfer": len(transfers), "meeting": len(meetings), "training": len(trainings),
        "event": len(daily) + len(events), "rotation": len(rotations), "coaching": len(coachings),
        "content": len(contents), "launch": len(launches), "activity": len(activities), "project": len(projects),
        "task": len(tasks), "complaint": len(complaints), "risk": len(risks), "sanction": len(sanctions),
    }
    stores = [u for u in org.units if u["type"] == "store"]
    files["README.md"] = readme(clean, counts, org, len(stores), len(export_rows))

    # Replace the output dir (only one this generator wrote before).
    if os.path.exists(out_dir):
        marker = os.path.join(out_dir, "zhidu.toml")
        ok = os.path.isfile(marker) and open(marker, encoding="utf-8").read().startswith(MARKER)
        if not ok:
            sys.exit(f"{out_dir} exists and was not written by this generator; not touching it")
        shutil.rmtree(out_dir)
    for rel in sorted(files):
        write(out_dir, rel, files[rel])
    return counts


def readme(clean, counts, org, n_stores, n_export):
    count_lines = "\n".join(f"| `{k}` | {v} |" for k, v in counts.items())
    files = """| 文件 / file | 内容 / contents |
|---|---|
| `zhidu.toml` | 组织名称、`as_of = 2026-06-30`、审计期间 2026-01-01 … 2026-06-30 |
| `units.toml` | `unit` |
| `people.toml` | `person`、`assignment` |
| `changes.toml` | `change` |
| `plans.toml` | `plan`（运营计划、产品优化、活动方案、预算、立项） |
| `kpi.toml` | `kpi_sheet`、`metric`、`award` |
| `appraisal.csv` + `appraisal-low.toml` | `appraisal`（CSV 使用点号表头 `scores.上级评价`；低绩效记录及改进计划在 TOML 中） |
| `data-security.toml` | `dataset`、`grant`、`transfer` |
| `meeting.csv` | `meeting`（`units`、`outputs` 为 `;` 分隔的列表） |
| `training.csv` | `training`（`attendees` 为 `;` 分隔的列表） |
| `event.csv` + `events.toml` | `event`（每日数据备份、备份验证在 CSV 中；其余周期事项在 TOML 中） |
| `development.toml` + `coaching.csv` | `rotation`、`coaching` |
| `content.toml` | `content` |
| `launches.toml` | `launch`、`activity` |
| `projects.toml` | `project`、`task` |
| `complaints.toml`、`risks.toml`、`sanctions.toml` | `complaint`、`risk`、`sanction` |
| `exports/user-profile-2026-06.csv` | 已脱敏的用户数据导出（省份、年龄段、SHA-256 用户 ID） |"""
    gen = f"""由 `examples/gen_acme.py` 生成（只用 Python 3 标准库，固定随机种子，重复运行结果逐字节相同）：

```sh
python3 examples/gen_acme.py           # examples/acme（含违规示例）
python3 examples/gen_acme.py --clean   # tests/fixtures/clean-org（无违规）
```

不要手工编辑这些文件；修改生成器后重新生成。 / Do not edit these files by hand; change the
generator and regenerate."""
    intro = f"""{ORG_NAME}：{counts['person']} 名人员；董事会、管理层，运营部、技术部、市场部、销售部、客服部、财务部、产品部，
产品运营中心，运营中心（营销部、运营管理部、管理部），3 个区域与 {n_stores} 家门店（华东区域 6 家并设区域经理助理，
另有门店由管理部直管），每家门店 7 种岗位齐备{'' if clean else '（违规示例除外）'}。审计期间 2026-01-01 … 2026-06-30 的变更、计划、考核、培训、会议、
备份、内容、上线、活动、项目、投诉、风险等记录齐全（董事会成员作为审批人登记为人员，不是员工，没有考核与培训记录）。

The example organisation {ORG_NAME}: {counts['person']} people, the board, management, the functional
departments, the product-operations centre, the operations centre with its admin office, three
regions and {n_stores} stores{'' if clean else ' (all fully staffed except where a violation says otherwise)'}, and every record the rules of the built-in pack read for the audit period
2026-01-01 … 2026-06-30 (the directors are recorded as people because they approve budgets, but they
are not employees and have no appraisal or training records)."""
    if clean:
        return f"""# clean-org：无违规的 Acme 示例组织 / the clean variant of the Acme example

{intro}

本目录与 `examples/acme` 出自同一生成器（`--clean`），不含任何违规：

```sh
zhidu check tests/fixtures/clean-org --policy policies   # 0 findings, exit code 0
```

This directory is the clean variant of `examples/acme` (same generator, `--clean`): it must give
zero findings (no errors, no warnings) with the built-in pack.

{gen}

## 记录数 / record counts

| kind | count |
|---|---|
{count_lines}

## 文件 / files

{files}
"""
    low2 = org.key["low2"]
    rows = "\n".join(
        f"| {i} | `{r}` | `{s.format(low2=low2)}` | {f} | {zh} | {en} |"
        for i, (r, s, f, zh, en) in enumerate(VIOLATIONS, 1)
    )
    return f"""# Acme 示例组织 / the Acme example organisation

{intro}

```sh
cargo run --release -- check examples/acme
```

报告下列 {len(VIOLATIONS)} 条发现（每处故意违规一条；门店缺外卖员只由 ORG-5 报告，ROLE-4 不重复报告），退出码为 **1**。
The check reports exactly the {len(VIOLATIONS)} findings below (one per deliberate violation; the
missing delivery rider is reported by ORG-5 only, not again by ROLE-4) and exits with code **1**.
Every violating record carries a `# 违规示例: <RULE-ID> …` comment in its TOML file.

## 故意违规 / deliberate violations

| # | 规则 rule | 对象 subject | 文件 file | 说明 | description |
|---|---|---|---|---|---|
{rows}

SOP-2 是 warning，其余为 error。 / SOP-2 is a warning; all others are errors.

### 导出文件中的违规（MASK-2） / the export violation (MASK-2)

`exports/user-profile-2026-06.csv` 是已脱敏的用户数据导出：`地址` 只保留省份，`年龄` 为年龄段，`user_id` 为
SHA-256 哈希。但第 14 行数据（文件第 15 行）的 `备注` 列含有一个原始手机号（CSV 不能写注释，故在此说明）。
MASK-2 报告该文件、第 14 行、`备注` 列，类别为手机号，不打印号码（对象 `export_cell:exports/user-profile-2026-06.csv#14/备注`）。

`exports/user-profile-2026-06.csv` is a masked user export (province-only addresses, age bands,
SHA-256 ids), except that data row 14 (line 15 of the file) has a raw mobile number in its `备注`
column. CSV has no comments, hence this note. MASK-2 reports that file, row 14, column `备注`, kind
mobile number, without printing the number (subject
`export_cell:exports/user-profile-2026-06.csv#14/备注`).

无违规的对照组织见 `tests/fixtures/clean-org`。 / The clean counterpart is `tests/fixtures/clean-org`.

{gen}

## 记录数 / record counts

| kind | count |
|---|---|
{count_lines}

## 文件 / files

{files}
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clean", action="store_true", help="write the clean variant (no violations)")
    ap.add_argument("--out", help="output directory (default: examples/acme, or tests/fixtures/clean-org with --clean)")
    args = ap.parse_args()
    out = args.out or (os.path.join(ROOT, "tests", "fixtures", "clean-org") if args.clean
                       else os.path.join(HERE, "acme"))
    counts = generate(out, args.clean)
    print(f"wrote {os.path.relpath(out, os.getcwd())}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
