//! The web server through the real binary: `lantian serve` on 127.0.0.1:0 against a fresh store, the
//! JSON API against the CLI's own numbers (one code path), errors in one shape, the OpenAPI snapshot,
//! graceful shutdown.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The three-city May of `assessment.rs` (`a_month_scored_by_hand_for_three_cities`): totals 90, 55, 18.
fn three_cities(t: &TempDir) -> String {
    let db = t.db();
    let mut s = String::from("city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n");
    for d in 1..=31 {
        for (city, pm_2022) in [("成都", 30), ("德阳", 45), ("绵阳", if d <= 2 { 200 } else { 40 })] {
            s.push_str(&format!("{city},2022-05-{d:02},,10,30,0.8,50,{pm_2022},100\n"));
            s.push_str(&format!("{city},2021-05-{d:02},,10,30,0.8,50,40,100\n"));
        }
    }
    std::fs::write(t.0.join("d.csv"), s).expect("write");
    std::fs::write(
        t.0.join("t.csv"),
        "city,year,pm2_5,good_day_ratio\n成都,2022,40,90\n德阳,2022,40,90\n绵阳,2022,40,90\n",
    )
    .expect("write");
    ok(&db, &["import", &t.0.join("d.csv").display().to_string(), &t.0.join("t.csv").display().to_string()]);
    db
}

#[test]
fn api_serves_the_cli_numbers_and_errors_in_one_shape() {
    let t = TempDir::new("web");
    let db = three_cities(&t);
    let mut server = Server::start(&db);
    let base = server.base.clone();

    let (s, v) = get(&base, "/healthz");
    assert_eq!((s, v["status"].as_str()), (200, Some("ok")));

    // Rankings: the same rows as `lantian rank --format csv`.
    let scope = enc("成都,德阳,绵阳");
    let (s, v) = get(&base, &format!("/api/v1/rankings?period=2022-05&scope={scope}"));
    assert_eq!(s, 200, "{v}");
    let (h, rows) =
        csv_rows(&ok(&db, &["rank", "--period", "2022-05", "--scope", "成都,德阳,绵阳", "--format", "csv"]));
    let api_rows = v["rows"].as_array().expect("rows");
    assert_eq!(api_rows.len(), rows.len());
    for (a, c) in api_rows.iter().zip(&rows) {
        assert_eq!(a["city"].as_str(), Some(c[col(&h, "city")].as_str()));
        assert_eq!(a["rank"].as_u64().map(|r| r.to_string()).unwrap_or_default(), c[col(&h, "rank")]);
        assert_eq!(a["composite_index"].as_str(), Some(c[col(&h, "composite_index")].as_str()));
        assert_eq!(a["change_rate"].as_str().unwrap_or(""), c[col(&h, "change_rate")]);
        assert_eq!(a["pm2_5"].as_str(), Some(c[col(&h, "pm2_5")].trim_end_matches('*')));
    }
    assert_eq!(api_rows[0]["city"], "成都");
    assert_eq!(api_rows[0]["pm2_5"], "30");

    // Points: the hand-checked totals.
    let (s, v) = get(&base, &format!("/api/v1/points?period=2022-05&scope={scope}"));
    assert_eq!(s, 200, "{v}");
    let totals: Vec<(&str, &str)> = v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| (r["city"].as_str().unwrap_or(""), r["total"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(totals, vec![("成都", "90.00"), ("德阳", "55.00"), ("绵阳", "18.00")]);
    assert!(v["rows"][0]["factors"][0]["formula"].as_str().is_some_and(|f| f.contains("30")));

    // Assessments: per city, and pooled for the three (31 + 31 + 29 good of 93 valid days = 97.8 %; 绵阳's
    // two days at PM2.5 200 are heavy).
    let (s, v) = get(&base, &format!("/api/v1/assessments?period=2022-05&scope={scope}"));
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v[0]["unit"].as_str(), v[0]["pm2_5"]["value"].as_str(), v[0]["good_days"].as_u64()),
        (Some("成都"), Some("30"), Some(31))
    );
    let (s, v) = get(&base, &format!("/api/v1/assessments?period=2022-05&scope={scope}&level=province"));
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (
            v[0]["valid_days"].as_u64(),
            v[0]["good_days"].as_u64(),
            v[0]["good_day_ratio"].as_str(),
            v[0]["heavy_days"].as_u64()
        ),
        (Some(93), Some(91), Some("97.8"), Some(2))
    );
    let (s, _) = get(&base, "/api/v1/assessments?period=2022-05&level=galaxy");
    assert_eq!(s, 400);

    // The scoreboard page: the same totals, each city's arithmetic in its explanation.
    let (s, html) = get_text(&base, "/points?period=2022-05");
    assert_eq!(s, 200);
    assert!(html.contains("<td>成都</td><td>90.00</td><td>优秀</td>"), "{html:.2000}");
    assert!(html.contains("<td>绵阳</td><td>18.00</td>"));
    assert!(html.contains("30 × (3 − 2) / (3 − 1) = 15"), "德阳's C1 worked out");

    // Answers are cached per state of the data: a revision imported while the server runs shows at once.
    let mut rev = String::from("city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n");
    for d in 1..=31 {
        rev.push_str(&format!("成都,2022-05-{d:02},,10,30,0.8,50,35,100\n"));
    }
    std::fs::write(t.0.join("rev.csv"), rev).expect("write");
    ok(&db, &["import", &t.0.join("rev.csv").display().to_string()]);
    let (s, v) = get(&base, &format!("/api/v1/rankings?period=2022-05&scope={scope}"));
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["rows"][0]["city"].as_str(), v["rows"][0]["pm2_5"].as_str()), (Some("成都"), Some("35")));
    // Re-importing the same file changes nothing, the answer stays.
    ok(&db, &["import", &t.0.join("rev.csv").display().to_string()]);
    let (_, again) = get(&base, &format!("/api/v1/rankings?period=2022-05&scope={scope}"));
    assert_eq!(again, v);

    // Stations (none listed) and GeoJSON.
    let (s, v) = get(&base, "/api/v1/stations?per_page=5");
    assert_eq!((s, v["total"].as_u64(), v["per_page"].as_u64()), (200, Some(0), Some(5)));
    let (s, v) = get(&base, "/api/v1/stations.geojson");
    assert_eq!((s, v["type"].as_str()), (200, Some("FeatureCollection")));

    // Bad input: 4xx with one JSON shape, never 500.
    for (path, status) in [
        ("/api/v1/rankings?period=2022-13".to_string(), 400),
        ("/api/v1/rankings".to_string(), 400),
        (format!("/api/v1/rankings?period=2022-05&scope={}", enc("火星")), 400),
        ("/api/v1/rankings?period=2022-05&by=colour".to_string(), 400),
        ("/api/v1/stations?page=abc".to_string(), 400),
        ("/api/v1/stations?per_page=0".to_string(), 400),
        (format!("/api/v1/stations?city={}", enc("火星")), 400),
        ("/api/v1/nothing".to_string(), 404),
    ] {
        let (s, v) = get(&base, &path);
        assert_eq!(s, status, "{path}: {v}");
        assert_eq!(v["error"]["status"].as_u64(), Some(u64::from(status)), "{path}: {v}");
        assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{path}: {v}");
    }
    // A page route answers its errors as a page in its language, with the message and a way back
    // (issue 14 item 9); the API keeps JSON.
    let (s, page) = get_text(&base, "/nothing");
    assert_eq!(s, 404);
    assert!(page.starts_with("<!doctype html>") && page.contains("<b>404</b> 页面不存在"), "{page:.600}");
    assert!(
        page.contains("no such resource: /nothing") && page.contains("<a href=\"/\">返回全省概览</a>"),
        "{page:.800}"
    );
    let (s, page) = get_text(&base, "/ranking?period=2022-14&lang=en");
    assert_eq!(s, 400);
    assert!(page.contains("lang=\"en\"") && page.contains("<b>400</b> Bad request"), "{page:.600}");
    assert!(page.contains("period \"2022-14\"") || page.contains("period &#34;2022-14&#34;"), "{page:.900}");
    let mut r = agent().post(&format!("{base}/api/v1/rankings")).send("x").expect("post");
    assert_eq!(r.status().as_u16(), 405);
    let v: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().expect("body")).expect("json");
    assert_eq!(v["error"]["code"], "method_not_allowed");

    // Graceful shutdown on SIGTERM: exit status 0.
    assert!(server.stop().success());
}

/// The OpenAPI document is generated from the handlers; this snapshot keeps it from drifting unnoticed.
/// After an intended API change: `LANTIAN_UPDATE_SNAPSHOTS=1 cargo test -p lantian-cli --test web`.
#[test]
fn openapi_document_matches_its_snapshot() {
    let t = TempDir::new("openapi");
    let mut server = Server::start(&t.db());
    let (s, v) = get(&server.base, "/api/v1/openapi.json");
    assert_eq!(s, 200);
    assert_eq!(v["openapi"].as_str(), Some("3.1.0"));
    for p in [
        "/api/v1/cities",
        "/api/v1/stations",
        "/api/v1/stations.geojson",
        "/api/v1/rankings",
        "/api/v1/points",
        "/api/v1/budgets",
        "/api/v1/assessments",
        "/api/v1/aqi/hourly",
        "/api/v1/aqi/daily",
        "/api/v1/alerts",
        "/api/v1/alerts/evaluation",
        "/api/v1/control-lists",
        "/api/v1/compliance",
        "/api/v1/uploads",
        "/api/v1/session",
    ] {
        assert!(v["paths"].get(p).is_some(), "{p} missing from the OpenAPI document");
    }
    let pretty = serde_json::to_string_pretty(&v).expect("json") + "\n";
    let snap = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../lantian-web/openapi.snapshot.json");
    if std::env::var_os("LANTIAN_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snap, &pretty).expect("write snapshot");
    }
    let want = std::fs::read_to_string(&snap).expect("snapshot (create with LANTIAN_UPDATE_SNAPSHOTS=1)");
    assert!(pretty == want, "the OpenAPI document changed; review and update the snapshot (see the doc comment)");
    assert!(server.stop().success());
}

/// Hourly and daily AQI through the API equal the CLI's rows, all of them, on a synthetic province;
/// paging returns every row exactly once.
#[test]
fn aqi_endpoints_match_the_cli_rows() {
    let t = TempDir::new("webaqi");
    let db = t.db();
    let data = t.0.join("data");
    ok(&db, &["synth", "--out", &data.display().to_string(), "--days", "3", "--start", "2022-03-01"]);
    ok(&db, &["import", &data.display().to_string()]);
    let mut server = Server::start(&db);
    let base = server.base.clone();

    // Hourly, 成都's stations over the three days, against `lantian aqi --hourly --city 成都`.
    let (h, rows) = csv_rows(&ok(
        &db,
        &["aqi", "--hourly", "--city", "成都", "--from", "2022-03-01", "--to", "2022-03-03", "--format", "csv"],
    ));
    assert!(rows.len() > 100, "{} rows", rows.len());
    let city = enc("成都");
    let mut api: Vec<serde_json::Value> = Vec::new();
    for page in 1.. {
        let (s, v) = get(
            &base,
            &format!("/api/v1/aqi/hourly?city={city}&from=2022-03-01&to=2022-03-03&per_page=100&page={page}"),
        );
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["total"].as_u64(), Some(rows.len() as u64));
        let items = v["items"].as_array().expect("items").clone();
        if items.is_empty() {
            break;
        }
        api.extend(items);
    }
    assert_eq!(api.len(), rows.len());
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    for (a, c) in api.iter().zip(&rows) {
        for k in
            ["station", "time", "aqi", "level", "category", "so2", "no2", "co", "o3", "pm10", "pm2_5", "published_aqi"]
        {
            assert_eq!(text(&a[k]), c[col(&h, k)], "{k} of {} {}", c[col(&h, "station")], c[col(&h, "time")]);
        }
    }

    // Daily city values, every city, against `lantian aqi --daily --level city`.
    let (h, rows) = csv_rows(&ok(
        &db,
        &["aqi", "--daily", "--level", "city", "--from", "2022-03-01", "--to", "2022-03-03", "--format", "csv"],
    ));
    let (s, v) = get(&base, "/api/v1/aqi/daily?level=city&from=2022-03-01&to=2022-03-03");
    assert_eq!(s, 200, "{v}");
    let items = v["items"].as_array().expect("items");
    assert_eq!(items.len(), rows.len());
    assert!(rows.len() >= 21 * 2, "{} city-days", rows.len());
    for (a, c) in items.iter().zip(&rows) {
        for k in [
            "city",
            "date",
            "aqi",
            "category",
            "pm2_5",
            "o3_mda8",
            "source",
            "published_aqi",
            "computed_aqi",
            "computed_level",
        ] {
            assert_eq!(text(&a[k]), c[col(&h, k)], "{k} of {} {}", c[col(&h, "city")], c[col(&h, "date")]);
        }
    }

    // Budgets: the same JSON as `lantian budget --format json`.
    let cli: serde_json::Value =
        serde_json::from_str(&ok(&db, &["budget", "--city", "成都", "--at", "2022-03-02T14:00", "--format", "json"]))
            .expect("budget json");
    let (s, v) = get(&base, &format!("/api/v1/budgets?city={city}&at=2022-03-02T14:00"));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v[0], cli);
    assert_eq!(v[0]["hours_elapsed"].as_u64(), Some(14));
    let (s, v) = get(&base, "/api/v1/budgets");
    assert_eq!((s, v.as_array().map(Vec::len)), (200, Some(21)));

    // Bad ranges and levels are 400s.
    for path in [
        "/api/v1/aqi/daily?from=2022-03-03&to=2022-03-01",
        "/api/v1/aqi/daily?from=2020-01-01&to=2022-03-01",
        "/api/v1/aqi/daily?from=2022-03-01&to=2022-03-02&level=province",
        "/api/v1/aqi/daily?from=2022-02-30&to=2022-03-02",
        "/api/v1/aqi/hourly?from=2022-03-01&to=2022-03-02",
        "/api/v1/aqi/hourly?station=NOPE&from=2022-03-01&to=2022-03-02",
        "/api/v1/budgets?at=yesterday",
    ] {
        let (s, v) = get(&base, path);
        assert_eq!(s, 400, "{path}: {v}");
    }
    assert!(server.stop().success());
}

fn post(base: &str, path: &str, token: Option<&str>, body: &str) -> (u16, serde_json::Value) {
    let mut req = agent().post(&format!("{base}{path}"));
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    let mut r = req.send(body).expect("request");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().expect("body");
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text}")))
}

/// Roles on uploads: anonymous users cannot write; a viewer cannot; a city user writes only its city; a
/// department user only its own tasks; a rejected file leaves the store as it was; every upload is audited.
#[test]
fn uploads_enforce_roles_and_are_audited() {
    let t = TempDir::new("upload");
    let db = t.db();
    user_add(&db, &["admin1", "--role", "admin"]);
    user_add(&db, &["chengdu", "--role", "city", "--city", "成都"]);
    user_add(&db, &["jxj", "--role", "department", "--department", "成都市经济和信息化局"]);
    user_add(&db, &["viewer1", "--role", "viewer"]);
    // A city user needs a city; a short password is refused.
    let o = lantian(&db, &["user", "add", "x", "--role", "city"]);
    assert!(!o.status.success());
    let token = |name: &str| ok(&db, &["user", "token", name]).trim().to_string();
    let (admin, city, dept, viewer) = (token("admin1"), token("chengdu"), token("jxj"), token("viewer1"));
    assert!(admin.starts_with("lt_") && admin.len() == 67, "{admin}");

    let mut server = Server::start(&db);
    let base = server.base.clone();
    let chengdu = "city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n成都,2022-05-01,,10,30,0.8,50,30,100\n成都,2022-05-02,,10,30,0.8,50,32,100\n";
    let deyang = "city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n德阳,2022-05-01,,10,30,0.8,50,30,100\n";
    let up = "/api/v1/uploads?name=may.csv";

    let (s, v) = post(&base, up, None, chengdu);
    assert_eq!((s, v["error"]["code"].as_str()), (401, Some("unauthorized")));
    let (s, _) = post(&base, up, Some("lt_not-a-token"), chengdu);
    assert_eq!(s, 401);
    let (s, v) = post(&base, up, Some(&viewer), chengdu);
    assert_eq!((s, v["error"]["code"].as_str()), (403, Some("forbidden")));
    // Daily values are monitoring data: a city never uploads its own (issue 12 §3), not even its city's.
    let (s, v) = post(&base, up, Some(&city), deyang);
    assert_eq!(s, 403, "{v}");
    let (s, v) = post(&base, up, Some(&city), chengdu);
    assert_eq!(s, 403, "{v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains("monitoring data")), "{v}");
    let (s, v) = post(&base, up, Some(&admin), chengdu);
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["kind"].as_str(), v["rows"].as_u64(), v["new_file"].as_bool()),
        (Some("city-daily"), Some(2), Some(true))
    );
    // The same upload again changes nothing.
    let (s, v) = post(&base, up, Some(&admin), chengdu);
    assert_eq!(
        (s, v["new_file"].as_bool(), v["inserted"].as_u64(), v["updated"].as_u64()),
        (200, Some(false), Some(0), Some(0))
    );
    // A published AQI that lantian's AQI of the values contradicts: accepted, reported, and deciding
    // the day (SO2 12, NO2 45, CO 1.1, PM10 98, PM2.5 68, O3 MDA8 150 rate 92, 良; published 105).
    let published = "city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n成都,2022-05-03,105,12,45,1.1,98,68,150\n";
    let (s, v) = post(&base, "/api/v1/uploads?name=published.csv", Some(&admin), published);
    assert_eq!(s, 200, "{v}");
    let p = &v["published_aqi"];
    assert_eq!(
        (p["days"].as_u64(), p["disagree"].as_u64(), p["level_differs"].as_u64(), p["value_only"].as_u64()),
        (Some(1), Some(1), Some(1), Some(0)),
        "{v}"
    );
    assert_eq!(
        p["examples"][0].as_str(),
        Some("published.csv:2 成都 2022-05-03 published 105 (轻度污染) computed 92 (良)")
    );
    assert!(v["warnings"][0].as_str().is_some_and(|w| w.contains("1 of 1 city-days disagree")), "{v}");
    let (s, v) = get(&base, "/api/v1/aqi/daily?city=成都&from=2022-05-03&to=2022-05-03");
    assert_eq!(s, 200, "{v}");
    let day = &v["items"][0];
    assert_eq!(
        (day["aqi"].as_u64(), day["category"].as_str(), day["published_aqi"].as_u64(), day["computed_aqi"].as_u64()),
        (Some(105), Some("light"), Some(105), Some(92))
    );
    // A bad file is a 400 naming the line and leaves the data as they were.
    let before = ok(
        &db,
        &[
            "aqi",
            "--daily",
            "--level",
            "city",
            "--city",
            "成都",
            "--from",
            "2022-05-01",
            "--to",
            "2022-05-02",
            "--format",
            "csv",
        ],
    );
    let bad = "city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n成都,2022-05-01,,10,30,0.8,50,99,100\n成都,2022-05-02,,10,30,zero,50,32,100\n";
    let (s, v) = post(&base, up, Some(&admin), bad);
    assert_eq!(s, 400, "{v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains("may.csv:3") && m.contains("field co")), "{v}");
    let after = ok(
        &db,
        &[
            "aqi",
            "--daily",
            "--level",
            "city",
            "--city",
            "成都",
            "--from",
            "2022-05-01",
            "--to",
            "2022-05-02",
            "--format",
            "csv",
        ],
    );
    assert_eq!(before, after);
    // Department users: their own tasks only.
    let tasks = |dep: &str| {
        format!(
            "task,city,department,description,unit,kind,baseline,target,start,deadline\n\
             cd-nev,成都,{dep},新能源汽车保有量提高到30万辆,辆,level,200000,300000,2022-01-01,2022-12-31\n"
        )
    };
    // A new task is the province's to assign (its completion may score the city): refused from a
    // department, imported by the operator; then the department may send it again unchanged.
    let (s, v) = post(&base, "/api/v1/uploads?name=tasks.csv", Some(&dept), &tasks("成都市经济和信息化局"));
    assert_eq!(s, 403, "{v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains("assigned by the province")), "{v}");
    let assigned = std::env::temp_dir().join(format!("lantian-web-tasks-{}.csv", std::process::id()));
    std::fs::write(&assigned, tasks("成都市经济和信息化局")).expect("write");
    ok(&db, &["import", &assigned.display().to_string()]);
    let _ = std::fs::remove_file(&assigned);
    let (s, v) = post(&base, "/api/v1/uploads?name=tasks.csv", Some(&dept), &tasks("成都市公安局交通管理局"));
    assert_eq!(s, 403, "{v}");
    let (s, v) = post(&base, "/api/v1/uploads?name=tasks.csv", Some(&dept), &tasks("成都市经济和信息化局"));
    assert_eq!((s, v["kind"].as_str()), (200, Some("target-tasks")), "{v}");
    let (s, v) = post(&base, up, Some(&dept), chengdu);
    assert_eq!(s, 403, "{v}");
    // Emergency-response files: a city bureau uploads its own forecasts and plants, not another city's;
    // records of enterprises (measures, power, CEMS) only for enterprises registered in its city.
    let fc = |c: &str| format!("city,issued_at,date,aqi\n{c},2022-12-20T16:00,2022-12-21,230\n");
    let (s, v) = post(&base, "/api/v1/uploads?name=f.csv", Some(&city), &fc("成都"));
    assert_eq!((s, v["kind"].as_str()), (200, Some("forecasts")), "{v}");
    let (s, v) = post(&base, "/api/v1/uploads?name=f.csv", Some(&city), &fc("德阳"));
    assert_eq!(s, 403, "{v}");
    let ent = |code: &str, c: &str| format!("credit_code,name,city,industry,grade\n{code},某水泥有限公司,{c},水泥,B\n");
    let (s, v) = post(&base, "/api/v1/uploads?name=e.csv", Some(&admin), &ent("91510600MA62B0001X", "德阳"));
    assert_eq!(s, 200, "{v}");
    let (s, v) = post(&base, "/api/v1/uploads?name=e.csv", Some(&city), &ent("91510100MA61A0001R", "成都"));
    assert_eq!((s, v["kind"].as_str()), (200, Some("enterprises")), "{v}");
    let power = |code: &str| format!("credit_code,time,kwh\n{code},2022-12-21,1000\n");
    let (s, v) = post(&base, "/api/v1/uploads?name=p.csv", Some(&city), &power("91510600MA62B0001X"));
    assert_eq!(s, 403, "{v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains("91510600MA62B0001X")), "{v}");
    let (s, v) = post(&base, "/api/v1/uploads?name=p.csv", Some(&city), &power("91510100MA61A0001R"));
    assert_eq!((s, v["kind"].as_str()), (200, Some("power-use")), "{v}");
    // A disabled account's token stops working.
    ok(&db, &["user", "disable", "chengdu"]);
    let (s, _) = post(&base, up, Some(&city), chengdu);
    assert_eq!(s, 401);
    // Every upload is in the audit log with who and from where.
    let log = ok(&db, &["user", "audit", "--format", "csv"]);
    let (h, rows) = csv_rows(&log);
    let uploads: Vec<&Vec<String>> = rows.iter().filter(|r| r[col(&h, "action")] == "upload").collect();
    assert_eq!(uploads.len(), 17, "{log}");
    assert!(uploads.iter().all(|r| r[col(&h, "remote")] == "127.0.0.1"));
    assert!(uploads.iter().any(|r| r[col(&h, "actor")] == "admin1" && r[col(&h, "detail")].contains("2 inserted")));
    assert!(uploads
        .iter()
        .any(|r| r[col(&h, "actor")] == "chengdu" && r[col(&h, "detail")].contains("rejected (403)")));
    assert!(uploads.iter().any(|r| r[col(&h, "actor")] == "admin1" && r[col(&h, "detail")].contains("rejected (400)")));
    assert!(server.stop().success());
}

fn send_json(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<String>, serde_json::Value) {
    let url = format!("{base}{path}");
    let a = agent();
    let mut r = match method {
        "POST" => {
            let mut q = a.post(&url).header("Content-Type", "application/json");
            for (k, v) in headers {
                q = q.header(*k, *v);
            }
            q.send(body)
        }
        "DELETE" => {
            let mut q = a.delete(&url);
            for (k, v) in headers {
                q = q.header(*k, *v);
            }
            q.call()
        }
        _ => {
            let mut q = a.get(&url);
            for (k, v) in headers {
                q = q.header(*k, *v);
            }
            q.call()
        }
    }
    .expect("request");
    let cookies: Vec<String> =
        r.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_string).collect();
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().expect("body");
    (status, cookies, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

/// Browser sign-in: an HttpOnly SameSite session cookie (Secure behind TLS), CSRF on writes, sign-out,
/// and throttling after five failures.
#[test]
fn sessions_csrf_and_sign_in_throttling() {
    let t = TempDir::new("session");
    let db = t.db();
    user_add(&db, &["chengdu", "--role", "city", "--city", "成都"]);
    user_add(&db, &["victim", "--role", "viewer"]);
    let mut server = Server::start(&db);
    let base = server.base.clone();
    let good = r#"{"name":"chengdu","password":"correct horse battery"}"#;

    let (s, cookies, v) = send_json(&base, "POST", "/api/v1/session", &[], good);
    assert_eq!(s, 200, "{v}");
    let c = cookies.first().expect("Set-Cookie");
    assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && !c.contains("Secure"), "{c}");
    let cookie = c.split(';').next().expect("pair").to_string();
    let csrf = v["csrf_token"].as_str().expect("csrf").to_string();
    assert_eq!((v["role"].as_str(), v["city"].as_str()), (Some("city"), Some("成都")));
    let (_, cookies, _) = send_json(&base, "POST", "/api/v1/session", &[("X-Forwarded-Proto", "https")], good);
    assert!(cookies.first().is_some_and(|c| c.contains("; Secure")), "{cookies:?}");

    let (s, _, v) = send_json(&base, "GET", "/api/v1/session", &[("Cookie", &cookie)], "");
    assert_eq!((s, v["name"].as_str()), (200, Some("chengdu")));
    // A write with the cookie but without the CSRF header is refused; with it, it goes through.
    let csv = "city,issued_at,date,aqi\n成都,2022-12-20T16:00,2022-12-21,230\n";
    let mut r =
        agent().post(&format!("{base}/api/v1/uploads?name=a.csv")).header("Cookie", &cookie).send(csv).expect("post");
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.body_mut().read_to_string().expect("body").contains("csrf"));
    let r = agent()
        .post(&format!("{base}/api/v1/uploads?name=a.csv"))
        .header("Cookie", &cookie)
        .header("X-CSRF-Token", &csrf)
        .send(csv)
        .expect("post");
    assert_eq!(r.status().as_u16(), 200);
    // The sign-in and upload pages: the upload form carries this session's CSRF token; without a session
    // the page asks to sign in.
    let (s, login) = get_text(&base, "/login");
    assert!(s == 200 && login.contains("<form id=\"login\"") && login.contains("src=\"/assets/login.js\""));
    let (s, script) = get_text(&base, "/assets/login.js");
    assert!(s == 200 && script.contains("/api/v1/session"), "{script}");
    // Without a session the upload page sends the browser to the sign-in page (and back afterwards).
    let (_, anon) = get_text(&base, "/upload");
    assert!(anon.contains("<form id=\"login\"") && !anon.contains("data-csrf"), "{anon:.1500}");
    let mut r = agent().get(&format!("{base}/upload")).header("Cookie", &cookie).call().expect("get");
    let page = r.body_mut().read_to_string().expect("body");
    assert!(page.contains(&format!("data-csrf=\"{csrf}\"")) && page.contains("chengdu"), "{page:.1500}");
    // Sign out; the cookie no longer works.
    let (s, _, _) = send_json(&base, "DELETE", "/api/v1/session", &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)], "");
    assert_eq!(s, 200);
    let (s, _, _) = send_json(&base, "GET", "/api/v1/session", &[("Cookie", &cookie)], "");
    assert_eq!(s, 401);

    // Five wrong passwords lock the name (and this address) even for the right password.
    let bad = r#"{"name":"victim","password":"guess guess guess"}"#;
    for _ in 0..5 {
        let (s, _, _) = send_json(&base, "POST", "/api/v1/session", &[], bad);
        assert_eq!(s, 401);
    }
    let (s, _, v) =
        send_json(&base, "POST", "/api/v1/session", &[], r#"{"name":"victim","password":"correct horse battery"}"#);
    assert_eq!((s, v["error"]["code"].as_str()), (429, Some("throttled")));
    let (s, _, _) = send_json(&base, "POST", "/api/v1/session", &[], "{not json");
    assert!(s == 400 || s == 429, "{s}");
    assert!(server.stop().success());
}

fn get_text(base: &str, path: &str) -> (u16, String) {
    let mut r = agent().get(&format!("{base}{path}")).call().expect("request");
    (r.status().as_u16(), r.body_mut().read_to_string().expect("body"))
}

/// The overview and ranking pages, in Chinese and English, on a synthetic province: the map has the 21
/// cities coloured in the official level colours of their latest daily AQI, as the API reports them.
/// Issue 11 §3.1: a synthetic period ending on 31 December ends there. `synth --days 3 --start
/// 2022-12-29` covers 29–31 Dec: the last file holds only the hour ending 2023-01-01 00:00, so no
/// natural day of 2023 has data — the CLI's default range, the overview, the ranking, the points and
/// the city pages all show December 2022, not a "2023-01-01" outside the demonstrated period.
#[test]
fn a_period_ending_on_31_december_opens_nothing_of_the_next_year() {
    let t = TempDir::new("year-end");
    let db = t.db();
    let data = t.0.join("data");
    ok(&db, &["synth", "--out", &data.display().to_string(), "--days", "3", "--start", "2022-12-29"]);
    ok(&db, &["import", &data.display().to_string()]);
    let (h, rows) = csv_rows(&ok(&db, &["aqi", "--daily", "--level", "city", "--city", "成都", "--format", "csv"]));
    let dates: Vec<&str> = rows.iter().map(|r| r[col(&h, "date")].as_str()).collect();
    assert_eq!(dates, vec!["2022-12-29", "2022-12-30", "2022-12-31"]);
    let (h, rows) = csv_rows(&ok(&db, &["aqi", "--hourly", "--level", "city", "--city", "成都", "--format", "csv"]));
    assert_eq!(rows.last().map(|r| r[col(&h, "time")].as_str()), Some("2023-01-01T00:00:00+08:00"));
    let budget: serde_json::Value =
        serde_json::from_str(&ok(&db, &["budget", "--city", "成都", "--format", "json"])).expect("json");
    assert_eq!((budget["date"].as_str(), budget["hours_elapsed"].as_u64()), (Some("2022-12-31"), Some(24)));

    let server = Server::start(&db);
    let base = server.base.clone();
    let (s, html) = get_text(&base, "/");
    assert_eq!(s, 200);
    assert_eq!(html.matches("<tr><td>2022-12-31</td>").count(), 21, "every city's latest day is 31 Dec");
    assert!(!html.contains("<td>2023-01-01</td>"));
    // Budgets and risks in Chinese words, never the internal names (issue 11 §3.2).
    assert!(!html.contains("AtRisk") && !html.contains("at_risk"), "{html}");
    // With the synthetic targets (成都 PM2.5 39): the year's allowance after 29 and 30 Dec (daily PM2.5
    // 67 and 59) is (39 × 365 − 126) / 363 = 38.9, below 31 Dec's 70 → year at risk, named in Chinese.
    assert!(html.contains("<ul id=\"risk\"><li>成都: 全年PM2.5目标有风险"), "{html}");
    let (s, rank) = get_text(&base, "/ranking");
    assert_eq!(s, 200);
    assert!(rank.contains("href=\"/ranking?period=2022-12\"") && !rank.contains("2023-01"), "{rank:.600}");
    let (s, points) = get_text(&base, "/points");
    assert_eq!(s, 200);
    assert!(points.contains("2022年12月") && !points.contains("2023年"), "{points:.600}");
    let (s, city) = get_text(&base, "/cities/510100");
    assert_eq!(s, 200);
    assert!(city.contains("成都 2022") && !city.contains("2023年"), "{city:.600}");
    assert!(city.contains("id=\"budgets\"") && !city.contains("day over") && !city.contains("AtRisk"));
}

#[test]
fn overview_and_ranking_pages() {
    let t = TempDir::new("pages");
    let db = t.db();
    let mut server = Server::start(&db);
    let (s, html) = get_text(&server.base, "/");
    assert_eq!(s, 200);
    assert!(html.contains("还没有数据"), "an empty store says so");
    server.stop();
    let data = t.0.join("data");
    ok(&db, &["synth", "--out", &data.display().to_string(), "--days", "3", "--start", "2022-03-01"]);
    ok(&db, &["import", &data.display().to_string()]);
    let mut server = Server::start(&db);
    let base = server.base.clone();
    let (s, html) = get_text(&base, "/");
    assert_eq!(s, 200);
    assert!(html.starts_with("<!doctype html><html lang=\"zh-CN\">"));
    assert_eq!(html.matches("<g class=\"city\"").count(), 21);
    // Every hexagon lies inside the drawing (攀枝花, the southernmost, included).
    let (w, h) = (560.0, 560.0);
    assert!(html.contains("viewBox=\"0 0 560 560\""));
    let map = html.split("id=\"map\"").nth(1).expect("map");
    let map = &map[..map.find("</svg>").expect("end of the map")];
    for pts in map.split("points=\"").skip(1).map(|p| &p[..p.find('"').expect("end")]) {
        for xy in pts.split(' ') {
            let (x, y) = xy.split_once(',').expect("x,y");
            let (x, y): (f64, f64) = (x.parse().expect("x"), y.parse().expect("y"));
            assert!((0.0..=w).contains(&x) && (0.0..=h).contains(&y), "{xy} outside the map");
        }
    }
    // 成都's hexagon has the official colour of its latest daily AQI (from the API).
    let (_, v) = get(&base, &format!("/api/v1/aqi/daily?city={}&from=2022-03-01&to=2022-03-06", enc("成都")));
    let last = v["items"].as_array().and_then(|a| a.iter().rev().find(|x| !x["aqi"].is_null())).expect("a day").clone();
    let colour = match last["level"].as_u64() {
        Some(1) => "#00E400",
        Some(2) => "#FFFF00",
        Some(3) => "#FF7E00",
        Some(4) => "#FF0000",
        Some(5) => "#99004C",
        _ => "#7E0023",
    };
    let g = html.split("data-code=\"510100\"").nth(1).expect("成都 on the map");
    assert!(g[..g.find("</g>").expect("end")].contains(&format!("fill=\"{colour}\"")), "{colour}: {g:.300}");
    assert!(g.contains(&format!("AQI {}", last["aqi"])), "{last} {g:.400}");
    // The latest hour per city equals the CLI's city hours.
    let (h, rows) = csv_rows(&ok(
        &db,
        &[
            "aqi",
            "--hourly",
            "--level",
            "city",
            "--city",
            "成都",
            "--from",
            "2022-03-01",
            "--to",
            "2022-03-06",
            "--format",
            "csv",
        ],
    ));
    let lastrow = rows.iter().rev().find(|r| !r[col(&h, "aqi")].is_empty()).expect("an hour");
    let hhmm = &lastrow[col(&h, "time")][11..16];
    let cd = html.split("<td><a href=\"/cities/510100\">").nth(1).expect("成都 row");
    assert!(
        cd[..cd.find("</tr>").expect("end")].contains(&format!("<td>{hhmm} {}</td>", lastrow[col(&h, "aqi")])),
        "{cd:.300}"
    );
    let (s, en) = get_text(&base, "/?lang=en");
    assert_eq!(s, 200);
    assert!(en.contains("Province overview") && en.contains("Chengdu") && en.contains("lang=\"en\""));
    let (s, rank) = get_text(&base, "/ranking?period=2022-03");
    assert_eq!(s, 200);
    assert_eq!(rank.matches("<tr").count(), 22, "header and 21 cities");
    // Stations and a station's day: 24 hours with the computed AQI beside the published one, equal to
    // the API's hourly rows.
    let (s, list) = get_text(&base, "/stations");
    assert_eq!(s, 200);
    assert!(list.contains("href=\"/stations/1431A\""));
    let (s, day) = get_text(&base, "/stations/1431A?date=2022-03-02");
    assert_eq!(s, 200);
    assert_eq!(day.matches("<tr").count(), 25, "header and 24 hours");
    let (_, v) = get(&base, "/api/v1/aqi/hourly?station=1431A&from=2022-03-02&to=2022-03-02");
    let first = &v["items"][0];
    let row = day.split("<td>01:00</td>").nth(1).expect("01:00 row");
    // Coloured by its level's class (`lv1` … `lv6` in /assets/lantian.css: no inline style under the CSP).
    let level = first["level"].as_u64().expect("level");
    assert!(row.starts_with(&format!("<td class=\"lv{level}\">")), "{row:.200}");
    assert!(
        row[..row.find("</tr>").expect("end")]
            .contains(&format!(">{}</td><td>{}</td>", first["aqi"], first["published_aqi"])),
        "{first} {row:.300}"
    );
    let (s, _) = get_text(&base, "/stations/NOPE");
    assert_eq!(s, 404);
    // The city page: a calendar of 365 days, each coloured by the level the API reports, the year's
    // statistics and the budgets.
    let (s, cal) = get_text(&base, "/cities/510100?year=2022");
    assert_eq!(s, 200);
    assert_eq!(cal.matches("<rect class=\"day\"").count(), 365);
    let day = cal.split("data-date=\"2022-03-02\"").nth(1).expect("2 March");
    let (_, v) = get(&base, &format!("/api/v1/aqi/daily?city={}&from=2022-03-02&to=2022-03-02", enc("成都")));
    let level = v["items"][0]["level"].as_u64().expect("level");
    let want = ["#00E400", "#FFFF00", "#FF7E00", "#FF0000", "#99004C", "#7E0023"][level as usize - 1];
    assert!(day[..day.find("</rect>").expect("end")].contains(&format!("fill=\"{want}\"")), "{day:.200}");
    assert!(day.contains(&format!("AQI {}", v["items"][0]["aqi"])));
    assert!(cal.contains("id=\"stats\"") && cal.contains("id=\"budgets\""));
    // The PM2.5 series over the level bands of the 24-hour breakpoints in force in 2022 (HJ 633-2012:
    // 35, 75, 115, 150 …): one point a day with a value.
    let part = |id: &str| {
        cal.split(&format!("id=\"{id}\""))
            .nth(1)
            .map(|p| p[..p.find("</figure>").unwrap_or(p.len())].to_string())
            .unwrap_or_default()
    };
    // The texts of a chart (plotters writes each on its own line).
    let texts = |svg: &str| -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| Some(t.split_once('>')?.1.split("</text>").next()?.trim().to_string()))
            .collect()
    };
    let pm = texts(&part("series"));
    assert!(pm.contains(&"35".to_string()) && pm.contains(&"75".to_string()), "{pm:?}");
    // PM10, O3 MDA8 and NO2 on their own columns (O3 8-hour: 100, 160, 215 …; PM10: 50, 150, 250 …), a
    // unit on the value axis and the months on the time axis.
    assert!(texts(&part("series-o3")).contains(&"160".to_string()), "O3 bands");
    assert!(texts(&part("series-pm10")).contains(&"150".to_string()), "PM10 bands");
    assert!(part("series-no2").contains("stroke-width=\"2\""), "NO2 line");
    assert!(pm.contains(&"μg/m³".to_string()) && pm.contains(&"3月".to_string()), "{pm:?}");
    let (s, _) = get_text(&base, &format!("/cities/{}", enc("火星")));
    assert_eq!(s, 404);
    // Year to date and ordered by change, with the switches on the page.
    let (s, ytd) = get_text(&base, "/ranking?period=2022-01..2022-03");
    assert_eq!(s, 200);
    assert!(ytd.contains("href=\"/ranking?period=2022-01..2022-03\"") && ytd.contains("by=change"));
    // Three days of data: no month is complete yet, and the page says so.
    let (_, partial) = get_text(&base, "/ranking");
    assert!(partial.contains("尚无数据完整的月份") && partial.contains("数据至2022年3月3日"), "{partial:.600}");
    let (s, by) = get_text(&base, "/ranking?period=2022-03&by=change");
    assert_eq!(s, 200);
    assert_eq!(by.matches("<tr").count(), 22);
    let (s, _) = get_text(&base, "/ranking?period=2022-14");
    assert_eq!(s, 400);
    assert!(server.stop().success());
}

/// Each chart of the city page plots its own series (issue 14 item 1): its points are the API's values of
/// that series, one a day with a value, in date order — the height of each point the same increasing
/// affine function of the value for every point. The page once drew PM2.5 in all four charts, and a test
/// that only looked for a line did not see it. The ranking page lists the best first, as the API does.
#[test]
fn charts_and_tables_read_as_they_mean() {
    let t = TempDir::new("charts");
    let db = t.db();
    let data = t.0.join("data");
    ok(&db, &["synth", "--out", &data.display().to_string(), "--days", "40", "--start", "2022-03-01"]);
    ok(&db, &["import", &data.display().to_string()]);
    let mut server = Server::start(&db);
    let base = server.base.clone();
    let (s, cal) = get_text(&base, "/cities/510100?year=2022");
    assert_eq!(s, 200);
    let part = |id: &str| {
        cal.split(&format!("<figure class=\"chart\" id=\"{id}\""))
            .nth(1)
            .map(|p| p[..p.find("</figure>").unwrap_or(p.len())].to_string())
            .unwrap_or_default()
    };
    let attr = |tag: &str, name: &str| -> Option<String> {
        Some(tag.split(&format!(" {name}=\"")).nth(1)?.split('"').next()?.to_string())
    };
    let (_, v) = get(&base, &format!("/api/v1/aqi/daily?city={}&from=2022-01-01&to=2022-12-31", enc("成都")));
    let items = v["items"].as_array().expect("items");
    for (id, field) in [("series", "pm2_5"), ("series-pm10", "pm10"), ("series-o3", "o3_mda8"), ("series-no2", "no2")] {
        // The API's days with a value of this series, as (date, the exact value).
        let want: Vec<(String, String)> = items
            .iter()
            .filter_map(|d| Some((d["date"].as_str()?.to_string(), d[field].as_str()?.to_string())))
            .collect();
        assert!(want.len() >= 39, "{field}: {} days", want.len());
        let fig = part(id);
        // The hover layer: one cell a day with a value, carrying the API's exact value.
        let layer = fig.split("<g class=\"hover\">").nth(1).unwrap_or_else(|| panic!("{id}: no hover layer"));
        let cells: Vec<(String, String)> = layer
            .split("<rect ")
            .skip(1)
            .filter_map(|r| Some((attr(r, "data-key")?, attr(r, "data-value")?)))
            .collect();
        assert_eq!(cells, want, "{id}: the hover values are the API's {field}");
        // The line drawn: one point a day with a value, its height the same increasing affine function of
        // the value for every point (to a pixel: plotters draws on whole pixels).
        let line = fig
            .split("<polyline")
            .skip(1)
            .find(|l| l[..l.find("/>").unwrap_or(l.len())].contains("stroke-width=\"2\""))
            .unwrap_or_else(|| panic!("{id}: no line"));
        let pts = attr(line, "points").expect("points");
        let ys: Vec<f64> =
            pts.split_whitespace().map(|p| p.split(',').nth(1).expect("x,y").parse::<f64>().expect("y")).collect();
        let values: Vec<f64> = want.iter().map(|(_, v)| v.parse::<f64>().expect("a number")).collect();
        assert_eq!(ys.len(), values.len(), "{id}: one point a day with a {field} value");
        let (lo, hi) = (0..values.len()).fold((0, 0), |(lo, hi), i| {
            (if values[i] < values[lo] { i } else { lo }, if values[i] > values[hi] { i } else { hi })
        });
        assert!(values[hi] > values[lo], "{field} varies");
        let slope = (ys[hi] - ys[lo]) / (values[hi] - values[lo]);
        assert!(slope < 0.0, "{id}: higher values are drawn higher");
        for (k, (&y, &w)) in ys.iter().zip(&values).enumerate() {
            let expected = ys[lo] + slope * (w - values[lo]);
            assert!((y - expected).abs() <= 1.01, "{id} point {k}: y {y} for {field} {w}, expected {expected:.1}");
        }
    }
    // Zoomed into a span (the URL says which): the same values, only those days.
    let (s, zoomed) = get_text(&base, "/cities/510100?from=2022-03-05&to=2022-03-20");
    assert_eq!(s, 200);
    let fig = zoomed.split("id=\"series-o3\"").nth(1).expect("O3 chart");
    let keys: Vec<String> =
        fig[..fig.find("</figure>").expect("end")].split("<rect ").filter_map(|r| attr(r, "data-key")).collect();
    let want: Vec<String> = items
        .iter()
        .filter(|d| d["o3_mda8"].is_string())
        .filter_map(|d| d["date"].as_str().map(str::to_string))
        .filter(|d| d.as_str() >= "2022-03-05" && d.as_str() <= "2022-03-20")
        .collect();
    assert_eq!(keys, want);
    let (s, _) = get_text(&base, "/cities/510100?from=2022-03-20&to=2022-03-05");
    assert_eq!(s, 400, "a span that ends before it starts");
    // The ranking's bars: the API's composite indices, best first.
    let (_, api) = get(&base, "/api/v1/rankings?period=2022-03");
    let (_, page) = get_text(&base, "/ranking?period=2022-03");
    let fig = page.split("id=\"ranking-chart\"").nth(1).expect("ranking chart");
    let bars: Vec<(String, String)> = fig[..fig.find("</figure>").expect("end")]
        .split("<rect ")
        .filter_map(|r| Some((attr(r, "data-key")?, attr(r, "data-value")?)))
        .collect();
    let mut ranked: Vec<(u64, String, String)> = api["rows"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| {
            Some((
                r["rank"].as_u64()?,
                r["city_code"].as_u64()?.to_string(),
                r["composite_index"].as_str()?.to_string(),
            ))
        })
        .collect();
    ranked.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    assert_eq!(bars, ranked.into_iter().map(|(_, c, i)| (c, i)).collect::<Vec<_>>());
    // Read as a ranking is read: the best first, unranked cities last (the page once listed them by city
    // code), the same order as the API's.
    let (s, month) = get_text(&base, "/ranking?period=2022-03");
    assert_eq!(s, 200);
    let table = month.split("id=\"ranking\"").nth(1).expect("table");
    let ranks: Vec<u32> = table
        .split("<tr")
        .skip(2)
        .map(|row| row.split("<td>").nth(1).and_then(|c| c.split('<').next()).expect("rank cell"))
        .map(|c| c.parse::<u32>().unwrap_or(u32::MAX))
        .collect();
    assert_eq!(ranks.len(), 21);
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "ranks in order: {ranks:?}");
    assert!(ranks[0] == 1, "{ranks:?}");
    // Without a period, the pages open on the latest month with complete data — March, not the nine days
    // of April — and say so.
    let table_of = |html: &str, id: &str| {
        let p = html.split(&format!("<table id=\"{id}\"")).nth(1).expect("table").to_string();
        p[..p.find("</table>").expect("end")].to_string()
    };
    let (_, default_page) = get_text(&base, "/ranking");
    assert_eq!(table_of(&default_page, "ranking"), table_of(&month, "ranking"));
    assert!(default_page.contains("class=\"period-note\">默认显示最近一个数据完整的月份"), "{default_page:.600}");
    let (_, en) = get_text(&base, "/ranking?lang=en");
    assert!(en.contains("Showing the latest month with complete data"));
    // English pages name the cities in English (issue 14 item 8).
    assert!(en.contains("<td>Chengdu</td>") && !en.contains("<td>成都</td>"), "{en:.1500}");
    let (_, points_en) = get_text(&base, "/points?lang=en");
    assert!(points_en.contains("<td>Chengdu</td>") && points_en.contains("<h1>Points, 2022-03</h1>"));
    assert!(
        !["优秀", "良好", "合格"].iter().any(|g| points_en.contains(&format!("<td>{g}</td>"))),
        "grades in English"
    );
    assert!(points_en.contains("<b>C1 Air-quality ranking</b>"), "factor names in English");
    // Each city's arithmetic in the page's language (issue 14 item 8).
    assert!(points_en.contains("PM2.5 year to date") && !points_en.contains("年初至今"), "inputs in English");
    let (_, points_zh) = get_text(&base, "/points?period=2022-03");
    assert!(points_zh.contains("PM2.5年初至今") && !points_zh.contains("year to date"), "inputs in Chinese");
    assert!(!points_zh.contains(" of 21") && points_zh.contains("（共21个城市）"), "ranks in Chinese");
    let (_, points_default) = get_text(&base, "/points");
    let (_, points_march) = get_text(&base, "/points?period=2022-03");
    assert_eq!(table_of(&points_default, "points"), table_of(&points_march, "points"));
    assert!(points_default.contains("period-note") && !points_march.contains("period-note"));
    // Downloads (issue 14 item 4): the page links them; the CSV holds the API's rows under its field
    // names, the xlsx the same values under the page language's headers, numbers as numbers.
    assert!(month.contains("href=\"/api/v1/rankings?period=2022-03&amp;format=csv\""), "{month:.3000}");
    assert!(month.contains("<input type=\"month\" name=\"period\" value=\"2022-03\""), "the period picker");
    let (_, json) = get(&base, "/api/v1/rankings?period=2022-03");
    let (ctype, csv_bytes) = download(&base, "/api/v1/rankings?period=2022-03&format=csv");
    assert!(ctype.starts_with("text/csv"), "{ctype}");
    let csv_text = String::from_utf8(csv_bytes).expect("utf-8");
    let mut lines = csv_text.lines();
    assert!(lines
        .next()
        .expect("header")
        .starts_with("rank,city,city_code,composite_index,main_pollutants,good_day_ratio,pm2_5"));
    let api_rows = json["rows"].as_array().expect("rows");
    let csv_rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(str::to_string).collect()).collect();
    assert_eq!(csv_rows.len(), api_rows.len());
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    for (c, a) in csv_rows.iter().zip(api_rows) {
        assert_eq!(
            (&c[0], &c[1], &c[3], &c[5], &c[6]),
            (
                &text(&a["rank"]),
                &text(&a["city"]),
                &text(&a["composite_index"]),
                &text(&a["good_day_ratio"]),
                &text(&a["pm2_5"])
            )
        );
    }
    let (ctype, xlsx) = download(&base, "/api/v1/rankings?period=2022-03&format=xlsx");
    assert!(ctype.starts_with("application/vnd.openxmlformats"), "{ctype}");
    use calamine::Reader as _;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("an xlsx workbook");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(cells[0][..4], ["排名", "城市", "城市代码", "综合指数"]);
    assert_eq!(cells.len(), api_rows.len() + 1);
    for (c, a) in cells[1..].iter().zip(api_rows) {
        assert_eq!(
            (&c[1], &c[3]),
            (&text(&a["city"]), &text(&a["composite_index"]).trim_end_matches('0').trim_end_matches('.').to_string())
        );
    }
    let (_, points_csv) = download(&base, "/api/v1/points?period=2022-03&format=csv");
    let points_csv = String::from_utf8(points_csv).expect("utf-8");
    assert!(points_csv.starts_with("rank,city,city_code,total,grade,C1,"), "{points_csv:.300}");
    assert_eq!(points_csv.lines().count(), 22);
    let (_, stations_json) = get(&base, "/api/v1/stations?per_page=1000");
    let (_, stations_csv) = download(&base, "/api/v1/stations?per_page=1000&format=csv");
    let stations_csv = String::from_utf8(stations_csv).expect("utf-8");
    assert!(stations_csv.starts_with("code,name,city,city_code,lon,lat,is_control\n"), "{stations_csv:.200}");
    assert_eq!(stations_csv.lines().count() as u64, stations_json["total"].as_u64().expect("total") + 1);
    let (_, list) = get_text(&base, "/stations?city=510100");
    assert!(list.contains("href=\"/api/v1/stations?per_page=1000&amp;city=510100&amp;format=csv\""), "{list:.300}");
    let (s, _) = get(&base, "/api/v1/rankings?period=2022-03&format=pdf");
    assert_eq!(s, 400);
    let (_, api) = get(&base, "/api/v1/rankings?period=2022-03");
    let api_ranks: Vec<u32> = api["rows"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["rank"].as_u64().map_or(u32::MAX, |k| k as u32))
        .collect();
    assert_eq!(ranks, api_ranks);
    assert!(server.stop().success());
}

/// `--boundaries`: the real outlines of the 21 cities (the GeoJSON in the shared data) replace the
/// schematic map; a bad file stops the server at start with an error naming the file and the feature.
#[test]
fn boundaries_draw_the_real_choropleth() {
    let Some(shared) = shared_data() else { return };
    let geo = shared.join("geo/sichuan_510000_datav_v3_2021.geojson");
    let t = TempDir::new("geo");
    let db = t.db();
    let data = t.0.join("data");
    ok(&db, &["synth", "--out", &data.display().to_string(), "--days", "2", "--start", "2022-03-01"]);
    ok(&db, &["import", &data.display().to_string()]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_lantian"))
        .args(["--db", &db, "serve", "--addr", "127.0.0.1:0", "--boundaries", &geo.display().to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    reader.read_line(&mut first).expect("URL line");
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let base =
        first.split_whitespace().find(|w| w.starts_with("http://")).expect("URL").trim_end_matches('/').to_string();
    let mut server = Server { child, base: base.clone() };
    let (s, html) = get_text(&base, "/");
    assert_eq!(s, 200);
    let cities: Vec<&str> = html.split("<g class=\"city\"").skip(1).collect();
    assert_eq!(cities.len(), 21);
    assert!(cities.iter().all(|g| g.contains("<path d=\"M")), "every city drawn from its outline");
    assert!(!html.contains("<polygon"), "no schematic hexagons");
    // Each city named on the map, inside the drawing (issue 14 item 3: readable labels on the outlines).
    let vb = html.split("id=\"map\" width=\"").nth(1).expect("map");
    let (w, rest) = vb.split_once("\" height=\"").expect("size");
    let h = rest.split('"').next().expect("height");
    let (w, h): (f64, f64) = (w.parse().expect("width"), h.parse().expect("height"));
    let labels: Vec<&str> = html.split("<text class=\"map-label\"").skip(1).collect();
    assert_eq!(labels.len(), 21);
    for l in &labels {
        let num = |k: &str| -> f64 {
            l.split(&format!(" {k}=\"")).nth(1).and_then(|v| v.split('"').next()).and_then(|v| v.parse().ok()).expect(k)
        };
        assert!((0.0..=w).contains(&num("x")) && (0.0..=h).contains(&num("y")), "{l:.120}");
    }
    assert!(labels.iter().any(|l| l.contains(">成都</text>")));
    assert!(server.stop().success());

    std::fs::write(
        t.0.join("bad.geojson"),
        r#"{"type":"FeatureCollection","features":[{"properties":{},"geometry":null}]}"#,
    )
    .expect("write");
    let o = lantian(
        &db,
        &["serve", "--addr", "127.0.0.1:0", "--boundaries", &t.0.join("bad.geojson").display().to_string()],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.geojson") && err.contains("feature 0") && err.contains("adcode"), "{err}");
}

/// Stored text is escaped on every page converted to templates (issue 14 item 2): station names holding
/// `<script>`, an attribute break-out with an `onerror` handler and quotes are shown as text, and a
/// station code that is not a plain word reaches its link percent-encoded.
#[test]
fn stored_text_is_escaped_on_the_pages() {
    let t = TempDir::new("escape");
    let db = t.db();
    let file = t.0.join("stations.csv");
    std::fs::write(
        &file,
        "监测点编码,监测点名称,城市,经度,纬度,对照点\n\
         1001A,<script>alert(1)</script>,成都,104.0437,30.7044,N\n\
         1002A,\"\"\"><img src=x onerror=alert(2)>\",成都,104.05,30.71,N\n\
         1003A,O'Brien & \"Sons\",成都,104.06,30.72,N\n",
    )
    .expect("write");
    ok(&db, &["import", &file.display().to_string()]);
    let mut server = Server::start(&db);
    let (s, html) = get_text(&server.base, "/stations");
    assert_eq!(s, 200);
    assert!(!html.contains("<script>alert") && !html.contains("<img src=x"), "{html}");
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "{html}");
    assert!(html.contains("&#34;&#62;&#60;img src=x onerror=alert(2)&#62;"), "{html}");
    assert!(html.contains("O&#39;Brien &#38; &#34;Sons&#34;"), "{html}");
    assert!(html.contains("href=\"/stations/1001A\""));
    assert!(server.stop().success());
}

/// Enterprise names and the names of decision makers are escaped too (issue 14 item 2): an enterprise
/// renamed to markup shows as text on its city's control list, and a duty officer recorded under a
/// name holding a tag shows as text on `/alerts`.
#[test]
fn enterprise_and_decision_maker_names_are_escaped() {
    let t = TempDir::new("escape-emergency");
    let db = t.db();
    let data = t.0.join("data");
    ok(&db, &["synth", "--out", &data.display().to_string(), "--days", "92", "--start", "2022-10-01"]);
    ok(&db, &["import", &data.display().to_string()]);
    let registry = std::fs::read_to_string(data.join("emergency/01-enterprises.csv")).expect("registry");
    let mut lines = registry.lines();
    let header = lines.next().expect("header");
    let first = lines.next().expect("an enterprise");
    let (code, rest) = first.split_once(',').expect("credit code");
    let (_, rest) = rest.split_once(',').expect("name");
    let renamed = format!("{header}\n{code},\"<script>alert(3)</script>\"\"><img src=x onerror=alert(4)>\",{rest}\n");
    let file = t.0.join("renamed.csv");
    std::fs::write(&file, renamed).expect("write");
    ok(&db, &["import", &file.display().to_string()]);
    ok(
        &db,
        &["alert", "evaluate", "--at", "2022-12-05T00:00", "--record", "--by", "<b onmouseover=alert(5)>值班员</b>"],
    );
    let token = admin_read_token(&db);
    let mut server = Server::start(&db);
    let (s, list) =
        get_text_as(&server.base, &format!("/alerts/control-list?city={}&level=yellow&year=2022", enc("成都")), &token);
    assert_eq!(s, 200, "{list:.500}");
    assert!(!list.contains("<script>alert(3)") && !list.contains("<img src=x"), "{list}");
    assert!(
        list.contains("&#60;script&#62;alert(3)&#60;/script&#62;&#34;&#62;&#60;img src=x onerror=alert(4)&#62;"),
        "{list}"
    );
    let (s, alerts) = get_text_as(&server.base, "/alerts?at=2022-12-02T12:00", &token);
    assert_eq!(s, 200);
    assert!(!alerts.contains("<b onmouseover"), "{alerts}");
    assert!(alerts.contains("&#60;b onmouseover=alert(5)&#62;值班员&#60;/b&#62;"), "{alerts:.3000}");
    assert!(server.stop().success());
}

/// The province dashboard (issue 14 item 5) shows the numbers of the CLI: a city's annual targets
/// against the year to date as `lantian targets`, a joint-control region's year to date as `lantian
/// assess --level region`, and the latest complete month's best three as the ranking.
#[test]
fn the_dashboard_shows_the_cli_numbers() {
    let t = TempDir::new("dashboard");
    let db = t.db();
    let data = t.0.join("data");
    ok(&db, &["synth", "--out", &data.display().to_string(), "--days", "40", "--start", "2022-03-01"]);
    ok(&db, &["import", &data.display().to_string()]);
    let mut server = Server::start(&db);
    let (s, html) = get_text(&server.base, "/");
    assert_eq!(s, 200);
    // 成都 in the targets table: year to date and target, as `lantian targets`.
    let cli = ok(&db, &["targets", "--city", "成都", "--format", "csv"]);
    let header: Vec<&str> = cli.lines().next().expect("header").split(',').collect();
    let row: Vec<&str> = cli.lines().nth(1).expect("成都").split(',').collect();
    let col = |name: &str| row[header.iter().position(|h| *h == name).expect(name)];
    let progress = html.split("<table id=\"progress\">").nth(1).expect("progress table");
    let chengdu = progress.split("<tr><td>成都</td>").nth(1).expect("成都's row");
    let cells: Vec<&str> = chengdu[..chengdu.find("</tr>").expect("end")]
        .split("</td>")
        .map(|c| c.rsplit('>').next().unwrap_or(""))
        .collect();
    assert_eq!((cells[0], cells[1]), (col("pm2_5_ytd"), col("pm2_5_target")), "{chengdu:.400}");
    assert_eq!((cells[3], cells[4]), (col("good_rate_ytd"), col("good_rate_target")), "{chengdu:.400}");
    assert_eq!(cells[2], "—", "no data a year before");
    // 成都平原: the pooled year to date of `assess --level region`.
    let assess = ok(&db, &["assess", "--level", "region", "--period", "2022-01-01..2022-04-09", "--format", "csv"]);
    let h: Vec<&str> = assess.lines().next().expect("header").split(',').collect();
    let plain: Vec<&str> = assess.lines().find(|l| l.starts_with("成都平原,")).expect("成都平原").split(',').collect();
    let v = |name: &str| plain[h.iter().position(|x| *x == name).expect(name)].trim_end_matches('*');
    let panel = html.split("<h3>成都平原</h3>").nth(1).expect("the region's panel");
    let panel = &panel[..panel.find("</div>").expect("end")];
    assert!(panel.contains(&format!("PM2.5 {} μg/m³", v("pm2_5"))), "{panel} vs {plain:?}");
    assert!(panel.contains(&format!("优良天数比例 {}%", v("good_day_ratio"))), "{panel} vs {plain:?}");
    // The latest complete month (March): its best three, as the ranking.
    let (_, ranking) = get(&server.base, "/api/v1/rankings?period=2022-03");
    let best = html.split("<ol id=\"best\">").nth(1).expect("best three");
    let first = ranking["rows"][0]["city"].as_str().expect("city");
    assert!(
        best.starts_with(&format!(
            "<li>{first} {}</li>",
            ranking["rows"][0]["composite_index"].as_str().expect("index")
        )),
        "{best:.200}"
    );
    // Pages are cached per state of the data they read: five more days imported while the server runs
    // show on the next request.
    assert!(html.contains("最新数据时间 2022-04-10 00:00"), "{html:.800}");
    let more = t.0.join("more");
    ok(&db, &["synth", "--out", &more.display().to_string(), "--days", "5", "--start", "2022-04-10"]);
    ok(&db, &["import", &more.display().to_string()]);
    let (_, after) = get_text(&server.base, "/");
    assert!(after.contains("最新数据时间 2022-04-15 00:00"), "{after:.800}");
    assert!(server.stop().success());
}

/// GET and return the content type and the bytes.
fn download(base: &str, path: &str) -> (String, Vec<u8>) {
    let mut r = ureq::get(&format!("{base}{path}")).call().expect("request");
    assert_eq!(r.status().as_u16(), 200, "{path}");
    let ctype = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let disposition = r.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(disposition.starts_with("attachment; filename=\""), "{disposition}");
    (ctype, r.body_mut().read_to_vec().expect("body"))
}

/// Downloads of the public tables not covered above (issue 14 item 4): a city's daily values and its
/// year's statistics from the city page, a station's hours from its page — the API's rows under its
/// field names in CSV, words (not codes) for people in the xlsx.
#[test]
fn every_public_table_downloads() {
    let t = TempDir::new("downloads");
    let db = t.db();
    let data = t.0.join("data");
    ok(&db, &["synth", "--out", &data.display().to_string(), "--days", "40", "--start", "2022-03-01"]);
    ok(&db, &["import", &data.display().to_string()]);
    let mut server = Server::start(&db);
    let base = server.base.clone();
    let (_, page) = get_text(&base, "/cities/510100?year=2022");
    let daily = "/api/v1/aqi/daily?city=510100&from=2022-01-01&to=2022-12-31";
    assert!(page.contains(&format!("href=\"{}&amp;format=csv\"", daily.replace('&', "&amp;"))), "{page:.200}");
    let (_, json) = get(&base, daily);
    let items = json["items"].as_array().expect("items");
    let (ctype, csv) = download(&base, &format!("{daily}&format=csv"));
    assert!(ctype.starts_with("text/csv"));
    let csv = String::from_utf8(csv).expect("utf-8");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    assert_eq!(header[..7], ["station", "city", "date", "aqi", "level", "category", "primary"]);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), items.len());
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    for (r, a) in rows.iter().zip(items) {
        assert_eq!(r[col("date")], a["date"].as_str().expect("date"));
        assert_eq!(r[col("aqi")], a["aqi"].as_u64().map_or(String::new(), |v| v.to_string()));
        assert_eq!(r[col("category")], a["category"].as_str().unwrap_or(""));
        assert_eq!(r[col("pm2_5")], a["pm2_5"].as_str().unwrap_or(""));
    }
    let (_, xlsx) = download(&base, &format!("{daily}&format=xlsx"));
    use calamine::Reader as _;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("an xlsx workbook");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(cells[0][..6], ["站点编码", "城市", "日期", "AQI", "级别", "类别"]);
    let words = ["优", "良", "轻度污染", "中度污染", "重度污染", "严重污染", ""];
    assert!(cells[1..].iter().all(|r| words.contains(&r[5].as_str())), "categories in words");
    assert!(cells[1..].iter().all(|r| !r[6].contains('_')), "primary pollutants in words");
    // The year's statistics: the assessment API's row of 成都.
    let stats = "/api/v1/assessments?period=2022&scope=510100";
    assert!(page.contains(&format!("href=\"{}&amp;format=csv\"", stats.replace('&', "&amp;"))));
    let (_, a) = get(&base, stats);
    let (_, csv) = download(&base, &format!("{stats}&format=csv"));
    let csv = String::from_utf8(csv).expect("utf-8");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let row: Vec<&str> = lines.next().expect("成都").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    assert_eq!(row[col("unit")], a[0]["unit"].as_str().expect("unit"));
    assert_eq!(row[col("pm2_5")], a[0]["pm2_5"]["value"].as_str().expect("pm2.5"));
    assert_eq!(row[col("good_day_ratio")], a[0]["good_day_ratio"].as_str().expect("ratio"));
    assert!(
        page.contains(&format!("<td>{}</td>", a[0]["pm2_5"]["value"].as_str().expect("pm2.5"))),
        "the page's number"
    );
    // A station's hours.
    let (_, station) = get_text(&base, "/stations/1431A?date=2022-03-05");
    let hourly = "/api/v1/aqi/hourly?station=1431A&from=2022-03-05&to=2022-03-05";
    assert!(station.contains(&format!("href=\"{}&amp;format=csv\"", hourly.replace('&', "&amp;"))), "{station:.300}");
    let (_, json) = get(&base, hourly);
    let (_, csv) = download(&base, &format!("{hourly}&format=csv"));
    let csv = String::from_utf8(csv).expect("utf-8");
    assert!(csv.starts_with("station,station_name,city,time,aqi,level,category,primary,standard,so2,"), "{csv:.200}");
    assert_eq!(csv.lines().count(), json["items"].as_array().expect("items").len() + 1);
    assert!(csv.lines().count() > 20, "a day of hours");
    // The station picker: the stations of the same city; choosing one opens its page on the same date.
    let picker = station.split("<select name=\"station\">").nth(1).expect("station picker");
    let picker = &picker[..picker.find("</select>").expect("end")];
    assert!(picker.contains("<option value=\"1431A\" selected>"), "{picker:.300}");
    let (_, list) = get(&base, "/api/v1/stations?city=510100&per_page=1000");
    assert_eq!(picker.matches("<option").count() as u64, list["total"].as_u64().expect("total"));
    let agent: ureq::Agent = ureq::Agent::config_builder().max_redirects(0).http_status_as_error(false).build().into();
    let r = agent.get(&format!("{base}/stations?station=1432A&date=2022-03-05&lang=en")).call().expect("picker");
    assert_eq!(r.status().as_u16(), 303);
    let to = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert_eq!(to, "/stations/1432A?date=2022-03-05&lang=en");
    // The dashboard's targets table: `lantian targets`, as CSV and JSON.
    let (_, overview) = get_text(&base, "/");
    let at = overview.split("/api/v1/targets?at=").nth(1).expect("targets download link");
    let at = &at[..10];
    let cli = ok(&db, &["targets", "--at", at, "--format", "csv"]);
    let targets_table = cli.split("\n\n").next().unwrap_or(&cli).to_string();
    let (_, api_csv) = download(&base, &format!("/api/v1/targets?at={at}&format=csv"));
    let api_csv = String::from_utf8(api_csv).expect("utf-8");
    assert_eq!(api_csv.lines().next(), targets_table.lines().next(), "the CLI's columns");
    assert!(api_csv.lines().count() >= 2);
    for line in api_csv.lines() {
        assert!(cli.lines().any(|l| l == line), "{line} not in `lantian targets`: {cli}");
    }
    let (_, json) = get(&base, &format!("/api/v1/targets?at={at}"));
    let chengdu = json["rows"].as_array().expect("rows").iter().find(|r| r["city"] == "成都").expect("成都").clone();
    assert!(api_csv.lines().any(|l| l.starts_with("成都,") && l.contains(chengdu["pm2_5_ytd"].as_str().expect("ytd"))));
    // The city page's budgets.
    let budgets = page.split("/api/v1/budgets?city=510100&amp;at=").nth(1).expect("budgets download link");
    let at = &budgets[..16];
    let (_, csv) = download(&base, &format!("/api/v1/budgets?city=510100&at={at}&format=csv"));
    let csv = String::from_utf8(csv).expect("utf-8");
    assert!(csv.starts_with("city,city_code,at,pollutant,current,budget,status\n"), "{csv}");
    let (_, json) = get(&base, &format!("/api/v1/budgets?city=510100&at={at}"));
    assert_eq!(csv.lines().count(), json[0]["day"].as_array().expect("day").len() + 1);
    let (_, xlsx) = download(&base, &format!("/api/v1/budgets?city=510100&at={at}&format=xlsx"));
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("an xlsx workbook");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert!(cells[1..].iter().all(|r| !r[6].contains('_') && !r[6].is_empty()), "statuses in words: {cells:?}");
    assert!(server.stop().success());
}
