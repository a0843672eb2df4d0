//! Who may read and write what (issue 12 §1–4), through the real binary on the demonstration province:
//! the role × endpoint × city matrix over every page and API GET (a route without a row fails the test);
//! ownership of stored records on upload; a city's own assessment inputs as proposals until the province
//! approves them; token expiry, scopes and revocation; session idle and absolute expiry.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~/?=&".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `lantian serve` with extra environment (session limits).
fn start_server(db: &str, envs: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lantian"));
    cmd.args(["--db", db, "serve", "--addr", "127.0.0.1:0"]).stdout(Stdio::piped()).stderr(Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("serve");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    reader.read_line(&mut first).expect("URL line");
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .map(|u| u.trim_end_matches('/').to_string())
        .expect("URL");
    Server { child, base }
}

/// An agent that does not follow redirects.
fn raw_agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into()
}

/// GET with a cookie (or none): status, Location header, body.
fn fetch(base: &str, path: &str, cookie: Option<&str>) -> (u16, String, String) {
    let mut req = raw_agent().get(&format!("{base}{}", enc(path)));
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    let mut r = req.call().expect("request");
    let loc = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (r.status().as_u16(), loc, r.body_mut().read_to_string().unwrap_or_default())
}

fn fetch_bearer(base: &str, path: &str, token: &str) -> (u16, String) {
    let mut r = raw_agent()
        .get(&format!("{base}{}", enc(path)))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("request");
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
}

/// Signs in; returns `(cookie, csrf)`.
fn sign_in(base: &str, name: &str) -> (String, String) {
    let mut r = raw_agent()
        .post(&format!("{base}/api/v1/session"))
        .header("Content-Type", "application/json")
        .send(format!(r#"{{"name":"{name}","password":"{PASSWORD}"}}"#))
        .expect("sign in");
    assert_eq!(r.status().as_u16(), 200, "sign in {name}");
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_string();
    let v: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().expect("body")).expect("json");
    (cookie, v["csrf_token"].as_str().expect("csrf").to_string())
}

fn post_as(base: &str, path: &str, token: &str, body: &str) -> (u16, serde_json::Value) {
    let mut r = raw_agent()
        .post(&format!("{base}{}", enc(path)))
        .header("Authorization", &format!("Bearer {token}"))
        .send(body)
        .expect("request");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().expect("body");
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

fn token(db: &str, name: &str, scope: &str) -> String {
    ok(db, &["user", "token", name, "--scope", scope, "--label", scope]).trim().to_string()
}

const TASKS: &str = "task,city,department,description,unit,kind,baseline,target,start,deadline\n\
cd-scrap,成都,成都市公安局交通管理局,淘汰国III及以下排放标准汽车,辆,cumulative,0,80000,2022-01-01,2022-12-31\n\
cd-nev,成都,成都市经济和信息化局,新能源汽车保有量提高到30万辆,辆,level,200000,300000,2022-01-01,2022-12-31\n\
dy-coal,德阳,德阳市发展和改革委员会,压减燃煤消费量,万吨,cumulative,0,12,2022-01-01,2022-12-31\n";

/// The demonstration province of October–December 2022 with its emergency response recorded (a hand
/// raise of 成都 by 成都市生态环境局; the other alerts by 省专班值班员), three tasks, and the accounts of
/// the matrix. Returns the synth folder.
fn demo_store(t: &TempDir, db: &str) -> std::path::PathBuf {
    let data = t.0.join("data");
    ok(db, &["synth", "--out", &data.display().to_string(), "--days", "92", "--start", "2022-10-01"]);
    ok(db, &["import", &data.display().to_string()]);
    ok(db, &["alert", "evaluate", "--at", "2022-12-05T00:00", "--record", "--by", "省专班值班员"]);
    raise_chengdu_by_hand(db);
    std::fs::write(t.0.join("tasks.csv"), TASKS).expect("write");
    ok(db, &["import", &t.0.join("tasks.csv").display().to_string()]);
    user_add(db, &["admin1", "--role", "admin"]);
    user_add(db, &["chengdu", "--role", "city", "--city", "成都"]);
    user_add(db, &["deyang", "--role", "city", "--city", "德阳"]);
    user_add(db, &["jxj", "--role", "department", "--department", "成都市经济和信息化局", "--city", "成都"]);
    user_add(db, &["viewer1", "--role", "viewer"]);
    user_add(db, &["viewer2", "--role", "viewer", "--grant", "compliance"]);
    ok(db, &["work", "issue", "--by", "admin1", "--kind", "manual", "--to", "city:510100", "--title", "核查"]);
    data
}

/// The callers of the matrix, in column order.
const CALLERS: [&str; 7] = ["anonymous", "admin1", "chengdu", "deyang", "jxj", "viewer1", "viewer2"];

/// One row: the routed path (as in `lantian_web::access::POLICIES`), a request for it, and the status
/// each caller gets, in the order of [`CALLERS`] (303: a page redirecting to /login).
struct Row {
    route: &'static str,
    url: &'static str,
    expect: [u16; 7],
}

const ALL_200: [u16; 7] = [200; 7];

/// Every page and API GET of the server. Worked out from the policy of issue 12 §1 (docs/formats.md
/// "Access policy"), not from the code's table: published numbers public; control lists of 德阳 for
/// the province and 德阳; compliance for the province, the cities (their own) and the viewer granted
/// it; the forecast evaluation for the province and the cities; tasks for the province, the cities and
/// the department; proposals for the province and the cities.
const MATRIX: &[Row] = &[
    Row { route: "/healthz", url: "/healthz", expect: ALL_200 },
    Row { route: "/", url: "/", expect: ALL_200 },
    Row { route: "/screen", url: "/screen", expect: ALL_200 },
    Row { route: "/ranking", url: "/ranking?period=2022-11", expect: ALL_200 },
    Row { route: "/points", url: "/points?period=2022-11", expect: ALL_200 },
    Row { route: "/stations", url: "/stations", expect: ALL_200 },
    Row { route: "/stations/{code}", url: "/stations/1431A?date=2022-11-30", expect: ALL_200 },
    Row { route: "/cities/{city}", url: "/cities/成都?year=2022", expect: ALL_200 },
    Row { route: "/login", url: "/login", expect: ALL_200 },
    Row { route: "/assets/{file}", url: "/assets/lantian.css", expect: ALL_200 },
    Row { route: "/upload", url: "/upload", expect: [303, 200, 200, 200, 200, 200, 200] },
    Row { route: "/alerts", url: "/alerts?at=2022-11-30T12:00", expect: ALL_200 },
    Row {
        route: "/alerts/control-list",
        url: "/alerts/control-list?city=德阳&level=yellow",
        expect: [303, 200, 403, 200, 403, 403, 403],
    },
    Row { route: "/tasks", url: "/tasks", expect: [303, 200, 200, 200, 200, 403, 403] },
    Row { route: "/work", url: "/work", expect: [303, 200, 200, 200, 200, 200, 200] },
    Row { route: "/work/items/{id}", url: "/work/items/1", expect: [303, 200, 200, 403, 403, 403, 403] },
    Row {
        route: "/work/evidence/{reference}",
        url: "/work/evidence/blake3:00?item=1",
        expect: [303, 404, 404, 403, 403, 403, 403],
    },
    Row { route: "/api/v1/openapi.json", url: "/api/v1/openapi.json", expect: ALL_200 },
    Row { route: "/api/v1/cities", url: "/api/v1/cities", expect: ALL_200 },
    Row { route: "/api/v1/stations", url: "/api/v1/stations?city=成都", expect: ALL_200 },
    Row { route: "/api/v1/stations.geojson", url: "/api/v1/stations.geojson", expect: ALL_200 },
    Row { route: "/api/v1/rankings", url: "/api/v1/rankings?period=2022-11", expect: ALL_200 },
    Row { route: "/api/v1/points", url: "/api/v1/points?period=2022-11", expect: ALL_200 },
    Row { route: "/api/v1/budgets", url: "/api/v1/budgets?city=成都", expect: ALL_200 },
    Row { route: "/api/v1/assessments", url: "/api/v1/assessments?period=2022-11", expect: ALL_200 },
    Row { route: "/api/v1/targets", url: "/api/v1/targets?at=2022-11-30", expect: ALL_200 },
    Row {
        route: "/api/v1/aqi/hourly",
        url: "/api/v1/aqi/hourly?station=1431A&from=2022-11-30&to=2022-11-30",
        expect: ALL_200,
    },
    Row {
        route: "/api/v1/aqi/daily",
        url: "/api/v1/aqi/daily?city=成都&from=2022-11-01&to=2022-11-30",
        expect: ALL_200,
    },
    Row { route: "/api/v1/alerts", url: "/api/v1/alerts?at=2022-11-30T12:00", expect: ALL_200 },
    Row {
        route: "/api/v1/alerts/evaluation",
        url: "/api/v1/alerts/evaluation?at=2022-11-28T16:00",
        expect: [401, 200, 200, 200, 403, 403, 403],
    },
    Row {
        route: "/api/v1/control-lists",
        url: "/api/v1/control-lists?city=德阳&level=yellow",
        expect: [401, 200, 403, 200, 403, 403, 403],
    },
    Row { route: "/api/v1/compliance", url: "/api/v1/compliance", expect: [401, 200, 200, 200, 403, 403, 200] },
    Row { route: "/api/v1/tasks", url: "/api/v1/tasks", expect: [401, 200, 200, 200, 200, 403, 403] },
    Row { route: "/api/v1/proposals", url: "/api/v1/proposals", expect: [401, 200, 200, 200, 403, 403, 403] },
    Row { route: "/api/v1/work/items", url: "/api/v1/work/items", expect: [401, 200, 200, 200, 200, 403, 403] },
    Row { route: "/api/v1/session", url: "/api/v1/session", expect: [401, 200, 200, 200, 200, 200, 200] },
];

/// The matrix: every page and API GET × anonymous, the province, 成都, 德阳, a department, a viewer and a
/// viewer granted compliance. Table-driven: the routes come from the server's own policy table and the
/// OpenAPI document, and each must have a row here — a new endpoint without one fails.
#[test]
fn role_endpoint_city_matrix() {
    // Every GET route of the server and every documented GET has a row.
    let mut routes: Vec<String> =
        lantian_web::access::POLICIES.iter().filter(|(m, _, _)| *m == "GET").map(|(_, p, _)| p.to_string()).collect();
    let doc = lantian_web::api::openapi_document();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        if ops.get("get").is_some() {
            routes.push(path.clone());
        }
    }
    for r in lantian_web::route_paths() {
        assert!(lantian_web::access::POLICIES.iter().any(|(_, p, _)| *p == r), "route {r} has no access policy");
    }
    for r in &routes {
        assert!(MATRIX.iter().any(|row| row.route == r), "GET {r} has no row in the access matrix");
    }

    let t = TempDir::new("access-matrix");
    let db = t.db();
    demo_store(&t, &db);
    let mut server = Server::start(&db);
    let base = server.base.clone();
    // A proposal of 成都 (so that the proposals list has one).
    let cd_upload = token(&db, "chengdu", "upload");
    let (s, v) = post_as(
        &base,
        "/api/v1/uploads?name=adj.csv",
        &cd_upload,
        "city,date,item,evidence,approver\n成都,2022-11-20,green_benchmark,省经信厅认定文件,省经济和信息化厅\n",
    );
    assert_eq!((s, v["pending_approval"].as_u64()), (200, Some(1)), "{v}");
    let cookies: Vec<Option<String>> =
        CALLERS.iter().map(|c| if *c == "anonymous" { None } else { Some(sign_in(&base, c).0) }).collect();

    let mut wrong = Vec::new();
    let mut bodies = std::collections::HashMap::new();
    for row in MATRIX {
        for (i, caller) in CALLERS.iter().enumerate() {
            let (status, location, body) = fetch(&base, row.url, cookies[i].as_deref());
            if status != row.expect[i] {
                wrong.push(format!("{caller} GET {} → {status}, expected {}: {body:.200}", row.url, row.expect[i]));
            }
            if status == 303 && !location.starts_with("/login?next=") {
                wrong.push(format!("{caller} GET {} redirects to {location:?}", row.url));
            }
            if (status == 401 || status == 403) && !row.url.starts_with("/api/") {
                // A page answers its refusal as a page (issue 14 item 9): the status, and a way to sign in.
                if !body.starts_with("<!doctype html>")
                    || !body.contains(&format!("<b>{status}</b>"))
                    || !body.contains("href=\"/login")
                {
                    wrong.push(format!("{caller} GET {}: {status} not an error page: {body:.200}", row.url));
                }
            } else if status == 401 || status == 403 {
                let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                if v["error"]["status"].as_u64() != Some(u64::from(status)) {
                    wrong.push(format!("{caller} GET {}: {status} not in the API error shape: {body:.200}", row.url));
                }
            }
            bodies.insert((row.route, *caller), body);
        }
    }
    assert!(wrong.is_empty(), "access matrix:\n{}", wrong.join("\n"));

    // What each scope sees, by content. The callers ask in the order of CALLERS for the same URL, so an
    // answer cached for one reader and served to another would show here (the province's compliance
    // to 成都, the public alerts to the province).
    let body = |route: &str, caller: &str| bodies[&(route, caller)].clone();
    let has = |route: &str, caller: &str, text: &str| body(route, caller).contains(text);
    // /alerts: the public version names no decision maker; 成都 sees its own (成都市生态环境局), not
    // 德阳's (省专班值班员); 德阳 the reverse; the province both.
    for caller in ["anonymous", "jxj", "viewer1", "viewer2"] {
        for route in ["/alerts", "/api/v1/alerts"] {
            assert!(
                !has(route, caller, "成都市生态环境局") && !has(route, caller, "省专班值班员"),
                "{caller} {route} shows who decided"
            );
        }
        assert!(!has("/api/v1/alerts", caller, "\"actor\""), "{caller}: actor in the public alerts");
        assert!(!has("/alerts", caller, "决定人") && !has("/alerts", caller, "最新预报研判"), "{caller} /alerts");
    }
    assert!(has("/alerts", "anonymous", "成都") && has("/alerts", "anonymous", "橙色"), "public alerts in force");
    let route = "/alerts";
    assert!(has(route, "admin1", "成都市生态环境局") && has(route, "admin1", "省专班值班员"), "admin {route}");
    assert!(has(route, "chengdu", "成都市生态环境局") && !has(route, "chengdu", "省专班值班员"), "成都 {route}");
    assert!(!has(route, "deyang", "成都市生态环境局") && has(route, "deyang", "省专班值班员"), "德阳 {route}");
    // The API: the scopes whose entries carry who decided (the log has every city's decisions).
    let detailed = |caller: &str| -> std::collections::BTreeSet<String> {
        let v: serde_json::Value = serde_json::from_str(&body("/api/v1/alerts", caller)).expect("json");
        ["active", "log"]
            .iter()
            .flat_map(|k| v[*k].as_array().cloned().unwrap_or_default())
            .filter(|e| e.get("actor").is_some() || e.get("evidence").is_some())
            .map(|e| e["scope"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert!(detailed("admin1").len() > 2, "{:?}", detailed("admin1"));
    assert_eq!(detailed("chengdu").into_iter().collect::<Vec<_>>(), ["city:510100"]);
    assert_eq!(detailed("deyang").into_iter().collect::<Vec<_>>(), ["city:510600"]);
    assert!(
        has("/api/v1/alerts", "chengdu", "成都市生态环境局") && !has("/api/v1/alerts", "deyang", "成都市生态环境局")
    );
    // The forecast evaluation: a city sees its own row only.
    let ev = |caller: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(&body("/api/v1/alerts/evaluation", caller)).expect("json");
        v["cities"].as_array().expect("cities").iter().map(|c| c["city"].as_str().unwrap_or("").to_string()).collect()
    };
    assert_eq!(ev("admin1").len(), 21);
    assert_eq!(ev("chengdu"), vec!["成都".to_string()]);
    assert_eq!(ev("deyang"), vec!["德阳".to_string()]);
    // Compliance: 成都's enterprise that kept running and 德阳's one-size-fits-all plant.
    let (cd_plant, dy_plant) = ("91510100AC8P2EFN6Q", "91510600WG0K009WK3");
    assert!(has("/api/v1/compliance", "admin1", cd_plant) && has("/api/v1/compliance", "admin1", dy_plant));
    assert!(has("/api/v1/compliance", "viewer2", cd_plant) && has("/api/v1/compliance", "viewer2", dy_plant));
    assert!(has("/api/v1/compliance", "chengdu", cd_plant) && !has("/api/v1/compliance", "chengdu", dy_plant));
    assert!(!has("/api/v1/compliance", "deyang", cd_plant) && has("/api/v1/compliance", "deyang", dy_plant));
    assert!(has("/alerts/control-list", "deyang", "德阳锦江建材有限公司"));
    // Tasks: the province all three, 成都 its two, 德阳 its one, the 经信局 its own.
    let tasks = |caller: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(&body("/api/v1/tasks", caller)).expect("json");
        let mut t: Vec<String> =
            v.as_array().expect("tasks").iter().map(|x| x["task"].as_str().unwrap_or("").to_string()).collect();
        t.sort();
        t
    };
    assert_eq!(tasks("admin1"), ["cd-nev", "cd-scrap", "dy-coal"]);
    assert_eq!(tasks("chengdu"), ["cd-nev", "cd-scrap"]);
    assert_eq!(tasks("deyang"), ["dy-coal"]);
    assert_eq!(tasks("jxj"), ["cd-nev"]);
    // Proposals: 成都 and the province see 成都's; 德阳 none.
    assert!(
        has("/api/v1/proposals", "admin1", "green_benchmark") && has("/api/v1/proposals", "chengdu", "green_benchmark")
    );
    assert_eq!(body("/api/v1/proposals", "deyang").trim(), "[]");
    // Asking for another city's rows is a 403 naming the scope; a bearer token reads as its account.
    let cd = cookies[2].as_deref();
    let (s, _, b) = fetch(&base, "/api/v1/compliance?city=德阳", cd);
    assert!(s == 403 && b.contains("成都"), "{s} {b}");
    let (s, _, _) = fetch(&base, "/api/v1/tasks?city=德阳", cd);
    assert_eq!(s, 403);
    let cd_read = token(&db, "chengdu", "read");
    let (s, b) = fetch_bearer(&base, "/api/v1/compliance", &cd_read);
    assert!(s == 200 && b.contains(cd_plant) && !b.contains(dy_plant), "{s}");

    // Every answer of a restricted route that was served is in the audit log as an export (issue 13
    // item 5): one entry per 200 of the matrix on such a route, and the bearer read just above.
    let exports = || -> Vec<(String, String)> {
        let (h, rows) = csv_rows(&ok(&db, &["user", "audit", "--limit", "100000", "--format", "csv"]));
        rows.iter()
            .filter(|r| r[col(&h, "action")] == "export")
            .map(|r| (r[col(&h, "actor")].clone(), r[col(&h, "detail")].clone()))
            .collect()
    };
    let restricted = |route: &str| {
        lantian_web::access::POLICIES
            .iter()
            .any(|(m, p, pol)| *m == "GET" && *p == route && matches!(pol, lantian_web::access::Policy::Restricted(_)))
    };
    let served: usize = MATRIX
        .iter()
        .filter(|row| restricted(row.route))
        .map(|row| row.expect.iter().filter(|s| **s == 200).count())
        .sum();
    let log = exports();
    let of_restricted = log
        .iter()
        .filter(|(_, d)| {
            // "DATASET (SCOPE) PATH?QUERY: N rows"
            let path = d.split_once(") ").and_then(|(_, r)| r.split(": ").next()).unwrap_or("");
            restricted(path.split('?').next().unwrap_or(""))
        })
        .count();
    assert_eq!(of_restricted, served + 1, "{log:#?}");
    // A city account reading its compliance: one entry naming it, the dataset, its scope, what it
    // asked and how many rows (enterprises) it received.
    let (s, _, b) = fetch(&base, "/api/v1/compliance", cd);
    assert_eq!(s, 200);
    let v: serde_json::Value = serde_json::from_str(&b).expect("json");
    let rows = v["enterprises"].as_array().expect("enterprises").len();
    assert!(rows > 0);
    let after = exports();
    assert_eq!(after.len(), log.len() + 1);
    assert_eq!(after[0], ("chengdu".to_string(), format!("compliance (city 成都) /api/v1/compliance: {rows} rows")));
    // Public reads — anonymous, or of public data by an account — write nothing.
    for (path, cookie) in [
        ("/api/v1/cities", None),
        ("/api/v1/alerts", None),
        ("/alerts", None),
        ("/api/v1/cities", cd),
        ("/api/v1/rankings?period=2022-11", cd),
    ] {
        assert_eq!(fetch(&base, path, cookie).0, 200, "{path}");
    }
    assert_eq!(exports().len(), after.len(), "a public read was audited");
    server.stop();
}

/// Issue 12 §2: uploads are authorised against the record already stored as well as the record sent;
/// each rejection names the record and its owner and leaves the store as it was.
#[test]
fn uploads_cannot_take_over_records_of_others() {
    let t = TempDir::new("access-own");
    let db = t.db();
    let data = demo_store(&t, &db);
    user_add(&db, &["dept1", "--role", "department", "--department", "成都市公安局交通管理局", "--city", "成都"]);
    let mut server = Server::start(&db);
    let base = server.base.clone();
    let admin = token(&db, "admin1", "read");
    let snapshot = |what: &str| fetch_bearer(&base, what, &admin).1;
    let list_before = snapshot("/api/v1/control-lists?city=德阳&level=yellow");
    let tasks_before = snapshot("/api/v1/tasks");
    assert!(list_before.contains("91510600WG0K009WK3"));

    // 成都 moves 德阳's enterprise into 成都 with the registry's own row (city changed).
    let registry = std::fs::read_to_string(data.join("emergency/01-enterprises.csv")).expect("registry");
    let header = registry.lines().next().expect("header");
    let row = registry.lines().find(|l| l.starts_with("91510600WG0K009WK3,")).expect("the real row");
    assert!(row.contains(",德阳,"), "{row}");
    let moved = format!("{header}\n{}\n", row.replacen(",德阳,", ",成都,", 1));
    let cd = token(&db, "chengdu", "upload");
    let (s, v) = post_as(&base, "/api/v1/uploads?name=ent.csv", &cd, &moved);
    let m = v["error"]["message"].as_str().unwrap_or("");
    assert_eq!(s, 403, "{v}");
    assert!(
        m.contains("91510600WG0K009WK3") && m.contains("德阳锦江建材有限公司") && m.contains("belongs to 德阳"),
        "{m}"
    );

    // 德阳 takes over 成都's cd-scrap and sets its target to 1.
    let dy = token(&db, "deyang", "upload");
    let header = TASKS.lines().next().expect("header");
    let taken = format!(
        "{header}\ncd-scrap,德阳,德阳市公安局交通管理局,淘汰国III及以下排放标准汽车,辆,cumulative,0,1,2022-01-01,2022-12-31\n"
    );
    let (s, v) = post_as(&base, "/api/v1/uploads?name=tasks.csv", &dy, &taken);
    let m = v["error"]["message"].as_str().unwrap_or("");
    assert_eq!(s, 403, "{v}");
    assert!(m.contains("cd-scrap") && m.contains("成都市公安局交通管理局 of 成都"), "{m}");

    // dept1 (成都市公安局交通管理局) takes over the 经信局's cd-nev under its own name.
    let d1 = token(&db, "dept1", "upload");
    let nev = format!(
        "{header}\ncd-nev,成都,成都市公安局交通管理局,新能源汽车保有量提高到30万辆,辆,level,200000,300000,2022-01-01,2022-12-31\n"
    );
    let (s, v) = post_as(&base, "/api/v1/uploads?name=tasks.csv", &d1, &nev);
    let m = v["error"]["message"].as_str().unwrap_or("");
    assert_eq!(s, 403, "{v}");
    assert!(m.contains("cd-nev") && m.contains("成都市经济和信息化局 of 成都"), "{m}");

    // A department creates a task for another city.
    let jxj = token(&db, "jxj", "upload");
    let other_city =
        format!("{header}\ndy-nev,德阳,成都市经济和信息化局,新能源汽车推广,辆,level,0,1000,2022-01-01,2022-12-31\n");
    let (s, v) = post_as(&base, "/api/v1/uploads?name=tasks.csv", &jxj, &other_city);
    let m = v["error"]["message"].as_str().unwrap_or("");
    assert_eq!(s, 403, "{v}");
    assert!(m.contains("dy-nev") && m.contains("德阳") && m.contains("成都"), "{m}");

    // The owner itself may not lower its task's yardstick (the province sets it)…
    let lowered = format!(
        "{header}\ncd-nev,成都,成都市经济和信息化局,新能源汽车保有量提高到30万辆,辆,level,200000,200001,2022-01-01,2022-12-31\n"
    );
    let (s, v) = post_as(&base, "/api/v1/uploads?name=tasks.csv", &jxj, &lowered);
    let m = v["error"]["message"].as_str().unwrap_or("");
    assert_eq!(s, 403, "{v}");
    assert!(m.contains("cd-nev") && m.contains("target 300000 → 200001"), "{m}");
    // … but reports its progress; a new task, even of its own city, is the province's to assign (its
    // completion may score the city: issue 12 §3).
    let (s, v) =
        post_as(&base, "/api/v1/uploads?name=r.csv", &jxj, "task,date,value,source\ncd-nev,2022-06-30,262000,月报\n");
    assert_eq!((s, v["kind"].as_str()), (200, Some("task-reports")), "{v}");
    let own = format!(
        "{header}\ncd-charge,成都,成都市经济和信息化局,充电桩建设,个,cumulative,0,5000,2022-01-01,2022-12-31\n"
    );
    let (s, v) = post_as(&base, "/api/v1/uploads?name=own.csv", &jxj, &own);
    assert_eq!(s, 403, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("cd-charge") && m.contains("assigned by the province")),
        "{v}"
    );

    // Nothing of the rejected files reached the store.
    assert_eq!(snapshot("/api/v1/control-lists?city=德阳&level=yellow"), list_before);
    let tasks_after: serde_json::Value = serde_json::from_str(&snapshot("/api/v1/tasks")).expect("json");
    let before: serde_json::Value = serde_json::from_str(&tasks_before).expect("json");
    let strip = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        v.as_array()
            .expect("tasks")
            .iter()
            .filter(|t| t["task"] != "cd-charge")
            .map(|t| {
                let mut t = t.clone();
                // The definitions: not the reports, nor the progress they make.
                for k in ["reports", "completion_pct", "status"] {
                    t[k] = serde_json::Value::Null;
                }
                t
            })
            .collect()
    };
    assert_eq!(strip(&tasks_after), strip(&before), "task definitions unchanged");
    // The rejections are audited with who tried.
    let log = ok(&db, &["user", "audit", "--format", "csv"]);
    let (h, rows) = csv_rows(&log);
    let rejected: Vec<&str> = rows
        .iter()
        .filter(|r| r[col(&h, "detail")].contains("rejected (403)"))
        .map(|r| r[col(&h, "actor")].as_str())
        .collect();
    assert_eq!(rejected, ["jxj", "jxj", "jxj", "dept1", "deyang", "chengdu"], "{log}");
    server.stop();
}

/// The three-city May of `web.rs` (成都 90, 德阳 55, 绵阳 18 points; worked out in `assessment.rs`).
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

fn totals(db: &str) -> Vec<(String, String, String)> {
    let (h, rows) =
        csv_rows(&ok(db, &["points", "--period", "2022-05", "--scope", "成都,德阳,绵阳", "--format", "csv"]));
    let mut v: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r[col(&h, "city")].clone(), r[col(&h, "total")].clone(), r[col(&h, "rank")].clone()))
        .collect();
    v.sort();
    v
}

fn ranks(db: &str) -> Vec<(String, String)> {
    let (h, rows) = csv_rows(&ok(db, &["rank", "--period", "2022-05", "--scope", "成都,德阳,绵阳", "--format", "csv"]));
    let mut v: Vec<(String, String)> =
        rows.iter().map(|r| (r[col(&h, "city")].clone(), r[col(&h, "rank")].clone())).collect();
    v.sort();
    v
}

/// Issue 12 §3: a city's self-issued bonus items and self-declared dust period change nothing until the
/// province approves them; its own targets and daily values are refused; approval is audited, shown in
/// `points --explain` and the API, and stored by `points --publish`.
#[test]
fn a_city_never_sets_its_own_score_until_the_province_approves() {
    let t = TempDir::new("access-approve");
    let db = three_cities(&t);
    user_add(&db, &["admin1", "--role", "admin"]);
    user_add(&db, &["deyang", "--role", "city", "--city", "德阳"]);
    let mut server = Server::start(&db);
    let base = server.base.clone();
    let dy = token(&db, "deyang", "upload");
    let before = totals(&db);
    // By hand (assessment.rs): 成都 90.00 (1st), 德阳 55.00 (2nd), 绵阳 18.00 (3rd).
    let by_hand = |d: &str| {
        vec![
            ("德阳".to_string(), d.to_string(), "2".to_string()),
            ("成都".to_string(), "90.00".to_string(), "1".to_string()),
            ("绵阳".to_string(), "18.00".to_string(), "3".to_string()),
        ]
    };
    let mut expected = by_hand("55.00");
    expected.sort();
    assert_eq!(before, expected);
    let rank_before = ranks(&db);

    // 德阳 issues itself +2 (pairing cooperation 1, two green benchmarks 0.5 each): a proposal.
    let bonus = "city,date,item,evidence,approver\n\
                 德阳,2022-05-08,green_benchmark,德阳自报文件1,德阳市经信局\n\
                 德阳,2022-05-09,green_benchmark,德阳自报文件2,德阳市经信局\n\
                 德阳,2022-05-10,pairing_cooperation,德阳自报文件3,德阳市生态环境局\n";
    let (s, v) = post_as(&base, "/api/v1/uploads?name=bonus.csv", &dy, bonus);
    assert_eq!((s, v["pending_approval"].as_u64()), (200, Some(3)), "{v}");
    // A dust period over the whole month would take 德阳's PM out of its statistics (and the ranking).
    let dust = "city,start,end,source\n德阳,2022-05-01,2022-05-31,德阳自行判定\n";
    let (s, v) = post_as(&base, "/api/v1/uploads?name=dust.csv", &dy, dust);
    assert_eq!((s, v["pending_approval"].as_u64()), (200, Some(1)), "{v}");
    // Its own targets (lowered) and its own daily values are refused outright.
    let (s, v) = post_as(&base, "/api/v1/uploads?name=t.csv", &dy, "city,year,pm2_5,good_day_ratio\n德阳,2022,60,50\n");
    assert_eq!(s, 403, "{v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains("targets are set by the province")), "{v}");
    let (s, v) = post_as(
        &base,
        "/api/v1/uploads?name=d.csv",
        &dy,
        "city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n德阳,2022-05-01,,10,30,0.8,50,5,100\n",
    );
    assert_eq!(s, 403, "{v}");
    // Pending: nothing changed.
    assert_eq!(totals(&db), before, "pending proposals change no score");
    assert_eq!(ranks(&db), rank_before, "pending dust period changes no ranking");
    let pending: serde_json::Value =
        serde_json::from_str(&ok(&db, &["approve", "--list", "--format", "json"])).expect("json");
    let ids: Vec<i64> = pending.as_array().expect("rows").iter().filter_map(|r| r["id"].as_i64()).collect();
    assert_eq!(ids.len(), 4, "{pending}");

    // 德阳 cannot approve its own; the province approves the bonus items through the API.
    let (s, _) = post_as(&base, &format!("/api/v1/proposals/{}/approve", ids[0]), &dy, "");
    assert_eq!(s, 403);
    let admin_read = token(&db, "admin1", "read");
    let (s, _) = post_as(&base, &format!("/api/v1/proposals/{}/approve", ids[0]), &admin_read, "");
    assert_eq!(s, 403, "a token without the approve scope");
    let approve = token(&db, "admin1", "approve");
    let list: serde_json::Value =
        serde_json::from_str(&fetch_bearer(&base, "/api/v1/proposals?status=pending", &admin_read).1).expect("json");
    let bonus_ids: Vec<i64> = list
        .as_array()
        .expect("rows")
        .iter()
        .filter(|p| p["kind"] == "adjustment")
        .filter_map(|p| p["id"].as_i64())
        .collect();
    assert_eq!(bonus_ids.len(), 3);
    for id in &bonus_ids {
        let (s, v) = post_as(&base, &format!("/api/v1/proposals/{id}/approve"), &approve, r#"{"note":"核实无误"}"#);
        assert_eq!((s, v["status"].as_str(), v["decided_by"].as_str()), (200, Some("approved"), Some("admin1")), "{v}");
    }
    let (s, v) = post_as(&base, &format!("/api/v1/proposals/{}/approve", bonus_ids[0]), &approve, "");
    assert_eq!(s, 400, "already decided: {v}");
    // 55 + 0.5 + 0.5 + 1 = 57.00.
    let mut expected = by_hand("57.00");
    expected.sort();
    assert_eq!(totals(&db), expected);
    let explain = ok(&db, &["points", "--period", "2022-05", "--scope", "成都,德阳,绵阳", "--explain", "德阳"]);
    assert!(explain.contains("德阳自报文件3") && explain.contains("admin1 审批"), "{explain}");
    let (_, api) =
        get(&base, "/api/v1/points?period=2022-05&scope=%E6%88%90%E9%83%BD,%E5%BE%B7%E9%98%B3,%E7%BB%B5%E9%98%B3");
    assert!(api.to_string().contains("admin1 审批"), "{api}");
    // The dust period: rejected by the province, still nothing; approved later from the CLI, 德阳's
    // PM leaves its statistics and it is listed, not ranked.
    let dust_id = ids.iter().copied().find(|i| !bonus_ids.contains(i)).expect("dust proposal");
    ok(&db, &["approve", &dust_id.to_string(), "--reject", "--by", "省生态环境厅 审核", "--note", "无沙尘判定依据"]);
    assert_eq!(ranks(&db), rank_before);
    let (s, v) = post_as(&base, "/api/v1/uploads?name=dust2.csv", &dy, dust);
    assert_eq!((s, v["pending_approval"].as_u64()), (200, Some(1)), "proposed again after a rejection: {v}");
    let again: serde_json::Value =
        serde_json::from_str(&ok(&db, &["approve", "--list", "--format", "json"])).expect("json");
    let again = again[0]["id"].as_i64().expect("id");
    ok(&db, &["approve", &again.to_string(), "--by", "省生态环境厅 审核"]);
    let after = ranks(&db);
    assert!(after.contains(&("德阳".to_string(), String::new())), "{after:?}");
    assert!(rank_before.contains(&("绵阳".to_string(), "3".to_string())), "{rank_before:?}");
    assert!(after.contains(&("绵阳".to_string(), "2".to_string())), "绵阳 moves up once approved: {after:?}");
    // Every decision is audited with who decided.
    let log = ok(&db, &["user", "audit", "--format", "csv"]);
    let (h, rows) = csv_rows(&log);
    let decisions: Vec<(String, String)> = rows
        .iter()
        .filter(|r| r[col(&h, "action")].starts_with("proposal."))
        .map(|r| (r[col(&h, "actor")].clone(), r[col(&h, "action")].clone()))
        .collect();
    assert_eq!(decisions.len(), 5, "{log}");
    assert_eq!(decisions[0], ("省生态环境厅 审核".to_string(), "proposal.approve".to_string()));
    assert!(decisions.iter().filter(|(a, _)| a == "admin1").count() == 3);
    // --publish stores who approved with the inputs.
    let published = ok(&db, &["points", "--period", "2022-05", "--scope", "成都,德阳,绵阳", "--publish"]);
    assert!(!published.is_empty());
    let inputs = sql_text(&db, "SELECT inputs_json FROM published_result ORDER BY id DESC LIMIT 1");
    assert!(inputs.contains("admin1 审批"), "{inputs:.500}");
    server.stop();
}

/// Issue 12 §4: tokens expire (default and `--days`), carry scopes, are revoked by label or with their
/// disabled account, and re-enabling revives neither tokens nor sessions.
#[test]
fn tokens_expire_have_scopes_and_die_with_their_account() {
    let t = TempDir::new("access-tokens");
    let db = t.db();
    user_add(&db, &["admin1", "--role", "admin"]);
    user_add(&db, &["chengdu", "--role", "city", "--city", "成都"]);
    for bad in [&["--days", "0"][..], &["--days", "367"], &["--scope", "delete"], &["--scope", "approve"]] {
        let o = lantian(&db, &[&["user", "token", "chengdu"][..], bad].concat());
        assert!(!o.status.success(), "{bad:?} accepted");
    }
    let default = token(&db, "chengdu", "upload");
    let short = ok(&db, &["user", "token", "chengdu", "--days", "7", "--label", "weekly"]).trim().to_string();
    let read = token(&db, "chengdu", "read");
    let (h, rows) = csv_rows(&ok(&db, &["user", "tokens", "chengdu", "--format", "csv"]));
    let expiry = |label: &str| -> chrono::NaiveDate {
        let r = rows.iter().find(|r| r[col(&h, "label")] == label).expect("token row");
        chrono::NaiveDate::parse_from_str(&r[col(&h, "expires_at")][..10], "%Y-%m-%d").expect("date")
    };
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("+08")).date_naive();
    assert_eq!(expiry("upload"), today + chrono::Duration::days(90), "default 90 days");
    assert_eq!(expiry("weekly"), today + chrono::Duration::days(7));

    let mut server = Server::start(&db);
    let base = server.base.clone();
    let forecast = "city,issued_at,date,aqi\n成都,2022-12-20T16:00,2022-12-21,230\n";
    let up = "/api/v1/uploads?name=f.csv";
    assert_eq!(post_as(&base, up, &default, forecast).0, 200);
    // Scopes: a read token does not upload; an upload token does not read restricted data.
    let (s, v) = post_as(&base, up, &read, forecast);
    assert!(s == 403 && v["error"]["message"].as_str().is_some_and(|m| m.contains("upload")), "{s} {v}");
    let (s, b) = fetch_bearer(&base, "/api/v1/compliance", &default);
    assert!(s == 403 && b.contains("read"), "{s} {b}");
    assert_eq!(fetch_bearer(&base, "/api/v1/compliance", &read).0, 200);
    // An upload token still reads the public part.
    assert_eq!(fetch_bearer(&base, "/api/v1/cities", &default).0, 200);
    // Expiry: the stored expiry passed → 401 on every use.
    // A second ago, in Unix seconds (the clock of the test, not of either database).
    let past = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() - 1;
    sql_exec(&db, &format!("UPDATE api_token SET expires_at = {past} WHERE label = 'weekly'"));
    let (s, v) = post_as(&base, up, &short, forecast);
    assert!(s == 401 && v["error"]["message"].as_str().is_some_and(|m| m.contains("expired")), "{s} {v}");
    assert_eq!(fetch_bearer(&base, "/api/v1/cities", &short).0, 401, "a dead token is refused, not ignored");
    // Revocation by label leaves the others.
    ok(&db, &["user", "token", "chengdu", "--revoke", "read"]);
    assert_eq!(fetch_bearer(&base, "/api/v1/compliance", &read).0, 401);
    assert_eq!(post_as(&base, up, &default, forecast).0, 200);
    // Disabling revokes tokens and sessions; enabling revives neither.
    let (cookie, _) = sign_in(&base, "chengdu");
    assert_eq!(fetch(&base, "/api/v1/session", Some(&cookie)).0, 200);
    ok(&db, &["user", "disable", "chengdu"]);
    assert_eq!(post_as(&base, up, &default, forecast).0, 401);
    assert_eq!(fetch(&base, "/api/v1/session", Some(&cookie)).0, 401);
    ok(&db, &["user", "enable", "chengdu"]);
    assert_eq!(post_as(&base, up, &default, forecast).0, 401, "re-enabling does not revive a token");
    assert_eq!(fetch(&base, "/api/v1/session", Some(&cookie)).0, 401, "nor a session");
    let (_, rows) = csv_rows(&ok(&db, &["user", "tokens", "chengdu", "--format", "csv"]));
    assert!(rows.iter().all(|r| r[4] != "active"), "{rows:?}");
    let fresh = token(&db, "chengdu", "upload");
    assert_eq!(post_as(&base, up, &fresh, forecast).0, 200);
    let (cookie, _) = sign_in(&base, "chengdu");
    assert_eq!(fetch(&base, "/api/v1/session", Some(&cookie)).0, 200);
    server.stop();
}

/// Issue 12 §4: a session ends after its idle time without requests, and after its absolute lifetime
/// however it is used (here 2 s and 5 s: `LANTIAN_SESSION_IDLE_SECS`, `LANTIAN_SESSION_MAX_SECS`).
#[test]
fn sessions_end_when_idle_and_at_their_absolute_lifetime() {
    let t = TempDir::new("access-sessions");
    let db = t.db();
    user_add(&db, &["viewer1", "--role", "viewer"]);
    let mut server = start_server(&db, &[("LANTIAN_SESSION_IDLE_SECS", "2"), ("LANTIAN_SESSION_MAX_SECS", "5")]);
    let base = server.base.clone();
    let sleep = |ms: u64| std::thread::sleep(std::time::Duration::from_millis(ms));
    // Idle: used at 1.2 s (renewed), alive at 2.4 s, dead after 2.5 s without a request.
    let (idle, _) = sign_in(&base, "viewer1");
    sleep(1200);
    assert_eq!(fetch(&base, "/api/v1/session", Some(&idle)).0, 200);
    sleep(1200);
    assert_eq!(fetch(&base, "/api/v1/session", Some(&idle)).0, 200, "each request renews the idle time");
    sleep(2500);
    assert_eq!(fetch(&base, "/api/v1/session", Some(&idle)).0, 401, "idle too long");
    // Absolute: used every second, still over after 5 s.
    let (busy, _) = sign_in(&base, "viewer1");
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_millis(4500) {
        assert_eq!(fetch(&base, "/api/v1/session", Some(&busy)).0, 200);
        sleep(900);
    }
    sleep(800);
    assert_eq!(fetch(&base, "/api/v1/session", Some(&busy)).0, 401, "past the absolute lifetime");
    // The page redirects to the sign-in page once the session is over.
    let (s, loc, _) = fetch(&base, "/upload", Some(&busy));
    assert_eq!((s, loc.as_str()), (303, "/login?next=/upload"));
    server.stop();
}

/// POSTs JSON with a bearer token or a session cookie (with or without its CSRF token).
fn post_json(base: &str, path: &str, auth: &[(&str, &str)], body: &str) -> (u16, serde_json::Value) {
    let mut req = raw_agent().post(&format!("{base}{path}")).header("Content-Type", "application/json");
    for (k, v) in auth {
        req = req.header(*k, *v);
    }
    let mut r = req.send(body).expect("request");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().expect("body");
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

/// Alert decisions on the web (issue 14 item 7): a city records its own city's decisions, the province
/// any city's; another city, a department and a viewer are refused; a session must send its CSRF token;
/// the decision is checked against the log, audited with it, and shown by `/alerts`, whose form offers
/// a city user its own city only.
#[test]
fn alert_decisions_on_the_web_are_role_checked_and_audited() {
    let t = TempDir::new("decisions");
    let db = t.db();
    demo_store(&t, &db);
    let (cd, dy, dep, admin) = (
        token(&db, "chengdu", "upload"),
        token(&db, "deyang", "upload"),
        token(&db, "jxj", "upload"),
        token(&db, "admin1", "upload"),
    );
    let server = start_server(&db, &[]);
    let base = server.base.clone();
    let start = |city: &str| {
        format!(
            r#"{{"city":"{city}","action":"start","level":"yellow","at":"2022-12-10T10:00","evidence":"会商意见"}}"#
        )
    };
    let bearer = |t: &str| format!("Bearer {t}");
    let (s, v) = post_json(&base, "/api/v1/alerts/decisions", &[("Authorization", &bearer(&cd))], &start("成都"));
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["action"].as_str(), v["level_to"].as_str(), v["actor"].as_str()),
        (Some("start"), Some("yellow"), Some("chengdu"))
    );
    let (s, v) = post_json(&base, "/api/v1/alerts/decisions", &[("Authorization", &bearer(&cd))], &start("成都"));
    assert_eq!(s, 400, "a second start while one is active: {v}");
    for (who, tok) in [("deyang", &dy), ("jxj", &dep)] {
        let (s, v) = post_json(&base, "/api/v1/alerts/decisions", &[("Authorization", &bearer(tok))], &start("成都"));
        assert_eq!(s, 403, "{who}: {v}");
    }
    let (s, _) = post_json(&base, "/api/v1/alerts/decisions", &[], &start("成都"));
    assert_eq!(s, 401);
    let (s, v) = post_json(&base, "/api/v1/alerts/decisions", &[("Authorization", &bearer(&admin))], &start("德阳"));
    assert_eq!((s, v["actor"].as_str()), (200, Some("admin1")), "{v}");
    // A session without its CSRF token is refused; with it, 成都 lifts its alert.
    let (cookie, csrf) = sign_in(&base, "chengdu");
    let lift = r#"{"city":"成都","action":"lift","at":"2022-12-12T10:00","evidence":"会商意见"}"#;
    let (s, v) = post_json(
        &base,
        "/api/v1/alerts/decisions",
        &[("Authorization", &bearer(&cd))],
        r#"{"city":"成都","action":"lift","at":"2022-12-12T10:00"}"#,
    );
    assert_eq!(s, 400, "no evidence: {v}");
    let (s, _) = post_json(&base, "/api/v1/alerts/decisions", &[("Cookie", &cookie)], lift);
    assert_eq!(s, 403);
    let (s, v) = post_json(&base, "/api/v1/alerts/decisions", &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)], lift);
    assert_eq!((s, v["action"].as_str()), (200, Some("lift")), "{v}");
    // The log and the audit.
    let log = ok(&db, &["alert", "log", "--format", "csv"]);
    assert!(
        log.lines().any(|l| l.contains("2022-12-10T10:00") && l.contains(",start,") && l.contains("chengdu")),
        "{log}"
    );
    let audit = ok(&db, &["user", "audit", "--format", "csv"]);
    assert_eq!(audit.lines().filter(|l| l.contains("alert.decision")).count(), 3, "{audit}");
    // The form: 成都's user decides for 成都 only; a viewer gets none.
    let (_, _, page) = fetch(&base, "/alerts", Some(&cookie));
    let form = page.split("<form id=\"decide\"").nth(1).expect("the decision form");
    let form = &form[..form.find("</form>").expect("end")];
    assert_eq!(form.matches("<option value=\"5").count(), 1, "{form}");
    assert!(form.contains("<option value=\"510100\">成都</option>") && form.contains(&format!("data-csrf=\"{csrf}\"")));
    // The control list's picker (issue 14 item 7): 成都's user picks among its own city only, a level and a
    // year; the province among the 21 cities.
    let (s, _, list) = fetch(&base, "/alerts/control-list?city=510100&level=orange", Some(&cookie));
    assert_eq!(s, 200);
    let picker = list.split("<select name=\"city\">").nth(1).expect("city picker");
    let picker = &picker[..picker.find("</select>").expect("end")];
    assert_eq!(picker.matches("<option").count(), 1, "{picker}");
    assert!(list.contains("<option value=\"orange\" selected>"), "{list:.2000}");
    let (admin_cookie, _) = sign_in(&base, "admin1");
    let (_, _, list) = fetch(&base, "/alerts/control-list?city=510600&level=yellow", Some(&admin_cookie));
    let picker = list.split("<select name=\"city\">").nth(1).expect("city picker");
    let picker = &picker[..picker.find("</select>").expect("end")];
    assert_eq!(picker.matches("<option").count(), 21, "{picker}");
    assert!(picker.contains("<option value=\"510600\" selected>德阳</option>"));
    let (viewer, _) = sign_in(&base, "viewer1");
    let (_, _, page) = fetch(&base, "/alerts", Some(&viewer));
    assert!(!page.contains("id=\"decide\""));
}

/// Task progress on the web (issue 14 item 7): the task's department reports it, through the upload's
/// parser, authorisation and write (one row of `docs/formats.md` §9), audited; the same report again
/// changes nothing; another department's task, a city, a viewer and nobody are refused; a session must
/// send its CSRF token; `/tasks` shows the report, and the form only on the reader's own tasks.
#[test]
fn task_progress_is_reported_by_its_department() {
    let t = TempDir::new("progress");
    let db = t.db();
    demo_store(&t, &db);
    let (dep, cd, viewer) =
        (token(&db, "jxj", "upload"), token(&db, "chengdu", "upload"), token(&db, "viewer1", "upload"));
    let server = start_server(&db, &[]);
    let base = server.base.clone();
    let bearer = |t: &str| format!("Bearer {t}");
    let report = r#"{"date":"2022-11-30","value":"251000","source":"市经信局统计"}"#;
    let (s, v) = post_json(&base, "/api/v1/tasks/cd-nev/reports", &[("Authorization", &bearer(&dep))], report);
    assert_eq!((s, v["kind"].as_str(), v["inserted"].as_u64()), (200, Some("task-reports"), Some(1)), "{v}");
    let (s, v) = post_json(&base, "/api/v1/tasks/cd-nev/reports", &[("Authorization", &bearer(&dep))], report);
    assert_eq!((s, v["inserted"].as_u64(), v["unchanged"].as_u64()), (200, Some(0), Some(1)), "again: {v}");
    // Not its department's task; not a department; nobody.
    let (s, v) = post_json(&base, "/api/v1/tasks/cd-scrap/reports", &[("Authorization", &bearer(&dep))], report);
    assert!(s == 403 && v["error"]["message"].as_str().unwrap_or("").contains("cd-scrap"), "{s} {v}");
    for (who, tok) in [("chengdu", &cd), ("viewer1", &viewer)] {
        let (s, v) = post_json(&base, "/api/v1/tasks/cd-nev/reports", &[("Authorization", &bearer(tok))], report);
        assert_eq!(s, 403, "{who}: {v}");
    }
    assert_eq!(post_json(&base, "/api/v1/tasks/cd-nev/reports", &[], report).0, 401);
    // Bad input names the field; an unknown task is named.
    let (s, v) = post_json(
        &base,
        "/api/v1/tasks/cd-nev/reports",
        &[("Authorization", &bearer(&dep))],
        r#"{"date":"2022-13-01","value":"1"}"#,
    );
    assert!(s == 400 && v["error"]["message"].as_str().unwrap_or("").contains("date"), "{s} {v}");
    let (s, v) = post_json(
        &base,
        "/api/v1/tasks/cd-nev/reports",
        &[("Authorization", &bearer(&dep))],
        r#"{"date":"2022-11-30","value":"many"}"#,
    );
    assert!(s == 400 && v["error"]["message"].as_str().unwrap_or("").contains("value"), "{s} {v}");
    let (s, v) = post_json(&base, "/api/v1/tasks/nope/reports", &[("Authorization", &bearer(&dep))], report);
    assert!(s == 403 && v["error"]["message"].as_str().unwrap_or("").contains("nope"), "{s} {v}");
    // A session: without its CSRF token refused; with it, a later report.
    let (cookie, csrf) = sign_in(&base, "jxj");
    let later = r#"{"date":"2022-12-20","value":"262000"}"#;
    assert_eq!(post_json(&base, "/api/v1/tasks/cd-nev/reports", &[("Cookie", &cookie)], later).0, 403);
    let (s, v) =
        post_json(&base, "/api/v1/tasks/cd-nev/reports", &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)], later);
    assert_eq!((s, v["inserted"].as_u64()), (200, Some(1)), "{v}");
    // What `lantian targets` reports, and the audit entries of the two writes.
    let targets = ok(&db, &["targets", "--city", "成都", "--at", "2022-12-31", "--format", "csv"]);
    assert!(targets.lines().any(|l| l.starts_with("成都,cd-nev,") && l.contains("262000 (2022-12-20)")), "{targets}");
    let audit = ok(&db, &["user", "audit", "--format", "csv"]);
    let written = audit.lines().filter(|l| l.contains(",jxj,upload,") && l.contains(" inserted, ")).count();
    assert_eq!(written, 3, "the first report, the same again (unchanged) and the later one: {audit}");
    let rejected = audit.lines().filter(|l| l.contains(",jxj,upload,") && l.contains("rejected (")).count();
    assert_eq!(rejected, 4, "cd-scrap, the bad date, the bad value, the unknown task: {audit}");
    // The page: the department sees its task with the form; 成都 sees its tasks without one.
    let (s, _, page) = fetch(&base, "/tasks", Some(&cookie));
    assert_eq!(s, 200);
    assert!(page.contains("<td>cd-nev</td>") && !page.contains("<td>cd-scrap</td>"), "{page:.3000}");
    assert_eq!(page.matches("<form class=\"report\"").count(), 1);
    assert!(page.contains("data-task=\"cd-nev\"") && page.contains(&format!("data-csrf=\"{csrf}\"")));
    let (city_cookie, _) = sign_in(&base, "chengdu");
    let (_, _, page) = fetch(&base, "/tasks", Some(&city_cookie));
    assert!(
        page.contains("<td>cd-nev</td>") && page.contains("<td>cd-scrap</td>") && !page.contains("<td>dy-coal</td>")
    );
    assert!(!page.contains("<form class=\"report\""), "a city does not report a department's progress");
    let (_, _, en) = fetch(&base, "/tasks?lang=en", Some(&city_cookie));
    assert!(en.contains("<td>Chengdu</td>") && en.contains("Target tasks"), "{en:.2000}");
}

/// GET with a bearer token (or none): status, content type and the bytes.
fn fetch_bytes(base: &str, path: &str, token: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut req = raw_agent().get(&format!("{base}{}", enc(path)));
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    let mut r = req.call().expect("request");
    let ctype = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (r.status().as_u16(), ctype, r.body_mut().read_to_vec().unwrap_or_default())
}

/// Downloads of the restricted tables (issue 14 item 4): a control list as CSV (the rows of
/// `lantian control-list --format csv`) and as the workbook of `--xlsx`, for those who read it only and
/// audited as an export; the alerts in force as CSV, who decided shown only to those who read it.
#[test]
fn restricted_tables_download_for_their_readers_only() {
    let t = TempDir::new("restricted-downloads");
    let db = t.db();
    demo_store(&t, &db);
    let (admin, cd) = (token(&db, "admin1", "read"), token(&db, "chengdu", "read"));
    let mut server = Server::start(&db);
    let base = server.base.clone();
    let url = "/api/v1/control-lists?city=德阳&level=yellow&year=2022";
    let (s, body) = fetch_bearer(&base, url, &admin);
    assert_eq!(s, 200);
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    let rows = json["rows"].as_array().expect("rows");
    assert!(!rows.is_empty());
    let (s, ctype, csv) = fetch_bytes(&base, &format!("{url}&format=csv"), Some(&admin));
    assert!(s == 200 && ctype.starts_with("text/csv"), "{s} {ctype}");
    let cli = ok(&db, &["control-list", "--city", "德阳", "--level", "yellow", "--year", "2022", "--format", "csv"]);
    assert_eq!(String::from_utf8(csv).expect("utf-8"), cli, "the CLI's rows");
    assert_eq!(cli.lines().count(), rows.len() + 1);
    let (s, ctype, xlsx) = fetch_bytes(&base, &format!("{url}&format=xlsx"), Some(&admin));
    assert!(s == 200 && ctype.starts_with("application/vnd.openxmlformats"), "{s} {ctype}");
    use calamine::Reader as _;
    let book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("an xlsx workbook");
    assert_eq!(book.sheet_names().first().map(String::as_str), Some("管控清单"));
    // Refused as the JSON is: 成都 does not read 德阳's list; nobody reads without signing in.
    assert_eq!(fetch_bytes(&base, &format!("{url}&format=csv"), Some(&cd)).0, 403);
    assert_eq!(fetch_bytes(&base, &format!("{url}&format=xlsx"), None).0, 401);
    let exports = ok(&db, &["user", "audit", "--format", "csv"]);
    assert_eq!(
        exports.lines().filter(|l| l.contains(",admin1,export,") && l.contains("/api/v1/control-lists")).count(),
        3,
        "the JSON, the CSV and the xlsx: {exports}"
    );
    // The alerts in force: who decided for the province, not for the public.
    let at = "/api/v1/alerts?at=2022-11-30T12:00&format=csv";
    let (_, _, mine) = fetch_bytes(&base, at, Some(&admin));
    let (_, _, public) = fetch_bytes(&base, at, None);
    let (mine, public) = (String::from_utf8(mine).expect("utf-8"), String::from_utf8(public).expect("utf-8"));
    assert!(mine.starts_with("city,level,response,started_at,since,effective_from,in_effect,rule_set,actor,evidence\n"));
    assert_eq!(mine.lines().count(), public.lines().count());
    assert!(mine.lines().count() > 1, "{mine}");
    assert!(mine.contains("省专班值班员") && !public.contains("省专班值班员"), "{mine}\n{public}");
    let (_, _, xlsx) = fetch_bytes(&base, "/api/v1/alerts?at=2022-11-30T12:00&format=xlsx", None);
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("an xlsx workbook");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(cells[0][..3], ["城市或区域", "预警级别", "响应级别"]);
    assert!(cells[1..].iter().all(|r| r[1].ends_with("预警")), "levels in words: {cells:?}");
    // The forecast evaluation: the CLI's rows for the province, its own row for a city.
    let url = "/api/v1/alerts/evaluation?at=2022-11-28T16:00&format=csv";
    let cli = ok(&db, &["alert", "evaluate", "--at", "2022-11-28T16:00", "--format", "csv"]);
    let (s, _, mine) = fetch_bytes(&base, url, Some(&admin));
    assert_eq!((s, String::from_utf8(mine).expect("utf-8")), (200, cli.clone()));
    let (s, _, own) = fetch_bytes(&base, url, Some(&cd));
    let own = String::from_utf8(own).expect("utf-8");
    assert_eq!(s, 200);
    assert!(own.lines().count() == 2 && own.lines().nth(1).is_some_and(|l| l.starts_with("成都,")), "{own}");
    assert!(cli.lines().any(|l| own.lines().nth(1) == Some(l)));
    assert_eq!(fetch_bytes(&base, url, None).0, 401);
    // The tasks: the reader's, with their progress; people's xlsx says the status in words.
    let dep = token(&db, "jxj", "read");
    let (s, _, tasks) = fetch_bytes(&base, "/api/v1/tasks?at=2022-12-31&format=csv", Some(&dep));
    let tasks = String::from_utf8(tasks).expect("utf-8");
    assert_eq!(s, 200);
    assert!(tasks.starts_with("task,city,department,description,unit,baseline,target,start,deadline,"), "{tasks}");
    assert_eq!(tasks.lines().count(), 2, "jxj's one task: {tasks}");
    assert!(tasks.lines().nth(1).is_some_and(|l| l.starts_with("cd-nev,") && l.ends_with(",no_report")), "{tasks}");
    let (_, _, xlsx) = fetch_bytes(&base, "/api/v1/tasks?at=2022-12-31&format=xlsx", Some(&dep));
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("an xlsx workbook");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(cells[1].last().map(String::as_str), Some("未报送进度"));
    assert_eq!(fetch_bytes(&base, "/api/v1/tasks?format=csv", None).0, 401);
    server.stop();
}
