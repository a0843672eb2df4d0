//! Helpers shared by the black-box tests: the real binary, temporary stores, the shared data folder.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The folder of real published data: `$LANTIAN_SHARED_DATA`, else `../shared/data` beside the
/// repository. `None` (the test then reports itself skipped) unless `CI` is set, where a missing
/// folder is a failure: CI never skips the real-data tests.
pub fn shared_data() -> Option<PathBuf> {
    let p = std::env::var_os("LANTIAN_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if p.join("README.md").exists() {
        return Some(p);
    }
    assert!(std::env::var_os("CI").is_none(), "CI: the real data folder {} is missing", p.display());
    eprintln!("SKIPPED: real data not found at {} (set LANTIAN_SHARED_DATA)", p.display());
    None
}

/// The PostgreSQL server the tests may use: `$LANTIAN_TEST_PG`, a URL whose user may create databases
/// (`postgres://postgres@127.0.0.1:5432/postgres`). `.ci/run` starts one and sets it.
pub fn pg_server() -> Option<String> {
    std::env::var("LANTIAN_TEST_PG").ok().filter(|s| !s.is_empty())
}

/// Whether the store tests run on PostgreSQL (`LANTIAN_TEST_BACKEND=postgres`): every [`TempDir::db`]
/// is then a new database on [`pg_server`] — the conformance pass of `.ci/run`, which runs the
/// black-box tests a second time on the second backend.
pub fn on_postgres() -> bool {
    std::env::var("LANTIAN_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

/// `base` (a server URL) with its database replaced by `name`.
pub fn pg_url(base: &str, name: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (base, String::new()),
    };
    let scheme_end = head.find("://").map_or(0, |i| i + 3);
    let host_end = head[scheme_end..].find('/').map_or(head.len(), |i| scheme_end + i);
    format!("{}/{name}{query}", &head[..host_end])
}

/// Runs SQL on the test server's maintenance database.
pub fn pg_admin(sql: &str) {
    let base = pg_server().expect("LANTIAN_TEST_PG");
    let mut c = postgres::Client::connect(&base, postgres::NoTls).expect("connect to the test PostgreSQL server");
    c.batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A new, empty PostgreSQL database on the test server; its URL.
pub fn new_pg_database(tag: &str) -> (String, String) {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let tag: String =
        tag.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    let name = format!("lt_{}_{}_{}", tag, std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    // One statement per call: CREATE DATABASE cannot run inside the transaction of a batch.
    pg_admin(&format!("DROP DATABASE IF EXISTS {name}"));
    pg_admin(&format!("CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"));
    let base = pg_server().expect("LANTIAN_TEST_PG");
    (pg_url(&base, &name), name)
}

/// Runs a statement on the store named by `db` (either backend) — tests that age or read a row
/// directly. The SQL must be valid on both (no `strftime`, no `?1`).
pub fn sql_exec(db: &str, sql: &str) {
    if let Some(path) = db.strip_prefix("sqlite:") {
        rusqlite::Connection::open(path).expect("open").execute_batch(sql).expect(sql);
    } else {
        postgres::Client::connect(db, postgres::NoTls).expect("connect").batch_execute(sql).expect(sql);
    }
}

/// The text of the first column of the first row of a query on the store named by `db`.
pub fn sql_text(db: &str, sql: &str) -> String {
    if let Some(path) = db.strip_prefix("sqlite:") {
        rusqlite::Connection::open(path).expect("open").query_row(sql, [], |r| r.get(0)).expect(sql)
    } else {
        postgres::Client::connect(db, postgres::NoTls).expect("connect").query_one(sql, &[]).expect(sql).get(0)
    }
}

/// A fresh temporary folder, removed on drop; with a fresh PostgreSQL database when the tests run on
/// PostgreSQL ([`on_postgres`]), dropped with it.
pub struct TempDir(pub PathBuf, Option<(String, String)>);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "lantian-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        let pg = on_postgres().then(|| new_pg_database(tag));
        TempDir(p, pg)
    }
    /// The test's store: a SQLite file in the folder, or its PostgreSQL database ([`on_postgres`]).
    pub fn db(&self) -> String {
        match &self.1 {
            Some((url, _)) => url.clone(),
            None => self.sqlite_db(),
        }
    }
    /// A SQLite store in the folder, whatever the backend of the run (tests of SQLite itself).
    pub fn sqlite_db(&self) -> String {
        format!("sqlite:{}", self.0.join("t.db").display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        if let Some((_, name)) = &self.1 {
            if let Some(base) = pg_server() {
                if let Ok(mut c) = postgres::Client::connect(&base, postgres::NoTls) {
                    let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}

/// Runs `lantian --db DB args…`.
pub fn lantian(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lantian")).arg("--db").arg(db).args(args).output().expect("run lantian")
}

/// Runs and requires success; returns stdout.
pub fn ok(db: &str, args: &[&str]) -> String {
    let o = lantian(db, args);
    assert!(
        o.status.success(),
        "lantian {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("utf-8 output")
}

/// Reads a possibly gzipped file.
pub fn read_text(p: &Path) -> String {
    use std::io::Read;
    let raw = std::fs::read(p).expect("read");
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&raw[..]).read_to_string(&mut s).expect("gunzip");
        s
    } else {
        String::from_utf8(raw).expect("utf-8")
    }
}

/// Parses CSV text into header → column index and rows.
pub fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h = r.headers().expect("header").iter().map(str::to_string).collect();
    let rows = r.records().map(|x| x.expect("row").iter().map(str::to_string).collect()).collect();
    (h, rows)
}

pub fn col(h: &[String], name: &str) -> usize {
    h.iter().position(|x| x == name).unwrap_or_else(|| panic!("no column {name} in {h:?}"))
}

/// A running `lantian serve`; stopped with SIGTERM on drop.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    pub fn start(db: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lantian"))
            .args(["--db", db, "serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start lantian serve");
        let mut first = String::new();
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        reader.read_line(&mut first).expect("read the URL line");
        // Keep draining stdout so that the server never writes into a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let base = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(|u| u.trim_end_matches('/').to_string())
            .unwrap_or_else(|| panic!("no URL in {first:?}"));
        Server { child, base }
    }

    pub fn stop(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        self.child.wait().expect("wait")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

pub fn get(base: &str, path: &str) -> (u16, serde_json::Value) {
    let mut r = agent().get(&format!("{base}{path}")).call().expect("request");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().expect("body");
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text}")))
}

/// A decision taken by hand on the demonstration episode: 成都 raised to orange on 30 Nov 2022 10:00 by
/// 成都市生态环境局 after a consultation (会商). Returns what `alert record` printed.
pub fn raise_chengdu_by_hand(db: &str) -> String {
    ok(
        db,
        &[
            "alert",
            "record",
            "--city",
            "成都",
            "--action",
            "raise",
            "--level",
            "orange",
            "--at",
            "2022-11-30T10:00",
            "--by",
            "成都市生态环境局",
            "--evidence",
            "会商：提前升级",
        ],
    )
}

/// The password of the test accounts.
pub const PASSWORD: &str = "correct horse battery";

/// `lantian user add ARGS…` with [`PASSWORD`]; requires success.
pub fn user_add(db: &str, args: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_lantian"))
        .args(["--db", db, "user", "add"])
        .args(args)
        .env("LANTIAN_PASSWORD", PASSWORD)
        .output()
        .expect("run lantian");
    assert!(
        o.status.success(),
        "user add {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// An administrator `reader` with a token of the `read` scope (restricted reads, issue 12 §1): created
/// on first use; returns the token.
pub fn admin_read_token(db: &str) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_lantian"))
        .args(["--db", db, "user", "add", "reader", "--role", "admin"])
        .env("LANTIAN_PASSWORD", "correct horse battery")
        .output()
        .expect("run lantian");
    let exists = String::from_utf8_lossy(&o.stderr).contains("exists");
    assert!(o.status.success() || exists, "user add reader: {}", String::from_utf8_lossy(&o.stderr));
    ok(db, &["user", "token", "reader", "--scope", "read", "--label", "reader"]).trim().to_string()
}

/// GET with a bearer token: status and JSON.
pub fn get_as(base: &str, path: &str, token: &str) -> (u16, serde_json::Value) {
    let mut r = agent()
        .get(&format!("{base}{path}"))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("request");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().expect("body");
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text}")))
}

/// GET a page with a bearer token: status and text.
pub fn get_text_as(base: &str, path: &str, token: &str) -> (u16, String) {
    let mut r = agent()
        .get(&format!("{base}{path}"))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("request");
    (r.status().as_u16(), r.body_mut().read_to_string().expect("body"))
}
