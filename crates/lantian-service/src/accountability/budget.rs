//! 以时保天、以天保月、以月保年 for a city at a moment (`management.md` §1.4): what the rest of today
//! may bring for the day to stay good, the non-good days the month can still afford for its good-day
//! target, and the PM2.5 average the rest of the year may have for its annual target.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use lantian_core::accountability::budget::{
    budget_day, budget_day_o3, budget_month_good_days, budget_year, classify_risk, AlertKind, Budget, BudgetAlert,
    BudgetOptions, GoodDayBudget, O3Cap, PeriodBudget, Risk,
};
use lantian_core::air::aqi::RealTimeConvention;
use lantian_core::air::conc::Ratio;
use lantian_core::air::period::{is_valid_day, ResultVariant};
use lantian_core::{Conc, Pollutant};
use lantian_store::{CityInfo, CityTarget, Store};

use crate::{Result, ServiceError};

/// The day budget of one pollutant.
#[derive(Clone, Debug)]
pub enum DayBudget {
    /// SO2, NO2, CO, PM10, PM2.5: the highest mean of the remaining hours.
    Mean(Budget),
    /// O3: the cap for the next hour.
    O3(O3Cap),
}

/// The standing of a pollutant's day budget, decided once here ([`day_status`]) and shown by every
/// output — the CLI table (Chinese label), `budget --format json` and `/api/v1/budgets` (code) — so
/// that they cannot disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayStatus {
    /// Budget left, and the last hour's value within it: carrying on as now keeps the day good.
    Ok,
    /// Budget left, but the last hour's value is above it: carrying on as now the day will not be
    /// good (the `day_at_risk` alert, [`lantian_core::accountability::budget::classify_risk`]).
    DayAtRisk,
    /// The day can no longer be good: even zero in every remaining hour leaves it above the limit.
    Lost,
    /// The day is complete and good.
    DayOverGood,
    /// The day is complete and not good.
    DayOverExceeded,
    /// Fewer hours can still be valid than a daily mean needs (20): the daily value will be invalid.
    CannotBeValid,
    /// O3: no counted 8-hour window closes with the next hour; nothing to cap.
    Unconstrained,
}

impl DayStatus {
    /// Every status.
    pub const ALL: [DayStatus; 7] = [
        DayStatus::Ok,
        DayStatus::DayAtRisk,
        DayStatus::Lost,
        DayStatus::DayOverGood,
        DayStatus::DayOverExceeded,
        DayStatus::CannotBeValid,
        DayStatus::Unconstrained,
    ];

    /// The status of a code ([`DayStatus::code`]).
    pub fn from_code(code: &str) -> Option<DayStatus> {
        DayStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The stable code of machine formats: `ok`, `day_at_risk`, `lost`, `day_over_good`,
    /// `day_over_exceeded`, `cannot_be_valid`, `unconstrained`.
    pub fn code(self) -> &'static str {
        match self {
            DayStatus::Ok => "ok",
            DayStatus::DayAtRisk => "day_at_risk",
            DayStatus::Lost => "lost",
            DayStatus::DayOverGood => "day_over_good",
            DayStatus::DayOverExceeded => "day_over_exceeded",
            DayStatus::CannotBeValid => "cannot_be_valid",
            DayStatus::Unconstrained => "unconstrained",
        }
    }

    /// The Chinese phrase of tables and pages.
    pub fn label_zh(self) -> &'static str {
        match self {
            DayStatus::Ok => "可控",
            DayStatus::DayAtRisk => "当前值超出预算",
            DayStatus::Lost => "已超标",
            DayStatus::DayOverGood => "已结束（优良）",
            DayStatus::DayOverExceeded => "已结束（超标）",
            DayStatus::CannotBeValid => "有效小时不足",
            DayStatus::Unconstrained => "不受限",
        }
    }

    /// The English phrase of the English pages.
    pub fn label_en(self) -> &'static str {
        match self {
            DayStatus::Ok => "on track",
            DayStatus::DayAtRisk => "current value above the budget",
            DayStatus::Lost => "already exceeded",
            DayStatus::DayOverGood => "day over: good",
            DayStatus::DayOverExceeded => "day over: exceeded",
            DayStatus::CannotBeValid => "cannot reach 20 valid hours",
            DayStatus::Unconstrained => "no 8-hour window closes",
        }
    }

    /// Whether the day is at risk or lost (the at-risk list).
    pub fn is_at_risk(self) -> bool {
        matches!(self, DayStatus::DayAtRisk | DayStatus::Lost)
    }
}

/// The status of a day budget against the last hour's value (`management.md` §1.4 [D]): a budget
/// left but below the current value is at risk ([`classify_risk`]), one already exceeded is lost.
pub fn day_status(b: &DayBudget, current: Option<Conc>) -> DayStatus {
    let left = |a: Ratio| match current.map(|c| classify_risk(a, c)) {
        Some(Risk::AtRisk { .. }) => DayStatus::DayAtRisk,
        _ => DayStatus::Ok,
    };
    match b {
        DayBudget::Mean(Budget::Remaining(a)) | DayBudget::O3(O3Cap::Cap(a)) => left(*a),
        DayBudget::Mean(Budget::AlreadyExceeded { .. }) | DayBudget::O3(O3Cap::AlreadyExceeded { .. }) => {
            DayStatus::Lost
        }
        DayBudget::Mean(Budget::NoHoursLeft { good: true }) => DayStatus::DayOverGood,
        DayBudget::Mean(Budget::NoHoursLeft { good: false }) => DayStatus::DayOverExceeded,
        DayBudget::Mean(Budget::CannotBeValid { .. }) => DayStatus::CannotBeValid,
        DayBudget::O3(O3Cap::Unconstrained) => DayStatus::Unconstrained,
    }
}

/// One pollutant's day budget: the budget, the last hour's value and their status.
#[derive(Clone, Debug)]
pub struct DayLine {
    pub pollutant: Pollutant,
    pub budget: DayBudget,
    pub current: Option<Conc>,
    pub status: DayStatus,
}

/// Budgets of a city at a moment.
#[derive(Clone, Debug)]
pub struct CityBudget {
    pub city: CityInfo,
    /// The end of the last hour counted (label time).
    pub at: NaiveDateTime,
    /// The natural day the hour belongs to.
    pub date: NaiveDate,
    /// Hours of the day already past (1–24).
    pub hours_elapsed: usize,
    /// Per pollutant: the budget, the last hour's value and the status.
    pub day: Vec<DayLine>,
    pub target: Option<CityTarget>,
    /// Good and non-good days of the month before today, and the month's budget (with a target).
    pub month_good: u32,
    pub month_nongood: u32,
    pub month: Option<GoodDayBudget>,
    /// Daily PM2.5 values of the year before today: sum (thousandths) and count; the year's budget.
    pub year_pm2_5_days: u32,
    pub year: Option<PeriodBudget>,
    pub alerts: Vec<BudgetAlert>,
}

fn days_in_month(d: NaiveDate) -> u32 {
    let first = d.with_day(1).unwrap_or(d);
    let next = if d.month() == 12 {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
    };
    next.map_or(31, |n| (n - first).num_days() as u32)
}

fn days_in_year(y: i32) -> u32 {
    if NaiveDate::from_ymd_opt(y, 2, 29).is_some() {
        366
    } else {
        365
    }
}

/// The latest label time with hourly data for a city (from its stations or a city file).
pub fn latest_hour(store: &dyn Store, city: &CityInfo) -> Result<Option<NaiveDateTime>> {
    let Some((_, last)) = store.station_date_range()? else { return Ok(None) };
    let mut latest = None;
    let from = last - Duration::days(2);
    crate::for_each_city_hourly(store, std::slice::from_ref(city), from, last, RealTimeConvention::Publisher, |r| {
        latest = latest.max(Some(r.time));
    })?;
    Ok(latest)
}

/// The budgets of a city after the hour ending at `at`.
pub fn city_budget(store: &dyn Store, city: &CityInfo, at: NaiveDateTime) -> Result<CityBudget> {
    if at.minute() != 0 || at.second() != 0 {
        return Err(ServiceError::Request(format!("{at}: budgets are computed at the end of an hour (HH:00)")));
    }
    // The hour ending at `at` belongs to the natural day of `at − 1 h`.
    let last_start = at - Duration::hours(1);
    let date = last_start.date();
    let hours_elapsed = last_start.hour() as usize + 1;
    let day_start = date.and_hms_opt(0, 0, 0).unwrap_or(last_start);
    let mut hours: [[Option<Conc>; 24]; 6] = [[None; 24]; 6];
    crate::for_each_city_hourly(store, std::slice::from_ref(city), date, date, RealTimeConvention::Publisher, |r| {
        let start = r.time - Duration::hours(1);
        let h = (start - day_start).num_hours();
        if (0..hours_elapsed as i64).contains(&h) {
            for p in Pollutant::ALL {
                hours[p as usize][h as usize] = r.conc[p as usize];
            }
        }
    })?;
    let mut alerts = Vec::new();
    let mut day = Vec::new();
    for p in [Pollutant::Pm2_5, Pollutant::Pm10, Pollutant::O3, Pollutant::No2, Pollutant::So2, Pollutant::Co] {
        let series = &hours[p as usize];
        let current = series[hours_elapsed - 1];
        let b = if p == Pollutant::O3 {
            if hours_elapsed >= 24 {
                // The day is over: no next hour to cap.
                continue;
            }
            let cap = budget_day_o3(date, series, hours_elapsed).map_err(|e| ServiceError::Request(e.to_string()))?;
            if let Some(a) = current.and_then(|c| cap.risk(c)).and_then(|r| r.alert(AlertKind::DayAtRisk)) {
                alerts.push(a);
            }
            DayBudget::O3(cap)
        } else {
            let so_far: Vec<Conc> = series[..hours_elapsed].iter().flatten().copied().collect();
            let b = budget_day(date, p, &so_far, 24 - hours_elapsed, BudgetOptions::default())
                .map_err(|e| ServiceError::Request(e.to_string()))?;
            if let Some(a) = current.and_then(|c| b.risk(c)).and_then(|r| r.alert(AlertKind::DayAtRisk)) {
                alerts.push(a);
            }
            DayBudget::Mean(b)
        };
        let status = day_status(&b, current);
        day.push(DayLine { pollutant: p, budget: b, current, status });
    }
    let target = store.target(city.id, date.year())?;
    // Completed days of the month and of the year (before today).
    let year_start = NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date);
    let yesterday = date - Duration::days(1);
    let records = if yesterday >= year_start {
        crate::accountability::assess::city_day_records(
            store,
            city,
            year_start,
            yesterday,
            ResultVariant::DustExcluded,
        )?
    } else {
        Vec::new()
    };
    let month_start = date.with_day(1).unwrap_or(date);
    let (mut month_good, mut month_nongood) = (0, 0);
    for r in records.iter().filter(|r| r.date >= month_start && is_valid_day(r)) {
        if r.aqi.is_some_and(|a| a <= 100) {
            month_good += 1;
        } else {
            month_nongood += 1;
        }
    }
    let month = match target.as_ref().and_then(|t| t.good_day_ratio_tenths) {
        Some(t) => Some(
            budget_month_good_days(Ratio::new(i128::from(t), 10), days_in_month(date), month_good, month_nongood)
                .map_err(|e| ServiceError::Request(e.to_string()))?,
        ),
        None => None,
    };
    // [D] The month is at risk when carrying on as now breaks it (as [`classify_risk`] reads "at risk"):
    // its allowance of non-good days is below what today is heading for — 1 when a pollutant's day is
    // at risk, lost or over and not good, else 0. A month with no slack left whose day is going well is
    // on track; one already past its allowance is at risk whatever today does.
    let today_nongood = i64::from(day.iter().any(|d| d.status.is_at_risk() || d.status == DayStatus::DayOverExceeded));
    if let Some(m) = month.as_ref().filter(|m| m.nongood_allowance < today_nongood) {
        alerts.push(BudgetAlert {
            kind: AlertKind::MonthAtRisk,
            margin: Ratio::new(i128::from(m.nongood_allowance - today_nongood), 1),
        });
    }
    let pm: Vec<Conc> = records.iter().filter_map(|r| r.values.pm2_5).collect();
    let sum = pm.iter().fold(Ratio::new(0, 1), |a, c| a + c.ratio());
    let year = match target.as_ref().and_then(|t| t.pm2_5) {
        Some(t) => Some(
            budget_year(t, days_in_year(date.year()), sum, pm.len() as u32)
                .map_err(|e| ServiceError::Request(e.to_string()))?,
        ),
        None => None,
    };
    let today_pm = hours[Pollutant::Pm2_5 as usize][..hours_elapsed].iter().flatten().copied().collect::<Vec<_>>();
    if let (Some(y), Some(m)) = (&year, Ratio::mean_of(today_pm.iter().copied())) {
        if let Some(a) = y.risk(m.round(0)).and_then(|r| r.alert(AlertKind::YearAtRisk)) {
            alerts.push(a);
        }
    }
    Ok(CityBudget {
        city: city.clone(),
        at,
        date,
        hours_elapsed,
        day,
        target,
        month_good,
        month_nongood,
        month,
        year_pm2_5_days: pm.len() as u32,
        year,
        alerts,
    })
}

impl CityBudget {
    /// Whether the city belongs on the province-wide at-risk list: a day budget at risk or lost, or a
    /// month or year alert.
    pub fn at_risk(&self) -> bool {
        !self.alerts.is_empty() || self.day.iter().any(|d| d.status.is_at_risk())
    }

    /// The horizons at risk, day first, each once.
    pub fn alert_kinds(&self) -> Vec<AlertKind> {
        AlertKind::ALL.into_iter().filter(|k| self.alerts.iter().any(|a| a.kind == *k)).collect()
    }
}

/// A budget shown rounded (GB/T 8170) to `decimals`.
fn r1(r: Ratio, decimals: u32) -> String {
    r.round(decimals).to_string()
}

/// A day budget as shown: the value rounded for display (empty when there is none to steer by).
pub fn day_text(b: &DayBudget) -> String {
    match b {
        DayBudget::Mean(Budget::Remaining(m)) => r1(*m, 1),
        DayBudget::Mean(Budget::AlreadyExceeded { allowance }) => r1(*allowance, 1),
        DayBudget::Mean(Budget::NoHoursLeft { .. }) | DayBudget::Mean(Budget::CannotBeValid { .. }) => String::new(),
        DayBudget::O3(O3Cap::Cap(c)) => r1(*c, 0),
        DayBudget::O3(O3Cap::Unconstrained) => String::new(),
        DayBudget::O3(O3Cap::AlreadyExceeded { allowance, .. }) => r1(*allowance, 0),
    }
}

/// The year's PM2.5 budget as shown.
pub fn year_text(y: &Option<PeriodBudget>) -> String {
    match y {
        Some(PeriodBudget::Remaining(m)) => r1(*m, 1),
        Some(PeriodBudget::AlreadyExceeded { .. }) => "已无法完成".into(),
        Some(PeriodBudget::NoDaysLeft { met }) => if *met { "已完成" } else { "未完成" }.into(),
        None => "无目标".into(),
    }
}

/// The year's PM2.5 budget as English pages show it.
pub fn year_text_en(y: &Option<PeriodBudget>) -> String {
    match y {
        Some(PeriodBudget::Remaining(m)) => r1(*m, 1),
        Some(PeriodBudget::AlreadyExceeded { .. }) => "can no longer be met".into(),
        Some(PeriodBudget::NoDaysLeft { met }) => if *met { "met" } else { "not met" }.into(),
        None => "no target".into(),
    }
}

/// The year's PM2.5 budget in machine formats: the allowance (the highest mean the rest of the year may
/// have, rounded), when there is one.
pub fn year_allowance(y: &Option<PeriodBudget>) -> Option<String> {
    match y {
        Some(PeriodBudget::Remaining(m)) => Some(r1(*m, 1)),
        _ => None,
    }
}

/// The state of the year's PM2.5 target in machine formats (one code each): `remaining` (an allowance
/// is left), `lost` (the target can no longer be met), `met` / `not_met` (no day left), `no_target`.
pub fn year_status_code(y: &Option<PeriodBudget>) -> &'static str {
    match y {
        Some(PeriodBudget::Remaining(_)) => "remaining",
        Some(PeriodBudget::AlreadyExceeded { .. }) => "lost",
        Some(PeriodBudget::NoDaysLeft { met: true }) => "met",
        Some(PeriodBudget::NoDaysLeft { met: false }) => "not_met",
        None => "no_target",
    }
}

/// The JSON form of a city's budgets, shared by `lantian budget --format json` and `/api/v1/budgets`.
pub fn budget_json(b: &CityBudget) -> serde_json::Value {
    use serde_json::json;
    let day: Vec<serde_json::Value> = b
        .day
        .iter()
        .map(|d| {
            json!({"pollutant": d.pollutant.code(), "current": d.current.map(|c| c.to_string()),
                "budget": day_text(&d.budget), "status": d.status.code()})
        })
        .collect();
    json!({
        "city": b.city.display(), "city_code": b.city.code, "at": b.at.format("%Y-%m-%dT%H:%M:%S+08:00").to_string(),
        "date": b.date.to_string(), "hours_elapsed": b.hours_elapsed, "day": day,
        "month": b.month.as_ref().map(|m| json!({"required_good_days": m.required_good_days, "nongood_allowance": m.nongood_allowance, "good_so_far": b.month_good, "nongood_so_far": b.month_nongood})),
        "year_pm2_5_allowance": year_allowance(&b.year),
        "year_status": year_status_code(&b.year),
        "at_risk": b.at_risk(),
        "alerts": b.alert_kinds().iter().map(|k| k.code()).collect::<Vec<_>>(),
    })
}
