//! The daily-evaluation cache cannot keep a stale entry: an import drops the entries its label days
//! affect, and a computation that raced an import is not stored.

use lantian_store::AirStore;
use std::path::Path;

use chrono::NaiveDate;
use lantian_store::{FileMeta, PreparedWide, SqliteStore};

fn wide(text: &str) -> PreparedWide {
    PreparedWide::new(lantian_ingest::air::cnemc::parse_wide(Path::new("t.csv"), text.as_bytes()).expect("parses"))
}

fn d(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 1, day).expect("date")
}

#[test]
fn imports_invalidate_and_races_are_not_stored() {
    let mut s = SqliteStore::memory().expect("store");
    let f1 = "date,hour,type,1001A\n20230121,1,PM2.5,40\n";
    s.import_wide(&FileMeta::new("a", f1.as_bytes(), "t"), &wide(f1)).expect("import");
    let g = s.data_generation().expect("gen");
    // Cache natural days 20 and 21 for chunk 0.
    assert!(s.put_daily_cache(g, &[(d(20), 0, vec![1, 0]), (d(21), 0, vec![1, 0])]).expect("put"));
    assert_eq!(s.daily_cache_on(d(21), &[0]).expect("get").len(), 1);
    // A new hour for label day 22 (closes natural day 21) drops days 21 and 22 — not 20.
    let f2 = "date,hour,type,1001A\n20230122,0,PM2.5,50\n";
    s.import_wide(&FileMeta::new("b", f2.as_bytes(), "t"), &wide(f2)).expect("import");
    assert!(s.daily_cache_on(d(21), &[0]).expect("get").is_empty());
    assert_eq!(s.daily_cache_on(d(20), &[0]).expect("get").len(), 1);
    // A computation started before that import (generation g) is refused.
    assert!(s.data_generation().expect("gen") > g);
    assert!(!s.put_daily_cache(g, &[(d(21), 0, vec![1, 0])]).expect("put"));
    assert!(s.daily_cache_on(d(21), &[0]).expect("get").is_empty());
    // Re-importing the same file changes nothing, so it does not bump the generation.
    let g2 = s.data_generation().expect("gen");
    s.import_wide(&FileMeta::new("b", f2.as_bytes(), "t"), &wide(f2)).expect("import");
    assert_eq!(s.data_generation().expect("gen"), g2);
}
