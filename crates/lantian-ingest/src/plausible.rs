//! The plausible range of the dates an input file may carry (issue 12 item 12), and the other
//! bounds every reader applies.
//!
//! **Dates: 2000-01-01 … 2099-12-31, fixed.** Every date and time of every kind (label dates of the
//! hourly files, days of daily values, forecast issuances and days, periods, task deadlines, visit
//! dates, electricity and CEMS times, grading dates) and every year (targets, inventories) must lie
//! in it; anything else is an error naming the file, line, column and field. Why fixed: the core and
//! the readers have no clock (ARCHITECTURE.md invariant 1), so "not after today" cannot be a rule; a
//! range relative to the other rows or to the store would accept a file that is wholly implausible
//! (every row in 9999), and a single row dated 9999-12-31 made `budget --all` come back empty. The
//! lower bound predates every source the platform reads (the national hourly network publishes from
//! 2013, the aqistudy archive begins 2013-12, the HJ 633-2012 / GB 3095-2012 standards take effect
//! 2016-01-01, with earlier trial operation); the upper bound ends the century the platform's rule
//! tables are written for (GB 3095-2026 final limits from 2031). A date outside it is a typo or a
//! damaged file, never data.

use std::path::Path;

use chrono::{Datelike, NaiveDate};

use crate::error::IngestError;

/// The first plausible year.
pub const FIRST_YEAR: i32 = 2000;
/// The last plausible year.
pub const LAST_YEAR: i32 = 2099;

/// Whether a date lies in the plausible range 2000-01-01 … 2099-12-31.
pub fn is_plausible(d: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&d.year())
}

/// The message of an implausible date.
pub fn message(what: &str) -> String {
    format!("implausible date {what}: dates must lie in {FIRST_YEAR}-01-01 … {LAST_YEAR}-12-31 (docs/formats.md)")
}

/// `d` when plausible, else an error naming the cell.
pub fn date(path: &Path, line: usize, col: usize, field: &str, d: NaiveDate) -> Result<NaiveDate, IngestError> {
    if is_plausible(d) {
        Ok(d)
    } else {
        Err(IngestError::cell(path, line, col, field, message(&d.to_string())))
    }
}

/// A year of the plausible range.
pub fn year(text: &str) -> Option<i32> {
    text.trim().parse::<i32>().ok().filter(|y| (FIRST_YEAR..=LAST_YEAR).contains(y))
}
