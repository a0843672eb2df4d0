//! The 100-point city scoring for a period (Notice §4; `management.md` §1.3), from the same rankings,
//! period statistics and targets as everything else.

use chrono::{Datelike, NaiveDate};
use lantian_core::conc::Ratio;
use lantian_core::period::{Period, PeriodKind, ResultVariant};
use lantian_core::points::{score, PointsInput, PointsResult, PointsScheme};
use lantian_core::ranking::competition_ranks;
use lantian_core::Pollutant;
use lantian_store::{CityInfo, Store};

use crate::assess::{assess_cities, rank, Scope};
use crate::Result;

/// One city's points.
#[derive(Clone, Debug)]
pub struct CityPoints {
    pub city: CityInfo,
    pub input: PointsInput,
    pub result: PointsResult,
    /// Rank by total (1 = highest), ties shared.
    pub rank: Option<u32>,
}

/// Scores the cities of a scope for a period with a scheme. Targets come from the store
/// (`lantian import` of `city,year,pm2_5,good_day_ratio`); the year-to-date figures run from 1 January
/// to the end of the period.
pub fn points(
    store: &dyn Store,
    scope: &Scope,
    period: &Period,
    scheme: &PointsScheme,
    variant: ResultVariant,
) -> Result<Vec<CityPoints>> {
    if period.kind == PeriodKind::Year && scheme.annual_mean_of_months {
        return annual_mean(store, scope, period, scheme, variant);
    }
    period_points(store, scope, period, scheme, variant)
}

/// The year as the mean of its months with data (`[aggregation] annual = "mean_of_months"`).
fn annual_mean(
    store: &dyn Store,
    scope: &Scope,
    year: &Period,
    scheme: &PointsScheme,
    variant: ResultVariant,
) -> Result<Vec<CityPoints>> {
    let mut months: Vec<Vec<CityPoints>> = Vec::new();
    for m in 1..=12 {
        let Ok(p) = Period::parse(&format!("{}-{m:02}", year.start.year())) else { continue };
        let scored = period_points(store, scope, &p, scheme, variant)?;
        if scored.iter().any(|c| c.input.rank.is_some()) {
            months.push(scored);
        }
    }
    let Some(first) = months.first() else { return period_points(store, scope, year, scheme, variant) };
    let mut out = Vec::new();
    for c in first {
        let per_month: Vec<&CityPoints> =
            months.iter().filter_map(|m| m.iter().find(|x| x.city.id == c.city.id)).collect();
        let results: Vec<&PointsResult> = per_month.iter().map(|x| &x.result).collect();
        if let Some(result) = lantian_core::points::mean_of_months(scheme, &results) {
            out.push(CityPoints { city: c.city.clone(), input: c.input.clone(), result, rank: None });
        }
    }
    let keys: Vec<Option<i64>> = out.iter().map(|c| Some(-c.result.total_hundredths)).collect();
    for (c, r) in out.iter_mut().zip(competition_ranks(&keys)) {
        c.rank = r;
    }
    out.sort_by_key(|c| (c.rank, c.city.code));
    Ok(out)
}

fn period_points(
    store: &dyn Store,
    scope: &Scope,
    period: &Period,
    scheme: &PointsScheme,
    variant: ResultVariant,
) -> Result<Vec<CityPoints>> {
    let rows = rank(store, scope, period, variant)?;
    let ranked = rows.iter().filter(|r| r.rank.is_some()).count() as u32;
    let change_ranked = rows.iter().filter(|r| r.change_rank.is_some()).count() as u32;
    let ytd = Period {
        kind: PeriodKind::YearToDate,
        start: NaiveDate::from_ymd_opt(period.end.year(), 1, 1).unwrap_or(period.start),
        end: period.end,
    };
    let ytd_stats = assess_cities(store, &scope.cities, &ytd, variant)?;
    let mut out = Vec::new();
    for (row, ytd) in rows.iter().zip(ytd_stats) {
        let target = store.target(row.city.id, period.end.year())?;
        let input = PointsInput {
            ranked,
            rank: row.rank,
            change_ranked,
            change_rank: row.change_rank,
            good_days: row.stats.good_days,
            good_days_last_year: row.base_good_days,
            heavy_days: row.stats.heavy_days,
            severe_days: row.stats.severe_days,
            pm2_5_ytd: ytd.stat(Pollutant::Pm2_5).value,
            pm2_5_target: target.as_ref().and_then(|t| t.pm2_5),
            good_rate_ytd: ytd.good_day_ratio_tenths().map(|t| Ratio::new(i128::from(t), 10)),
            good_rate_target: target
                .as_ref()
                .and_then(|t| t.good_day_ratio_tenths)
                .map(|t| Ratio::new(i128::from(t), 10)),
            adjustments: store
                .adjustments(row.city.id, period.start, period.end)?
                .into_iter()
                .map(|(d, item, evidence, approver)| (item, format!("{d} {evidence}（{approver}）")))
                .collect(),
            tasks: if scheme.task_max.is_some() {
                crate::tasks::task_score_inputs(store, row.city.id, period.end)?
            } else {
                Vec::new()
            },
        };
        let result = score(scheme, &input);
        out.push(CityPoints { city: row.city.clone(), input, result, rank: None });
    }
    let keys: Vec<Option<i64>> = out.iter().map(|c| Some(-c.result.total_hundredths)).collect();
    for (c, r) in out.iter_mut().zip(competition_ranks(&keys)) {
        c.rank = r;
    }
    out.sort_by_key(|c| (c.rank, c.city.code));
    Ok(out)
}
