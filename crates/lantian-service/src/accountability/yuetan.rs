//! 约谈 triggers for the cities of a scope at a date (`management.md` §2.3): the facts are computed
//! from the same period statistics as the rankings; 168-city ranks come from imported bulletins and
//! interviews from the recorded `yuetan` items.

use chrono::{Datelike, Duration, Months, NaiveDate};
use lantian_core::accountability::ranking::composite_index;
use lantian_core::accountability::yuetan::{evaluate, tiers_2022, Triggered, Window, YuetanFacts};
use lantian_core::air::period::{period_stats, Period, PeriodKind, ResultVariant};
use lantian_core::Pollutant;
use lantian_store::{CityInfo, Store};

use crate::accountability::assess::cities_day_records;
use crate::Result;

/// A city's facts and the conditions that hold.
#[derive(Clone, Debug)]
pub struct CityYuetan {
    pub city: CityInfo,
    pub facts: YuetanFacts,
    pub triggered: Vec<Triggered>,
}

fn window_period(year: i32, w: Window, at: NaiveDate) -> Option<Period> {
    let start = NaiveDate::from_ymd_opt(year, 1, 1)?;
    let end = match w.end_month() {
        Some(m) => {
            let next =
                if m == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, m + 1, 1) };
            next?.pred_opt()?
        }
        None => at,
    };
    // The kind gives the label the national bulletins are imported under (2022-H1, 2022-01..2022-09, 2022).
    let kind = match w {
        Window::HalfYear => PeriodKind::HalfYear,
        Window::Year => PeriodKind::Year,
        Window::JanSep | Window::YearToDate => PeriodKind::YearToDate,
    };
    (end <= at).then_some(Period { kind, start, end })
}

/// Evaluates the triggers for each city at `at` (the windows of `at`'s year that have ended by then).
pub fn yuetan(
    store: &dyn Store,
    cities: &[CityInfo],
    at: NaiveDate,
    variant: ResultVariant,
) -> Result<Vec<CityYuetan>> {
    let year = at.year();
    let from_last = NaiveDate::from_ymd_opt(year - 1, 1, 1).unwrap_or(at);
    let records = cities_day_records(store, cities, from_last, at, variant)?;
    let tiers = tiers_2022();
    let mut out = Vec::new();
    for (city, days) in cities.iter().zip(records) {
        let stats = |p: &Period| period_stats(p, &days);
        let mut facts = YuetanFacts::default();
        for w in [Window::HalfYear, Window::JanSep, Window::Year] {
            if let Some(p) = window_period(year, w, at) {
                let last = p.same_period_last_year();
                let (now, before) = (stats(&p), stats(&last));
                facts.good_days.push((
                    w,
                    (now.valid_days > 0).then_some(now.good_days),
                    (before.valid_days > 0).then_some(before.good_days),
                ));
                facts.rank168.push((
                    w,
                    store.national_rank(city.id, &p.label())?,
                    store.national_rank(city.id, &last.label())?,
                ));
            }
        }
        let ytd =
            Period { kind: PeriodKind::YearToDate, start: NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(at), end: at };
        let ytd_stats = stats(&ytd);
        facts.heavy_days_ytd = ytd_stats.heavy_days;
        if let Some(p) = window_period(year, Window::Year, at) {
            let s = stats(&p);
            let target = store.target(city.id, year)?;
            facts.annual_target_missed = target.map(|t| {
                let pm = match (t.pm2_5, s.stat(Pollutant::Pm2_5).value) {
                    (Some(tv), Some(v)) => v > tv,
                    _ => false,
                };
                let rate = match (t.good_day_ratio_tenths, s.good_day_ratio_tenths()) {
                    (Some(tv), Some(v)) => v < tv,
                    _ => false,
                };
                pm || rate
            });
        }
        // Interviews of the last twelve months whose three following months have ended.
        for a in store.adjustments(city.id, at - Duration::days(366), at)? {
            let (d, item) = (a.date, a.item);
            if item != "yuetan" {
                continue;
            }
            let (Some(start), Some(end)) = (d.succ_opt(), d.checked_add_months(Months::new(3))) else { continue };
            if end > at {
                continue;
            }
            let after = Period { kind: PeriodKind::Range, start, end };
            let before = after.same_period_last_year();
            let before_days = cities_day_records(store, std::slice::from_ref(city), before.start, before.end, variant)?
                .into_iter()
                .next()
                .unwrap_or_default();
            // Indices of different bases (a pollutant without data in one of the periods) are not
            // compared: the year-earlier one is then left out.
            let now = composite_index(&stats(&after));
            let then = composite_index(&period_stats(&before, &before_days))
                .filter(|b| now.as_ref().is_none_or(|n| n.basis == b.basis));
            facts.after_interview.push((d, now.map(|i| i.hundredths), then.map(|i| i.hundredths)));
        }
        let triggered = evaluate(&tiers, &facts);
        out.push(CityYuetan { city: city.clone(), facts, triggered });
    }
    Ok(out)
}
