//! `/api/v1/aqi/hourly` and `/api/v1/aqi/daily`: the same rows as `lantian aqi --hourly` and
//! `lantian aqi --daily`, computed by the same service functions, paged.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use lantian_core::air::aqi::{AqiResult, RealTimeConvention};
use lantian_core::air::conc::Conc;
use lantian_core::Pollutant;
use lantian_service::{CityDailyValue, DailySource, HourlyRow, StationDailyRow};
use lantian_store::{CityInfo, StationInfo, Store};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ErrorBody;
use crate::{ApiError, AppState};

/// The longest range one request may ask for, in days.
pub const MAX_DAYS: i64 = 366;

/// Hourly or daily AQI request.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AqiQuery {
    /// Station codes, comma-separated (1431A,1432A).
    pub station: Option<String>,
    /// Cities, comma-separated, by name, short name, alias or code.
    pub city: Option<String>,
    /// First date (YYYY-MM-DD).
    pub from: NaiveDate,
    /// Last date (YYYY-MM-DD), inclusive; `from`…`to` holds at most 366 days (longer spans: one
    /// request per span of at most 366 days).
    pub to: NaiveDate,
    /// Daily only: `station` or `city` (default `city`).
    pub level: Option<String>,
    /// Page from 1 (default 1).
    pub page: Option<usize>,
    /// Rows per page, 1–10000 (default 1000).
    pub per_page: Option<usize>,
    /// `json` (default), `csv` or `xlsx`: the same rows (the page asked for) as a download.
    pub format: Option<String>,
    /// `en`: the xlsx header and words in English (default Chinese).
    pub lang: Option<String>,
}

/// Level, category and primary pollutants of an AQI.
#[derive(Serialize, ToSchema)]
pub struct Rating {
    /// AQI; null = NA.
    pub aqi: Option<u32>,
    /// Level 1–6.
    pub level: Option<u8>,
    /// Category code: `excellent`, `good`, `light`, `moderate`, `heavy`, `severe` (优 … 严重污染).
    pub category: Option<String>,
    /// Primary pollutants (indicator codes: `pm2_5_1h`, `o3_8h`, `pm2_5_24h`, …).
    pub primary: Vec<String>,
    /// The standard edition applied, chosen by the date of the data (`y2012`: HJ 633-2012 /
    /// GB 3095-2012; `y2026`: the 2026 editions).
    pub standard: String,
}

fn rating(r: &AqiResult) -> Rating {
    Rating {
        aqi: r.aqi,
        level: r.category().map(|c| c.level()),
        category: r.category().map(|c| c.code().to_string()),
        primary: r.primary.iter().map(|i| i.code().to_string()).collect(),
        standard: r.set.code().to_string(),
    }
}

fn s(c: Option<Conc>) -> Option<String> {
    c.map(|c| c.to_string())
}

/// One station hour.
#[derive(Serialize, ToSchema)]
pub struct HourlyEntry {
    pub station: String,
    pub station_name: Option<String>,
    pub city: Option<String>,
    /// End of the averaging hour, ISO 8601 with +08:00, as the source labels it.
    pub time: String,
    #[serde(flatten)]
    pub rating: Rating,
    pub so2: Option<String>,
    pub no2: Option<String>,
    pub co: Option<String>,
    pub o3: Option<String>,
    pub pm10: Option<String>,
    pub pm2_5: Option<String>,
    /// The publisher's own AQI for the hour, when the file carried one.
    pub published_aqi: Option<u32>,
    /// The primary pollutants the publisher published for the hour (indicator codes, as `primary`),
    /// from a real-time release row; empty otherwise.
    pub published_primary: Vec<String>,
    /// The indicators missing from the computed `aqi` (codes, as `primary`): an AQI computed from
    /// incomplete data, and not published, is not the publisher's.
    pub missing: Vec<String>,
}

/// One station or city day (HJ 663).
#[derive(Serialize, ToSchema)]
pub struct DailyEntry {
    /// Station code (level=station; absent for cities).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub station: Option<String>,
    /// City (level=city), or the station's city.
    pub city: Option<String>,
    pub date: String,
    #[serde(flatten)]
    pub rating: Rating,
    pub so2: Option<String>,
    pub no2: Option<String>,
    pub co: Option<String>,
    pub pm10: Option<String>,
    pub pm2_5: Option<String>,
    pub o3_max_1h: Option<String>,
    pub o3_mda8: Option<String>,
    /// City values: `stations:N` (computed from N evaluation stations) or the imported source
    /// (absent for stations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// City values from imported daily files: the AQI the source published (absent for stations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_aqi: Option<Option<u32>>,
    /// lantian's AQI of the daily values (HJ 633); equal to `aqi` unless a published AQI differs (then
    /// the published one is `aqi`: it decides the day's level and category). City values only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computed_aqi: Option<u32>,
    /// Level 1–6 of `computed_aqi`. City values only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computed_level: Option<u8>,
}

/// A page of rows.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

struct Paging {
    page: usize,
    per_page: usize,
}

impl Paging {
    fn of(q: &AqiQuery) -> Result<Paging, ApiError> {
        let (page, per_page) = (q.page.unwrap_or(1), q.per_page.unwrap_or(1000));
        if page == 0 || !(1..=10_000).contains(&per_page) {
            return Err(ApiError::bad_request("page starts at 1; per_page must be 1–10000"));
        }
        Ok(Paging { page, per_page })
    }
    fn wants(&self, k: usize) -> bool {
        let first = (self.page - 1).saturating_mul(self.per_page);
        k >= first && k - first < self.per_page
    }
    fn page<T>(&self, items: Vec<T>, total: usize) -> Page<T> {
        Page { items, total, page: self.page, per_page: self.per_page }
    }
}

fn check_range(q: &AqiQuery) -> Result<(), ApiError> {
    crate::params::date("from", q.from)?;
    crate::params::date("to", q.to)?;
    if q.to < q.from {
        return Err(ApiError::bad_request(format!("to {} is before from {}", q.to, q.from)));
    }
    let days = (q.to - q.from).num_days() + 1;
    if days > MAX_DAYS {
        return Err(ApiError::bad_request(format!(
            "from {} to {} holds {days} days; one request covers at most {MAX_DAYS} days (from and to \
             inclusive): split the range into requests of at most {MAX_DAYS} days (e.g. from={} to={}, then \
             from={} …); page and per_page only page through the rows of one range",
            q.from,
            q.to,
            q.from,
            q.from + chrono::Duration::days(MAX_DAYS - 1),
            q.from + chrono::Duration::days(MAX_DAYS),
        )));
    }
    Ok(())
}

fn list(v: &Option<String>) -> Vec<String> {
    v.as_deref()
        .map(|s| s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect())
        .unwrap_or_default()
}

fn cities(store: &dyn Store, names: &[String]) -> Result<Vec<CityInfo>, ApiError> {
    names
        .iter()
        .map(|n| store.resolve_city(n)?.ok_or_else(|| ApiError::bad_request(format!("unknown city {n:?}"))))
        .collect()
}

fn stations(store: &dyn Store, codes: &[String], cities: &[CityInfo]) -> Result<Vec<StationInfo>, ApiError> {
    Ok(lantian_service::air::aqi::select_stations(store, codes, cities)?)
}

fn city_name(s: &StationInfo) -> Option<String> {
    s.city.as_ref().map(|c| c.display().to_string())
}

/// Hourly (real-time) AQI of stations with the publisher's AQI beside it; the same rows as
/// `lantian aqi --hourly`.
#[utoipa::path(get, path = "/api/v1/aqi/hourly", tag = "aqi", params(AqiQuery),
    responses((status = 200, body = Page<HourlyEntry>), (status = 400, body = ErrorBody)))]
pub async fn hourly(
    State(state): State<Arc<AppState>>,
    uri: axum::http::Uri,
    q: Result<Query<AqiQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let Query(q) = q?;
    check_range(&q)?;
    let paging = Paging::of(&q)?;
    let (codes, names) = (list(&q.station), list(&q.city));
    if codes.is_empty() && names.is_empty() {
        return Err(ApiError::bad_request("name at least one station or city"));
    }
    let format = crate::download::Format::parse(q.format.as_deref())?;
    let english = q.lang.as_deref() == Some("en");
    crate::api::answer(state, uri, format, english, move |store| {
        let cs = cities(store, &names)?;
        let sts = stations(store, &codes, &cs)?;
        let (mut items, mut k) = (Vec::new(), 0usize);
        lantian_service::for_each_hourly(store, &sts, q.from, q.to, RealTimeConvention::Publisher, |r: &HourlyRow| {
            if paging.wants(k) {
                items.push(HourlyEntry {
                    station: r.station.code.clone(),
                    station_name: r.station.name.clone(),
                    city: city_name(r.station),
                    time: format!("{}+08:00", r.time.format("%Y-%m-%dT%H:%M:%S")),
                    rating: rating(&r.result),
                    so2: s(r.conc(Pollutant::So2)),
                    no2: s(r.conc(Pollutant::No2)),
                    co: s(r.conc(Pollutant::Co)),
                    o3: s(r.conc(Pollutant::O3)),
                    pm10: s(r.conc(Pollutant::Pm10)),
                    pm2_5: s(r.conc(Pollutant::Pm2_5)),
                    published_aqi: r.published_aqi(),
                    published_primary: r.published_primary().iter().map(|i| i.code().to_string()).collect(),
                    missing: r.result.missing.iter().map(|i| i.code().to_string()).collect(),
                });
            }
            k += 1;
        })?;
        Ok(paging.page(items, k))
    })
    .await
}

fn daily_entry(values: &lantian_core::DailyInput, result: &AqiResult) -> DailyEntry {
    DailyEntry {
        station: None,
        city: None,
        date: String::new(),
        rating: rating(result),
        so2: s(values.so2),
        no2: s(values.no2),
        co: s(values.co),
        pm10: s(values.pm10),
        pm2_5: s(values.pm2_5),
        o3_max_1h: s(values.o3_max_1h),
        o3_mda8: s(values.o3_mda8),
        source: None,
        published_aqi: None,
        computed_aqi: None,
        computed_level: None,
    }
}

/// HJ 663 daily values of stations or cities (city values from the evaluation stations, control
/// stations excluded, else imported daily values); the same rows as `lantian aqi --daily`.
#[utoipa::path(get, path = "/api/v1/aqi/daily", tag = "aqi", params(AqiQuery),
    responses((status = 200, body = Page<DailyEntry>), (status = 400, body = ErrorBody)))]
pub async fn daily(
    State(state): State<Arc<AppState>>,
    uri: axum::http::Uri,
    q: Result<Query<AqiQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let Query(q) = q?;
    check_range(&q)?;
    let paging = Paging::of(&q)?;
    let (codes, names) = (list(&q.station), list(&q.city));
    let station_level = match q.level.as_deref().unwrap_or("city") {
        "city" => false,
        "station" => true,
        other => return Err(ApiError::bad_request(format!("level {other:?}: expected city or station"))),
    };
    let format = crate::download::Format::parse(q.format.as_deref())?;
    let english = q.lang.as_deref() == Some("en");
    crate::api::answer(state, uri, format, english, move |store| {
        let (mut items, mut k) = (Vec::new(), 0usize);
        if station_level {
            if codes.is_empty() && names.is_empty() {
                return Err(ApiError::bad_request("name at least one station or city"));
            }
            let cs = cities(store, &names)?;
            let sts = stations(store, &codes, &cs)?;
            lantian_service::for_each_station_daily(store, &sts, q.from, q.to, |r: &StationDailyRow| {
                if paging.wants(k) {
                    let mut e = daily_entry(&r.values, &r.result);
                    e.station = Some(r.station.code.clone());
                    e.city = city_name(r.station);
                    e.date = r.date.to_string();
                    items.push(e);
                }
                k += 1;
            })?;
        } else {
            let cs = if names.is_empty() { assess_scope_cities(store)? } else { cities(store, &names)? };
            for (city, days) in cs.iter().zip(lantian_service::air::aqi::cities_daily(store, &cs, q.from, q.to)?) {
                for v in days {
                    if paging.wants(k) {
                        items.push(city_entry(city, &v));
                    }
                    k += 1;
                }
            }
        }
        Ok(paging.page(items, k))
    })
    .await
}

fn assess_scope_cities(store: &dyn Store) -> Result<Vec<CityInfo>, ApiError> {
    Ok(lantian_service::accountability::assess::resolve_scope(store, None)?.cities)
}

fn city_entry(city: &CityInfo, v: &CityDailyValue) -> DailyEntry {
    let mut e = daily_entry(&v.values, &v.result);
    e.city = Some(city.display().to_string());
    e.date = v.date.to_string();
    let (source, published) = match &v.source {
        DailySource::Stations { count } => (format!("stations:{count}"), None),
        DailySource::Imported { source, published_aqi } => (source.clone(), *published_aqi),
    };
    e.source = Some(source);
    e.published_aqi = Some(published);
    e.computed_aqi = v.computed.aqi;
    e.computed_level = v.computed.category().map(|c| c.level());
    e
}

/// The columns of a rating (flattened for a table).
fn rating_columns() -> Vec<crate::download::Column> {
    use crate::download::Column;
    vec![
        Column::new("aqi", "AQI", "AQI"),
        Column::new("level", "级别", "Level"),
        Column::new("category", "类别", "Category").coded(),
        Column::new("primary", "首要污染物", "Primary pollutants").coded(),
        Column::new("standard", "标准版本", "Standard edition"),
    ]
}

fn rating_cells(r: &Rating) -> Vec<String> {
    use crate::download::opt;
    vec![opt(&r.aqi), opt(&r.level), opt(&r.category), r.primary.join(";"), r.standard.clone()]
}

/// The concentration columns, in the order of the hours table.
fn conc_columns(keys: &[(&str, &str)]) -> Vec<crate::download::Column> {
    keys.iter().map(|(k, label)| crate::download::Column::new(k, label, label)).collect()
}

impl crate::download::Tabular for Page<HourlyEntry> {
    fn sheet(&self) -> crate::download::Sheet {
        use crate::download::{opt, Column};
        let mut columns = vec![
            Column::new("station", "站点编码", "Station"),
            Column::new("station_name", "站点名称", "Station name"),
            Column::new("city", "城市", "City"),
            Column::new("time", "时间", "Time"),
        ];
        columns.extend(rating_columns());
        columns.extend(conc_columns(&[
            ("so2", "SO2(μg/m³)"),
            ("no2", "NO2(μg/m³)"),
            ("co", "CO(mg/m³)"),
            ("o3", "O3(μg/m³)"),
            ("pm10", "PM10(μg/m³)"),
            ("pm2_5", "PM2.5(μg/m³)"),
        ]));
        columns.extend([
            Column::new("published_aqi", "发布AQI", "Published AQI"),
            Column::new("published_primary", "发布首要污染物", "Published primary pollutants").coded(),
            Column::new("missing", "缺项", "Missing").coded(),
        ]);
        let rows = self
            .items
            .iter()
            .map(|e| {
                let mut row = vec![e.station.clone(), opt(&e.station_name), opt(&e.city), e.time.clone()];
                row.extend(rating_cells(&e.rating));
                row.extend([&e.so2, &e.no2, &e.co, &e.o3, &e.pm10, &e.pm2_5].into_iter().map(opt));
                row.extend([opt(&e.published_aqi), e.published_primary.join(";"), e.missing.join(";")]);
                row
            })
            .collect();
        crate::download::Sheet { file: "aqi-hourly".into(), columns, rows }
    }
}

impl crate::download::Tabular for Page<DailyEntry> {
    fn sheet(&self) -> crate::download::Sheet {
        use crate::download::{opt, Column};
        let mut columns = vec![
            Column::new("station", "站点编码", "Station"),
            Column::new("city", "城市", "City"),
            Column::new("date", "日期", "Date"),
        ];
        columns.extend(rating_columns());
        columns.extend(conc_columns(&[
            ("so2", "SO2(μg/m³)"),
            ("no2", "NO2(μg/m³)"),
            ("co", "CO(mg/m³)"),
            ("pm10", "PM10(μg/m³)"),
            ("pm2_5", "PM2.5(μg/m³)"),
            ("o3_max_1h", "O3最大1小时(μg/m³)"),
            ("o3_mda8", "O3最大8小时滑动平均(μg/m³)"),
        ]));
        columns.extend([
            Column::new("source", "来源", "Source"),
            Column::new("published_aqi", "发布AQI", "Published AQI"),
            Column::new("computed_aqi", "计算AQI", "Computed AQI"),
            Column::new("computed_level", "计算级别", "Computed level"),
        ]);
        let rows = self
            .items
            .iter()
            .map(|e| {
                let mut row = vec![opt(&e.station), opt(&e.city), e.date.clone()];
                row.extend(rating_cells(&e.rating));
                row.extend([&e.so2, &e.no2, &e.co, &e.pm10, &e.pm2_5, &e.o3_max_1h, &e.o3_mda8].into_iter().map(opt));
                row.extend([
                    opt(&e.source),
                    e.published_aqi.flatten().map_or(String::new(), |a| a.to_string()),
                    opt(&e.computed_aqi),
                    opt(&e.computed_level),
                ]);
                row
            })
            .collect();
        crate::download::Sheet { file: "aqi-daily".into(), columns, rows }
    }
}
