//! Annual air targets (PM2.5, good-day rate) that were not given to a city. One policy for every
//! consumer ([D], `points-default-2022.toml` `[targets]`, README): a target a city was not given is
//! not assessed (不考核) — by the points (C5a/C5b, total converted over the assessed factors) and by
//! the incentive settlement (全额兑现) — and both say so with the same warning naming the cities.

use chrono::{Datelike, NaiveDate};
use lantian_core::air::period::{Period, PeriodKind, PeriodStats, ResultVariant};
use lantian_core::Pollutant;
use lantian_store::{CityInfo, Store};

use crate::Result;

/// A city without one or both annual targets of a year.
#[derive(Clone, Debug)]
pub struct MissingTargets {
    pub city: CityInfo,
    /// No PM2.5 target.
    pub pm2_5: bool,
    /// No good-day-rate target.
    pub good_rate: bool,
}

/// The cities of `cities` (in that order) that lack the PM2.5 or the good-day-rate target of `year`.
pub fn missing_targets(store: &dyn Store, cities: &[CityInfo], year: i32) -> Result<Vec<MissingTargets>> {
    let mut out = Vec::new();
    for c in cities {
        let t = store.target(c.id, year)?;
        let pm2_5 = t.as_ref().is_none_or(|t| t.pm2_5.is_none());
        let good_rate = t.as_ref().is_none_or(|t| t.good_day_ratio_tenths.is_none());
        if pm2_5 || good_rate {
            out.push(MissingTargets { city: c.clone(), pm2_5, good_rate });
        }
    }
    Ok(out)
}

/// The warning that names the cities without targets (`None` when every city has both): printed on
/// stderr by `lantian points` and `lantian incentives`, and put in the `warnings` of their JSON and of
/// `/api/v1/points`. `not_assessed`: the policy applied (the default; `false` only for a points scheme
/// with `[targets] missing = "zero"`, whose missing targets score 0).
pub fn missing_targets_warning(year: i32, missing: &[MissingTargets], not_assessed: bool) -> Option<String> {
    if missing.is_empty() {
        return None;
    }
    let list: Vec<String> = missing
        .iter()
        .map(|m| {
            let what = match (m.pm2_5, m.good_rate) {
                (true, true) => "PM2.5、优良天数率",
                (true, false) => "PM2.5",
                _ => "优良天数率",
            };
            format!("{}（{what}）", m.city.display())
        })
        .collect();
    let policy = if not_assessed {
        "相应目标项不考核 (no target for {year}: not assessed)"
    } else {
        "相应目标项计 0 分 (no target for {year}: scored 0)"
    };
    Some(format!(
        "{} 个城市未下达 {year} 年目标，{}：{}",
        missing.len(),
        policy.replace("{year}", &year.to_string()),
        list.join("、")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn city(name: &str, short: &str, code: u32) -> CityInfo {
        CityInfo {
            id: 1,
            name: name.into(),
            short_name: Some(short.into()),
            code: Some(code),
            province: "四川省".into(),
        }
    }

    #[test]
    fn the_warning_names_each_city_and_what_it_lacks() {
        let missing = vec![
            MissingTargets { city: city("绵阳市", "绵阳", 510700), pm2_5: true, good_rate: true },
            MissingTargets { city: city("雅安市", "雅安", 511800), pm2_5: false, good_rate: true },
        ];
        assert_eq!(
            missing_targets_warning(2022, &missing, true).as_deref(),
            Some(
                "2 个城市未下达 2022 年目标，相应目标项不考核 (no target for 2022: not assessed)：\
                 绵阳（PM2.5、优良天数率）、雅安（优良天数率）"
            )
        );
        let zero = missing_targets_warning(2022, &missing[..1], false).unwrap_or_default();
        assert!(zero.contains("相应目标项计 0 分") && zero.contains("绵阳"), "{zero}");
        assert_eq!(missing_targets_warning(2022, &[], true), None);
    }
}

/// A city's annual targets against the year to date and the same days of the year before (Notice §4:
/// 以月保年 — the year's target is kept month by month): the one computation behind `lantian targets`
/// and the province dashboard.
#[derive(Clone, Debug)]
pub struct TargetProgress {
    pub city: CityInfo,
    pub target: lantian_store::CityTarget,
    /// 1 January to the day asked (dust-excluded, as assessment uses).
    pub year_to_date: PeriodStats,
    /// The same days of the year before (29 February read as 28 February).
    pub last_year: PeriodStats,
}

impl TargetProgress {
    /// The year-to-date PM2.5 is above its target (`None`: no target or no value).
    pub fn pm2_5_at_risk(&self) -> Option<bool> {
        Some(self.year_to_date.stat(Pollutant::Pm2_5).value? > self.target.pm2_5?)
    }
    /// The year-to-date good-day ratio is below its target (`None`: no target or no value).
    pub fn good_rate_at_risk(&self) -> Option<bool> {
        Some(self.year_to_date.good_day_ratio_tenths()? < self.target.good_day_ratio_tenths?)
    }
}

/// The year to date at `at` (1 January to `at`) and the same days of the year before (29 February read
/// as 28 February); `None` outside the calendar.
pub fn year_to_date(at: NaiveDate) -> Option<(Period, Period)> {
    let start = NaiveDate::from_ymd_opt(at.year(), 1, 1)?;
    let last_start = NaiveDate::from_ymd_opt(at.year() - 1, 1, 1)?;
    let last_end = at.with_year(at.year() - 1).or_else(|| NaiveDate::from_ymd_opt(at.year() - 1, at.month(), 28))?;
    Some((
        Period { kind: PeriodKind::YearToDate, start, end: at },
        Period { kind: PeriodKind::YearToDate, start: last_start, end: last_end },
    ))
}

/// The targets of `year` of the cities of `cities` that have them (in that order), each against the year
/// to date at `at` (its year) and the same days of the year before.
pub fn target_progress(store: &dyn Store, cities: &[CityInfo], at: NaiveDate) -> Result<Vec<TargetProgress>> {
    let Some((ytd, before)) = year_to_date(at) else { return Ok(Vec::new()) };
    let with_target: Vec<(CityInfo, lantian_store::CityTarget)> = cities
        .iter()
        .filter_map(|c| store.target(c.id, at.year()).map(|t| t.map(|t| (c.clone(), t))).transpose())
        .collect::<std::result::Result<_, _>>()?;
    let list: Vec<CityInfo> = with_target.iter().map(|(c, _)| c.clone()).collect();
    let now = crate::accountability::assess::assess_cities(store, &list, &ytd, ResultVariant::DustExcluded)?;
    let then = crate::accountability::assess::assess_cities(store, &list, &before, ResultVariant::DustExcluded)?;
    Ok(with_target
        .into_iter()
        .zip(now.into_iter().zip(then))
        .map(|((city, target), (year_to_date, last_year))| TargetProgress { city, target, year_to_date, last_year })
        .collect())
}

/// The columns of the annual targets as a table: machine names (`lantian targets --format csv`, the
/// API's CSV) …
pub const TARGET_COLS: [&str; 12] = [
    "city",
    "year",
    "pm2_5_target",
    "pm2_5_ytd",
    "pm2_5_status",
    "good_rate_target",
    "good_rate_ytd",
    "good_rate_status",
    "heavy_days_max",
    "heavy_days_ytd",
    "pm2_5_last_year",
    "good_rate_last_year",
];

/// … and Chinese headers.
pub const TARGET_ZH: [&str; 12] = [
    "城市",
    "年度",
    "PM2.5目标",
    "PM2.5累计",
    "PM2.5状态",
    "优良率目标(%)",
    "优良率累计(%)",
    "优良率状态",
    "重污染天数上限",
    "重污染天数累计",
    "PM2.5去年同期",
    "优良率去年同期(%)",
];

/// The words of a target status for people (`at_risk`, `on_track`; PM2.5 or the good-day rate).
pub fn target_status_words(code: &str, pm2_5: bool, english: bool) -> &'static str {
    match (code, pm2_5, english) {
        ("on_track", _, false) => "达标",
        ("on_track", _, true) => "on track",
        ("at_risk", true, false) => "超出目标",
        ("at_risk", false, false) => "低于目标",
        ("at_risk", true, true) => "above the target",
        ("at_risk", false, true) => "below the target",
        _ => "",
    }
}

/// The annual targets against the year to date as rows of [`TARGET_COLS`]: status codes (`at_risk`,
/// `on_track`) or, `for_people`, Chinese words. `lantian targets` and the web's table and download.
pub fn target_rows(progress: &[TargetProgress], at: NaiveDate, for_people: bool) -> Vec<Vec<String>> {
    use lantian_core::accountability::ranking::fmt_tenths;
    let status = |risk: Option<bool>, pm2_5: bool| -> String {
        let code = match risk {
            None => return String::new(),
            Some(true) => "at_risk",
            Some(false) => "on_track",
        };
        if for_people {
            target_status_words(code, pm2_5, false).to_string()
        } else {
            code.to_string()
        }
    };
    progress
        .iter()
        .map(|p| {
            let (t, s) = (&p.target, &p.year_to_date);
            vec![
                p.city.display().to_string(),
                at.year().to_string(),
                t.pm2_5.map(|v| v.to_string()).unwrap_or_default(),
                s.stat(Pollutant::Pm2_5).value.map(|v| v.to_string()).unwrap_or_default(),
                status(p.pm2_5_at_risk(), true),
                t.good_day_ratio_tenths.map(fmt_tenths).unwrap_or_default(),
                s.good_day_ratio_tenths().map(fmt_tenths).unwrap_or_default(),
                status(p.good_rate_at_risk(), false),
                t.heavy_days.map(|d| d.to_string()).unwrap_or_default(),
                s.heavy_days.to_string(),
                p.last_year.stat(Pollutant::Pm2_5).value.map(|v| v.to_string()).unwrap_or_default(),
                p.last_year.good_day_ratio_tenths().map(fmt_tenths).unwrap_or_default(),
            ]
        })
        .collect()
}
