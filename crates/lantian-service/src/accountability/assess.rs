//! Period assessment and rankings (`assessment.md` §4, `ranking.md`): statistics per station, city,
//! region and province; composite index; ranking and change ranking.

use chrono::NaiveDate;
use lantian_core::accountability::ranking::{
    attains_grade_ii, change_rate_between, competition_ranks, composite_index, rankable, scope_basis,
    three_year_baseline, AttainedChangePolicy, CompositeIndex, ThreeYearBaseline,
};
use lantian_core::air::period::{dust_excluded, period_stats, DayRecord, Period, PeriodStats, ResultVariant};
use lantian_core::regions::cities::{RegionId, SICHUAN_CITIES};
use lantian_store::{CityInfo, StationInfo, Store};

use crate::air::aqi::DailySource;
use crate::{Result, ServiceError};

/// A city's daily records over `from..=to` (from its stations, else imported daily values); with
/// [`ResultVariant::DustExcluded`], the imported dust-affected days are deducted ([`dust_excluded`]).
/// An imported day with a published AQI is classified by it ([`crate::air::aqi::imported_day`],
/// [`DayRecord::published`]): good days, level days, heavy days and valid days of every assessment,
/// ranking, score, 约谈 fact and budget follow the publisher; the concentration statistics come from
/// the daily values.
pub fn city_day_records(
    store: &dyn Store,
    city: &CityInfo,
    from: NaiveDate,
    to: NaiveDate,
    variant: ResultVariant,
) -> Result<Vec<DayRecord>> {
    Ok(cities_day_records(store, std::slice::from_ref(city), from, to, variant)?.into_iter().next().unwrap_or_default())
}

/// [`city_day_records`] for many cities in one pass over the stored days.
pub fn cities_day_records(
    store: &dyn Store,
    cities: &[CityInfo],
    from: NaiveDate,
    to: NaiveDate,
    variant: ResultVariant,
) -> Result<Vec<Vec<DayRecord>>> {
    let daily = crate::air::aqi::cities_daily(store, cities, from, to)?;
    cities
        .iter()
        .zip(daily)
        .map(|(city, values)| {
            let dust = match variant {
                ResultVariant::Raw => Vec::new(),
                ResultVariant::DustExcluded => store.dust_days(city.id, from, to)?,
            };
            Ok(values
                .into_iter()
                .map(|v| {
                    let d = DayRecord {
                        date: v.date,
                        values: v.values,
                        aqi: v.result.aqi,
                        primary: v.result.primary,
                        in_day_counts: true,
                        published: matches!(v.source, DailySource::Imported { published_aqi: Some(_), .. }),
                    };
                    if dust.binary_search(&d.date).is_ok() {
                        dust_excluded(&d)
                    } else {
                        d
                    }
                })
                .collect())
        })
        .collect()
}

/// Statistics of each city over a period.
pub fn assess_cities(
    store: &dyn Store,
    cities: &[CityInfo],
    period: &Period,
    variant: ResultVariant,
) -> Result<Vec<PeriodStats>> {
    Ok(cities_day_records(store, cities, period.start, period.end, variant)?
        .iter()
        .map(|d| period_stats(period, d))
        .collect())
}

/// Statistics of each station over a period.
pub fn assess_stations(store: &dyn Store, stations: &[StationInfo], period: &Period) -> Result<Vec<PeriodStats>> {
    let mut per: Vec<Vec<DayRecord>> = vec![Vec::new(); stations.len()];
    let index: std::collections::HashMap<i64, usize> = stations.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    crate::for_each_station_daily(store, stations, period.start, period.end, |r| {
        if let Some(i) = index.get(&r.station.id) {
            per[*i].push(DayRecord {
                date: r.date,
                values: r.values,
                aqi: r.result.aqi,
                primary: r.result.primary,
                in_day_counts: true,
                published: false,
            });
        }
    })?;
    Ok(per.iter().map(|d| period_stats(period, d)).collect())
}

/// A named group of cities to rank or assess.
#[derive(Clone, Debug)]
pub struct Scope {
    pub name: String,
    pub cities: Vec<CityInfo>,
}

/// Resolves a scope: `四川` / `sichuan` (the 21 cities, default), a region (`成都平原`, `川南`,
/// `川东北`, `攀西`, `川西北`), `all` (every city in the store), or a comma-separated list of cities.
pub fn resolve_scope(store: &dyn Store, name: Option<&str>) -> Result<Scope> {
    let all = store.cities()?;
    let sichuan = |codes: &[u32]| -> Vec<CityInfo> {
        codes.iter().filter_map(|c| all.iter().find(|x| x.code == Some(*c)).cloned()).collect()
    };
    let n = name.unwrap_or("四川").trim();
    if matches!(n, "四川" | "四川省" | "sichuan" | "Sichuan" | "province") {
        let codes: Vec<u32> = SICHUAN_CITIES.iter().map(|c| c.code).collect();
        return Ok(Scope { name: "四川省".into(), cities: sichuan(&codes) });
    }
    if n.eq_ignore_ascii_case("all") {
        return Ok(Scope { name: "全部城市".into(), cities: all });
    }
    // Regions by their exact names (成都平原, 川南, 川东北, 攀西, 川西北[生态示范区]), with an optional 经济区 /
    // 地区 suffix — never by prefix: "成都" is a city, not the 成都平原 region.
    let region = RegionId::ALL.iter().find(|r| {
        let name = r.name_zh();
        let short = name.strip_suffix("生态示范区").unwrap_or(name);
        [name, short].iter().any(|x| n == *x || n.strip_suffix("经济区").or_else(|| n.strip_suffix("地区")) == Some(*x))
    });
    if let Some(r) = region {
        let codes: Vec<u32> = SICHUAN_CITIES.iter().filter(|c| c.region == *r).map(|c| c.code).collect();
        return Ok(Scope { name: r.name_zh().into(), cities: sichuan(&codes) });
    }
    let mut cities = Vec::new();
    for part in n.split([',', '，', '、']).map(str::trim).filter(|p| !p.is_empty()) {
        let c = store.resolve_city(part)?.ok_or_else(|| ServiceError::Request(format!("unknown city {part:?}")))?;
        cities.push(c);
    }
    if cities.is_empty() {
        return Err(ServiceError::Request(format!("empty scope {n:?}")));
    }
    Ok(Scope { name: n.to_string(), cities })
}

/// One city's line of a ranking.
#[derive(Clone, Debug)]
pub struct RankingRow {
    pub city: CityInfo,
    pub stats: PeriodStats,
    pub index: Option<CompositeIndex>,
    /// Rank by composite index (1 = best), `None` when not ranked.
    pub rank: Option<u32>,
    /// Why the city is not ranked.
    pub not_ranked: Option<String>,
    /// Composite index of the same period last year, hundredths.
    pub base_hundredths: Option<i64>,
    /// Change rate in tenths of a percent.
    pub change_tenths: Option<i64>,
    /// Rank by change rate (1 = most improved).
    pub change_rank: Option<u32>,
    /// Good days of the same period last year (when it had valid days).
    pub base_good_days: Option<u32>,
    /// All six pollutants meet grade II over the period (`None`: a statistic is missing).
    pub attained: Option<bool>,
    /// Why the city's change is left out of the change ranking ([`AttainedChangePolicy`]).
    pub change_excluded: Option<String>,
    /// The three-year-mean baseline of PM2.5 and the good-day ratio, when asked for.
    pub three_year: Option<ThreeYearBaseline>,
}

/// How a ranking is made beyond scope and period.
#[derive(Clone, Copy, Debug, Default)]
pub struct RankOptions {
    pub variant: ResultVariant,
    /// Attaining cities in the change ranking (`ranking.md` §4).
    pub attained: AttainedChangePolicy,
    /// Also compute the three-year-mean baseline (three more periods to assess).
    pub three_year: bool,
}

/// Why a city's statistics cannot be ranked: a pollutant with some valid days, but fewer than the
/// validity minimum. A pollutant without any valid day is out of the composite index's basis instead
/// ([`CompositeIndex::basis`]).
fn not_ranked_reason(stats: &PeriodStats) -> Option<String> {
    let short: Vec<&str> = lantian_core::accountability::ranking::INDEX_POLLUTANTS
        .iter()
        .filter(|p| stats.stat(**p).valid_days > 0 && !stats.stat(**p).meets_minimum)
        .map(|p| p.label())
        .collect();
    (!short.is_empty()).then(|| format!("有效天数不足 valid days below the minimum: {}", short.join(", ")))
}

/// Ranks the cities of a scope for a period by composite index, with the change against the same
/// period of the previous year (`ranking.md` §3–4). Cities whose statistics miss a validity minimum
/// are listed, not ranked. Only indices of the same basis are compared ([`CompositeIndex::basis`]): a
/// city whose index lacks a pollutant that another city of the scope has is listed, not ranked (nor
/// change-ranked), with the reason; a change rate between indices of different bases is not computed.
/// The order a ranking is read in (`ranking.md` §4): by rank — the best composite index first — or by
/// the rank of the change rate (the most improved first); ties and unranked cities (last) by city code.
/// The one order of `lantian rank`, `/api/v1/rankings` and the `/ranking` page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RankOrder {
    Composite,
    Change,
}

/// Sorts ranking rows in `order` ([`RankOrder`]).
pub fn order_rows(rows: &mut [RankingRow], order: RankOrder) {
    match order {
        RankOrder::Composite => rows.sort_by_key(|r| (r.rank.unwrap_or(u32::MAX), r.city.code)),
        RankOrder::Change => rows.sort_by_key(|r| (r.change_rank.unwrap_or(u32::MAX), r.city.code)),
    }
}

pub fn rank(store: &dyn Store, scope: &Scope, period: &Period, variant: ResultVariant) -> Result<Vec<RankingRow>> {
    rank_with(store, scope, period, &RankOptions { variant, ..RankOptions::default() })
}

/// [`rank`] with a policy for attaining cities in the change ranking (`ranking.md` §4): under
/// `ExcludeFromWorsening` an attaining city that deteriorated, under `ExcludeEntirely` every attaining
/// city, gets no change rank (its change rate is still shown, with the reason).
pub fn rank_with(store: &dyn Store, scope: &Scope, period: &Period, options: &RankOptions) -> Result<Vec<RankingRow>> {
    let (variant, policy) = (options.variant, options.attained);
    // The three previous same periods, when the three-year baseline is asked for.
    let earlier: Option<[Vec<PeriodStats>; 3]> = if options.three_year {
        let p1 = period.same_period_last_year();
        let p2 = p1.same_period_last_year();
        let p3 = p2.same_period_last_year();
        Some([
            assess_cities(store, &scope.cities, &p1, variant)?,
            assess_cities(store, &scope.cities, &p2, variant)?,
            assess_cities(store, &scope.cities, &p3, variant)?,
        ])
    } else {
        None
    };
    let limits = lantian_core::air::standards::Limits::for_date(period.end);
    let base_period = period.same_period_last_year();
    let current = assess_cities(store, &scope.cities, period, variant)?;
    let base = assess_cities(store, &scope.cities, &base_period, variant)?;
    let mut rows = Vec::new();
    for (k, ((city, stats), base)) in scope.cities.iter().zip(current).zip(base).enumerate() {
        let three_year =
            earlier.as_ref().map(|e| three_year_baseline(&stats, &[e[0][k].clone(), e[1][k].clone(), e[2][k].clone()]));
        let index = composite_index(&stats);
        let not_ranked = match &index {
            None => Some("无污染物统计 no pollutant has a valid day".to_string()),
            Some(_) => not_ranked_reason(&stats),
        };
        let base_index = composite_index(&base).filter(|_| not_ranked_reason(&base).is_none());
        let base_hundredths = base_index.as_ref().map(|i| i.hundredths);
        let (change_tenths, change_basis) = match (&index, &base_index, &not_ranked) {
            (Some(i), Some(b), None) => match change_rate_between(i, b) {
                Ok(c) => (c, None),
                Err(why) => (None, Some(why)),
            },
            _ => (None, None),
        };
        let attained = attains_grade_ii(&stats, limits);
        let change_excluded = change_basis.or_else(|| policy.exclusion(attained, change_tenths).map(str::to_string));
        rows.push(RankingRow {
            city: city.clone(),
            attained,
            change_excluded,
            three_year,
            stats,
            index,
            rank: None,
            not_ranked,
            base_hundredths,
            change_tenths,
            change_rank: None,
            base_good_days: (base.valid_days > 0).then_some(base.good_days),
        });
    }
    // The pollutants the ranked cities' indices compare: a city lacking one of them is not ranked.
    let basis = scope_basis(rows.iter().filter(|r| r.not_ranked.is_none()).filter_map(|r| r.index.as_ref()));
    for r in rows.iter_mut().filter(|r| r.not_ranked.is_none()) {
        if let Some(Err(why)) = r.index.as_ref().map(|i| rankable(i, &basis)) {
            r.not_ranked = Some(why.clone());
            r.change_excluded.get_or_insert(why);
        }
    }
    let by_index: Vec<Option<i64>> = rows
        .iter()
        .map(|r| if r.not_ranked.is_none() { r.index.as_ref().map(|i| i.hundredths) } else { None })
        .collect();
    let by_change: Vec<Option<i64>> =
        rows.iter().map(|r| if r.change_excluded.is_some() { None } else { r.change_tenths }).collect();
    for ((r, rank), crank) in rows.iter_mut().zip(competition_ranks(&by_index)).zip(competition_ranks(&by_change)) {
        r.rank = rank;
        r.change_rank = crank;
    }
    Ok(rows)
}

/// The last natural day with data: the last complete natural day of hourly station data (label day
/// L's hour 0 closes the natural day L − 1) or the last imported daily city value, whichever is later.
/// The default "as of" date of the commands that judge a year to date (`yuetan`, `targets`), never the
/// machine's date.
pub fn last_data_day(store: &dyn Store) -> Result<Option<chrono::NaiveDate>> {
    let hourly = store.station_date_range()?.and_then(|(_, last)| last.pred_opt());
    let daily = store.city_daily_last_date()?;
    Ok(hourly.max(daily))
}
