//! Hour labelling (`assessment.md` §3.3). The CNEMC files label an hourly value by the **end** of its
//! hour: row `hour = h` of the file for date D is the interval ending at D h:00, so `hour = 0` is
//! 23:00–24:00 of D−1. A [`LabelDay`] holds one file-day of such end-labelled rows; the natural day D
//! takes rows 1…23 of label day D and row 0 of label day D+1.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::air::conc::Conc;
use crate::air::daily::{DayHours, StationDayHours};
use crate::air::pollutant::{Pollutant, SeriesType};

/// Missing-value marker inside a [`LabelDay`].
pub const MISSING: i32 = i32::MIN;

/// One station (or city) and one label date: the 16 series ([`SeriesType`]: the 15 CNEMC series and
/// the facts of a real-time release row) × 24 end-labelled hours, in thousandths of a unit,
/// [`MISSING`] where the cell was empty. `i32` holds every concentration
/// [`Conc::parse`] accepts (below 1,000,000 units) and halves the memory of a day.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LabelDay {
    pub values: [[i32; 24]; SeriesType::COUNT],
}

impl Default for LabelDay {
    fn default() -> Self {
        LabelDay { values: [[MISSING; 24]; SeriesType::COUNT] }
    }
}

impl LabelDay {
    /// The value of a series at label hour `h` (0…23).
    #[inline]
    pub fn get(&self, t: SeriesType, h: usize) -> Option<Conc> {
        let v = self.values[t.index()][h];
        (v != MISSING).then_some(Conc(i64::from(v)))
    }

    #[inline]
    pub fn set(&mut self, t: SeriesType, h: usize, v: Option<Conc>) {
        self.values[t.index()][h] = v.and_then(|c| i32::try_from(c.milli()).ok()).unwrap_or(MISSING);
    }

    /// What a real-time release row said about label hour `h` (published primary pollutants, pollutants
    /// marked `/`); `None` when the hour came from no release row.
    #[inline]
    pub fn release(&self, h: usize) -> Option<crate::air::publisher::ReleaseFacts> {
        self.get(SeriesType::Release, h).and_then(crate::air::publisher::ReleaseFacts::from_conc)
    }

    /// Whether every cell is missing.
    pub fn is_empty(&self) -> bool {
        self.values.iter().all(|r| r.iter().all(|v| *v == MISSING))
    }

    /// Number of present cells.
    pub fn present(&self) -> usize {
        self.values.iter().map(|r| r.iter().filter(|v| **v != MISSING).count()).sum()
    }
}

/// The end of the hour labelled `h` on label date `d` (`h = 0` is midnight at the start of `d`).
pub fn label_time(d: NaiveDate, h: u32) -> NaiveDateTime {
    match d.and_hms_opt(h, 0, 0) {
        Some(t) => t,
        None => d.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::hours(i64::from(h)),
    }
}

/// The natural day `D` (hours by interval start) from label day D and label day D+1.
pub fn natural_day(this: Option<&LabelDay>, next: Option<&LabelDay>) -> StationDayHours {
    let mut out = StationDayHours::default();
    for p in Pollutant::ALL {
        let t = SeriesType::hourly(p);
        let hours: &mut DayHours = out.get_mut(p);
        if let Some(d) = this {
            for (s, slot) in hours.iter_mut().take(23).enumerate() {
                *slot = d.get(t, s + 1);
            }
        }
        if let Some(n) = next {
            hours[23] = n.get(t, 0);
        }
    }
    out
}

/// The real-time report's inputs at label hour `h` of a label day: the 1-hour values, the
/// publisher's moving means (used only by the literal HJ 633-2012 reading) and the pollutants a
/// release row marked `/` (used only by the literal HJ 633-2026 reading).
pub fn hourly_input(d: &LabelDay, h: usize) -> crate::air::aqi::HourlyInput {
    let release = d.values[SeriesType::Release.index()][h];
    crate::air::aqi::HourlyInput {
        so2: d.get(SeriesType::So2, h),
        no2: d.get(SeriesType::No2, h),
        co: d.get(SeriesType::Co, h),
        o3: d.get(SeriesType::O3, h),
        pm10: d.get(SeriesType::Pm10, h),
        pm2_5: d.get(SeriesType::Pm2_5, h),
        so2_24h: d.get(SeriesType::So2_24h, h),
        o3_8h: d.get(SeriesType::O3_8h, h),
        pm10_24h: d.get(SeriesType::Pm10_24h, h),
        pm2_5_24h: d.get(SeriesType::Pm2_5_24h, h),
        not_monitored: if release == MISSING { 0 } else { d.release(h).map_or(0, |f| f.not_monitored()) },
    }
}

/// Whether any of the six 1-hour pollutant values is present at label hour `h`.
pub fn has_pollutant_values(d: &LabelDay, h: usize) -> bool {
    Pollutant::ALL.iter().any(|p| d.get(SeriesType::hourly(*p), h).is_some())
}
