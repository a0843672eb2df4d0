//! Hour → day → month → year budgets (以时保天、以天保月、以月保年, glossary `budget_day`,
//! `budget_month`, `budget_year`): how much pollution the rest of a day, month or year can still take
//! while the day stays good, the month reaches its good-day target, or the period mean stays at its
//! target (`management.md` §1.4 [D]; worked examples `worked-examples.md` E25–E26).
//!
//! Exact: concentrations are [`Conc`] (thousandths of the unit), allowances are exact [`Ratio`]s in
//! thousandths of the unit, rates and day counts are integers or exact rationals. No floating point,
//! no clock: the rule tables are chosen by the **date of the data** (`standards.md` §1).
//!
//! The outputs feed the dispatch board (`DispatchAlert { city, kind: DayAtRisk|MonthAtRisk|YearAtRisk,
//! margin }`, `management.md` §1.4) through [`classify_risk`] and [`Risk::alert`].

use crate::air::conc::{ceil_div, Conc, Ratio};
use crate::air::daily::DayHours;
use crate::air::pollutant::{Indicator, Pollutant};
use crate::air::standards::StandardSet;
use chrono::NaiveDate;

/// Hours of a natural day (H in `management.md` §1.4).
pub const HOURS_PER_DAY: usize = 24;

/// Position of IAQI 100 in a breakpoint column (`standards::IAQI_STEPS[2] = 100`).
const IAQI_100: usize = 2;

/// Options of the hour → day budget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BudgetOptions {
    /// `budget_use_rounding_margin` (`management.md` §1.4 [D]). `false` (default): the conservative
    /// condition "exact daily mean ≤ L". `true`: the exact condition on the **rounded** daily value
    /// (GB/T 8170 half-even to the pollutant's reporting precision, `standards.md` §6): with `L` in
    /// reporting steps `q = L / step`, the day is good iff `mean < L + step/2` when `q` is odd and
    /// `mean ≤ L + step/2` when `q` is even (a tie rounds to the even neighbour, which is `L` only
    /// when `q` is even). For integer μg/m³ that is "< L + 0.5 when L is odd, ≤ L + 0.5 when L is
    /// even"; for CO (one decimal, L = 4.0 mg/m³, q = 40 even) "≤ 4.05".
    pub use_rounding_margin: bool,
}

/// Why a budget cannot be computed (bad arguments; never a property of the data).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    /// O3 has no 24-hour mean; its daily value is the MDA8 ([`budget_day_o3`]).
    #[error("{0:?} has no 24-hour mean (use budget_day_o3 for O3)")]
    NotMeanBased(Pollutant),
    /// More hours than a day has.
    #[error("{so_far} valid hours so far plus {remaining} remaining exceed the 24 hours of a day")]
    TooManyHours { so_far: usize, remaining: usize },
    /// An hour index outside 0…23.
    #[error("hour {0} is outside 0..=23")]
    HourOutOfRange(usize),
    /// The breakpoint column has no entry at IAQI 100 (cannot happen with the HJ 633 tables).
    #[error("the breakpoint column has no IAQI-100 entry")]
    NoLimit,
    /// A good-day rate target outside 0…100 %.
    #[error("target rate {0:?} % is outside 0..=100")]
    RateOutOfRange(Ratio),
    /// More days counted than the period has.
    #[error("{so_far} days so far exceed the {total} days of the period")]
    TooManyDays { so_far: u32, total: u32 },
}

/// Outcome of the hour → day budget of a mean-based pollutant ([`budget_day`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// The remaining hours may average **at most** this (inclusive, exact, thousandths of the unit,
    /// `≥ 0`) and the day stays good. [`floor_to_reporting`] gives the reportable figure.
    Remaining(Ratio),
    /// The day cannot stay good: even zero in every remaining hour leaves it above the limit. The
    /// allowance (`< 0`) is kept so the dispatch board can show how far off the day is.
    AlreadyExceeded { allowance: Ratio },
    /// No hours remain: the day is complete; `good` = its mean meets the condition.
    NoHoursLeft { good: bool },
    /// Fewer hours can still be valid than the daily mean needs (GB 3095 Table 4: ≥ 20 valid hourly
    /// values): the day's mean will be invalid whatever happens.
    CannotBeValid { possible_hours: usize, min_hours: usize },
}

impl Budget {
    /// The remaining allowance, if there is one to steer by (`Remaining` or `AlreadyExceeded`).
    pub fn allowance(&self) -> Option<Ratio> {
        match *self {
            Budget::Remaining(a) | Budget::AlreadyExceeded { allowance: a } => Some(a),
            Budget::NoHoursLeft { .. } | Budget::CannotBeValid { .. } => None,
        }
    }

    /// [`classify_risk`] of this budget against the current level (e.g. the last hour's value);
    /// `None` when nothing is left to steer (day complete, or cannot be valid).
    pub fn risk(&self, current: Conc) -> Option<Risk> {
        self.allowance().map(|a| classify_risk(a, current))
    }
}

/// The 24-hour indicator of a mean-based pollutant (`None` for O3).
pub fn daily_indicator(p: Pollutant) -> Option<Indicator> {
    match p {
        Pollutant::So2 => Some(Indicator::So2_24h),
        Pollutant::No2 => Some(Indicator::No2_24h),
        Pollutant::Co => Some(Indicator::Co_24h),
        Pollutant::Pm10 => Some(Indicator::Pm10_24h),
        Pollutant::Pm2_5 => Some(Indicator::Pm2_5_24h),
        Pollutant::O3 => None,
    }
}

/// The concentration at IAQI = 100 on an indicator's breakpoint column of a standard set (HJ 633-2012
/// Table 1 / HJ 633-2026 Table 3, `standards.md` §5.1–5.2): the "good day" limit L of
/// `management.md` §1.4. For the daily columns: PM2.5 75 (Y2012) / 60 (Y2026), PM10 150 / 120,
/// SO2 150, NO2 80, CO 4 mg/m³; O3 8-hour 160. Taken from the AQI table, not the GB 3095 limits (the
/// 2031 final limits are lower, but a day is good by its AQI).
pub fn good_limit(set: StandardSet, ind: Indicator) -> Option<Conc> {
    set.aqi_rules().column(ind).0.get(IAQI_100).copied()
}

/// Reporting step of a pollutant in thousandths (1 μg/m³ = 1000; CO 0.1 mg/m³ = 100),
/// `standards.md` §6.2.
fn step_milli(p: Pollutant) -> i128 {
    10i128.pow(3 - p.decimals().min(3))
}

/// The largest total (sum of `hours` valid values, thousandths) that keeps a daily mean good.
///
/// Conservative: `T ≤ N·L`. With the rounding margin (see [`BudgetOptions`]): the rounded mean must
/// be `≤ q·step` with `q = ⌊L / step⌋`, i.e. `2T ≤ N·(2q + 1)·step` when `q` is even and
/// `2T < N·(2q + 1)·step` when `q` is odd. Totals are whole thousandths (every [`Conc`] is), so the
/// strict bound is the inclusive bound one thousandth lower: exact, not an approximation.
fn max_good_total(limit: Conc, step: i128, hours: i128, opts: BudgetOptions) -> i128 {
    let l = i128::from(limit.milli());
    if !opts.use_rounding_margin {
        return hours * l;
    }
    let q = l.div_euclid(step);
    let twice = hours * (2 * q + 1) * step;
    if q % 2 == 0 {
        twice.div_euclid(2)
    } else {
        ceil_div(twice, 2) - 1
    }
}

/// Hour → day budget of a mean-based pollutant (SO2, NO2, CO, PM10, PM2.5), `management.md` §1.4
/// [D], worked example E25: the highest average the remaining hours may have for the day to stay
/// good, `M = (L × H − S) / (H − n)`.
///
/// - `date`: the date of the data; selects the standard set and with it L, the concentration at
///   IAQI 100 on the daily breakpoint column ([`good_limit`]).
/// - `hours_so_far`: the valid hourly values of the day so far (n of them, sum S). Negative values are
///   invalid measurements and are left out, as in [`crate::air::daily::evaluate_day`].
/// - `remaining_hours`: hours of the day still to come (`24 − n` when no hour was missed).
///
/// The daily mean is the mean of the valid hours (`standards.md` §3), so the day's count is
/// `N = n + remaining_hours` and `M = (L·N − S) / remaining_hours`; with no hour missed `N = H = 24`
/// and this is the formula of §1.4. The budget assumes every remaining hour is valid. If fewer than
/// the GB 3095 Table 4 minimum (20 valid hourly values) can be valid, the outcome is
/// [`Budget::CannotBeValid`]. With `opts.use_rounding_margin` the bound is the exact condition on
/// the GB/T 8170-rounded daily value ([`BudgetOptions`]).
pub fn budget_day(
    date: NaiveDate,
    pollutant: Pollutant,
    hours_so_far: &[Conc],
    remaining_hours: usize,
    opts: BudgetOptions,
) -> Result<Budget, BudgetError> {
    let set = StandardSet::for_date(date);
    let ind = daily_indicator(pollutant).ok_or(BudgetError::NotMeanBased(pollutant))?;
    let limit = good_limit(set, ind).ok_or(BudgetError::NoLimit)?;
    let (mut n, mut sum) = (0usize, 0i128);
    for c in hours_so_far.iter().filter(|c| !c.is_negative()) {
        n += 1;
        sum += i128::from(c.milli());
    }
    let possible = n.saturating_add(remaining_hours);
    if possible > HOURS_PER_DAY {
        return Err(BudgetError::TooManyHours { so_far: n, remaining: remaining_hours });
    }
    let min_hours = set.validity().daily_min_hours;
    if possible < min_hours {
        return Ok(Budget::CannotBeValid { possible_hours: possible, min_hours });
    }
    let max_total = max_good_total(limit, step_milli(pollutant), possible as i128, opts);
    if remaining_hours == 0 {
        return Ok(Budget::NoHoursLeft { good: sum <= max_total });
    }
    let allowance = Ratio::new(max_total - sum, remaining_hours as i128).reduced();
    Ok(if allowance.num < 0 { Budget::AlreadyExceeded { allowance } } else { Budget::Remaining(allowance) })
}

/// The largest value at the pollutant's reporting precision (integer μg/m³; CO one decimal mg/m³,
/// `standards.md` §6.2) that does not exceed an allowance: `⌊M / step⌋ · step`. Spending it in every
/// remaining hour (or day) keeps the budget; one step more does not. Saturates at the `Conc` range.
pub fn floor_to_reporting(allowance: Ratio, pollutant: Pollutant) -> Conc {
    let step = step_milli(pollutant);
    let steps = allowance.num.div_euclid(allowance.den * step);
    Conc(i64::try_from(steps * step).unwrap_or(if steps < 0 { i64::MIN } else { i64::MAX }))
}

/// Outcome of the hour → day budget of O3 ([`budget_day_o3`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum O3Cap {
    /// The next hour's value may be **at most** this (inclusive, exact, thousandths of μg/m³, `≥ 0`)
    /// for the counted 8-hour window it closes to stay ≤ L.
    Cap(Ratio),
    /// No counted window closes with this hour: the window ending with it would cross midnight (hours
    /// 0…6), or it would have fewer valid values than a window needs (6) and so does not count. The
    /// value still enters later windows, whose caps account for it.
    Unconstrained,
    /// A counted window is above L, so the day's MDA8 is above L (an MDA8 above the limit is valid
    /// however few windows the day has, HJ 663 6.1.2): the earlier window starting at
    /// `window_start`, or the window closing with this hour when no valid value can keep it
    /// (`allowance < 0`; if that window has only 5 valid values so far, only a missing hour would
    /// leave it uncounted). `allowance = k·L − Σ` of that window (`< 0`).
    AlreadyExceeded { window_start: usize, allowance: Ratio },
}

impl O3Cap {
    /// The allowance to steer by: the cap, or the (negative) allowance of an exceeded window.
    pub fn allowance(&self) -> Option<Ratio> {
        match *self {
            O3Cap::Cap(a) | O3Cap::AlreadyExceeded { allowance: a, .. } => Some(a),
            O3Cap::Unconstrained => None,
        }
    }

    /// [`classify_risk`] of this cap against the current level (e.g. the last hour's O3 value).
    pub fn risk(&self, current: Conc) -> Option<Risk> {
        self.allowance().map(|a| classify_risk(a, current))
    }
}

/// Valid values (non-negative) of `hours[range]`: (count, sum).
fn window_sum(hours: &DayHours, range: std::ops::Range<usize>) -> (usize, i128) {
    let mut k = 0;
    let mut sum = 0i128;
    for c in hours[range].iter().flatten().filter(|c| !c.is_negative()) {
        k += 1;
        sum += i128::from(c.milli());
    }
    (k, sum)
}

/// Hour → day budget of O3, `management.md` §1.4 [D]: the cap on the value of the next hour `t` so
/// that the day's MDA8 stays ≤ L (the O3 8-hour concentration at IAQI 100, 160 μg/m³, from the
/// breakpoint table of the set in force on `date`).
///
/// Hours are indexed by interval start 0…23; the counted windows are those ending 08:00…24:00 of the
/// natural day, start hours `s = 0…16` covering `s…s+7` (`assessment.md` §3.2). A window with k valid
/// values (k ≥ 6, GB 3095 Table 4) stays ≤ L iff its sum ≤ k·L. For hour `t ≥ 7` the window closing
/// with it is `s = t − 7`; with `k − 1` valid values of sum Σ among hours `t−7 … t−1`, the cap is
/// `k·L − Σ` (`8·L − Σ = 1280 − Σ` with all seven valid; the divisor adapts with 5 or 6 of them).
///
/// Only values of hours before `next_hour` are read (later entries of `hours` are ignored); negative
/// values are invalid and count as missing. Windows that already closed are checked first: one that
/// is valid and above L makes the outcome [`O3Cap::AlreadyExceeded`]. The cap is conservative
/// (window mean ≤ L, no rounding margin).
pub fn budget_day_o3(date: NaiveDate, hours: &DayHours, next_hour: usize) -> Result<O3Cap, BudgetError> {
    if next_hour >= HOURS_PER_DAY {
        return Err(BudgetError::HourOutOfRange(next_hour));
    }
    let set = StandardSet::for_date(date);
    let limit = i128::from(good_limit(set, Indicator::O3_8h).ok_or(BudgetError::NoLimit)?.milli());
    let min_values = set.validity().window_min_hours;
    // Windows that closed before `next_hour`: s + 7 < next_hour.
    for s in (0..=16usize).filter(|s| s + 7 < next_hour) {
        let (k, sum) = window_sum(hours, s..s + 8);
        if k >= min_values && sum > k as i128 * limit {
            return Ok(O3Cap::AlreadyExceeded { window_start: s, allowance: Ratio::new(k as i128 * limit - sum, 1) });
        }
    }
    let Some(s) = next_hour.checked_sub(7) else {
        return Ok(O3Cap::Unconstrained);
    };
    let (prev, sum) = window_sum(hours, s..next_hour);
    let k = prev + 1;
    if k < min_values {
        return Ok(O3Cap::Unconstrained);
    }
    let cap = k as i128 * limit - sum;
    Ok(if cap < 0 {
        O3Cap::AlreadyExceeded { window_start: s, allowance: Ratio::new(cap, 1) }
    } else {
        O3Cap::Cap(Ratio::new(cap, 1))
    })
}

/// Outcome of the day → month good-day budget ([`budget_month_good_days`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GoodDayBudget {
    /// `G_req = ⌈R_t × D / 100⌉`: good days the month needs.
    pub required_good_days: i64,
    /// `(D − G_req) − nongood_so_far`: non-good days the rest of the month may still have. Negative:
    /// the target can no longer be reached.
    pub nongood_allowance: i64,
    /// `D − good_so_far − nongood_so_far`: valid days still to come.
    pub days_left: i64,
}

impl GoodDayBudget {
    /// Whether the target can no longer be reached (more non-good days already than allowed).
    pub fn is_lost(&self) -> bool {
        self.nongood_allowance < 0
    }
}

/// Day → month good-day budget, `management.md` §1.4 [D], worked example E26: to reach a good-day
/// rate of at least `target_rate_pct` percent (an exact rational **number of percent**, e.g.
/// `Ratio::new(89, 1)` = 89 %, `Ratio::new(179, 2)` = 89.5 %) over `valid_days` valid days, the month
/// needs `G_req = ⌈R_t × D / 100⌉` good days; the rest of the month may have
/// `(D − G_req) − nongood_so_far` more non-good days. Good-day rate = good days ÷ valid days
/// (`assessment.md` §2). Exact: `⌈0.89 × 31⌉ = ⌈27.59⌉ = 28`.
pub fn budget_month_good_days(
    target_rate_pct: Ratio,
    valid_days: u32,
    good_so_far: u32,
    nongood_so_far: u32,
) -> Result<GoodDayBudget, BudgetError> {
    if target_rate_pct.den == 0 {
        return Err(BudgetError::RateOutOfRange(target_rate_pct));
    }
    let r = Ratio::new(target_rate_pct.num, target_rate_pct.den);
    if r.num < 0 || r.num > 100 * r.den {
        return Err(BudgetError::RateOutOfRange(target_rate_pct));
    }
    let counted = u64::from(good_so_far) + u64::from(nongood_so_far);
    if counted > u64::from(valid_days) {
        return Err(BudgetError::TooManyDays { so_far: good_so_far.saturating_add(nongood_so_far), total: valid_days });
    }
    let d = i128::from(valid_days);
    let required = ceil_div(r.num * d, r.den * 100);
    let allowance = d - required - i128::from(nongood_so_far);
    // |values| ≤ u32::MAX, so they fit i64.
    Ok(GoodDayBudget {
        required_good_days: required as i64,
        nongood_allowance: allowance as i64,
        days_left: (d - counted as i128) as i64,
    })
}

/// Outcome of a day → month or month → year concentration budget ([`budget_month`], [`budget_year`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodBudget {
    /// The remaining days may average **at most** this (inclusive, exact, thousandths of the unit,
    /// `≥ 0`) for the period mean to stay at or below the target.
    Remaining(Ratio),
    /// Even zero on every remaining day leaves the period mean above the target; the allowance
    /// (`< 0`) is kept for the dispatch board.
    AlreadyExceeded { allowance: Ratio },
    /// No days remain; `met` = the period mean is at or below the target.
    NoDaysLeft { met: bool },
}

impl PeriodBudget {
    /// The remaining allowance, if there is one to steer by.
    pub fn allowance(&self) -> Option<Ratio> {
        match *self {
            PeriodBudget::Remaining(a) | PeriodBudget::AlreadyExceeded { allowance: a } => Some(a),
            PeriodBudget::NoDaysLeft { .. } => None,
        }
    }

    /// [`classify_risk`] of this budget against the current level (e.g. the latest daily value).
    pub fn risk(&self, current: Conc) -> Option<Risk> {
        self.allowance().map(|a| classify_risk(a, current))
    }
}

/// `(T × D_total − Σ) / (D_total − d)`, the shared body of [`budget_month`] and [`budget_year`].
fn period_budget(
    target: Conc,
    total_days: u32,
    sum_so_far: Ratio,
    days_so_far: u32,
) -> Result<PeriodBudget, BudgetError> {
    if days_so_far > total_days {
        return Err(BudgetError::TooManyDays { so_far: days_so_far, total: total_days });
    }
    let cap_total = Ratio::new(i128::from(target.milli()) * i128::from(total_days), 1);
    let left = total_days - days_so_far;
    let spare = cap_total - sum_so_far;
    if left == 0 {
        return Ok(PeriodBudget::NoDaysLeft { met: spare.num >= 0 });
    }
    let allowance = spare.div_int(i128::from(left)).reduced();
    Ok(if allowance.num < 0 { PeriodBudget::AlreadyExceeded { allowance } } else { PeriodBudget::Remaining(allowance) })
}

/// Day → month concentration budget, `management.md` §1.4 [D]: with target monthly mean `target`,
/// `total_days` valid days expected in the month, and `days_so_far` daily values summing to
/// `sum_so_far` (thousandths; the rounded daily values by default, `standards.md` §6.2), the rest of
/// the month may average at most `(T × D_total − Σ) / (D_total − d)`. Conservative: the exact
/// monthly mean ≤ T (no rounding margin).
pub fn budget_month(
    target: Conc,
    total_days: u32,
    sum_so_far: Ratio,
    days_so_far: u32,
) -> Result<PeriodBudget, BudgetError> {
    period_budget(target, total_days, sum_so_far, days_so_far)
}

/// Month → year concentration budget, `management.md` §1.4 [D]: the annual mean is the mean of the
/// **daily** values, so the allowance is day-weighted, not month-weighted —
/// `(T × D_total − Σ daily_so_far) / (D_total − d_so_far)` with `D_total` the valid days expected in
/// the year and Σ, d over every daily value so far (not over monthly means). Conservative (mean ≤ T).
pub fn budget_year(
    target: Conc,
    total_days: u32,
    sum_so_far: Ratio,
    days_so_far: u32,
) -> Result<PeriodBudget, BudgetError> {
    period_budget(target, total_days, sum_so_far, days_so_far)
}

/// Risk of a budget for the province-wide at-risk list (`management.md` §1.4 [D], design default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Risk {
    /// The allowance is at least the current level: carrying on as now keeps the budget.
    /// `margin = allowance − current ≥ 0`.
    OnTrack { margin: Ratio },
    /// The allowance is below the current level, or below zero: carrying on as now breaks the
    /// budget (or it is already broken). `margin = allowance − current`.
    AtRisk { margin: Ratio },
}

/// [D] Classifies an allowance against the current level (e.g. the last hour's value): `AtRisk` when
/// the allowance is below the current level or below zero, else `OnTrack`; the margin is
/// `allowance − current` (exact, thousandths of the unit).
pub fn classify_risk(allowance: Ratio, current: Conc) -> Risk {
    let margin = (allowance - current.ratio()).reduced();
    if margin.num < 0 || allowance.num < 0 {
        Risk::AtRisk { margin }
    } else {
        Risk::OnTrack { margin }
    }
}

/// Horizon of a dispatch alert (`DispatchAlert.kind`, `management.md` §1.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertKind {
    DayAtRisk,
    MonthAtRisk,
    YearAtRisk,
}

impl AlertKind {
    /// All horizons, day first.
    pub const ALL: [AlertKind; 3] = [AlertKind::DayAtRisk, AlertKind::MonthAtRisk, AlertKind::YearAtRisk];

    /// The stable code of machine formats (CSV, JSON, API): `day_at_risk`, `month_at_risk`,
    /// `year_at_risk`.
    pub fn code(self) -> &'static str {
        match self {
            AlertKind::DayAtRisk => "day_at_risk",
            AlertKind::MonthAtRisk => "month_at_risk",
            AlertKind::YearAtRisk => "year_at_risk",
        }
    }

    /// The Chinese phrase of tables and pages (以时保天、以天保月、以月保年).
    pub fn label_zh(self) -> &'static str {
        match self {
            AlertKind::DayAtRisk => "今日优良有风险",
            AlertKind::MonthAtRisk => "本月优良天数目标有风险",
            AlertKind::YearAtRisk => "全年PM2.5目标有风险",
        }
    }

    /// The English phrase of the English pages.
    pub fn label_en(self) -> &'static str {
        match self {
            AlertKind::DayAtRisk => "day at risk",
            AlertKind::MonthAtRisk => "month's good-day target at risk",
            AlertKind::YearAtRisk => "year's PM2.5 target at risk",
        }
    }
}

/// An entry of the at-risk list: the horizon and the (negative) margin. The city is the caller's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BudgetAlert {
    pub kind: AlertKind,
    pub margin: Ratio,
}

impl Risk {
    /// The alert for the dispatch board when at risk; `None` when on track.
    pub fn alert(self, kind: AlertKind) -> Option<BudgetAlert> {
        match self {
            Risk::AtRisk { margin } => Some(BudgetAlert { kind, margin }),
            Risk::OnTrack { .. } => None,
        }
    }

    /// `allowance − current`.
    pub fn margin(self) -> Ratio {
        match self {
            Risk::OnTrack { margin } | Risk::AtRisk { margin } => margin,
        }
    }
}
