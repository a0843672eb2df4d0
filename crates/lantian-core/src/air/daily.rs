//! HJ 663 daily evaluation (日评价): 24-hour means, O3 daily maximum 1-hour value and O3 daily
//! maximum 8-hour mean (MDA8) of a natural day, per station and per city.
//!
//! Hours are indexed by the **start** of their interval, 0…23, within the natural day. The CNEMC files
//! label hours by their end, so the natural day D is rows 1…23 of file D plus row 0 of file D+1
//! (`assessment.md` §3.3); the conversion lives in [`crate::air::hours`].

use chrono::NaiveDate;
use serde::Serialize;

use crate::air::aqi::DailyInput;
use crate::air::conc::{Conc, Ratio, RatioMean};
use crate::air::pollutant::{Pollutant, SeriesType};
use crate::air::standards::{Avg, Limits, StandardSet};

/// Version of the daily evaluation rules ([`evaluate_day`]). Stores cache station daily evaluations
/// under this key and drop them when it changes: bump it with any change to the daily rules.
pub const DAILY_RULES_VERSION: &str = "hj663-daily-1";

/// One pollutant's 24 hourly values of a natural day, by interval start hour.
pub type DayHours = [Option<Conc>; 24];

/// All six pollutants of a natural day, indexed by `Pollutant as usize`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StationDayHours(pub [DayHours; 6]);

impl StationDayHours {
    pub fn get(&self, p: Pollutant) -> &DayHours {
        &self.0[p as usize]
    }
    pub fn get_mut(&mut self, p: Pollutant) -> &mut DayHours {
        &mut self.0[p as usize]
    }
}

/// The exact (unrounded) daily values of one station or city day; `None` = invalid (fails its
/// validity rule) or missing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DailyExact {
    /// 24-hour means of SO2, NO2, CO, PM10, PM2.5 (index `Pollutant as usize`; O3 unused).
    pub mean: [Option<Ratio>; 6],
    pub o3_max_1h: Option<Ratio>,
    pub o3_mda8: Option<Ratio>,
    /// Valid hourly values per pollutant (for a city: of the station with the most).
    pub valid_hours: [u8; 6],
    /// Valid 8-hour windows among the 17 (station days only).
    pub mda8_windows: u8,
    /// Stations that contributed (1 for a station day).
    pub stations: u16,
}

/// A station's natural day in compact exact form, as the daily evaluation produces it: each value is a
/// sum of thousandths over a count (hours of a 24-hour mean, hours of the best 8-hour window, 1 for
/// the maximum), which fits 64 bits and a byte. [`StationDay::exact`] gives the [`DailyExact`] view.
/// A fifth of the size of that view, so long scans move and cache far less memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StationDay {
    /// Numerators in thousandths: the 24-hour means (index `Pollutant as usize`, O3's slot unused), then
    /// the O3 daily maximum 1-hour value (index 6) and the O3 MDA8 (index 7).
    pub num: [i64; 8],
    /// Denominators of `num`; 0 = no valid value.
    pub den: [u8; 8],
    /// Valid hourly values per pollutant.
    pub valid_hours: [u8; 6],
    /// Valid 8-hour windows among the 17.
    pub mda8_windows: u8,
}

/// The published daily values from the exact ones, indexed as [`StationDay::num`] (the 24-hour means
/// by `Pollutant as usize`, 6 = O3 daily maximum 1-hour, 7 = O3 MDA8): each rounded once by GB/T 8170
/// (integer μg/m³, CO one decimal). One rule for [`DailyExact::rounded`] and [`StationDay::rounded`].
fn rounded_values(value: impl Fn(usize) -> Option<Ratio>) -> DailyInput {
    let r = |p: Pollutant| value(p as usize).map(|x| x.round(p.decimals()));
    DailyInput {
        so2: r(Pollutant::So2),
        no2: r(Pollutant::No2),
        co: r(Pollutant::Co),
        pm10: r(Pollutant::Pm10),
        pm2_5: r(Pollutant::Pm2_5),
        o3_max_1h: value(6).map(|x| x.round(0)),
        o3_mda8: value(7).map(|x| x.round(0)),
    }
}

impl StationDay {
    /// The published daily values ([`DailyExact::rounded`] of [`StationDay::exact`]).
    pub fn rounded(&self) -> DailyInput {
        rounded_values(|k| self.ratio(k))
    }

    /// Value `k` (as in `num`) as an exact ratio; `None` when there is none.
    #[inline]
    pub fn ratio(&self, k: usize) -> Option<Ratio> {
        (self.den[k] != 0).then(|| Ratio::new(i128::from(self.num[k]), i128::from(self.den[k])))
    }

    /// The same day as a [`DailyExact`] (one station).
    pub fn exact(&self) -> DailyExact {
        DailyExact {
            mean: std::array::from_fn(|k| self.ratio(k)),
            o3_max_1h: self.ratio(6),
            o3_mda8: self.ratio(7),
            valid_hours: self.valid_hours,
            mda8_windows: self.mda8_windows,
            stations: 1,
        }
    }
}

/// Evaluates one station's natural day (HJ 663-2013 / HJ 663-2026 daily statistics with the GB 3095
/// Table 4 minimums of the set in force on `date`).
pub fn evaluate_day(date: NaiveDate, h: &StationDayHours) -> DailyExact {
    evaluate_station_day(date, h).exact()
}

/// [`evaluate_day`] in the compact form.
pub fn evaluate_station_day(date: NaiveDate, h: &StationDayHours) -> StationDay {
    let mut raw = [[INVALID; 24]; 6];
    for p in Pollutant::ALL {
        for (slot, c) in raw[p as usize].iter_mut().zip(h.get(p)) {
            // Hourly values are below a million units (the parsers' bound, `conc::MAX_UNITS`), so the
            // 64-bit sums of the evaluation cannot overflow.
            debug_assert!(c.is_none_or(|c| c.milli() < i64::from(i32::MAX)));
            *slot = c.map_or(INVALID, Conc::milli);
        }
    }
    evaluate_raw(date, &raw)
}

/// [`evaluate_day`] straight from the two end-labelled days that hold the natural day (rows 1–23 of
/// label day D and row 0 of D+1, `assessment.md` §3.3), without building the hour table first.
pub fn evaluate_label_days(
    date: NaiveDate,
    this: Option<&crate::air::hours::LabelDay>,
    next: Option<&crate::air::hours::LabelDay>,
) -> DailyExact {
    let next_hour0 = next.map(|n| {
        let mut row = [crate::air::hours::MISSING; SeriesType::COUNT];
        for (slot, series) in row.iter_mut().zip(&n.values) {
            *slot = series[0];
        }
        row
    });
    evaluate_label_rows(date, this, next_hour0.as_ref()).exact()
}

/// [`evaluate_label_days`] with only label hour 0 of the next label day (each series' value, indexed
/// by [`SeriesType::index`], [`crate::air::hours::MISSING`] where empty): all the next day contributes.
pub fn evaluate_label_rows(
    date: NaiveDate,
    this: Option<&crate::air::hours::LabelDay>,
    next_hour0: Option<&[i32; SeriesType::COUNT]>,
) -> StationDay {
    let mut raw = [[INVALID; 24]; 6];
    for p in Pollutant::ALL {
        let t = SeriesType::hourly(p).index();
        let row = &mut raw[p as usize];
        if let Some(d) = this {
            // MISSING (i32::MIN) stays negative, i.e. invalid, as i64.
            for (slot, v) in row[..23].iter_mut().zip(&d.values[t][1..]) {
                *slot = i64::from(*v);
            }
        }
        if let Some(n) = next_hour0 {
            row[23] = i64::from(n[t]);
        }
    }
    evaluate_raw(date, &raw)
}

/// An hour without a valid value in the raw tables of [`evaluate_raw`] (any negative value is invalid).
const INVALID: i64 = -1;

/// The daily evaluation from each pollutant's 24 hourly values in thousandths of a unit (index
/// `Pollutant as usize`, hours by interval start); negative = missing or invalid.
fn evaluate_raw(date: NaiveDate, raw: &[[i64; 24]; 6]) -> StationDay {
    let set = StandardSet::for_date(date);
    let v = set.validity();
    let limits = Limits::for_date(date);
    let mut out = StationDay::default();
    for p in Pollutant::ALL {
        let hours = &raw[p as usize];
        let (mut n, mut sum, mut max) = (0usize, 0i64, -1i64);
        // Branch-free (an invalid value is negative, so it never raises the maximum above −1's).
        for &c in hours {
            let valid = c >= 0;
            n += usize::from(valid);
            // At most 24 values below 2^31 each: no overflow.
            sum += if valid { c } else { 0 };
            max = max.max(c);
        }
        out.valid_hours[p as usize] = n as u8;
        if p == Pollutant::O3 {
            if n > 0 {
                // [D] No minimum is published for the daily maximum 1-hour value; the 24-hour minimum
                // is used, and a maximum above the 1-hour limit is valid however few hours were measured.
                let limit_1h = limits.get(Pollutant::O3, Avg::H1).unwrap_or(Conc::units(200));
                if n >= v.o3_max_1h_min_hours || Conc(max) > limit_1h {
                    (out.num[6], out.den[6]) = (max, 1);
                }
            }
            continue;
        }
        // GB 3095 Table 4: a 24-hour mean needs ≥ 20 valid hours; it is the mean of the valid hours.
        if n >= v.daily_min_hours {
            (out.num[p as usize], out.den[p as usize]) = (sum, n as u8);
        }
    }
    let (mda8, windows) = mda8_window(&raw[Pollutant::O3 as usize], v.window_min_hours);
    out.mda8_windows = windows as u8;
    if let Some((sum, k)) = mda8 {
        // HJ 663 6.1.2: ≥ 14 valid windows, or fewer when the maximum exceeds the limit (compared
        // unrounded, `assessment.md` §3.2).
        let exceeds = Ratio::new(i128::from(sum), i128::from(k)).cmp_conc(limits.o3_mda8).is_gt();
        if windows >= v.mda8_min_windows || (v.mda8_exceedance_rescues && exceeds) {
            (out.num[7], out.den[7]) = (sum, k as u8);
        }
    }
    out
}

/// The maximum of the valid 8-hour O3 windows ending 08:00 … 24:00 (start hours 0 … 16, `assessment.md`
/// §3.2) and the number of valid windows. A window needs `min_hours` valid values and is their mean.
pub fn mda8(o3: &DayHours, min_hours: usize) -> (Option<Ratio>, usize) {
    let mut raw = [INVALID; 24];
    for (slot, c) in raw.iter_mut().zip(o3) {
        *slot = c.map_or(INVALID, Conc::milli);
    }
    mda8_raw(&raw, min_hours)
}

/// [`mda8`] over raw thousandths (negative = missing or invalid).
fn mda8_raw(o3: &[i64; 24], min_hours: usize) -> (Option<Ratio>, usize) {
    let (best, n) = mda8_window(o3, min_hours);
    (best.map(|(s, k)| Ratio::new(i128::from(s), i128::from(k))), n)
}

/// The best valid window of [`mda8_raw`] as (sum, count), and the number of valid windows.
fn mda8_window(o3: &[i64; 24], min_hours: usize) -> (Option<(i64, i64)>, usize) {
    // Best window as (sum, count), compared by cross products: exact, without building ratios. The
    // window slides: each step drops its first hour and takes in the next.
    let valid = |c: i64| if c >= 0 { (c, 1) } else { (0, 0) };
    let mut best: Option<(i64, i64)> = None;
    let mut n = 0;
    let (mut sum, mut k) = (0i64, 0i64);
    for &c in &o3[..8] {
        let (v, one) = valid(c);
        sum += v;
        k += one;
    }
    for s in 0..=16 {
        if s > 0 {
            let ((out, out_one), (inn, inn_one)) = (valid(o3[s - 1]), valid(o3[s + 7]));
            sum += inn - out;
            k += inn_one - out_one;
        }
        if k as usize >= min_hours {
            n += 1;
            // Sums of at most 8 values below 2^31 times counts of at most 8: within 64 bits.
            if best.is_none_or(|(bs, bk)| sum * bk > bs * k) {
                best = Some((sum, k));
            }
        }
    }
    (best, n)
}

/// How a city's MDA8 is formed from its stations (`assessment.md` §1.2, [U-low], recorded with
/// every figure).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
pub enum CityMda8Method {
    /// Mean of the stations' MDA8 values (default, [D]).
    #[default]
    MeanOfStationMda8,
}

/// A city's daily values from its evaluation stations' days (`assessment.md` §1.2): per indicator,
/// the arithmetic mean of the stations whose value is valid (control stations must already be
/// excluded by the caller). A city value needs at least one valid station ([D]).
///
/// Built up one station day at a time, so that a caller walks a date's station days once, in memory
/// order, adding each to its city.
#[derive(Clone, Copy, Debug, Default)]
pub struct CityDayAcc {
    /// Running means of the five 24-hour means, the O3 1-hour maximum and the O3 MDA8.
    means: [RatioMean; 8],
    valid_hours: [u8; 6],
    mda8_windows: u8,
    stations: u16,
}

impl CityDayAcc {
    /// Adds a station's day (its values as they are: no conversion to ratios).
    #[inline]
    pub fn add_station(&mut self, s: &StationDay) {
        self.stations = self.stations.saturating_add(1);
        for (m, (num, den)) in self.means.iter_mut().zip(s.num.iter().zip(s.den)) {
            if den != 0 {
                m.add_small(*num, den);
            }
        }
        for (slot, h) in self.valid_hours.iter_mut().zip(s.valid_hours) {
            *slot = (*slot).max(h);
        }
        self.mda8_windows = self.mda8_windows.max(s.mda8_windows);
    }

    /// Stations added so far.
    pub fn stations(&self) -> u16 {
        self.stations
    }

    /// The city's day: means of the stations' exact values, the most valid hours and windows of any.
    pub fn finish(&self) -> DailyExact {
        let mut out = DailyExact {
            valid_hours: self.valid_hours,
            mda8_windows: self.mda8_windows,
            stations: self.stations,
            ..DailyExact::default()
        };
        for (slot, m) in out.mean.iter_mut().zip(&self.means) {
            *slot = m.mean();
        }
        out.o3_max_1h = self.means[6].mean();
        out.o3_mda8 = self.means[7].mean();
        out
    }
}

impl DailyExact {
    /// The published daily values: each rounded once by GB/T 8170 (integer μg/m³, CO one decimal).
    pub fn rounded(&self) -> DailyInput {
        rounded_values(|k| match k {
            6 => self.o3_max_1h,
            7 => self.o3_mda8,
            _ => self.mean[k],
        })
    }
}

/// A city's 1-hour concentration of a pollutant: the arithmetic mean of its evaluation stations'
/// valid values for the hour, rounded as a reported concentration (`assessment.md` §1.2; the city then
/// gets the AQI of these means, not the mean of station AQIs).
pub fn city_hour_value(p: Pollutant, values: impl IntoIterator<Item = Conc>) -> Option<Conc> {
    Ratio::mean_of(values.into_iter().filter(|c| !c.is_negative())).map(|m| m.round(p.decimals()))
}
