//! Browser sign-in: `POST /api/v1/session` with name and password sets a session cookie (HttpOnly,
//! SameSite=Strict, Secure behind TLS) and returns a CSRF token that every cookie-authenticated write
//! must echo in `X-CSRF-Token`; `GET` tells who is signed in; `DELETE` signs out. Failed sign-ins are
//! throttled per account name and per address (5 failures in 15 minutes lock both for the rest of the
//! window). Sessions live in the server's memory and end after an idle time (default 30 minutes) or
//! an absolute lifetime (default 8 hours) — OWASP ASVS 3.3.2 at level 2 — at sign-out, at restart, or
//! when the account is disabled (its credential epoch rises: re-enabling it does not revive them).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use lantian_service::accounts::{random_token, verify_password};
use lantian_store::{Account, SqliteStore, Store};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::blocking;
use crate::error::ErrorBody;
use crate::{now, ApiError, AppState};

/// The session cookie's name.
pub const COOKIE: &str = "lantian_session";
/// A session ends after this long without a request (`serve --session-idle-secs`,
/// `LANTIAN_SESSION_IDLE_SECS`).
pub const DEFAULT_SESSION_IDLE: Duration = Duration::from_secs(30 * 60);
/// A session ends this long after sign-in whatever its use (`serve --session-max-secs`,
/// `LANTIAN_SESSION_MAX_SECS`).
pub const DEFAULT_SESSION_MAX: Duration = Duration::from_secs(8 * 3600);
const FAIL_WINDOW: Duration = Duration::from_secs(15 * 60);
const MAX_FAILURES: usize = 5;

struct Session {
    account: String,
    /// The account's credential epoch at sign-in (disabling the account raises it).
    epoch: i64,
    csrf: String,
    started: Instant,
    last_seen: Instant,
}

/// Sessions and sign-in failures, in memory.
pub struct Sessions {
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
    idle: Duration,
    max: Duration,
}

impl Default for Sessions {
    fn default() -> Sessions {
        Sessions::with_limits(DEFAULT_SESSION_IDLE, DEFAULT_SESSION_MAX)
    }
}

impl Sessions {
    fn throttled(&self, keys: &[String]) -> bool {
        let mut f = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        keys.iter().any(|k| {
            let v = f.entry(k.clone()).or_default();
            v.retain(|t| now.duration_since(*t) < FAIL_WINDOW);
            v.len() >= MAX_FAILURES
        })
    }
    fn fail(&self, keys: &[String]) {
        let mut f = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for k in keys {
            f.entry(k.clone()).or_default().push(Instant::now());
        }
    }
    /// Sessions that end after `idle` without a request or `max` after sign-in.
    pub fn with_limits(idle: Duration, max: Duration) -> Sessions {
        Sessions { sessions: Mutex::default(), failures: Mutex::default(), idle, max }
    }
    fn live(&self, x: &Session, now: Instant) -> bool {
        now.duration_since(x.started) < self.max && now.duration_since(x.last_seen) < self.idle
    }
    fn start(&self, account: &Account) -> (String, String) {
        let (id, csrf) = (random_token("s_"), random_token("c_"));
        let mut s = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        s.retain(|_, x| self.live(x, now));
        s.insert(
            id.clone(),
            Session {
                account: account.name.clone(),
                epoch: account.credential_epoch,
                csrf: csrf.clone(),
                started: now,
                last_seen: now,
            },
        );
        (id, csrf)
    }
    /// `(account name, credential epoch, csrf token)` of a live session; the request renews its idle time.
    fn get(&self, id: &str) -> Option<(String, i64, String)> {
        let mut s = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        let live = s.get(id).is_some_and(|x| self.live(x, now));
        if !live {
            s.remove(id);
            return None;
        }
        let x = s.get_mut(id)?;
        x.last_seen = now;
        Some((x.account.clone(), x.epoch, x.csrf.clone()))
    }
    fn end(&self, id: &str) {
        self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(id);
    }
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == COOKIE).then(|| v.to_string())
    })
}

/// `(account name, CSRF token)` of the request's live session, if any (for pages that write).
pub fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<(String, String)> {
    cookie_value(headers).and_then(|id| state.sessions.get(&id)).map(|(name, _, csrf)| (name, csrf))
}

/// The account of a cookie session, checking the CSRF header when `write` is set.
pub fn session_account(
    state: &AppState,
    store: &SqliteStore,
    headers: &HeaderMap,
    write: bool,
) -> Result<Option<Account>, ApiError> {
    let Some(id) = cookie_value(headers) else { return Ok(None) };
    let Some((name, epoch, csrf)) = state.sessions.get(&id) else { return Ok(None) };
    if write {
        let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        if sent != csrf {
            return Err(ApiError {
                status: StatusCode::FORBIDDEN,
                code: "csrf",
                message: "missing or wrong X-CSRF-Token for a signed-in write".into(),
            });
        }
    }
    // A disabled account, or one disabled since the sign-in (re-enabled or not), has no session.
    let account = store.account(&name)?.filter(|a| !a.disabled && a.credential_epoch == epoch);
    if account.is_none() {
        state.sessions.end(&id);
    }
    Ok(account)
}

/// Sign-in request.
#[derive(Deserialize, ToSchema)]
pub struct SignIn {
    pub name: String,
    pub password: String,
}

/// Who is signed in.
#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    pub name: String,
    pub role: String,
    pub city: Option<String>,
    pub department: Option<String>,
    /// Echo in `X-CSRF-Token` on every write made with the session cookie.
    pub csrf_token: String,
}

fn info(a: &Account, csrf: String) -> SessionInfo {
    SessionInfo {
        name: a.name.clone(),
        role: a.role.clone(),
        city: a.city.as_ref().map(|c| c.display().to_string()),
        department: a.department.clone(),
        csrf_token: csrf,
    }
}

/// Sign in with name and password.
#[utoipa::path(post, path = "/api/v1/session", tag = "accounts", request_body = SignIn,
    responses((status = 200, body = SessionInfo, description = "Signed in; sets the session cookie"),
              (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn sign_in(
    State(state): State<Arc<AppState>>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<SignIn>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let ip = remote.ip().to_string();
    let keys = vec![format!("name:{}", req.name), format!("ip:{ip}")];
    if state.sessions.throttled(&keys) {
        return Err(ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "throttled",
            message: "too many failed sign-ins: try again in 15 minutes".into(),
        });
    }
    let st = state.clone();
    let account = blocking(state.clone(), move |store| {
        let a = store.account(&req.name)?;
        let ok = a.as_ref().is_some_and(|a| !a.disabled && verify_password(&req.password, &a.password_hash));
        store.audit(&now(), &req.name, if ok { "sign-in" } else { "sign-in.failed" }, "", &ip)?;
        if !ok {
            st.sessions.fail(&keys);
        }
        Ok(if ok { a } else { None })
    })
    .await?;
    let Some(account) = account else {
        return Err(ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: "wrong name or password, or the account is disabled".into(),
        });
    };
    let (id, csrf) = state.sessions.start(&account);
    let secure = headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes() == b"https");
    let cookie = format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        state.sessions.max.as_secs(),
        if secure { "; Secure" } else { "" }
    );
    let mut resp = Json(info(&account, csrf)).into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| ApiError::internal(e.to_string()))?);
    Ok(resp)
}

/// Who is signed in with this cookie.
#[utoipa::path(get, path = "/api/v1/session", tag = "accounts",
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorBody)))]
pub async fn current(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Json<SessionInfo>, ApiError> {
    let id = cookie_value(&headers).unwrap_or_default();
    let csrf = state.sessions.get(&id).map(|(_, _, c)| c).unwrap_or_default();
    let st = state.clone();
    let account = blocking(state, move |store| session_account(&st, store, &headers, false)).await?;
    account.map(|a| Json(info(&a, csrf))).ok_or_else(|| ApiError {
        status: StatusCode::UNAUTHORIZED,
        code: "unauthorized",
        message: "not signed in".into(),
    })
}

/// Sign out (needs the CSRF header).
#[utoipa::path(delete, path = "/api/v1/session", tag = "accounts",
    responses((status = 200, description = "Signed out"), (status = 403, body = ErrorBody)))]
pub async fn sign_out(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, ApiError> {
    let st = state.clone();
    let h = headers.clone();
    blocking(state.clone(), move |store| session_account(&st, store, &h, true)).await?;
    if let Some(id) = cookie_value(&headers) {
        state.sessions.end(&id);
    }
    let mut resp = Json(serde_json::json!({"signed_out": true})).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("lantian_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(resp)
}
