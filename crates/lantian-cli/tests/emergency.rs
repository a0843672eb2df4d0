//! The emergency-response chain through the real binary: forecast → city, regional and joint-control
//! alerts → the alert log → control list (adequacy, one-size-fits-all, xlsx) → compliance and the
//! pairing duty; and the bad inputs of each file.
//!
//! Expected values are worked out by hand in the comments (emergency.md §3–§6, worked example G).

mod common;

use common::{admin_read_token, get_as, get_text_as, lantian, ok, raise_chengdu_by_hand, Server, TempDir};
use std::process::Command;

/// Credit codes with check characters computed by hand (GB 32100-2015: weights 1,3,9,27,19,26,16,
/// 17,20,29,25,13,8,24,10,30,28; C18 = 31 − Σ mod 31, value → character by the set
/// `0123456789ABCDEFGHJKLMNPQRTUWXY`), e.g. `91510100MA61A0001`:
/// 9·1+1·3+5·9+1·27+0·19+1·26+0·16+0·17+21·20(M)+10·29(A)+6·25+1·13+10·8(A)+0·24+0·10+0·30+1·28 = 1091;
/// 1091 mod 31 = 6; 31 − 6 = 25 → `R`. Likewise …0002 → Σ 1119, mod 31 = 3, 28 → `W`; …0003 → Σ 1147,
/// mod 31 = 0, 31 → `0`; …0004 → Σ 1175, mod 31 = 28, 3 → `3`.
const A_OK: &str = "91510100MA61A0001R";
const B_RUNS: &str = "91510100MA61A0002W";
const D_STOPS: &str = "91510100MA61A00030";
const A_FORCED: &str = "91510100MA61A00043";

/// Issuance 1 (18 Dec 16:00, days 18–23 Dec): 成都 180,230,260,310,240,150 → 4 days > 200, 1 > 300:
/// orange (red needs 2 > 300), 19–22 Dec. 德阳/眉山/资阳/绵阳/雅安 160,210,230,220,140,120 → 3 days > 200:
/// yellow 19–21 Dec. 乐山 160,210,150,140,120,110 → 1 day > 200: none under the 2022 plan, blue under 2016.
/// Issuance 2 (20 Dec 16:00): 成都 260,330,320,240,140,120 → 4 > 200 with 2 > 300: red (raise).
/// Issuance 3 (24 Dec 10:00): 成都 140,120,110 → 2 days ≤ 150 (36 h): lift.
fn forecast() -> String {
    let mut s = String::from("city,issued_at,date,aqi,aqi_low,aqi_high,primary,source\n");
    let days = |issued: &str, first: u32, city: &str, v: &[u32], s: &mut String| {
        for (i, a) in v.iter().enumerate() {
            s.push_str(&format!(
                "{city},{issued},2022-12-{:02},{a},{},{},PM2.5,联合会商\n",
                first + i as u32,
                a - a / 10,
                a + a / 10
            ));
        }
    };
    days("2022-12-18T16:00", 18, "成都", &[180, 230, 260, 310, 240, 150], &mut s);
    for c in ["德阳", "眉山", "资阳", "绵阳", "雅安"] {
        days("2022-12-18T16:00", 18, c, &[160, 210, 230, 220, 140, 120], &mut s);
    }
    days("2022-12-18T16:00", 18, "乐山", &[160, 210, 150, 140, 120, 110], &mut s);
    days("2022-12-20T16:00", 20, "成都", &[260, 330, 320, 240, 140, 120], &mut s);
    days("2022-12-24T10:00", 24, "成都", &[140, 120, 110], &mut s);
    s
}

fn enterprises() -> String {
    format!(
        "credit_code,name,city,county,industry,grade,green_benchmark,guarantee_reason,lines,so2_t,nox_t,pm_t,vocs_t\n\
         {A_OK},成都甲水泥有限公司,成都,彭州市,水泥,A,否,,熟料线:100,50,150,40,5\n\
         {B_RUNS},成都乙水泥有限公司,成都,都江堰市,水泥,B,否,,熟料线:60;粉磨站:40,80,200,60,10\n\
         {D_STOPS},成都丁水泥有限公司,成都,崇州市,cement,D,否,,熟料线,30,60,40,8\n\
         {A_FORCED},成都戊水泥有限公司,成都,邛崃市,水泥,A级,否,,熟料线,20,40,20,4\n"
    )
}

/// Orange reductions (kg/day): B 150/300/120/100 (both lines limited to 50 %), D 60/120/90/50 (stop),
/// A_FORCED 0 (stopped, though A grade: one-size-fits-all). Totals with the city measure (VOCs 200):
/// SO2 210, NOx 420, PM 210, VOCs 350.
fn measures() -> String {
    format!(
        "credit_code,level,line,action,param,process,so2_kg,nox_kg,pm_kg,vocs_kg,plan_version\n\
         {A_OK},orange,熟料线,autonomous,,,0,0,0,0,2022版\n\
         {B_RUNS},yellow,熟料线,limit,70,,40,80,30,20,2022版\n\
         {B_RUNS},orange,熟料线,limit,50,,90,180,72,60,2022版\n\
         {B_RUNS},orange,粉磨站,limit,50,,60,120,48,40,2022版\n\
         {D_STOPS},orange,熟料线,stop,,,60,120,90,50,2022版\n\
         {A_FORCED},orange,熟料线,stop,,,0,0,0,0,2022版\n"
    )
}

/// 成都 2022: 365 t SO2 → 1000 kg/day, 730 t NOx → 2000, 365 t PM → 1000, 730 t VOCs → 2000. Orange
/// needs 20 %: SO2 210/1000 = 21.0 % pass, NOx 420/2000 = 21.0 % pass, PM 21.0 % pass, VOCs 350/2000
/// = 17.5 % fail.
const INVENTORY: &str = "city,year,so2_t,nox_t,pm_t,vocs_t,basis,source\n成都,2022,365,730,365,730,annual,测试清单\n";
const CITY_MEASURES: &str = "city,level,measure,so2_kg,nox_kg,pm_kg,vocs_kg\n成都,orange,汽修喷涂停业,0,0,0,200\n";

/// Daily kWh 1 Nov – 31 Dec: B keeps 10 000 kWh every day (its orange plan allows 50 %: ceiling
/// 10 000 × (0.5 + 0.1) = 6 000; the orange response covers 19 Dec whole) → suspected; D drops to
/// 300 kWh from 19 Dec (ceiling for a stop: 10 000 × 0.1 = 1 000) → compliant.
fn power() -> String {
    let mut s = String::from("credit_code,time,kwh\n");
    let start = chrono::NaiveDate::from_ymd_opt(2022, 11, 1).expect("date");
    for k in 0..61 {
        let d = start + chrono::Duration::days(k);
        s.push_str(&format!("{B_RUNS},{d},10000\n"));
        let dv = if d >= chrono::NaiveDate::from_ymd_opt(2022, 12, 19).expect("date") { 300 } else { 10000 };
        s.push_str(&format!("{D_STOPS},{d},{dv}\n"));
    }
    s
}

/// 生态环境厅 (paired with 成都) sends a 厅级 leader on 21–22 Dec; 住房城乡建设厅 (paired with 德阳) only a
/// 处级 one during 德阳's response.
const VISITS: &str = "department,city,date_from,date_to,on_site,leader_name,leader_rank,issues_found\n\
生态环境厅,成都,2022-12-21,2022-12-22,是,张某,厅级,督导停限产\n\
住房城乡建设厅,德阳,2022-12-20,2022-12-20,是,李某,处级,工地检查\n";

fn write(dir: &TempDir, name: &str, body: &str) -> String {
    let p = dir.0.join(name);
    std::fs::write(&p, body).expect("write");
    p.display().to_string()
}

fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h = r.headers().expect("header").clone();
    r.records()
        .map(|x| {
            let x = x.expect("row");
            h.iter().zip(x.iter()).map(|(a, b)| (a.to_string(), b.to_string())).collect()
        })
        .collect()
}

#[test]
fn forecast_to_alerts_control_list_and_compliance() {
    let dir = TempDir::new("emergency");
    let db = dir.db();
    let f = write(&dir, "forecast.csv", &forecast());

    // City alerts as known on 18 Dec 16:00 (the 2022 trial plan in force).
    let out = ok(&db, &["alert", "evaluate", "--forecast", &f, "--at", "2022-12-18T16:00", "--format", "csv"]);
    let rows = csv_rows(&out);
    let find = |c: &str| rows.iter().find(|r| r["city"].starts_with(c)).unwrap_or_else(|| panic!("{c} in {out}"));
    let cd = find("成都");
    assert_eq!(
        (cd["level"].as_str(), cd["start_date"].as_str(), cd["end_date"].as_str()),
        ("orange", "2022-12-19", "2022-12-22"),
        "{out}"
    );
    assert_eq!((cd["heavy_days"].as_str(), cd["severe_days"].as_str()), ("4", "1"));
    assert_eq!(cd["trigger_days"], "12-19:230 12-20:260 12-21:310 12-22:240");
    assert_eq!(cd["rule_set"], "sichuan-2022");
    let dy = find("德阳");
    assert_eq!(
        (dy["level"].as_str(), dy["start_date"].as_str(), dy["end_date"].as_str()),
        ("yellow", "2022-12-19", "2022-12-21")
    );
    assert_eq!(find("乐山")["level"], "", "one day > 200 is no alert under the 2022 plan");

    // The same forecast under the 2016 plan: 乐山's single day > 200 is a blue alert.
    let out16 =
        ok(&db, &["alert", "evaluate", "--at", "2022-12-18T16:00", "--rules", "sichuan-2016", "--format", "csv"]);
    let ls = csv_rows(&out16).into_iter().find(|r| r["city"].starts_with("乐山")).expect("乐山");
    assert_eq!((ls["level"].as_str(), ls["start_date"].as_str()), ("blue", "2022-12-19"));

    // Regional: 成都 with 德阳, 眉山, 资阳, 雅安 (its neighbours) and 绵阳 (德阳's) are six contiguous
    // cities at yellow or above: a regional yellow alert; the 成都平原 joint-control region has 6 of 8
    // members on alert (a contiguous majority): yellow, led by 成都.
    let json: serde_json::Value =
        serde_json::from_str(&ok(&db, &["alert", "evaluate", "--at", "2022-12-18T16:00", "--format", "json"]))
            .expect("json");
    let regional = json["regional"].as_array().expect("regional");
    assert!(
        regional.iter().any(|r| r["level"] == "yellow" && r["members"].as_array().is_some_and(|m| m.len() >= 5)),
        "{regional:?}"
    );
    let joint = json["joint_control"].as_array().expect("joint");
    assert!(joint.iter().any(|r| r["lead_city"] == 510100 && r["level"] == "yellow"), "{joint:?}");

    // The provincial alert letter at the first consultation recommends 成都 orange and five cities yellow
    // from 00:00 of 19 Dec.
    let letter = csv_rows(&ok(&db, &["alert", "letter", "--at", "2022-12-18T16:00", "--format", "csv"]));
    assert_eq!(letter.len(), 6, "{letter:?}");
    assert!(letter
        .iter()
        .any(|r| r["city"].starts_with("成都") && r["level"] == "orange" && r["from"] == "2022-12-19T00:00:00+08:00"));

    // Record the life of every alert up to 25 Dec: 成都 start orange 18 Dec, raise red 20 Dec, lift 24 Dec.
    let rec = ok(&db, &["alert", "evaluate", "--at", "2022-12-25T00:00", "--record", "--by", "省专班值班员"]);
    assert!(rec.contains("recorded in the alert log"), "{rec}");
    let log = csv_rows(&ok(&db, &["alert", "log", "--city", "成都", "--format", "csv"]));
    let actions: Vec<(String, String)> = log.iter().map(|r| (r["action"].clone(), r["level_to"].clone())).collect();
    assert_eq!(
        actions,
        vec![("start".into(), "orange".into()), ("raise".into(), "red".into()), ("lift".into(), String::new())]
    );
    assert!(log.iter().all(|r| r["actor"] == "省专班值班员"));
    assert!(log[0]["evidence"].contains("2022-12-18T16:00"), "{}", log[0]["evidence"]);
    // The 成都平原 joint-control region (lead 成都): on alert from the first issuance (six of its eight
    // cities at yellow or above), lifted on 24 Dec when no regional alert reaches that day any more.
    let region = csv_rows(&ok(&db, &["alert", "log", "--format", "csv"]));
    let region: Vec<(String, String)> = region
        .iter()
        .filter(|r| r["scope"] == "region:成都平原")
        .map(|r| (r["action"].clone(), r["at"].clone()))
        .collect();
    assert_eq!(
        region,
        vec![("start".into(), "2022-12-18T16:00:00+08:00".into()), ("lift".into(), "2022-12-24T10:00:00+08:00".into())]
    );
    // Repeating the record adds nothing.
    let again = ok(&db, &["alert", "evaluate", "--at", "2022-12-25T00:00", "--record", "--by", "省专班值班员"]);
    assert!(again.contains(": 0 new entries"), "{again}");
    // Status on 21 Dec: 成都 red; after the lift on 24 Dec 10:00 it is gone.
    let st = csv_rows(&ok(&db, &["alert", "status", "--at", "2022-12-21T08:00", "--format", "csv"]));
    assert!(st.iter().any(|r| r["city"].starts_with("成都") && r["level"] == "red"), "{st:?}");
    let st = ok(&db, &["alert", "status", "--at", "2022-12-24T12:00", "--format", "csv"]);
    assert!(!st.contains("成都"), "{st}");

    // Control list of 成都 at orange.
    for (name, body) in [
        ("enterprises.csv", enterprises()),
        ("measures.csv", measures()),
        ("inventory.csv", INVENTORY.to_string()),
        ("city-measures.csv", CITY_MEASURES.to_string()),
        ("power.csv", power()),
        ("visits.csv", VISITS.to_string()),
    ] {
        let p = write(&dir, name, &body);
        ok(&db, &["import", &p]);
    }
    let xlsx = dir.0.join("list.xlsx");
    let cl: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &[
            "control-list",
            "--city",
            "成都",
            "--level",
            "orange",
            "--year",
            "2022",
            "--format",
            "json",
            "--xlsx",
            &xlsx.display().to_string(),
        ],
    ))
    .expect("json");
    let rows = cl["adequacy"]["rows"].as_array().expect("rows");
    let pct: Vec<&str> = rows.iter().map(|r| r["ratio_pct"].as_str().unwrap_or("")).collect();
    assert_eq!(pct, vec!["21.0", "21.0", "21.0", "17.5"]);
    assert_eq!(cl["adequacy"]["pass"], false);
    let flags = cl["flags"].as_array().expect("flags");
    assert!(flags.iter().any(|f| f["credit_code"] == A_FORCED), "{flags:?}");
    assert!(!flags.iter().any(|f| f["credit_code"] == A_OK), "{flags:?}");
    let bytes = std::fs::read(&xlsx).expect("xlsx written");
    assert!(bytes.starts_with(b"PK"));
    // A city that asks only 15 % VOCs at orange: 17.5 % now passes (targets as data).
    let custom = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../lantian-core/rules/reduction-targets-2018.toml"
    ))
    .expect("targets file")
    .replace(
        "[orange]\nso2 = \"20\"\nnox = \"20\"\npm = \"20\"\nvocs = \"20\"",
        "[orange]\nso2 = \"20\"\nnox = \"20\"\npm = \"20\"\nvocs = \"15\"",
    );
    assert!(custom.contains("vocs = \"15\""));
    let tf = write(&dir, "targets.toml", &custom);
    let cl2: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &[
            "control-list",
            "--city",
            "成都",
            "--level",
            "orange",
            "--year",
            "2022",
            "--targets",
            &tf,
            "--format",
            "json",
        ],
    ))
    .expect("json");
    assert_eq!(cl2["adequacy"]["pass"], true, "{}", cl2["adequacy"]);
    let bad = write(&dir, "bad.toml", "[targets]\nid = 1\n");
    let o = lantian(&db, &["control-list", "--city", "成都", "--level", "orange", "--year", "2022", "--targets", &bad]);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("bad.toml"), "{o:?}");
    let table = ok(&db, &["control-list", "--city", "成都", "--level", "橙色", "--year", "2022"]);
    assert!(table.contains("不足 FAIL") && table.contains("一刀切"), "{table}");

    // Compliance during the recorded responses.
    let c: serde_json::Value = serde_json::from_str(&ok(&db, &["compliance", "--format", "json"])).expect("json");
    let ents = c["enterprises"].as_array().expect("enterprises");
    let suspected = |code: &str| {
        ents.iter()
            .filter(|e| e["credit_code"] == code)
            .any(|e| e["reports"].as_array().is_some_and(|r| r.iter().any(|x| !x["lead"].is_null())))
    };
    assert!(suspected(B_RUNS), "B kept running: {c}");
    assert!(!suspected(D_STOPS), "D stopped");
    // Pairing duty: 成都 had its 厅级 visit; 德阳's response had only a 处级 visit.
    let missing = c["pairing_duty"]["missing"].as_array().expect("missing");
    assert!(missing.iter().any(|m| m["response"]["city"] == 510600), "{missing:?}");
    assert!(!missing.iter().any(|m| m["response"]["city"] == 510100), "{missing:?}");
    let txt = ok(&db, &["compliance", "--xlsx", &dir.0.join("c.xlsx").display().to_string()]);
    assert!(txt.contains("疑似未落实") && txt.contains("成都乙水泥有限公司"), "{txt}");

    // The API serves the same JSON as the CLI (one code path).
    let cli_eval: serde_json::Value =
        serde_json::from_str(&ok(&db, &["alert", "evaluate", "--at", "2022-12-18T16:00", "--format", "json"]))
            .expect("json");
    let cli_list: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &["control-list", "--city", "成都", "--level", "orange", "--year", "2022", "--format", "json"],
    ))
    .expect("json");
    let mut server = Server::start(&db);
    // The restricted parts are read as the province (issue 12 §1; the access matrix is in access.rs).
    let reader = admin_read_token(&db);
    let (status, api_eval) = get_as(&server.base, "/api/v1/alerts/evaluation?at=2022-12-18T16:00", &reader);
    assert_eq!(status, 200);
    assert_eq!(api_eval, cli_eval);
    let (_, api_list) = get_as(&server.base, "/api/v1/control-lists?city=510100&level=orange&year=2022", &reader);
    assert_eq!(api_list, cli_list);
    let (_, api_c) = get_as(&server.base, "/api/v1/compliance", &reader);
    assert_eq!(api_c, c);
    let (_, st) = get_as(&server.base, "/api/v1/alerts?at=2022-12-21T08:00", &reader);
    assert_eq!(st["active"].as_array().map(|a| a.iter().any(|x| x["level"] == "red")), Some(true), "{st}");
    let (status, err) = get_as(&server.base, "/api/v1/control-lists?city=510100&level=purple&year=2022", &reader);
    assert_eq!(status, 400, "{err}");
    assert!(err["error"]["message"].as_str().is_some_and(|e| e.contains("purple")), "{err}");
    let page = |path: &str| -> (u16, String) { get_text_as(&server.base, path, &reader) };
    let (s1, html) = page("/alerts?at=2022-12-21T08:00");
    assert_eq!(s1, 200);
    assert!(html.contains("生效中的预警") && html.contains("红色") && html.contains("成都"), "{html}");
    assert!(
        html.contains("/alerts/control-list?city=510100&amp;level=red")
            || html.contains("/alerts/control-list?city=510100&level=red"),
        "{html}"
    );
    let (_, en) = page("/alerts?at=2022-12-18T16:00&lang=en");
    assert!(en.contains("Latest forecast evaluation") && en.contains("orange"), "{en}");
    let (s2, list_html) = page("/alerts/control-list?city=510100&level=orange&year=2022");
    assert_eq!(s2, 200);
    assert!(list_html.contains("17.5") && list_html.contains("成都戊水泥有限公司"), "{list_html}");
    server.stop();
}

#[test]
fn bad_emergency_inputs_are_rejected_whole() {
    let dir = TempDir::new("emergency-bad");
    let db = dir.db();
    let good = write(&dir, "f.csv", "city,issued_at,date,aqi\n成都,2022-12-18T16:00,2022-12-19,230\n");
    ok(&db, &["import", &good]);
    let counts = |db: &str| ok(db, &["alert", "evaluate", "--format", "csv"]);
    let before = counts(&db);
    let cases: [(&str, String, &str); 7] = [
        (
            "aqi.csv",
            "city,issued_at,date,aqi\n成都,2022-12-18T16:00,2022-12-20,230\n成都,2022-12-18T16:00,2022-12-21,5x\n"
                .into(),
            "aqi.csv:3:4",
        ),
        (
            "overlap.csv",
            "city,issued_at,date,aqi\n成都,2022-12-18T16:00,2022-12-19,250\n".into(),
            "overlapping forecasts",
        ),
        ("city.csv", "city,issued_at,date,aqi\n火星,2022-12-18T16:00,2022-12-19,250\n".into(), "unknown city"),
        ("code.csv", format!("credit_code,name,city,industry,grade\n{}X,某公司,成都,水泥,A\n", &A_OK[..17]), "check"),
        (
            "industry.csv",
            format!("credit_code,name,city,industry,grade\n{A_OK},某公司,成都,造纸,A\n"),
            "unknown industry",
        ),
        ("grade.csv", format!("credit_code,name,city,industry,grade\n{A_OK},某公司,成都,砖瓦窑,A\n"), "grade"),
        ("measure.csv", format!("credit_code,level,line,action\n{A_OK},orange,熟料线,stop\n"), "unknown enterprise"),
    ];
    for (name, body, want) in cases {
        let p = write(&dir, name, &body);
        let o = lantian(&db, &["import", &p]);
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(!o.status.success() || text.contains("rejected"), "{name} accepted: {text}");
        assert!(text.contains(want), "{name}: expected {want:?} in {text}");
        assert!(!text.contains("panicked"), "{text}");
    }
    assert_eq!(counts(&db), before, "rejected files changed the store");
    // Re-importing the good file changes nothing.
    let o = ok(&db, &["import", &good]);
    assert!(o.contains("unchanged"), "{o}");
}

/// The text in parentheses after `label` in the synth summary: `name (CODE, city)` → `CODE`.
/// Issue 11 §3.11: `alert evaluate --record` appends all its entries in one transaction. A failure is
/// injected on the fourth entry (a trigger in the store that aborts an insert once three entries are
/// in the log): the command fails and the log holds none of its entries — entry by entry, three would
/// have stayed. Without the trigger the same command records them all.
#[test]
fn recording_the_alert_life_is_one_transaction() {
    let dir = TempDir::new("alert-tx");
    let db = dir.sqlite_db();
    let f = write(&dir, "forecast.csv", &forecast());
    ok(&db, &["import", &f]);
    let path = dir.0.join("t.db");
    let count = || -> i64 {
        let c = rusqlite::Connection::open(&path).expect("open");
        c.query_row("SELECT count(*) FROM alert_event", [], |r| r.get(0)).expect("count")
    };
    rusqlite::Connection::open(&path)
        .expect("open")
        .execute_batch(
            "CREATE TRIGGER inject_failure BEFORE INSERT ON alert_event \
             WHEN (SELECT count(*) FROM alert_event) >= 3 \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .expect("trigger");
    let args = ["alert", "evaluate", "--at", "2022-12-25T00:00", "--record", "--by", "值班员"];
    let o = lantian(&db, &args);
    assert!(!o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stderr).contains("injected failure"), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(count(), 0, "a failed recording leaves the log as it was");
    rusqlite::Connection::open(&path).expect("open").execute_batch("DROP TRIGGER inject_failure;").expect("drop");
    let out = ok(&db, &args);
    let n: i64 = out
        .lines()
        .find(|l| l.contains("recorded in the alert log"))
        .and_then(|l| l.split(": ").nth(1))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("entry count in {out}"));
    // 成都 start, raise, lift; five cities start and lift; the 成都平原 region start and lift: well over three.
    assert!(n > 3, "{out}");
    assert_eq!(count(), n);
}

fn summary_code(summary: &str, label: &str) -> String {
    let line = summary.lines().find(|l| l.contains(label)).unwrap_or_else(|| panic!("{label} in {summary}"));
    let inside = line.rsplit_once('(').map(|(_, r)| r).unwrap_or("");
    inside.split([',', ')']).next().unwrap_or("").trim().to_string()
}

/// The demonstration province end to end: the synthetic response was built with deliberate cases (the
/// synth summary names them); the platform, reading only the imported files, must find exactly those —
/// one suspected enterprise, one inadequate city list, one one-size-fits-all measure, one paired city
/// without a 厅级 leader — and nothing else.
#[test]
fn demonstration_response_finds_exactly_the_deliberate_cases() {
    let dir = TempDir::new("emergency-demo");
    let db = dir.db();
    let data = dir.0.join("data").display().to_string();
    let summary = ok(&db, &["synth", "--out", &data, "--days", "92", "--start", "2022-10-01"]);
    ok(&db, &["import", &data]);
    let keeps_running = summary_code(&summary, "keeps running");
    let one_size = summary_code(&summary, "one-size-fits-all");
    let inadequate = summary
        .lines()
        .find(|l| l.contains("inadequate lists"))
        .and_then(|l| l.split(':').nth(1))
        .and_then(|r| r.split_whitespace().next())
        .expect("inadequate city")
        .to_string();
    let episode_end = summary
        .lines()
        .find(|l| l.contains("episode"))
        .and_then(|l| l.split('…').nth(1))
        .and_then(|r| r.split(',').next())
        .map(str::trim)
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .expect("episode end");
    let until = format!("{}T00:00", episode_end + chrono::Duration::days(4));
    ok(&db, &["alert", "evaluate", "--at", &until, "--record", "--by", "test"]);

    let c: serde_json::Value = serde_json::from_str(&ok(&db, &["compliance", "--format", "json"])).expect("json");
    let mut suspected: Vec<String> = c["enterprises"]
        .as_array()
        .expect("enterprises")
        .iter()
        .filter(|e| e["reports"].as_array().is_some_and(|r| r.iter().any(|x| !x["lead"].is_null())))
        .map(|e| e["credit_code"].as_str().unwrap_or("").to_string())
        .collect();
    suspected.dedup();
    assert_eq!(suspected, vec![keeps_running.clone()], "{summary}");
    assert_eq!(c["pairing_duty"]["missing"].as_array().map(Vec::len), Some(1), "{}", c["pairing_duty"]);

    for level in ["yellow", "orange", "red"] {
        let l: serde_json::Value = serde_json::from_str(&ok(
            &db,
            &["control-list", "--city", &inadequate, "--level", level, "--format", "json"],
        ))
        .expect("json");
        assert_eq!(l["adequacy"]["pass"], false, "{inadequate} {level}: {}", l["adequacy"]);
    }
    let mut flagged = Vec::new();
    for city in lantian_core::regions::cities::SICHUAN_CITIES.iter() {
        let l: serde_json::Value = serde_json::from_str(&ok(
            &db,
            &["control-list", "--city", &city.code.to_string(), "--level", "orange", "--format", "json"],
        ))
        .expect("json");
        if city.short != inadequate {
            assert_ne!(l["adequacy"]["pass"], false, "{}: {}", city.short, l["adequacy"]);
        }
        for f in l["flags"].as_array().into_iter().flatten() {
            flagged.push(f["credit_code"].as_str().unwrap_or("").to_string());
        }
    }
    assert_eq!(flagged, vec![one_size], "{summary}");
}

/// A level raised by hand takes effect by the rule set's raising rule, worked by hand on the
/// demonstration episode. 成都's forecast issued 27 Nov 16:00 has 29 Nov 211 and 30 Nov 209 (two
/// days above 200): yellow, its measures from 00:00 of the first heavy day, 29 Nov. The city raises to orange
/// on 30 Nov 10:00; under the 2022 plan a raised level's measures take effect from 00:00 of the day
/// after the decision (`rules/alert-sichuan-2022.toml` `[raising]`): 1 Dec 00:00. Until then the
/// yellow plan applies: /alerts shows yellow in force on 30 Nov 12:00 with orange from 1 Dec, and
/// compliance judges 成都's plants against yellow from 29 Nov 00:00 to 1 Dec 00:00 and against
/// orange from 1 Dec 00:00 to the lift in the log.
#[test]
fn a_raised_level_takes_effect_by_the_rule_on_the_demo_episode() {
    let dir = TempDir::new("emergency-raise");
    let db = dir.db();
    let data = dir.0.join("data").display().to_string();
    ok(&db, &["synth", "--out", &data, "--days", "92", "--start", "2022-10-01"]);
    ok(&db, &["import", &data]);
    let forecast = std::fs::read_to_string(dir.0.join("data/emergency/05-forecast.csv")).expect("forecast");
    for row in ["成都,2022-11-27T16:00+08:00,2022-11-29,211,", "成都,2022-11-27T16:00+08:00,2022-11-30,209,"] {
        assert!(forecast.contains(row), "the demonstration forecast changed: {row}");
    }
    ok(&db, &["alert", "evaluate", "--at", "2022-12-05T00:00", "--record", "--by", "值班员"]);
    let raised = raise_chengdu_by_hand(&db);
    assert!(raised.contains("措施自 2022-12-01 00:00 起执行"), "{raised}");

    let status = |at: &str| -> serde_json::Value {
        let v: serde_json::Value =
            serde_json::from_str(&ok(&db, &["alert", "status", "--at", at, "--format", "json"])).expect("json");
        v.as_array().expect("active").iter().find(|a| a["city"] == "成都").cloned().expect("成都 active")
    };
    let cd = status("2022-11-30T12:00");
    assert_eq!(cd["level"], "orange");
    assert_eq!(cd["since"], "2022-11-30T10:00:00+08:00");
    assert_eq!(cd["effective_from"], "2022-12-01T00:00:00+08:00");
    assert_eq!(cd["in_effect"], "yellow", "{cd}");
    let steps: Vec<(String, String)> = cd["levels"]
        .as_array()
        .expect("levels")
        .iter()
        .map(|s| (s["level"].as_str().unwrap_or("").into(), s["effective_from"].as_str().unwrap_or("").into()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("yellow".into(), "2022-11-29T00:00:00+08:00".into()),
            ("orange".into(), "2022-12-01T00:00:00+08:00".into())
        ]
    );
    assert_eq!(status("2022-12-01T08:00")["in_effect"], "orange");

    // The lift of 成都's alert, as the log holds it.
    let log: serde_json::Value =
        serde_json::from_str(&ok(&db, &["alert", "log", "--city", "成都", "--format", "json"])).expect("json");
    let lift = log
        .as_array()
        .expect("log")
        .iter()
        .find(|e| e["action"] == "lift")
        .map(|e| e["at"].as_str().unwrap_or("").to_string())
        .expect("a lift");
    let c: serde_json::Value =
        serde_json::from_str(&ok(&db, &["compliance", "--city", "成都", "--format", "json"])).expect("json");
    let windows: Vec<(String, String, String)> = c["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .map(|r| {
            (
                r["level"].as_str().unwrap_or("").into(),
                r["from"].as_str().unwrap_or("").into(),
                r["to"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        windows,
        vec![
            ("yellow".into(), "2022-11-29T00:00:00+08:00".into(), "2022-12-01T00:00:00+08:00".into()),
            ("orange".into(), "2022-12-01T00:00:00+08:00".into(), lift.clone()),
        ]
    );
    // Every plant judged at orange is judged only from 1 Dec 00:00.
    let ents = c["enterprises"].as_array().expect("enterprises");
    assert!(ents.iter().any(|e| e["response"]["level"] == "orange"));
    for e in ents {
        for r in e["reports"].as_array().expect("reports") {
            for p in r["points"].as_array().into_iter().flatten() {
                let t = p["start"].as_str().unwrap_or("");
                if r["level"] == "orange" {
                    assert!(t >= "2022-12-01T00:00:00+08:00", "{t} judged at orange");
                } else {
                    assert!(t < "2022-12-01T00:00:00+08:00", "{t} judged at yellow");
                }
            }
        }
    }

    // The page shows, per level, since when its measures are in force, and the rule with its mark.
    let mut server = Server::start(&db);
    let mut r = common::agent().get(&format!("{}/alerts?at=2022-11-30T12:00", server.base)).call().expect("page");
    let html = r.body_mut().read_to_string().expect("body");
    let row = html.split("<tr>").find(|r| r.contains("成都</td>")).unwrap_or_else(|| panic!("成都 row: {html}"));
    assert!(row.contains("黄色 11-29 00:00起"), "{row}");
    assert!(row.contains("橙色 12-01 00:00起（未生效）"), "{row}");
    assert!(
        html.contains("升级决定次日0时起执行新级别措施")
            && html.contains("未见原文，把握较小，待核实")
            && !html.contains("[U-low]"),
        "{html}"
    );
    // In English: the rule and its confidence in words, the cities and regions by their English names.
    let mut r =
        common::agent().get(&format!("{}/alerts?at=2022-11-30T12:00&lang=en", server.base)).call().expect("page");
    let en = r.body_mut().read_to_string().expect("body");
    assert!(
        en.contains("apply from 00:00 the day after the decision") && en.contains("official text not found"),
        "{en}"
    );
    assert!(en.contains("<td>Chengdu</td>") && !en.contains("牵头") && !en.contains("升级"), "{en}");
    server.stop();
}

/// `lantian demo` records the decisions of its heavy-pollution episode (issue 14 item 1): the alert log
/// holds a start and a lift for every city the episode put on alert, by the demonstration's duty officer,
/// and `/alerts` shows the log instead of "the alert log is empty". The demo writes its own SQLite store.
#[test]
fn the_demo_records_its_episode() {
    let t = TempDir::new("demo-alerts");
    let dir = t.0.join("demo");
    let o = Command::new(env!("CARGO_BIN_EXE_lantian"))
        .args(["demo", "--dir", &dir.display().to_string(), "--days", "92", "--start", "2022-10-01", "--no-serve"])
        .output()
        .expect("run demo");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("预警台账 alert log: 记入演示过程的"), "{stdout}");
    let db = format!("sqlite:{}", dir.join("lantian.db").display());
    let log = ok(&db, &["alert", "log", "--format", "csv"]);
    let rows: Vec<&str> = log.lines().skip(1).collect();
    let starts = rows.iter().filter(|r| r.contains(",start,")).count();
    let lifts = rows.iter().filter(|r| r.contains(",lift,")).count();
    assert!(starts >= 5, "at least five cities on alert: {log}");
    assert!(lifts >= starts, "every alert lifted: {log}");
    assert!(rows.iter().all(|r| r.contains("演示值班员")), "{log}");
    // The demonstration's work (issue 15): closed, returned, delegated and open items, and a lead review
    // for the deliberately suspected enterprise.
    assert!(stdout.contains("督办事项 work items:"), "{stdout}");
    let items: serde_json::Value =
        serde_json::from_str(&ok(&db, &["work", "list", "--at", "2023-01-01T00:00", "--format", "json"]))
            .expect("json");
    let items = items.as_array().expect("items");
    let states: Vec<&str> = items.iter().filter_map(|i| i["state"].as_str()).collect();
    for s in ["closed", "signed", "delegated", "issued", "clue_opened"] {
        assert!(states.contains(&s), "a {s} item: {states:?}");
    }
    assert!(items.iter().any(|i| i["kind"] == "lead_review"), "a lead review");
    assert!(items.iter().any(|i| i["returns"] == 1), "a returned item");
    assert_eq!(items.iter().filter(|i| i["parent_id"].is_number()).count(), 2, "two districts' items");
    let token = admin_read_token(&db);
    let mut server = Server::start(&db);
    let (s, page) = get_text_as(&server.base, "/alerts", &token);
    assert_eq!(s, 200);
    assert!(!page.contains("预警台账为空"), "{page:.800}");
    assert!(server.stop().success());
}
