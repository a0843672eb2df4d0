//! Output conventions (issue 11 §3.2, §3.6) through the real binary on the demonstration province:
//! Chinese tables and pages show Chinese words, never internal codes; CSV and JSON use one lowercase
//! spelling per code, the same in the CLI and the API; JSON numbers are numbers where the API writes
//! numbers; times are ISO 8601 with `+08:00`; evidence is a JSON object.

mod common;

use common::{admin_read_token, get, get_as, get_text_as, ok, raise_chengdu_by_hand, Server, TempDir};

/// The demonstration province of October–December 2022 (its heavy-pollution episode of 29 Nov – 1 Dec),
/// the alert log recorded up to 5 Dec, and one decision taken by hand: 成都 raised to orange on
/// 30 Nov 10:00.
fn demo_store(dir: &TempDir) -> String {
    let db = dir.db();
    let data = dir.0.join("data").display().to_string();
    ok(&db, &["synth", "--out", &data, "--days", "92", "--start", "2022-10-01"]);
    ok(&db, &["import", &data]);
    ok(&db, &["alert", "evaluate", "--at", "2022-12-05T00:00", "--record", "--by", "省专班值班员"]);
    raise_chengdu_by_hand(&db);
    db
}

/// A CamelCase word (an enum name such as `DayAtRisk`, `ChengduPlain`, `PowerQuarterHour`).
fn camel_case(line: &str) -> Option<String> {
    line.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .find(|w| {
            let b = w.as_bytes();
            b.len() >= 4
                && b[0].is_ascii_uppercase()
                && b[1].is_ascii_lowercase()
                && b[2..].iter().any(u8::is_ascii_uppercase)
        })
        .map(str::to_string)
}

/// What in one line of a Chinese table is an internal code: a CamelCase enum name, an indicator code
/// (`PM2_5_1H`, `o3_8h`), a scope key (`city:510100`, `region:`), a list of GB/T 2260 codes, or an
/// alert level or action code standing as a cell.
fn internal_code(line: &str) -> Option<String> {
    if let Some(w) = camel_case(line) {
        return Some(w);
    }
    for pat in [
        "_1H",
        "_24H",
        "_8H",
        "_1h",
        "_24h",
        "_8h",
        "city:",
        "region:",
        "Y2012",
        "y2012",
        "stations:",
        "standards.md",
        "assessment.md",
        "ranking.md",
        "management.md",
        "emergency.md",
        "glossary.md",
    ] {
        if line.contains(pat) {
            return Some(pat.to_string());
        }
    }
    let digits: Vec<&str> = line.split(|c: char| !c.is_ascii_digit() && c != ',').collect();
    if digits.iter().any(|w| w.split(',').filter(|x| x.len() == 6).count() >= 2) {
        return Some("a list of city codes".into());
    }
    let cells: Vec<&str> = line.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
    for code in [
        "start",
        "raise",
        "lower",
        "lift",
        "blue",
        "yellow",
        "orange",
        "red",
        "iii",
        "ii",
        "good",
        "light",
        "excellent",
    ] {
        if cells.contains(&code) {
            return Some(code.to_string());
        }
    }
    None
}

#[test]
fn the_scan_finds_the_codes_it_looks_for() {
    for bad in [
        "南充    2023-01-01T23:00  PM2.5  —  无目标  DayAtRisk",
        "1431A  成都  2022-12-31  PM2_5_1H  120",
        "连片区域      510100,510300,510600  黄色预警",
        "成都  city:510100  start  yellow",
        "成都  2022-11-27T16:00  start       —  黄色预警",
        "成都  2022-12-30  stations:14",
    ] {
        assert!(internal_code(bad).is_some(), "{bad}");
    }
    for good in [
        "成都  2022-11-27 16:00  启动  —  黄色预警  2022-11-29 00:00  值班员",
        "1431A  金泉两河  成都  2022-12-31 01:00  120  3  轻度污染  PM2.5  3  71  1.5",
        "在线监测 CEMS SO2 kg/h  NOx  VOCs  kWh",
        "疑似未落实 suspected non-compliance (enforcement leads 线索): 1",
    ] {
        assert_eq!(internal_code(good), None, "{good}");
    }
}

/// The Chinese tables of the main commands on the demonstration province show no internal code.
#[test]
fn chinese_outputs_show_no_internal_codes() {
    let dir = TempDir::new("outputs-zh");
    let db = demo_store(&dir);
    let commands: Vec<Vec<&str>> = vec![
        vec!["stations", "--city", "成都"],
        vec!["aqi", "--hourly", "--station", "1431A", "--from", "2022-11-30", "--to", "2022-11-30"],
        vec!["aqi", "--hourly", "--level", "city", "--city", "成都", "--from", "2022-11-30", "--to", "2022-11-30"],
        vec!["aqi", "--daily", "--station", "1431A", "--from", "2022-11-28", "--to", "2022-12-02"],
        vec!["aqi", "--daily", "--level", "city", "--from", "2022-11-28", "--to", "2022-12-02"],
        vec!["assess", "--period", "2022-11"],
        vec!["rank", "--period", "2022-11"],
        vec!["alert", "rules"],
        vec!["alert", "evaluate", "--at", "2022-11-28T16:00"],
        vec!["alert", "letter", "--at", "2022-11-27T16:00"],
        vec!["alert", "status", "--at", "2022-11-30T12:00"],
        vec!["alert", "log"],
        vec!["control-list", "--city", "成都", "--level", "orange"],
        vec!["compliance"],
        vec!["budget", "--city", "成都", "--at", "2022-11-30T12:00"],
        vec!["budget", "--all", "--at", "2022-11-30T12:00"],
        vec!["points", "--period", "2022-11"],
        vec!["points", "--period", "2022-11", "--explain", "成都"],
        vec!["yuetan", "--at", "2022-12-31"],
        vec!["incentives", "--year", "2022"],
        vec!["targets", "--at", "2022-11-30"],
    ];
    let mut found = Vec::new();
    for args in &commands {
        let out = ok(&db, args);
        assert!(out.lines().count() > 2, "{args:?} printed almost nothing:\n{out}");
        for line in out.lines() {
            if let Some(code) = internal_code(line) {
                found.push(format!("lantian {}: {code}: {line}", args.join(" ")));
            }
        }
    }
    assert!(found.is_empty(), "internal codes in Chinese output:\n{}", found.join("\n"));

    // The pages: the station page and /alerts.
    let mut server = Server::start(&db);
    // As the province: /alerts then shows who decided and the forecast evaluation too.
    let reader = admin_read_token(&db);
    for path in [
        "/stations/1431A?date=2022-11-30",
        "/alerts?at=2022-11-30T12:00",
        "/",
        "/ranking?period=2022-11",
        "/points?period=2022-11",
        "/cities/成都?year=2022",
    ] {
        let (status, html) = get_text_as(&server.base, path, &reader);
        assert_eq!(status, 200, "{path}");
        // Text between tags only (attributes may carry codes for scripts: data-level="orange"), without
        // the style sheet and scripts.
        let mut html = html;
        for tag in ["style", "script"] {
            while let Some(a) = html.find(&format!("<{tag}")) {
                let Some(b) = html[a..].find(&format!("</{tag}>")) else { break };
                html.replace_range(a..a + b + tag.len() + 3, "");
            }
        }
        let text: String =
            html.split('<').filter_map(|chunk| chunk.split_once('>').map(|(_, t)| t)).collect::<Vec<_>>().join("  ");
        for line in text.lines() {
            if let Some(code) = internal_code(line) {
                found.push(format!("{path}: {code}: {line}"));
            }
        }
    }
    server.stop();
    assert!(found.is_empty(), "internal codes on pages:\n{}", found.join("\n"));
}

fn json(db: &str, args: &[&str]) -> serde_json::Value {
    let out = ok(db, args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"))
}

/// Every key of the API's object has the same value (and so the same JSON type) in the CLI's.
fn same_fields(api: &serde_json::Value, cli: &serde_json::Value, what: &str) {
    let a = api.as_object().unwrap_or_else(|| panic!("{what}: API row is not an object: {api}"));
    for (k, v) in a {
        assert_eq!(&cli[k], v, "{what}: {k} — API {api}\nCLI {cli}");
    }
}

/// A time in a machine format: ISO 8601 with `+08:00`.
fn beijing(v: &serde_json::Value, what: &str) {
    let s = v.as_str().unwrap_or_else(|| panic!("{what}: not a string: {v}"));
    assert!(s.len() == 25 && s.ends_with("+08:00") && s.as_bytes()[10] == b'T', "{what}: {s}");
}

/// The CLI's `--format json` and the API write the same rows with the same codes, numbers and times.
#[test]
fn api_and_cli_json_spell_each_code_the_same() {
    let dir = TempDir::new("outputs-json");
    let db = demo_store(&dir);
    let mut server = Server::start(&db);
    let base = server.base.clone();
    let reader = admin_read_token(&db);

    // Hourly AQI: the primary pollutant is `pm2_5_1h`, the category `light`, numbers are numbers.
    let cli = json(
        &db,
        &["aqi", "--hourly", "--station", "1431A", "--from", "2022-11-30", "--to", "2022-11-30", "--format", "json"],
    );
    let (s, api) = get(&base, "/api/v1/aqi/hourly?station=1431A&from=2022-11-30&to=2022-11-30");
    assert_eq!(s, 200, "{api}");
    let (cli, api) = (cli.as_array().expect("rows"), api["items"].as_array().expect("items"));
    assert_eq!(cli.len(), api.len());
    assert_eq!(cli.len(), 24);
    for (a, c) in api.iter().zip(cli) {
        same_fields(a, c, "aqi --hourly");
        beijing(&c["time"], "hourly time");
        assert!(c["level"].is_u64() && c["aqi"].is_u64(), "{c}");
        for p in c["primary"].as_array().expect("primary") {
            let p = p.as_str().expect("code");
            assert!(["so2_1h", "no2_1h", "co_1h", "o3_1h", "pm10_1h", "pm2_5_1h"].contains(&p), "{p}");
        }
        let cat = c["category"].as_str().expect("category");
        assert!(["excellent", "good", "light", "moderate", "heavy", "severe"].contains(&cat), "{cat}");
        assert_eq!(c["standard"], "y2012");
    }
    assert!(cli.iter().any(|c| c["primary"] == serde_json::json!(["pm2_5_1h"])), "{cli:?}");

    // Daily values of stations and of cities.
    let cli = json(
        &db,
        &["aqi", "--daily", "--station", "1431A", "--from", "2022-11-28", "--to", "2022-12-02", "--format", "json"],
    );
    let (_, api) = get(&base, "/api/v1/aqi/daily?level=station&station=1431A&from=2022-11-28&to=2022-12-02");
    for (a, c) in api["items"].as_array().expect("items").iter().zip(cli.as_array().expect("rows")) {
        same_fields(a, c, "aqi --daily --level station");
        assert!(c["level"].is_u64(), "{c}");
    }
    let cli = json(
        &db,
        &["aqi", "--daily", "--level", "city", "--from", "2022-11-28", "--to", "2022-12-02", "--format", "json"],
    );
    let (_, api) = get(&base, "/api/v1/aqi/daily?level=city&from=2022-11-28&to=2022-12-02");
    let (cli, api) = (cli.as_array().expect("rows"), api["items"].as_array().expect("items"));
    assert_eq!(cli.len(), api.len());
    for (a, c) in api.iter().zip(cli) {
        same_fields(a, c, "aqi --daily --level city");
        assert!(c["city_code"].is_u64() && c["level"].is_u64(), "{c}");
        for p in c["primary"].as_array().expect("primary") {
            assert!(p.as_str().is_some_and(|p| p.ends_with("_24h") || p == "o3_8h"), "{p}");
        }
    }

    // Rankings: ranks, counts and codes are numbers, `attained` a boolean, the main pollutants
    // lowercase codes in an array, the exact decimals strings — as the API writes them.
    let cli = json(&db, &["rank", "--period", "2022-11", "--format", "json"]);
    let (_, api) = get(&base, "/api/v1/rankings?period=2022-11");
    let cli = cli.as_array().expect("rows");
    for a in api["rows"].as_array().expect("rows") {
        let c = cli.iter().find(|c| c["city_code"] == a["city_code"]).unwrap_or_else(|| panic!("{a} in {cli:?}"));
        for k in [
            "rank",
            "city",
            "city_code",
            "composite_index",
            "good_day_ratio",
            "pm2_5",
            "valid_days",
            "good_days",
            "heavy_days",
            "attained",
            "main_pollutants",
            "change_rank",
        ] {
            assert_eq!(c[k], a[k], "rank {k}: CLI {c}\nAPI {a}");
        }
        for p in a["main_pollutants"].as_array().expect("main") {
            assert!(["so2", "no2", "co", "o3", "pm10", "pm2_5"].contains(&p.as_str().unwrap_or("")), "{p}");
        }
    }

    // Stations: coordinates and codes are numbers in both.
    let cli = json(&db, &["stations", "--city", "成都", "--format", "json"]);
    let (_, api) = get(&base, &format!("/api/v1/stations?city={}&per_page=100", "%E6%88%90%E9%83%BD"));
    for a in api["items"].as_array().expect("items") {
        let c = cli.as_array().expect("rows").iter().find(|c| c["station"] == a["code"]).expect("station");
        for (ck, ak) in [("city_code", "city_code"), ("lon", "lon"), ("lat", "lat"), ("control", "is_control")] {
            assert_eq!(c[ck], a[ak], "stations {ck}: CLI {c}\nAPI {a}");
        }
    }

    // Alerts: the status and the log of the CLI are the API's; levels, actions and responses are
    // lowercase codes, times carry +08:00, the evidence is a JSON object.
    let cli_status = json(&db, &["alert", "status", "--at", "2022-11-30T12:00", "--format", "json"]);
    let (_, api) = get_as(&base, "/api/v1/alerts?at=2022-11-30T12:00", &reader);
    assert_eq!(api["active"], cli_status);
    beijing(&api["at"], "status at");
    let cli_log = json(&db, &["alert", "log", "--format", "json"]);
    assert_eq!(api["log"], cli_log);
    for e in cli_log.as_array().expect("log") {
        assert!(["start", "raise", "lower", "lift"].contains(&e["action"].as_str().unwrap_or("")), "{e}");
        for k in ["level_from", "level_to"] {
            assert!(e[k].is_null() || ["yellow", "orange", "red"].contains(&e[k].as_str().unwrap_or("")), "{e}");
        }
        beijing(&e["at"], "log at");
        beijing(&e["effective_from"], "log effective_from");
        beijing(&e["recorded_at"], "log recorded_at");
        assert!(e["evidence"].is_object(), "evidence is JSON inside a string: {e}");
    }
    let forecast = cli_log
        .as_array()
        .expect("log")
        .iter()
        .find(|e| e["evidence"]["basis"] == "forecast")
        .expect("a forecast decision");
    beijing(&forecast["evidence"]["issued_at"], "evidence issued_at");
    for a in cli_status.as_array().expect("active") {
        assert!(["yellow", "orange", "red"].contains(&a["level"].as_str().unwrap_or("")), "{a}");
        assert!(["iii", "ii", "i"].contains(&a["response"].as_str().unwrap_or("")), "{a}");
        beijing(&a["since"], "since");
        assert!(a["evidence"].is_object(), "{a}");
    }
    let cli_eval = json(&db, &["alert", "evaluate", "--at", "2022-11-28T16:00", "--format", "json"]);
    let (_, api_eval) = get_as(&base, "/api/v1/alerts/evaluation?at=2022-11-28T16:00", &reader);
    assert_eq!(api_eval, cli_eval);
    beijing(&cli_eval["at"], "evaluation at");
    let regional = cli_eval["regional"].as_array().expect("regional");
    assert!(!regional.is_empty());
    for r in regional {
        assert_eq!(r["level"], "yellow", "{r}");
        assert_eq!(r["scope"]["kind"], "cities", "{r}");
    }
    assert_eq!(cli_eval["joint_control"][0]["scope"], serde_json::json!({"kind": "region", "region": "chengdu_plain"}));

    // Compliance and control lists: codes, not enum names.
    let cli_c = json(&db, &["compliance", "--format", "json"]);
    let (_, api_c) = get_as(&base, "/api/v1/compliance", &reader);
    assert_eq!(api_c, cli_c);
    beijing(&cli_c["until"], "until");
    let text = cli_c.to_string();
    for enum_name in [
        "\"Yellow\"",
        "\"Orange\"",
        "PowerQuarterHour",
        "CemsHourly",
        "\"Compliant\"",
        "RefuseEmergencyMeasures",
        "\"So2\"",
        "EcoEnv",
    ] {
        assert!(!text.contains(enum_name), "compliance JSON contains {enum_name}");
    }
    let r = &cli_c["responses"][0];
    beijing(&r["from"], "response from");
    assert!(["yellow", "orange", "red"].contains(&r["level"].as_str().unwrap_or("")), "{r}");
    let cl = json(&db, &["control-list", "--city", "成都", "--level", "orange", "--format", "json"]);
    assert_eq!(cl["level"], "orange");
    assert_eq!(cl["adequacy"]["rows"][0]["pollutant"], "so2");
    server.stop();
}

/// The API's range limit says what the limit is and how to split a longer request (paging pages the
/// rows of one range; it does not lengthen it).
#[test]
fn the_range_limit_gives_correct_advice() {
    let dir = TempDir::new("outputs-range");
    let db = dir.db();
    std::fs::write(
        dir.0.join("d.csv"),
        "city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n成都,2020-06-01,50,5,20,0.5,40,20,80\n",
    )
    .expect("write");
    ok(&db, &["import", &dir.0.join("d.csv").display().to_string()]);
    let mut server = Server::start(&db);
    // 2020 is a leap year: 1 Jan – 31 Dec is 366 days, the most one request may hold.
    let (s, v) = get(&server.base, "/api/v1/aqi/daily?from=2020-01-01&to=2020-12-31");
    assert_eq!(s, 200, "{v}");
    assert!(v["items"].as_array().is_some_and(|a| a.iter().any(|x| x["date"] == "2020-06-01")), "{v}");
    let (s, v) = get(&server.base, "/api/v1/aqi/daily?from=2020-01-01&to=2021-01-01");
    assert_eq!(s, 400, "{v}");
    let msg = v["error"]["message"].as_str().expect("message");
    assert!(msg.contains("367 days") && msg.contains("at most 366 days"), "{msg}");
    assert!(msg.contains("from=2020-01-01 to=2020-12-31") && msg.contains("from=2021-01-01"), "{msg}");
    assert!(!msg.contains("use paging"), "{msg}");
    server.stop();
}
