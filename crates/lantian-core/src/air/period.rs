//! Period statistics (HJ 663 §4 of `assessment.md`): periods, validity, means and percentiles, day
//! counts, and the percentile method of HJ 663 Annex A.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use crate::air::aqi::{AqiCategory, DailyInput, IndicatorSet};
use crate::air::conc::{Conc, Ratio};
use crate::air::pollutant::Pollutant;
use crate::air::standards::{Avg, Limits, StandardSet};

/// The p-th percentile of a series by HJ 663-2013 Annex A: sort ascending; `k = 1 + (n − 1)·p/100`;
/// `s` = integer part of k; `m = X(s) + (X(s+1) − X(s))·(k − s)` (`m = X(n)` when `k = n`). Exact.
/// `None` for an empty series.
pub fn percentile(values: &[Conc], p: u32) -> Option<Ratio> {
    let mut x: Vec<Conc> = values.to_vec();
    if x.is_empty() {
        return None;
    }
    x.sort_unstable();
    let n = x.len() as i128;
    // k = 1 + (n-1)·p/100 = (100 + (n-1)·p) / 100
    let k_num = 100 + (n - 1) * i128::from(p);
    let s = k_num / 100; // integer part, 1-based
    if s >= n {
        return Some(x[(n - 1) as usize].ratio());
    }
    let frac = Ratio::new(k_num - s * 100, 100);
    let xs = x[(s - 1) as usize].ratio();
    let d = x[s as usize].ratio() - xs;
    Some(xs + Ratio::new(d.num * frac.num, d.den * frac.den))
}

/// Kind of an assessment period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PeriodKind {
    Month,
    Quarter,
    HalfYear,
    Year,
    /// 1 January to the end of a month (1–m月累计).
    YearToDate,
    /// Any other range of days.
    Range,
}

/// An assessment period: inclusive natural days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// Why a period text was not understood.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a period: {text:?} ({why}); use 2022-05, 2022-Q2, 2022-H1, 2022, 2022-01..2022-05 or 2022-05-01..2022-05-20"
)]
pub struct PeriodError {
    pub text: String,
    pub why: String,
}

fn month_end(y: i32, m: u32) -> Option<NaiveDate> {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt())
}

fn parse_year(s: &str) -> Option<i32> {
    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
        .filter(|y| YEARS.contains(y))
}

/// The years a period, a page or a query may name: far beyond any monitoring data (the AQI exists
/// since 2012, its predecessor since 2000), and far inside what date arithmetic handles, so that a
/// hostile `year=-1` or `from=+262143-12-31` is a clear error instead of an overflow (issue 12 §14).
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// A year, or what is wrong with it.
fn year_or_why(s: &str) -> Result<i32, String> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("the year must have four digits, found {s:?}"));
    }
    parse_year(s).ok_or_else(|| format!("the year must lie in 1900–2200, found {s}"))
}

/// `YYYY-MM`, or what is wrong with it.
fn month_or_why(s: &str) -> Result<(i32, u32), String> {
    let Some((y, m)) = s.split_once('-') else {
        return Err(format!("expected a month YYYY-MM, found {s:?}"));
    };
    let y = year_or_why(y)?;
    if m.is_empty() || !m.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "expected a month 01–12, a quarter Q1–Q4 or a half-year H1/H2 after the year, found {m:?}"
        ));
    }
    if m.len() != 2 {
        return Err(format!("the month needs two digits ({y}-{m:0>2}), found {m:?}"));
    }
    match m.parse::<u32>() {
        Ok(n) if (1..=12).contains(&n) => Ok((y, n)),
        _ => Err(format!("the month must be 01–12, found {m}")),
    }
}

/// A day `YYYY-MM-DD`, or what is wrong with it.
fn day_or_why(s: &str, which: &str) -> Result<NaiveDate, String> {
    let d =
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("the {which} {s:?} is not a date YYYY-MM-DD"))?;
    if !YEARS.contains(&d.year()) {
        return Err(format!("the {which} {s:?} must lie in the years 1900–2200"));
    }
    Ok(d)
}

impl Period {
    /// Parses `2022-05`, `2022-Q2`, `2022-H1`, `2022`, `2022-01..2022-05` (months; from January it is
    /// year-to-date), `2022-05-01..2022-05-20` (days). An error says what is wrong ("the quarter must
    /// be Q1–Q4, found Q5").
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let t = text.trim();
        let err = |why: String| PeriodError { text: text.to_string(), why };
        if t.is_empty() {
            return Err(err("empty".to_string()));
        }
        if let Some((a, b)) = t.split_once("..") {
            let (a, b) = (a.trim(), b.trim());
            // Months on both sides (YYYY-MM..YYYY-MM), else days (YYYY-MM-DD..YYYY-MM-DD).
            if a.len() <= 7 && b.len() <= 7 {
                let (ya, ma) = month_or_why(a).map_err(|w| err(format!("first month: {w}")))?;
                let (yb, mb) = month_or_why(b).map_err(|w| err(format!("last month: {w}")))?;
                let start = NaiveDate::from_ymd_opt(ya, ma, 1).ok_or_else(|| err(format!("first month {a}")))?;
                let end = month_end(yb, mb).ok_or_else(|| err(format!("last month {b}")))?;
                if end < start {
                    return Err(err(format!("the last month {b} is before the first {a}")));
                }
                let kind = if ma == 1 && ya == yb { PeriodKind::YearToDate } else { PeriodKind::Range };
                return Ok(Period { kind, start, end });
            }
            if a.len() <= 7 || b.len() <= 7 {
                return Err(err(
                    "a range is two months (2022-01..2022-05) or two days (2022-05-01..2022-05-20), not a mix".into(),
                ));
            }
            let start = day_or_why(a, "first day").map_err(err)?;
            let end = day_or_why(b, "last day").map_err(err)?;
            if end < start {
                return Err(err(format!("the last day {end} is before the first {start}")));
            }
            return Ok(Period { kind: PeriodKind::Range, start, end });
        }
        if !t.contains('-') {
            let y = year_or_why(t).map_err(err)?;
            let start = NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(|| err(format!("year {y}")))?;
            let end = NaiveDate::from_ymd_opt(y, 12, 31).ok_or_else(|| err(format!("year {y}")))?;
            return Ok(Period { kind: PeriodKind::Year, start, end });
        }
        let Some((y, rest)) = t.split_once('-') else { return Err(err("unrecognised".into())) };
        let y = year_or_why(y).map_err(err)?;
        let upper = rest.to_ascii_uppercase();
        let (kind, m0, m1) = match upper.as_str() {
            "Q1" => (PeriodKind::Quarter, 1, 3),
            "Q2" => (PeriodKind::Quarter, 4, 6),
            "Q3" => (PeriodKind::Quarter, 7, 9),
            "Q4" => (PeriodKind::Quarter, 10, 12),
            "H1" => (PeriodKind::HalfYear, 1, 6),
            "H2" => (PeriodKind::HalfYear, 7, 12),
            q if q.starts_with('Q') => return Err(err(format!("the quarter must be Q1–Q4, found {rest}"))),
            h if h.starts_with('H') => return Err(err(format!("the half-year must be H1 or H2, found {rest}"))),
            _ if rest.len() > 2 && NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok() => {
                return Err(err(format!("a single day is a range: {t}..{t}")))
            }
            _ => {
                let (_, m) = month_or_why(t).map_err(err)?;
                (PeriodKind::Month, m, m)
            }
        };
        let start = NaiveDate::from_ymd_opt(y, m0, 1).ok_or_else(|| err(t.to_string()))?;
        let end = month_end(y, m1).ok_or_else(|| err(t.to_string()))?;
        Ok(Period { kind, start, end })
    }

    /// Number of days.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// The same period one year earlier (同比). 29 February maps to 28 February.
    pub fn same_period_last_year(&self) -> Period {
        let back = |d: NaiveDate| {
            NaiveDate::from_ymd_opt(d.year() - 1, d.month(), d.day())
                .or_else(|| NaiveDate::from_ymd_opt(d.year() - 1, d.month(), d.day() - 1))
                .unwrap_or(d)
        };
        // A whole month ending on its last day stays whole (Feb 2024 → Feb 2023 ends on the 28th).
        let end = if self.end.succ_opt().is_some_and(|n| n.month() != self.end.month()) {
            month_end(self.end.year() - 1, self.end.month()).unwrap_or_else(|| back(self.end))
        } else {
            back(self.end)
        };
        Period { kind: self.kind, start: back(self.start), end }
    }

    /// A short label: `2022-05`, `2022-Q2`, `2022-H1`, `2022`, `2022-01..2022-05`, or the day range.
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Month => self.start.format("%Y-%m").to_string(),
            PeriodKind::Quarter => format!("{}-Q{}", self.start.year(), (self.start.month() - 1) / 3 + 1),
            PeriodKind::HalfYear => format!("{}-H{}", self.start.year(), (self.start.month() - 1) / 6 + 1),
            PeriodKind::Year => self.start.year().to_string(),
            PeriodKind::YearToDate => format!("{}..{}", self.start.format("%Y-%m"), self.end.format("%Y-%m")),
            PeriodKind::Range => format!("{}..{}", self.start, self.end),
        }
    }

    /// Chinese label: `2022年5月`, `2022年1—5月`, `2022年第二季度`, …
    pub fn label_zh(&self) -> String {
        let y = self.start.year();
        match self.kind {
            PeriodKind::Month => format!("{y}年{}月", self.start.month()),
            PeriodKind::Quarter => {
                format!("{y}年第{}季度", ["一", "二", "三", "四"][((self.start.month() - 1) / 3) as usize])
            }
            PeriodKind::HalfYear => format!("{y}年{}", if self.start.month() == 1 { "上半年" } else { "下半年" }),
            PeriodKind::Year => format!("{y}年"),
            PeriodKind::YearToDate => format!("{y}年1—{}月", self.end.month()),
            PeriodKind::Range => {
                format!("{}至{}", self.start.format("%Y年%-m月%-d日"), self.end.format("%Y年%-m月%-d日"))
            }
        }
    }
}

/// One assessed day of a unit (station, city, region): its rounded daily values and daily AQI.
#[derive(Clone, Copy, Debug)]
pub struct DayRecord {
    pub date: NaiveDate,
    pub values: DailyInput,
    /// Daily AQI as published (`None` = NA).
    pub aqi: Option<u32>,
    pub primary: IndicatorSet,
    /// Counts in the day statistics (good-day ratio, level days); false for a day whose exceedance
    /// was caused by dust and is deducted ([`dust_excluded`]).
    pub in_day_counts: bool,
    /// `aqi` is the daily AQI the source published (an imported daily value,
    /// [`crate::air::aqi::AqiResult::with_published_aqi`]): it decides the day's level and category, and
    /// the day counts as a valid monitoring day whatever daily values were imported with it — the
    /// publisher rated it ([`is_valid_day`]). Concentration statistics still come from `values`.
    pub published: bool,
}

impl DayRecord {
    /// A day from its rounded daily values, with the daily AQI of the standard set in force.
    pub fn new(date: NaiveDate, values: DailyInput) -> DayRecord {
        let r = crate::air::aqi::daily_aqi(StandardSet::for_date(date), &values);
        DayRecord { date, values, aqi: r.aqi, primary: r.primary, in_day_counts: true, published: false }
    }
}

/// Which data a result is computed from (glossary: `ResultVariant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
pub enum ResultVariant {
    /// The measured values, as the public AQI uses them.
    Raw,
    /// Dust-affected particulate data deducted, as assessment and ranking use them (default).
    #[default]
    DustExcluded,
}

impl ResultVariant {
    /// The stable code of machine formats (CSV, JSON, API, published-result keys): `raw`,
    /// `dust_excluded`.
    pub fn code(self) -> &'static str {
        match self {
            ResultVariant::Raw => "raw",
            ResultVariant::DustExcluded => "dust_excluded",
        }
    }

    /// The variant of a code: [`ResultVariant::code`], the CLI's spelling `dust-excluded`, or the
    /// debug names `Raw`/`DustExcluded` of keys published before the codes existed.
    pub fn from_code(code: &str) -> Option<ResultVariant> {
        match code {
            "raw" | "Raw" => Some(ResultVariant::Raw),
            "dust_excluded" | "dust-excluded" | "DustExcluded" => Some(ResultVariant::DustExcluded),
            _ => None,
        }
    }

    /// The Chinese label of tables, pages and workbooks.
    pub fn label_zh(self) -> &'static str {
        match self {
            ResultVariant::Raw => "实况（未扣沙）",
            ResultVariant::DustExcluded => "扣除沙尘影响",
        }
    }
}

/// First day of the dust-deduction rule (受沙尘天气过程影响城市空气质量评价补充规定, 环办监测〔2016〕120号).
pub const DUST_RULE_FROM: NaiveDate = match NaiveDate::from_ymd_opt(2017, 1, 1) {
    Some(d) => d,
    None => panic!("constant date"),
};

/// A dust-affected day as assessment and ranking see it (`assessment.md` §5): PM10 and PM2.5 are
/// removed; if the day exceeded the standard (AQI > 100) with a particulate primary pollutant it leaves
/// the good-day ratio's denominator; the other pollutants are unaffected. Days before the rule was in
/// force (2017-01-01) are returned unchanged. The public AQI is never altered: this is for assessment.
///
/// A day with a published AQI ([`DayRecord::published`]) keeps it: only the publisher could rate the
/// day without its particulate values, and the rule asks only to leave a particulate exceedance out of
/// the denominator, which it does here as for any day [D].
pub fn dust_excluded(day: &DayRecord) -> DayRecord {
    if day.date < DUST_RULE_FROM {
        return *day;
    }
    let pm_caused = day.aqi.is_some_and(|a| a > 100)
        && day.primary.iter().any(|i| matches!(i.pollutant(), Pollutant::Pm10 | Pollutant::Pm2_5));
    let mut values = day.values;
    values.pm10 = None;
    values.pm2_5 = None;
    let mut out = if day.published { DayRecord { values, ..*day } } else { DayRecord::new(day.date, values) };
    out.in_day_counts = day.in_day_counts && !pm_caused;
    out
}

/// Whether a day counts as a valid monitoring day for the day-count statistics (`assessment.md` §2
/// [D] `AllSixOrExceedance`): all six daily pollutant values valid, or the AQI of the available ones
/// above 100. A day with a published AQI ([`DayRecord::published`]) is valid: the publisher rated it
/// (the aqistudy files carry no MDA8, so their days could otherwise count only above 100).
pub fn is_valid_day(d: &DayRecord) -> bool {
    let v = &d.values;
    if !d.in_day_counts {
        return false;
    }
    if d.published {
        return d.aqi.is_some();
    }
    let all_six = v.so2.is_some()
        && v.no2.is_some()
        && v.co.is_some()
        && v.pm10.is_some()
        && v.pm2_5.is_some()
        && v.o3_mda8.is_some();
    d.aqi.is_some() && (all_six || d.aqi.is_some_and(|a| a > 100))
}

/// A period statistic of one pollutant with the number of valid days it used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollutantStat {
    /// Rounded as a reported concentration (integer μg/m³, CO one decimal); `None` if no valid day.
    pub value: Option<Conc>,
    pub valid_days: u32,
    /// The validity minimum for the period is met (`standards.md` §3).
    pub meets_minimum: bool,
    /// Days whose daily value exceeded the 24-hour (O3: 8-hour) limit.
    pub exceedance_days: u32,
}

/// Statistics of one unit over a period (`assessment.md` §4).
#[derive(Clone, Debug)]
pub struct PeriodStats {
    pub period: Period,
    /// Days in the period with any daily value.
    pub days_with_data: u32,
    /// Valid monitoring days (denominator of the good-day ratio).
    pub valid_days: u32,
    /// SO2, NO2, PM10, PM2.5 means; CO 95th percentile; O3 90th percentile of MDA8.
    pub so2: PollutantStat,
    pub no2: PollutantStat,
    pub pm10: PollutantStat,
    pub pm2_5: PollutantStat,
    pub co: PollutantStat,
    pub o3: PollutantStat,
    pub good_days: u32,
    /// Good days ÷ valid days × 100, one decimal (GB/T 8170); `None` without valid days.
    pub good_day_ratio: Option<Ratio>,
    /// Days per AQI level 1–6.
    pub level_days: [u32; 6],
    /// AQI > 200.
    pub heavy_days: u32,
    /// AQI > 300.
    pub severe_days: u32,
    /// Days on which each pollutant was (one of) the primary pollutant(s), in `Pollutant` order.
    pub primary_days: [u32; 6],
    /// Every pollutant statistic with a valid day meets its validity minimum, and some pollutant has
    /// one. A pollutant without any valid day in the period (one the source does not carry, such as
    /// the O3 MDA8 of the aqistudy files) is out of the check, as it is out of the composite index
    /// ([`crate::accountability::ranking::composite_index`]); one with some days but too few still fails it.
    pub meets_minimum: bool,
}

impl PeriodStats {
    /// The statistic of a pollutant.
    pub fn stat(&self, p: Pollutant) -> &PollutantStat {
        match p {
            Pollutant::So2 => &self.so2,
            Pollutant::No2 => &self.no2,
            Pollutant::Co => &self.co,
            Pollutant::O3 => &self.o3,
            Pollutant::Pm10 => &self.pm10,
            Pollutant::Pm2_5 => &self.pm2_5,
        }
    }

    /// The good-day ratio rounded to one decimal, in tenths of a percent.
    pub fn good_day_ratio_tenths(&self) -> Option<i64> {
        self.good_day_ratio.map(|r| crate::air::conc::round_half_even(r.num * 10, r.den) as i64)
    }
}

/// [`PeriodStats::meets_minimum`] of six pollutant statistics.
fn all_measured_meet(stats: [&PollutantStat; 6]) -> bool {
    stats.iter().any(|s| s.valid_days > 0) && stats.iter().filter(|s| s.valid_days > 0).all(|s| s.meets_minimum)
}

/// Whether `n` valid days meet the minimum for the days of `period` (`standards.md` §3, GB 3095
/// Table 4): each calendar month (or part of one) of the period may miss no more days than a whole
/// month may (31 − 27 = 4 in a 31-day month; February 28 − 25 = 3), and a whole year needs ≥ 324.
pub fn meets_day_minimum(period: &Period, valid_dates: &[NaiveDate]) -> bool {
    let rules = StandardSet::for_date(period.end).validity();
    let mut d = period.start;
    while d <= period.end {
        let (y, m) = (d.year(), d.month());
        let Some(me) = month_end(y, m) else { return false };
        let part_end = me.min(period.end);
        let part_days = (part_end - d).num_days() + 1;
        let month_days = i64::from(me.day());
        let min = if m == 2 { rules.month_min_days_feb } else { rules.month_min_days } as i64;
        let allowed_missing = month_days - min;
        let got = valid_dates.iter().filter(|x| **x >= d && **x <= part_end).count() as i64;
        if part_days - got > allowed_missing {
            return false;
        }
        d = part_end + Duration::days(1);
    }
    if period.kind == PeriodKind::Year && valid_dates.len() < rules.year_min_days {
        return false;
    }
    true
}

/// Statistics of one unit's days over a period. Inputs are the **rounded daily values**
/// (`standards.md` §6.2); each statistic is rounded once as a reported concentration.
pub fn period_stats(period: &Period, days: &[DayRecord]) -> PeriodStats {
    let days: Vec<&DayRecord> = days.iter().filter(|d| d.date >= period.start && d.date <= period.end).collect();
    let limits = Limits::for_date(period.end);
    let stat = |p: Pollutant, get: fn(&DailyInput) -> Option<Conc>| -> PollutantStat {
        let vals: Vec<(NaiveDate, Conc)> = days.iter().filter_map(|d| get(&d.values).map(|c| (d.date, c))).collect();
        let concs: Vec<Conc> = vals.iter().map(|(_, c)| *c).collect();
        let value = match p {
            Pollutant::Co => percentile(&concs, 95),
            Pollutant::O3 => percentile(&concs, 90),
            _ => Ratio::mean_of(concs.iter().copied()),
        }
        .map(|r| r.round(p.decimals()));
        let limit = if p == Pollutant::O3 { limits.get(p, Avg::Mda8) } else { limits.get(p, Avg::H24) };
        let exceedance_days = limit.map_or(0, |l| concs.iter().filter(|c| **c > l).count() as u32);
        let dates: Vec<NaiveDate> = vals.iter().map(|(d, _)| *d).collect();
        PollutantStat {
            value,
            valid_days: concs.len() as u32,
            meets_minimum: meets_day_minimum(period, &dates),
            exceedance_days,
        }
    };
    let so2 = stat(Pollutant::So2, |v| v.so2);
    let no2 = stat(Pollutant::No2, |v| v.no2);
    let pm10 = stat(Pollutant::Pm10, |v| v.pm10);
    let pm2_5 = stat(Pollutant::Pm2_5, |v| v.pm2_5);
    let co = stat(Pollutant::Co, |v| v.co);
    let o3 = stat(Pollutant::O3, |v| v.o3_mda8);
    let valid: Vec<&&DayRecord> = days.iter().filter(|d| is_valid_day(d)).collect();
    let mut level_days = [0u32; 6];
    let mut primary_days = [0u32; 6];
    for d in &valid {
        if let Some(a) = d.aqi {
            level_days[AqiCategory::of(a) as usize] += 1;
        }
        let mut seen = [false; 6];
        for ind in d.primary.iter() {
            seen[ind.pollutant() as usize] = true;
        }
        for (k, s) in seen.iter().enumerate() {
            primary_days[k] += u32::from(*s);
        }
    }
    let good_days = level_days[0] + level_days[1];
    let valid_days = valid.len() as u32;
    let meets_minimum = all_measured_meet([&so2, &no2, &pm10, &pm2_5, &co, &o3]);
    PeriodStats {
        period: period.clone(),
        days_with_data: days.len() as u32,
        valid_days,
        so2,
        no2,
        pm10,
        pm2_5,
        co,
        o3,
        good_days,
        good_day_ratio: (valid_days > 0).then(|| Ratio::new(i128::from(good_days) * 100, i128::from(valid_days))),
        level_days,
        heavy_days: level_days[4] + level_days[5],
        severe_days: level_days[5],
        primary_days,
        meets_minimum,
    }
}

/// Statistics of a group of units (a region, the province) from its members' statistics, as the
/// provincial releases report them: each concentration statistic is the mean of the members' values
/// (rounded once); day counts are pooled, so the good-day ratio is all good city-days over all valid
/// city-days (e.g. "21个市(州)总体达标天数比例"). [D] No official text for regional values was found.
pub fn pool_stats(period: &Period, members: &[PeriodStats]) -> PeriodStats {
    let pool = |p: Pollutant| -> PollutantStat {
        let stats: Vec<&PollutantStat> = members.iter().map(|m| m.stat(p)).collect();
        PollutantStat {
            value: Ratio::mean_of(stats.iter().filter_map(|s| s.value)).map(|r| r.round(p.decimals())),
            valid_days: stats.iter().map(|s| s.valid_days).sum(),
            meets_minimum: !stats.is_empty() && stats.iter().all(|s| s.meets_minimum),
            exceedance_days: stats.iter().map(|s| s.exceedance_days).sum(),
        }
    };
    let sum = |f: fn(&PeriodStats) -> u32| members.iter().map(f).sum::<u32>();
    let mut level_days = [0u32; 6];
    let mut primary_days = [0u32; 6];
    for m in members {
        for k in 0..6 {
            level_days[k] += m.level_days[k];
            primary_days[k] += m.primary_days[k];
        }
    }
    let (so2, no2, pm10, pm2_5, co, o3) = (
        pool(Pollutant::So2),
        pool(Pollutant::No2),
        pool(Pollutant::Pm10),
        pool(Pollutant::Pm2_5),
        pool(Pollutant::Co),
        pool(Pollutant::O3),
    );
    let valid_days = sum(|m| m.valid_days);
    let good_days = sum(|m| m.good_days);
    PeriodStats {
        period: period.clone(),
        days_with_data: sum(|m| m.days_with_data),
        valid_days,
        meets_minimum: all_measured_meet([&so2, &no2, &pm10, &pm2_5, &co, &o3]),
        so2,
        no2,
        pm10,
        pm2_5,
        co,
        o3,
        good_days,
        good_day_ratio: (valid_days > 0).then(|| Ratio::new(i128::from(good_days) * 100, i128::from(valid_days))),
        level_days,
        heavy_days: sum(|m| m.heavy_days),
        severe_days: sum(|m| m.severe_days),
        primary_days,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn periods_parse() {
        let p = Period::parse("2022-05").expect("month");
        assert_eq!((p.kind, p.start, p.end), (PeriodKind::Month, d(2022, 5, 1), d(2022, 5, 31)));
        let p = Period::parse("2022-Q2").expect("quarter");
        assert_eq!((p.start, p.end), (d(2022, 4, 1), d(2022, 6, 30)));
        let p = Period::parse("2022-H1").expect("half");
        assert_eq!((p.start, p.end), (d(2022, 1, 1), d(2022, 6, 30)));
        let p = Period::parse("2022").expect("year");
        assert_eq!((p.kind, p.days()), (PeriodKind::Year, 365));
        let p = Period::parse("2022-01..2022-05").expect("ytd");
        assert_eq!((p.kind, p.end, p.label_zh()), (PeriodKind::YearToDate, d(2022, 5, 31), "2022年1—5月".to_string()));
        let p = Period::parse("2022-05-01..2022-05-20").expect("days");
        assert_eq!((p.kind, p.days()), (PeriodKind::Range, 20));
        for bad in ["2022-13", "22-05", "2022-Q5", "2022-05-20..2022-05-01", "abc", "2022-02-30..2022-03-01", ""] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        // The error says what is wrong, not "bad month".
        let why = |t: &str| Period::parse(t).map(|p| p.label()).unwrap_err().why;
        assert_eq!(why("2016-Q5"), "the quarter must be Q1–Q4, found Q5");
        assert_eq!(why("2016-q0"), "the quarter must be Q1–Q4, found q0");
        assert_eq!(why("2016-H3"), "the half-year must be H1 or H2, found H3");
        assert_eq!(why("2016-13"), "the month must be 01–12, found 13");
        assert_eq!(why("2016-00"), "the month must be 01–12, found 00");
        assert_eq!(why("2016-5"), "the month needs two digits (2016-05), found \"5\"");
        assert_eq!(why("16-05"), "the year must have four digits, found \"16\"");
        assert_eq!(why("abc"), "the year must have four digits, found \"abc\"");
        assert_eq!(why("2016-05-02"), "a single day is a range: 2016-05-02..2016-05-02");
        assert_eq!(why("2016-02-30..2016-03-01"), "the first day \"2016-02-30\" is not a date YYYY-MM-DD");
        assert_eq!(why("2016-05..2016-13"), "last month: the month must be 01–12, found 13");
        assert_eq!(why("2016-05..2016-03"), "the last month 2016-03 is before the first 2016-05");
        assert_eq!(
            why("2016-01..2016-05-03"),
            "a range is two months (2022-01..2022-05) or two days (2022-05-01..2022-05-20), not a mix"
        );
        assert!(Period::parse("2016-Q5").unwrap_err().to_string().contains("quarter must be Q1–Q4"));
        let p = Period::parse("2024-02").expect("leap");
        assert_eq!(p.same_period_last_year().end, d(2023, 2, 28));
        assert_eq!(Period::parse("2023-02").expect("feb").same_period_last_year().end, d(2022, 2, 28));
    }

    /// An aqistudy-like day: five pollutants and the O3 1-hour maximum, no MDA8.
    fn no_mda8(date: NaiveDate, pm2_5: i64, published: Option<u32>) -> DayRecord {
        let values = DailyInput {
            so2: Some(Conc::units(10)),
            no2: Some(Conc::units(20)),
            co: Some(Conc(500)),
            pm10: Some(Conc::units(40)),
            pm2_5: Some(Conc::units(pm2_5)),
            o3_max_1h: Some(Conc::units(100)),
            o3_mda8: None,
        };
        let computed = crate::air::aqi::daily_aqi(StandardSet::for_date(date), &values);
        let result = published.map_or(computed, |p| computed.with_published_aqi(p));
        DayRecord {
            date,
            values,
            aqi: result.aqi,
            primary: result.primary,
            in_day_counts: true,
            published: published.is_some(),
        }
    }

    /// Days counted by their published AQI (hand-worked). PM2.5 70 → 50 + 35 × 50 / 40 = 93.75 → 94
    /// (良); PM2.5 78 → 100 + 3 × 50 / 40 = 103.75 → 104 (轻度). Published: 39 over a computed 94, 101
    /// over 94, 100 over 104.
    #[test]
    fn published_days_are_valid_and_classified_by_their_aqi() {
        let days = [
            no_mda8(d(2015, 10, 1), 70, Some(39)),
            no_mda8(d(2015, 10, 2), 70, Some(101)),
            no_mda8(d(2015, 10, 3), 78, Some(100)),
        ];
        assert!(days.iter().all(is_valid_day), "the publisher rated them");
        let p = Period { kind: PeriodKind::Range, start: d(2015, 10, 1), end: d(2015, 10, 3) };
        let s = period_stats(&p, &days);
        assert_eq!((s.valid_days, s.good_days, s.level_days), (3, 2, [1, 1, 1, 0, 0, 0]));
        assert_eq!(s.good_day_ratio_tenths(), Some(667), "2 / 3");
        assert_eq!(s.primary_days[Pollutant::Pm2_5 as usize], 2, "days 2 and 3 (published > 50)");
        assert_eq!(s.pm2_5.value, Some(Conc::units(73)), "(70 + 70 + 78) / 3 = 72.7 → 73, from the values");
        // The same days without a published AQI: no MDA8, so only the exceedance counts as valid.
        let computed: Vec<DayRecord> = [70, 70, 78].iter().map(|v| no_mda8(d(2015, 10, 1), *v, None)).collect();
        assert_eq!(computed.iter().filter(|x| is_valid_day(x)).count(), 1);
        // Dust (from 2017): a published particulate exceedance leaves the denominator; the AQI stays.
        let dusty = dust_excluded(&no_mda8(d(2017, 3, 1), 78, Some(150)));
        assert_eq!((dusty.aqi, dusty.in_day_counts, dusty.values.pm2_5), (Some(150), false, None));
        let clean = dust_excluded(&no_mda8(d(2017, 3, 1), 70, Some(39)));
        assert_eq!((clean.aqi, clean.in_day_counts, is_valid_day(&clean)), (Some(39), true, true));
    }

    /// A pollutant without any valid day is out of the validity check; one with too few days fails it.
    #[test]
    fn a_pollutant_without_data_is_out_of_the_validity_minimum() {
        let p = Period::parse("2015-10").expect("month");
        let mut days: Vec<DayRecord> = (1..=31).map(|k| no_mda8(d(2015, 10, k), 30, Some(40))).collect();
        let s = period_stats(&p, &days);
        assert_eq!((s.o3.valid_days, s.o3.meets_minimum, s.meets_minimum), (0, false, true));
        for x in days.iter_mut().take(26) {
            x.values.o3_mda8 = Some(Conc::units(90));
        }
        let s = period_stats(&p, &days);
        assert_eq!((s.o3.valid_days, s.meets_minimum), (26, false), "26 of 31 days: below the minimum of 27");
        assert!(!period_stats(&p, &[]).meets_minimum, "no data at all");
    }

    #[test]
    fn month_minimum() {
        let p = Period::parse("2022-05").expect("month");
        let all: Vec<NaiveDate> = (1..=31).map(|k| d(2022, 5, k)).collect();
        assert!(meets_day_minimum(&p, &all));
        assert!(meets_day_minimum(&p, &all[..27]));
        assert!(!meets_day_minimum(&p, &all[..26]));
        let feb = Period::parse("2022-02").expect("feb");
        let f: Vec<NaiveDate> = (1..=25).map(|k| d(2022, 2, k)).collect();
        assert!(meets_day_minimum(&feb, &f));
        assert!(!meets_day_minimum(&feb, &f[..24]));
    }
}
