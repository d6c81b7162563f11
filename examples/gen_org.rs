//! Generates a large, deterministic organisation for benchmarks, following `org-data.md` and the
//! built-in pack's declarations (role names, approval tiers, permission rows). Not part of the
//! tool: the engine knows no regulation; this generator knows the default pack.
//!
//! ```sh
//! cargo run --release --example gen_org -- --people 100000 --out /tmp/org100k [--csv] [--seed 7]
//! ```
//!
//! Per person about 2 grants, 2 appraisals, 0.2 changes with 1–3 approvals; a unit per 50 people;
//! a task per 20 people with dependencies; stores in regions. A fixed small rate of violations of
//! ten rules is injected and their counts printed (as JSON on stdout). Files hold at most 50 000
//! records; with `--csv` the big tables (person, grant, appraisal) are CSV.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

const SHARD: usize = 50_000;
/// One injected violation per this many candidate records.
const RATE: u64 = 5_000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"];
const GIVEN: &[&str] =
    &["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "华"];
const STORE_ROLES: &[&str] = &["店长", "前厅主管", "厨房主管", "出品员", "收银员", "服务员", "外卖员"];
const AREAS: &[&str] = &["华东", "华南", "华北", "西南", "华中", "西北", "东北"];

#[derive(Default, serde::Serialize)]
struct Injected {
    #[serde(rename = "ROLE-4")]
    role4: u64,
    #[serde(rename = "APV-2")]
    apv2: u64,
    #[serde(rename = "APV-3")]
    apv3: u64,
    #[serde(rename = "PERM-2")]
    perm2: u64,
    #[serde(rename = "PERM-3")]
    perm3: u64,
    #[serde(rename = "APR-3")]
    apr3: u64,
    #[serde(rename = "ORG-2")]
    org2: u64,
    #[serde(rename = "ORG-3")]
    org3: u64,
    #[serde(rename = "SOP-9")]
    sop9: u64,
    #[serde(rename = "DEV-2")]
    dev2: u64,
}

struct Person {
    id: String,
    unit: String,
    roles: Vec<&'static str>,
    level: &'static str,
    mentor: Option<String>,
}

/// Writes records in shards of at most `SHARD`, as TOML tables or CSV rows.
struct Sink {
    dir: PathBuf,
    stem: &'static str,
    csv_header: Option<&'static str>,
    buf: String,
    count: usize,
    shard: usize,
    files: usize,
}

impl Sink {
    fn new(dir: &Path, stem: &'static str, csv_header: Option<&'static str>) -> Self {
        let mut s = Sink { dir: dir.to_path_buf(), stem, csv_header, buf: String::new(), count: 0, shard: 0, files: 0 };
        s.start();
        s
    }
    fn start(&mut self) {
        self.buf.clear();
        if let Some(h) = self.csv_header {
            self.buf.push_str(h);
            self.buf.push('\n');
        }
    }
    fn push(&mut self, rec: &str) {
        if self.shard == SHARD {
            self.flush();
        }
        self.buf.push_str(rec);
        self.shard += 1;
        self.count += 1;
    }
    fn flush(&mut self) {
        if self.shard == 0 {
            return;
        }
        let ext = if self.csv_header.is_some() { "csv" } else { "toml" };
        // CSV kinds are named by the file stem; shards live in their own directories.
        let path = if self.csv_header.is_some() {
            let d = self.dir.join(format!("{}-{:03}", self.stem, self.files));
            fs::create_dir_all(&d).expect("create shard dir");
            d.join(format!("{}.{ext}", self.stem))
        } else {
            self.dir.join(format!("{}-{:03}.{ext}", self.stem, self.files))
        };
        fs::write(path, &self.buf).expect("write shard");
        self.files += 1;
        self.shard = 0;
        self.start();
    }
}

fn name(rng: &mut Rng) -> String {
    format!("{}{}", SURNAMES[rng.below(SURNAMES.len() as u64) as usize], GIVEN[rng.below(GIVEN.len() as u64) as usize])
}

fn roles_toml(r: &[&str]) -> String {
    r.iter().map(|x| format!("\"{x}\"")).collect::<Vec<_>>().join(", ")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let people: usize = get("--people").and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let out = PathBuf::from(get("--out").unwrap_or_else(|| "target/gen-org".into()));
    let seed: u64 = get("--seed").and_then(|s| s.parse().ok()).unwrap_or(7);
    let csv = args.iter().any(|a| a == "--csv");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).expect("create out dir");
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut inj = Injected::default();

    fs::write(
        out.join("zhidu.toml"),
        format!(
            "[org]\nname = \"生成的组织（{people} 人）\"\nas_of = 2026-06-30\nperiod = {{ from = 2026-01-01, to = 2026-06-30 }}\n"
        ),
    )
    .expect("write zhidu.toml");

    // ---------------------------------------------------------------- units
    let mut units = Sink::new(&out, "units", None);
    let mut unit = |id: &str, name: &str, ty: &str, parent: Option<&str>, area: Option<&str>| {
        let mut s = format!("[[unit]]\nid = \"{id}\"\nname = \"{name}\"\ntype = \"{ty}\"\n");
        if let Some(p) = parent {
            let _ = writeln!(s, "parent = \"{p}\"");
        }
        if let Some(a) = area {
            let _ = writeln!(s, "area = \"{a}\"");
        }
        s.push('\n');
        units.push(&s);
    };
    unit("U0", "生成集团", "company", None, None);
    unit("U-ADMIN", "管理部", "admin", Some("U0"), None);
    unit("U-OPS", "运营部", "department", Some("U0"), None);
    unit("U-TECH", "技术部", "department", Some("U0"), None);
    let store_people = people / 2;
    let office_people = people - store_people;
    let n_stores = (store_people / 50).max(1);
    let n_groups = (office_people / 50).max(1);
    // Regions of 4–8 stores; every 10th store sits directly under 管理部.
    let mut store_unit = Vec::with_capacity(n_stores);
    let mut regions: Vec<(String, usize)> = Vec::new();
    let mut i = 0;
    while i < n_stores {
        if i % 10 == 9 {
            let id = format!("S{i:06}");
            unit(&id, &format!("门店{i}"), "store", Some("U-ADMIN"), None);
            store_unit.push(id);
            i += 1;
            continue;
        }
        let mut size = 4 + rng.below(5) as usize;
        let r = regions.len();
        let area = AREAS[r % AREAS.len()];
        // ORG-2: a region with only 3 stores.
        let short = rng.chance(RATE / 50) && n_stores - i >= 3;
        if short {
            size = 3;
            inj.org2 += 1;
        }
        let rid = format!("R{r:05}");
        unit(&rid, &format!("{area}区域{r}"), "region", Some("U-ADMIN"), Some(area));
        let size = size.min(n_stores - i);
        regions.push((rid.clone(), size));
        for _ in 0..size {
            let id = format!("S{i:06}");
            unit(&id, &format!("门店{i}"), "store", Some(&rid), Some(area));
            store_unit.push(id);
            i += 1;
        }
    }
    let groups: Vec<String> = (0..n_groups).map(|g| format!("G{g:05}")).collect();
    for (g, id) in groups.iter().enumerate() {
        unit(id, &format!("运营{g}组"), "department", Some("U-OPS"), None);
    }
    units.flush();

    // ---------------------------------------------------------------- people
    let mut persons: Vec<Person> = Vec::with_capacity(people + 16);
    let mut add = |unit: &str, roles: Vec<&'static str>, level: &'static str| {
        let id = format!("P{:07}", persons.len());
        persons.push(Person { id, unit: unit.to_string(), roles, level, mentor: None });
    };
    add("U-ADMIN", vec!["管理部主任"], "高级");
    add("U-ADMIN", vec!["管理部督导专员"], "高级");
    add("U-OPS", vec!["运营总监"], "高级");
    add("U-OPS", vec!["运营经理"], "高级");
    add("U-TECH", vec!["技术总监"], "高级");
    add("U-TECH", vec!["系统管理员"], "高级");
    for (rid, size) in &regions {
        add(rid, vec!["区域经理"], "高级");
        // ORG-3 allows an assistant only from 5 stores; inject one into a smaller region.
        if *size >= 5 {
            add(rid, vec!["区域经理助理"], "中级");
        } else if *size == 4 && rng.chance(RATE / 50) {
            add(rid, vec!["区域经理助理"], "中级");
            inj.org3 += 1;
        }
    }
    for s in &store_unit {
        for k in 0..50 {
            let role = STORE_ROLES[k % STORE_ROLES.len()];
            let level = if k % 10 == 9 {
                "新人"
            } else if k % 3 == 0 {
                "高级"
            } else {
                "中级"
            };
            add(s, vec![role], level);
        }
    }
    for g in &groups {
        add(g, vec!["运营经理"], "高级");
        for k in 1..50 {
            let role = if k % 25 == 0 { "数据分析师" } else { "运营专员" };
            let level = if k % 10 == 9 {
                "新人"
            } else if k % 3 == 0 {
                "高级"
            } else {
                "中级"
            };
            add(g, vec![role], level);
        }
    }
    // Mentors: the previous non-new person of the same unit.
    let mut last_senior: Option<(String, String)> = None;
    for p in persons.iter_mut() {
        if p.level == "新人" {
            match &last_senior {
                Some((u, m)) if *u == p.unit => {
                    if rng.chance(RATE) {
                        inj.dev2 += 1; // DEV-2: a new employee without a mentor
                    } else {
                        p.mentor = Some(m.clone());
                    }
                }
                _ => p.level = "中级",
            }
        } else {
            last_senior = Some((p.unit.clone(), p.id.clone()));
        }
        if rng.chance(RATE) {
            p.roles.push("运营专家"); // ROLE-4: a role the policy does not declare
            inj.role4 += 1;
        }
    }
    let mut ps = if csv {
        Sink::new(&out, "person", Some("id,name,unit,roles,joined,level,mentor"))
    } else {
        Sink::new(&out, "people", None)
    };
    for p in &persons {
        let n = name(&mut rng);
        let rec = if csv {
            format!(
                "{},{n},{},{},2024-01-01,{},{}\n",
                p.id,
                p.unit,
                p.roles.join(";"),
                p.level,
                p.mentor.as_deref().unwrap_or("")
            )
        } else {
            let mut s = format!(
                "[[person]]\nid = \"{}\"\nname = \"{n}\"\nunit = \"{}\"\nroles = [{}]\njoined = 2024-01-01\nlevel = \"{}\"\n",
                p.id,
                p.unit,
                roles_toml(&p.roles),
                p.level
            );
            if let Some(m) = &p.mentor {
                let _ = writeln!(s, "mentor = \"{m}\"");
            }
            s.push('\n');
            s
        };
        ps.push(&rec);
    }
    ps.flush();

    // ---------------------------------------------------------------- datasets and grants
    let mut ds = Sink::new(&out, "datasets", None);
    for g in &groups {
        for k in 0..2 {
            ds.push(&format!(
                "[[dataset]]\nid = \"D-{g}-{k}\"\nname = \"{g} 活动数据 {k}\"\ncategory = \"活动数据\"\nowner = \"{g}\"\nclass = \"内部\"\n\n"
            ));
        }
    }
    ds.flush();
    let mut gs = if csv {
        Sink::new(&out, "grant", Some("id,person,dataset,ops,view"))
    } else {
        Sink::new(&out, "grants", None)
    };
    let mut gid = 0usize;
    let mut grant = |gs: &mut Sink, person: &str, dataset: &str, ops: &[&str], view: &str| {
        let id = format!("GR{gid:08}");
        gid += 1;
        let rec = if csv {
            format!("{id},{person},{dataset},{},{view}\n", ops.join(";"))
        } else {
            format!(
                "[[grant]]\nid = \"{id}\"\nperson = \"{person}\"\ndataset = \"{dataset}\"\nops = [{}]\nview = \"{view}\"\n\n",
                roles_toml(ops)
            )
        };
        gs.push(&rec);
    };
    for p in &persons {
        let office = p.unit.starts_with('G');
        if office && p.roles.contains(&"运营专员") {
            for k in 0..2 {
                let ds = format!("D-{}-{k}", p.unit);
                if rng.chance(RATE) {
                    grant(&mut gs, &p.id, &ds, &["查看", "删除"], "raw"); // PERM-2: beyond the matrix
                    inj.perm2 += 1;
                } else {
                    grant(&mut gs, &p.id, &ds, &["查看", "导出"], "raw");
                }
            }
        } else if p.roles.contains(&"数据分析师") {
            if rng.chance(RATE / 100) {
                grant(&mut gs, &p.id, "*", &["查看", "分析"], "raw"); // PERM-3 (and PERM-2): raw global view
                inj.perm3 += 1;
            } else {
                grant(&mut gs, &p.id, "*", &["查看", "分析"], "masked");
            }
            grant(&mut gs, &p.id, "*", &["查看"], "masked");
        }
    }
    gs.flush();

    // ---------------------------------------------------------------- appraisals
    let mut ap = if csv {
        Sink::new(
            &out,
            "appraisal",
            Some("id,person,cycle,scores.上级评价,scores.同事评价,scores.自我评价,scores.数据分析,total"),
        )
    } else {
        Sink::new(&out, "appraisals", None)
    };
    let mut aid = 0usize;
    for p in &persons {
        for cycle in ["2026-05", "2026-06"] {
            let s: [u64; 4] = [60 + rng.below(40), 60 + rng.below(40), 60 + rng.below(40), 60 + rng.below(40)];
            let mut total = (s[0] * 40 + s[1] * 20 + s[2] * 10 + s[3] * 30) as f64 / 100.0;
            if rng.chance(RATE) {
                total += 5.0; // APR-3: total is not the weighted sum
                inj.apr3 += 1;
            }
            let id = format!("A{aid:08}");
            aid += 1;
            let rec = if csv {
                format!("{id},{},{cycle},{},{},{},{},{total}\n", p.id, s[0], s[1], s[2], s[3])
            } else {
                format!(
                    "[[appraisal]]\nid = \"{id}\"\nperson = \"{}\"\ncycle = \"{cycle}\"\ntotal = {total:.2}\nscores = {{ \"上级评价\" = {}, \"同事评价\" = {}, \"自我评价\" = {}, \"数据分析\" = {} }}\n\n",
                    p.id, s[0], s[1], s[2], s[3]
                )
            };
            ap.push(&rec);
        }
    }
    ap.flush();

    // ---------------------------------------------------------------- changes
    let mut ch = Sink::new(&out, "changes", None);
    let managers: Vec<&Person> = persons.iter().filter(|p| p.roles.contains(&"运营经理")).collect();
    let (ops_director, tech_director) = ("P0000002", "P0000004");
    let mut cid = 0usize;
    for (k, p) in persons.iter().enumerate().filter(|(_, p)| p.roles.contains(&"运营专员")) {
        if k % 5 != 0 {
            continue;
        }
        let id = format!("CHG-{cid:07}");
        cid += 1;
        let day = 1 + rng.below(27);
        let major = rng.chance(10);
        let mut approvals = Vec::new();
        let mut author = p.id.clone();
        if major {
            approvals.push(format!(
                "{{ by = \"{ops_director}\", role = \"运营总监\", date = 2026-03-{:02}, decision = \"approve\" }}",
                day.min(27) + 1
            ));
            approvals.push(format!(
                "{{ by = \"{tech_director}\", role = \"技术总监\", date = 2026-03-{:02}, decision = \"approve\" }}",
                day.min(27) + 1
            ));
        } else {
            let m = managers.iter().find(|m| m.unit == p.unit).map_or("P0000003", |m| m.id.as_str());
            if rng.chance(RATE / 5) {
                author = m.to_string(); // APV-3: the manager approves his own change
                inj.apv3 += 1;
            }
            let decision = if rng.chance(RATE / 5) {
                inj.apv2 += 1; // APV-2: the only approval is a rejection
                "reject"
            } else {
                "approve"
            };
            approvals.push(format!(
                "{{ by = \"{m}\", role = \"运营经理\", date = 2026-03-{:02}, decision = \"{decision}\" }}",
                day + 1
            ));
            if rng.chance(3) {
                approvals.push(format!(
                    "{{ by = \"{ops_director}\", role = \"运营总监\", date = 2026-03-{:02}, decision = \"approve\" }}",
                    day + 1
                ));
            }
        }
        let tier = if major { "重大改革" } else { "日常优化" };
        ch.push(&format!(
            "[[change]]\nid = \"{id}\"\ntitle = \"变更 {cid}\"\ntier = \"{tier}\"\nauthor = \"{author}\"\nsubmitted = 2026-03-{day:02}\ngolive = 2026-04-15\napprovals = [\n  {},\n]\n\n",
            approvals.join(",\n  ")
        ));
    }
    ch.flush();

    // ---------------------------------------------------------------- tasks
    let mut ts = Sink::new(&out, "tasks", None);
    let n_tasks = people / 20;
    for t in 0..n_tasks {
        let project = t / 10;
        let pos = t % 10;
        let owner = &persons[(t * 7) % persons.len()].id;
        let start = 1 + pos * 2;
        let mut s = format!(
            "[[task]]\nid = \"T{t:07}\"\nproject = \"PRJ{project:06}\"\nname = \"任务 {t}\"\nowner = \"{owner}\"\n"
        );
        if pos > 0 && rng.chance(RATE / 20) {
            // SOP-9: starts on the day its dependency ends.
            let _ = writeln!(s, "start = 2026-02-{:02}\nend = 2026-02-{:02}", start - 1, start);
            inj.sop9 += 1;
        } else {
            let _ = writeln!(s, "start = 2026-02-{start:02}\nend = 2026-02-{:02}", start + 1);
        }
        if pos > 0 {
            let _ = writeln!(s, "depends = [\"T{:07}\"]", t - 1);
        }
        s.push('\n');
        ts.push(&s);
    }
    ts.flush();

    let summary = serde_json::json!({
        "people": persons.len(),
        "units": 4 + n_stores + regions.len() + n_groups,
        "grants": gid,
        "appraisals": aid,
        "changes": cid,
        "tasks": n_tasks,
        "csv": csv,
        "injected": inj,
        "note": "each PERM-3 injection also violates PERM-2",
    });
    println!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
}
