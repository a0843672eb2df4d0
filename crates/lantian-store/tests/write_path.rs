//! The write path (issue 13 items 4 and 5): a change and its audit entry are one transaction
//! (`atomically`), on both backends; a writer waits for another writer instead of failing
//! (`retry_busy`) and says how long; readers never wait for a writer (the daily cache is skipped, not
//! waited for).
//!
//! PostgreSQL cases run when `LANTIAN_TEST_PG` names a server (`postgres://user@host:port`): each
//! creates its own database there and drops it after; without it they pass, saying so.

use lantian_store::AccountabilityStore;
use lantian_store::AirStore;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use lantian_core::Conc;
use lantian_ingest::accountability::TargetRecord;
use lantian_store::{
    atomically, retry_busy, write_retrying, FileMeta, PgStore, PreparedWide, SqliteStore, Store, StoreError, Tx,
    WriteWait,
};

fn targets(pm: i64) -> Vec<TargetRecord> {
    vec![TargetRecord {
        city: "成都".into(),
        year: 2023,
        pm2_5: Some(Conc(pm * 1000)),
        good_day_ratio_tenths: Some(800),
        heavy_days: Some(3),
        source: "test".into(),
        line: 2,
    }]
}

fn wide(text: &str) -> PreparedWide {
    PreparedWide::new(lantian_ingest::air::cnemc::parse_wide(Path::new("t.csv"), text.as_bytes()).expect("parses"))
}

fn chengdu(s: &dyn Store) -> i64 {
    s.resolve_city("成都").expect("read").expect("成都 is seeded").id
}

fn audit_count(s: &dyn Store) -> usize {
    s.audit_log(1000).expect("audit log").len()
}

/// The behaviour both backends share: a failure after the write and before (or at) the audit leaves
/// neither; a success leaves both; every import method works inside the transaction (each is a
/// savepoint of it — on SQLite they opened their own transaction before, which failed inside one).
fn a_change_and_its_audit_are_one_transaction(s: &mut dyn Store) {
    let city = chengdu(s);
    let before = audit_count(s);
    // Failure injected between the write and the audit entry: nothing of either.
    let r: Result<(), StoreError> = atomically(s, |tx| {
        tx.accountability().import_targets(&FileMeta::new("t1.csv", b"targets 35", "t"), &targets(35))?;
        assert!(tx.accountability().target(city, 2023)?.is_some(), "visible inside the transaction");
        Err(StoreError::Input("injected failure between the write and the audit".into()))
    });
    assert!(r.is_err());
    assert_eq!(s.target(city, 2023).expect("read"), None, "the records were rolled back");
    assert_eq!(audit_count(s), before, "no audit entry");
    assert!(!s.in_import_batch());
    // Failure after the audit entry was written (e.g. the commit of a later step): neither.
    let r: Result<(), StoreError> = atomically(s, |tx| {
        tx.accountability().import_targets(&FileMeta::new("t1.csv", b"targets 35", "t"), &targets(35))?;
        tx.accounts().audit("2026-01-01T00:00:00+08:00", "admin1", "upload", "t1.csv: 1 inserted", "127.0.0.1")?;
        Err(StoreError::Input("injected failure after the audit".into()))
    });
    assert!(r.is_err());
    assert_eq!(s.target(city, 2023).expect("read"), None);
    assert_eq!(audit_count(s), before);
    // Success: both, and the file is recorded (importing it again changes nothing).
    let o = atomically(s, |tx| {
        let o = tx.accountability().import_targets(&FileMeta::new("t1.csv", b"targets 35", "t"), &targets(35))?;
        tx.accounts().audit("2026-01-01T00:00:00+08:00", "admin1", "upload", "t1.csv: 1 inserted", "127.0.0.1")?;
        Ok::<_, StoreError>(o)
    })
    .expect("commits");
    assert!(o.new_file && o.inserted == 1, "{o:?}");
    assert_eq!(s.target(city, 2023).expect("read").and_then(|t| t.pm2_5), Some(Conc(35_000)));
    assert_eq!(audit_count(s), before + 1);
    let again = s.import_targets(&FileMeta::new("t1.csv", b"targets 35", "t"), &targets(35)).expect("again");
    assert!(!again.new_file && again.inserted == 0 && again.updated == 0, "{again:?}");
    // A rejected write inside the transaction (an unknown city) fails it as a whole; the rejection is
    // then audited in a transaction of its own.
    let mut bad = targets(30);
    bad[0].city = "不存在市".into();
    let r = atomically(s, |tx| {
        tx.accountability().import_targets(&FileMeta::new("t2.csv", b"targets 30 nowhere", "t"), &targets(30))?;
        tx.accountability().import_targets(&FileMeta::new("t3.csv", b"bad", "t"), &bad)?;
        tx.accounts().audit("2026-01-01T00:00:00+08:00", "admin1", "upload", "t2.csv: 1 updated", "127.0.0.1")
    });
    assert!(r.is_err());
    assert_eq!(s.target(city, 2023).expect("read").and_then(|t| t.pm2_5), Some(Conc(35_000)), "t2 rolled back");
    let (r, waited) = write_retrying(s, &WriteWait::default(), |tx| {
        tx.accounts().audit("2026-01-01T00:00:00+08:00", "admin1", "upload", "t3.csv: rejected (400)", "127.0.0.1")
    });
    r.expect("the rejection is audited");
    assert_eq!(waited, Duration::ZERO);
    assert_eq!(audit_count(s), before + 2);
    // Wide files (the hourly blocks) too, with an emergency-response import beside them.
    let f = "date,hour,type,1001A\n20230121,1,PM2.5,40\n";
    let r: Result<(), StoreError> = atomically(s, |tx| {
        tx.air().import_wide(&FileMeta::new("w.csv", f.as_bytes(), "t"), &wide(f))?;
        Err(StoreError::Input("injected".into()))
    });
    assert!(r.is_err());
    assert_eq!(s.station_date_range().expect("read"), None, "no hour stored");
    atomically(s, |tx| tx.air().import_wide(&FileMeta::new("w.csv", f.as_bytes(), "t"), &wide(f)).map(|_| ()))
        .expect("commits");
    let day = NaiveDate::from_ymd_opt(2023, 1, 21).expect("date");
    assert_eq!(s.station_date_range().expect("read"), Some((day, day)));
    // Transactions do not nest: inside an open one, `atomically` refuses (it could not roll back alone).
    s.begin_import_batch().expect("begin");
    let nested: Result<(), StoreError> = atomically(s, |_| Ok(()));
    assert!(nested.expect_err("nested").to_string().contains("do not nest"));
    s.rollback_import_batch().expect("rollback");
    the_transaction_handle(s, city);
}

/// The handle itself (issue 13 item 2): dropped without a commit it stores nothing; committed, what it
/// wrote in two repositories is stored together; a part of an import batch is stored by the batch's
/// commit (and rolled back with it); a part needs a batch, and a handle of its own refuses one.
fn the_transaction_handle(s: &mut dyn Store, city: i64) {
    let before = audit_count(s);
    {
        let mut tx = Tx::begin(s).expect("begins");
        tx.accountability().import_targets(&FileMeta::new("h1.csv", b"targets 20", "t"), &targets(20)).expect("w");
        tx.accounts().audit("2026-01-02T00:00:00+08:00", "admin1", "upload", "h1.csv", "127.0.0.1").expect("a");
        assert_eq!(tx.reader().target(city, 2023).expect("read").and_then(|t| t.pm2_5), Some(Conc(20_000)));
        // dropped here: rolled back
    }
    assert!(!s.in_import_batch(), "the dropped handle ended its transaction");
    assert_eq!(s.target(city, 2023).expect("read").and_then(|t| t.pm2_5), Some(Conc(35_000)));
    assert_eq!(audit_count(s), before);
    let mut tx = Tx::begin(s).expect("begins");
    tx.accountability().import_targets(&FileMeta::new("h1.csv", b"targets 20", "t"), &targets(20)).expect("w");
    tx.accounts().audit("2026-01-02T00:00:00+08:00", "admin1", "upload", "h1.csv", "127.0.0.1").expect("a");
    tx.commit().expect("commits");
    assert_eq!(s.target(city, 2023).expect("read").and_then(|t| t.pm2_5), Some(Conc(20_000)));
    assert_eq!(audit_count(s), before + 1);
    // Parts of a batch.
    assert!(Tx::within_batch(s).err().expect("no batch").to_string().contains("no import batch"));
    s.begin_import_batch().expect("batch");
    assert!(Tx::begin(s).err().expect("nested").to_string().contains("do not nest"));
    let mut part = Tx::within_batch(s).expect("part");
    part.accountability().import_targets(&FileMeta::new("h2.csv", b"targets 25", "t"), &targets(25)).expect("w");
    part.commit().expect("ends the part");
    assert!(s.in_import_batch(), "the part does not end the batch");
    s.rollback_import_batch().expect("rollback");
    assert_eq!(s.target(city, 2023).expect("read").and_then(|t| t.pm2_5), Some(Conc(20_000)), "rolled back with it");
    s.begin_import_batch().expect("batch");
    let mut part = Tx::within_batch(s).expect("part");
    part.accountability().import_targets(&FileMeta::new("h2.csv", b"targets 25", "t"), &targets(25)).expect("w");
    drop(part);
    s.commit_import_batch().expect("commit");
    assert_eq!(s.target(city, 2023).expect("read").and_then(|t| t.pm2_5), Some(Conc(25_000)), "stored with it");
}

fn temp_db(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lantian-write-path-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join("store.db")
}

#[test]
fn sqlite_writes_a_change_and_its_audit_in_one_transaction() {
    let path = temp_db("atomic");
    let mut s = SqliteStore::open(&path).expect("store");
    a_change_and_its_audit_are_one_transaction(&mut s);
    let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
}

/// Another process holding the write lock (a raw connection here) for 3 s: a plain write
/// transaction gives up after its two seconds of polling with `Busy` and nothing stored; through `retry_busy` the
/// writer waits its turn, succeeds, and reports the wait. Meanwhile reads answer at once, and a
/// reader's daily-cache write is skipped rather than waited for.
#[test]
fn sqlite_a_writer_waits_for_another_and_readers_do_not() {
    let path = temp_db("busy");
    let mut s = SqliteStore::open(&path).expect("store");
    let city = chengdu(&s);
    let other = rusqlite::Connection::open(&path).expect("second connection");
    other.execute_batch("BEGIN IMMEDIATE").expect("hold the write lock");
    // Without retrying: Busy after about two seconds of polling, nothing stored.
    let t = Instant::now();
    let r =
        atomically(&mut s, |tx| tx.accountability().import_targets(&FileMeta::new("t.csv", b"t", "t"), &targets(35)));
    let e = r.expect_err("busy");
    assert!(e.is_busy(), "{e}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert_eq!(s.target(city, 2023).expect("read"), None);
    // Reads answer while the lock is held, and the daily cache is skipped, not waited for.
    let t = Instant::now();
    assert!(s.cities().expect("reads").len() >= 21);
    let g = s.data_generation().expect("generation");
    let day = NaiveDate::from_ymd_opt(2023, 1, 20).expect("date");
    assert!(!s.put_daily_cache(g, &[(day, 0, vec![1, 0])]).expect("skipped, not an error"));
    assert!(t.elapsed() < Duration::from_millis(200), "reads waited {:?}", t.elapsed());
    // With retrying: waits until the other writer commits.
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(3000));
        other.execute_batch("COMMIT").expect("release");
    });
    let t = Instant::now();
    let (r, waited) = write_retrying(&mut s, &WriteWait::default(), |tx| {
        tx.accountability().import_targets(&FileMeta::new("t.csv", b"t", "t"), &targets(35))?;
        tx.accounts().audit("2026-01-01T00:00:00+08:00", "admin1", "upload", "t.csv", "127.0.0.1")
    });
    release.join().expect("thread");
    r.expect("written after the wait");
    assert!(t.elapsed() >= Duration::from_millis(2800), "{:?}", t.elapsed());
    assert!(waited >= Duration::from_millis(1500), "reported wait {waited:?}");
    assert!(s.target(city, 2023).expect("read").is_some());
    // The deadline: a lock never released fails Busy once it has passed.
    let other = rusqlite::Connection::open(&path).expect("second connection");
    other.execute_batch("BEGIN IMMEDIATE").expect("hold the write lock");
    let (r, waited) = write_retrying(&mut s, &WriteWait { deadline: Duration::from_millis(2500) }, |tx| {
        tx.accounts().audit("2026-01-01T00:00:00+08:00", "admin1", "upload", "never", "127.0.0.1")
    });
    assert!(r.expect_err("deadline").is_busy());
    assert!(waited >= Duration::from_millis(2500), "{waited:?}");
    other.execute_batch("ROLLBACK").expect("release");
    let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
}

/// `retry_busy` stops at the first result that is not busy, and reports no wait when there was none.
#[test]
fn retry_busy_retries_only_busy_failures() {
    let mut calls = 0;
    let (r, waited) = retry_busy(
        &WriteWait::default(),
        |e: &&str| *e == "busy",
        || {
            calls += 1;
            if calls < 3 {
                Err::<(), &str>("busy")
            } else {
                Err("refused")
            }
        },
    );
    assert_eq!((r, calls), (Err("refused"), 3));
    assert!(waited >= Duration::from_millis(30), "10 + 20 ms of pauses: {waited:?}");
    let (r, waited) = retry_busy(&WriteWait::default(), |_: &&str| true, || Ok::<_, &str>(1));
    assert_eq!((r, waited), (Ok(1), Duration::ZERO));
}

/// A database of its own on the test server, dropped after `f`.
fn with_pg_database(tag: &str, f: impl FnOnce(&str) + std::panic::UnwindSafe) {
    lantian_store::testing::with_pg_database(&format!("write_{tag}"), false, f)
}

#[test]
fn postgres_writes_a_change_and_its_audit_in_one_transaction() {
    with_pg_database("atomic", |url| {
        let mut s = PgStore::open(url).expect("store");
        a_change_and_its_audit_are_one_transaction(&mut s);
    });
}

/// On PostgreSQL an import's open transaction holds the generation row; a reader's daily-cache write
/// is skipped at once instead of waiting for that commit, and reads answer meanwhile (MVCC).
#[test]
fn postgres_readers_do_not_wait_for_a_writer() {
    with_pg_database("readers", |url| {
        let mut writer = PgStore::open(url).expect("store");
        let reader = PgStore::open(url).expect("store");
        let g = reader.data_generation().expect("generation");
        writer.begin_import_batch().expect("begin");
        let f = "date,hour,type,1001A\n20230121,1,PM2.5,40\n";
        writer.import_wide(&FileMeta::new("w.csv", f.as_bytes(), "t"), &wide(f)).expect("imports");
        let t = Instant::now();
        assert_eq!(reader.station_date_range().expect("reads"), None, "the import is not visible yet");
        let day = NaiveDate::from_ymd_opt(2023, 1, 20).expect("date");
        assert!(!reader.put_daily_cache(g, &[(day, 0, vec![1, 0])]).expect("skipped"));
        assert!(t.elapsed() < Duration::from_millis(500), "the reader waited {:?}", t.elapsed());
        writer.commit_import_batch().expect("commit");
        assert!(reader.station_date_range().expect("reads").is_some());
    });
}
