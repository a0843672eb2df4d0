//! Hourly AQI, station daily values and city daily values.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use lantian_core::aqi::{daily_aqi, realtime_aqi, AqiResult, DailyInput, HourlyInput, RealTimeConvention};
use lantian_core::daily::{city_day, city_hour_value, evaluate_day, evaluate_label_days, DailyExact};
use lantian_core::hours::{has_pollutant_values, hourly_input, label_time, natural_day, LabelDay};
use lantian_core::{Conc, Pollutant, SeriesType, StandardSet};
use std::collections::HashMap;

use lantian_store::{codec, BlockKind, CityInfo, StationFilter, StationInfo, Store, StoreError};
use rayon::prelude::*;

use crate::{Result, ServiceError};

/// One station-hour of the real-time report.
#[derive(Clone, Debug)]
pub struct HourlyRow<'a> {
    pub station: &'a StationInfo,
    /// End of the averaging hour (as the source labels it), Beijing time.
    pub time: NaiveDateTime,
    /// The label day the hour belongs to and its label hour (concentrations are read from it).
    pub day: &'a LabelDay,
    pub hour: usize,
    pub result: AqiResult,
}

impl HourlyRow<'_> {
    /// The hour's 1-hour concentration of a pollutant.
    pub fn conc(&self, p: Pollutant) -> Option<Conc> {
        self.day.get(SeriesType::hourly(p), self.hour)
    }
    /// The AQI the publisher published for this hour, if the source carried it.
    pub fn published_aqi(&self) -> Option<u32> {
        self.day.get(SeriesType::Aqi, self.hour).map(|c| (c.milli() / 1000) as u32)
    }
}

/// Label dates that hold the natural days `from..=to` (one more at the end).
fn label_range(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    (from, to + Duration::days(1))
}

/// Label dates read from the store at a time; decoding and computing run in parallel over them.
const CHUNK_DAYS: i64 = 4;

/// The selection passed to the store: `None` (all) when most stations are wanted.
fn selection(store: &dyn Store, stations: &[StationInfo]) -> Result<Option<Vec<i64>>> {
    let mut ids: Vec<i64> = stations.iter().map(|s| s.id).collect();
    ids.sort_unstable();
    ids.dedup();
    let total = store.station_count()? as usize;
    Ok(if ids.len() * 2 > total {
        if ids.len() == total {
            None
        } else {
            Some(ids)
        }
    } else {
        Some(ids)
    })
}

/// One label date's station label days, ordered by station id.
type DateDays = (NaiveDate, Vec<(i64, LabelDay)>);
/// One label date's encoded station label days.
type DateBlobs = (NaiveDate, Vec<(i64, Vec<u8>)>);

/// Decoded label days of `dates`, per date ordered by station id.
fn load(store: &dyn Store, kind: BlockKind, dates: &[NaiveDate], sel: Option<&[i64]>) -> Result<Vec<DateDays>> {
    let blobs: Vec<DateBlobs> =
        dates.iter().map(|d| Ok((*d, store.day_blobs_on(kind, *d, sel)?))).collect::<Result<_>>()?;
    blobs
        .into_par_iter()
        .map(|(d, v)| {
            let mut days: Vec<(i64, LabelDay)> = Vec::with_capacity(v.len());
            for (id, b) in v {
                let k = days.len();
                days.push((id, LabelDay::default()));
                if !codec::decode_into(&b, &mut days[k].1) {
                    return Err(StoreError::Corrupt(format!("station_day {id} {d}")).into());
                }
            }
            Ok((d, days))
        })
        .collect()
}

/// Calls `f` for every station-hour with data whose hour lies within the natural days `from..=to`
/// (label times from `from` 01:00 to `to`+1 00:00), in time order, and within an hour in the order of
/// `stations`. Decoding and the AQI run in parallel; `f` runs on the calling thread.
pub fn for_each_hourly(
    store: &dyn Store,
    stations: &[StationInfo],
    from: NaiveDate,
    to: NaiveDate,
    conv: RealTimeConvention,
    mut f: impl FnMut(&HourlyRow<'_>),
) -> Result<()> {
    let (lf, lt) = label_range(from, to);
    let order: HashMap<i64, usize> = stations.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let sel = selection(store, stations)?;
    let mut d = lf;
    while d <= lt {
        let end = (d + Duration::days(CHUNK_DAYS - 1)).min(lt);
        let dates: Vec<NaiveDate> = d.iter_days().take_while(|x| *x <= end).collect();
        let loaded = load(store, BlockKind::Station, &dates, sel.as_deref())?;
        let rows: Vec<Vec<HourlyRow<'_>>> = loaded
            .par_iter()
            .map(|(date, days)| {
                let mut days: Vec<(usize, &LabelDay)> =
                    days.iter().filter_map(|(id, day)| order.get(id).map(|i| (*i, day))).collect();
                days.sort_unstable_by_key(|(i, _)| *i);
                let mut out = Vec::with_capacity(days.len() * 24);
                for h in 0..24 {
                    if (*date == lf && h == 0) || (*date == lt && h > 0) {
                        continue;
                    }
                    let (time, set) = hour_context(*date, h);
                    for (i, day) in &days {
                        if let Some(r) = hourly_row_at(&stations[*i], time, set, day, h, conv) {
                            out.push(r);
                        }
                    }
                }
                out
            })
            .collect();
        for r in rows.iter().flatten() {
            f(r);
        }
        d = end + Duration::days(1);
    }
    Ok(())
}

/// The real-time report of one label hour, `None` when no pollutant was measured.
pub fn hourly_row<'a>(
    st: &'a StationInfo,
    date: NaiveDate,
    day: &'a LabelDay,
    h: usize,
    conv: RealTimeConvention,
) -> Option<HourlyRow<'a>> {
    let (time, set) = hour_context(date, h);
    hourly_row_at(st, time, set, day, h, conv)
}

/// The end time of label hour `h` of `date` and the standard set of the natural day it belongs to
/// (label hour 0 closes the previous day).
fn hour_context(date: NaiveDate, h: usize) -> (NaiveDateTime, StandardSet) {
    let natural = if h == 0 { date.pred_opt().unwrap_or(date) } else { date };
    (label_time(date, h as u32), StandardSet::for_date(natural))
}

fn hourly_row_at<'a>(
    st: &'a StationInfo,
    time: NaiveDateTime,
    set: StandardSet,
    day: &'a LabelDay,
    h: usize,
    conv: RealTimeConvention,
) -> Option<HourlyRow<'a>> {
    let input = hourly_input(day, h);
    if [input.so2, input.no2, input.co, input.o3, input.pm10, input.pm2_5].iter().all(Option::is_none) {
        return None;
    }
    Some(HourlyRow { station: st, time, day, hour: h, result: realtime_aqi(set, conv, &input) })
}

/// One station's daily evaluation.
#[derive(Clone, Debug)]
pub struct StationDailyRow<'a> {
    pub station: &'a StationInfo,
    pub date: NaiveDate,
    pub exact: DailyExact,
    pub values: DailyInput,
    pub result: AqiResult,
}

/// Calls `f` for each station and natural day in `from..=to` that has any hourly data, in date order
/// and within a date in the order of `stations`. Computed in parallel; `f` runs on the calling thread.
///
/// Station daily evaluations are cached in the store per natural day and chunk of 64 stations; the
/// store drops an entry whenever a label day it depends on changes (`lantian_store` schema 3), so a
/// cached evaluation always equals a fresh one. Missing entries are computed and stored.
pub fn for_each_station_daily(
    store: &dyn Store,
    stations: &[StationInfo],
    from: NaiveDate,
    to: NaiveDate,
    mut f: impl FnMut(&StationDailyRow<'_>),
) -> Result<()> {
    for_each_station_day_exact(store, stations, from, to, |date, rows| {
        let built: Vec<StationDailyRow<'_>> = rows
            .par_iter()
            .map(|(st, exact)| {
                let values = exact.rounded();
                let result = daily_aqi(StandardSet::for_date(date), &values);
                StationDailyRow { station: st, date, exact: **exact, values, result }
            })
            .collect();
        for r in &built {
            f(r);
        }
    })
}

/// The exact daily evaluations of `stations` for each natural day in `from..=to`, a day at a time in
/// date order, each day's rows in the order of `stations` (cached in the store, see
/// [`for_each_station_daily`]).
pub fn for_each_station_day_exact<'s>(
    store: &dyn Store,
    stations: &'s [StationInfo],
    from: NaiveDate,
    to: NaiveDate,
    mut f: impl FnMut(NaiveDate, &[(&'s StationInfo, &DailyExact)]),
) -> Result<()> {
    // Natural days that can hold data: label days first..=last hold natural days first−1..=last.
    let Some((first, last)) = store.station_date_range()? else { return Ok(()) };
    let from = from.max(first - Duration::days(1));
    let to = to.min(last);
    let order: HashMap<i64, usize> = stations.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let mut chunks: Vec<i64> = stations.iter().map(|s| s.id.div_euclid(codec::CHUNK)).collect();
    chunks.sort_unstable();
    chunks.dedup();
    let mut to_store: Vec<(NaiveDate, i64, Vec<u8>)> = Vec::new();
    let generation = store.data_generation()?;
    let mut d = from;
    while d <= to {
        let end = (d + Duration::days(CHUNK_DAYS - 1)).min(to);
        let dates: Vec<NaiveDate> = d.iter_days().take_while(|x| *x <= end).collect();
        // Cached evaluations per date: chunk → (station id, evaluation).
        let mut cached: Vec<HashMap<i64, Vec<(i64, DailyExact)>>> = Vec::with_capacity(dates.len());
        for x in &dates {
            let mut m = HashMap::new();
            for (c, b) in store.daily_cache_on(*x, &chunks)? {
                if let Some(v) = codec::daily::decode(c, &b) {
                    m.insert(c, v);
                }
            }
            cached.push(m);
        }
        let missing: Vec<(usize, i64)> = cached
            .iter()
            .enumerate()
            .flat_map(|(k, m)| chunks.iter().filter(|c| !m.contains_key(c)).map(move |c| (k, *c)))
            .collect();
        if !missing.is_empty() {
            to_store.extend(compute_missing(store, &dates, &missing, &mut cached)?);
        }
        for (date, m) in dates.iter().zip(&cached) {
            let mut refs: Vec<(usize, &DailyExact)> =
                m.values().flatten().filter_map(|(id, exact)| Some((*order.get(id)?, exact))).collect();
            refs.sort_unstable_by_key(|(i, _)| *i);
            let rows: Vec<(&StationInfo, &DailyExact)> = refs.into_iter().map(|(i, e)| (&stations[i], e)).collect();
            f(*date, &rows);
        }
        d = end + Duration::days(1);
    }
    // One transaction for everything computed; skipped if an import changed the data meanwhile.
    if !to_store.is_empty() {
        store.put_daily_cache(generation, &to_store)?;
    }
    Ok(())
}

/// Computes the evaluations of the `(date index, chunk)` pairs that were not cached; returns their
/// encodings for the store.
fn compute_missing(
    store: &dyn Store,
    dates: &[NaiveDate],
    missing: &[(usize, i64)],
    cached: &mut [HashMap<i64, Vec<(i64, DailyExact)>>],
) -> Result<Vec<(NaiveDate, i64, Vec<u8>)>> {
    let mut mchunks: Vec<i64> = missing.iter().map(|(_, c)| *c).collect();
    mchunks.sort_unstable();
    mchunks.dedup();
    let ids: Vec<i64> = mchunks.iter().flat_map(|c| c * codec::CHUNK..(c + 1) * codec::CHUNK).collect();
    let first = missing.iter().map(|(k, _)| *k).min().unwrap_or(0);
    let last = missing.iter().map(|(k, _)| *k).max().unwrap_or(0);
    // Label days first..=last+1: natural day D needs label days D and D+1.
    let label_dates: Vec<NaiveDate> = dates[first].iter_days().take(last - first + 2).collect();
    let loaded = load(store, BlockKind::Station, &label_dates, Some(&ids))?;
    let mut computed: Vec<HashMap<i64, Vec<(i64, DailyExact)>>> = loaded
        .par_windows(2)
        .map(|w| {
            let ((date, this), (_, next)) = (&w[0], &w[1]);
            let mut by_chunk: HashMap<i64, Vec<(i64, DailyExact)>> = HashMap::new();
            for (id, day) in this {
                let nx = next.binary_search_by_key(id, |(nid, _)| *nid).ok().map(|k| &next[k].1);
                let exact = evaluate_label_days(*date, Some(day), nx);
                // A natural day with no pollutant value at all is no station-day.
                if exact.valid_hours.iter().all(|n| *n == 0) {
                    continue;
                }
                by_chunk.entry(id.div_euclid(codec::CHUNK)).or_default().push((*id, exact));
            }
            by_chunk
        })
        .collect();
    let mut to_store = Vec::with_capacity(missing.len());
    for (k, c) in missing {
        let entries = computed.get_mut(k - first).and_then(|m| m.remove(c)).unwrap_or_default();
        if let Some(b) = codec::daily::encode(&entries) {
            to_store.push((dates[*k], *c, b));
        }
        cached[*k].insert(*c, entries);
    }
    Ok(to_store)
}

/// The daily evaluation of one station's natural day from its two label days.
pub fn station_daily_row<'a>(
    st: &'a StationInfo,
    date: NaiveDate,
    this: Option<&LabelDay>,
    next: Option<&LabelDay>,
) -> Option<StationDailyRow<'a>> {
    let hours = natural_day(this, next);
    if hours.0.iter().all(|p| p.iter().all(Option::is_none)) {
        return None;
    }
    let exact = evaluate_day(date, &hours);
    let values = exact.rounded();
    let result = daily_aqi(StandardSet::for_date(date), &values);
    Some(StationDailyRow { station: st, date, exact, values, result })
}

/// Where a city's daily value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DailySource {
    /// Computed from the city's evaluation stations (control stations excluded).
    Stations { count: usize },
    /// Imported daily values (the source's kind, e.g. `city-daily`, `aqistudy-daily`).
    Imported { source: String, published_aqi: Option<u32> },
}

/// A city's daily value.
#[derive(Clone, Debug)]
pub struct CityDailyValue {
    pub date: NaiveDate,
    pub values: DailyInput,
    pub result: AqiResult,
    pub source: DailySource,
}

/// A city's daily values for `from..=to`: from its evaluation stations' hourly data where there is
/// any (`assessment.md` §1.2), else from imported daily values.
pub fn city_daily(store: &dyn Store, city: &CityInfo, from: NaiveDate, to: NaiveDate) -> Result<Vec<CityDailyValue>> {
    Ok(cities_daily(store, std::slice::from_ref(city), from, to)?.into_iter().next().unwrap_or_default())
}

/// [`city_daily`] for many cities in one pass over the stored days (each date is read once for all
/// the cities' stations).
pub fn cities_daily(
    store: &dyn Store,
    cities: &[CityInfo],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Vec<CityDailyValue>>> {
    let index: HashMap<i64, usize> = cities.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let stations: Vec<StationInfo> = store
        .stations(&lantian_store::StationFilter { codes: vec![], city_ids: cities.iter().map(|c| c.id).collect() })?
        .into_iter()
        .filter(|s| !s.is_control)
        .collect();
    let city_of: HashMap<i64, usize> =
        stations.iter().filter_map(|s| s.city.as_ref().and_then(|c| index.get(&c.id)).map(|i| (s.id, *i))).collect();
    let mut per_day: Vec<std::collections::BTreeMap<NaiveDate, Vec<DailyExact>>> =
        vec![Default::default(); cities.len()];
    if !stations.is_empty() {
        for_each_station_day_exact(store, &stations, from, to, |date, rows| {
            for (st, exact) in rows {
                if let Some(i) = city_of.get(&st.id) {
                    per_day[*i].entry(date).or_default().push(**exact);
                }
            }
        })?;
    }
    let mut all = Vec::with_capacity(cities.len());
    for (city, days_of_city) in cities.iter().zip(per_day) {
        let mut out: Vec<CityDailyValue> = Vec::new();
        for (date, days) in days_of_city {
            let exact = city_day(&days);
            let values = exact.rounded();
            out.push(CityDailyValue {
                date,
                values,
                result: daily_aqi(StandardSet::for_date(date), &values),
                source: DailySource::Stations { count: days.len() },
            });
        }
        let mut imported: Vec<CityDailyValue> = Vec::new();
        let mut last: Option<NaiveDate> = None;
        for row in store.city_daily(city.id, from, to)? {
            if out.binary_search_by_key(&row.date, |v| v.date).is_ok() || last == Some(row.date) {
                continue;
            }
            last = Some(row.date);
            let r = &row.record;
            // Imported values may carry decimals; they are rounded as a published daily value is.
            let rounded = DailyInput {
                so2: r.so2.map(|c| c.round(0)),
                no2: r.no2.map(|c| c.round(0)),
                co: r.co.map(|c| c.round(1)),
                pm10: r.pm10.map(|c| c.round(0)),
                pm2_5: r.pm2_5.map(|c| c.round(0)),
                o3_max_1h: r.o3_max_1h.map(|c| c.round(0)),
                o3_mda8: r.o3_mda8.map(|c| c.round(0)),
            };
            imported.push(CityDailyValue {
                date: row.date,
                values: rounded,
                result: daily_aqi(StandardSet::for_date(row.date), &rounded),
                source: DailySource::Imported { source: row.source.clone(), published_aqi: r.aqi },
            });
        }
        out.extend(imported);
        out.sort_by_key(|v| v.date);
        all.push(out);
    }
    Ok(all)
}

/// Where a city's hourly value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CityHourSource {
    /// The publisher's city file (`china_cities_*`).
    CityFile,
    /// The mean of this many evaluation stations (control stations excluded).
    Stations(usize),
}

/// One city-hour of the real-time report.
#[derive(Clone, Debug)]
pub struct CityHourlyRow<'a> {
    pub city: &'a CityInfo,
    /// End of the averaging hour, Beijing time.
    pub time: NaiveDateTime,
    /// 1-hour concentrations, indexed by `Pollutant as usize`.
    pub conc: [Option<Conc>; 6],
    pub result: AqiResult,
    /// The AQI of the publisher's city file, if one was imported for this hour.
    pub published_aqi: Option<u32>,
    pub source: CityHourSource,
}

/// Calls `f` for every city-hour with data in the natural days `from..=to`, in time order and within
/// an hour in the order of `cities`. A city's hour comes from the publisher's city file when one was
/// imported, else from the mean of its evaluation stations ([`lantian_core::daily::city_hour_value`]).
pub fn for_each_city_hourly(
    store: &dyn Store,
    cities: &[CityInfo],
    from: NaiveDate,
    to: NaiveDate,
    conv: RealTimeConvention,
    mut f: impl FnMut(&CityHourlyRow<'_>),
) -> Result<()> {
    let (lf, lt) = label_range(from, to);
    let city_ids: Vec<i64> = {
        let mut v: Vec<i64> = cities.iter().map(|c| c.id).collect();
        v.sort_unstable();
        v
    };
    // Evaluation stations of each city.
    let mut members: HashMap<i64, usize> = HashMap::new();
    let mut station_ids = Vec::new();
    for s in store.stations(&lantian_store::StationFilter { codes: vec![], city_ids: city_ids.clone() })? {
        if let Some(ci) = s.city.as_ref().and_then(|c| cities.iter().position(|x| x.id == c.id)) {
            if !s.is_control {
                members.insert(s.id, ci);
                station_ids.push(s.id);
            }
        }
    }
    station_ids.sort_unstable();
    let mut d = lf;
    while d <= lt {
        let end = (d + Duration::days(CHUNK_DAYS - 1)).min(lt);
        let dates: Vec<NaiveDate> = d.iter_days().take_while(|x| *x <= end).collect();
        let city_days = load(store, BlockKind::City, &dates, Some(&city_ids))?;
        let station_days = if station_ids.is_empty() {
            dates.iter().map(|d| (*d, Vec::new())).collect()
        } else {
            load(store, BlockKind::Station, &dates, Some(&station_ids))?
        };
        let rows: Vec<Vec<CityHourlyRow<'_>>> = city_days
            .par_iter()
            .zip(station_days.par_iter())
            .map(|((date, cdays), (_, sdays))| {
                let mut out = Vec::new();
                for h in 0..24 {
                    if (*date == lf && h == 0) || (*date == lt && h > 0) {
                        continue;
                    }
                    let natural = if h == 0 { date.pred_opt().unwrap_or(*date) } else { *date };
                    let set = StandardSet::for_date(natural);
                    for (ci, city) in cities.iter().enumerate() {
                        let file_day = cdays.iter().find(|(id, _)| *id == city.id).map(|(_, d)| d);
                        let (input, published, source) = match file_day.filter(|d| has_pollutant_values(d, h)) {
                            Some(fd) => (
                                hourly_input(fd, h),
                                fd.get(SeriesType::Aqi, h).map(|c| (c.milli() / 1000) as u32),
                                CityHourSource::CityFile,
                            ),
                            None => {
                                let mine: Vec<&LabelDay> = sdays
                                    .iter()
                                    .filter(|(id, day)| members.get(id) == Some(&ci) && has_pollutant_values(day, h))
                                    .map(|(_, day)| day)
                                    .collect();
                                if mine.is_empty() {
                                    continue;
                                }
                                let v = |p: Pollutant| {
                                    city_hour_value(p, mine.iter().filter_map(|d| d.get(SeriesType::hourly(p), h)))
                                };
                                let input = HourlyInput {
                                    so2: v(Pollutant::So2),
                                    no2: v(Pollutant::No2),
                                    co: v(Pollutant::Co),
                                    o3: v(Pollutant::O3),
                                    pm10: v(Pollutant::Pm10),
                                    pm2_5: v(Pollutant::Pm2_5),
                                    ..HourlyInput::default()
                                };
                                (input, None, CityHourSource::Stations(mine.len()))
                            }
                        };
                        let conc = [input.so2, input.no2, input.co, input.o3, input.pm10, input.pm2_5];
                        out.push(CityHourlyRow {
                            city,
                            time: label_time(*date, h as u32),
                            conc,
                            result: realtime_aqi(set, conv, &input),
                            published_aqi: published,
                            source,
                        });
                    }
                }
                out
            })
            .collect();
        for r in rows.iter().flatten() {
            f(r);
        }
        d = end + Duration::days(1);
    }
    Ok(())
}

/// The stations a query selects: the named ones plus those of the named cities; all if none named.
/// An unknown station code is a request error. Shared by `lantian aqi|stations|assess` and the API.
pub fn select_stations(store: &dyn Store, codes: &[String], cities: &[CityInfo]) -> Result<Vec<StationInfo>> {
    let all = store.stations(&StationFilter::default())?;
    if let Some(c) = codes.iter().find(|c| !all.iter().any(|s| s.code.eq_ignore_ascii_case(c))) {
        return Err(ServiceError::Request(format!("unknown station {c:?}")));
    }
    if codes.is_empty() && cities.is_empty() {
        return Ok(all);
    }
    Ok(all
        .into_iter()
        .filter(|s| {
            codes.iter().any(|c| c.eq_ignore_ascii_case(&s.code))
                || s.city.as_ref().is_some_and(|sc| cities.iter().any(|c| c.id == sc.id))
        })
        .collect())
}
