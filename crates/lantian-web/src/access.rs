//! Who may read what (issue 12 §1): one access policy per route, enforced by one middleware before any
//! handler runs, **deny by default** — a route without an entry in [`POLICIES`] answers 403 to everyone,
//! so a new endpoint cannot be served before its policy is decided (the role × endpoint × city matrix of
//! `crates/lantian-cli/tests/access.rs` also fails for it).
//!
//! Public: the published air-quality numbers (hourly and daily AQI of stations and cities, the station
//! list, rankings, assessments, points, budgets) and the alerts in force with their level and period.
//! Restricted ([`Dataset`]): control lists (enterprises, credit codes, measures), compliance (power use,
//! CEMS, leads, the pairing duty), who decided each alert and the forecast evaluation, target tasks,
//! proposals; accounts, the audit log and uploads are never readable through the web. Anonymous callers
//! get the public part only (pages show a public version, e.g. `/alerts` without the decision makers;
//! restricted pages redirect to `/login`, restricted API answers are 401/403 in the API error shape).
//! Each role reads its scope ([`lantian_service::accounts::may_read`]).

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lantian_service::accounts::{check_token, may_read, Dataset, ReadScope, Scope};
use lantian_store::Account;

use crate::{ApiError, AppState};

/// The access policy of a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Anyone, the same answer for all.
    Public,
    /// Anyone; the restricted detail of the dataset (e.g. who decided an alert) only for those who read
    /// it, within their scope.
    PublicSummary(Dataset),
    /// Accounts that read the dataset, within their scope; anonymous: 401 (API) or a redirect to
    /// `/login` (pages); other accounts: 403.
    Restricted(Dataset),
    /// Any signed-in account (the upload form).
    SignedIn,
    /// The handler authenticates and authorises itself: writes (a token of the write's scope, or a
    /// session cookie with its CSRF token) and signing in and out.
    Handler,
}

/// Every route of the server with its policy (method, path as routed, policy). Deny by default: a route
/// missing here answers 403 "no access policy".
pub const POLICIES: &[(&str, &str, Policy)] = &[
    ("GET", "/healthz", Policy::Public),
    ("GET", "/", Policy::Public),
    ("GET", "/screen", Policy::Public),
    ("GET", "/ranking", Policy::Public),
    ("GET", "/points", Policy::Public),
    ("GET", "/stations", Policy::Public),
    ("GET", "/stations/{code}", Policy::Public),
    ("GET", "/cities/{city}", Policy::Public),
    ("GET", "/login", Policy::Public),
    ("GET", "/assets/{file}", Policy::Public),
    ("GET", "/upload", Policy::SignedIn),
    ("GET", "/alerts", Policy::PublicSummary(Dataset::AlertDecisions)),
    ("GET", "/alerts/control-list", Policy::Restricted(Dataset::ControlLists)),
    ("GET", "/tasks", Policy::Restricted(Dataset::Tasks)),
    ("GET", "/work", Policy::SignedIn),
    ("GET", "/work/items/{id}", Policy::SignedIn),
    ("GET", "/work/evidence/{reference}", Policy::SignedIn),
    ("GET", "/api/v1/openapi.json", Policy::Public),
    ("GET", "/api/v1/cities", Policy::Public),
    ("GET", "/api/v1/stations", Policy::Public),
    ("GET", "/api/v1/stations.geojson", Policy::Public),
    ("GET", "/api/v1/rankings", Policy::Public),
    ("GET", "/api/v1/points", Policy::Public),
    ("GET", "/api/v1/budgets", Policy::Public),
    ("GET", "/api/v1/assessments", Policy::Public),
    ("GET", "/api/v1/targets", Policy::Public),
    ("GET", "/api/v1/aqi/hourly", Policy::Public),
    ("GET", "/api/v1/aqi/daily", Policy::Public),
    ("GET", "/api/v1/alerts", Policy::PublicSummary(Dataset::AlertDecisions)),
    ("GET", "/api/v1/alerts/evaluation", Policy::Restricted(Dataset::AlertDecisions)),
    ("GET", "/api/v1/control-lists", Policy::Restricted(Dataset::ControlLists)),
    ("GET", "/api/v1/compliance", Policy::Restricted(Dataset::Compliance)),
    ("GET", "/api/v1/tasks", Policy::Restricted(Dataset::Tasks)),
    ("GET", "/api/v1/proposals", Policy::Restricted(Dataset::Proposals)),
    ("POST", "/api/v1/alerts/decisions", Policy::Handler),
    ("POST", "/api/v1/tasks/{code}/reports", Policy::Handler),
    ("GET", "/api/v1/work/items", Policy::Handler),
    ("POST", "/api/v1/work/items", Policy::Handler),
    ("POST", "/api/v1/work/items/{id}/actions", Policy::Handler),
    ("POST", "/api/v1/work/evidence", Policy::Handler),
    ("POST", "/api/v1/proposals/{id}/approve", Policy::Handler),
    ("POST", "/api/v1/proposals/{id}/reject", Policy::Handler),
    ("POST", "/api/v1/uploads", Policy::Handler),
    ("GET", "/api/v1/session", Policy::Handler),
    ("POST", "/api/v1/session", Policy::Handler),
    ("DELETE", "/api/v1/session", Policy::Handler),
];

/// The policy of a routed request (`HEAD` is answered as `GET`).
pub fn policy(method: &Method, path: &str) -> Option<Policy> {
    let m = if method == Method::HEAD { "GET" } else { method.as_str() };
    POLICIES.iter().find(|(pm, pp, _)| *pm == m && *pp == path).map(|(_, _, p)| *p)
}

/// Who is calling: an account signed in with a session cookie or a bearer token with the `read` scope,
/// or nobody. Handlers read it from the request's extensions to scope their answers.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    pub account: Option<Account>,
    /// A presented token that is valid but lacks the `read` scope: why it does not read.
    pub refusal: Option<String>,
}

impl Caller {
    /// What the caller reads of a dataset.
    pub fn scope(&self, d: Dataset) -> ReadScope {
        may_read(self.account.as_ref(), d)
    }
    /// Whether the caller reads the dataset's detail of a log scope (`city:510100`, `region:成都平原`):
    /// all of them, or those of its own city.
    pub fn reads_scope(&self, d: Dataset, log_scope: &str) -> bool {
        match self.scope(d) {
            ReadScope::All => true,
            ReadScope::City(_) => self
                .account
                .as_ref()
                .and_then(|a| a.city.as_ref())
                .and_then(|c| c.code)
                .is_some_and(|code| log_scope == format!("city:{code}")),
            ReadScope::None | ReadScope::Department(_) => false,
        }
    }
    /// The part of a cache key that tells readers of different scopes apart.
    pub fn cache_key(&self, d: Dataset) -> String {
        format!("{}|", self.scope(d).key())
    }
    /// 403 for a city-scoped reader asking for another city's rows.
    pub fn forbid_city(&self, d: Dataset, city: &lantian_store::CityInfo) -> Result<(), ApiError> {
        if self.scope(d).covers_city(city.id) {
            return Ok(());
        }
        let own = self.account.as_ref().and_then(|a| a.city.as_ref()).map(|c| c.display().to_string());
        Err(forbidden(match own {
            Some(own) => format!("this account reads {} of {own} only, not of {}", d.code(), city.display()),
            None => format!("this account does not read {}", d.code()),
        }))
    }
}

pub(crate) fn forbidden(message: String) -> ApiError {
    ApiError { status: StatusCode::FORBIDDEN, code: "forbidden", message }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError { status: StatusCode::UNAUTHORIZED, code: "unauthorized", message: message.into() }
}

/// Unix seconds now (token expiry).
pub(crate) fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The caller of a request (session cookie or bearer token with the `read` scope); a presented token
/// that is unknown, expired, revoked or of a disabled account is a 401.
async fn resolve(state: &Arc<AppState>, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let bearer = headers.get(header::AUTHORIZATION).map(|v| v.to_str().unwrap_or("").to_string());
    let has_cookie = headers.contains_key(header::COOKIE);
    if bearer.is_none() && !has_cookie {
        return Ok(Caller::default());
    }
    let st = state.clone();
    let headers = headers.clone();
    crate::api::blocking(state.clone(), move |store| {
        if let Some(value) = bearer {
            let token = value.strip_prefix("Bearer ").map(str::trim).unwrap_or("");
            return match check_token(store, token, Scope::Read, unix_now())? {
                Ok((account, _)) => Ok(Caller { account: Some(account), refusal: None }),
                Err(r) if r.forbidden => Ok(Caller { account: None, refusal: Some(r.message) }),
                Err(r) => Err(unauthorized(&r.message)),
            };
        }
        let account = crate::session::session_account(&st, store, &headers, false)?;
        Ok(Caller { account, refusal: None })
    })
    .await
}

fn is_page(path: &str) -> bool {
    !path.starts_with("/api/") && path != "/healthz"
}

/// A redirect to the sign-in page that comes back to `uri` afterwards.
fn to_login(uri: &axum::http::Uri) -> Response {
    let back = uri.path_and_query().map_or("/", |p| p.as_str());
    (StatusCode::SEE_OTHER, [(header::LOCATION, format!("/login?next={}", percent_encoded(back)))]).into_response()
}

/// `text` with every byte but ASCII letters, digits and `-_.~/` percent-encoded (a path or a query
/// value in a `Location`).
pub(crate) fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// How many rows of restricted data an answer carries: put on its response by the handler of a
/// restricted route ([`exported`]); the middleware writes it to the audit log (issue 13 item 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exported {
    pub rows: u64,
}

/// `response`, marked as exporting `rows` rows of restricted data.
pub fn exported(mut response: Response, rows: u64) -> Response {
    response.extensions_mut().insert(Exported { rows });
    response
}

/// Writes the audit entry of an export of restricted data — action `export`: who, which dataset and
/// scope, what was asked and how many rows — before the answer leaves (fail closed: an export that
/// cannot be audited is not served, 503/500). A restricted route's answer without its row count is
/// refused (a handler that forgot to count would otherwise export unaudited). An answer of a public
/// route with restricted detail is audited when it shows some (rows > 0).
async fn audit_export(
    state: &Arc<AppState>,
    response: Response,
    d: Dataset,
    summary: bool,
    account: &Account,
    target: String,
    remote: String,
) -> Response {
    let Some(Exported { rows }) = response.extensions().get::<Exported>().copied() else {
        return ApiError::internal(format!("{target}: the answer does not count what it exports; not served"))
            .into_response();
    };
    if summary && rows == 0 {
        return response;
    }
    let scope = match may_read(Some(account), d) {
        ReadScope::All => "all".to_string(),
        ReadScope::City(_) => {
            format!("city {}", account.city.as_ref().map_or_else(|| "?".to_string(), |c| c.display().to_string()))
        }
        ReadScope::Department(dep) => format!("department {dep}"),
        ReadScope::None => "none".to_string(),
    };
    let detail = format!("{} ({scope}) {target}: {rows} rows", d.code());
    let (st, actor, at) = (state.clone(), account.name.clone(), crate::now());
    let written = tokio::task::spawn_blocking(move || {
        st.stores.write(&st.config.write_wait, |tx| tx.accounts().audit(&at, &actor, "export", &detail, &remote))
    })
    .await;
    match written {
        Ok(Ok(())) => response,
        Ok(Err(e)) => ApiError::from(e).into_response(),
        Err(e) => ApiError::internal(format!("worker failed: {e}")).into_response(),
    }
}

/// The middleware: finds the route's policy (none: 403 for everyone), resolves the caller when the
/// request carries credentials, enforces the policy, and hands the caller to the handler. A
/// successful read of restricted data is audited ([`audit_export`]).
pub async fn enforce(State(state): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let path = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_default();
    let Some(policy) = policy(req.method(), &path) else {
        return forbidden(format!("no access policy for {} {path}: denied", req.method())).into_response();
    };
    if policy == Policy::Handler {
        return next.run(req).await;
    }
    let caller = match resolve(&state, req.headers()).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let denied = |caller: &Caller, what: &str| -> Response {
        if caller.account.is_none() {
            if let Some(why) = &caller.refusal {
                return forbidden(why.clone()).into_response();
            }
            if is_page(&path) {
                return to_login(req.uri());
            }
            return unauthorized(&format!(
                "{what} is restricted: sign in, or send Authorization: Bearer <token> with the read scope"
            ))
            .into_response();
        }
        forbidden(format!("this account does not read {what}")).into_response()
    };
    match policy {
        Policy::Restricted(d) if caller.scope(d) == ReadScope::None => return denied(&caller, d.code()),
        Policy::SignedIn if caller.account.is_none() => return denied(&caller, "this page"),
        _ => {}
    }
    let export = match policy {
        Policy::Restricted(d) => Some((d, false)),
        Policy::PublicSummary(d) if caller.scope(d) != ReadScope::None => Some((d, true)),
        _ => None,
    };
    let account = caller.account.clone();
    let target = req.uri().path_and_query().map_or_else(|| path.clone(), |p| p.as_str().to_string());
    let remote = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    req.extensions_mut().insert(caller);
    let response = next.run(req).await;
    match (export, account) {
        (Some((d, summary)), Some(account)) if response.status().is_success() => {
            audit_export(&state, response, d, summary, &account, target, remote).await
        }
        _ => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route the server has is in the policy table, and the table names no route the server lacks
    /// (deny by default makes a missing entry a 403, this makes it a failing test first).
    #[test]
    fn every_route_has_a_policy_and_every_policy_a_route() {
        let routes = crate::route_paths();
        for path in &routes {
            assert!(POLICIES.iter().any(|(_, p, _)| p == path), "route {path} has no access policy");
        }
        for (m, p, _) in POLICIES {
            assert!(routes.contains(p), "policy {m} {p} names no route");
        }
    }

    /// The OpenAPI document and the policy table agree: each documented operation has its policy.
    #[test]
    fn every_documented_operation_has_a_policy() {
        let doc = crate::api::openapi_document();
        for (path, ops) in doc["paths"].as_object().expect("paths") {
            for method in ops.as_object().expect("operations").keys() {
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
                assert!(policy(&m, path).is_some(), "{method} {path} has no access policy");
            }
        }
    }
}
