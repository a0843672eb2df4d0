//! The 100-point city scoring for a period (Notice §4; `management.md` §1.3), from the same rankings,
//! period statistics and targets as everything else.

use chrono::{Datelike, NaiveDate};
use lantian_core::accountability::points::{
    score_input, MonthInput, PointsInput, PointsResult, PointsScheme, ScoreInput,
};
use lantian_core::accountability::ranking::competition_ranks;
use lantian_core::air::conc::Ratio;
use lantian_core::air::period::{Period, PeriodKind, ResultVariant};
use lantian_core::Pollutant;
use lantian_store::{CityInfo, Store};

use crate::accountability::assess::{assess_cities, rank, Scope};
use crate::Result;

/// One city's points.
#[derive(Clone, Debug)]
pub struct CityPoints {
    pub city: CityInfo,
    /// What the result is computed from (`--publish` stores it; `--reproduce` scores it again).
    pub input: ScoreInput,
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

/// The year as the mean of its months with data (`[aggregation] annual = "mean_of_months"`). Every
/// month's input is kept ([`ScoreInput::MeanOfMonths`]), so that a published year reproduces from what
/// was stored (issue 11 §3.10: storing one month's input could not).
fn annual_mean(
    store: &dyn Store,
    scope: &Scope,
    year: &Period,
    scheme: &PointsScheme,
    variant: ResultVariant,
) -> Result<Vec<CityPoints>> {
    let mut months: Vec<(String, Vec<(CityInfo, PointsInput)>)> = Vec::new();
    for m in 1..=12 {
        let label = format!("{}-{m:02}", year.start.year());
        let Ok(p) = Period::parse(&label) else { continue };
        let inputs = period_inputs(store, scope, &p, scheme, variant)?;
        if inputs.iter().any(|(_, x)| x.rank.is_some()) {
            months.push((label, inputs));
        }
    }
    let Some((_, first)) = months.first() else { return period_points(store, scope, year, scheme, variant) };
    let mut out = Vec::new();
    for (city, _) in first {
        let input = ScoreInput::MeanOfMonths {
            months: months
                .iter()
                .filter_map(|(label, m)| {
                    m.iter()
                        .find(|(c, _)| c.id == city.id)
                        .map(|(_, x)| MonthInput { month: label.clone(), input: x.clone() })
                })
                .collect(),
        };
        if let Some(result) = score_input(scheme, &input) {
            out.push(CityPoints { city: city.clone(), input, result, rank: None });
        }
    }
    Ok(ranked(out))
}

/// Ranks by total (1 = highest, ties shared) and sorts.
fn ranked(mut out: Vec<CityPoints>) -> Vec<CityPoints> {
    let keys: Vec<Option<i64>> = out.iter().map(|c| Some(-c.result.total_hundredths)).collect();
    for (c, r) in out.iter_mut().zip(competition_ranks(&keys)) {
        c.rank = r;
    }
    out.sort_by_key(|c| (c.rank, c.city.code));
    out
}

fn period_points(
    store: &dyn Store,
    scope: &Scope,
    period: &Period,
    scheme: &PointsScheme,
    variant: ResultVariant,
) -> Result<Vec<CityPoints>> {
    let mut out = Vec::new();
    for (city, x) in period_inputs(store, scope, period, scheme, variant)? {
        let input = ScoreInput::Period(x);
        if let Some(result) = score_input(scheme, &input) {
            out.push(CityPoints { city, input, result, rank: None });
        }
    }
    Ok(ranked(out))
}

/// Each city's scoring input for one period, from the ranking, the year-to-date statistics, the targets
/// of the period's year, the adjustments and (with C5c) the target tasks.
fn period_inputs(
    store: &dyn Store,
    scope: &Scope,
    period: &Period,
    scheme: &PointsScheme,
    variant: ResultVariant,
) -> Result<Vec<(CityInfo, PointsInput)>> {
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
                .map(|a| (a.item.clone(), adjustment_description(&a)))
                .collect(),
            tasks: if scheme.task_max.is_some() {
                crate::accountability::tasks::task_score_inputs(store, row.city.id, period.end)?
            } else {
                Vec::new()
            },
        };
        out.push((row.city.clone(), input));
    }
    Ok(out)
}

/// An item as `--explain`, the API and the published inputs describe it: date, evidence and the
/// authority named in the file, and who approved it on the platform and when (issue 12 §3; items stored
/// before approvals were recorded show none).
pub fn adjustment_description(a: &lantian_store::AdjustmentRow) -> String {
    match (&a.approved_by, &a.approved_at) {
        (Some(by), Some(at)) => format!("{} {}（{}；{by} 审批 {at}）", a.date, a.evidence, a.approver),
        _ => format!("{} {}（{}）", a.date, a.evidence, a.approver),
    }
}
