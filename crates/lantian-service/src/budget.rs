//! 以时保天、以天保月、以月保年 for a city at a moment (`management.md` §1.4): what the rest of today
//! may bring for the day to stay good, the non-good days the month can still afford for its good-day
//! target, and the PM2.5 average the rest of the year may have for its annual target.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use lantian_core::aqi::RealTimeConvention;
use lantian_core::budget::{
    budget_day, budget_day_o3, budget_month_good_days, budget_year, AlertKind, Budget, BudgetAlert, BudgetOptions,
    GoodDayBudget, O3Cap, PeriodBudget,
};
use lantian_core::conc::Ratio;
use lantian_core::period::{is_valid_day, ResultVariant};
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
    /// Per pollutant: the budget and the last hour's value.
    pub day: Vec<(Pollutant, DayBudget, Option<Conc>)>,
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
        day.push((p, b, current));
    }
    let target = store.target(city.id, date.year())?;
    // Completed days of the month and of the year (before today).
    let year_start = NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date);
    let yesterday = date - Duration::days(1);
    let records = if yesterday >= year_start {
        crate::assess::city_day_records(store, city, year_start, yesterday, ResultVariant::DustExcluded)?
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
    if month.as_ref().is_some_and(|m| m.nongood_allowance <= 0) {
        alerts.push(BudgetAlert {
            kind: AlertKind::MonthAtRisk,
            margin: Ratio::new(i128::from(month.as_ref().map_or(0, |m| m.nongood_allowance)), 1),
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

/// A budget shown rounded (GB/T 8170) to `decimals`.
fn r1(r: Ratio, decimals: u32) -> String {
    r.round(decimals).to_string()
}

/// A day budget as shown: the value rounded for display and its status code.
pub fn day_text(b: &DayBudget) -> (String, &'static str) {
    match b {
        DayBudget::Mean(Budget::Remaining(m)) => (r1(*m, 1), "ok"),
        DayBudget::Mean(Budget::AlreadyExceeded { allowance }) => (r1(*allowance, 1), "lost"),
        DayBudget::Mean(Budget::NoHoursLeft { good }) => {
            (String::new(), if *good { "day over: good" } else { "day over: exceeded" })
        }
        DayBudget::Mean(Budget::CannotBeValid { .. }) => (String::new(), "cannot reach 20 valid hours"),
        DayBudget::O3(O3Cap::Cap(c)) => (r1(*c, 0), "ok"),
        DayBudget::O3(O3Cap::Unconstrained) => (String::new(), "no 8-h window closes"),
        DayBudget::O3(O3Cap::AlreadyExceeded { allowance, .. }) => (r1(*allowance, 0), "lost"),
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

/// The JSON form of a city's budgets, shared by `lantian budget --format json` and `/api/v1/budgets`.
pub fn budget_json(b: &CityBudget) -> serde_json::Value {
    use serde_json::json;
    let day: Vec<serde_json::Value> = b
        .day
        .iter()
        .map(|(p, d, cur)| {
            let (v, s) = day_text(d);
            json!({"pollutant": p.code(), "current": cur.map(|c| c.to_string()), "budget": v, "status": s})
        })
        .collect();
    json!({
        "city": b.city.display(), "city_code": b.city.code, "at": b.at.format("%Y-%m-%dT%H:%M:%S+08:00").to_string(),
        "date": b.date.to_string(), "hours_elapsed": b.hours_elapsed, "day": day,
        "month": b.month.as_ref().map(|m| json!({"required_good_days": m.required_good_days, "nongood_allowance": m.nongood_allowance, "good_so_far": b.month_good, "nongood_so_far": b.month_nongood})),
        "year_pm2_5_allowance": year_text(&b.year),
        "alerts": b.alerts.iter().map(|a| format!("{:?}", a.kind)).collect::<Vec<_>>(),
    })
}
