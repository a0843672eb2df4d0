//! What every target checks beyond "no panic".
#![allow(dead_code)]

use std::path::Path;

use lantian_ingest::{IngestError, WideFile};
use lantian_service::datasets::Ready;

/// The name the targets give their input.
pub fn path() -> &'static Path {
    Path::new("fuzz.csv")
}

/// The input as text, as a reader receives it after decoding (invalid bytes replaced).
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// An error names the file, and its line is 1-based.
pub fn named(e: &IngestError) {
    assert!(e.to_string().starts_with("fuzz.csv"), "{e}");
    assert!(e.line != Some(0), "line 0: {e}");
    assert!(e.column != Some(0), "column 0: {e}");
}

pub fn named_err<T>(r: Result<T, IngestError>) {
    if let Err(e) = r {
        named(&e);
    }
}

/// A wide file keeps its documented bounds and its parts agree.
pub fn wide(w: &WideFile) {
    assert!(w.columns.len() <= lantian_ingest::cnemc::MAX_WIDE_COLUMNS);
    assert!(w.days.len() * w.columns.len() <= lantian_ingest::cnemc::MAX_LABEL_DAYS);
    assert_eq!(w.days.len(), w.covered.len());
    for (d, cols) in &w.days {
        assert!(lantian_ingest::plausible::is_plausible(*d), "{d}");
        assert_eq!(cols.len(), w.columns.len());
    }
    if let Some(c) = w.unterminated {
        assert!(c.day < w.days.len() && c.column < w.columns.len() && c.hour < 24);
    }
    for r in &w.short_rows {
        assert!(r.day < w.days.len() && r.width < w.columns.len() && r.hour < 24);
    }
}

pub fn check(r: &Result<Ready, IngestError>) {
    match r {
        Ok(ready) => {
            if let Some(p) = ready.records::<lantian_store::PreparedWide>() {
                wide(&p.wide);
            }
        }
        Err(e) => named(e),
    }
}
