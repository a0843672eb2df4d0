//! `/api/v1/`: cities, stations (JSON and GeoJSON, paged), rankings and points, and the OpenAPI 3.1
//! document generated from these handlers (`/api/v1/openapi.json`).
//!
//! Decimal values are strings holding the exact published decimal (`"36"`, `"4.12"`, `"1.1"`), never
//! binary floating point; a statistic below its validity minimum is listed in `below_minimum`.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Json;
use lantian_core::accountability::points::{fmt_ratio, PointsScheme};
use lantian_core::accountability::ranking::{fmt_hundredths, fmt_tenths, INDEX_POLLUTANTS};
use lantian_core::air::period::{Period, ResultVariant};
use lantian_core::Pollutant;
use lantian_service::accountability::assess::{self, RankingRow};
use lantian_store::{StationFilter, Store};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::error::ErrorBody;
use crate::{ApiError, AppState};

type Shared = State<Arc<AppState>>;

/// The API routes (full paths under `/api/v1`).
pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<Arc<AppState>>)> {
    vec![
        ("/api/v1/openapi.json", get(openapi_json)),
        ("/api/v1/cities", get(cities)),
        ("/api/v1/stations", get(stations)),
        ("/api/v1/stations.geojson", get(stations_geojson)),
        ("/api/v1/rankings", get(rankings)),
        ("/api/v1/points", get(points)),
        ("/api/v1/budgets", get(budgets)),
        ("/api/v1/assessments", get(assessments)),
        ("/api/v1/targets", get(targets)),
        ("/api/v1/uploads", axum::routing::post(crate::upload::upload)),
        (
            "/api/v1/session",
            get(crate::session::current).post(crate::session::sign_in).delete(crate::session::sign_out),
        ),
        ("/api/v1/aqi/hourly", get(crate::aqi_api::hourly)),
        ("/api/v1/aqi/daily", get(crate::aqi_api::daily)),
        ("/api/v1/alerts", get(crate::emergency_api::status)),
        ("/api/v1/alerts/evaluation", get(crate::emergency_api::evaluation)),
        ("/api/v1/control-lists", get(crate::emergency_api::control_list)),
        ("/api/v1/compliance", get(crate::emergency_api::compliance)),
        ("/api/v1/tasks", get(crate::proposals_api::tasks)),
        ("/api/v1/work/items", get(crate::work_api::items).post(crate::work_api::issue_item)),
        ("/api/v1/work/items/{id}/actions", axum::routing::post(crate::work_api::act_on_item)),
        (
            "/api/v1/work/evidence",
            axum::routing::post(crate::work_api::put_evidence)
                .layer(axum::extract::DefaultBodyLimit::max(lantian_store::work::MAX_EVIDENCE_BYTES)),
        ),
        ("/api/v1/tasks/{code}/reports", axum::routing::post(crate::proposals_api::report_progress)),
        ("/api/v1/proposals", get(crate::proposals_api::list)),
        ("/api/v1/alerts/decisions", axum::routing::post(crate::emergency_api::record_decision)),
        ("/api/v1/proposals/{id}/approve", axum::routing::post(crate::proposals_api::approve)),
        ("/api/v1/proposals/{id}/reject", axum::routing::post(crate::proposals_api::reject)),
    ]
}

/// Runs store work on a blocking thread with a pooled connection.
pub async fn blocking<T: Send + 'static>(
    state: Arc<AppState>,
    f: impl FnOnce(&mut dyn Store) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(move || state.stores.with(f))
        .await
        .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
}

/// Runs `f` unless the answer for `key` is cached and no data area it read has changed since
/// (`cache::cached_body`); returns the JSON body either way.
pub async fn cached_json<T: Serialize + 'static>(
    state: Arc<AppState>,
    key: String,
    f: impl FnOnce(&mut dyn Store) -> Result<T, ApiError> + Send + 'static,
) -> Result<axum::response::Response, ApiError> {
    let st = state.clone();
    let body = blocking(state, move |store| crate::cache::cached_body(&st.cache, store, key, f)).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// [`cached_json`] for an answer of restricted data: the response carries how many rows it exports
/// (`count` of its JSON, cached or fresh), which the access middleware writes to the audit log
/// (`access::exported`; issue 13 item 5).
pub async fn cached_export<T: Serialize + 'static>(
    state: Arc<AppState>,
    key: String,
    count: fn(&serde_json::Value) -> u64,
    f: impl FnOnce(&mut dyn Store) -> Result<T, ApiError> + Send + 'static,
) -> Result<axum::response::Response, ApiError> {
    let st = state.clone();
    let (body, rows) = blocking(state, move |store| {
        let body = crate::cache::cached_body(&st.cache, store, key, f)?;
        let rows = serde_json::from_slice::<serde_json::Value>(&body).map_or(0, |v| count(&v));
        Ok((body, rows))
    })
    .await?;
    let response = ([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response();
    Ok(crate::access::exported(response, rows))
}

/// The number of elements of the JSON arrays under `fields` of an object.
pub fn array_lengths(v: &serde_json::Value, fields: &[&str]) -> u64 {
    fields.iter().filter_map(|f| v.get(*f).and_then(|a| a.as_array())).map(|a| a.len() as u64).sum()
}

/// The OpenAPI document of this API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "lantian 蓝天 API",
        description = "Official air-quality numbers of the Sichuan provincial command platform. Decimal values \
                       are strings holding the exact published decimal.",
        license(name = "Apache-2.0")
    ),
    paths(
        cities,
        stations,
        stations_geojson,
        rankings,
        points,
        budgets,
        assessments,
        targets,
        crate::aqi_api::hourly,
        crate::aqi_api::daily,
        crate::emergency_api::status,
        crate::emergency_api::evaluation,
        crate::emergency_api::control_list,
        crate::emergency_api::compliance,
        crate::emergency_api::record_decision,
        crate::proposals_api::tasks,
        crate::proposals_api::report_progress,
        crate::work_api::items,
        crate::work_api::issue_item,
        crate::work_api::act_on_item,
        crate::work_api::put_evidence,
        crate::proposals_api::list,
        crate::proposals_api::approve,
        crate::proposals_api::reject,
        crate::upload::upload,
        crate::session::sign_in,
        crate::session::current,
        crate::session::sign_out
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme of the write endpoints.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document as JSON (for checks that every documented operation has an access policy).
pub fn openapi_document() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}

/// `GET /api/v1/openapi.json`.
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// A city.
#[derive(Serialize, ToSchema)]
pub struct City {
    pub id: i64,
    /// Full name (成都市).
    pub name: String,
    /// Short name (成都).
    pub short_name: Option<String>,
    /// GB/T 2260 code.
    pub code: Option<u32>,
    pub province: String,
}

impl From<&lantian_store::CityInfo> for City {
    fn from(c: &lantian_store::CityInfo) -> City {
        City {
            id: c.id,
            name: c.name.clone(),
            short_name: c.short_name.clone(),
            code: c.code,
            province: c.province.clone(),
        }
    }
}

/// The cities in the store.
#[utoipa::path(get, path = "/api/v1/cities", tag = "places",
    responses((status = 200, body = Vec<City>)))]
async fn cities(State(state): Shared) -> Result<Json<Vec<City>>, ApiError> {
    blocking(state, |store| Ok(store.cities()?.iter().map(City::from).collect())).await.map(Json)
}

/// Station list filters and paging.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StationQuery {
    /// A city by name, short name, alias or code (成都, 成都市, 510100).
    pub city: Option<String>,
    /// Page number from 1 (default 1).
    pub page: Option<usize>,
    /// Items per page, 1–1000 (default 100).
    pub per_page: Option<usize>,
    /// `json` (default), `csv` (the page's stations, JSON field names as header) or `xlsx`.
    pub format: Option<String>,
    /// `en`: the xlsx header in English (default Chinese).
    pub lang: Option<String>,
}

/// A monitoring station.
#[derive(Serialize, ToSchema)]
pub struct Station {
    pub code: String,
    pub name: Option<String>,
    pub city: Option<String>,
    pub city_code: Option<u32>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// 对照点: a control (background) station, excluded from city values.
    pub is_control: bool,
}

/// A page of stations.
#[derive(Serialize, ToSchema)]
pub struct StationPage {
    pub items: Vec<Station>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

fn station_filter(store: &dyn Store, city: Option<&str>) -> Result<StationFilter, ApiError> {
    let mut filter = StationFilter::default();
    if let Some(name) = city {
        let c = store.resolve_city(name)?.ok_or_else(|| ApiError::bad_request(format!("unknown city {name:?}")))?;
        filter.city_ids.push(c.id);
    }
    Ok(filter)
}

fn station(s: &lantian_store::StationInfo) -> Station {
    Station {
        code: s.code.clone(),
        name: s.name.clone(),
        city: s.city.as_ref().map(|c| c.display().to_string()),
        city_code: s.city.as_ref().and_then(|c| c.code),
        lon: s.lon,
        lat: s.lat,
        is_control: s.is_control,
    }
}

/// Monitoring stations, paged.
#[utoipa::path(get, path = "/api/v1/stations", tag = "places", params(StationQuery),
    responses((status = 200, body = StationPage), (status = 400, body = ErrorBody)))]
async fn stations(
    State(state): Shared,
    uri: axum::http::Uri,
    q: Result<Query<StationQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let Query(q) = q?;
    let page = q.page.unwrap_or(1);
    let per_page = q.per_page.unwrap_or(100);
    if page == 0 || !(1..=1000).contains(&per_page) {
        return Err(ApiError::bad_request("page starts at 1; per_page must be 1–1000"));
    }
    let format = crate::download::Format::parse(q.format.as_deref())?;
    let english = q.lang.as_deref() == Some("en");
    let compute = move |store: &mut dyn Store| {
        let filter = station_filter(store, q.city.as_deref())?;
        let all = store.stations(&filter)?;
        let items = all.iter().skip((page - 1).saturating_mul(per_page)).take(per_page).map(station).collect();
        Ok(StationPage { items, total: all.len(), page, per_page })
    };
    answer(state, uri, format, english, compute).await
}

impl crate::download::Tabular for StationPage {
    fn sheet(&self) -> crate::download::Sheet {
        use crate::download::{opt, Column};
        let columns = vec![
            Column::new("code", "代码", "Code"),
            Column::new("name", "名称", "Name"),
            Column::new("city", "城市", "City"),
            Column::new("city_code", "城市代码", "City code"),
            Column::new("lon", "经度", "Longitude"),
            Column::new("lat", "纬度", "Latitude"),
            Column::new("is_control", "对照点", "Control station"),
        ];
        let rows = self
            .items
            .iter()
            .map(|s| {
                vec![
                    s.code.clone(),
                    opt(&s.name),
                    opt(&s.city),
                    opt(&s.city_code),
                    opt(&s.lon),
                    opt(&s.lat),
                    s.is_control.to_string(),
                ]
            })
            .collect();
        crate::download::Sheet { file: format!("stations-{}", self.page), columns, rows }
    }
}

/// Station GeoJSON filter.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GeoQuery {
    /// A city by name, short name, alias or code.
    pub city: Option<String>,
}

/// Stations with coordinates as a GeoJSON FeatureCollection (RFC 7946; WGS 84 lon/lat).
#[utoipa::path(get, path = "/api/v1/stations.geojson", tag = "places", params(GeoQuery),
    responses((status = 200, description = "GeoJSON FeatureCollection", content_type = "application/geo+json"),
              (status = 400, body = ErrorBody)))]
async fn stations_geojson(
    State(state): Shared,
    q: Result<Query<GeoQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let Query(q) = q?;
    let body = blocking(state, move |store| {
        let filter = station_filter(store, q.city.as_deref())?;
        let features: Vec<serde_json::Value> = store
            .stations(&filter)?
            .iter()
            .filter_map(|s| {
                let (lon, lat) = (s.lon?, s.lat?);
                Some(serde_json::json!({
                    "type": "Feature",
                    "geometry": { "type": "Point", "coordinates": [lon, lat] },
                    "properties": serde_json::to_value(station(s)).unwrap_or_default(),
                }))
            })
            .collect();
        Ok(serde_json::json!({ "type": "FeatureCollection", "features": features }))
    })
    .await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/geo+json")], body.to_string()).into_response())
}

/// Ranking request.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// Period: `2022-05`, `2022-Q2`, `2022-H1`, `2022`, `2022-01..2022-05`, `2022-05-01..2022-05-20`.
    pub period: String,
    /// 四川 (default), a region (成都平原, 川南, 川东北, 攀西, 川西北), `all`, or a comma-separated list.
    pub scope: Option<String>,
    /// `composite` (default) or `change`: the order of the rows.
    pub by: Option<String>,
    /// `dust-excluded` (default, as assessment uses) or `raw`.
    pub variant: Option<String>,
    /// Attaining cities in the change ranking (`ranking.md` §4): `include` (default), `exclude-worsening`
    /// or `exclude`.
    pub attained: Option<String>,
    /// `json` (default), `csv` (the rows, JSON field names as header) or `xlsx` (a workbook).
    pub format: Option<String>,
    /// `en`: the xlsx header in English (default Chinese).
    pub lang: Option<String>,
}

/// One city in a ranking.
#[derive(Serialize, ToSchema)]
pub struct RankingEntry {
    /// Rank by composite index (1 = best; ties share a rank); null when not ranked.
    pub rank: Option<u32>,
    pub city: String,
    pub city_code: Option<u32>,
    /// 综合指数, two decimals.
    pub composite_index: Option<String>,
    /// 主要污染物 (codes: PM2_5, PM10, SO2, NO2, CO, O3).
    pub main_pollutants: Vec<String>,
    /// 优良天数比例, percent, one decimal.
    pub good_day_ratio: Option<String>,
    /// Period statistics (μg/m³; CO mg/m³): means, CO 95th and O3 90th percentiles.
    pub pm2_5: Option<String>,
    pub pm10: Option<String>,
    pub so2: Option<String>,
    pub no2: Option<String>,
    pub co: Option<String>,
    pub o3: Option<String>,
    /// Statistics below their validity minimum.
    pub below_minimum: Vec<String>,
    /// 变化率 against the same period last year, percent, one decimal (negative = improved).
    pub change_rate: Option<String>,
    /// Rank by change (1 = most improved).
    pub change_rank: Option<u32>,
    /// Composite index of the same period last year.
    pub base_composite_index: Option<String>,
    pub valid_days: u32,
    pub good_days: u32,
    pub heavy_days: u32,
    pub severe_days: u32,
    /// Why the city is not ranked.
    pub not_ranked: Option<String>,
    /// All six pollutants meet grade II over the period (null: a statistic is missing).
    pub attained: Option<bool>,
    /// Why the city has no change rank (the `attained` policy, or a change between indices of
    /// different bases).
    pub change_not_ranked: Option<String>,
    /// The pollutants the composite index sums (codes): all six, or those with data when the source
    /// carries none for some (aqistudy files: no O3 MDA8). Only indices of the same basis are ranked
    /// together.
    pub index_pollutants: Vec<String>,
}

/// A ranking.
#[derive(Serialize, ToSchema)]
pub struct Ranking {
    pub period: String,
    pub period_zh: String,
    pub scope: String,
    pub variant: String,
    pub rows: Vec<RankingEntry>,
}

fn parse_period(s: &str) -> Result<Period, ApiError> {
    Period::parse(s).map_err(|e| ApiError::bad_request(format!("period {s:?}: {e}")))
}

fn parse_variant(s: Option<&str>) -> Result<ResultVariant, ApiError> {
    match s.unwrap_or("dust-excluded") {
        "dust-excluded" | "dust_excluded" => Ok(ResultVariant::DustExcluded),
        "raw" => Ok(ResultVariant::Raw),
        other => Err(ApiError::bad_request(format!("variant {other:?}: expected dust-excluded or raw"))),
    }
}

fn ranking_entry(r: &RankingRow) -> RankingEntry {
    let s = &r.stats;
    let stat = |p: Pollutant| s.stat(p).value.map(|v| v.to_string());
    RankingEntry {
        rank: r.rank,
        city: r.city.display().to_string(),
        city_code: r.city.code,
        composite_index: r.index.as_ref().map(|i| fmt_hundredths(i.hundredths)),
        main_pollutants: r
            .index
            .as_ref()
            .map(|i| i.main_pollutants.iter().map(|p| p.code().to_string()).collect())
            .unwrap_or_default(),
        good_day_ratio: s.good_day_ratio_tenths().map(fmt_tenths),
        pm2_5: stat(Pollutant::Pm2_5),
        pm10: stat(Pollutant::Pm10),
        so2: stat(Pollutant::So2),
        no2: stat(Pollutant::No2),
        co: stat(Pollutant::Co),
        o3: stat(Pollutant::O3),
        below_minimum: INDEX_POLLUTANTS
            .iter()
            .filter(|p| s.stat(**p).value.is_some() && !s.stat(**p).meets_minimum)
            .map(|p| p.code().to_string())
            .collect(),
        change_rate: r.change_tenths.map(fmt_tenths),
        change_rank: r.change_rank,
        base_composite_index: r.base_hundredths.map(fmt_hundredths),
        valid_days: s.valid_days,
        good_days: s.good_days,
        heavy_days: s.heavy_days,
        severe_days: s.severe_days,
        not_ranked: r.not_ranked.clone(),
        attained: r.attained,
        change_not_ranked: r.change_excluded.clone(),
        index_pollutants: r
            .index
            .as_ref()
            .map(|i| i.basis.iter().map(|p| p.code().to_string()).collect())
            .unwrap_or_default(),
    }
}

/// The cities of a scope ranked for a period by composite index and by its change (`ranking.md` §3–4),
/// the same computation as `lantian rank`.
#[utoipa::path(get, path = "/api/v1/rankings", tag = "assessment", params(RankingQuery),
    responses((status = 200, body = Ranking), (status = 400, body = ErrorBody)))]
async fn rankings(
    State(state): Shared,
    uri: axum::http::Uri,
    q: Result<Query<RankingQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let Query(q) = q?;
    let period = parse_period(&q.period)?;
    let variant = parse_variant(q.variant.as_deref())?;
    let policy_text = q.attained.as_deref().unwrap_or("include");
    let policy = lantian_core::accountability::ranking::AttainedChangePolicy::parse(policy_text).ok_or_else(|| {
        ApiError::bad_request(format!("attained {policy_text:?}: expected include, exclude-worsening or exclude"))
    })?;
    let by_change = match q.by.as_deref().unwrap_or("composite") {
        "composite" => false,
        "change" => true,
        other => return Err(ApiError::bad_request(format!("by {other:?}: expected composite or change"))),
    };
    let format = crate::download::Format::parse(q.format.as_deref())?;
    let english = q.lang.as_deref() == Some("en");
    let compute = move |store: &mut dyn Store| {
        let scope = assess::resolve_scope(store, q.scope.as_deref())?;
        let options = assess::RankOptions { variant, attained: policy, three_year: false };
        let mut rows = assess::rank_with(store, &scope, &period, &options)?;
        assess::order_rows(&mut rows, if by_change { assess::RankOrder::Change } else { assess::RankOrder::Composite });
        Ok(Ranking {
            period: period.label(),
            period_zh: period.label_zh(),
            scope: scope.name.clone(),
            variant: variant.code().to_string(),
            rows: rows.iter().map(ranking_entry).collect(),
        })
    };
    answer(state, uri, format, english, compute).await
}

/// The answer in the format asked: JSON (cached per state of the data it read), or the same rows as a
/// CSV or xlsx download ([`crate::download`]).
pub(crate) async fn answer<T: Serialize + crate::download::Tabular + Send + 'static>(
    state: Arc<AppState>,
    uri: axum::http::Uri,
    format: crate::download::Format,
    english: bool,
    compute: impl FnOnce(&mut dyn Store) -> Result<T, ApiError> + Send + 'static,
) -> Result<axum::response::Response, ApiError> {
    match format {
        crate::download::Format::Json => cached_json(state, uri.to_string(), compute).await,
        f => {
            let answer = blocking(state, compute).await?;
            crate::download::response(&answer.sheet(), f, english)
        }
    }
}

impl crate::download::Tabular for Ranking {
    fn sheet(&self) -> crate::download::Sheet {
        use crate::download::{opt, Column};
        let columns = vec![
            Column::new("rank", "排名", "Rank"),
            Column::new("city", "城市", "City"),
            Column::new("city_code", "城市代码", "City code"),
            Column::new("composite_index", "综合指数", "Composite index"),
            Column::new("main_pollutants", "主要污染物", "Main pollutants").coded(),
            Column::new("good_day_ratio", "优良天数比例(%)", "Good days (%)"),
            Column::new("pm2_5", "PM2.5(μg/m³)", "PM2.5 (μg/m³)"),
            Column::new("pm10", "PM10(μg/m³)", "PM10 (μg/m³)"),
            Column::new("so2", "SO2(μg/m³)", "SO2 (μg/m³)"),
            Column::new("no2", "NO2(μg/m³)", "NO2 (μg/m³)"),
            Column::new("co", "CO(mg/m³)", "CO (mg/m³)"),
            Column::new("o3", "O3(μg/m³)", "O3 (μg/m³)"),
            Column::new("change_rate", "变化率(%)", "Change (%)"),
            Column::new("change_rank", "变化排名", "Change rank"),
            Column::new("base_composite_index", "上年同期综合指数", "Composite index a year before"),
            Column::new("valid_days", "有效天数", "Valid days"),
            Column::new("good_days", "优良天数", "Good days"),
            Column::new("heavy_days", "重污染天数", "Heavy days"),
            Column::new("severe_days", "严重污染天数", "Severe days"),
            Column::new("not_ranked", "未排名原因", "Not ranked because"),
        ];
        let rows = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    opt(&r.rank),
                    r.city.clone(),
                    opt(&r.city_code),
                    opt(&r.composite_index),
                    r.main_pollutants.join(";"),
                    opt(&r.good_day_ratio),
                    opt(&r.pm2_5),
                    opt(&r.pm10),
                    opt(&r.so2),
                    opt(&r.no2),
                    opt(&r.co),
                    opt(&r.o3),
                    opt(&r.change_rate),
                    opt(&r.change_rank),
                    opt(&r.base_composite_index),
                    r.valid_days.to_string(),
                    r.good_days.to_string(),
                    r.heavy_days.to_string(),
                    r.severe_days.to_string(),
                    opt(&r.not_ranked),
                ]
            })
            .collect();
        crate::download::Sheet { file: format!("ranking-{}", self.period), columns, rows }
    }
}

impl crate::download::Tabular for PointsTable {
    fn sheet(&self) -> crate::download::Sheet {
        use crate::download::{opt, Column};
        let mut columns = vec![
            Column::new("rank", "名次", "Rank"),
            Column::new("city", "城市", "City"),
            Column::new("city_code", "城市代码", "City code"),
            Column::new("total", "总分", "Total"),
            Column::new("grade", "等级", "Grade"),
        ];
        // One column per factor, in the scheme's order (the first city's factors name them).
        if let Some(first) = self.rows.first() {
            for f in &first.factors {
                columns.push(Column::new(&f.code, &format!("{} {}", f.code, f.name_zh), &f.code));
            }
        }
        let rows = self
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![opt(&r.rank), r.city.clone(), opt(&r.city_code), r.total.clone(), r.grade.clone()];
                row.extend(r.factors.iter().map(|f| f.points.clone()));
                row
            })
            .collect();
        crate::download::Sheet { file: format!("points-{}", self.period), columns, rows }
    }
}

/// Points request.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PointsQuery {
    /// Period: `2022-05`, `2022-Q2`, `2022-01..2022-05`, `2022`.
    pub period: String,
    /// 四川 (default), a region, `all`, or a comma-separated list.
    pub scope: Option<String>,
    /// `dust-excluded` (default) or `raw`.
    pub variant: Option<String>,
    /// `json` (default), `csv` (one row per city, one column per factor's points) or `xlsx`.
    pub format: Option<String>,
    /// `en`: the xlsx header in English (default Chinese).
    pub lang: Option<String>,
}

/// One factor of a city's points, with the arithmetic an official can check.
#[derive(Serialize, ToSchema)]
pub struct Factor {
    /// C1 … C5c, ADJ.
    pub code: String,
    pub name_zh: String,
    /// Points, up to four decimals (`0` when not assessed).
    pub points: String,
    /// `false`: not assessed (不考核) — a target the city was not given; the total is then converted
    /// to the 100-point scale over the assessed factors.
    pub assessed: bool,
    pub inputs: String,
    pub formula: String,
}

/// A city's points.
#[derive(Serialize, ToSchema)]
pub struct PointsEntry {
    /// Rank by total (1 = highest).
    pub rank: Option<u32>,
    pub city: String,
    pub city_code: Option<u32>,
    /// Total 0–100, two decimals.
    pub total: String,
    pub grade: String,
    pub factors: Vec<Factor>,
}

/// The 100-point scoring of a period.
#[derive(Serialize, ToSchema)]
pub struct PointsTable {
    pub period: String,
    pub scope: String,
    pub scheme_id: String,
    pub scheme_version: String,
    pub scheme_source: String,
    pub rows: Vec<PointsEntry>,
    /// Warnings for people, e.g. the cities without targets of the year (not assessed on them).
    pub warnings: Vec<String>,
}

/// The 100-point city scoring (Notice §4; `management.md` §1.3) with the shipped scheme, the same
/// computation as `lantian points`.
#[utoipa::path(get, path = "/api/v1/points", tag = "assessment", params(PointsQuery),
    responses((status = 200, body = PointsTable), (status = 400, body = ErrorBody)))]
async fn points(
    State(state): Shared,
    uri: axum::http::Uri,
    q: Result<Query<PointsQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let Query(q) = q?;
    let period = parse_period(&q.period)?;
    let variant = parse_variant(q.variant.as_deref())?;
    let format = crate::download::Format::parse(q.format.as_deref())?;
    let english = q.lang.as_deref() == Some("en");
    let compute = move |store: &mut dyn Store| {
        let scheme = PointsScheme::default_scheme().map_err(|e| ApiError::internal(e.to_string()))?;
        let scope = assess::resolve_scope(store, q.scope.as_deref())?;
        let scored = lantian_service::accountability::points::points(store, &scope, &period, &scheme, variant)?;
        let rows = scored
            .iter()
            .map(|c| PointsEntry {
                rank: c.rank,
                city: c.city.display().to_string(),
                city_code: c.city.code,
                total: fmt_hundredths(c.result.total_hundredths),
                grade: c.result.grade.clone(),
                factors: c
                    .result
                    .factors
                    .iter()
                    .map(|f| Factor {
                        code: f.code.to_string(),
                        name_zh: f.name_zh.to_string(),
                        points: fmt_ratio(f.points, 4),
                        assessed: f.assessed,
                        inputs: f.inputs.clone(),
                        formula: f.formula.clone(),
                    })
                    .collect(),
            })
            .collect();
        let cities: Vec<lantian_store::CityInfo> = scored.iter().map(|c| c.city.clone()).collect();
        let year = chrono::Datelike::year(&period.end);
        let missing = lantian_service::accountability::targets::missing_targets(store, &cities, year)?;
        let warnings = lantian_service::accountability::targets::missing_targets_warning(
            year,
            &missing,
            scheme.missing_target == lantian_core::accountability::points::MissingTarget::NotAssessed,
        )
        .into_iter()
        .collect();
        Ok(PointsTable {
            warnings,
            period: period.label(),
            scope: scope.name.clone(),
            scheme_id: scheme.id.clone(),
            scheme_version: scheme.version.clone(),
            scheme_source: scheme.source.clone(),
            rows,
        })
    };
    answer(state, uri, format, english, compute).await
}

/// Budget request.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BudgetQuery {
    /// `json` (default), `csv` or `xlsx` (one row per city and pollutant).
    pub format: Option<String>,
    /// `en`: the xlsx header and words in English (default Chinese).
    pub lang: Option<String>,
    /// A city; without it, the province's 21 cities.
    pub city: Option<String>,
    /// The moment (end of an hour, `YYYY-MM-DDTHH:MM`); default: each city's latest hour with data.
    pub at: Option<String>,
}

/// 以时保天、以天保月、以月保年: each city's budgets at a moment — the highest mean the rest of the day
/// may have per pollutant (O3: the next hour's cap), the non-good days the month can still afford, the
/// PM2.5 average the rest of the year may have, and the alerts; the same JSON as
/// `lantian budget --format json`.
#[utoipa::path(get, path = "/api/v1/budgets", tag = "assessment", params(BudgetQuery),
    responses((status = 200, description = "An array of city budgets", content_type = "application/json"),
              (status = 400, body = ErrorBody)))]
async fn budgets(
    State(state): Shared,
    uri: axum::http::Uri,
    q: Result<Query<BudgetQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let Query(q) = q?;
    let at = match q.at.as_deref() {
        None => None,
        Some(t) => Some(
            chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
                .or_else(|_| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
                .map_err(|_| ApiError::bad_request(format!("at {t:?}: expected YYYY-MM-DDTHH:MM")))
                .and_then(|t| crate::params::time("at", t))?,
        ),
    };
    let format = crate::download::Format::parse(q.format.as_deref())?;
    let english = q.lang.as_deref() == Some("en");
    answer(state, uri, format, english, move |store| {
        let cities = match q.city.as_deref() {
            Some(name) => vec![store
                .resolve_city(name)?
                .ok_or_else(|| ApiError::bad_request(format!("unknown city {name:?}")))?],
            None => assess::resolve_scope(store, None)?.cities,
        };
        let (mut out, mut table) = (Vec::new(), Vec::new());
        for c in &cities {
            let when = match at {
                Some(t) => t,
                None => match lantian_service::accountability::budget::latest_hour(store, c)? {
                    Some(t) => t,
                    None => continue,
                },
            };
            let b = lantian_service::accountability::budget::city_budget(store, c, when)?;
            for d in &b.day {
                table.push(vec![
                    b.city.display().to_string(),
                    b.city.code.map_or(String::new(), |c| c.to_string()),
                    b.at.format("%Y-%m-%dT%H:%M:%S+08:00").to_string(),
                    d.pollutant.code().to_string(),
                    d.current.map_or(String::new(), |c| c.to_string()),
                    lantian_service::accountability::budget::day_text(&d.budget),
                    d.status.code().to_string(),
                ]);
            }
            out.push(lantian_service::accountability::budget::budget_json(&b));
        }
        Ok(Budgets { cities: out, table })
    })
    .await
}

/// The budgets of a request: the JSON array of city budgets, or a table of their day budgets (one row
/// per city and pollutant).
#[derive(Serialize)]
#[serde(transparent)]
pub struct Budgets {
    cities: Vec<serde_json::Value>,
    #[serde(skip)]
    table: Vec<Vec<String>>,
}

impl crate::download::Tabular for Budgets {
    fn sheet(&self) -> crate::download::Sheet {
        use crate::download::Column;
        let columns = vec![
            Column::new("city", "城市", "City"),
            Column::new("city_code", "城市代码", "City code"),
            Column::new("at", "时间", "At"),
            Column::new("pollutant", "污染物", "Pollutant").coded(),
            Column::new("current", "当前", "Now"),
            Column::new("budget", "今日剩余小时均值上限", "Highest mean for the rest of the day"),
            Column::new("status", "状态", "Status").with_words(|v, en| {
                lantian_service::accountability::budget::DayStatus::from_code(v)
                    .map_or(v.to_string(), |s| if en { s.label_en() } else { s.label_zh() }.to_string())
            }),
        ];
        crate::download::Sheet { file: "budgets".into(), columns, rows: self.table.clone() }
    }
}

/// Assessment request.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    /// Period: `2022-05`, `2022-Q2`, `2022-H1`, `2022`, `2022-01..2022-05`, `2022-05-01..2022-05-20`.
    pub period: String,
    /// `city` (default), `region` (the five regions) or `province` (the scope pooled).
    pub level: Option<String>,
    /// 四川 (default), a region, `all`, or a comma-separated list (cities of level=city/province).
    pub scope: Option<String>,
    /// `dust-excluded` (default) or `raw`.
    pub variant: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
    /// `en`: the xlsx header in English (default Chinese).
    pub lang: Option<String>,
}

/// One statistic of a period.
#[derive(Serialize, ToSchema)]
pub struct Statistic {
    /// The value as reported (μg/m³; CO mg/m³): mean, CO 95th or O3 90th percentile.
    pub value: Option<String>,
    pub valid_days: u32,
    /// The validity minimum of GB 3095 for the period is met.
    pub meets_minimum: bool,
    /// Days above the 24-hour (O3: 8-hour) limit.
    pub exceedance_days: u32,
}

/// Period statistics of a city, region or the province (the same numbers as `lantian assess`).
#[derive(Serialize, ToSchema)]
pub struct Assessment {
    pub unit: String,
    pub code: Option<u32>,
    pub valid_days: u32,
    pub so2: Statistic,
    pub no2: Statistic,
    pub pm10: Statistic,
    pub pm2_5: Statistic,
    pub co: Statistic,
    pub o3: Statistic,
    pub good_days: u32,
    /// Percent, one decimal.
    pub good_day_ratio: Option<String>,
    /// Days per level 1–6.
    pub level_days: [u32; 6],
    pub heavy_days: u32,
    pub severe_days: u32,
}

fn assessment(unit: String, code: Option<u32>, s: &lantian_core::air::period::PeriodStats) -> Assessment {
    let st = |p: &lantian_core::air::period::PollutantStat| Statistic {
        value: p.value.map(|v| v.to_string()),
        valid_days: p.valid_days,
        meets_minimum: p.meets_minimum,
        exceedance_days: p.exceedance_days,
    };
    Assessment {
        unit,
        code,
        valid_days: s.valid_days,
        so2: st(&s.so2),
        no2: st(&s.no2),
        pm10: st(&s.pm10),
        pm2_5: st(&s.pm2_5),
        co: st(&s.co),
        o3: st(&s.o3),
        good_days: s.good_days,
        good_day_ratio: s.good_day_ratio_tenths().map(fmt_tenths),
        level_days: s.level_days,
        heavy_days: s.heavy_days,
        severe_days: s.severe_days,
    }
}

/// Period statistics (`assessment.md` §4–5): valid days, means and percentiles with their validity,
/// good days and ratio, days per level; regions and the province pool their cities' days.
#[utoipa::path(get, path = "/api/v1/assessments", tag = "assessment", params(AssessmentQuery),
    responses((status = 200, body = Vec<Assessment>), (status = 400, body = ErrorBody)))]
async fn assessments(
    State(state): Shared,
    uri: axum::http::Uri,
    q: Result<Query<AssessmentQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let Query(q) = q?;
    let period = parse_period(&q.period)?;
    let variant = parse_variant(q.variant.as_deref())?;
    let level = q.level.clone().unwrap_or_else(|| "city".into());
    if !["city", "region", "province"].contains(&level.as_str()) {
        return Err(ApiError::bad_request(format!("level {level:?}: expected city, region or province")));
    }
    let format = crate::download::Format::parse(q.format.as_deref())?;
    let english = q.lang.as_deref() == Some("en");
    let file = format!("assessment-{}", period.label());
    answer(state, uri, format, english, move |store| {
        let scope = assess::resolve_scope(store, q.scope.as_deref())?;
        let out: Vec<Assessment> = match level.as_str() {
            "city" => scope
                .cities
                .iter()
                .zip(assess::assess_cities(store, &scope.cities, &period, variant)?)
                .map(|(c, s)| assessment(c.display().to_string(), c.code, &s))
                .collect(),
            "province" => {
                let members = assess::assess_cities(store, &scope.cities, &period, variant)?;
                vec![assessment(scope.name.clone(), None, &lantian_core::air::period::pool_stats(&period, &members))]
            }
            _ => {
                let mut v = Vec::new();
                for r in lantian_core::regions::cities::RegionId::ALL {
                    let s = assess::resolve_scope(store, Some(r.name_zh()))?;
                    let members = assess::assess_cities(store, &s.cities, &period, variant)?;
                    v.push(assessment(s.name.clone(), None, &lantian_core::air::period::pool_stats(&period, &members)));
                }
                v
            }
        };
        Ok(Assessments { file, rows: out })
    })
    .await
}

/// The assessments of a request: the JSON array of [`Assessment`], or a table of them.
#[derive(Serialize)]
#[serde(transparent)]
pub struct Assessments {
    #[serde(skip)]
    file: String,
    rows: Vec<Assessment>,
}

impl crate::download::Tabular for Assessments {
    fn sheet(&self) -> crate::download::Sheet {
        use crate::download::{opt, Column};
        let mut columns = vec![
            Column::new("unit", "城市或区域", "City or region"),
            Column::new("code", "代码", "Code"),
            Column::new("valid_days", "有效天数", "Valid days"),
        ];
        let pollutants = [
            ("so2", "SO2(μg/m³)"),
            ("no2", "NO2(μg/m³)"),
            ("pm10", "PM10(μg/m³)"),
            ("pm2_5", "PM2.5(μg/m³)"),
            ("co", "CO(mg/m³)"),
            ("o3", "O3(μg/m³)"),
        ];
        for (key, label) in pollutants {
            columns.push(Column::new(key, label, label));
            columns.push(Column::new(
                &format!("{key}_valid_days"),
                &format!("{label}有效天数"),
                &format!("{label} valid days"),
            ));
        }
        columns.extend([
            Column::new("good_days", "优良天数", "Good days"),
            Column::new("good_day_ratio", "优良天数比例(%)", "Good days (%)"),
        ]);
        for (k, c) in lantian_core::air::aqi::AqiCategory::ALL.iter().enumerate() {
            columns.push(Column::new(
                &format!("level{}_days", k + 1),
                &format!("{}天数", c.name_zh()),
                &format!("{} days", c.name_en()),
            ));
        }
        columns.extend([
            Column::new("heavy_days", "重污染天数", "Heavy days"),
            Column::new("severe_days", "严重污染天数", "Severe days"),
        ]);
        let rows = self
            .rows
            .iter()
            .map(|a| {
                let mut row = vec![a.unit.clone(), opt(&a.code), a.valid_days.to_string()];
                for st in [&a.so2, &a.no2, &a.pm10, &a.pm2_5, &a.co, &a.o3] {
                    row.push(opt(&st.value));
                    row.push(st.valid_days.to_string());
                }
                row.extend([a.good_days.to_string(), opt(&a.good_day_ratio)]);
                row.extend(a.level_days.iter().map(u32::to_string));
                row.extend([a.heavy_days.to_string(), a.severe_days.to_string()]);
                row
            })
            .collect();
        crate::download::Sheet { file: self.file.clone(), columns, rows }
    }
}

/// Annual-targets request.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetQuery {
    /// The date to judge progress at (`YYYY-MM-DD`; default: the last day with data).
    pub at: Option<chrono::NaiveDate>,
    /// 四川 (default), a region, `all`, or a comma-separated list.
    pub scope: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
    /// `en`: the xlsx header and words in English (default Chinese).
    pub lang: Option<String>,
}

/// Each city's annual targets against the year to date and the same days a year before: the rows of
/// `lantian targets` (and of the dashboard's table).
#[derive(Serialize, ToSchema)]
pub struct Targets {
    /// The date progress is judged at.
    pub at: String,
    /// One object per city, its fields the columns of `lantian targets --format csv`: status codes
    /// `at_risk` or `on_track` (empty: no target), decimals as text.
    pub rows: Vec<std::collections::BTreeMap<String, String>>,
    #[serde(skip)]
    table: Vec<Vec<String>>,
}

/// Annual PM2.5 and good-day-rate targets against the year to date (the dashboard's computation,
/// `lantian targets`).
#[utoipa::path(get, path = "/api/v1/targets", tag = "assessment", params(TargetQuery),
    responses((status = 200, body = Targets), (status = 400, body = ErrorBody)))]
async fn targets(
    State(state): Shared,
    uri: axum::http::Uri,
    q: Result<Query<TargetQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    use lantian_service::accountability::targets::{target_progress, target_rows, TARGET_COLS};
    let Query(q) = q?;
    let at = q.at.map(|d| crate::params::date("at", d)).transpose()?;
    let format = crate::download::Format::parse(q.format.as_deref())?;
    let english = q.lang.as_deref() == Some("en");
    answer(state, uri, format, english, move |store| {
        let scope = assess::resolve_scope(store, q.scope.as_deref())?;
        let at = match at {
            Some(d) => d,
            None => assess::last_data_day(store)?
                .ok_or_else(|| ApiError::bad_request("give at: the store holds no data to date the progress"))?,
        };
        let table = target_rows(&target_progress(store, &scope.cities, at)?, at, false);
        let rows =
            table.iter().map(|r| TARGET_COLS.iter().map(|c| c.to_string()).zip(r.iter().cloned()).collect()).collect();
        Ok(Targets { at: at.to_string(), rows, table })
    })
    .await
}

impl crate::download::Tabular for Targets {
    fn sheet(&self) -> crate::download::Sheet {
        use lantian_service::accountability::targets::{TARGET_COLS, TARGET_ZH};
        let en = [
            "City",
            "Year",
            "PM2.5 target",
            "PM2.5 so far",
            "PM2.5 status",
            "Good-day target (%)",
            "Good days so far (%)",
            "Good-day status",
            "Heavy days at most",
            "Heavy days so far",
            "PM2.5 same days last year",
            "Good days same days last year (%)",
        ];
        let columns = TARGET_COLS
            .iter()
            .zip(TARGET_ZH)
            .zip(en)
            .map(|((k, zh), en)| {
                let c = crate::download::Column::new(k, zh, en);
                match *k {
                    "pm2_5_status" => c.with_words(|v, en| {
                        lantian_service::accountability::targets::target_status_words(v, true, en).to_string()
                    }),
                    "good_rate_status" => c.with_words(|v, en| {
                        lantian_service::accountability::targets::target_status_words(v, false, en).to_string()
                    }),
                    _ => c,
                }
            })
            .collect();
        crate::download::Sheet { file: format!("targets-{}", self.at), columns, rows: self.table.clone() }
    }
}
