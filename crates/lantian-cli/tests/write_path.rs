//! The write path through the real binary (issue 13 items 4 and 5), on the backend of the run
//! (`LANTIAN_TEST_BACKEND=postgres` runs it on PostgreSQL): an upload's records and its audit entry are
//! one transaction, and so are an account and its entry; a `lantian import` and a server taking
//! uploads write side by side without a failure; reads are answered while a writer holds the lock.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const PASSWORD: &str = "correct horse battery";

fn user_add(db: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lantian"))
        .args(["--db", db, "user", "add"])
        .args(args)
        .env("LANTIAN_PASSWORD", PASSWORD)
        .output()
        .expect("run")
}

fn post(base: &str, path: &str, token: &str, body: &str) -> (u16, serde_json::Value) {
    let mut r = agent()
        .post(&format!("{base}{path}"))
        .header("Authorization", &format!("Bearer {token}"))
        .send(body)
        .expect("request");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().expect("body");
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

/// The audit log, oldest first: (actor, action, detail).
fn audit(db: &str) -> Vec<(String, String, String)> {
    let (h, rows) = csv_rows(&ok(db, &["user", "audit", "--limit", "100000", "--format", "csv"]));
    let mut out: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r[col(&h, "actor")].clone(), r[col(&h, "action")].clone(), r[col(&h, "detail")].clone()))
        .collect();
    out.reverse();
    out
}

fn count(db: &str, table: &str) -> String {
    sql_text(db, &format!("SELECT CAST(count(*) AS TEXT) FROM {table}"))
}

/// A trigger that makes the database refuse the audit entries whose action is `action` and whose
/// detail starts with `prefix` and contains `contains` — a failure injected after the change it
/// records was written, in the same transaction.
fn inject_audit_failure(db: &str, action: &str, prefix: &str, contains: &str) {
    let pattern = format!("{prefix}%{contains}%");
    if on_postgres() {
        sql_exec(
            db,
            &format!(
                "CREATE FUNCTION inject_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF NEW.action = '{action}' AND NEW.detail LIKE '{pattern}' THEN RAISE EXCEPTION 'injected failure'; \
                 END IF; RETURN NEW; END $$; \
                 CREATE TRIGGER inject_failure BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION inject_failure();"
            ),
        );
    } else {
        sql_exec(
            db,
            &format!(
                "CREATE TRIGGER inject_failure BEFORE INSERT ON audit_log \
                 WHEN NEW.action = '{action}' AND NEW.detail LIKE '{pattern}' \
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
            ),
        );
    }
}

fn remove_injection(db: &str) {
    if on_postgres() {
        sql_exec(db, "DROP TRIGGER inject_failure ON audit_log; DROP FUNCTION inject_failure();");
    } else {
        sql_exec(db, "DROP TRIGGER inject_failure;");
    }
}

const TARGETS: &str = "city,year,pm2_5,good_day_ratio,heavy_days,source\n成都,2022,38,80.5,3,省政府下达\n德阳,2022,36,82.0,2,省政府下达\n";

/// An upload whose audit entry fails (injected after its records were written, in the same
/// transaction) leaves neither the records nor the entry; it is then audited as rejected in a
/// transaction of its own. Without the failure, the records and the entry are both there.
#[test]
fn an_upload_and_its_audit_entry_are_one_transaction() {
    let t = TempDir::new("write-upload");
    let db = t.db();
    let o = user_add(&db, &["admin1", "--role", "admin"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let token = ok(&db, &["user", "token", "admin1", "--scope", "upload", "--label", "up"]).trim().to_string();
    let server = Server::start(&db);
    let before = audit(&db).len();
    assert_eq!(count(&db, "city_target"), "0");

    inject_audit_failure(&db, "upload", "poison.csv", "inserted");
    let (s, v) = post(&server.base, "/api/v1/uploads?name=poison.csv", &token, TARGETS);
    assert_eq!(s, 500, "{v}");
    assert!(v["error"]["message"].as_str().unwrap_or("").contains("injected failure"), "{v}");
    assert_eq!(count(&db, "city_target"), "0", "the records were rolled back with the audit entry");
    assert_eq!(count(&db, "import_file"), "0", "the file is not recorded either: importing it again is new");
    let log = audit(&db);
    assert_eq!(log.len(), before + 1, "{log:?}");
    let last = &log[log.len() - 1];
    assert_eq!((last.0.as_str(), last.1.as_str()), ("admin1", "upload"));
    assert!(last.2.starts_with("poison.csv: rejected (500)") && last.2.contains("injected failure"), "{last:?}");

    remove_injection(&db);
    let (s, v) = post(&server.base, "/api/v1/uploads?name=poison.csv", &token, TARGETS);
    assert_eq!((s, v["inserted"].as_u64(), v["new_file"].as_bool()), (200, Some(2), Some(true)), "{v}");
    assert_eq!(v["waited_secs"].as_f64(), Some(0.0), "{v}");
    assert_eq!(count(&db, "city_target"), "2");
    let log = audit(&db);
    assert_eq!(log.len(), before + 2);
    assert_eq!(log[log.len() - 1].2, "poison.csv (city-targets): 2 inserted, 0 updated, 0 unchanged");
}

/// `lantian user add` whose audit entry fails creates no account; `user disable` likewise changes
/// nothing; without the failure both happen with their entries.
#[test]
fn an_account_change_and_its_audit_entry_are_one_transaction() {
    let t = TempDir::new("write-user");
    let db = t.db();
    let o = user_add(&db, &["admin1", "--role", "admin"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = audit(&db).len();
    inject_audit_failure(&db, "user.add", "mallory", "");
    let o = user_add(&db, &["mallory", "--role", "admin"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("injected failure"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!ok(&db, &["user", "list", "--format", "csv"]).contains("mallory"), "no account without its entry");
    assert_eq!(audit(&db).len(), before);
    remove_injection(&db);
    inject_audit_failure(&db, "user.disable", "admin1", "");
    assert!(!lantian(&db, &["user", "disable", "admin1"]).status.success());
    let list = ok(&db, &["user", "list", "--format", "csv"]);
    assert!(list.lines().any(|l| l.starts_with("admin1,") && l.contains(",active,")), "{list}");
    remove_injection(&db);
    assert!(user_add(&db, &["mallory", "--role", "admin"]).status.success());
    assert!(ok(&db, &["user", "list", "--format", "csv"]).contains("mallory"));
    let log = audit(&db);
    assert_eq!(log.len(), before + 1);
    assert_eq!((log[before].1.as_str(), log[before].2.as_str()), ("user.add", "mallory (admin)"));
}

/// A `lantian import` of many hourly files runs while a server takes uploads on the same store: no
/// upload and no file fails, every upload is audited; afterwards, while another connection holds the
/// write lock (SQLite) or an import's open transaction (PostgreSQL), reads — the daily AQI among them,
/// which caches what it computes — are answered at once.
#[test]
fn an_import_and_uploads_write_side_by_side_and_reads_never_wait() {
    let t = TempDir::new("write-side-by-side");
    let db = t.db();
    let data = t.0.join("data");
    ok(&db, &["synth", "--out", &data.display().to_string(), "--days", "240", "--start", "2023-01-01"]);
    let o = user_add(&db, &["admin1", "--role", "admin"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let token = ok(&db, &["user", "token", "admin1", "--scope", "upload", "--label", "up"]).trim().to_string();
    let server = Server::start(&db);

    // The station list and the hourly files (not the emergency demonstration beside them).
    let mut files: Vec<String> = std::fs::read_dir(&data)
        .expect("data")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("china_sites_")))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    assert_eq!(files.len(), 241);
    files.insert(0, data.join("stations.csv").display().to_string());
    let import = Command::new(env!("CARGO_BIN_EXE_lantian"))
        .args(["--db", &db, "import", "--jobs", "1"])
        .args(&files)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the import");
    let mut statuses = Vec::new();
    let mut during = 0;
    let started = Instant::now();
    let import = {
        let mut import = import;
        loop {
            let running = import.try_wait().expect("import").is_none();
            if !running && statuses.len() >= 3 {
                break import;
            }
            let i = statuses.len();
            let body = format!("city,year,pm2_5,good_day_ratio\n成都,2023,{},80\n", 30 + i);
            let (s, v) = post(&server.base, &format!("/api/v1/uploads?name=t{i}.csv"), &token, &body);
            if running && import.try_wait().expect("import").is_none() {
                during += 1;
            }
            statuses.push((s, v));
            assert!(started.elapsed() < Duration::from_secs(600), "the import did not end");
            std::thread::sleep(Duration::from_millis(150));
        }
    };
    let out = import.wait_with_output().expect("import");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the import failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("(242 new, 0 rejected)"), "{stdout}");
    let failed: Vec<_> = statuses.iter().filter(|(s, _)| *s != 200).collect();
    assert!(failed.is_empty(), "{} of {} uploads failed: {failed:?}", failed.len(), statuses.len());
    assert!(during >= 2, "only {during} uploads ran during the import ({} in all)", statuses.len());
    let uploads = audit(&db).iter().filter(|e| e.1 == "upload" && e.2.contains("(city-targets): ")).count();
    assert_eq!(uploads, statuses.len());

    // A writer holds the lock for six seconds — longer than SQLite's busy handler waited (5 s) before
    // a write failed "database is busy": reads answer at once (a reader that waited would wait the
    // busy handler's five seconds on SQLite, until the writer commits on PostgreSQL), and an upload
    // waits for its turn and is written, saying it waited.
    let hold = if on_postgres() {
        let mut c = postgres::Client::connect(&db, postgres::NoTls).expect("connect");
        c.batch_execute(
            "BEGIN; UPDATE meta SET value = value WHERE key = 'data_generation'; \
             UPDATE data_version SET version = version + 1 WHERE area IN ('hourly', 'assessment');",
        )
        .expect("hold");
        Box::new(c) as Box<dyn std::any::Any + Send>
    } else {
        let c = rusqlite::Connection::open(t.0.join("t.db")).expect("open");
        c.execute_batch("BEGIN IMMEDIATE; UPDATE meta SET value = value WHERE key = 'data_generation';").expect("hold");
        Box::new(c) as Box<dyn std::any::Any + Send>
    };
    let held = Instant::now();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(6));
        drop(hold);
    });
    for path in [
        "/healthz",
        "/api/v1/cities",
        "/api/v1/aqi/daily?city=%E6%88%90%E9%83%BD&from=2023-02-01&to=2023-02-03",
        "/api/v1/aqi/hourly?city=%E6%88%90%E9%83%BD&from=2023-02-01&to=2023-02-01",
    ] {
        let t0 = Instant::now();
        let (s, v) = get(&server.base, path);
        assert_eq!(s, 200, "{path}: {v}");
        assert!(!v.is_null());
        assert!(t0.elapsed() < Duration::from_secs(3), "{path} waited {:?} for the writer", t0.elapsed());
    }
    assert!(held.elapsed() < Duration::from_secs(5), "the reads ran while the lock was held");
    let body = "city,year,pm2_5,good_day_ratio\n德阳,2023,33,80\n";
    let (s, v) = post(&server.base, "/api/v1/uploads?name=held.csv", &token, body);
    assert!(held.elapsed() >= Duration::from_secs(6), "the upload was written after the writer ended");
    assert_eq!((s, v["inserted"].as_u64()), (200, Some(1)), "{v}");
    if !on_postgres() {
        // (PostgreSQL waits inside the statement for the row the writer holds: nothing to report.)
        assert!(v["waited_secs"].as_f64().is_some_and(|w| w >= 3.0), "{v}");
        assert!(v["warnings"].to_string().contains("waited"), "{v}");
    }
    release.join().expect("release");
}
