//! `POST /api/v1/uploads?name=FILE`: an authenticated upload of one data file (CNEMC wide files, station
//! lists, daily city CSV, targets, tasks, …; plain or gzip), imported exactly as `lantian import` does:
//! the same detection, validation and single transaction. The account's role decides what it may
//! write; every upload, accepted or not, goes to the audit log.
//!
//! In this order (issue 12 §5–6), so that an anonymous or read-only client costs nothing:
//! 1. the account (session cookie with its CSRF token, or bearer token) and its role are checked before
//!    a byte of the body is read (401/403; a viewer never gets its file decompressed);
//! 2. the file name is checked (no control characters, at most 255 bytes: 400);
//! 3. a `Content-Length` above the upload limit is refused unread (413); the upload waits for one of the
//!    upload slots; the body is read as it streams and refused as soon as it passes the limit (413), or
//!    when it stalls beyond the body timeout (408);
//! 4. it is inflated within the decompression limit and parsed on a blocking thread **without** a store
//!    connection (`lantian_service::import::prepare_with`, the CLI's code path);
//! 5. only then it queues for the single writer (`StorePool::with_writer`), is authorised against every
//!    record (`may_import`) and written in one transaction.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use http_body_util::BodyExt;
use lantian_ingest::text::{fmt_size, is_limit_error, is_unsafe_char};
use lantian_service::accounts::{check_token, may_import, may_upload, Scope, WriteMode};
use lantian_service::import::{import_warnings, prepare_with, published_aqi_check, write_as, Ready};
use lantian_store::FileMeta;
use lantian_store::{Account, Store, Tx};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::blocking;
use crate::error::ErrorBody;
use crate::{now, ApiError, AppState};

/// Upload parameters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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
    /// The kind as Chinese pages name it (任务进度, 城市空气质量预报, …).
    pub kind_zh: String,
    pub rows: u64,
    /// The content had not been uploaded or imported before.
    pub new_file: bool,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub stations_created: u64,
    /// Records kept as proposals until the province approves them (a city's bonus/penalty items and
    /// dust periods; `inserted` counts them too): they change no score until then.
    pub pending_approval: u64,
    /// Daily city values: how many days carry a published AQI and how many of them lantian's AQI of
    /// the daily values contradicts (the published AQI decides the day).
    pub published_aqi: Option<PublishedAqiReport>,
    /// What the import noticed but accepted (e.g. days that disagree with the published AQI, a
    /// truncated last row, hours missing rows, a last cell that may have been cut) — as `lantian
    /// import` reports them.
    pub warnings: Vec<String>,
    /// Stored values the file changed or deleted, with the first examples.
    pub revisions: RevisionsReport,
    /// Seconds the upload waited for another writer (a `lantian import` holding the store's write
    /// lock) before it was written; 0 when it did not wait (waits under half a second are not counted).
    pub waited_secs: f64,
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

/// The account of a request made with `Authorization: Bearer <token>`, whose token must be live and
/// carry `scope` (401: no usable token; 403: a token without the scope).
pub fn authenticate(store: &dyn Store, headers: &HeaderMap, scope: Scope) -> Result<Account, ApiError> {
    let unauthorized = |m: &str| ApiError { status: StatusCode::UNAUTHORIZED, code: "unauthorized", message: m.into() };
    let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Err(unauthorized("sign in first: send Authorization: Bearer <token> (lantian user token NAME)"));
    };
    let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim).unwrap_or("");
    match check_token(store, token, scope, crate::access::unix_now())? {
        Ok((account, _)) => Ok(account),
        Err(r) if r.forbidden => Err(forbidden(r.message)),
        Err(r) => Err(unauthorized(&r.message)),
    }
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
              (status = 408, body = ErrorBody), (status = 413, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<Arc<AppState>>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    q: Result<Query<UploadQuery>, QueryRejection>,
    body: Body,
) -> Result<Json<UploadReport>, ApiError> {
    // 1. Who, before anything of the body is read.
    let st = state.clone();
    let h = headers.clone();
    let account = blocking(state.clone(), move |store| match crate::session::session_account(&st, store, &h, true)? {
        Some(a) => Ok(a),
        None => authenticate(store, &h, Scope::Upload),
    })
    .await?;
    let at = now();
    let remote = remote.ip().to_string();
    let name = q.as_ref().map(|Query(q)| file_name(&q.name)).unwrap_or_default();
    let received = match may_upload(&account) {
        Err(why) => Err(forbidden(why)),
        Ok(()) => match q {
            Err(e) => Err(ApiError::from(e)),
            Ok(_) => receive(&state, &name, &headers, body, &at).await,
        },
    };
    write_received(state, account, name, received.map(|(slot, meta, ready)| (Some(slot), meta, ready)), at, remote)
        .await
        .map(Json)
}

/// 5. Writes a received file as its account may. One writer at a time; the upload slot (if any) is held
///    until the file is written. The records and the audit entry that records them are one transaction
///    (issue 13 item 5): a failure between them leaves neither. A rejected file is rolled back, then
///    audited as rejected in a transaction of its own. A writer of another process (a `lantian import`)
///    is waited for, not failed on. Uploads and the web's forms that write records (task progress) go
///    through here.
pub(crate) async fn write_received(
    state: Arc<AppState>,
    account: Account,
    name: String,
    received: Result<(Option<tokio::sync::OwnedSemaphorePermit>, FileMeta, Ready), ApiError>,
    at: String,
    remote: String,
) -> Result<UploadReport, ApiError> {
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        st.stores.with_writer(|store| {
            let wait = st.config.write_wait;
            let (result, waited) = match received {
                Err(e) => (Err(e), std::time::Duration::ZERO),
                Ok((_slot, meta, ready)) => lantian_store::retry_busy(&wait, ApiError::is_busy, || {
                    lantian_store::atomically(&mut *store, |tx| {
                        let mut r = write_upload(tx, &account, &name, &meta, &ready)?;
                        let detail = format!(
                            "{} ({}): {} inserted, {} updated, {} unchanged",
                            r.file, r.kind, r.inserted, r.updated, r.unchanged
                        );
                        tx.accounts().audit(&at, &account.name, "upload", &detail, &remote)?;
                        r.waited_secs = 0.0;
                        Ok(r)
                    })
                }),
            };
            match result {
                Ok(mut r) => {
                    if waited > WAIT_REPORTED {
                        r.waited_secs = waited.as_secs_f64();
                        r.warnings.push(format!(
                            "{name}: waited {:.1} s for another writer (an import) before writing",
                            waited.as_secs_f64()
                        ));
                    }
                    Ok(r)
                }
                Err(e) => {
                    let detail = format!("{name}: rejected ({}): {}", e.status.as_u16(), e.message);
                    let (audited, _) = lantian_store::write_retrying(store, &wait, |tx| {
                        tx.accounts().audit(&at, &account.name, "upload", &detail, &remote)
                    });
                    audited?;
                    Err(e)
                }
            }
        })
    })
    .await
    .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
}

/// Waits shorter than this are not reported (a writer of the same server finishing its file).
const WAIT_REPORTED: std::time::Duration = std::time::Duration::from_millis(500);

/// Authorises every record of the file for the account and writes it as the account's mode says,
/// inside the caller's transaction.
fn write_upload(
    tx: &mut Tx<'_>,
    account: &Account,
    name: &str,
    meta: &FileMeta,
    ready: &Ready,
) -> Result<UploadReport, ApiError> {
    if let Err(why) = may_import(tx.reader(), account, ready)? {
        return Err(forbidden(why));
    }
    let mode = WriteMode::for_account(account);
    let o = write_as(tx, meta, ready, &mode)?;
    let check = published_aqi_check(Path::new(name), ready);
    let proposal = matches!(mode, WriteMode::Propose { .. }) && ready.info().proposals;
    let pending_approval = if proposal { o.inserted } else { 0 };
    let mut warnings = import_warnings(Path::new(name), ready, &o);
    if proposal {
        warnings.push(format!(
            "{name}: {pending_approval} proposals await the province's approval; they change no score until approved"
        ));
    }
    Ok(UploadReport {
        pending_approval,
        warnings,
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
        file: name.to_string(),
        kind: ready.kind_name().to_string(),
        kind_zh: ready.info().name_zh.to_string(),
        rows: ready.rows(),
        new_file: o.new_file,
        inserted: o.inserted,
        updated: o.updated,
        unchanged: o.unchanged,
        stations_created: o.stations_created,
        waited_secs: 0.0,
    })
}

/// The last component of the name a client gave (no folders), at most 255 bytes.
fn file_name(given: &str) -> String {
    let name = Path::new(given).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    if name.len() <= MAX_NAME_BYTES {
        return name;
    }
    let mut end = MAX_NAME_BYTES;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &name[..end])
}

/// The longest file name accepted (the usual file-system limit).
const MAX_NAME_BYTES: usize = 255;

/// 2–4: the name, the size, a slot, the body within the limit, then parsing without a connection.
async fn receive(
    state: &Arc<AppState>,
    name: &str,
    headers: &HeaderMap,
    body: Body,
    at: &str,
) -> Result<(tokio::sync::OwnedSemaphorePermit, FileMeta, Ready), ApiError> {
    if name.is_empty() {
        return Err(ApiError::bad_request("name the file: ?name=FILE"));
    }
    if name.chars().any(is_unsafe_char) {
        return Err(ApiError::bad_request("the file name holds control characters (CR, LF, …): rename the file"));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(ApiError::bad_request(format!("the file name is longer than {MAX_NAME_BYTES} bytes")));
    }
    let limits = state.config.upload;
    let too_large = || ApiError {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        code: "payload_too_large",
        message: format!("{name}: the upload exceeds the limit of {} (--max-upload)", fmt_size(limits.max_input)),
    };
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_input) {
        return Err(too_large());
    }
    // The slot is held until the file is written: at most `--upload-slots` uploads in memory at once.
    let slot =
        state.upload_slots.clone().acquire_owned().await.map_err(|_| ApiError::internal("the server is stopping"))?;
    let mut body = body;
    let mut raw = Vec::with_capacity(usize::try_from(declared.unwrap_or(0)).unwrap_or(0));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| match crate::conn::is_body_timeout(&e) {
            Some(t) => {
                ApiError { status: StatusCode::REQUEST_TIMEOUT, code: "request_timeout", message: t.to_string() }
            }
            None => ApiError::bad_request(format!("reading the upload: {e}")),
        })?;
        if let Ok(data) = frame.into_data() {
            if (raw.len() + data.len()) as u64 > limits.max_input {
                return Err(too_large());
            }
            raw.extend_from_slice(&data);
        }
    }
    let (name, at) = (name.to_string(), at.to_string());
    let (meta, ready) = tokio::task::spawn_blocking(move || prepare_with(Path::new(&name), raw, &at, &limits))
        .await
        .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
        .map_err(|e| {
            if is_limit_error(&e) {
                ApiError { status: StatusCode::PAYLOAD_TOO_LARGE, code: "payload_too_large", message: e.to_string() }
            } else {
                ApiError::bad_request(e.to_string())
            }
        })?;
    Ok((slot, meta, ready))
}
