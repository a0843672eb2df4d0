//! lantian-core: the standards and rules of the Sichuan air-pollution campaign.
//!
//! Pure: no I/O, no clock, no database. "Now" and "the data's date" are always arguments. Official
//! numbers are exact (integers and rationals); floating point never decides a rounding or an IAQI.
//! Every rule names the clause it implements; rule tables are versioned and chosen by the date of
//! the data.
//!
//! Output spellings (issue 11 conventions): every code enum has one `code()` — the lowercase
//! snake_case spelling of CSV, JSON and the API — and a Chinese label for tables and pages; its
//! serde form is that `code()` ([`serde_as_code`]). Times in machine formats are ISO 8601 with
//! `+08:00` ([`beijing_time`]).

/// Implements `Serialize` as the enum's `code()` and `Deserialize` from `code()` (case-insensitive)
/// or the variant name, for a code enum with an `ALL` array: one spelling per code in every JSON
/// output, from the same function as the CSV cells.
macro_rules! serde_as_code {
    ($t:ty) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                <$t>::ALL
                    .into_iter()
                    .find(|v| v.code().eq_ignore_ascii_case(&text) || format!("{v:?}") == text)
                    .ok_or_else(|| {
                        let codes: Vec<&str> = <$t>::ALL.iter().map(|v| v.code()).collect();
                        serde::de::Error::custom(format!("unknown code {text:?} (one of {})", codes.join(", ")))
                    })
            }
        }
    };
}
pub(crate) use serde_as_code;

pub mod accountability;
pub mod air;
pub mod beijing_time;
pub mod emergency;
pub mod enterprises;
pub mod regions;
pub mod work;

pub use air::aqi::{daily_aqi, realtime_aqi, AqiCategory, AqiResult, DailyInput, HourlyInput, RealTimeConvention};
pub use air::conc::{Conc, Ratio};
pub use air::pollutant::{Indicator, Pollutant, SeriesType};
pub use air::standards::StandardSet;
