//! Generates a large, deterministic organisation for benchmarks, following `org-data.md` and the
//! built-in pack's declarations (role names, approval tiers, permission rows, cadences). Not part
//! of the tool: the engine knows no regulation; this generator knows the default pack.
//!
//! ```sh
//! cargo run --release --example gen_org -- --people 100000 --out /tmp/org100k [--csv] [--seed 7] [--heavy]
//! ```
//!
//! `--heavy` makes a findings-heavy variant for benchmarks: the same org without any training,
//! coaching or appraisal record, audited over the whole half-year, so the rules on them fail for
//! (nearly) every employee — about 3 findings a person.
//!
//! Shape: per person about 2 grants, 2 appraisals, 0.2 changes with 1–3 approvals; a unit per 50
//! people (stores and operations groups); a task per 20 people with dependencies; stores in
//! regions under regional operations centres; plus every record the pack's org rules read, so
//! that the org is clean apart from the violations injected on purpose: trainings, coaching of new
//! hires, meetings, backups and other cadence events, KPI sheets, awards, plans, budgets, projects,
//! launches, activities, contents, complaints, risks, sanctions, rotations, data transfers and a
//! masked data export.
//!
//! The audit period is 2026-05-01 … 2026-06-30 (`as_of` 2026-06-30): two monthly appraisal cycles,
//! hence two appraisals per person. Cadences longer than the period (half-yearly data-security
//! training, quarterly process reviews, …) have no window wholly inside it and are not required.
//!
//! Violations of most org rules are injected at a fixed small rate per candidate record (see
//! `rate`); each injection makes exactly one finding of its rule and none of any other rule, except
//! where noted in `notes` (a raw global grant to an analyst breaks PERM-3 and PERM-2; content
//! published before its manual review breaks SOP-6 and SOP-1) — those are counted under both
//! rules. The counts are printed as JSON on stdout; `scripts/bench-verify` compares them with the
//! findings of `zhidu check`. Same seed, same files, byte for byte.
//!
//! Files hold at most 50 000 records. With `--csv` the big tables (person, grant, appraisal,
//! change, coaching, training) are CSV; a change's `approvals`, a list of tables, is one dotted
//! column per key with one `;`-separated item per approval (`approvals.by` = `P1;P2`).

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::fs;
use std::path::{Path, PathBuf};

const SHARD: usize = 50_000;

/// Injection rates: one violation per this many candidate records (the candidates are named).
mod rate {
    /// DATA-VOCAB (formerly ROLE-4): persons (a role the policy does not declare).
    pub const ROLE_4: u64 = 5_000;
    /// ORG-1: 管理部 units (a second 督导专员).
    pub const ORG_1: u64 = 10;
    /// ORG-2: regions (3 stores, two managers, or a store of another area).
    pub const ORG_2: u64 = 50;
    /// ORG-3: regions (an assistant in a 4-store region, or two assistants).
    pub const ORG_3: u64 = 50;
    /// ORG-4: stores not in a region (put under 运营管理部 instead of 管理部).
    pub const ORG_4: u64 = 20;
    /// ORG-5: stores (no 外卖员).
    pub const ORG_5: u64 = 200;
    /// APV-2: changes (only a rejection, approval after go-live, or a missing joint approver).
    pub const APV_2: u64 = 1_000;
    /// APV-3: 日常优化 changes (the manager approves his own change).
    pub const APV_3: u64 = 1_000;
    /// APV-4: 运营计划 plans (approved by the 运营总监, not 公司高层).
    pub const APV_4: u64 = 100;
    /// APV-5: 产品优化 plans (approved before it was submitted).
    pub const APV_5: u64 = 200;
    /// APV-6: budgets (董事 before 总经理, or submitted after January).
    pub const APV_6: u64 = 200;
    /// APV-7: 立项 applications (approved unanimously but 合同金额 missing).
    pub const APV_7: u64 = 50;
    /// KPI-2: the groups' KPI sheets (weights sum to 90%).
    pub const KPI_2: u64 = 100;
    /// KPI-3: 运营专员 (also 内容运营, a role without a KPI sheet).
    pub const KPI_3: u64 = 5_000;
    /// KPI-5: awards (attainment not above 115%).
    pub const KPI_5: u64 = 200;
    /// APR-2: persons with an appraisal cycle (one cycle's record missing).
    pub const APR_2: u64 = 5_000;
    /// APR-3: appraisals (total is not the weighted sum).
    pub const APR_3: u64 = 5_000;
    /// Low performers: appraisals with all scores below 60.
    pub const LOW: u64 = 200;
    /// APR-5: low-performer appraisals (no improvement plan).
    pub const APR_5: u64 = 20;
    /// APR-7: sanctions (a level not on the ladder).
    pub const APR_7: u64 = 20;
    /// PERM-2: 运营专员 grants (删除, or another group's dataset).
    pub const PERM_2: u64 = 5_000;
    /// PERM-3: 数据分析师 (a raw global grant; also PERM-2).
    pub const PERM_3: u64 = 50;
    /// PERM-4: activity datasets (class 机密).
    pub const PERM_4: u64 = 500;
    /// PERM-5: transfers (not encrypted).
    pub const PERM_5: u64 = 200;
    /// CAD-4: daily backup / verification events (the day's event missing; one finding at most).
    pub const CAD_4: u64 = 200;
    /// CAD-7: new employees with a monthly training window (left off one session).
    pub const CAD_7: u64 = 500;
    /// DEV-1: rotation participants (a module of 1.5 months).
    pub const DEV_1: u64 = 50;
    /// DEV-2: new employees (no mentor, a new employee as mentor, or a week without coaching).
    pub const DEV_2: u64 = 500;
    /// SOP-1 / SOP-6: contents (steps out of order / published before the manual review); a third
    /// of the draws publishes a slow item within 4 hours (SOP-2 averages per month, none injected).
    pub const CONTENT: u64 = 500;
    /// SOP-3 / SOP-4: launches (plan without 上线内容 / no 兼容性测试).
    pub const LAUNCH: u64 = 50;
    /// SOP-5: activities (spent more than the budget).
    pub const SOP_5: u64 = 200;
    /// SOP-8: complaints (feedback after 4 days).
    pub const SOP_8: u64 = 500;
    /// SOP-9: tasks with a dependency (starts the day its dependency ends).
    pub const SOP_9: u64 = 250;
    /// SOP-10 / SOP-11: template / implementation projects (执行 lasts 20 days / a change request
    /// not signed by the customer).
    pub const PROJECT: u64 = 50;
    /// RISK-1 / RISK-2: risks (grade not the matrix's / a high risk accepted).
    pub const RISK: u64 = 100;
    /// MASK-2: export rows (a raw age, or a mobile number in 备注).
    pub const MASK_2: u64 = 2_000;
}

/// Rules with injected violations, in output order; every one is printed, zero or not.
const RULES: &[&str] = &[
    "ROLE-4",
    "ORG-1",
    "ORG-2",
    "ORG-3",
    "ORG-4",
    "ORG-5",
    "APV-2",
    "APV-3",
    "APV-4",
    "APV-5",
    "APV-6",
    "APV-7",
    "KPI-2",
    "KPI-3",
    "KPI-5",
    "APR-2",
    "APR-3",
    "APR-5",
    "APR-7",
    "PERM-2",
    "PERM-3",
    "PERM-4",
    "PERM-5",
    "CAD-4",
    "CAD-7",
    "DEV-1",
    "DEV-2",
    "SOP-1",
    "SOP-2",
    "SOP-3",
    "SOP-4",
    "SOP-5",
    "SOP-6",
    "SOP-8",
    "SOP-9",
    "SOP-10",
    "SOP-11",
    "RISK-1",
    "RISK-2",
    "MASK-2",
    "DATA-VOCAB",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `0..n`, from the high bits (the low bits of xorshift64* are its weakest).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n.max(1))) >> 64) as u64
    }
    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

// ------------------------------------------------------------------------------------ dates

/// A civil date as days since 1970-01-01.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Day(i32);

impl Day {
    fn ymd(y: i32, m: u32, d: u32) -> Day {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400) as u32;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Day(era * 146_097 + doe as i32 - 719_468)
    }
    fn civil(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097) as u32;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe as i32 + era * 400;
        (if m <= 2 { y + 1 } else { y }, m, d)
    }
    fn plus(self, days: i64) -> Day {
        Day(self.0 + days as i32)
    }
    /// A day drawn uniformly from `a..=b`.
    fn between(rng: &mut Rng, a: Day, b: Day) -> Day {
        a.plus(rng.below((b.0 - a.0 + 1) as u64) as i64)
    }
    /// A datetime on this day (Beijing time).
    fn at(self, minutes: u32) -> DateTime {
        DateTime(self, minutes)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.civil();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// A datetime: a day and minutes after midnight, `+08:00`.
#[derive(Clone, Copy)]
struct DateTime(Day, u32);

impl DateTime {
    fn plus(self, minutes: u32) -> DateTime {
        let m = self.1 + minutes;
        DateTime(self.0.plus((m / 1440) as i64), m % 1440)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T{:02}:{:02}:00+08:00", self.0, self.1 / 60, self.1 % 60)
    }
}

/// The audit period and its calendar windows, as the engine's `windows()` computes them.
struct Cal {
    from: Day,
    to: Day,
    /// Monthly windows wholly inside the period: (first day, label, Excel training day, the
    /// mentor's feedback day = last workday).
    months: Vec<(Day, &'static str, Day, Day)>,
    /// Mondays of the ISO weeks wholly inside the period.
    weeks: Vec<Day>,
}

impl Cal {
    fn new() -> Cal {
        let from = Day::ymd(2026, 5, 1);
        let to = Day::ymd(2026, 6, 30);
        let months = vec![
            (from, "2026-05", Day::ymd(2026, 5, 14), Day::ymd(2026, 5, 29)),
            (Day::ymd(2026, 6, 1), "2026-06", Day::ymd(2026, 6, 11), Day::ymd(2026, 6, 30)),
        ];
        // 2026-05-04 is a Monday; the last whole week ends on Sunday 2026-06-28.
        let weeks = (0..8).map(|w| Day::ymd(2026, 5, 4).plus(7 * w)).collect();
        Cal { from, to, months, weeks }
    }
}

// ------------------------------------------------------------------------------------ output

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Toml,
    /// A CSV file of a record kind: the kind is the file stem, so shards get their own directory.
    Csv,
    /// A data export under `exports/` (any header; checked cell by cell by MASK-2).
    Export,
}

/// Writes records in shards of at most `SHARD`, as TOML tables or CSV rows.
struct Sink {
    dir: PathBuf,
    stem: &'static str,
    format: Format,
    header: &'static str,
    buf: String,
    count: usize,
    shard: usize,
    files: usize,
    /// Records are made but not written (`--heavy`): the org lacks this kind entirely.
    dropped: bool,
}

impl Sink {
    fn new(dir: &Path, stem: &'static str, format: Format, header: &'static str) -> Self {
        let mut s = Sink {
            dir: dir.to_path_buf(),
            stem,
            format,
            header,
            buf: String::new(),
            count: 0,
            shard: 0,
            files: 0,
            dropped: false,
        };
        s.start();
        s
    }
    fn toml(dir: &Path, stem: &'static str) -> Self {
        Sink::new(dir, stem, Format::Toml, "")
    }
    /// A CSV sink of kind `stem` when `csv`, else a TOML sink named `toml_stem`.
    fn table(dir: &Path, csv: bool, stem: &'static str, toml_stem: &'static str, header: &'static str) -> Self {
        if csv { Sink::new(dir, stem, Format::Csv, header) } else { Sink::toml(dir, toml_stem) }
    }
    fn csv(&self) -> bool {
        self.format != Format::Toml
    }
    fn start(&mut self) {
        self.buf.clear();
        if self.format != Format::Toml {
            self.buf.push_str(self.header);
            self.buf.push('\n');
        }
    }
    /// The buffer to write the next record into.
    fn rec(&mut self) -> &mut String {
        if self.shard == SHARD {
            self.flush();
        }
        self.shard += 1;
        self.count += 1;
        &mut self.buf
    }
    fn flush(&mut self) {
        if self.shard == 0 {
            return;
        }
        if self.dropped {
            self.shard = 0;
            self.start();
            return;
        }
        let path = match self.format {
            Format::Toml => self.dir.join(format!("{}-{:03}.toml", self.stem, self.files)),
            Format::Csv => {
                let d = self.dir.join(format!("{}-{:03}", self.stem, self.files));
                fs::create_dir_all(&d).expect("create shard dir");
                d.join(format!("{}.csv", self.stem))
            }
            Format::Export => {
                // The folder names the export's data category (MASK-2 applies its masks).
                let d = self.dir.join("exports").join("用户画像");
                fs::create_dir_all(&d).expect("create exports dir");
                d.join(format!("{}-{:03}.csv", self.stem, self.files))
            }
        };
        fs::write(path, &self.buf).expect("write shard");
        self.files += 1;
        self.shard = 0;
        self.start();
    }
}

/// Writes one record into a sink: `rec!(sink, "format", args…)`.
macro_rules! rec {
    ($sink:expr, $($arg:tt)*) => {{
        let _ = write!($sink.rec(), $($arg)*);
    }};
}

/// A TOML array of strings.
fn list(xs: &[&str]) -> String {
    let mut s = String::from("[");
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "\"{x}\"");
    }
    s.push(']');
    s
}

/// One approval of a change or plan, as a TOML inline table.
fn approval(by: &str, role: &str, date: Day, decision: &str) -> String {
    format!("{{ by = \"{by}\", role = \"{role}\", date = {date}, decision = \"{decision}\" }}")
}

/// A TOML array of inline tables, one per line.
fn table_list(items: &[String]) -> String {
    let mut s = String::from("[\n");
    for x in items {
        let _ = writeln!(s, "  {x},");
    }
    s.push(']');
    s
}

// ------------------------------------------------------------------------------------ the organisation

const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"];
const GIVEN: &[&str] =
    &["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "华"];
/// Roles of 运营部 and 产品运营中心 in the pack: the people APR-2, CAD-1 and CAD-7 cover.
const OPS_ROLES: &[&str] = &[
    "运营总监",
    "运营经理",
    "运营专员",
    "数据分析员",
    "数据分析师",
    "市场运营",
    "用户运营",
    "内容运营",
    "技术运营",
    "技术运营经理",
    "用户运营主管",
    "产品运营经理",
    "产品经理",
];
const STORE_ROLES: &[&str] = &["店长", "前厅主管", "厨房主管", "出品员", "收银员", "服务员", "外卖员"];
const AREAS: &[&str] = &["华东", "华南", "华北", "西南", "华中", "西北", "东北"];
const PROVINCES: &[&str] = &["上海市", "广东省", "北京市", "浙江省", "江苏省", "四川省", "湖北省", "山东省"];
const MODULES: &[&str] = &["内容运营", "活动运营", "用户运营", "产品运营", "市场运营", "数据分析"];
const RISK_CATEGORIES: &[&str] = &["市场", "技术", "运营", "法律", "财务"];
const LEVELS3: &[&str] = &["低", "中", "高"];
const CONTENT_STEPS: &[&str] = &["收集内容素材", "初步筛选", "人工审核", "标签化分类", "发布前预览"];
const SANCTION_LEVELS: &[&str] = &["口头警告", "书面通报", "降级处理"];

/// A KPI of a sheet: name, formula, target, weight (%).
type Kpi = (&'static str, &'static str, &'static str, u32);

/// The grade of the pack's risk matrix (likelihood × impact).
fn risk_grade(l: &str, i: &str) -> &'static str {
    match (l, i) {
        ("低", "低") => "低",
        ("中", "高") | ("高", "中") | ("高", "高") => "高",
        _ => "中",
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Company,
    Board,
    Committee,
    Management,
    Ops,
    Tech,
    Product,
    Marketing,
    Sales,
    Service,
    Finance,
    Centre,
    OpsMgmt,
    Admin,
    Region,
    Store,
    Group,
}

/// A unit, planned before any person is written (the structure is small: a unit per 50 people).
struct Unit {
    id: String,
    name: String,
    ty: &'static str,
    parent: Option<String>,
    area: Option<&'static str>,
    kind: Kind,
    /// Region: stores; store: 1 if it has no 外卖员 (ORG-5).
    size: usize,
    /// Admin: 督导专员; region: 区域经理.
    heads: usize,
    /// Region: 区域经理助理.
    assistants: usize,
}

impl Unit {
    fn new(id: String, name: String, ty: &'static str, parent: Option<&str>, kind: Kind) -> Unit {
        Unit { id, name, ty, parent: parent.map(str::to_string), area: None, kind, size: 0, heads: 1, assistants: 0 }
    }
}

struct Person {
    id: String,
    name: String,
    roles: Vec<&'static str>,
    level: Option<&'static str>,
    joined: Day,
    mentor: Option<String>,
    /// DEV-2 injection: one week's coaching is left out.
    skip_coaching: bool,
}

/// People of the head office whom records elsewhere refer to.
#[derive(Default)]
struct Hq {
    gm: String,
    vgm: String,
    directors: Vec<String>,
    coo: String,
    cto: String,
    cfo: String,
    sales: String,
    product: String,
}

struct Sinks {
    units: Sink,
    people: Sink,
    grants: Sink,
    appraisals: Sink,
    coaching: Sink,
    trainings: Sink,
    changes: Sink,
    plans: Sink,
    datasets: Sink,
    transfers: Sink,
    kpi_sheets: Sink,
    metrics: Sink,
    awards: Sink,
    activities: Sink,
    contents: Sink,
    complaints: Sink,
    sanctions: Sink,
    risks: Sink,
    rotations: Sink,
    projects: Sink,
    tasks: Sink,
    launches: Sink,
    meetings: Sink,
    events: Sink,
    exports: Sink,
}

impl Sinks {
    fn new(out: &Path, csv: bool, heavy: bool) -> Sinks {
        let mut s = Sinks {
            units: Sink::toml(out, "units"),
            people: Sink::table(out, csv, "person", "people", "id,name,unit,roles,joined,level,mentor"),
            grants: Sink::table(out, csv, "grant", "grants", "id,person,dataset,ops,view"),
            appraisals: Sink::table(
                out,
                csv,
                "appraisal",
                "appraisals",
                "id,person,cycle,scores.上级评价,scores.同事评价,scores.自我评价,scores.数据分析,total,improvement_plan",
            ),
            coaching: Sink::table(out, csv, "coaching", "coaching", "mentor,mentee,date,kind,notes"),
            trainings: Sink::table(out, csv, "training", "trainings", "id,topic,level,date,attendees,assessment"),
            changes: Sink::table(
                out,
                csv,
                "change",
                "changes",
                "id,title,tier,author,submitted,golive,approvals.by,approvals.role,approvals.date,approvals.decision",
            ),
            plans: Sink::toml(out, "plans"),
            datasets: Sink::toml(out, "datasets"),
            transfers: Sink::toml(out, "transfers"),
            kpi_sheets: Sink::toml(out, "kpi-sheets"),
            metrics: Sink::toml(out, "metrics"),
            awards: Sink::toml(out, "awards"),
            activities: Sink::toml(out, "activities"),
            contents: Sink::toml(out, "contents"),
            complaints: Sink::toml(out, "complaints"),
            sanctions: Sink::toml(out, "sanctions"),
            risks: Sink::toml(out, "risks"),
            rotations: Sink::toml(out, "rotations"),
            projects: Sink::toml(out, "projects"),
            tasks: Sink::toml(out, "tasks"),
            launches: Sink::toml(out, "launches"),
            meetings: Sink::toml(out, "meetings"),
            events: Sink::toml(out, "events"),
            exports: Sink::new(
                out,
                "user-profile",
                Format::Export,
                "user_id,地址,年龄,会员等级,近90天订单数,近90天消费金额,备注",
            ),
        };
        for dropped in [&mut s.trainings, &mut s.coaching, &mut s.appraisals] {
            dropped.dropped = heavy;
        }
        s
    }
    fn all(&mut self) -> [(&'static str, &mut Sink); 25] {
        [
            ("unit", &mut self.units),
            ("person", &mut self.people),
            ("grant", &mut self.grants),
            ("appraisal", &mut self.appraisals),
            ("coaching", &mut self.coaching),
            ("training", &mut self.trainings),
            ("change", &mut self.changes),
            ("plan", &mut self.plans),
            ("dataset", &mut self.datasets),
            ("transfer", &mut self.transfers),
            ("kpi_sheet", &mut self.kpi_sheets),
            ("metric", &mut self.metrics),
            ("award", &mut self.awards),
            ("activity", &mut self.activities),
            ("content", &mut self.contents),
            ("complaint", &mut self.complaints),
            ("sanction", &mut self.sanctions),
            ("risk", &mut self.risks),
            ("rotation", &mut self.rotations),
            ("project", &mut self.projects),
            ("task", &mut self.tasks),
            ("launch", &mut self.launches),
            ("meeting", &mut self.meetings),
            ("event", &mut self.events),
            ("export row", &mut self.exports),
        ]
    }
}

struct Gen {
    rng: Rng,
    cal: Cal,
    inj: BTreeMap<&'static str, u64>,
    /// The unknown words injected so far (see `inject_word`).
    words: std::collections::BTreeSet<&'static str>,
    s: Sinks,
    hq: Hq,
    persons: usize,
    grants: usize,
    appraisals: usize,
    changes: usize,
    /// Operations groups (for grants on another group's dataset).
    groups: usize,
}

impl Gen {
    fn inject(&mut self, rule: &'static str) {
        *self.inj.entry(rule).or_default() += 1;
    }

    /// A word no vocabulary of the pack holds, in `field`: one DATA-VOCAB finding per distinct
    /// (field, word), however many records hold it.
    fn inject_word(&mut self, field_word: &'static str) {
        if self.words.insert(field_word) {
            self.inject("DATA-VOCAB");
        }
    }

    fn name(&mut self) -> String {
        format!("{}{}", self.rng.pick(SURNAMES), self.rng.pick(GIVEN))
    }

    fn person(&mut self, roles: &[&'static str], level: Option<&'static str>) -> Person {
        let id = format!("P{:07}", self.persons);
        self.persons += 1;
        let joined = if level == Some("新人") {
            Day::between(&mut self.rng, Day::ymd(2025, 12, 1), Day::ymd(2026, 6, 20))
        } else {
            Day::between(&mut self.rng, Day::ymd(2015, 1, 1), Day::ymd(2025, 10, 31))
        };
        let name = self.name();
        Person { id, name, roles: roles.to_vec(), level, joined, mentor: None, skip_coaching: false }
    }

    // -------------------------------------------------------------------------------- structure

    /// Plans every unit: the head office, regional operations centres with their 运营管理部,
    /// 管理部, regions and stores, and the operations groups under 运营部.
    fn plan(&mut self, people: usize) -> Vec<Unit> {
        let mut units = Vec::new();
        let hq: &[(&str, &str, &str, Option<&str>, Kind)] = &[
            ("U0", "生成集团", "company", None, Kind::Company),
            ("U-BOD", "董事会", "board", Some("U0"), Kind::Board),
            ("U-DC", "公司决策委员会", "management", Some("U-BOD"), Kind::Committee),
            ("U-MGT", "管理层", "management", Some("U-BOD"), Kind::Management),
            ("U-OPS", "运营部", "department", Some("U-MGT"), Kind::Ops),
            ("U-TECH", "技术部", "department", Some("U-MGT"), Kind::Tech),
            ("U-PRD", "产品部", "department", Some("U-MGT"), Kind::Product),
            ("U-MKT", "市场部", "department", Some("U-MGT"), Kind::Marketing),
            ("U-SALES", "销售部", "department", Some("U-MGT"), Kind::Sales),
            ("U-CS", "客服部", "department", Some("U-MGT"), Kind::Service),
            ("U-FIN", "财务部", "department", Some("U-MGT"), Kind::Finance),
        ];
        for (id, name, ty, parent, kind) in hq {
            units.push(Unit::new(id.to_string(), name.to_string(), ty, *parent, *kind));
        }
        let store_people = people / 2;
        let n_stores = (store_people / 50).max(1);
        let n_groups = ((people - store_people) / 50).max(1);
        // A regional operations centre per 50 stores; in it regions of 4–8 stores of the centre's
        // area, and every 10th store (and any remainder too small for a region) directly under
        // its 管理部.
        let mut store = 0usize;
        let mut region = 0usize;
        for c in 0..n_stores.div_ceil(50) {
            let area = AREAS[c % AREAS.len()];
            let cid = format!("C{c:04}");
            let (om, adm) = (format!("{cid}-OM"), format!("{cid}-ADM"));
            let mut u = Unit::new(cid.clone(), format!("{area}运营中心{c}"), "centre", Some("U-MGT"), Kind::Centre);
            u.area = Some(area);
            units.push(u);
            units.push(Unit::new(om.clone(), format!("{area}运营管理部{c}"), "department", Some(&cid), Kind::OpsMgmt));
            let mut a = Unit::new(adm.clone(), format!("{area}管理部{c}"), "admin", Some(&cid), Kind::Admin);
            if self.rng.chance(rate::ORG_1) {
                a.heads = 2; // ORG-1: two 管理部督导专员
                self.inject("ORG-1");
            }
            units.push(a);
            let end = (store + 50).min(n_stores);
            let mut k = 0;
            while store < end {
                let left = end - store;
                if k % 10 == 9 || left < 4 {
                    // ORG-4: a store in no region must be under 管理部, not 运营管理部.
                    let parent = if self.rng.chance(rate::ORG_4) {
                        self.inject("ORG-4");
                        &om
                    } else {
                        &adm
                    };
                    let s = self.store_unit(store, parent, area);
                    units.push(s);
                    store += 1;
                    k += 1;
                    continue;
                }
                let mut size = (4 + self.rng.below(5) as usize).min(left);
                let rid = format!("R{region:05}");
                let mut r = Unit::new(rid.clone(), format!("{area}区域{region}"), "region", Some(&om), Kind::Region);
                r.area = Some(area);
                let mut odd_store = None;
                if self.rng.chance(rate::ORG_2) {
                    self.inject("ORG-2");
                    match self.rng.below(3) {
                        0 => size = 3,                   // too few stores
                        1 => r.heads = 2,                // two 区域经理
                        _ => odd_store = Some(size - 1), // a store of another area
                    }
                }
                r.size = size;
                // ORG-3: an assistant needs 5 stores; at most one.
                if size >= 5 && self.rng.below(3) > 0 {
                    r.assistants = 1;
                }
                if self.rng.chance(rate::ORG_3) {
                    if size == 4 {
                        r.assistants = 1;
                        self.inject("ORG-3");
                    } else if size >= 5 {
                        r.assistants = 2;
                        self.inject("ORG-3");
                    }
                }
                units.push(r);
                for j in 0..size {
                    let a = if odd_store == Some(j) { AREAS[(c + 1) % AREAS.len()] } else { area };
                    let s = self.store_unit(store, &rid, a);
                    units.push(s);
                    store += 1;
                    k += 1;
                }
                region += 1;
            }
        }
        for g in 0..n_groups {
            units.push(Unit::new(format!("G{g:05}"), format!("运营{g}组"), "department", Some("U-OPS"), Kind::Group));
        }
        self.groups = n_groups;
        units
    }

    fn store_unit(&mut self, n: usize, parent: &str, area: &'static str) -> Unit {
        let mut s = Unit::new(format!("S{n:06}"), format!("{area}门店{n}"), "store", Some(parent), Kind::Store);
        s.area = Some(area);
        if self.rng.chance(rate::ORG_5) {
            s.size = 1; // ORG-5: the store has no 外卖员
            self.inject("ORG-5");
        }
        s
    }

    fn write_units(&mut self, units: &[Unit]) {
        for u in units {
            let b = self.s.units.rec();
            let _ = write!(b, "[[unit]]\nid = \"{}\"\nname = \"{}\"\ntype = \"{}\"\n", u.id, u.name, u.ty);
            if let Some(p) = &u.parent {
                let _ = writeln!(b, "parent = \"{p}\"");
            }
            if let Some(a) = u.area {
                let _ = writeln!(b, "area = \"{a}\"");
            }
            b.push('\n');
        }
    }

    // -------------------------------------------------------------------------------- people

    /// The people of one unit; new employees get the previous experienced colleague as mentor.
    fn members(&mut self, u: &Unit) -> Vec<Person> {
        let mut m = Vec::new();
        let senior = Some("高级");
        let mid = Some("中级");
        match u.kind {
            Kind::Board => {
                for _ in 0..3 {
                    let p = self.person(&["董事"], None);
                    self.hq.directors.push(p.id.clone());
                    m.push(p);
                }
            }
            Kind::Management => {
                let gm = self.person(&["总经理", "决策委员会委员"], senior);
                let vgm = self.person(&["副总经理", "决策委员会委员"], senior);
                self.hq.gm = gm.id.clone();
                self.hq.vgm = vgm.id.clone();
                m.extend([gm, vgm]);
                m.push(self.person(&["副总经理"], senior));
            }
            Kind::Ops => {
                let coo = self.person(&["运营总监"], senior);
                self.hq.coo = coo.id.clone();
                m.push(coo);
                m.push(self.person(&["运营经理"], senior));
                m.push(self.person(&["技术运营经理"], senior));
                m.push(self.person(&["用户运营主管"], senior));
            }
            Kind::Tech => {
                let cto = self.person(&["技术总监", "决策委员会委员"], senior);
                self.hq.cto = cto.id.clone();
                m.push(cto);
                m.push(self.person(&["系统管理员"], senior));
                m.push(self.person(&["系统管理员"], mid));
            }
            Kind::Product => {
                let p = self.person(&["产品部经理"], senior);
                self.hq.product = p.id.clone();
                m.push(p);
                m.push(self.person(&["项目经理"], mid));
                m.push(self.person(&["售前工程师"], mid));
            }
            Kind::Sales => {
                let p = self.person(&["销售部经理"], senior);
                self.hq.sales = p.id.clone();
                m.push(p);
            }
            Kind::Finance => {
                let p = self.person(&["财务经理"], senior);
                self.hq.cfo = p.id.clone();
                m.push(p);
            }
            Kind::Admin => {
                m.push(self.person(&["管理部主任"], senior));
                for _ in 0..u.heads {
                    m.push(self.person(&["管理部督导专员"], mid));
                }
            }
            Kind::Region => {
                for _ in 0..u.heads {
                    m.push(self.person(&["区域经理"], senior));
                }
                for _ in 0..u.assistants {
                    m.push(self.person(&["区域经理助理"], mid));
                }
            }
            Kind::Store | Kind::Group => {
                for k in 0..50 {
                    let level = if k % 10 == 9 {
                        "新人"
                    } else if k % 3 == 0 {
                        "高级"
                    } else {
                        "中级"
                    };
                    let role = if u.kind == Kind::Store {
                        match STORE_ROLES[k % STORE_ROLES.len()] {
                            "外卖员" if u.size == 1 => "服务员",
                            r => r,
                        }
                    } else if k == 0 {
                        "运营经理"
                    } else if k == 25 {
                        "数据分析师"
                    } else {
                        "运营专员"
                    };
                    let level = if k == 0 { "高级" } else { level };
                    m.push(self.person(&[role], Some(level)));
                }
                self.mentors(&mut m);
            }
            Kind::Company | Kind::Committee | Kind::Marketing | Kind::Service | Kind::Centre | Kind::OpsMgmt => {}
        }
        m
    }

    /// DEV-2: every new employee's mentor is the previous experienced colleague of the unit.
    fn mentors(&mut self, m: &mut [Person]) {
        let mut senior: Option<String> = None;
        let mut new: Option<String> = None;
        for p in m.iter_mut() {
            if p.level != Some("新人") {
                senior = Some(p.id.clone());
                continue;
            }
            p.mentor = senior.clone();
            if self.rng.chance(rate::DEV_2) {
                let weeks = self.cal.weeks.iter().any(|w| p.joined <= *w);
                match self.rng.below(3) {
                    1 if new.is_some() => p.mentor = new.clone(), // a new employee as mentor
                    2 if weeks => p.skip_coaching = true,         // a week without coaching
                    _ => p.mentor = None,                         // no mentor
                }
                self.inject("DEV-2");
            }
            new = Some(p.id.clone());
        }
    }

    /// Writes the people of a unit with their appraisals, grants, coaching and training.
    fn people(&mut self, u: &Unit, members: &mut [Person]) {
        let employee = u.kind != Kind::Board;
        // Excel training of the unit's new employees, one session a month (CAD-7).
        let mut excel: Vec<Vec<&str>> = vec![Vec::new(); self.cal.months.len()];
        let mut skip_excel: Vec<String> = Vec::new();
        for p in members.iter_mut() {
            let unknown_role = self.rng.chance(rate::ROLE_4);
            if unknown_role {
                p.roles.push("运营专家"); // DATA-VOCAB: a role the policy does not declare
                self.inject_word("person.roles 运营专家");
            }
            // Not on a person whose roles hold an unknown word: checks reading `roles` are not
            // evaluated for them (the DATA-VOCAB finding stands for it). The chance is drawn
            // all the same, so that the other records stay as they were.
            if p.roles[0] == "运营专员" && self.rng.chance(rate::KPI_3) && !unknown_role {
                p.roles.push("内容运营"); // KPI-3: a 运营部 role without a KPI sheet
                self.inject("KPI-3");
            }
            self.write_person(u, p);
            if employee {
                self.appraise(p);
            }
            self.grant(u, p);
            if p.level == Some("新人") {
                if let Some(m) = p.mentor.clone() {
                    self.coach(p, &m);
                }
                // CAD-7 covers 运营人员 only (roles of 运营部 and 产品运营中心).
                let required = self.cal.months.iter().any(|(from, ..)| p.joined <= *from)
                    && p.roles.iter().any(|r| OPS_ROLES.contains(r));
                if required && self.rng.chance(rate::CAD_7) {
                    skip_excel.push(p.id.clone()); // CAD-7: left off the first session it needs
                    self.inject("CAD-7");
                }
            }
        }
        for (i, (from, _, day, _)) in self.cal.months.iter().enumerate() {
            for p in members.iter() {
                if p.level == Some("新人") && p.joined <= *day {
                    let skip = p.joined <= *from
                        && skip_excel.contains(&p.id)
                        && self.cal.months.iter().position(|(f, ..)| p.joined <= *f) == Some(i);
                    if !skip {
                        excel[i].push(&p.id);
                    }
                }
            }
        }
        for (i, attendees) in excel.iter().enumerate() {
            if attendees.is_empty() {
                continue;
            }
            let (_, label, day, _) = self.cal.months[i];
            let t = &mut self.s.trainings;
            if t.csv() {
                rec!(t, "TR-XL-{}-{label},Excel,新人,{day},{},操作考核：通过\n", u.id, attendees.join(";"));
            } else {
                rec!(
                    t,
                    "[[training]]\nid = \"TR-XL-{}-{label}\"\ntopic = \"Excel\"\nlevel = \"新人\"\ndate = {day}\nattendees = {}\nassessment = \"操作考核：通过\"\n\n",
                    u.id,
                    list(attendees)
                );
            }
        }
    }

    fn write_person(&mut self, u: &Unit, p: &Person) {
        let s = &mut self.s.people;
        if s.csv() {
            rec!(
                s,
                "{},{},{},{},{},{},{}\n",
                p.id,
                p.name,
                u.id,
                p.roles.join(";"),
                p.joined,
                p.level.unwrap_or(""),
                p.mentor.as_deref().unwrap_or("")
            );
        } else {
            let b = s.rec();
            let _ = write!(
                b,
                "[[person]]\nid = \"{}\"\nname = \"{}\"\nunit = \"{}\"\nroles = {}\njoined = {}\n",
                p.id,
                p.name,
                u.id,
                list(&p.roles),
                p.joined
            );
            if let Some(l) = p.level {
                let _ = writeln!(b, "level = \"{l}\"");
            }
            if let Some(m) = &p.mentor {
                let _ = writeln!(b, "mentor = \"{m}\"");
            }
            b.push('\n');
        }
    }

    /// APR-2 / APR-3 / APR-5: a record for every monthly cycle the person was employed for.
    fn appraise(&mut self, p: &Person) {
        let cycles: Vec<&'static str> =
            self.cal.months.iter().filter(|(from, ..)| p.joined <= *from).map(|(_, l, ..)| *l).collect();
        let mut drop = None;
        // APR-2 covers the roles of 运营部 and 产品运营中心 (001 §1.2, 000 §1(二)).
        if !cycles.is_empty() && p.roles.iter().any(|r| OPS_ROLES.contains(r)) && self.rng.chance(rate::APR_2) {
            drop = Some(cycles.len() - 1); // APR-2: the last cycle's record is missing
            self.inject("APR-2");
        }
        for (i, cycle) in cycles.iter().enumerate() {
            if drop == Some(i) {
                continue;
            }
            let low = self.rng.chance(rate::LOW);
            let s: [u64; 4] = if low {
                std::array::from_fn(|_| 40 + self.rng.below(19))
            } else {
                std::array::from_fn(|_| 60 + self.rng.below(40))
            };
            // The total in tenths: 40% + 20% + 10% + 30%.
            let mut tenths = 4 * s[0] + 2 * s[1] + s[2] + 3 * s[3];
            if self.rng.chance(rate::APR_3) {
                tenths += 50; // APR-3: total is not the weighted sum
                self.inject("APR-3");
            }
            let plan = if tenths < 600 {
                if self.rng.chance(rate::APR_5) {
                    self.inject("APR-5"); // APR-5: a low performer without an improvement plan
                    ""
                } else {
                    "3"
                }
            } else {
                ""
            };
            let id = format!("A{:08}", self.appraisals);
            self.appraisals += 1;
            let total = format!("{}.{}", tenths / 10, tenths % 10);
            let a = &mut self.s.appraisals;
            if a.csv() {
                rec!(a, "{id},{},{cycle},{},{},{},{},{total},{plan}\n", p.id, s[0], s[1], s[2], s[3]);
            } else {
                let b = a.rec();
                let _ = write!(
                    b,
                    "[[appraisal]]\nid = \"{id}\"\nperson = \"{}\"\ncycle = \"{cycle}\"\ntotal = {total}\nscores = {{ \"上级评价\" = {}, \"同事评价\" = {}, \"自我评价\" = {}, \"数据分析\" = {} }}\n",
                    p.id, s[0], s[1], s[2], s[3]
                );
                if !plan.is_empty() {
                    let _ = writeln!(b, "improvement_plan = {plan}");
                }
                b.push('\n');
            }
        }
    }

    fn write_grant(&mut self, person: &str, dataset: &str, ops: &[&str], view: &str) {
        let id = format!("GR{:08}", self.grants);
        self.grants += 1;
        let g = &mut self.s.grants;
        if g.csv() {
            rec!(g, "{id},{person},{dataset},{},{view}\n", ops.join(";"));
        } else {
            rec!(
                g,
                "[[grant]]\nid = \"{id}\"\nperson = \"{person}\"\ndataset = \"{dataset}\"\nops = {}\nview = \"{view}\"\n\n",
                list(ops)
            );
        }
    }

    /// PERM-2 / PERM-3: grants within the permission matrix (运营专员: the group's activity data,
    /// 查看 and 导出; 数据分析师: global, masked, 查看 and 分析; 系统管理员: global).
    fn grant(&mut self, u: &Unit, p: &Person) {
        match p.roles[0] {
            "运营专员" => {
                for k in 0..4 {
                    let ds = format!("D-{}-{k}", u.id);
                    if self.rng.chance(rate::PERM_2) {
                        self.inject("PERM-2");
                        if self.groups > 1 && self.rng.chance(2) {
                            // Another group's activity data: outside 本部门.
                            let own: usize = u.id[1..].parse().unwrap_or(0);
                            let other = (own + 1) % self.groups;
                            self.write_grant(&p.id, &format!("D-G{other:05}-{k}"), &["查看", "导出"], "raw");
                        } else {
                            self.write_grant(&p.id, &ds, &["查看", "删除"], "raw");
                        }
                    } else {
                        self.write_grant(&p.id, &ds, &["查看", "导出"], "raw");
                    }
                }
            }
            "数据分析师" => {
                if self.rng.chance(rate::PERM_3) {
                    // PERM-3, and PERM-2 too: the matrix row is masked.
                    self.inject("PERM-3");
                    self.inject("PERM-2");
                    self.write_grant(&p.id, "*", &["查看", "分析"], "raw");
                } else {
                    self.write_grant(&p.id, "*", &["查看", "分析"], "masked");
                }
                self.write_grant(&p.id, "*", &["查看"], "masked");
            }
            "系统管理员" => {
                self.write_grant(&p.id, "*", &["查看", "修改", "删除"], "raw");
                self.write_grant(&p.id, "*", &["查看"], "raw");
            }
            _ => {}
        }
    }

    /// DEV-2: a coaching session every Monday and a feedback interview at the end of every month
    /// the new employee was there for.
    fn coach(&mut self, p: &Person, mentor: &str) {
        let c = &mut self.s.coaching;
        let csv = c.csv();
        let mut one = |date: Day, kind: &str, notes: &str| {
            if csv {
                rec!(c, "{mentor},{},{date},{kind},{notes}\n", p.id);
            } else {
                rec!(
                    c,
                    "[[coaching]]\nmentor = \"{mentor}\"\nmentee = \"{}\"\ndate = {date}\nkind = \"{kind}\"\nnotes = \"{notes}\"\n\n",
                    p.id
                );
            }
        };
        let mut skipped = !p.skip_coaching;
        for w in &self.cal.weeks {
            if p.joined <= *w {
                if !skipped {
                    skipped = true;
                    continue;
                }
                one(*w, "周辅导", "1页学习笔记");
            }
        }
        for (from, _, _, last) in &self.cal.months {
            if p.joined <= *from {
                one(*last, "月反馈", "30分钟面谈记录");
            }
        }
    }

    // -------------------------------------------------------------------------------- unit records

    /// 预算 (APV-6): compiled in January, reviewed by 财务经理, 总经理, then approved by a 董事.
    fn budget(&mut self, u: &Unit, owner: &str) {
        let mut sub = Day::between(&mut self.rng, Day::ymd(2026, 1, 5), Day::ymd(2026, 1, 20));
        let mut dates = [Day::ymd(2026, 1, 22), Day::ymd(2026, 1, 26), Day::ymd(2026, 1, 29)];
        if self.rng.chance(rate::APV_6) {
            self.inject("APV-6");
            if self.rng.chance(2) {
                dates[2] = Day::ymd(2026, 1, 24); // the board approves before management reviewed
            } else {
                sub = Day::ymd(2026, 2, 10); // compiled after January
                dates = [Day::ymd(2026, 2, 12), Day::ymd(2026, 2, 16), Day::ymd(2026, 2, 19)];
            }
        }
        let director = self.rng.pick(&self.hq.directors).clone();
        let approvals = [
            approval(&self.hq.cfo, "财务经理", dates[0], "approve"),
            approval(&self.hq.gm, "总经理", dates[1], "approve"),
            approval(&director, "董事", dates[2], "approve"),
        ];
        let income = 100 + self.rng.below(900);
        rec!(
            self.s.plans,
            "[[plan]]\nid = \"PL-BG-{}\"\nkind = \"预算\"\ntitle = \"{} 2026 年度预算\"\nowner = \"{owner}\"\nsubmitted = {sub}\napprovals = {}\nfields = {{ \"收入预算\" = \"{income} 万元\", \"成本预算\" = \"{} 万元\", \"费用预算\" = \"{} 万元\" }}\n\n",
            u.id,
            u.name,
            table_list(&approvals),
            income * 6 / 10,
            income / 10
        );
    }

    fn store(&mut self, u: &Unit, m: &[Person]) {
        self.budget(u, &m[0].id);
        // SOP-8: a complaint a month, answered within 2 days.
        for (i, (from, ..)) in self.cal.months.clone().iter().enumerate() {
            let d = from.plus(self.rng.below(27) as i64);
            let d2 = d.plus(self.rng.below(2) as i64);
            let mut fb = d2.plus(1);
            if self.rng.chance(rate::SOP_8) {
                fb = d.plus(4); // feedback after 4 days
                self.inject("SOP-8");
            }
            rec!(
                self.s.complaints,
                "[[complaint]]\nid = \"CP-{}-{i}\"\nreceived = {d}\nsteps = [\n  {{ step = \"投诉受理\", at = {d} }},\n  {{ step = \"投诉调查与处理\", at = {d2} }},\n  {{ step = \"投诉跟踪与反馈\", at = {fb} }},\n]\nfeedback = {fb}\n\n",
                u.id
            );
        }
        if self.rng.chance(3) {
            let who = &self.rng.pick(&m[1..]).id;
            let mut level = *self.rng.pick(SANCTION_LEVELS);
            if self.rng.chance(rate::APR_7) {
                level = "罚款"; // APR-7: not on the ladder
                self.inject("APR-7");
            }
            let date = Day::between(&mut self.rng, self.cal.from, self.cal.to);
            rec!(
                self.s.sanctions,
                "[[sanction]]\nid = \"SN-{}\"\nperson = \"{who}\"\ndate = {date}\nlevel = \"{level}\"\noffence = \"当月迟到 3 次\"\n\n",
                u.id
            );
        }
    }

    fn group(&mut self, u: &Unit, m: &[Person]) {
        let mgr = m[0].id.clone();
        let staff: Vec<&Person> = m.iter().filter(|p| p.roles[0] == "运营专员").collect();
        let pick = |g: &mut Gen| staff[g.rng.below(staff.len() as u64) as usize].id.clone();
        // PERM-4 / PERM-5: the group's activity datasets, and transfers of the first one.
        for k in 0..4 {
            let mut class = if k == 3 { "公开" } else { "内部" };
            if k > 0 && self.rng.chance(rate::PERM_4) {
                class = "机密"; // not 公开 / 内部 / 核心
                self.inject("PERM-4");
            }
            rec!(
                self.s.datasets,
                "[[dataset]]\nid = \"D-{0}-{k}\"\nname = \"{1} 活动数据 {k}\"\ncategory = \"活动数据\"\nowner = \"{0}\"\nclass = \"{class}\"\n\n",
                u.id,
                u.name
            );
        }
        for (i, (from, ..)) in self.cal.months.clone().iter().enumerate() {
            let date = from.plus(self.rng.below(28) as i64);
            let (enc, method) = if self.rng.chance(rate::PERM_5) {
                self.inject("PERM-5");
                ("false", "邮件附件")
            } else {
                ("true", "PGP")
            };
            rec!(
                self.s.transfers,
                "[[transfer]]\nid = \"TF-{0}-{i}\"\ndataset = \"D-{0}-0\"\ndate = {date}\nencrypted = {enc}\nmethod = \"{method}\"\n\n",
                u.id
            );
        }
        // KPI-2: the group's own 运营专员 sheet (weights 100%).
        let w4 = if self.rng.chance(rate::KPI_2) {
            self.inject("KPI-2");
            15
        } else {
            25
        };
        rec!(
            self.s.kpi_sheets,
            "[[kpi_sheet]]\nid = \"KS-{}\"\nrole = \"运营专员\"\nkpis = [\n  {{ name = \"日增用户数\", formula = \"今日新注册数\", target = \">= 500\", weight = 20 }},\n  {{ name = \"转化率\", formula = \"付费订单/访客数\", target = \">= 3%\", weight = 30 }},\n  {{ name = \"ROI\", formula = \"利润/营销投入\", target = \">= 4\", weight = 25 }},\n  {{ name = \"用户留存率\", formula = \"期末仍活跃的用户数/期初用户数\", target = \">= 30%\", weight = {w4} }},\n]\n\n",
            u.id
        );
        // KPI-5: a quarterly award per group.
        for q in ["2026-Q1", "2026-Q2"] {
            let who = pick(self);
            let mut att = 116 + self.rng.below(25);
            if self.rng.chance(rate::KPI_5) {
                att = 105 + self.rng.below(10); // not above 115%
                self.inject("KPI-5");
            }
            rec!(
                self.s.awards,
                "[[award]]\nid = \"AW-{}-{q}\"\nperson = \"{who}\"\ncycle = \"{q}\"\nattainment = {att}\n\n",
                u.id
            );
        }
        // 0.4 changes per member of a group (0.2 per person overall).
        for _ in 0..20 {
            let author = pick(self);
            self.change(&mgr, author);
        }
        // APV-4: the group's operations plan, approved by 公司高层.
        let sub = Day::between(&mut self.rng, Day::ymd(2026, 1, 5), Day::ymd(2026, 1, 15));
        let ap = if self.rng.chance(rate::APV_4) {
            self.inject("APV-4");
            approval(&self.hq.coo, "运营总监", sub.plus(2), "approve")
        } else if self.rng.chance(2) {
            approval(&self.hq.gm, "总经理", sub.plus(2), "approve")
        } else {
            approval(&self.hq.vgm, "副总经理", sub.plus(2), "approve")
        };
        rec!(
            self.s.plans,
            "[[plan]]\nid = \"PL-OP-{0}\"\nkind = \"运营计划\"\ntitle = \"{1} 2026 年运营计划\"\nowner = \"{mgr}\"\nsubmitted = {sub}\napprovals = {2}\nfields = {{ \"年度运营目标\" = \"日活跃用户提升 20%\", \"重点项目\" = \"会员积分\" }}\n\n",
            u.id,
            u.name,
            table_list(&[ap])
        );
        // APV-5: product optimisation proposals, reviewed by the group's 运营经理.
        for i in 0..2 {
            let owner = pick(self);
            let sub = Day::between(&mut self.rng, self.cal.from, self.cal.to.plus(-5));
            let date = if self.rng.chance(rate::APV_5) {
                self.inject("APV-5");
                sub.plus(-1) // approved before it was submitted
            } else {
                sub.plus(2)
            };
            rec!(
                self.s.plans,
                "[[plan]]\nid = \"PL-PO-{}-{i}\"\nkind = \"产品优化\"\ntitle = \"下单页优化建议 {i}\"\nowner = \"{owner}\"\nsubmitted = {sub}\napprovals = {}\n\n",
                u.id,
                table_list(&[approval(&mgr, "运营经理", date, "approve")])
            );
        }
        self.budget(u, &mgr);
        // SOP-5: an activity a month, within budget, reviewed by 市场部, with a safety owner, reported
        // to the manager.
        for (i, (from, ..)) in self.cal.months.clone().iter().enumerate() {
            let budget = 10_000 + 1_000 * self.rng.below(90);
            let mut spent = budget - 100 * self.rng.below(50);
            if self.rng.chance(rate::SOP_5) {
                spent = budget + 5_000; // over budget
                self.inject("SOP-5");
            }
            let day = from.plus(self.rng.below(28) as i64);
            let safety = pick(self);
            rec!(
                self.s.activities,
                "[[activity]]\nid = \"AC-{}-{i}\"\nname = \"会员日活动 {i}\"\nplan = {{ \"主题\" = \"会员日\", \"时间\" = \"{day}\", \"地点\" = \"线上\", \"形式\" = \"线上\", \"内容\" = \"会员专享折扣\", \"预算\" = \"{budget} 元\" }}\nbudget = {budget}\nspent = {spent}\nreviewed_by = [\"U-MKT\"]\nsafety_owner = \"{safety}\"\nsummary_to = \"{mgr}\"\n\n",
                u.id
            );
        }
        // SOP-1 / SOP-6: contents through the five review steps, published within 4 hours.
        for i in 0..4 {
            let editor = pick(self);
            let day = Day::between(&mut self.rng, self.cal.from, self.cal.to);
            let sub = day.at(9 * 60 + 10 * self.rng.below(18) as u32);
            let mut at = Vec::with_capacity(5);
            let mut t = sub;
            for _ in CONTENT_STEPS {
                t = t.plus(10 + self.rng.below(20) as u32);
                at.push(t);
            }
            let mut published = t.plus(20);
            if self.rng.chance(rate::CONTENT) {
                match self.rng.below(3) {
                    0 => {
                        at.swap(1, 2); // SOP-1: manual review before the first screening
                        self.inject("SOP-1");
                    }
                    1 => {
                        // A slow item (3h50) but no violation: SOP-2 judges the company's monthly
                        // average, which the generator keeps under 4 hours (no SOP-2 injection).
                        published = sub.plus(230);
                    }
                    _ => {
                        at[2] = published.plus(30); // SOP-6 (and SOP-1): reviewed after publication
                        self.inject("SOP-6");
                        self.inject("SOP-1");
                    }
                }
            }
            let steps: Vec<String> = CONTENT_STEPS
                .iter()
                .zip(&at)
                .map(|(s, a)| {
                    let by = if *s == "人工审核" { &mgr } else { &editor };
                    format!("{{ step = \"{s}\", at = {a}, by = \"{by}\" }}")
                })
                .collect();
            rec!(
                self.s.contents,
                "[[content]]\nid = \"CT-{}-{i}\"\ntitle = \"活动推文 {i}\"\nsubmitted = {sub}\npublished = {published}\nsteps = {}\n\n",
                u.id,
                table_list(&steps)
            );
        }
        // RISK-1 / RISK-2: the group's risk register entry.
        let cat = *self.rng.pick(RISK_CATEGORIES);
        let (mut l, mut i) = (*self.rng.pick(LEVELS3), *self.rng.pick(LEVELS3));
        let mut grade = risk_grade(l, i);
        let mut response = match grade {
            "低" => "接受",
            "高" => "规避",
            _ => *self.rng.pick(&["降低", "转移"]),
        };
        if self.rng.chance(rate::RISK) {
            if self.rng.chance(2) {
                grade = if grade == "低" { "高" } else { "低" }; // RISK-1: not the matrix's grade
                response = "降低";
                self.inject("RISK-1");
            } else {
                (l, i, grade, response) = ("高", "高", "高", "接受"); // RISK-2: a high risk accepted
                self.inject("RISK-2");
            }
        }
        rec!(
            self.s.risks,
            "[[risk]]\nid = \"RK-{}\"\ntitle = \"{}风险\"\ncategory = \"{cat}\"\nlikelihood = \"{l}\"\nimpact = \"{i}\"\ngrade = \"{grade}\"\nresponse = \"{response}\"\n\n",
            u.id,
            cat
        );
        // DEV-1: one 运营专员 of the group rotates through two modules, 3–6 months each.
        let who = &m[1].id;
        let a = self.rng.below(MODULES.len() as u64) as usize;
        let b = (a + 1 + self.rng.below(MODULES.len() as u64 - 1) as usize) % MODULES.len();
        let mut end = Day::ymd(2026, 3, 31);
        if self.rng.chance(rate::DEV_1) {
            end = Day::ymd(2025, 12, 15); // 1.5 months
            self.inject("DEV-1");
        }
        for (module, from, to) in
            [(MODULES[a], Day::ymd(2025, 7, 1), Day::ymd(2025, 10, 31)), (MODULES[b], Day::ymd(2025, 11, 1), end)]
        {
            rec!(
                self.s.rotations,
                "[[rotation]]\nperson = \"{who}\"\nmodule = \"{module}\"\nfrom = {from}\nto = {to}\n\n"
            );
        }
    }

    /// A change of a group with 1–3 approvals (APV-2, APV-3).
    fn change(&mut self, mgr: &str, staff: String) {
        let id = format!("CHG-{:07}", self.changes);
        self.changes += 1;
        let mut author = staff;
        let r = self.rng.below(20);
        let tier = match r {
            0 => "复杂项目",
            1..=3 => "重大改革",
            _ => "日常优化",
        };
        let sub = Day::between(&mut self.rng, self.cal.from, self.cal.to.plus(-20));
        let d1 = sub.plus(1 + self.rng.below(3) as i64);
        let mut golive = if self.rng.chance(5) { None } else { Some(d1.plus(3 + self.rng.below(7) as i64)) };
        let hq = &self.hq;
        let ap =
            |by: &str, role: &'static str, date: Day, decision: &'static str| (by.to_string(), role, date, decision);
        let mut approvals = Vec::with_capacity(3);
        match tier {
            "日常优化" => {
                approvals.push(ap(mgr, "运营经理", d1, "approve"));
                if self.rng.chance(3) {
                    approvals.push(ap(&hq.coo, "运营总监", d1, "approve"));
                }
            }
            "重大改革" => {
                approvals.push(ap(&hq.coo, "运营总监", d1, "approve"));
                approvals.push(ap(&hq.cto, "技术总监", d1.plus(1), "approve"));
                if self.rng.chance(3) {
                    approvals.push(ap(mgr, "运营经理", d1, "approve"));
                }
            }
            _ => {
                // 复杂项目: a majority of the three committee members (APV-2).
                let n = 2 + self.rng.below(2) as usize;
                for by in [&hq.gm, &hq.vgm, &hq.cto].into_iter().take(n) {
                    approvals.push(ap(by, "决策委员会委员", d1, "approve"));
                }
            }
        }
        if self.rng.chance(rate::APV_2) {
            self.inject("APV-2");
            match (tier, self.rng.below(2)) {
                ("日常优化", 0) => approvals = vec![ap(mgr, "运营经理", d1, "reject")], // rejected only
                ("重大改革", 0) => approvals.truncate(1),                               // no 技术总监
                _ => golive = Some(d1.plus(-1)),                                        // approved after go-live
            }
        }
        if tier == "日常优化" && self.rng.chance(rate::APV_3) {
            author = mgr.to_string(); // APV-3: the manager approves his own change
            self.inject("APV-3");
        }
        let csv = self.s.changes.csv();
        let b = self.s.changes.rec();
        if csv {
            // A list of objects in CSV: one `;`-separated item per approval in each key's column.
            let mut cols = [String::new(), String::new(), String::new(), String::new()];
            for (n, (by, role, date, decision)) in approvals.iter().enumerate() {
                let sep = if n == 0 { "" } else { ";" };
                for (c, v) in
                    cols.iter_mut().zip([by.clone(), role.to_string(), date.to_string(), decision.to_string()])
                {
                    c.push_str(sep);
                    c.push_str(&v);
                }
            }
            let golive = golive.map(|g| g.to_string()).unwrap_or_default();
            let [by, role, date, decision] = cols;
            let _ = writeln!(b, "{id},变更 {id},{tier},{author},{sub},{golive},{by},{role},{date},{decision}");
            return;
        }
        let _ = write!(
            b,
            "[[change]]\nid = \"{id}\"\ntitle = \"变更 {id}\"\ntier = \"{tier}\"\nauthor = \"{author}\"\nsubmitted = {sub}\n"
        );
        if let Some(g) = golive {
            let _ = writeln!(b, "golive = {g}");
        }
        let approvals: Vec<String> = approvals.iter().map(|(by, role, date, d)| approval(by, role, *date, d)).collect();
        let _ = write!(b, "approvals = {}\n\n", table_list(&approvals));
    }

    // -------------------------------------------------------------------------------- head office

    /// Meetings, cadence events, KPI sheets of the head-office roles, metrics, core datasets.
    fn head_office(&mut self) {
        let cal = &self.cal;
        // CAD-2: 周例会 and 部门例会 every week, 月度复盘会 every month.
        for (i, w) in cal.weeks.iter().enumerate() {
            rec!(
                self.s.meetings,
                "[[meeting]]\nid = \"MT-W{i}-周例会\"\nkind = \"周例会\"\ndate = {}\nunits = [\"U-OPS\", \"U-PRD\", \"U-TECH\"]\noutputs = [\"会议纪要\", \"待办事项\"]\n\n",
                w.plus(2)
            );
            rec!(
                self.s.meetings,
                "[[meeting]]\nid = \"MT-W{i}-部门例会\"\nkind = \"部门例会\"\ndate = {w}\nunits = [\"U-OPS\"]\noutputs = [\"会议纪要\", \"本周工作任务\"]\n\n"
            );
        }
        for (_, label, _, last) in &cal.months {
            rec!(
                self.s.meetings,
                "[[meeting]]\nid = \"MT-{label}-月度复盘会\"\nkind = \"月度复盘会\"\ndate = {last}\nunits = [\"U-OPS\", \"U-PRD\", \"U-TECH\", \"U-MKT\", \"U-SALES\", \"U-CS\"]\noutputs = [\"改进计划草案\", \"会议纪要\"]\n\n"
            );
            // CAD-8: the monthly operations report.
            rec!(self.s.events, "[[event]]\nid = \"EV-MR-{label}\"\nkind = \"运营月报\"\ndate = {last}\n\n");
        }
        // CAD-4: backup and verification every day; a missing day is one finding (of the company).
        let mut missing = false;
        let mut d = cal.from;
        while d <= cal.to {
            for (tag, kind) in [("BK", "数据备份"), ("VF", "备份验证")] {
                if self.rng.chance(rate::CAD_4) {
                    missing = true;
                    continue;
                }
                rec!(self.s.events, "[[event]]\nid = \"EV-{tag}-{d}\"\nkind = \"{kind}\"\ndate = {d}\n\n");
            }
            d = d.plus(1);
        }
        if missing {
            self.inject("CAD-4");
        }
        // CAD-5 within the year; a process review and a full review (their windows are longer
        // than the period, so they are not required, but the org holds them).
        for (id, kind, date) in [
            ("EV-TS-2026", "技术栈评审", Day::ymd(2026, 3, 20)),
            ("EV-PR-2026-Q2", "流程评审", Day::ymd(2026, 6, 19)),
            ("EV-FR-2026-H1", "全面复盘", Day::ymd(2026, 6, 29)),
        ] {
            rec!(self.s.events, "[[event]]\nid = \"{id}\"\nkind = \"{kind}\"\ndate = {date}\n\n");
        }
        // KPI-3: a sheet for every 运营部 role held (运营专员 uses the pack's own sheet).
        let sheets: &[(&str, &[Kpi])] = &[
            (
                "运营总监",
                &[("运营目标达成率", "已达成目标数/目标总数", ">= 90%", 50), ("ROI", "利润/营销投入", ">= 4", 50)],
            ),
            (
                "运营经理",
                &[
                    ("部门目标达成率", "已达成目标数/目标总数", ">= 90%", 40),
                    ("转化率", "付费订单/访客数", ">= 3%", 60),
                ],
            ),
            (
                "数据分析师",
                &[
                    ("分析需求完成率", "按期完成需求数/需求总数", ">= 90%", 60),
                    ("脱敏合规率", "合规导出次数/导出总次数", ">= 100%", 40),
                ],
            ),
            ("技术运营经理", &[("系统可用率", "系统正常服务时长/统计期总时长", ">= 99.9%", 100)]),
            (
                "用户运营主管",
                &[
                    ("用户留存率", "期末仍活跃的用户数/期初用户数", ">= 30%", 50),
                    ("NPS", "推荐者占比 - 贬损者占比", ">= 40", 50),
                ],
            ),
        ];
        for (i, (role, kpis)) in sheets.iter().enumerate() {
            let items: Vec<String> = kpis
                .iter()
                .map(|(n, f, t, w)| format!("{{ name = \"{n}\", formula = \"{f}\", target = \"{t}\", weight = {w} }}"))
                .collect();
            rec!(
                self.s.kpi_sheets,
                "[[kpi_sheet]]\nid = \"KS-HQ-{i}\"\nrole = \"{role}\"\nkpis = {}\n\n",
                table_list(&items)
            );
        }
        // KPI-4: the dashboard's metrics, growing and on target.
        for (code, name, base, step) in
            [("DAU", "日活跃用户", 48_200.0, 1_150.0), ("CVR", "转化率", 2.4, 0.1), ("D1R", "次日留存", 31.5, 0.5)]
        {
            for m in 1..=6 {
                let v = base + step * f64::from(m - 1);
                rec!(
                    self.s.metrics,
                    "[[metric]]\nid = \"M-{code}-2026-{m:02}\"\nname = \"{name}\"\nperiod = \"2026-{m:02}\"\nvalue = {v:.1}\n\n"
                );
            }
        }
        for (id, name, cat) in [("DS-PROFILE", "会员用户画像", "用户画像"), ("DS-TRADE", "交易记录", "交易记录")]
        {
            rec!(
                self.s.datasets,
                "[[dataset]]\nid = \"{id}\"\nname = \"{name}\"\ncategory = \"{cat}\"\nowner = \"U-TECH\"\nclass = \"核心\"\n\n"
            );
        }
    }

    // -------------------------------------------------------------------------------- projects

    /// Projects (a task per 20 people, 10 tasks a project), their 立项 applications and launches.
    fn projects(&mut self, people: usize) {
        let n_tasks = people / 20;
        // The end of the previous task (the one a task depends on).
        let mut prev_end = Day::ymd(2026, 2, 1);
        for t in 0..n_tasks {
            let project = t / 10;
            let pos = t % 10;
            let owner = (t * 7) % self.persons;
            let start = Day::ymd(2026, 2, 1).plus(2 * pos as i64);
            let late = pos > 0 && self.rng.chance(rate::SOP_9);
            if late {
                self.inject("SOP-9");
            }
            let b = self.s.tasks.rec();
            let _ = write!(
                b,
                "[[task]]\nid = \"T{t:07}\"\nproject = \"PRJ{project:06}\"\nname = \"任务 {t}\"\nowner = \"P{owner:07}\"\n"
            );
            // SOP-9: starts on the day its dependency ends (which is the day before `start`,
            // or two days before when the dependency is itself late: two late tasks in a row
            // must both be violations).
            let (start, end) = if late { (prev_end, prev_end.plus(1)) } else { (start, start.plus(1)) };
            let _ = writeln!(b, "start = {start}\nend = {end}");
            prev_end = end;
            if pos > 0 {
                let _ = writeln!(b, "depends = [\"T{:07}\"]", t - 1);
            }
            b.push('\n');
        }
        let hq = std::mem::take(&mut self.hq);
        for p in 0..n_tasks.div_ceil(10) {
            let start = Day::ymd(2026, 3, 2).plus((p % 20) as i64);
            if p % 2 == 0 {
                // SOP-10: the project template: 启动 (1 day), 执行 (2 weeks), 收尾 (1 week).
                let mut run_end = start.plus(15);
                if self.rng.chance(rate::PROJECT) {
                    run_end = start.plus(22); // 执行 lasts 20 days
                    self.inject("SOP-10");
                }
                let phases = [
                    format!(
                        "{{ name = \"启动\", start = {start}, end = {}, deliverables = [\"项目计划书\"] }}",
                        start.plus(1)
                    ),
                    format!(
                        "{{ name = \"执行\", start = {}, end = {run_end}, deliverables = [\"进度报告\"] }}",
                        start.plus(2)
                    ),
                    format!(
                        "{{ name = \"收尾\", start = {}, end = {}, deliverables = [\"PPT\", \"数据报告\"] }}",
                        run_end.plus(1),
                        run_end.plus(6)
                    ),
                ];
                rec!(
                    self.s.projects,
                    "[[project]]\nid = \"PRJ{p:06}\"\nname = \"会员拉新专项 {p}\"\nphases = {}\n\n",
                    table_list(&phases)
                );
                // SOP-3 / SOP-4: the project's launch.
                let (mut tests, mut content) =
                    (list(&["功能测试", "性能测试", "兼容性测试"]), "\"上线内容\" = \"全部功能\", ");
                if self.rng.chance(rate::LAUNCH) {
                    if self.rng.chance(2) {
                        content = ""; // SOP-3: the plan names no 上线内容
                        self.inject("SOP-3");
                    } else {
                        tests = list(&["功能测试", "性能测试"]); // SOP-4: no 兼容性测试
                        self.inject("SOP-4");
                    }
                }
                rec!(
                    self.s.launches,
                    "[[launch]]\nid = \"LN-{p:06}\"\nproduct = \"产品 {p}\"\ndate = {}\ntests = {tests}\nplan = {{ \"上线时间\" = \"02:00\", \"上线范围\" = \"全部门店\", {content}\"上线流程\" = \"灰度发布\", \"风险应对措施\" = \"一键回滚\" }}\ntrained = [\"U-CS\", \"U-SALES\"]\nfaq = true\n\n",
                    run_end.plus(7)
                );
            } else {
                // SOP-11: a customer implementation with its six phases; APV-7: its 立项.
                let names = ["设备到场", "安装调试", "开发计划", "第三方实施", "客户验收", "客户培训"];
                let phases: Vec<String> = names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| {
                        let s = start.plus(7 * i as i64);
                        format!("{{ name = \"{n}\", start = {s}, end = {}, deliverables = [\"{n}记录\"] }}", s.plus(5))
                    })
                    .collect();
                let mut signed = "true";
                if self.rng.chance(rate::PROJECT) {
                    signed = "false"; // a change request not signed by the customer
                    self.inject("SOP-11");
                }
                rec!(
                    self.s.projects,
                    "[[project]]\nid = \"PRJ{p:06}\"\nname = \"客户系统实施 {p}\"\nplan = \"PL-LX-{p:06}\"\nphases = {}\nchange_requests = [\n  {{ date = {}, written = true, signed_by_customer = {signed} }},\n]\n\n",
                    table_list(&phases),
                    start.plus(10)
                );
                let sub = start.plus(-20);
                let approvals = [
                    approval(&hq.gm, "总经理", sub.plus(3), "approve"),
                    approval(&hq.sales, "销售部经理", sub.plus(3), "approve"),
                    approval(&hq.product, "产品部经理", sub.plus(4), "approve"),
                ];
                let mut amount = "\"合同金额\" = \"80 万元\", ";
                if self.rng.chance(rate::APV_7) {
                    amount = ""; // approved unanimously, but the application is incomplete
                    self.inject("APV-7");
                }
                rec!(
                    self.s.plans,
                    "[[plan]]\nid = \"PL-LX-{p:06}\"\nkind = \"立项\"\ntitle = \"客户系统实施 {p} 立项申请\"\nowner = \"{}\"\nsubmitted = {sub}\napprovals = {}\nfields = {{ \"项目背景\" = \"门店会员数据分散\", \"客户需求\" = \"会员系统与收银打通\", \"项目近期及未来发展情况\" = \"一期 20 家门店\", \"客情关系\" = \"已合作三年\", {amount}\"项目实施风险\" = \"门店网络条件参差\" }}\noutcome = \"立项\"\n\n",
                    hq.sales,
                    table_list(&approvals)
                );
                if p % 10 == 1 {
                    // A terminated application: not unanimous, no project — not a violation.
                    let approvals = [
                        approval(&hq.gm, "总经理", sub.plus(3), "approve"),
                        approval(&hq.sales, "销售部经理", sub.plus(3), "approve"),
                        approval(&hq.product, "产品部经理", sub.plus(4), "reject"),
                    ];
                    rec!(
                        self.s.plans,
                        "[[plan]]\nid = \"PL-LX-{p:06}-T\"\nkind = \"立项\"\ntitle = \"门店智能排班定制 {p} 立项申请\"\nowner = \"{}\"\nsubmitted = {sub}\napprovals = {}\noutcome = \"终止\"\n\n",
                        hq.sales,
                        table_list(&approvals)
                    );
                }
            }
        }
        self.hq = hq;
    }

    /// MASK-2: a masked user-profile export, a row per 10 people.
    fn export(&mut self, people: usize) {
        for _ in 0..(people / 10).max(1) {
            let mut hash = String::with_capacity(64);
            for _ in 0..4 {
                let _ = write!(hash, "{:016x}", self.rng.next());
            }
            let province = *self.rng.pick(PROVINCES);
            let lo = 18 + 5 * self.rng.below(8);
            let mut age = format!("{lo}-{}岁", lo + 5);
            let mut note = "";
            let mobile;
            if self.rng.chance(rate::MASK_2) {
                self.inject("MASK-2");
                if self.rng.chance(2) {
                    age = (lo + 2).to_string(); // an exact age
                } else {
                    mobile = format!("回访电话 138{:08}", self.rng.below(100_000_000));
                    note = &mobile;
                }
            }
            let orders = 1 + self.rng.below(40);
            let amount = 3_000 + self.rng.below(250_000);
            rec!(
                self.s.exports,
                "{hash},{province},{age},{},{orders},{}.{:02},{note}\n",
                self.rng.pick(&["普通会员", "银卡会员", "金卡会员"]),
                amount / 100,
                amount % 100
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let people: usize = get("--people").and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let out = PathBuf::from(get("--out").unwrap_or_else(|| "target/gen-org".into()));
    let seed: u64 = get("--seed").and_then(|s| s.parse().ok()).unwrap_or(7);
    let csv = args.iter().any(|a| a == "--csv");
    let heavy = args.iter().any(|a| a == "--heavy");
    let summary = generate_with(people, &out, seed, csv, heavy);
    println!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
}

/// Writes an org dir of `people` people to `out` (replacing it) and returns the summary the
/// command prints: record counts and injected violations per rule. Benchmarks call it too.
#[allow(dead_code, reason = "the example's main calls generate_with; tests and benches call this")]
pub fn generate(people: usize, out: &std::path::Path, seed: u64, csv: bool) -> serde_json::Value {
    generate_with(people, out, seed, csv, false)
}

/// [`generate`], or with `heavy` a findings-heavy org: the same org without its trainings,
/// coaching and appraisals, audited over the whole half-year (2026-01-01 … 06-30), so that
/// nearly every employee fails the training, coaching and appraisal rules (CAD-1, CAD-7, DEV-2,
/// APR-2: about 3 findings a person). Its findings are not the injected ones: the summary then
/// has no `injected` counts.
pub fn generate_with(people: usize, out: &std::path::Path, seed: u64, csv: bool, heavy: bool) -> serde_json::Value {
    let out = out.to_path_buf();
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).expect("create out dir");

    let cal = Cal::new();
    // A heavy org is audited over the whole half-year, so the half-yearly training is due too.
    let from = if heavy { "2026-01-01".to_string() } else { cal.from.to_string() };
    fs::write(
        out.join("zhidu.toml"),
        format!(
            "[org]\nname = \"生成的组织（{people} 人）\"\nas_of = {}\nperiod = {{ from = {from}, to = {} }}\n",
            cal.to, cal.to
        ),
    )
    .expect("write zhidu.toml");

    let mut g = Gen {
        rng: Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
        cal,
        inj: RULES.iter().map(|r| (*r, 0)).collect(),
        words: Default::default(),
        s: Sinks::new(&out, csv, heavy),
        hq: Hq::default(),
        persons: 0,
        grants: 0,
        appraisals: 0,
        changes: 0,
        groups: 0,
    };
    let units = g.plan(people);
    g.write_units(&units);
    // Unit by unit: the head office first, so that its people exist when others refer to them.
    for u in &units {
        let mut m = g.members(u);
        g.people(u, &mut m);
        match u.kind {
            Kind::Store => g.store(u, &m),
            Kind::Group => g.group(u, &m),
            _ => {}
        }
    }
    g.head_office();
    g.projects(people);
    g.export(people);

    let mut records = serde_json::Map::new();
    for (kind, sink) in g.s.all() {
        sink.flush();
        records.insert(kind.to_string(), if sink.dropped { 0 } else { sink.count }.into());
    }
    // A heavy org's findings are its missing records, not the injected violations.
    let injected: serde_json::Map<String, serde_json::Value> = if heavy {
        serde_json::Map::new()
    } else {
        RULES.iter().map(|r| (r.to_string(), g.inj.get(r).copied().unwrap_or(0).into())).collect()
    };
    let summary = serde_json::json!({
        "people": g.persons,
        "units": units.len(),
        "grants": g.grants,
        "appraisals": g.appraisals,
        "changes": g.changes,
        "csv": csv,
        "heavy": heavy,
        "seed": seed,
        "period": { "from": g.cal.from.to_string(), "to": g.cal.to.to_string() },
        "records": records,
        "injected": injected,
        "notes": {
            "PERM-2": "includes every PERM-3 injection: a raw global grant to a 数据分析师 is outside the matrix row (masked) too",
            "SOP-1": "includes every SOP-6 injection: content published before its manual review misses a step of the 内容审核 SOP too",
            "CAD-4": "one finding at most: the subject is the company",
        },
    });
    summary
}
