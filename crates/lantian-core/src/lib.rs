//! lantian-core: the standards and rules of the Sichuan air-pollution campaign.
//!
//! Pure: no I/O, no clock, no database. "Now" and "the data's date" are always arguments. Official
//! numbers are exact (integers and rationals); floating point never decides a rounding or an IAQI.
//! Every rule names the clause it implements; rule tables are versioned and chosen by the date of
//! the data.

pub mod aqi;
pub mod budget;
pub mod cities;
pub mod compliance;
pub mod conc;
pub mod control;
pub mod credit_code;
pub mod daily;
pub mod emergency;
pub mod enterprise;
pub mod hours;
pub mod incentives;
pub mod pairing;
pub mod period;
pub mod points;
pub mod pollutant;
pub mod publisher;
pub mod ranking;
pub mod standards;
pub mod tasks;
pub mod yuetan;

pub use aqi::{daily_aqi, realtime_aqi, AqiCategory, AqiResult, DailyInput, HourlyInput, RealTimeConvention};
pub use conc::{Conc, Ratio};
pub use pollutant::{Indicator, Pollutant, SeriesType};
pub use standards::StandardSet;
