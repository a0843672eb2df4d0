//! The toolkit every header-and-rows reader uses: the checked header and rows ([`records`]), columns
//! looked up by header name ([`Cols`]) and cells read with errors naming the file, line, column and
//! field ([`Row`]). Public so that a dataset module outside this crate reads its files the same way
//! (`lantian_service::datasets`, issue 13 item 1).

use std::path::Path;

use chrono::NaiveDate;

pub use crate::accountability::records;
use crate::error::IngestError;

/// Column lookup by header name.
pub struct Cols<'a> {
    pub path: &'a Path,
    pub h: csv::StringRecord,
}

impl<'a> Cols<'a> {
    pub fn new(path: &'a Path, h: csv::StringRecord) -> Self {
        Cols { path, h }
    }
    pub fn opt(&self, name: &str) -> Option<usize> {
        self.h.iter().position(|x| x.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    }
    pub fn need(&self, name: &str) -> Result<usize, IngestError> {
        self.opt(name).ok_or_else(|| IngestError::at(self.path, 1, format!("header lacks {name}")))
    }
}

/// One row with its line number, for cell access and errors.
pub struct Row<'a> {
    pub path: &'a Path,
    pub line: usize,
    pub r: &'a csv::StringRecord,
}

impl Row<'_> {
    pub fn get(&self, c: Option<usize>) -> &str {
        c.and_then(|c| self.r.get(c)).unwrap_or("").trim()
    }
    pub fn err(&self, c: usize, field: &str, msg: impl Into<String>) -> IngestError {
        IngestError::cell(self.path, self.line, c + 1, field, msg)
    }
    pub fn required(&self, c: usize, field: &str) -> Result<String, IngestError> {
        let v = self.get(Some(c));
        if v.is_empty() {
            return Err(self.err(c, field, format!("{field} is required")));
        }
        Ok(v.to_string())
    }
    /// A non-negative decimal with at most three decimals, in thousandths; empty → `None`.
    pub fn milli(&self, c: Option<usize>, field: &str, max_units: i64) -> Result<Option<i64>, IngestError> {
        let v = self.get(c);
        if v.is_empty() {
            return Ok(None);
        }
        let at = c.unwrap_or(0);
        // Amounts may exceed the concentration range of `Conc` (a steelworks uses over 10⁶ kWh a day):
        // an exact decimal of at most three decimals, in thousandths.
        let r = lantian_core::air::conc::parse_decimal(v)
            .ok_or_else(|| self.err(at, field, format!("not a number: {v:?}")))?;
        if r.num < 0 {
            return Err(self.err(at, field, format!("negative amount {v}")));
        }
        if (r.num * 1000) % r.den != 0 {
            return Err(self.err(at, field, format!("more than three decimals: {v:?}")));
        }
        let milli = r.num * 1000 / r.den;
        if milli > i128::from(max_units) * 1000 {
            return Err(self.err(at, field, format!("implausible amount {v} (above {max_units})")));
        }
        Ok(Some(milli as i64))
    }
    pub fn date(&self, c: usize, field: &str) -> Result<NaiveDate, IngestError> {
        let v = self.get(Some(c));
        let d = NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_err(|_| self.err(c, field, format!("not a date YYYY-MM-DD: {v:?}")))?;
        self.plausible(c, field, d)
    }
    /// A date of the plausible range ([`crate::plausible`]).
    pub fn plausible(&self, c: usize, field: &str, d: NaiveDate) -> Result<NaiveDate, IngestError> {
        crate::plausible::date(self.path, self.line, c + 1, field, d)
    }
    pub fn opt_date(&self, c: Option<usize>, field: &str) -> Result<Option<NaiveDate>, IngestError> {
        match c {
            Some(c) if !self.get(Some(c)).is_empty() => self.date(c, field).map(Some),
            _ => Ok(None),
        }
    }
    pub fn flag(&self, c: Option<usize>, field: &str) -> Result<bool, IngestError> {
        match self.get(c).to_ascii_lowercase().as_str() {
            "" | "0" | "false" | "no" | "n" | "否" => Ok(false),
            "1" | "true" | "yes" | "y" | "是" => Ok(true),
            other => Err(self.err(c.unwrap_or(0), field, format!("expected yes/no (是/否), found {other:?}"))),
        }
    }
}
