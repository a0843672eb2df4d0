//! `POST /api/v1/uploads?name=FILE`: an authenticated upload of one data file (CNEMC wide files, station
//! lists, daily city CSV, targets, tasks, …; plain or gzip), imported exactly as `lantian import` does:
//! the same detection, validation and single transaction. The account's role decides what it may
//! write; every upload, accepted or not, goes to the audit log.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use lantian_service::accounts::{account_for_token, may_import};
use lantian_service::import::{import_warnings, prepare, published_aqi_check, write};
use lantian_store::{Account, SqliteStore, Store};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::blocking;
use crate::error::ErrorBody;
use crate::{now, ApiError, AppState};

/// Upload parameters.
#[derive(Deserialize, IntoParams)]
pub struct UploadQuery {
    /// The file's name (used in messages and the audit log), e.g. `china_sites_20230121.csv`.
    pub name: String,
}

/// What an accepted upload did.
#[derive(Serialize, ToSchema)]
pub struct UploadReport {
    pub file: String,
    /// Detected kind: cnemc-sites, cnemc-cities, cnemc-realtime, station-list, city-daily, aqistudy-daily, dust-events,
    /// city-targets, adjustments, national-ranks, target-tasks, task-reports.
    pub kind: String,
    pub rows: u64,
    /// The content had not been uploaded or imported before.
    pub new_file: bool,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub stations_created: u64,
    /// Daily city values: how many days carry a published AQI and how many of them lantian's AQI of
    /// the daily values contradicts (the published AQI decides the day).
    pub published_aqi: Option<PublishedAqiReport>,
    /// What the import noticed but accepted (e.g. days that disagree with the published AQI, a
    /// truncated last row, hours missing rows, a last cell that may have been cut) — as `lantian
    /// import` reports them.
    pub warnings: Vec<String>,
    /// Stored values the file changed or deleted, with the first examples.
    pub revisions: RevisionsReport,
}

/// Stored values an upload replaced (`lantian import` prints the same).
#[derive(Serialize, ToSchema)]
pub struct RevisionsReport {
    /// Stored values changed or deleted.
    pub count: u64,
    /// Of them, deleted (an empty cell over a stored value).
    pub deleted: u64,
    /// The first few: `1001A 2023-01-20T05:00:00+08:00 PM2.5 74 → 7`, `成都 2022-01-02 o3_mda8 140 → 14`.
    pub examples: Vec<String>,
}

/// Imported daily values against the AQI their file publishes (`lantian import` reports the same).
#[derive(Serialize, ToSchema)]
pub struct PublishedAqiReport {
    /// City-days with a published AQI.
    pub days: u64,
    /// Days whose computed AQI differs from the published one.
    pub disagree: u64,
    /// Of them, days in another level.
    pub level_differs: u64,
    /// Of them, days in the same level with another value.
    pub value_only: u64,
    /// The first disagreeing days: `FILE:LINE city date published N (类别) computed M (类别)`.
    pub examples: Vec<String>,
}

/// The account of a request made with `Authorization: Bearer <token>`.
pub fn authenticate(store: &SqliteStore, headers: &HeaderMap) -> Result<Account, ApiError> {
    let unauthorized = |m: &str| ApiError { status: StatusCode::UNAUTHORIZED, code: "unauthorized", message: m.into() };
    let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Err(unauthorized("sign in first: send Authorization: Bearer <token> (lantian user token NAME)"));
    };
    let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim).unwrap_or("");
    account_for_token(store, token)?.ok_or_else(|| unauthorized("unknown, revoked or disabled token"))
}

fn forbidden(m: String) -> ApiError {
    ApiError { status: StatusCode::FORBIDDEN, code: "forbidden", message: m }
}

/// Upload one data file.
#[utoipa::path(post, path = "/api/v1/uploads", tag = "data", params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
                 description = "The file as it is (CSV or gzip)"),
    responses((status = 200, body = UploadReport), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 413, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<Arc<AppState>>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    q: Result<Query<UploadQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<UploadReport>, ApiError> {
    let body = body.map_err(|e| ApiError {
        status: e.status(),
        code: if e.status() == StatusCode::PAYLOAD_TOO_LARGE { "payload_too_large" } else { "bad_request" },
        message: e.body_text(),
    })?;
    let Query(q) = q?;
    let name = Path::new(&q.name).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::bad_request("name the file: ?name=FILE"));
    }
    let remote = remote.ip().to_string();
    let st = state.clone();
    blocking(state, move |store| {
        let account = match crate::session::session_account(&st, store, &headers, true)? {
            Some(a) => a,
            None => authenticate(store, &headers)?,
        };
        let at = now();
        let result = (|| {
            let (meta, ready) =
                prepare(Path::new(&name), body.to_vec(), &at).map_err(|e| ApiError::bad_request(e.to_string()))?;
            if let Err(why) = may_import(store, &account, &ready)? {
                return Err(forbidden(why));
            }
            let o = write(store, &meta, &ready)?;
            let check = published_aqi_check(Path::new(&name), &ready);
            Ok(UploadReport {
                warnings: import_warnings(Path::new(&name), &ready, &o),
                revisions: RevisionsReport {
                    count: o.revisions.count,
                    deleted: o.revisions.deleted,
                    examples: o.revisions.examples.clone(),
                },
                published_aqi: check.map(|c| PublishedAqiReport {
                    days: c.days,
                    disagree: c.disagree(),
                    level_differs: c.level_differs,
                    value_only: c.value_only,
                    examples: c.examples,
                }),
                file: name.clone(),
                kind: ready.kind_name().to_string(),
                rows: ready.rows(),
                new_file: o.new_file,
                inserted: o.inserted,
                updated: o.updated,
                unchanged: o.unchanged,
                stations_created: o.stations_created,
            })
        })();
        let detail = match &result {
            Ok(r) => format!(
                "{} ({}): {} inserted, {} updated, {} unchanged",
                r.file, r.kind, r.inserted, r.updated, r.unchanged
            ),
            Err(e) => format!("{name}: rejected ({}): {}", e.status.as_u16(), e.message),
        };
        store.audit(&at, &account.name, "upload", &detail, &remote)?;
        result
    })
    .await
    .map(Json)
}
