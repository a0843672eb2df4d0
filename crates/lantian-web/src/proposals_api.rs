//! `/api/v1/tasks` (target tasks and their progress reports, restricted: a city its city's, a department
//! its department's) and `/api/v1/proposals` (a city's proposed inputs to its own assessment — bonus/penalty
//! items and dust periods — with `POST …/{id}/approve` and `…/reject` for province administrators;
//! issue 12 §3). An approved proposal enters the data with who approved it and when; every decision is
//! audited; a pending one changes no number.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use lantian_service::accounts::{self, Dataset, ReadScope, Scope};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access::Caller;
use crate::api::blocking;
use crate::error::ErrorBody;
use crate::{now, ApiError, AppState};

type Shared = State<Arc<AppState>>;

/// Task filter.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// Only this city (name, alias or code).
    pub city: Option<String>,
    /// The date progress is judged at (`YYYY-MM-DD`; default: the last day with data, as `lantian
    /// targets`).
    pub at: Option<chrono::NaiveDate>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
    /// `en`: the xlsx header and words in English (default Chinese).
    pub lang: Option<String>,
}

/// A progress report.
#[derive(Serialize, ToSchema)]
pub struct TaskReport {
    pub date: String,
    /// Exact decimal.
    pub value: String,
    pub source: String,
}

/// A target task (`docs/formats.md` §9).
#[derive(Serialize, ToSchema)]
pub struct TaskEntry {
    pub task: String,
    pub city: String,
    pub city_code: Option<u32>,
    pub department: String,
    pub description: String,
    pub unit: String,
    /// `cumulative` or `level`.
    pub kind: String,
    pub baseline: String,
    pub target: String,
    pub start: String,
    pub deadline: String,
    pub reports: Vec<TaskReport>,
    /// The date progress is judged at.
    pub progress_at: String,
    /// Completion in percent (one decimal) from the latest report on or before `progress_at`.
    pub completion_pct: Option<String>,
    /// The share of the time from start to deadline elapsed, in percent.
    pub time_elapsed_pct: String,
    /// `done`, `on_track`, `at_risk` (behind the time elapsed), `overdue` or `no_report`.
    pub status: String,
}

/// The cities whose tasks the reader may read (of `city` only, when given) and the reader's scope of
/// tasks: the one filter of `/api/v1/tasks` and the `/tasks` page.
pub(crate) fn readable_cities(
    store: &dyn lantian_store::Store,
    caller: &Caller,
    city: Option<&str>,
) -> Result<(Vec<i64>, ReadScope), ApiError> {
    let scope = caller.scope(Dataset::Tasks);
    let mut cities = store.cities()?;
    if let Some(name) = city {
        let c = store.resolve_city(name)?.ok_or_else(|| ApiError::bad_request(format!("unknown city {name:?}")))?;
        if matches!(scope, ReadScope::City(_)) {
            caller.forbid_city(Dataset::Tasks, &c)?;
        }
        cities = vec![c];
    }
    if let ReadScope::City(own) = scope {
        cities.retain(|c| c.id == own);
    }
    Ok((cities.iter().map(|c| c.id).collect(), scope))
}

/// Whether a reader of `scope` sees a task of `department`.
pub(crate) fn shows_task(scope: &ReadScope, department: &str) -> bool {
    match scope {
        ReadScope::Department(d) => d == department,
        ReadScope::All | ReadScope::City(_) => true,
        ReadScope::None => false,
    }
}

/// Target tasks with their progress reports, within the reader's scope: an administrator (or a viewer
/// granted `tasks`) all, a city user its city's, a department user its department's.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "assessment", params(TaskQuery),
    responses((status = 200, body = Vec<TaskEntry>), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn tasks(
    State(state): Shared,
    Extension(caller): Extension<Caller>,
    q: Result<Query<TaskQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let Query(q) = q?;
    let at = q.at.map(|d| crate::params::date("at", d)).transpose()?;
    let format = crate::download::Format::parse(q.format.as_deref())?;
    let english = q.lang.as_deref() == Some("en");
    blocking(state, move |store| {
        let (ids, scope) = readable_cities(store, &caller, q.city.as_deref())?;
        let at = match at {
            Some(d) => d,
            None => lantian_service::accountability::assess::last_data_day(store)?.unwrap_or_else(crate::now_date),
        };
        Ok(lantian_service::accountability::tasks::task_standings(store, &ids, at)?
            .into_iter()
            .filter(|st| shows_task(&scope, &st.info.department))
            .map(|st| (st.info, st.progress))
            .map(|(t, p)| TaskEntry {
                progress_at: at.to_string(),
                completion_pct: p.completion.map(lantian_core::accountability::tasks::percent_text),
                time_elapsed_pct: lantian_core::accountability::tasks::percent_text(p.elapsed),
                status: p.status.code().to_string(),
                city: t.city.display().to_string(),
                city_code: t.city.code,
                task: t.code,
                department: t.department,
                description: t.description,
                unit: t.unit,
                kind: t.kind,
                baseline: t.baseline,
                target: t.target,
                start: t.start.to_string(),
                deadline: t.deadline.to_string(),
                reports: t
                    .reports
                    .into_iter()
                    .map(|(d, value, source)| TaskReport { date: d.to_string(), value, source })
                    .collect(),
            })
            .collect())
    })
    .await
    .and_then(|rows: Vec<TaskEntry>| {
        let n = rows.len() as u64;
        let response = match format {
            crate::download::Format::Json => Json(rows).into_response(),
            f => crate::download::response(&task_sheet(&rows), f, english)?,
        };
        Ok(crate::access::exported(response, n))
    })
}

/// The tasks as a table: one row per task, its latest report and its progress.
fn task_sheet(rows: &[TaskEntry]) -> crate::download::Sheet {
    use crate::download::{opt, Column};
    let columns = vec![
        Column::new("task", "任务", "Task"),
        Column::new("city", "城市", "City"),
        Column::new("department", "责任部门", "Department"),
        Column::new("description", "内容", "Description"),
        Column::new("unit", "单位", "Unit"),
        Column::new("baseline", "基数", "Baseline"),
        Column::new("target", "目标", "Target"),
        Column::new("start", "开始", "Start"),
        Column::new("deadline", "期限", "Deadline"),
        Column::new("latest_date", "最新报送日期", "Latest report"),
        Column::new("latest_value", "最新进度", "Latest value"),
        Column::new("completion_pct", "完成率(%)", "Completion (%)"),
        Column::new("time_elapsed_pct", "时间进度(%)", "Time elapsed (%)"),
        Column::new("status", "状态", "Status").with_words(|v, en| {
            lantian_core::accountability::tasks::TaskStatus::from_code(v)
                .map_or(v.to_string(), |s| if en { s.label_en() } else { s.label_zh() }.to_string())
        }),
    ];
    let rows = rows
        .iter()
        .map(|t| {
            let latest = t.reports.iter().rfind(|r| r.date <= t.progress_at);
            vec![
                t.task.clone(),
                t.city.clone(),
                t.department.clone(),
                t.description.clone(),
                t.unit.clone(),
                t.baseline.clone(),
                t.target.clone(),
                t.start.clone(),
                t.deadline.clone(),
                latest.map_or(String::new(), |r| r.date.clone()),
                latest.map_or(String::new(), |r| r.value.clone()),
                opt(&t.completion_pct),
                t.time_elapsed_pct.clone(),
                t.status.clone(),
            ]
        })
        .collect();
    crate::download::Sheet { file: "tasks".into(), columns, rows }
}

/// Proposal filter.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProposalQuery {
    /// `pending`, `approved` or `rejected`; default: all.
    pub status: Option<String>,
}

/// A proposal of a city's own assessment input and its decision.
#[derive(Serialize, ToSchema)]
pub struct ProposalEntry {
    pub id: i64,
    /// `adjustment` (bonus/penalty item) or `dust` (dust period).
    pub kind: String,
    pub city: String,
    /// The record as proposed (JSON text).
    pub record: String,
    pub summary: String,
    pub file: String,
    pub proposed_by: String,
    pub proposed_at: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub note: String,
}

fn entry(p: lantian_store::Proposal) -> ProposalEntry {
    ProposalEntry {
        id: p.id,
        kind: p.kind,
        city: p.city,
        record: p.record,
        summary: p.summary,
        file: p.file,
        proposed_by: p.proposed_by,
        proposed_at: lantian_core::beijing_time::normalize(&p.proposed_at),
        status: p.status,
        decided_by: p.decided_by,
        decided_at: p.decided_at.map(|t| lantian_core::beijing_time::normalize(&t)),
        note: p.note,
    }
}

/// Proposals within the reader's scope (an administrator, or a viewer granted `proposals`: all; a city
/// user: its own), newest first.
#[utoipa::path(get, path = "/api/v1/proposals", tag = "assessment", params(ProposalQuery),
    responses((status = 200, body = Vec<ProposalEntry>), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): Shared,
    Extension(caller): Extension<Caller>,
    q: Result<Query<ProposalQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let Query(q) = q?;
    blocking(state, move |store| {
        let scope = caller.scope(Dataset::Proposals);
        Ok(accounts::proposals(store, &scope, q.status.as_deref())?.into_iter().map(entry).collect())
    })
    .await
    .map(|rows: Vec<ProposalEntry>| {
        let n = rows.len() as u64;
        crate::access::exported(Json(rows).into_response(), n)
    })
}

/// A decision's note.
#[derive(Deserialize, ToSchema, Default)]
pub struct DecisionBody {
    /// Why (kept with the decision and in the audit log).
    #[serde(default)]
    pub note: String,
}

async fn decide(
    state: Arc<AppState>,
    remote: SocketAddr,
    headers: HeaderMap,
    id: i64,
    approve: bool,
    body: Option<Json<DecisionBody>>,
) -> Result<Json<ProposalEntry>, ApiError> {
    let note = body.map(|Json(b)| b.note).unwrap_or_default();
    let st = state.clone();
    blocking(state, move |store| {
        let account = match crate::session::session_account(&st, store, &headers, true)? {
            Some(a) => a,
            None => crate::upload::authenticate(store, &headers, Scope::Approve)?,
        };
        let p = accounts::decide_proposal(store, Some(&account), id, approve, &note, &now(), &remote.ip().to_string())
            .map_err(|e| match e {
                lantian_service::ServiceError::Request(m) if m.contains("not a province administrator") => {
                    crate::access::forbidden(m)
                }
                other => ApiError::from(other),
            })?;
        Ok(entry(p))
    })
    .await
    .map(Json)
}

fn body_or_empty(body: Result<Json<DecisionBody>, JsonRejection>) -> Result<Option<Json<DecisionBody>>, ApiError> {
    match body {
        Ok(b) => Ok(Some(b)),
        // No body (or no JSON content type): no note.
        Err(JsonRejection::MissingJsonContentType(_)) => Ok(None),
        Err(e) => Err(ApiError::bad_request(e.body_text())),
    }
}

/// Approve a pending proposal (province administrators: a session with its CSRF token, or a token with
/// the `approve` scope). The record enters the data with who approved it and when; audited.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/approve", tag = "assessment",
    params(("id" = i64, Path, description = "The proposal")),
    request_body(content = Option<DecisionBody>, content_type = "application/json"),
    responses((status = 200, body = ProposalEntry), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn approve(
    State(state): Shared,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    id: Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
    body: Result<Json<DecisionBody>, JsonRejection>,
) -> Result<Json<ProposalEntry>, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::bad_request(e.body_text()))?;
    decide(state, remote, headers, id, true, body_or_empty(body)?).await
}

/// Reject a pending proposal (as approving); audited.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/reject", tag = "assessment",
    params(("id" = i64, Path, description = "The proposal")),
    request_body(content = Option<DecisionBody>, content_type = "application/json"),
    responses((status = 200, body = ProposalEntry), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reject(
    State(state): Shared,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    id: Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
    body: Result<Json<DecisionBody>, JsonRejection>,
) -> Result<Json<ProposalEntry>, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::bad_request(e.body_text()))?;
    decide(state, remote, headers, id, false, body_or_empty(body)?).await
}

/// A progress report of a target task entered on the web (`docs/formats.md` §9: the date, the value
/// reached, where it comes from).
#[derive(Deserialize, ToSchema)]
pub struct ReportRequest {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The value reached, an exact decimal.
    pub value: String,
    /// Where the value comes from (a ledger, a department's statistics).
    #[serde(default)]
    pub source: String,
}

/// Records a progress report of a target task (issue 14 item 7): its department (or a province
/// administrator), signed in with a session and its CSRF token or a token with the `upload` scope. The
/// report is the one-row file of `docs/formats.md` §9 and goes the upload's way — its parser, its
/// authorisation against the stored task's department, its write and audit entry in one transaction;
/// the same report again changes nothing.
#[utoipa::path(post, path = "/api/v1/tasks/{code}/reports", tag = "assessment",
    params(("code" = String, Path, description = "The task's code")),
    request_body(content = ReportRequest, content_type = "application/json"),
    responses((status = 200, body = crate::upload::UploadReport), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn report_progress(
    State(state): Shared,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    code: Result<Path<String>, PathRejection>,
    body: Result<Json<ReportRequest>, JsonRejection>,
) -> Result<Json<crate::upload::UploadReport>, ApiError> {
    let Path(code) = code.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let Json(r) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let st = state.clone();
    let account =
        blocking(state.clone(), move |store| match crate::session::session_account(&st, store, &headers, true)? {
            Some(a) => Ok(a),
            None => crate::upload::authenticate(store, &headers, Scope::Upload),
        })
        .await?;
    accounts::may_upload(&account).map_err(crate::access::forbidden)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::internal(format!("writing the report: {e}"));
    w.write_record(["task", "date", "value", "source"]).map_err(fail)?;
    w.write_record([code.as_str(), r.date.trim(), r.value.trim(), r.source.trim()]).map_err(fail)?;
    let raw = w.into_inner().map_err(|e| ApiError::internal(format!("writing the report: {e}")))?;
    let plain = |s: &str| -> String {
        s.chars().take(40).map(|c| if c.is_ascii_alphanumeric() || "-_".contains(c) { c } else { '_' }).collect()
    };
    let name = format!("task-report-{}-{}.csv", plain(&code), plain(r.date.trim()));
    let (at, limits, file) = (now(), state.config.upload, name.clone());
    let stamp = at.clone();
    let prepared = tokio::task::spawn_blocking(move || {
        lantian_service::import::prepare_with(std::path::Path::new(&file), raw, &stamp, &limits)
    })
    .await
    .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
    .map(|(meta, ready)| (None, meta, ready))
    .map_err(|e| ApiError::bad_request(e.to_string()));
    crate::upload::write_received(state, account, name, prepared, at, remote.ip().to_string()).await.map(Json)
}
