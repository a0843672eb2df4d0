//! Hourly AQI, station daily values and city daily values.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use lantian_core::aqi::{daily_aqi, realtime_aqi, AqiResult, DailyInput, RealTimeConvention};
use lantian_core::daily::{city_day, evaluate_day, DailyExact};
use lantian_core::hours::{has_pollutant_values, hourly_input, label_time, natural_day, LabelDay};
use lantian_core::{Conc, SeriesType, StandardSet};
use lantian_store::{CityInfo, StationInfo, Store};

use crate::Result;

/// One station-hour of the real-time report.
#[derive(Clone, Debug)]
pub struct HourlyRow<'a> {
    pub station: &'a StationInfo,
    /// End of the averaging hour (as the source labels it), Beijing time.
    pub time: NaiveDateTime,
    pub so2: Option<Conc>,
    pub no2: Option<Conc>,
    pub co: Option<Conc>,
    pub o3: Option<Conc>,
    pub pm10: Option<Conc>,
    pub pm2_5: Option<Conc>,
    pub result: AqiResult,
    /// The AQI the publisher published for this hour, if the source carried it.
    pub published_aqi: Option<u32>,
}

/// Label dates that hold the natural days `from..=to` (one more at the end).
fn label_range(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    (from, to + Duration::days(1))
}

/// Calls `f` for every station-hour with data whose hour lies within the natural days `from..=to`
/// (label times from `from` 01:00 to `to`+1 00:00), station by station, in time order.
pub fn for_each_hourly(
    store: &dyn Store,
    stations: &[StationInfo],
    from: NaiveDate,
    to: NaiveDate,
    conv: RealTimeConvention,
    mut f: impl FnMut(&HourlyRow<'_>),
) -> Result<()> {
    let (lf, lt) = label_range(from, to);
    for st in stations {
        for (date, day) in store.station_days(st.id, lf, lt)? {
            for h in 0..24 {
                if (date == lf && h == 0) || (date == lt && h > 0) {
                    continue;
                }
                if let Some(row) = hourly_row(st, date, &day, h, conv) {
                    f(&row);
                }
            }
        }
    }
    Ok(())
}

/// The real-time report of one label hour, `None` when no pollutant was measured.
pub fn hourly_row<'a>(
    st: &'a StationInfo,
    date: NaiveDate,
    day: &LabelDay,
    h: usize,
    conv: RealTimeConvention,
) -> Option<HourlyRow<'a>> {
    if !has_pollutant_values(day, h) {
        return None;
    }
    let time = label_time(date, h as u32);
    // The hour belongs to the interval ending at `time`; its standard set is that of its natural day.
    let set = StandardSet::for_date((time - Duration::hours(1)).date());
    let input = hourly_input(day, h);
    Some(HourlyRow {
        station: st,
        time,
        so2: input.so2,
        no2: input.no2,
        co: input.co,
        o3: input.o3,
        pm10: input.pm10,
        pm2_5: input.pm2_5,
        result: realtime_aqi(set, conv, &input),
        published_aqi: day.get(SeriesType::Aqi, h).map(|c| (c.milli() / 1000) as u32),
    })
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

/// Calls `f` for each station and natural day in `from..=to` that has any hourly data.
pub fn for_each_station_daily(
    store: &dyn Store,
    stations: &[StationInfo],
    from: NaiveDate,
    to: NaiveDate,
    mut f: impl FnMut(&StationDailyRow<'_>),
) -> Result<()> {
    let (lf, lt) = label_range(from, to);
    for st in stations {
        let days = store.station_days(st.id, lf, lt)?;
        for (i, (date, day)) in days.iter().enumerate() {
            if *date > to {
                break;
            }
            let next = days.get(i + 1).filter(|(d, _)| *d == *date + Duration::days(1)).map(|(_, d)| d);
            if let Some(row) = station_daily_row(st, *date, Some(day), next) {
                f(&row);
            }
        }
        // A natural day whose only hour is row 0 of the next label day is ignored: it cannot be valid.
    }
    Ok(())
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
    let stations: Vec<StationInfo> = store
        .stations(&lantian_store::StationFilter { codes: vec![], city_ids: vec![city.id] })?
        .into_iter()
        .filter(|s| !s.is_control)
        .collect();
    let mut per_day: std::collections::BTreeMap<NaiveDate, Vec<DailyExact>> = Default::default();
    for_each_station_daily(store, &stations, from, to, |r| per_day.entry(r.date).or_default().push(r.exact))?;
    let mut out: Vec<CityDailyValue> = Vec::new();
    for (date, days) in per_day {
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
        if out.iter().any(|v| v.date == row.date) || last == Some(row.date) {
            continue;
        }
        last = Some(row.date);
        let r = &row.record;
        let values = DailyInput {
            so2: r.so2,
            no2: r.no2,
            co: r.co,
            pm10: r.pm10,
            pm2_5: r.pm2_5,
            o3_max_1h: r.o3_max_1h,
            o3_mda8: r.o3_mda8,
        };
        // Imported values may carry decimals; they are rounded as a published daily value is.
        let rounded = DailyInput {
            so2: values.so2.map(|c| c.round(0)),
            no2: values.no2.map(|c| c.round(0)),
            co: values.co.map(|c| c.round(1)),
            pm10: values.pm10.map(|c| c.round(0)),
            pm2_5: values.pm2_5.map(|c| c.round(0)),
            o3_max_1h: values.o3_max_1h.map(|c| c.round(0)),
            o3_mda8: values.o3_mda8.map(|c| c.round(0)),
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
    Ok(out)
}
