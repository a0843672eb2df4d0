//! Query values that parse but lie outside what any data can mean: a year, a date or a time outside
//! [`lantian_core::air::period::YEARS`] (1900–2200) is a 400 naming the parameter, never an overflow in date
//! arithmetic (a 500 or a panic) — issue 12 §14 (`/cities/成都?year=-1`, `year=0`).

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use lantian_core::air::period::YEARS;

use crate::ApiError;

fn out_of_range(name: &str, value: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("{name} {value}: expected a year in {}–{}", YEARS.start(), YEARS.end()))
}

/// A year parameter.
pub fn year(name: &str, y: i32) -> Result<i32, ApiError> {
    if YEARS.contains(&y) {
        Ok(y)
    } else {
        Err(out_of_range(name, y))
    }
}

/// A date parameter.
pub fn date(name: &str, d: NaiveDate) -> Result<NaiveDate, ApiError> {
    year(name, d.year()).map_err(|_| out_of_range(name, d)).map(|_| d)
}

/// A date-and-time parameter.
pub fn time(name: &str, t: NaiveDateTime) -> Result<NaiveDateTime, ApiError> {
    year(name, t.year()).map_err(|_| out_of_range(name, t)).map(|_| t)
}
