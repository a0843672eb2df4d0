//! `/api/v1/work/…`: work items (issue 15 item 1) — the inbox of the caller's organisation, issuing an
//! item, moving one, and the evidence of feedback — on `lantian_service::work::items`, the same code path
//! as `lantian work`. Reads need a session or a token with the `read` scope; writes a session with its
//! CSRF token or a token with the `upload` scope. Every write is audited with the item's move.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use axum::Json;
use chrono::NaiveDateTime;
use lantian_core::work::items::{Action, Escalation, ItemKind, Org, Origin, Priority, WorkItem};
use lantian_service::accounts::Scope;
use lantian_service::work::items::{act, inbox, issue, org_of, NewItem};
use lantian_store::Account;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::blocking;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

type Shared = State<Arc<AppState>>;

/// Who calls: a session (with its CSRF token for a write) or a bearer token of the scope.
fn caller(
    state: &AppState,
    store: &dyn lantian_store::Store,
    headers: &HeaderMap,
    write: bool,
) -> Result<Account, ApiError> {
    match crate::session::session_account(state, store, headers, write)? {
        Some(a) => Ok(a),
        None => crate::upload::authenticate(store, headers, if write { Scope::Upload } else { Scope::Read }),
    }
}

fn time(name: &str, t: Option<&str>) -> Result<NaiveDateTime, ApiError> {
    match t {
        None => Ok(crate::now_local()),
        Some(t) => lantian_ingest::emergency::parse_datetime(t)
            .ok_or_else(|| ApiError::bad_request(format!("{name} {t:?}: expected YYYY-MM-DDTHH:MM (Beijing time)")))
            .and_then(|t| crate::params::time(name, t)),
    }
}

/// Inbox request.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// Only open items (`true`).
    pub open: Option<bool>,
    /// The clock: `YYYY-MM-DDTHH:MM` Beijing time (default now).
    pub at: Option<String>,
}

/// One item of an inbox.
#[derive(Serialize, ToSchema)]
pub struct InboxEntry {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// `fire_point`, `rectification`, …
    pub kind: String,
    pub title: String,
    /// Organisation keys: `province`, `dept:NAME`, `city:CODE`, `county:CODE`, `enterprise:CODE`.
    pub issuer: String,
    pub assignee: String,
    /// `issued`, `signed`, `delegated`, `fed_back`, `verified`, `returned`, `closed`, `clue_opened`, `cancelled`.
    pub state: String,
    pub sign_due: Option<String>,
    pub feedback_due: Option<String>,
    /// Past the feedback time and not answered, at `at`.
    pub overdue: bool,
    /// `none`, `reminder`, `superior_notified` or `listed`.
    pub escalation: String,
    pub returns: u32,
    /// Every move: from, to, actor, at, comment, evidence.
    #[schema(value_type = Vec<Object>)]
    pub history: serde_json::Value,
}

fn entry(id: i64, parent_id: Option<i64>, item: &WorkItem, overdue: bool, esc: Escalation) -> InboxEntry {
    let t = |x: Option<NaiveDateTime>| x.map(lantian_core::beijing_time::format);
    InboxEntry {
        id,
        parent_id,
        kind: item.kind.code().to_string(),
        title: item.title.clone(),
        issuer: item.issuer.key(),
        assignee: item.assignee.key(),
        state: item.state.code().to_string(),
        sign_due: t(item.sign_due),
        feedback_due: t(item.feedback_due),
        overdue,
        escalation: esc.code().to_string(),
        returns: item.returns,
        history: serde_json::to_value(&item.history).unwrap_or_default(),
    }
}

/// The work items issued to or by the caller's organisation (a province administrator: every item),
/// overdue first, with what the clock derives at `at`.
#[utoipa::path(get, path = "/api/v1/work/items", tag = "work", params(InboxQuery),
    responses((status = 200, body = Vec<InboxEntry>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn items(
    State(state): Shared,
    headers: HeaderMap,
    q: Result<Query<InboxQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let Query(q) = q?;
    let at = time("at", q.at.as_deref())?;
    let st = state.clone();
    let rows = blocking(state, move |store| {
        let account = caller(&st, store, &headers, false)?;
        let org = org_of(&account).ok_or_else(|| {
            crate::access::forbidden(format!("{} has no organisation that holds work items", account.name))
        })?;
        let scope = if org == Org::ProvinceOffice { None } else { Some(&org) };
        Ok(inbox(store, scope, q.open.unwrap_or(false), at)?
            .iter()
            .map(|r| entry(r.id, r.parent_id, &r.item, r.overdue, r.escalation))
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(Json(rows).into_response())
}

/// An item to issue.
#[derive(Deserialize, ToSchema)]
pub struct IssueRequest {
    /// `alert_measure_check`, `fire_point`, `dust_alarm`, `lead_review`, `rectification`, `clue_transfer`, `manual`.
    pub kind: String,
    /// The assignee's organisation key.
    pub to: String,
    pub title: String,
    /// When (default now).
    pub at: Option<String>,
}

/// The item as stored after a write.
#[derive(Serialize, ToSchema)]
pub struct ItemAnswer {
    pub id: i64,
    pub state: String,
    pub version: i64,
}

/// Issues a work item from the caller's organisation (who gives work to whom: `work.md` §0).
#[utoipa::path(post, path = "/api/v1/work/items", tag = "work",
    request_body(content = IssueRequest, content_type = "application/json"),
    responses((status = 200, body = ItemAnswer), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn issue_item(
    State(state): Shared,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<IssueRequest>, JsonRejection>,
) -> Result<Json<ItemAnswer>, ApiError> {
    let Json(r) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let kind = ItemKind::from_code(&r.kind)
        .ok_or_else(|| ApiError::bad_request(format!("kind {:?}: not a kind of item", r.kind)))?;
    let to =
        Org::from_key(&r.to).ok_or_else(|| ApiError::bad_request(format!("to {:?}: not an organisation key", r.to)))?;
    let at = time("at", r.at.as_deref())?;
    let st = state.clone();
    let wait = state.config.write_wait;
    blocking(state, move |store| {
        let account = caller(&st, store, &headers, true)?;
        let new = NewItem {
            kind,
            title: r.title.clone(),
            assignee: to,
            origin: Origin::Manual,
            subject: None,
            priority: Priority::P2,
        };
        let (now, remote) = (crate::now(), remote.ip().to_string());
        let (id, _) = lantian_store::retry_busy(&wait, ApiError::is_busy, || {
            lantian_store::atomically(&mut *store, |tx| {
                issue(tx, &account, &new, at, &[], (&now, &remote)).map_err(ApiError::from)
            })
        });
        let id = id?;
        Ok(ItemAnswer { id, state: "issued".into(), version: 1 })
    })
    .await
    .map(Json)
}

/// A move of an item.
#[derive(Deserialize, ToSchema)]
pub struct ActRequest {
    /// `sign`, `delegate`, `feed_back`, `verify`, `return`, `close`, `open_clue` or `cancel`.
    pub action: String,
    /// The feedback, the verification's opinion, the reason of a return or a cancellation.
    #[serde(default)]
    pub text: String,
    /// Evidence references (`blake3:…`, from `POST /api/v1/work/evidence`) of a feedback.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// The organisations a delegation hands the item to.
    #[serde(default)]
    pub children: Vec<String>,
    /// When (default now).
    pub at: Option<String>,
}

/// Moves item `id` as the caller's organisation may (the engine's rules: `work.md` §1); a move made
/// from a stale read is refused (409).
#[utoipa::path(post, path = "/api/v1/work/items/{id}/actions", tag = "work",
    params(("id" = i64, Path, description = "The item")),
    request_body(content = ActRequest, content_type = "application/json"),
    responses((status = 200, body = ItemAnswer), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn act_on_item(
    State(state): Shared,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<ActRequest>, JsonRejection>,
) -> Result<Json<ItemAnswer>, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let Json(r) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let at = time("at", r.at.as_deref())?;
    let children = r
        .children
        .iter()
        .map(|c| {
            Org::from_key(c).ok_or_else(|| ApiError::bad_request(format!("children: {c:?} is not an organisation key")))
        })
        .collect::<Result<Vec<Org>, ApiError>>()?;
    let action = match r.action.as_str() {
        "sign" => Action::Sign,
        "delegate" => Action::Delegate { children: children.len() },
        "feed_back" => Action::FeedBack { text: r.text.clone(), evidence: r.evidence.clone() },
        "verify" => Action::Verify { accepted: true, opinion: r.text.clone() },
        "return" => Action::Verify { accepted: false, opinion: r.text.clone() },
        "close" => Action::Close,
        "open_clue" => Action::OpenClue,
        "cancel" => Action::Cancel { reason: r.text.clone() },
        other => {
            return Err(ApiError::bad_request(format!(
                "action {other:?}: expected sign, delegate, feed_back, verify, return, close, open_clue or cancel"
            )))
        }
    };
    let st = state.clone();
    let wait = state.config.write_wait;
    blocking(state, move |store| {
        let account = caller(&st, store, &headers, true)?;
        // Evidence named must be stored (uploaded first).
        for e in &r.evidence {
            if store.evidence(e)?.is_none() {
                return Err(ApiError::bad_request(format!("evidence {e:?} is not stored: upload it first")));
            }
        }
        let (now, remote) = (crate::now(), remote.ip().to_string());
        let (s, _) = lantian_store::retry_busy(&wait, ApiError::is_busy, || {
            lantian_store::atomically(&mut *store, |tx| {
                act(tx, &account, id, &action, &children, at, (&now, &remote)).map_err(ApiError::from)
            })
        });
        let s = s?;
        Ok(ItemAnswer { id: s.id, state: s.item.state.code().to_string(), version: s.version })
    })
    .await
    .map(Json)
}

/// A stored piece of evidence.
#[derive(Serialize, ToSchema)]
pub struct EvidenceAnswer {
    /// `blake3:HEX`: name it in a feedback.
    pub reference: String,
}

/// Stores a piece of evidence (a photo, a video, a document; its media type in `Content-Type`, at most
/// 32 MiB) once by its content; the reference to name in a feedback.
#[utoipa::path(post, path = "/api/v1/work/evidence", tag = "work",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = EvidenceAnswer), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_evidence(
    State(state): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<EvidenceAnswer>, ApiError> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    let st = state.clone();
    let wait = state.config.write_wait;
    blocking(state, move |store| {
        let account = caller(&st, store, &headers, true)?;
        if org_of(&account).is_none() {
            return Err(crate::access::forbidden(format!("{} does not act on work items", account.name)));
        }
        let (r, _) = lantian_store::write_retrying(&mut *store, &wait, |tx| tx.work().put_evidence(&media, &body));
        Ok(EvidenceAnswer { reference: r? })
    })
    .await
    .map(Json)
}
