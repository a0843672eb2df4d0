//! A seeded demonstration of the heavy-pollution emergency response (`emergency.md`,
//! `management.md` §3–4): the inputs the platform's alert chain needs, written next to the synthetic
//! monitoring data in `DIR/emergency/`, in the layouts of `lantian_ingest::emergency`.
//!
//! # Files
//! Named so that a sorted import (`lantian import DIR`) loads the registry before what refers to it:
//!
//! | File | Content |
//! | --- | --- |
//! | `01-enterprises.csv` | key-emitter registry of the 21 cities (credit codes of GB 32100-2015, key industries of the 2020 guideline, every grade) |
//! | `02-measures.csv` | one-plant-one-policy (一厂一策): per enterprise, level and production line, the action and its expected daily reductions (kg/day) |
//! | `03-inventory.csv` | city emission inventories (全社会排放量, t/yr) of the synthetic year |
//! | `04-city-measures.csv` | non-industrial city measures per level (construction sites, muck trucks, diesel trucks, …) with kg/day reductions |
//! | `05-forecast.csv` | four forecast issuances for the 21 cities around the worst winter PM2.5 episode (the last one lifts every alert) |
//! | `06-power.csv` | daily kWh of every enterprise from 40 days before the episode to a few days after, and 15-minute kWh of a few enterprises on the response days |
//! | `07-cems.csv` | hourly CEMS emissions (kg/h) of the largest emitters of four cities over the same window |
//! | `08-visits.csv` | pairing visits (结对帮扶): quarterly on-site visits and the response-time visits |
//!
//! # The story
//! The forecast follows the model's worst winter (Nov–Feb) PM2.5 episode: the day with the highest
//! three-day mean of the model AQI averaged over the 成都平原 and 川南 cities — preferably one whose
//! 40 days before and week after lie in the period, so that power and CEMS data have a baseline —
//! extended while that mean stays within 80 % of the peak day's (three to six days).
//! The model's daily AQI (from the city's expected PM2.5 and PM10, averaged over the day) is what
//! the forecasters "see"; when the model's episode is too weak for an alert, its PM is scaled up on
//! the episode days — in full for 成都平原 and 川南, 60 % for 川东北, not at all for 攀西 and 川西北
//! — until the decisive issuance (the day before the episode) gives at least five cities of
//! 成都平原/川南 two or more days above 200, one city a day above 300 and one city an orange alert. This makes the forecasts stronger than the synthetic measurements: the files
//! demonstrate the response chain (alert → plant measures → verification → supervision), they are
//! not a model of forecast skill. [`EmergencySummary::forecast_scale`] says how much was scaled.
//!
//! Deliberate cases, fixed so that the platform's checks have something to find:
//! - **资阳**: its control lists are not adequate — weak VOCs city measures and a VOCs inventory
//!   large enough that the reductions fall five points or more short of the 20 % / 30 % targets at
//!   orange and red (with the default seed also of 10 % at yellow: see
//!   [`EmergencySummary::inadequate`]); every other city meets 10 / 20 / 30 % for each pollutant.
//! - **德阳**: an A-grade cement plant is restricted beyond autonomous reduction (limit 70 % /
//!   limit 50 % / stop): a one-size-fits-all measure (一刀切) the Notice forbids.
//! - **成都**: a C-grade cement plant keeps running at its baseline (power use and CEMS) through the
//!   response: suspected refusal to execute the measures.
//! - **宜宾**: one enterprise's meter reports nothing for three days (from the second response day
//!   when 宜宾 is on alert, else from the episode's first day): a data gap.
//! - Pairing visits: a 厅级 leader is on site in every paired city on alert except the first of
//!   内江, 自贡, 德阳, 眉山, 宜宾, 泸州, 乐山, 成都, 南充, 达州, 凉山州 that is on alert, which only
//!   gets a 处级 visit ([`EmergencySummary::missing_leader`]).
//!
//! Without winter days in the period (a short summer run) the forecast is still written, unscaled
//! (no alert follows from it), and so are the other files; nothing fails.
//!
//! # Determinism
//! Every draw is a function of the seed and the entity (city, enterprise, day, hour): the same
//! options give byte-identical files.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use lantian_core::emergency::{replay, AlertEventKind, AlertLevel, ForecastDay, ForecastIssuance, RuleChoice};
use lantian_core::enterprises::credit_code::{check_character, CHARSET};
use lantian_core::enterprises::enterprise::{GradingScheme, IndustryTable, PerformanceGrade};
use lantian_core::regions::cities::{RegionId, SICHUAN_CITIES};
use lantian_core::{daily_aqi, Conc, DailyInput, Indicator, StandardSet};

use crate::model::{self, city_day, CityModel, PM10, PM25};
use crate::rng::{hash, normal_of, text_key, unit, Rng};
use crate::SynthOptions;

/// File names in `DIR/emergency/`, in import order.
pub const FILES: [&str; 8] = [
    "01-enterprises.csv",
    "02-measures.csv",
    "03-inventory.csv",
    "04-city-measures.csv",
    "05-forecast.csv",
    "06-power.csv",
    "07-cems.csv",
    "08-visits.csv",
];

/// Who issues the forecasts.
pub const FORECAST_SOURCE: &str = "四川省生态环境监测总站与省气象台联合会商";

/// Alert levels of the measures, in order.
const LEVELS: [&str; 3] = ["yellow", "orange", "red"];
/// Reduction targets of the city lists per level (`emergency.md` §4).
const TARGETS: [f64; 3] = [0.10, 0.20, 0.30];
const POLLUTANTS: [&str; 4] = ["SO2", "NOx", "PM", "VOCs"];

/// The city whose lists are deliberately inadequate.
pub const INADEQUATE_CITY: &str = "资阳";
/// The city of the A-grade enterprise restricted beyond autonomous reduction.
pub const ONE_SIZE_CITY: &str = "德阳";
/// The city of the enterprise that keeps running.
pub const NON_COMPLIANT_CITY: &str = "成都";
/// The city of the enterprise with a power-data gap.
pub const GAP_CITY: &str = "宜宾";
/// Paired cities in the order in which the missing leader visit is assigned.
const LEADER_GAP_ORDER: [&str; 11] =
    ["内江", "自贡", "德阳", "眉山", "宜宾", "泸州", "乐山", "成都", "南充", "达州", "凉山州"];

const T_FORECAST: u64 = 0x4645_4352;
const T_ENTERPRISE: u64 = 0x454e_5450;
const T_INVENTORY: u64 = 0x494e_5654;
const T_POWER: u64 = 0x504f_5752;
const T_CEMS: u64 = 0x4345_4d53;
const T_VISIT: u64 = 0x5649_5354;

/// What [`generate_emergency`] wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct EmergencySummary {
    /// Files written (path relative to the output folder) and their data rows.
    pub files: Vec<(String, usize)>,
    /// Bytes written.
    pub bytes: u64,
    /// First and last day of the demonstrated winter episode (`None`: the period has no winter).
    pub episode: Option<(NaiveDate, NaiveDate)>,
    /// Factor applied to the model's episode PM in the forecast (1 = the model as it is).
    pub forecast_scale: f64,
    /// Highest forecast AQI of the decisive issuance: city, day, AQI.
    pub peak: Option<(String, NaiveDate, u32)>,
    /// Cities on alert by the decisive issuance (the day before the episode): city, level, first
    /// and last response day.
    pub alerts: Vec<(String, &'static str, NaiveDate, NaiveDate)>,
    /// Enterprises in the registry.
    pub enterprises: usize,
    /// The city whose lists are not adequate.
    pub inadequate_city: String,
    /// Its shortfalls, e.g. `VOCs red 24.0 % < 30 %`.
    pub inadequate: Vec<String>,
    /// The A-grade enterprise restricted beyond autonomous reduction: `name (credit code)`.
    pub one_size_fits_all: String,
    /// The enterprise that keeps running at baseline during the response (power and CEMS).
    pub non_compliant: String,
    /// The enterprise whose power data has a gap, and the missing days.
    pub power_gap: String,
    /// The paired city on alert without a 厅级 leader on site (`None` without alerts).
    pub missing_leader: Option<String>,
}

fn short(i: usize) -> &'static str {
    SICHUAN_CITIES[i].short
}

fn city_index(short_name: &str) -> usize {
    SICHUAN_CITIES.iter().position(|c| c.short == short_name).unwrap_or(0)
}

fn key_region(i: usize) -> bool {
    matches!(SICHUAN_CITIES[i].region, RegionId::ChengduPlain | RegionId::SouthSichuan)
}

/// Weight of the forecast scaling by region.
fn region_weight(i: usize) -> f64 {
    match SICHUAN_CITIES[i].region {
        RegionId::ChengduPlain | RegionId::SouthSichuan => 1.0,
        RegionId::NortheastSichuan => 0.6,
        _ => 0.0,
    }
}

fn day_num(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce())
}

fn nrm(parts: &[u64]) -> f64 {
    normal_of(hash(parts))
}

fn uni(parts: &[u64]) -> f64 {
    unit(hash(parts))
}

/// A small CSV writer: fields are quoted when they need it; LF line endings.
struct Csv {
    buf: String,
    rows: usize,
}

impl Csv {
    fn new(header: &str) -> Csv {
        Csv { buf: format!("{header}\n"), rows: 0 }
    }
    fn row<S: AsRef<str>>(&mut self, fields: &[S]) {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.buf.push(',');
            }
            let f = f.as_ref();
            if f.contains([',', '"', '\n']) {
                self.buf.push('"');
                self.buf.push_str(&f.replace('"', "\"\""));
                self.buf.push('"');
            } else {
                self.buf.push_str(f);
            }
        }
        self.buf.push('\n');
        self.rows += 1;
    }
}

/// A decimal with `n` decimals, never negative.
fn dec(x: f64, n: usize) -> String {
    let x = if x.is_finite() { x.max(0.0) } else { 0.0 };
    format!("{x:.n$}")
}

// ------------------------------------------------------------------------------------------------
// Forecast
// ------------------------------------------------------------------------------------------------

/// Daily AQI and primary pollutant of a day's PM2.5 and PM10 (μg/m³) under the day's standards.
fn pm_aqi(date: NaiveDate, pm25: f64, pm10: f64) -> (u32, &'static str) {
    let c = |x: f64| Some(Conc::units(x.clamp(0.0, 2000.0).round() as i64));
    let d =
        DailyInput { so2: None, no2: None, co: None, pm10: c(pm10), pm2_5: c(pm25), o3_max_1h: None, o3_mda8: None };
    let r = daily_aqi(StandardSet::for_date(date), &d);
    let aqi = r.computed_aqi.unwrap_or(0).min(500);
    let i25 = r.iaqi_of(Indicator::Pm2_5_24h).unwrap_or(0);
    let i10 = r.iaqi_of(Indicator::Pm10_24h).unwrap_or(0);
    let primary = if aqi <= 50 {
        ""
    } else if i10 > i25 {
        "PM10"
    } else {
        "PM2.5"
    };
    (aqi, primary)
}

/// The model's expected daily PM2.5 and PM10 of the 21 cities, for a range of days.
struct ModelDays {
    first: i64,
    pm: Vec<[(f64, f64); 21]>,
}

impl ModelDays {
    fn new(seed: u64, cities: &[CityModel], index: &[usize; 21], first: i64, last: i64) -> ModelDays {
        let pm = (first..=last)
            .map(|day| {
                let mut row = [(0.0, 0.0); 21];
                for (i, r) in row.iter_mut().enumerate() {
                    let cd = city_day(seed, &cities[index[i]], day);
                    let n = cd.v.len() as f64;
                    *r = (cd.v.iter().map(|h| h[PM25]).sum::<f64>() / n, cd.v.iter().map(|h| h[PM10]).sum::<f64>() / n);
                }
                row
            })
            .collect();
        ModelDays { first, pm }
    }
    fn get(&self, city: usize, date: NaiveDate) -> (f64, f64) {
        let i = day_num(date) - self.first;
        usize::try_from(i).ok().and_then(|i| self.pm.get(i)).map_or((30.0, 50.0), |r| r[city])
    }
}

/// One forecast day.
struct FcRow {
    city: usize,
    issued_at: NaiveDateTime,
    date: NaiveDate,
    aqi: u32,
    lo: u32,
    hi: u32,
    primary: &'static str,
}

/// The forecast and the response that follows from it.
struct Forecast {
    rows: Vec<FcRow>,
    episode: Option<(NaiveDate, NaiveDate)>,
    /// Reference days: the episode's first and last day (the peak day without winter).
    start: NaiveDate,
    end: NaiveDate,
    scale: f64,
    /// Per city: alert level index (0 yellow … 2 red) and the response days.
    response: [Option<(usize, NaiveDate, NaiveDate)>; 21],
}

impl Forecast {
    fn level_on(&self, city: usize, d: NaiveDate) -> Option<usize> {
        self.response[city].filter(|(_, a, b)| *a <= d && d <= *b).map(|(l, _, _)| l)
    }
}

/// The spec's level rule (`emergency.md` §3.1) on consecutive daily values: start index, run
/// length, level.
fn alert_level(vals: &[u32]) -> Option<(usize, usize, usize)> {
    let first = vals.iter().position(|v| *v > 200)?;
    let run = vals[first..].iter().take_while(|v| **v > 200).count();
    let c300 = vals[first..first + run].iter().filter(|v| **v > 300).count();
    let hit500 = vals.iter().any(|v| *v >= 500);
    let level = if (run >= 4 && c300 >= 2) || hit500 {
        2
    } else if run >= 3 && c300 >= 1 {
        1
    } else if run >= 2 {
        0
    } else {
        return None;
    };
    Some((first, run, level))
}

/// The four issuances: issued `start − 2` and `start − 1` at 16:00, during the episode, and on its
/// last day (the cold front: clean days ahead, so every alert can be lifted).
struct Issuances {
    at: [NaiveDateTime; 4],
    days: [Vec<NaiveDate>; 4],
}

fn issuances(start: NaiveDate, end: NaiveDate) -> Issuances {
    let at16 = |d: NaiveDate| d.and_hms_opt(16, 0, 0).unwrap_or_else(|| d.and_time(chrono::NaiveTime::MIN));
    let mid = if (end - start).num_days() <= 2 { start + Duration::days(1) } else { start + Duration::days(2) };
    let span = |from: NaiveDate, n: i64| (0..n).map(|k| from + Duration::days(k)).collect::<Vec<_>>();
    Issuances {
        at: [
            at16(start - Duration::days(2)),
            at16(start - Duration::days(1)),
            at16(mid),
            at16(end.max(mid) + Duration::days(1)),
        ],
        days: [
            span(start - Duration::days(1), 7),
            span(start, 7),
            span(mid + Duration::days(1), 6),
            span(end.max(mid) + Duration::days(2), 5),
        ],
    }
}

/// What the forecasters see: the model's days, the episode and the issuance during it.
struct Scenario<'a> {
    seed: u64,
    m: &'a ModelDays,
    ep: (NaiveDate, NaiveDate),
    mid: NaiveDate,
}

impl Scenario<'_> {
    /// Forecast AQI of a city and day in issuance `iss` with the episode scaled by `k`.
    fn value(&self, k: f64, iss: usize, city: usize, date: NaiveDate) -> (u32, &'static str) {
        let Scenario { seed, m, ep, mid } = *self;
        let (pm25, pm10) = m.get(city, date);
        let wd = if ep.0 <= date && date <= ep.1 {
            1.0
        } else if date == ep.0 - Duration::days(1) || date == ep.1 + Duration::days(1) {
            0.5
        } else {
            0.0
        };
        let kc = 1.0 + (k - 1.0) * region_weight(city) * wd;
        // Issuance 0 sees the episode coming but weaker; issuance 2 (during the episode) sees the
        // improvement: a cold front clears the basin sooner than forecast the day before.
        let f = match iss {
            0 => 0.88,
            1 => 1.0,
            2 => {
                let n = (date - mid).num_days().max(1) as f64;
                (1.0 - 0.22 * n).max(0.45)
            }
            _ => 0.45,
        };
        let noise = (0.05 * nrm(&[seed, T_FORECAST, iss as u64, city as u64, day_num(date) as u64])).exp();
        let (aqi, primary) = pm_aqi(date, pm25 * kc * f * noise, pm10 * kc * f * noise);
        // After the front the forecast is light pollution or better: the lifting condition (≤ 150 for
        // 36 h) holds for every city.
        if iss == 3 {
            (aqi.min(140), primary)
        } else {
            (aqi, primary)
        }
    }
}

fn build_forecast(seed: u64, start: NaiveDate, days: u32) -> Forecast {
    let list = crate::stations(None);
    let (cities, models) = model::build(&list);
    let mut index = [0usize; 21];
    for (i, c) in SICHUAN_CITIES.iter().enumerate() {
        if let Some(s) = list.iter().position(|s| s.city_code == Some(c.code)) {
            index[i] = models[s].city;
        }
    }
    let last = start + Duration::days(i64::from(days.max(1)) - 1);
    let m = ModelDays::new(seed, &cities, &index, day_num(start) - 4, day_num(last) + 12);
    let period: Vec<NaiveDate> = (0..i64::from(days.max(1))).map(|k| start + Duration::days(k)).collect();
    let regional = |d: NaiveDate| -> f64 {
        let keys: Vec<usize> = (0..21).filter(|&i| key_region(i)).collect();
        keys.iter().map(|&i| f64::from(pm_aqi(d, m.get(i, d).0, m.get(i, d).1).0)).sum::<f64>() / keys.len() as f64
    };
    let winter = |d: &NaiveDate| matches!(d.month(), 11 | 12 | 1 | 2);
    let has_winter = period.iter().any(winter);
    // Candidate peak days, best first: winter days whose 40-day pre-window and forecast days lie in
    // the period; winter days whose forecast days do; any winter day; any day.
    let within = |d: &NaiveDate, before: i64, after: i64| {
        *d - Duration::days(before) >= start && *d + Duration::days(after) <= last
    };
    let pools: [Vec<NaiveDate>; 4] = [
        period.iter().copied().filter(|d| winter(d) && within(d, 42, 7)).collect(),
        period.iter().copied().filter(|d| winter(d) && within(d, 2, 6)).collect(),
        period.iter().copied().filter(winter).collect(),
        period.clone(),
    ];
    let pool = pools.iter().find(|p| !p.is_empty()).map_or(&period, |p| p);
    let daily: Vec<(NaiveDate, f64)> = period.iter().map(|&d| (d, regional(d))).collect();
    let r_of = |d: NaiveDate| daily.iter().find(|x| x.0 == d).map(|x| x.1);
    // A three-day score favours episodes over single bad days.
    let score = |d: NaiveDate| {
        let v: Vec<f64> = (-1..=1).filter_map(|k| r_of(d + Duration::days(k))).collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    };
    let (peak_day, _) =
        pool.iter().map(|&d| (d, score(d))).fold((start, f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
    let peak = r_of(peak_day).unwrap_or(0.0);
    let (mut ep_start, mut ep_end) = (peak_day, peak_day);
    if has_winter {
        let inside = |d: NaiveDate| r_of(d).is_some_and(|r| r >= 0.8 * peak);
        while (ep_end - ep_start).num_days() < 5 && inside(ep_start - Duration::days(1)) {
            ep_start -= Duration::days(1);
        }
        while (ep_end - ep_start).num_days() < 5 && inside(ep_end + Duration::days(1)) {
            ep_end += Duration::days(1);
        }
        // At least three days: extend towards the worse neighbour, staying in the period if it can.
        while (ep_end - ep_start).num_days() < 2 {
            let before = r_of(ep_start - Duration::days(1));
            let after = r_of(ep_end + Duration::days(1));
            if after.is_some() && (before.is_none() || after >= before) {
                ep_end += Duration::days(1);
            } else if before.is_some() {
                ep_start -= Duration::days(1);
            } else {
                ep_end += Duration::days(1);
            }
        }
    }
    let iss = issuances(ep_start, ep_end);
    let mid = iss.at[2].date();
    let ep = (ep_start, ep_end);
    let sc = Scenario { seed, m: &m, ep, mid };
    // The decisive issuance (the day before the episode) must start alerts in 成都平原 and 川南:
    // scale the episode's PM until it does (see the module doc: a demonstration, not forecast skill).
    let mut scale = 1.0;
    if has_winter {
        for step in 0..=120 {
            let k = 1.0 + 0.05 * f64::from(step);
            let mut n200 = 0;
            let mut max = 0;
            let mut orange = false;
            for c in (0..21).filter(|&c| key_region(c)) {
                let vals: Vec<u32> = iss.days[1].iter().map(|&d| sc.value(k, 1, c, d).0).collect();
                if vals.iter().filter(|v| **v > 200).count() >= 2 {
                    n200 += 1;
                }
                max = max.max(vals.iter().copied().max().unwrap_or(0));
                orange |= alert_level(&vals).is_some_and(|(_, _, l)| l >= 1);
            }
            scale = k;
            if n200 >= 5 && max > 300 && orange {
                break;
            }
        }
    }
    let mut rows = Vec::new();
    for (n, days) in iss.days.iter().enumerate() {
        for c in 0..21 {
            for &d in days {
                let (aqi, primary) = sc.value(scale, n, c, d);
                let r = 0.15 + 0.10 * uni(&[seed, T_FORECAST, 0x52, n as u64, c as u64, day_num(d) as u64]);
                let lo = ((f64::from(aqi) * (1.0 - r)).round() as u32).min(aqi);
                let hi = ((f64::from(aqi) * (1.0 + r)).round() as u32).clamp(aqi, 500);
                rows.push(FcRow { city: c, issued_at: iss.at[n], date: d, aqi, lo, hi, primary });
            }
        }
    }
    // The response per city, exactly as the platform will record it: the alert life replayed by the
    // core from these issuances under the plan in force (`lantian_core::emergency::replay`). Enterprises
    // curtail from the day the first alert takes effect (00:00 of its first heavy day, or the decision
    // if later) through the day it is lifted, at the highest level the alert reaches.
    let mut response = [None; 21];
    if has_winter {
        for (c, resp) in response.iter_mut().enumerate() {
            let issuances: Vec<ForecastIssuance> = iss
                .at
                .iter()
                .map(|t| ForecastIssuance {
                    issued_at: *t,
                    days: rows
                        .iter()
                        .filter(|r| r.city == c && r.issued_at == *t)
                        .map(|r| ForecastDay::with_range(r.date, r.aqi, r.lo, r.hi))
                        .collect(),
                })
                .collect();
            let Ok(life) = replay(SICHUAN_CITIES[c].code, &issuances, RuleChoice::SichuanByDate) else { continue };
            let mut from: Option<NaiveDate> = None;
            let mut to: Option<NaiveDate> = None;
            let mut level: Option<usize> = None;
            for e in &life.events {
                let idx = match e.level_after {
                    Some(AlertLevel::Yellow) => Some(0),
                    Some(AlertLevel::Orange) => Some(1),
                    Some(AlertLevel::Red) => Some(2),
                    _ => None,
                };
                match e.kind {
                    AlertEventKind::Lift => to = Some(e.at.date()),
                    _ if idx.is_some() => {
                        let effective = e.evidence.episode_start.map_or(e.at.date(), |d| d.max(e.at.date()));
                        from = Some(from.map_or(effective, |f| f.min(effective)));
                    }
                    _ => {}
                }
                level = level.max(idx);
            }
            if let (Some(f), Some(l)) = (from, level) {
                *resp = Some((l, f, to.unwrap_or(f + Duration::days(2)).max(f)));
            }
        }
    }
    Forecast {
        rows,
        episode: has_winter.then_some((ep_start, ep_end)),
        start: ep_start,
        end: ep_end,
        scale: if has_winter { scale } else { 1.0 },
        response,
    }
}

// ------------------------------------------------------------------------------------------------
// Enterprises
// ------------------------------------------------------------------------------------------------

/// What an industry (or a kind of non-key enterprise) looks like.
struct IndSpec {
    words: &'static [&'static str],
    lines: &'static [&'static str],
    /// Process stopped by `stop_process`, and the share of emissions it stands for.
    process: &'static str,
    process_cut: f64,
    /// Annual SO2, NOx, PM, VOCs ranges (t/yr).
    t: [(f64, f64); 4],
    /// Daily electricity use range (kWh). Below 0.9 GWh: the power reader takes amounts below
    /// 1 000 000 units (`lantian_core::air::conc::MAX_UNITS`), so the largest works are understated.
    kwh: (f64, f64),
    /// Runs round the clock (kilns, furnaces) rather than in day shifts.
    continuous: bool,
}

const fn spec(
    words: &'static [&'static str],
    lines: &'static [&'static str],
    process: &'static str,
    process_cut: f64,
    t: [(f64, f64); 4],
    kwh: (f64, f64),
    continuous: bool,
) -> IndSpec {
    IndSpec { words, lines, process, process_cut, t, kwh, continuous }
}

fn industry_spec(code: &str) -> IndSpec {
    match code {
        "steel_integrated" => spec(
            &["钢铁", "钢铁集团", "钢城"],
            &["1号烧结机", "2号高炉", "转炉炼钢车间"],
            "烧结",
            0.4,
            [(800.0, 2500.0), (1800.0, 4500.0), (900.0, 2800.0), (150.0, 500.0)],
            (5e5, 8.5e5),
            true,
        ),
        "ferroalloy" => spec(
            &["铁合金", "硅铁", "冶金"],
            &["1号矿热炉", "2号矿热炉", "3号矿热炉"],
            "原料破碎",
            0.2,
            [(60.0, 300.0), (50.0, 200.0), (100.0, 450.0), (1.0, 5.0)],
            (3e5, 8e5),
            true,
        ),
        "coking" => spec(
            &["焦化", "煤焦化", "焦化能源"],
            &["1号焦炉", "2号焦炉", "化产回收车间"],
            "备煤",
            0.25,
            [(200.0, 600.0), (400.0, 1200.0), (150.0, 500.0), (200.0, 800.0)],
            (8e4, 2e5),
            true,
        ),
        "lime_kiln" => spec(
            &["钙业", "石灰", "矿业"],
            &["1号石灰窑", "2号石灰窑"],
            "矿石破碎",
            0.3,
            [(10.0, 60.0), (30.0, 150.0), (20.0, 100.0), (0.0, 0.0)],
            (1e4, 4e4),
            true,
        ),
        "foundry" => spec(
            &["铸造", "精密铸造", "铸业"],
            &["中频电炉熔炼", "造型线", "清理打磨"],
            "熔炼",
            0.45,
            [(1.0, 10.0), (5.0, 30.0), (10.0, 60.0), (5.0, 40.0)],
            (2e4, 8e4),
            false,
        ),
        "electrolytic_aluminium" => spec(
            &["铝业", "电解铝"],
            &["一系列电解槽", "二系列电解槽", "阳极组装车间"],
            "阳极组装",
            0.15,
            [(300.0, 1200.0), (20.0, 100.0), (100.0, 400.0), (0.0, 0.0)],
            (6e5, 8.5e5),
            true,
        ),
        "cement" => spec(
            &["水泥", "建材", "水泥建材"],
            &["1号熟料生产线", "2号熟料生产线", "水泥粉磨站"],
            "水泥粉磨",
            0.3,
            [(50.0, 400.0), (500.0, 2000.0), (100.0, 500.0), (5.0, 30.0)],
            (2.5e5, 6e5),
            true,
        ),
        "brick_tile_kiln" => spec(
            &["新型墙材", "砖瓦", "页岩砖"],
            &["1号隧道窑", "2号隧道窑"],
            "原料破碎",
            0.3,
            [(10.0, 80.0), (10.0, 60.0), (10.0, 60.0), (1.0, 5.0)],
            (8e3, 2.5e4),
            true,
        ),
        "ceramics" => spec(
            &["陶瓷", "瓷业", "建陶"],
            &["1号辊道窑", "2号辊道窑", "喷雾干燥塔"],
            "喷雾干燥",
            0.35,
            [(50.0, 300.0), (100.0, 400.0), (50.0, 200.0), (5.0, 20.0)],
            (6e4, 1.5e5),
            true,
        ),
        "refractory" => spec(
            &["耐火材料", "耐材"],
            &["1号隧道窑", "成型车间"],
            "破碎",
            0.3,
            [(10.0, 100.0), (20.0, 150.0), (20.0, 100.0), (1.0, 5.0)],
            (2e4, 6e4),
            true,
        ),
        "glass" => spec(
            &["玻璃", "玻璃制品"],
            &["1号浮法线", "2号浮法线"],
            "深加工",
            0.1,
            [(100.0, 500.0), (400.0, 1500.0), (50.0, 200.0), (5.0, 20.0)],
            (1e5, 2.5e5),
            true,
        ),
        "frp" => spec(
            &["玻璃钢", "复合材料"],
            &["缠绕成型线", "模压线"],
            "喷涂",
            0.5,
            [(0.0, 0.0), (0.0, 2.0), (2.0, 10.0), (20.0, 100.0)],
            (5e3, 2e4),
            false,
        ),
        "waterproof_material" => spec(
            &["防水材料", "防水科技"],
            &["改性沥青卷材线", "防水涂料线"],
            "沥青加热",
            0.5,
            [(1.0, 5.0), (2.0, 10.0), (5.0, 20.0), (10.0, 60.0)],
            (8e3, 3e4),
            false,
        ),
        "refining_petrochemical" => spec(
            &["石化", "石油化工"],
            &["常减压装置", "催化裂化装置", "乙烯装置"],
            "罐区装卸",
            0.1,
            [(200.0, 800.0), (500.0, 1500.0), (50.0, 200.0), (1000.0, 3000.0)],
            (4e5, 8e5),
            true,
        ),
        "carbon_black" => spec(
            &["炭黑", "碳黑"],
            &["1号炭黑生产线", "2号炭黑生产线"],
            "造粒干燥",
            0.3,
            [(100.0, 400.0), (150.0, 500.0), (30.0, 120.0), (20.0, 80.0)],
            (5e4, 1.5e5),
            true,
        ),
        "coal_nitrogen_fertiliser" => spec(
            &["化肥", "化工", "天华化工"],
            &["合成氨装置", "尿素装置", "燃煤锅炉"],
            "造粒",
            0.25,
            [(100.0, 400.0), (200.0, 600.0), (50.0, 200.0), (50.0, 200.0)],
            (3e5, 8e5),
            true,
        ),
        "pharmaceutical" => spec(
            &["制药", "药业", "生物制药"],
            &["原料药车间", "制剂车间", "溶剂回收车间"],
            "提取",
            0.4,
            [(1.0, 20.0), (5.0, 40.0), (1.0, 10.0), (30.0, 200.0)],
            (3e4, 1e5),
            false,
        ),
        "pesticide" => spec(
            &["农药", "生物化工"],
            &["合成车间", "复配车间"],
            "复配",
            0.4,
            [(2.0, 20.0), (5.0, 30.0), (2.0, 10.0), (30.0, 150.0)],
            (2e4, 6e4),
            false,
        ),
        "coatings" => spec(
            &["涂料", "化学涂料"],
            &["溶剂型涂料线", "水性涂料线"],
            "调漆",
            0.5,
            [(0.0, 2.0), (1.0, 5.0), (1.0, 5.0), (20.0, 150.0)],
            (1e4, 4e4),
            false,
        ),
        "packaging_printing" => spec(
            &["包装印务", "彩印包装", "印务"],
            &["凹版印刷线", "复合线"],
            "复合",
            0.4,
            [(0.0, 1.0), (0.0, 2.0), (0.5, 3.0), (20.0, 200.0)],
            (1e4, 5e4),
            false,
        ),
        "wood_panel" => spec(
            &["木业", "人造板"],
            &["刨花板生产线", "热压线"],
            "干燥",
            0.4,
            [(5.0, 40.0), (20.0, 100.0), (20.0, 100.0), (30.0, 150.0)],
            (4e4, 1.2e5),
            true,
        ),
        "furniture" => spec(
            &["家具", "家居"],
            &["喷漆线", "木工车间"],
            "喷漆",
            0.7,
            [(0.0, 1.0), (0.0, 2.0), (2.0, 10.0), (20.0, 150.0)],
            (1e4, 4e4),
            false,
        ),
        "footwear" => spec(
            &["鞋业", "鞋材"],
            &["成型线", "刷胶线"],
            "刷胶",
            0.6,
            [(0.0, 0.0), (0.0, 1.0), (0.5, 3.0), (10.0, 80.0)],
            (8e3, 3e4),
            false,
        ),
        "vehicle_manufacturing" => spec(
            &["汽车", "汽车制造"],
            &["涂装车间", "焊装车间", "总装车间"],
            "中涂",
            0.4,
            [(1.0, 10.0), (10.0, 50.0), (5.0, 30.0), (200.0, 800.0)],
            (2e5, 5e5),
            false,
        ),
        "construction_machinery" => spec(
            &["重工", "工程机械"],
            &["涂装线", "焊接线"],
            "喷涂",
            0.6,
            [(0.0, 2.0), (2.0, 10.0), (5.0, 20.0), (50.0, 300.0)],
            (6e4, 2e5),
            false,
        ),
        "rubber_products" => spec(
            &["橡胶", "橡塑制品"],
            &["炼胶车间", "硫化车间"],
            "炼胶",
            0.4,
            [(1.0, 10.0), (2.0, 15.0), (2.0, 10.0), (10.0, 60.0)],
            (2e4, 6e4),
            false,
        ),
        "industrial_coating" => spec(
            &["机械制造", "装备制造", "电器"],
            &["喷涂线", "烘干线"],
            "喷涂",
            0.6,
            [(0.0, 2.0), (2.0, 10.0), (2.0, 10.0), (20.0, 150.0)],
            (2e4, 8e4),
            false,
        ),
        // Non-key enterprises (`other:<kind>`).
        "白酒" => spec(
            &["酒业", "酿酒"],
            &["酿造车间", "燃气锅炉房"],
            "蒸馏",
            0.4,
            [(2.0, 20.0), (10.0, 60.0), (2.0, 15.0), (20.0, 100.0)],
            (2e4, 8e4),
            false,
        ),
        "热电" => spec(
            &["热电", "热力"],
            &["1号燃煤机组", "2号燃煤机组"],
            "输煤",
            0.1,
            [(200.0, 600.0), (300.0, 900.0), (40.0, 120.0), (5.0, 20.0)],
            (1e5, 3e5),
            true,
        ),
        "化纤" => spec(
            &["化纤", "纤维"],
            &["纺丝车间", "燃煤锅炉"],
            "纺丝",
            0.3,
            [(50.0, 200.0), (80.0, 300.0), (20.0, 60.0), (50.0, 200.0)],
            (1e5, 3e5),
            true,
        ),
        "食品" => spec(
            &["食品", "食品工业"],
            &["生产车间", "燃气锅炉"],
            "烘焙",
            0.4,
            [(1.0, 10.0), (5.0, 30.0), (1.0, 8.0), (5.0, 30.0)],
            (1e4, 4e4),
            false,
        ),
        "盐化工" => spec(
            &["盐化", "盐业"],
            &["制盐车间", "燃煤锅炉"],
            "干燥",
            0.3,
            [(50.0, 200.0), (80.0, 250.0), (20.0, 80.0), (5.0, 20.0)],
            (5e4, 1.5e5),
            true,
        ),
        "钛白粉" => spec(
            &["钛业", "钛白"],
            &["硫酸法钛白粉线", "煅烧窑"],
            "酸解",
            0.3,
            [(100.0, 400.0), (50.0, 200.0), (30.0, 120.0), (5.0, 20.0)],
            (1e5, 3e5),
            true,
        ),
        "磷化工" => spec(
            &["磷化工", "磷化"],
            &["黄磷电炉", "磷酸装置"],
            "磷酸",
            0.3,
            [(50.0, 300.0), (20.0, 100.0), (40.0, 150.0), (5.0, 20.0)],
            (2e5, 6e5),
            true,
        ),
        "锂电材料" => spec(
            &["锂业", "锂电材料"],
            &["焙烧车间", "燃气锅炉"],
            "焙烧",
            0.5,
            [(20.0, 100.0), (30.0, 120.0), (10.0, 50.0), (5.0, 30.0)],
            (5e4, 1.5e5),
            true,
        ),
        "制糖" => spec(
            &["糖业"],
            &["压榨车间", "燃煤锅炉"],
            "压榨",
            0.4,
            [(30.0, 150.0), (40.0, 150.0), (20.0, 80.0), (2.0, 10.0)],
            (2e4, 6e4),
            true,
        ),
        "多晶硅" => spec(
            &["硅材料", "光伏材料"],
            &["还原车间", "燃气锅炉"],
            "还原",
            0.3,
            [(5.0, 30.0), (20.0, 100.0), (5.0, 30.0), (5.0, 30.0)],
            (5e5, 8.5e5),
            true,
        ),
        "丝绸" => spec(
            &["丝绸", "茧丝绸"],
            &["缫丝车间", "燃气锅炉"],
            "缫丝",
            0.5,
            [(1.0, 10.0), (5.0, 30.0), (1.0, 8.0), (2.0, 10.0)],
            (1e4, 3e4),
            false,
        ),
        "工业硅" => spec(
            &["硅业", "工业硅"],
            &["1号矿热炉", "2号矿热炉"],
            "精整",
            0.1,
            [(200.0, 800.0), (50.0, 200.0), (50.0, 200.0), (1.0, 5.0)],
            (3e5, 8e5),
            true,
        ),
        "天然气化工" => spec(
            &["天然气化工", "化工"],
            &["甲醇装置", "合成氨装置"],
            "装车",
            0.1,
            [(10.0, 60.0), (100.0, 400.0), (10.0, 40.0), (50.0, 200.0)],
            (1e5, 3e5),
            true,
        ),
        "火电" => spec(
            &["发电", "电力"],
            &["1号机组", "2号机组"],
            "输煤",
            0.05,
            [(500.0, 1500.0), (800.0, 2500.0), (100.0, 300.0), (10.0, 40.0)],
            (1e5, 3e5),
            true,
        ),
        "稀土冶炼" => spec(
            &["稀土", "稀土冶炼"],
            &["焙烧车间", "萃取车间"],
            "焙烧",
            0.5,
            [(30.0, 150.0), (20.0, 80.0), (20.0, 80.0), (10.0, 50.0)],
            (3e4, 1e5),
            true,
        ),
        "茶叶加工" => spec(
            &["茶业", "茶叶"],
            &["制茶车间", "生物质锅炉"],
            "杀青",
            0.5,
            [(1.0, 5.0), (3.0, 15.0), (2.0, 10.0), (1.0, 5.0)],
            (5e3, 2e4),
            false,
        ),
        _ => spec(
            &["实业", "工贸"],
            &["生产线", "燃煤锅炉"],
            "辅助工序",
            0.3,
            [(5.0, 60.0), (10.0, 80.0), (5.0, 40.0), (5.0, 40.0)],
            (2e4, 1e5),
            false,
        ),
    }
}

/// Counties (districts) and the enterprises of a city, space-separated: industry codes of the 2020
/// guideline, `other:<kind>` for non-key enterprises.
struct CitySpec {
    short: &'static str,
    counties: &'static str,
    industries: &'static str,
}

const CITY_SPECS: [CitySpec; 21] = [
    CitySpec {
        short: "成都",
        counties: "青白江区 新都区 彭州市 都江堰市 龙泉驿区 双流区 新津区 金堂县 邛崃市 崇州市",
        industries: "cement refining_petrochemical cement vehicle_manufacturing packaging_printing furniture pharmaceutical industrial_coating waterproof_material footwear other:热电 other:食品",
    },
    CitySpec {
        short: "自贡",
        counties: "自流井区 贡井区 大安区 沿滩区 荣县 富顺县",
        industries: "carbon_black industrial_coating ceramics cement pharmaceutical coatings other:盐化工 brick_tile_kiln construction_machinery",
    },
    CitySpec {
        short: "攀枝花",
        counties: "东区 西区 仁和区 米易县 盐边县",
        industries: "steel_integrated ferroalloy coking coking lime_kiln cement refractory other:钛白粉 other:火电 brick_tile_kiln",
    },
    CitySpec {
        short: "泸州",
        counties: "江阳区 纳溪区 龙马潭区 泸县 合江县 叙永县 古蔺县",
        industries: "coal_nitrogen_fertiliser cement coking pesticide other:白酒 other:白酒 glass industrial_coating brick_tile_kiln pharmaceutical",
    },
    CitySpec {
        short: "德阳",
        counties: "旌阳区 罗江区 广汉市 什邡市 绵竹市 中江县",
        industries: "cement construction_machinery foundry foundry industrial_coating frp pharmaceutical other:磷化工 glass wood_panel brick_tile_kiln",
    },
    CitySpec {
        short: "绵阳",
        counties: "涪城区 游仙区 安州区 江油市 三台县 盐亭县 梓潼县",
        industries: "cement cement industrial_coating packaging_printing foundry vehicle_manufacturing glass other:食品 furniture brick_tile_kiln",
    },
    CitySpec {
        short: "广元",
        counties: "利州区 昭化区 朝天区 旺苍县 青川县 剑阁县 苍溪县",
        industries: "cement cement electrolytic_aluminium wood_panel other:食品 brick_tile_kiln ceramics lime_kiln coking",
    },
    CitySpec {
        short: "遂宁",
        counties: "船山区 安居区 射洪市 蓬溪县 大英县",
        industries: "pharmaceutical packaging_printing frp industrial_coating other:锂电材料 furniture glass brick_tile_kiln rubber_products",
    },
    CitySpec {
        short: "内江",
        counties: "市中区 东兴区 威远县 资中县 隆昌市",
        industries: "steel_integrated cement coking ceramics foundry refractory other:制糖 brick_tile_kiln lime_kiln industrial_coating",
    },
    CitySpec {
        short: "乐山",
        counties: "市中区 沙湾区 五通桥区 犍为县 井研县 夹江县 峨眉山市",
        industries: "ceramics ceramics ceramics cement glass other:多晶硅 other:盐化工 pharmaceutical lime_kiln brick_tile_kiln refractory",
    },
    CitySpec {
        short: "南充",
        counties: "顺庆区 高坪区 嘉陵区 阆中市 南部县 营山县 蓬安县 仪陇县 西充县",
        industries: "refining_petrochemical vehicle_manufacturing furniture cement industrial_coating other:丝绸 other:食品 pharmaceutical brick_tile_kiln packaging_printing",
    },
    CitySpec {
        short: "眉山",
        counties: "东坡区 彭山区 仁寿县 洪雅县 丹棱县 青神县",
        industries: "electrolytic_aluminium ferroalloy cement packaging_printing pharmaceutical furniture wood_panel other:食品 brick_tile_kiln industrial_coating",
    },
    CitySpec {
        short: "宜宾",
        counties: "翠屏区 南溪区 叙州区 江安县 长宁县 高县 珙县 兴文县",
        industries: "cement other:白酒 other:化纤 cement coking ceramics glass pharmaceutical industrial_coating brick_tile_kiln other:火电",
    },
    CitySpec {
        short: "广安",
        counties: "广安区 前锋区 华蓥市 岳池县 武胜县 邻水县",
        industries: "cement cement coking glass lime_kiln other:火电 industrial_coating brick_tile_kiln footwear",
    },
    CitySpec {
        short: "达州",
        counties: "通川区 达川区 万源市 宣汉县 开江县 大竹县 渠县",
        industries: "steel_integrated coking coal_nitrogen_fertiliser cement cement lime_kiln other:天然气化工 brick_tile_kiln pharmaceutical wood_panel",
    },
    CitySpec {
        short: "雅安",
        counties: "雨城区 名山区 荥经县 汉源县 石棉县 天全县 芦山县",
        industries: "cement ferroalloy other:工业硅 lime_kiln brick_tile_kiln pharmaceutical wood_panel other:茶叶加工",
    },
    CitySpec {
        short: "巴中",
        counties: "巴州区 恩阳区 通江县 南江县 平昌县",
        industries: "cement brick_tile_kiln wood_panel other:食品 furniture lime_kiln pharmaceutical industrial_coating",
    },
    CitySpec {
        short: "资阳",
        counties: "雁江区 安岳县 乐至县",
        industries: "vehicle_manufacturing industrial_coating furniture footwear brick_tile_kiln cement packaging_printing other:食品 foundry",
    },
    CitySpec {
        short: "阿坝州",
        counties: "汶川县 理县 茂县 松潘县 马尔康市",
        industries: "ferroalloy cement other:工业硅 lime_kiln",
    },
    CitySpec {
        short: "甘孜州",
        counties: "康定市 泸定县 丹巴县 九龙县",
        industries: "cement other:食品 brick_tile_kiln lime_kiln",
    },
    CitySpec {
        short: "凉山州",
        counties: "西昌市 德昌县 会理市 会东县 冕宁县 盐源县 甘洛县",
        industries: "steel_integrated ferroalloy cement lime_kiln other:稀土冶炼 other:工业硅 coking brick_tile_kiln glass",
    },
];

const BRANDS: [&str; 64] = [
    "兴川", "蜀达", "锦江", "天府", "鑫源", "华鼎", "宏达", "金牛", "恒信", "川西", "巴蜀", "蓉城", "德盛", "瑞丰",
    "永安", "新星", "远航", "东升", "嘉和", "中泰", "凯达", "佳宇", "腾龙", "峨眉", "龙泉", "青城", "岷江", "沱江",
    "嘉陵", "安宁", "金沙", "长青", "福泰", "华美", "九鼎", "利森", "双马", "星河", "通达", "泰和", "荣盛", "川南",
    "盛世", "裕丰", "宝成", "丰源", "汇通", "众诚", "润达", "旭阳", "明达", "鸿运", "聚源", "昌盛", "海川", "天誉",
    "中蓉", "蜀丰", "恒泰", "同心", "广宇", "金鹰", "德润", "长城",
];

/// An action of a plan measure.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Act {
    Autonomous,
    Limit(i64),
    StopProcess,
    Stop,
}

/// Special roles of the demonstration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Normal,
    OneSizeFitsAll,
    NonCompliant,
    PowerGap,
}

struct Ent {
    code: String,
    name: String,
    city: usize,
    county: &'static str,
    /// Key-industry code or `other`.
    industry: &'static str,
    spec: IndSpec,
    grade: PerformanceGrade,
    grade_date: Option<NaiveDate>,
    green: bool,
    guarantee: &'static str,
    lines: Vec<&'static str>,
    share: Vec<f64>,
    annual_t: [f64; 4],
    kwh: f64,
    role: Role,
}

impl Ent {
    /// The measure of a line at a level: action and the share of the line's emissions it cuts.
    fn measure(&self, level: usize) -> Act {
        use PerformanceGrade as G;
        if self.role == Role::OneSizeFitsAll {
            return [Act::Limit(70), Act::Limit(50), Act::Stop][level];
        }
        match self.guarantee {
            "供热" => return Act::Autonomous,
            "" => {}
            _ => return [Act::Autonomous, Act::Autonomous, Act::Limit(80)][level],
        }
        if self.green {
            return Act::Autonomous;
        }
        // Each level at least as strict as the one below: stopping a process only where the process
        // stands for more of the emissions than the limit it replaces.
        let process_or = |min_cut: f64, limit: i64| {
            if self.spec.process_cut >= min_cut {
                Act::StopProcess
            } else {
                Act::Limit(limit)
            }
        };
        match self.grade {
            G::A | G::Leading => Act::Autonomous,
            G::B => [Act::Limit(70), Act::Limit(60), Act::Limit(50)][level],
            G::C => [Act::Limit(60), process_or(0.5, 40), Act::Stop][level],
            G::D => [Act::Limit(50), Act::Stop, Act::Stop][level],
            G::NonLeading => [Act::Limit(60), Act::Limit(50), Act::Stop][level],
            G::Ungraded => [Act::Limit(80), Act::Limit(60), process_or(0.6, 40)][level],
        }
    }
    fn cut(&self, a: Act) -> f64 {
        match a {
            Act::Autonomous => 0.0,
            Act::Limit(p) => (100 - p) as f64 / 100.0,
            Act::StopProcess => self.spec.process_cut,
            Act::Stop => 0.9,
        }
    }
    /// Expected daily reduction (kg/day) of each pollutant on line `l` at a level.
    fn reduction(&self, level: usize, l: usize) -> [f64; 4] {
        let c = self.cut(self.measure(level)) * self.share[l];
        self.annual_t.map(|t| t * 1000.0 / 365.0 * c)
    }
    /// Share of the baseline activity (power use, emissions) left at a level.
    fn remaining(&self, level: Option<usize>) -> f64 {
        match level {
            None => 1.0,
            Some(_) if self.role == Role::NonCompliant => 1.0,
            Some(l) => {
                let c = self.cut(self.measure(l));
                // Autonomous reduction still trims a little.
                let c = if c == 0.0 { 0.04 } else { c };
                // A plant under a limit runs a margin below it (auxiliaries keep 8 % running).
                (0.08 + 0.92 * (1.0 - c)) * 0.92
            }
        }
    }
    fn label(&self) -> String {
        format!("{} ({}, {})", self.name, self.code, short(self.city))
    }
}

fn log_uniform(r: &mut Rng, (lo, hi): (f64, f64)) -> f64 {
    if hi <= 0.0 {
        return 0.0;
    }
    let lo = lo.max(hi / 50.0);
    (lo.ln() + (hi.ln() - lo.ln()) * r.uniform()).exp()
}

fn credit_code(r: &mut Rng, city_code: u32, seen: &mut HashSet<String>) -> String {
    let cs: Vec<char> = CHARSET.chars().collect();
    loop {
        let mut s = format!("91{city_code}");
        // The organisation code (主体标识码): 8 digits or capitals and a check position.
        for _ in 0..9 {
            s.push(cs[(r.next_u64() % cs.len() as u64) as usize]);
        }
        if let Ok(c) = check_character(&s) {
            s.push(c);
            if seen.insert(s.clone()) {
                return s;
            }
        }
    }
}

fn pick_grade(r: &mut Rng, scheme: Option<GradingScheme>) -> PerformanceGrade {
    use PerformanceGrade as G;
    let u = r.uniform();
    let table = match scheme {
        None => return G::Ungraded,
        Some(GradingScheme::AtoD) => [(0.15, G::A), (0.5, G::B), (0.85, G::C), (1.0, G::D)],
        Some(GradingScheme::AtoC) => [(0.15, G::A), (0.55, G::B), (1.0, G::C), (1.0, G::C)],
        Some(GradingScheme::BtoD) => [(0.35, G::B), (0.8, G::C), (1.0, G::D), (1.0, G::D)],
        Some(GradingScheme::Leading) => {
            [(0.35, G::Leading), (1.0, G::NonLeading), (1.0, G::NonLeading), (1.0, G::NonLeading)]
        }
    };
    table.iter().find(|(p, _)| u < *p).map_or(G::Ungraded, |(_, g)| *g)
}

fn build_enterprises(seed: u64, year: i32) -> io::Result<Vec<Ent>> {
    let table = IndustryTable::guideline_2020().map_err(|e| io::Error::other(e.to_string()))?;
    let mut seen = HashSet::new();
    let mut names = HashSet::new();
    let mut out = Vec::new();
    for (ci, cs) in CITY_SPECS.iter().enumerate() {
        let city = SICHUAN_CITIES.iter().position(|c| c.short == cs.short).unwrap_or(ci);
        let cinfo = &SICHUAN_CITIES[city];
        let prefix = cinfo.short.trim_end_matches('州');
        let counties: Vec<&'static str> = cs.counties.split_whitespace().collect();
        for (k, ind) in cs.industries.split_whitespace().enumerate() {
            let mut r = Rng::new(hash(&[seed, T_ENTERPRISE, u64::from(cinfo.code), k as u64]));
            let (industry, kind) = match ind.strip_prefix("other:") {
                Some(kind) => ("other", kind),
                None => (ind, ind),
            };
            let spec = industry_spec(kind);
            let scheme = if industry == "other" { None } else { table.find(industry).map(|i| i.scheme) };
            let mut grade = pick_grade(&mut r, scheme);
            let code = credit_code(&mut r, cinfo.code, &mut seen);
            let name = loop {
                let brand = BRANDS[(r.next_u64() % BRANDS.len() as u64) as usize];
                let word = spec.words[(r.next_u64() % spec.words.len() as u64) as usize];
                let p = if r.uniform() < 0.35 { "四川" } else { prefix };
                let u = r.uniform();
                let suffix = if u < 0.6 {
                    "有限公司"
                } else if u < 0.8 {
                    "有限责任公司"
                } else if u < 0.95 {
                    "股份有限公司"
                } else {
                    "集团有限公司"
                };
                let n = format!("{p}{brand}{word}{suffix}");
                if names.insert(n.clone()) {
                    break n;
                }
            };
            let county = counties[(r.next_u64() % counties.len() as u64) as usize];
            let nlines = 1 + (r.next_u64() % spec.lines.len().min(3) as u64) as usize;
            let lines: Vec<&'static str> = spec.lines[..nlines].to_vec();
            let mut w: Vec<f64> = (0..nlines).map(|i| r.range(0.6, 1.4) / (1.0 + 0.3 * i as f64)).collect();
            let sw: f64 = w.iter().sum();
            w.iter_mut().for_each(|x| *x /= sw);
            let mut annual_t = [0.0; 4];
            for (p, a) in annual_t.iter_mut().enumerate() {
                *a = (log_uniform(&mut r, spec.t[p]) * 10.0).round() / 10.0;
            }
            let kwh = (log_uniform(&mut r, spec.kwh) / 10.0).round() * 10.0;
            let mut role = Role::Normal;
            // The deliberate cases (module doc): the first enterprise of the named cities.
            if k == 0 && cs.short == ONE_SIZE_CITY {
                role = Role::OneSizeFitsAll;
                grade = PerformanceGrade::A;
            } else if k == 0 && cs.short == NON_COMPLIANT_CITY {
                role = Role::NonCompliant;
                grade = PerformanceGrade::C;
            } else if k == 0 && cs.short == GAP_CITY {
                role = Role::PowerGap;
                grade = PerformanceGrade::B;
            }
            let guarantee = match (cs.short, kind) {
                ("成都", "热电") => "供热",
                ("南充", "pharmaceutical") => "民生保障",
                _ => "",
            };
            let green = role == Role::Normal
                && guarantee.is_empty()
                && matches!(grade, PerformanceGrade::A | PerformanceGrade::Leading)
                && r.uniform() < 0.4;
            let grade_date = (grade != PerformanceGrade::Ungraded).then(|| {
                let d = NaiveDate::from_ymd_opt(year - 1, 1, 1).unwrap_or(NaiveDate::MIN);
                d + Duration::days((r.next_u64() % 330) as i64)
            });
            out.push(Ent {
                code,
                name,
                city,
                county,
                industry,
                spec,
                grade,
                grade_date,
                green,
                guarantee,
                lines,
                share: w,
                annual_t,
                kwh,
                role,
            });
        }
    }
    // Every grade appears whatever the seed: fix the first enterprise whose scheme allows a missing
    // grade (never one of the deliberate cases).
    for g in PerformanceGrade::ALL {
        if out.iter().any(|e| e.grade == g) {
            continue;
        }
        let fits = |e: &Ent| {
            e.role == Role::Normal
                && e.guarantee.is_empty()
                && table.validate_grade((e.industry != "other").then_some(e.industry), g).is_ok()
        };
        let counts = |e: &Ent, out: &[Ent]| out.iter().filter(|x| x.grade == e.grade).count();
        if let Some(i) = (0..out.len()).find(|&i| fits(&out[i]) && counts(&out[i], &out) > 1) {
            out[i].grade = g;
            out[i].green = false;
        }
    }
    if !out.iter().any(|e| e.green) {
        if let Some(e) = out.iter_mut().find(|e| e.role == Role::Normal && e.grade == PerformanceGrade::A) {
            e.green = true;
        }
    }
    Ok(out)
}

fn grade_text(g: PerformanceGrade) -> &'static str {
    match g {
        PerformanceGrade::A => "A",
        PerformanceGrade::B => "B",
        PerformanceGrade::C => "C",
        PerformanceGrade::D => "D",
        PerformanceGrade::Leading => "引领性",
        PerformanceGrade::NonLeading => "非引领性",
        PerformanceGrade::Ungraded => "",
    }
}

// ------------------------------------------------------------------------------------------------
// Inventories and city measures
// ------------------------------------------------------------------------------------------------

/// Non-industrial measures: name, first level (0 yellow … 2 red), weight per pollutant.
const CITY_MEASURES: [(&str, usize, [f64; 4]); 9] = [
    ("施工工地停止土石方作业和建筑拆除", 0, [0.0, 0.1, 3.0, 0.3]),
    ("渣土车、砂石车停止上路运输", 0, [0.0, 0.6, 1.5, 0.0]),
    ("道路机扫和洒水频次增加", 0, [0.0, 0.0, 2.0, 0.0]),
    ("燃煤锅炉限产和城乡散煤禁烧", 0, [3.0, 0.8, 0.8, 0.2]),
    ("国四及以下排放标准柴油货车限行", 1, [0.2, 3.0, 0.6, 0.4]),
    ("加油站、储油库错峰装卸油", 1, [0.0, 0.0, 0.0, 2.0]),
    ("汽修喷涂和露天烧烤停止作业", 1, [0.0, 0.1, 0.4, 2.0]),
    ("混凝土搅拌站停产", 2, [0.1, 0.3, 1.2, 0.0]),
    ("非道路移动机械停止使用", 2, [0.3, 1.8, 0.6, 0.4]),
];

/// City measure shares of the inventory (fraction of the daily total) per pollutant and level.
const CITY_BASE: [[f64; 3]; 4] = [[0.04, 0.08, 0.12], [0.05, 0.10, 0.15], [0.07, 0.14, 0.21], [0.04, 0.08, 0.12]];

/// Inventory and city measures of the 21 cities, and the ratios of each city per level and
/// pollutant.
struct Lists {
    /// Annual totals, t/yr.
    inventory: [[f64; 4]; 21],
    /// City measure reductions per city and level, kg/day.
    city_kg: [[[f64; 4]; 3]; 21],
    ratio: [[[f64; 4]; 3]; 21],
}

fn build_lists(seed: u64, ents: &[Ent]) -> Lists {
    let mut lists = Lists { inventory: [[0.0; 4]; 21], city_kg: [[[0.0; 4]; 3]; 21], ratio: [[[0.0; 4]; 3]; 21] };
    let bad = city_index(INADEQUATE_CITY);
    for c in 0..21 {
        let mine: Vec<&Ent> = ents.iter().filter(|e| e.city == c).collect();
        let mut listed = [0.0; 4];
        let mut red = [[0.0; 4]; 3];
        for e in &mine {
            for (x, t) in listed.iter_mut().zip(e.annual_t) {
                *x += t;
            }
            for (l, rl) in red.iter_mut().enumerate() {
                for li in 0..e.lines.len() {
                    let x = e.reduction(l, li);
                    for p in 0..4 {
                        rl[p] += (x[p] * 1000.0).round() / 1000.0;
                    }
                }
            }
        }
        let mut r = Rng::new(hash(&[seed, T_INVENTORY, c as u64]));
        // Share of the listed enterprises in the city's total emissions (全社会).
        let shares = [r.range(0.5, 0.7), r.range(0.25, 0.4), r.range(0.18, 0.3), r.range(0.3, 0.45)];
        for p in 0..4 {
            let mut total = if listed[p] >= 5.0 { listed[p] / shares[p] } else { r.range(300.0, 900.0) };
            let mut f = [0.0; 3];
            for l in 0..3 {
                f[l] = CITY_BASE[p][l] * r.range(0.9, 1.2);
            }
            if c == bad && p == 3 {
                // Deliberately inadequate VOCs lists: weak city measures and a total large enough that
                // the plants' reductions fall 5 points short at orange and red.
                for x in f.iter_mut() {
                    *x *= 0.5;
                }
                for l in 1..3 {
                    let gap = TARGETS[l] - 0.05 - f[l];
                    if gap > 0.0 {
                        total = total.max(red[l][p] * 365.0 / 1000.0 / gap);
                    }
                }
            }
            total = (total * 10.0).round() / 10.0;
            let daily = total * 1000.0 / 365.0;
            for l in 0..3 {
                let plants = red[l][p] / daily;
                if c != bad || p != 3 {
                    // Adequate lists: the city measures close any gap to the target, with a margin.
                    let margin = r.range(0.015, 0.05);
                    f[l] = f[l].max(TARGETS[l] + margin - plants);
                }
                lists.city_kg[c][l][p] = (f[l] * daily * 1000.0).round() / 1000.0;
                lists.ratio[c][l][p] = (red[l][p] + lists.city_kg[c][l][p]) / daily;
            }
            lists.inventory[c][p] = total;
        }
    }
    lists
}

// ------------------------------------------------------------------------------------------------
// Writing
// ------------------------------------------------------------------------------------------------

fn write_enterprises(ents: &[Ent]) -> Csv {
    let mut w = Csv::new("credit_code,name,city,county,industry,grade,grade_date,grade_authority,green_benchmark,guarantee_reason,lines,so2_t,nox_t,pm_t,vocs_t");
    for e in ents {
        let authority = match e.grade {
            PerformanceGrade::Ungraded => String::new(),
            PerformanceGrade::A | PerformanceGrade::Leading => "四川省生态环境厅".to_string(),
            _ => format!("{}生态环境局", SICHUAN_CITIES[e.city].name),
        };
        w.row(&[
            e.code.clone(),
            e.name.clone(),
            short(e.city).to_string(),
            e.county.to_string(),
            e.industry.to_string(),
            grade_text(e.grade).to_string(),
            e.grade_date.map(|d| d.to_string()).unwrap_or_default(),
            authority,
            if e.green { "是" } else { "否" }.to_string(),
            e.guarantee.to_string(),
            e.lines.join(";"),
            dec(e.annual_t[0], 1),
            dec(e.annual_t[1], 1),
            dec(e.annual_t[2], 1),
            dec(e.annual_t[3], 1),
        ]);
    }
    w
}

fn write_measures(ents: &[Ent], year: i32) -> Csv {
    let mut w = Csv::new("credit_code,level,line,action,param,process,so2_kg,nox_kg,pm_kg,vocs_kg,plan_version");
    for e in ents {
        for (l, level) in LEVELS.iter().enumerate() {
            for (li, line) in e.lines.iter().enumerate() {
                let (action, param, process) = match e.measure(l) {
                    Act::Autonomous => ("autonomous", String::new(), ""),
                    Act::Limit(p) => ("limit", p.to_string(), ""),
                    Act::StopProcess => ("stop_process", String::new(), e.spec.process),
                    Act::Stop => ("stop", String::new(), ""),
                };
                let red = e.reduction(l, li);
                w.row(&[
                    e.code.clone(),
                    level.to_string(),
                    line.to_string(),
                    action.to_string(),
                    param,
                    process.to_string(),
                    dec(red[0], 3),
                    dec(red[1], 3),
                    dec(red[2], 3),
                    dec(red[3], 3),
                    format!("{year}-v1"),
                ]);
            }
        }
    }
    w
}

fn write_inventory(lists: &Lists, year: i32) -> Csv {
    let mut w = Csv::new("city,year,so2_t,nox_t,pm_t,vocs_t,basis,source");
    for (c, city) in SICHUAN_CITIES.iter().enumerate() {
        let t = lists.inventory[c];
        w.row(&[
            short(c).to_string(),
            year.to_string(),
            dec(t[0], 1),
            dec(t[1], 1),
            dec(t[2], 1),
            dec(t[3], 1),
            "全年/365".to_string(),
            format!("{}大气污染源排放清单（合成）", city.name),
        ]);
    }
    w
}

fn write_city_measures(lists: &Lists) -> Csv {
    let mut w = Csv::new("city,level,measure,so2_kg,nox_kg,pm_kg,vocs_kg");
    for c in 0..21 {
        for (l, level) in LEVELS.iter().enumerate() {
            let active: Vec<&(&str, usize, [f64; 4])> = CITY_MEASURES.iter().filter(|m| m.1 <= l).collect();
            for m in &active {
                let mut kg = [0.0; 4];
                for (p, x) in kg.iter_mut().enumerate() {
                    let sum: f64 = active.iter().map(|a| a.2[p]).sum();
                    if sum > 0.0 {
                        *x = lists.city_kg[c][l][p] * m.2[p] / sum;
                    }
                }
                w.row(&[
                    short(c).to_string(),
                    level.to_string(),
                    m.0.to_string(),
                    dec(kg[0], 3),
                    dec(kg[1], 3),
                    dec(kg[2], 3),
                    dec(kg[3], 3),
                ]);
            }
        }
    }
    w
}

fn write_forecast(fc: &Forecast) -> Csv {
    let mut w = Csv::new("city,issued_at,date,aqi,aqi_low,aqi_high,primary,source");
    for r in &fc.rows {
        w.row(&[
            short(r.city).to_string(),
            format!("{}+08:00", r.issued_at.format("%Y-%m-%dT%H:%M")),
            r.date.to_string(),
            r.aqi.to_string(),
            r.lo.to_string(),
            r.hi.to_string(),
            r.primary.to_string(),
            FORECAST_SOURCE.to_string(),
        ]);
    }
    w
}

/// The window of power and CEMS data: 40 days before the episode to 4 days after.
fn window(fc: &Forecast) -> Vec<NaiveDate> {
    let from = fc.start - Duration::days(40);
    let n = (fc.end - from).num_days() + 5;
    (0..n).map(|k| from + Duration::days(k)).collect()
}

/// Intraday shape of electricity use (96 quarters, mean 1).
fn quarter_shape(continuous: bool) -> [f64; 96] {
    let mut s = [0.0; 96];
    for (q, x) in s.iter_mut().enumerate() {
        let h = q as f64 / 4.0;
        *x = if continuous {
            1.0 + 0.03 * (std::f64::consts::TAU * (h - 14.0) / 24.0).cos()
        } else if (8.0..12.0).contains(&h) || (13.5..18.0).contains(&h) {
            1.75
        } else if (18.0..22.0).contains(&h) {
            0.9
        } else {
            0.35
        };
    }
    let m = s.iter().sum::<f64>() / 96.0;
    s.map(|x| x / m)
}

/// The enterprises with 15-minute data: the deliberate cases and two compliant ones on alert.
fn quarter_enterprises(ents: &[Ent], fc: &Forecast) -> Vec<usize> {
    let mut v: Vec<usize> =
        (0..ents.len()).filter(|&i| matches!(ents[i].role, Role::NonCompliant | Role::OneSizeFitsAll)).collect();
    for g in [PerformanceGrade::B, PerformanceGrade::D, PerformanceGrade::C] {
        if let Some(i) = (0..ents.len()).find(|&i| {
            ents[i].role == Role::Normal && ents[i].grade == g && !ents[i].green && fc.response[ents[i].city].is_some()
        }) {
            v.push(i);
        }
    }
    v.truncate(5);
    v
}

fn write_power(seed: u64, ents: &[Ent], fc: &Forecast) -> (Csv, String) {
    let mut w = Csv::new("credit_code,time,kwh");
    let days = window(fc);
    let quarters = quarter_enterprises(ents, fc);
    let mut gap_text = String::new();
    for (i, e) in ents.iter().enumerate() {
        let key = text_key(&e.code);
        // The gap: three days from the second response day (or the middle of the window).
        let gap_from = match fc.response[e.city] {
            Some((_, a, _)) => a + Duration::days(1),
            None => fc.start,
        };
        let gap = |d: NaiveDate| e.role == Role::PowerGap && d >= gap_from && d < gap_from + Duration::days(3);
        if e.role == Role::PowerGap {
            gap_text = format!("{} — no data {} … {}", e.label(), gap_from, gap_from + Duration::days(2));
        }
        let shape = quarter_shape(e.spec.continuous);
        // 15-minute data from 35 days before the response (the baseline) to the day after it.
        let qdays: Vec<NaiveDate> = match fc.response[e.city] {
            Some((_, a, b)) if quarters.contains(&i) => {
                (0..=(b - a).num_days() + 36).map(|k| a - Duration::days(35) + Duration::days(k)).collect()
            }
            _ => Vec::new(),
        };
        let mut quarter_rows = Vec::new();
        for &d in &days {
            let dn = day_num(d) as u64;
            let weekly = if !e.spec.continuous && d.weekday() == chrono::Weekday::Sun { 0.85 } else { 1.0 };
            let drift = 1.0 + 0.04 * crate::rng::value_noise(seed, key ^ T_POWER, day_num(d) * 24, 24 * 9);
            let noise = (0.03 * nrm(&[seed, T_POWER, key, dn])).exp();
            let f = e.remaining(fc.level_on(e.city, d));
            let mut kwh = e.kwh * weekly * drift * noise * f;
            if qdays.contains(&d) {
                let mut sum = 0.0;
                for (q, s) in shape.iter().enumerate() {
                    let qn = (0.04 * nrm(&[seed, T_POWER, key, dn, q as u64])).exp();
                    let x = ((kwh / 96.0 * s * qn) * 1000.0).round() / 1000.0;
                    sum += x;
                    let end = d.and_time(chrono::NaiveTime::MIN) + Duration::minutes(15 * (q as i64 + 1));
                    quarter_rows.push([e.code.clone(), end.format("%Y-%m-%dT%H:%M").to_string(), dec(x, 3)]);
                }
                kwh = sum;
            }
            if !gap(d) {
                w.row(&[e.code.clone(), d.to_string(), dec(kwh.min(999_999.0), 1)]);
            }
        }
        for r in quarter_rows {
            w.row(&r);
        }
    }
    (w, gap_text)
}

/// The CEMS enterprises: the two largest emitters of 成都, 德阳, 乐山 and 宜宾, and the
/// non-compliant one.
fn cems_enterprises(ents: &[Ent]) -> Vec<usize> {
    let mut v = Vec::new();
    for city in ["成都", "德阳", "乐山", "宜宾"] {
        let c = city_index(city);
        let mut mine: Vec<usize> = (0..ents.len()).filter(|&i| ents[i].city == c).collect();
        let size = |i: usize| ents[i].annual_t[0] + ents[i].annual_t[1] + ents[i].annual_t[2];
        mine.sort_by(|a, b| size(*b).total_cmp(&size(*a)));
        v.extend(mine.into_iter().take(2));
    }
    if let Some(i) = ents.iter().position(|e| e.role == Role::NonCompliant) {
        if !v.contains(&i) {
            v.push(i);
        }
    }
    v
}

fn write_cems(seed: u64, ents: &[Ent], fc: &Forecast) -> Csv {
    let mut w = Csv::new("credit_code,point,time,so2_kg,nox_kg,pm_kg");
    let days = window(fc);
    for i in cems_enterprises(ents) {
        let e = &ents[i];
        let key = text_key(&e.code);
        for (li, _) in e.lines.iter().enumerate() {
            let point = format!("DA{:03}", li + 1);
            let base: Vec<f64> = e.annual_t[..3].iter().map(|t| t * 1000.0 / 8760.0 * e.share[li]).collect();
            let mut ar = 0.0;
            for &d in &days {
                let dn = day_num(d) as u64;
                let level = fc.level_on(e.city, d);
                for h in 1..=24u64 {
                    ar = 0.8 * ar + 0.6 * nrm(&[seed, T_CEMS, key, li as u64, dn, h]);
                    // Alerts are issued a day ahead: a complying line is at its limited load from the
                    // first hour, and runs steadier (less hourly variation) while limited.
                    let f = e.remaining(level);
                    let amp = if level.is_some() && e.role != Role::NonCompliant { 0.04 } else { 0.12 };
                    let time = d.and_time(chrono::NaiveTime::MIN) + Duration::hours(h as i64);
                    let missing = uni(&[seed, T_CEMS, 0x4d, key, li as u64, dn, h]) < 0.004;
                    let cells: Vec<String> = base
                        .iter()
                        .map(|b| if missing { String::new() } else { dec(b * f * (amp * ar).exp(), 3) })
                        .collect();
                    w.row(&[
                        e.code.clone(),
                        point.clone(),
                        time.format("%Y-%m-%dT%H:%M").to_string(),
                        cells[0].clone(),
                        cells[1].clone(),
                        cells[2].clone(),
                    ]);
                }
            }
        }
    }
    w
}

/// The pairing table (management.md §4).
const PAIRS: [(&str, &[&str]); 7] = [
    ("经济和信息化厅", &["达州", "眉山"]),
    ("生态环境厅", &["成都", "自贡"]),
    ("住房城乡建设厅", &["德阳", "内江"]),
    ("交通运输厅", &["宜宾", "泸州"]),
    ("农业农村厅", &["乐山"]),
    ("应急厅", &["南充"]),
    ("省林草局", &["凉山州"]),
];

const SURNAMES: [&str; 14] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "胡"];

const ISSUES: [&str; 8] = [
    "部分施工工地扬尘防治措施落实不到位",
    "个别企业应急减排公示牌信息未更新",
    "重点企业用电监控数据接入不完整",
    "餐饮油烟净化设施运行维护记录缺失",
    "渣土车未密闭运输问题依然存在",
    "露天焚烧秸秆巡查频次不足",
    "工业园区VOCs无组织排放管控薄弱",
    "未发现明显问题",
];

fn write_visits(seed: u64, fc: &Forecast, start: NaiveDate, days: u32) -> (Csv, Option<String>) {
    let mut w = Csv::new("department,city,date_from,date_to,on_site,leader_name,leader_rank,issues_found");
    let last = start + Duration::days(i64::from(days.max(1)) - 1);
    // The paired city on alert that lacks a 厅级 leader visit.
    let missing = LEADER_GAP_ORDER.iter().find(|c| fc.response[city_index(c)].is_some()).map(|c| c.to_string());
    let mut rows: Vec<(NaiveDate, [String; 8])> = Vec::new();
    for (g, (dept, cities)) in PAIRS.iter().enumerate() {
        let mut r = Rng::new(hash(&[seed, T_VISIT, g as u64]));
        let head = format!("{}某某（副厅长）", SURNAMES[(r.next_u64() % 14) as usize]);
        let division = format!("{}某（处长）", SURNAMES[(r.next_u64() % 14) as usize]);
        for city in cities.iter() {
            // Quarterly on-site visits through the period.
            let mut q = NaiveDate::from_ymd_opt(start.year(), (start.month0() / 3) * 3 + 1, 1).unwrap_or(start);
            while q <= last {
                let next = if q.month() >= 10 {
                    NaiveDate::from_ymd_opt(q.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(q.year(), q.month() + 3, 1)
                }
                .unwrap_or(last + Duration::days(1));
                let a = q.max(start);
                let b = (next - Duration::days(1)).min(last);
                if (b - a).num_days() >= 2 {
                    let from = a + Duration::days((r.next_u64() % ((b - a).num_days() - 1) as u64) as i64);
                    let to = (from + Duration::days((r.next_u64() % 2) as i64)).min(b);
                    let dept_level = r.uniform() < 0.25;
                    let issue = ISSUES[(r.next_u64() % ISSUES.len() as u64) as usize];
                    rows.push((
                        from,
                        [
                            dept.to_string(),
                            city.to_string(),
                            from.to_string(),
                            to.to_string(),
                            "是".into(),
                            if dept_level { head.clone() } else { division.clone() },
                            if dept_level { "厅级" } else { "处级" }.into(),
                            format!("季度现场帮扶督导：{issue}"),
                        ],
                    ));
                }
                q = next;
            }
            // During the response: a 厅级 leader on site, except in the one city (module doc).
            if let Some((level, a, b)) = fc.response[city_index(city)] {
                let from = (a + Duration::days(1)).min(b);
                let to = (from + Duration::days(1)).min(b);
                let lacking = missing.as_deref() == Some(*city);
                let colour = ["黄色", "橙色", "红色"][level];
                rows.push((
                    from,
                    [
                        dept.to_string(),
                        city.to_string(),
                        from.to_string(),
                        to.to_string(),
                        "是".into(),
                        if lacking { division.clone() } else { head.clone() },
                        if lacking { "处级" } else { "厅级" }.into(),
                        format!("{colour}预警期间督导应急减排措施落实，抽查重点企业{}家", 3 + r.next_u64() % 6),
                    ],
                ));
            }
        }
    }
    rows.sort_by(|x, y| (x.0, &x.1[0], &x.1[1]).cmp(&(y.0, &y.1[0], &y.1[1])));
    for (_, r) in rows {
        w.row(&r);
    }
    (w, missing)
}

/// Writes the emergency-response demonstration into `out_dir/emergency/` (module doc) for the
/// period of `opts` (`start`, `days`, `seed`; the station options do not matter: the 21 Sichuan
/// cities are always used). Deterministic: the same options give the same bytes.
///
/// Errors: I/O, and an unreadable built-in industry table.
pub fn generate_emergency(opts: &SynthOptions, out_dir: &Path) -> io::Result<EmergencySummary> {
    let seed = opts.seed;
    let year = opts.start.year();
    let fc = build_forecast(seed, opts.start, opts.days);
    let ents = build_enterprises(seed, year)?;
    let lists = build_lists(seed, &ents);
    let (power, power_gap) = write_power(seed, &ents, &fc);
    let (visits, missing_leader) = write_visits(seed, &fc, opts.start, opts.days);
    let files = [
        write_enterprises(&ents),
        write_measures(&ents, year),
        write_inventory(&lists, year),
        write_city_measures(&lists),
        write_forecast(&fc),
        power,
        write_cems(seed, &ents, &fc),
        visits,
    ];
    let dir = out_dir.join("emergency");
    std::fs::create_dir_all(&dir)?;
    let mut written = Vec::new();
    let mut bytes = 0;
    for (name, csv) in FILES.iter().zip(&files) {
        // A short period may have nothing of a kind (no visits in a week without a response): no
        // file then, rather than a header the importer would reject as empty.
        let path = dir.join(name);
        if csv.rows == 0 {
            if path.exists() {
                std::fs::remove_file(&path)?;
            }
            continue;
        }
        let mut f = io::BufWriter::new(std::fs::File::create(&path)?);
        f.write_all(csv.buf.as_bytes())?;
        f.flush()?;
        bytes += csv.buf.len() as u64;
        written.push((format!("emergency/{name}"), csv.rows));
    }
    let bad = city_index(INADEQUATE_CITY);
    let mut inadequate = Vec::new();
    for l in 0..3 {
        for (p, name) in POLLUTANTS.iter().enumerate() {
            let r = lists.ratio[bad][l][p];
            if r < TARGETS[l] {
                inadequate.push(format!("{} {} {:.1} % < {:.0} %", name, LEVELS[l], r * 100.0, TARGETS[l] * 100.0));
            }
        }
    }
    let label = |role: Role| ents.iter().find(|e| e.role == role).map(Ent::label).unwrap_or_default();
    let decisive = fc.rows.iter().map(|r| r.issued_at).collect::<Vec<_>>();
    let decisive_at = decisive.iter().copied().collect::<std::collections::BTreeSet<_>>().into_iter().nth(1);
    let peak = fc
        .rows
        .iter()
        .filter(|r| Some(r.issued_at) == decisive_at)
        .max_by_key(|r| (r.aqi, std::cmp::Reverse(r.date), std::cmp::Reverse(r.city)))
        .map(|r| (short(r.city).to_string(), r.date, r.aqi));
    let alerts =
        (0..21).filter_map(|c| fc.response[c].map(|(l, a, b)| (short(c).to_string(), LEVELS[l], a, b))).collect();
    Ok(EmergencySummary {
        files: written,
        bytes,
        episode: fc.episode,
        forecast_scale: fc.scale,
        peak,
        alerts,
        enterprises: ents.len(),
        inadequate_city: INADEQUATE_CITY.to_string(),
        inadequate,
        one_size_fits_all: label(Role::OneSizeFitsAll),
        non_compliant: label(Role::NonCompliant),
        power_gap,
        missing_leader,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::PathBuf;

    use lantian_ingest::emergency::{
        CemsRecord, CityMeasureRecord, EnterpriseRecord, ForecastRecord, InventoryRecord, MeasureRecord, PowerRecord,
        VisitRecord,
    };
    use lantian_service::datasets::{parse_file, Ready};

    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("lantian-synth-em-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn opts(start: (i32, u32, u32), days: u32, seed: u64) -> SynthOptions {
        let start = NaiveDate::from_ymd_opt(start.0, start.1, start.2).unwrap_or(NaiveDate::MIN);
        SynthOptions { stations: None, days, start, seed, gzip: false }
    }

    /// The records of a file read as the kind `T` is.
    fn records<T: 'static>(p: &Ready) -> &T {
        p.records::<T>().unwrap_or_else(|| panic!("{}: other records", p.kind_name()))
    }

    /// Everything the readers give back, by file.
    fn parse_all(dir: &Path) -> Vec<Ready> {
        FILES
            .iter()
            .map(|f| parse_file(&dir.join("emergency").join(f)).unwrap_or_else(|e| panic!("{f}: {e}")))
            .collect()
    }

    #[test]
    fn a_winter_year_parses_and_tells_the_story() {
        let d = tmp("year");
        let s = generate_emergency(&opts((2022, 1, 1), 365, 2022), &d).expect("generate");
        let parsed = parse_all(&d);
        let kinds: Vec<&str> = parsed.iter().map(Ready::kind_name).collect();
        assert_eq!(
            kinds,
            [
                "enterprises",
                "plant-measures",
                "emission-inventory",
                "city-measures",
                "forecasts",
                "power-use",
                "cems-hourly",
                "pairing-visits"
            ]
        );
        for (p, (name, rows)) in parsed.iter().zip(&s.files) {
            assert_eq!(p.rows() as usize, *rows, "{name}");
        }
        let ents: &Vec<EnterpriseRecord> = records(&parsed[0]);
        let ms: &Vec<MeasureRecord> = records(&parsed[1]);
        let inv: &Vec<InventoryRecord> = records(&parsed[2]);
        let cms: &Vec<CityMeasureRecord> = records(&parsed[3]);
        let fc: &Vec<ForecastRecord> = records(&parsed[4]);
        let pw: &Vec<PowerRecord> = records(&parsed[5]);
        let cems: &Vec<CemsRecord> = records(&parsed[6]);
        let vs: &Vec<VisitRecord> = records(&parsed[7]);
        // Every grade, green benchmarks and guarantee-class enterprises; 21 cities.
        for g in ["A", "B", "C", "D", "leading", "non_leading", "ungraded"] {
            assert!(ents.iter().any(|e| e.grade == g), "grade {g}");
        }
        assert!(ents.iter().any(|e| e.green_benchmark));
        assert!(ents.iter().filter(|e| !e.guarantee_reason.is_empty()).count() >= 1);
        let cities: HashSet<&str> = ents.iter().map(|e| e.city.as_str()).collect();
        assert_eq!(cities.len(), 21);
        // Every enterprise has a plan for every level and line, each level at least as strict.
        for e in ents {
            for line in &e.lines {
                let mut prev = [0i64; 4];
                for l in LEVELS {
                    let m = ms.iter().find(|m| m.credit_code == e.credit_code && m.level == l && &m.line_name == line);
                    let m = m.unwrap_or_else(|| panic!("{} {l} {line}", e.credit_code));
                    assert!((0..4).all(|p| m.reduction_g[p] >= prev[p]), "{} {l} {line}", e.credit_code);
                    prev = m.reduction_g;
                }
            }
        }
        assert!(ms.iter().any(|m| m.action == "stop_process"));
        // The forecast: contiguous alerts in 成都平原/川南, one day above 300.
        let ep = s.episode.expect("a winter episode");
        let mut by_city: HashMap<(&str, NaiveDateTime), Vec<u32>> = HashMap::new();
        for f in fc {
            by_city.entry((f.city.as_str(), f.issued_at)).or_default().push(f.aqi);
        }
        let key: Vec<&str> = (0..21).filter(|&i| key_region(i)).map(short).collect();
        let n200 = by_city
            .iter()
            .filter(|((c, _), v)| key.contains(c) && v.iter().filter(|a| **a > 200).count() >= 2)
            .map(|((c, _), _)| *c)
            .collect::<HashSet<_>>();
        assert!(n200.len() >= 3, "{n200:?}");
        assert!(fc.iter().any(|f| f.aqi > 300 && key.contains(&f.city.as_str())));
        assert_eq!(fc.iter().map(|f| f.issued_at).collect::<HashSet<_>>().len(), 4);
        assert!(s.alerts.len() >= 4, "{:?}", s.alerts);
        assert!(ep.0 <= ep.1);
        // Lists: 资阳 falls short, every other city meets 10/20/30 % for every pollutant.
        let code_city: HashMap<&str, &str> = ents.iter().map(|e| (e.credit_code.as_str(), e.city.as_str())).collect();
        for i in inv {
            for (l, level) in LEVELS.iter().enumerate() {
                let mut red = [0i64; 4];
                for m in ms
                    .iter()
                    .filter(|m| m.level == *level && code_city.get(m.credit_code.as_str()) == Some(&i.city.as_str()))
                {
                    (0..4).for_each(|p| red[p] += m.reduction_g[p]);
                }
                for m in cms.iter().filter(|m| m.level == *level && m.city == i.city) {
                    (0..4).for_each(|p| red[p] += m.reduction_g[p]);
                }
                let ok = (0..4).all(|p| red[p] as f64 * 365.0 >= TARGETS[l] * i.annual_kg[p] as f64 * 1000.0);
                if i.city == INADEQUATE_CITY {
                    assert!(l < 2 || !ok, "{} {level}", i.city);
                } else {
                    assert!(ok, "{} {level}", i.city);
                }
            }
            let listed: i64 = ents.iter().filter(|e| e.city == i.city).map(|e| e.annual_kg[3]).sum();
            assert!(i.annual_kg[3] > listed, "{}", i.city);
        }
        assert!(s.inadequate.iter().any(|x| x.starts_with("VOCs red")), "{:?}", s.inadequate);
        // The one-size-fits-all case: an A-grade enterprise that must stop at red.
        let osf = ents.iter().find(|e| s.one_size_fits_all.contains(&e.credit_code)).expect("osf");
        assert_eq!((osf.grade.as_str(), osf.city.as_str()), ("A", ONE_SIZE_CITY));
        assert!(ms.iter().any(|m| m.credit_code == osf.credit_code && m.level == "red" && m.action == "stop"));
        // Power: the non-compliant enterprise keeps its baseline, compliant ones on alert cut.
        let nc = ents.iter().find(|e| s.non_compliant.contains(&e.credit_code)).expect("nc");
        assert_eq!(nc.city, NON_COMPLIANT_CITY);
        let (_, resp_from, resp_to) =
            s.alerts.iter().find(|a| a.0 == nc.city).map(|a| (a.1, a.2, a.3)).expect("成都 on alert");
        let ratio = |code: &str| {
            let daily: Vec<&lantian_ingest::emergency::PowerRecord> =
                pw.iter().filter(|p| p.credit_code == code && p.minutes == 1440).collect();
            let mean = |f: &dyn Fn(NaiveDate) -> bool| {
                let v: Vec<f64> = daily.iter().filter(|p| f(p.start.date())).map(|p| p.wh as f64).collect();
                v.iter().sum::<f64>() / v.len().max(1) as f64
            };
            mean(&|d| d >= resp_from && d <= resp_to) / mean(&|d| d < ep.0 - Duration::days(3))
        };
        assert!(ratio(&nc.credit_code) > 0.85, "{}", ratio(&nc.credit_code));
        let compliant = ents
            .iter()
            .find(|e| {
                e.city == NON_COMPLIANT_CITY && e.grade == "B" && !e.green_benchmark && e.guarantee_reason.is_empty()
            })
            .expect("a B-grade enterprise in 成都");
        assert!(ratio(&compliant.credit_code) < 0.8, "{}", ratio(&compliant.credit_code));
        assert!(pw.iter().any(|p| p.minutes == 15 && p.credit_code == nc.credit_code));
        assert!(cems.iter().any(|c| c.credit_code == nc.credit_code));
        // Every enterprise has daily power data; one has a gap.
        let days_per: HashMap<&str, usize> =
            pw.iter().filter(|p| p.minutes == 1440).fold(HashMap::new(), |mut m, p| {
                *m.entry(p.credit_code.as_str()).or_default() += 1;
                m
            });
        assert_eq!(days_per.len(), ents.len());
        let max = days_per.values().max().copied().unwrap_or(0);
        assert_eq!(days_per.values().filter(|n| **n < max).count(), 1);
        // Visits: quarterly for each pair; 厅级 on site in all paired cities on alert but one.
        let missing = s.missing_leader.clone().expect("a paired city on alert lacks its leader");
        for (_, cities) in PAIRS {
            for c in cities {
                let q = vs.iter().filter(|v| v.city == *c && v.issues_found.starts_with("季度")).count();
                assert_eq!(q, 4, "{c}");
                if let Some(a) = s.alerts.iter().find(|a| a.0 == *c) {
                    let leader = vs.iter().any(|v| {
                        v.city == *c
                            && v.leader_rank == "department"
                            && v.on_site
                            && v.date_from <= a.3
                            && v.date_to >= a.2
                    });
                    assert_eq!(leader, *c != missing, "{c}");
                }
            }
        }
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn same_seed_same_bytes() {
        let (a, b) = (tmp("det-a"), tmp("det-b"));
        let o = opts((2022, 11, 20), 60, 7);
        let sa = generate_emergency(&o, &a).expect("a");
        let sb = generate_emergency(&o, &b).expect("b");
        assert_eq!(sa, sb);
        for f in FILES {
            let x = std::fs::read(a.join("emergency").join(f)).unwrap_or_default();
            let y = std::fs::read(b.join("emergency").join(f)).unwrap_or_default();
            assert!(!x.is_empty() && x == y, "{f}");
        }
        let c = tmp("det-c");
        generate_emergency(&SynthOptions { seed: 8, ..o }, &c).expect("c");
        let x = std::fs::read(a.join("emergency").join(FILES[0])).unwrap_or_default();
        let y = std::fs::read(c.join("emergency").join(FILES[0])).unwrap_or_default();
        assert_ne!(x, y, "another seed, other enterprises");
        for d in [a, b, c] {
            let _ = std::fs::remove_dir_all(&d);
        }
    }

    #[test]
    fn a_summer_week_still_writes_everything() {
        let d = tmp("summer");
        let s = generate_emergency(&opts((2022, 7, 1), 5, 3), &d).expect("generate");
        assert_eq!(s.episode, None);
        assert_eq!(s.forecast_scale, 1.0);
        assert!(s.alerts.is_empty(), "{:?}", s.alerts);
        assert_eq!(s.missing_leader, None);
        let parsed = parse_all(&d);
        assert_eq!(parsed.len(), 8);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn credit_codes_are_valid_and_local() {
        let ents = build_enterprises(1, 2022).expect("table");
        for e in &ents {
            let c = lantian_core::enterprises::credit_code::CreditCode::parse(&e.code).expect("valid code");
            assert!(c.registered_in_city(SICHUAN_CITIES[e.city].code), "{}", e.code);
        }
        assert!((180..=230).contains(&ents.len()), "{}", ents.len());
    }
}
