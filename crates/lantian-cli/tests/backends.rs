//! Two databases, one behaviour (issue 13 item 3): the same files imported into SQLite and into
//! PostgreSQL give byte-identical outputs of every official number — on the demonstration province
//! and on the real published data. Needs a PostgreSQL server (`LANTIAN_TEST_PG`; `.ci/run` starts one):
//! skipped visibly elsewhere, never in CI.

mod common;

use common::{lantian, new_pg_database, ok, pg_admin, pg_server, shared_data, TempDir};

/// A PostgreSQL database for the test, dropped at the end; `None` (skipped) without a server.
struct PgDb(String, String);

impl PgDb {
    fn new(tag: &str) -> Option<PgDb> {
        if pg_server().is_none() {
            assert!(std::env::var_os("CI").is_none(), "CI: LANTIAN_TEST_PG is not set (.ci/run starts PostgreSQL)");
            eprintln!("SKIPPED: no PostgreSQL server for the backend comparison (set LANTIAN_TEST_PG)");
            return None;
        }
        let (url, name) = new_pg_database(tag);
        Some(PgDb(url, name))
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        pg_admin(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.1));
    }
}

/// Runs `args` on both stores and requires the same bytes on stdout (and success on both).
fn same(sqlite: &str, pg: &str, args: &[&str]) -> usize {
    let a = ok(sqlite, args);
    let b = ok(pg, args);
    if a != b {
        let first =
            a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(a.lines().count().min(b.lines().count()));
        panic!(
            "lantian {args:?} differs between SQLite and PostgreSQL at line {}:\n  sqlite:   {:?}\n  postgres: {:?}",
            first + 1,
            a.lines().nth(first),
            b.lines().nth(first)
        );
    }
    assert!(!a.trim().is_empty(), "lantian {args:?} printed nothing");
    a.len()
}

/// The demonstration province (92 days, 123 stations, the emergency response's data): every command
/// the issue names prints the same bytes on both backends, in every format.
#[test]
fn demo_outputs_are_byte_identical_across_backends() {
    let Some(pg) = PgDb::new("backends_demo") else { return };
    let t = TempDir::new("backends-demo");
    let sqlite = t.sqlite_db();
    let data = t.0.join("data").display().to_string();
    ok(&sqlite, &["synth", "--out", &data, "--days", "92", "--start", "2022-10-01"]);
    for db in [&sqlite, &pg.0] {
        ok(db, &["import", &data]);
        // The same decision recorded in both alert logs (the log is part of what is compared).
        ok(db, &["alert", "evaluate", "--at", "2022-12-05T00:00", "--record", "--by", "省专班值班员"]);
        // The same work items: the lead reviews of the compliance leads, issued at one instant.
        ok(db, &["work", "from-leads", "--until", "2022-12-05T00:00", "--at", "2022-12-05T09:00"]);
    }
    let mut bytes = 0;
    for format in ["table", "csv", "json"] {
        for args in [
            &["aqi", "--hourly", "--city", "成都", "--from", "2022-12-01", "--to", "2022-12-02"][..],
            &["aqi", "--daily", "--from", "2022-11-01", "--to", "2022-11-30"],
            &["aqi", "--daily", "--level", "city"],
            &["rank", "--period", "2022-11"],
            &["rank", "--period", "2022-Q4"],
            &["assess", "--period", "2022-11"],
            &["points", "--period", "2022-11"],
            &["alert", "evaluate", "--at", "2022-12-18T16:00"],
            &["control-list", "--city", "成都", "--level", "橙色", "--year", "2022"],
            &["compliance"],
            &["stations"],
            &["work", "list", "--at", "2022-12-20T00:00"],
        ] {
            let mut a = args.to_vec();
            a.extend(["--format", format]);
            bytes += same(&sqlite, &pg.0, &a);
        }
    }
    // The alert log, but for when each entry was recorded (the wall clock of each run).
    let log = |db: &str| {
        let (h, rows) = common::csv_rows(&ok(db, &["alert", "log", "--format", "csv"]));
        let at = common::col(&h, "recorded_at");
        rows.into_iter()
            .map(|mut r| {
                r.remove(at);
                r
            })
            .collect::<Vec<_>>()
    };
    let (a, b) = (log(&sqlite), log(&pg.0));
    assert!(!a.is_empty(), "the decision was recorded");
    assert_eq!(a, b, "the alert logs differ");
    eprintln!("demo: {bytes} bytes of output identical on both backends");
}

/// The real published data (the national hourly station files, the station list, the HJ 633-2026
/// release rows and the 21 Sichuan daily files): the same bytes on both backends.
#[test]
fn real_data_outputs_are_byte_identical_across_backends() {
    let Some(data) = shared_data() else { return };
    let Some(pg) = PgDb::new("backends_real") else { return };
    let t = TempDir::new("backends-real");
    let sqlite = t.sqlite_db();
    let cnemc = data.join("cnemc").display().to_string();
    let daily = data.join("cities/aqistudy/sichuan-daily").display().to_string();
    for db in [&sqlite, &pg.0] {
        let started = std::time::Instant::now();
        let o = lantian(db, &["import", &cnemc, &daily]);
        eprintln!("import into {db}: {:.1} s", started.elapsed().as_secs_f64());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let mut bytes = 0;
    // Every station's hourly AQI and every city-day are compared once (CSV); the other formats print
    // the same rows.
    bytes += same(&sqlite, &pg.0, &["aqi", "--hourly", "--format", "csv"]);
    bytes += same(&sqlite, &pg.0, &["aqi", "--daily", "--level", "city", "--format", "csv"]);
    bytes += same(&sqlite, &pg.0, &["aqi", "--daily", "--level", "city", "--disagreements", "--format", "csv"]);
    for format in ["csv", "json"] {
        for args in [
            &["aqi", "--hourly", "--city", "成都"][..],
            &["aqi", "--daily"],
            &["rank", "--period", "2015-10"],
            &["rank", "--period", "2016"],
            &["assess", "--period", "2016-05"],
            &["points", "--period", "2016-05"],
            &["stations"],
        ] {
            let mut a = args.to_vec();
            a.extend(["--format", format]);
            let started = std::time::Instant::now();
            bytes += same(&sqlite, &pg.0, &a);
            eprintln!("{a:?}: {:.1} s", started.elapsed().as_secs_f64());
        }
    }
    eprintln!("real data: {bytes} bytes of output identical on both backends");
}
