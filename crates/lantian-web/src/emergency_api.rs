//! `/api/v1/alerts…`, `/api/v1/control-lists`, `/api/v1/compliance`: the heavy-pollution response as
//! JSON — the same service calls and the same JSON as `lantian alert … --format json`,
//! `lantian control-list --format json` and `lantian compliance --format json`.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Extension;
use chrono::NaiveDateTime;
use lantian_service::accounts::{Dataset, ReadScope};
use lantian_service::{emergency::alerts, emergency::control};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::access::Caller;
use crate::api::{array_lengths, cached_export};
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

type Shared = State<Arc<AppState>>;

fn time(name: &str, t: Option<&str>) -> Result<Option<NaiveDateTime>, ApiError> {
    t.map(|t| {
        lantian_ingest::emergency::parse_datetime(t)
            .ok_or_else(|| ApiError::bad_request(format!("{name} {t:?}: expected YYYY-MM-DDTHH:MM (Beijing time)")))
            .and_then(|t| crate::params::time(name, t))
    })
    .transpose()
}

/// Alert request.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// `json` (default), or `csv`/`xlsx`: for `/api/v1/alerts` the alerts in force (the rows of `lantian
    /// alert status --format csv`), for `/api/v1/alerts/evaluation` the cities' rows of `lantian alert
    /// evaluate --format csv`.
    pub format: Option<String>,
    /// `en`: the xlsx header and words in English (default Chinese).
    pub lang: Option<String>,
    /// Decision time (`YYYY-MM-DDTHH:MM`, Beijing time); default: the latest forecast issuance (for the
    /// evaluation) or the latest entry of the alert log (for the status).
    pub at: Option<String>,
    /// Rule set id (`sichuan-2022`, `national-2018`, …); default: the Sichuan plan in force on the
    /// decision date.
    pub rules: Option<String>,
}

/// The evaluation of the forecasts known at a decision time: city alerts with their trigger days,
/// regional alerts of contiguous cities and the joint-control regions.
#[utoipa::path(get, path = "/api/v1/alerts/evaluation", tag = "emergency", params(AlertQuery),
    responses((status = 200, description = "The evaluation", content_type = "application/json"),
              (status = 400, body = ErrorBody)))]
pub async fn evaluation(
    State(state): Shared,
    Extension(caller): Extension<Caller>,
    uri: axum::http::Uri,
    q: Result<Query<AlertQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let Query(q) = q?;
    let at = time("at", q.at.as_deref())?;
    let format = crate::download::Format::parse(q.format.as_deref())?;
    let english = q.lang.as_deref() == Some("en");
    let key = format!("{}{uri}", caller.cache_key(Dataset::AlertDecisions));
    let count: fn(&serde_json::Value) -> u64 = |v| array_lengths(v, &["cities", "regional", "joint_control"]);
    let compute = move |store: &mut dyn lantian_store::Store| {
        let at = match at {
            Some(t) => t,
            None => {
                alerts::latest_issuance(store)?.ok_or_else(|| ApiError::bad_request("no forecasts in the store"))?
            }
        };
        let rules = alerts::choose_rules(q.rules.as_deref(), at)?;
        let mut ev = alerts::evaluate(store, at, rules)?;
        // A city user reads its own city's evaluation and the regional alerts it is a member of.
        if let ReadScope::City(_) = caller.scope(Dataset::AlertDecisions) {
            let own = caller.account.as_ref().and_then(|a| a.city.as_ref()).and_then(|c| c.code);
            ev.cities.retain(|r| Some(r.city_code) == own);
            ev.regional.retain(|r| r.members.iter().any(|m| Some(m.city) == own));
            ev.joint_control.retain(|r| r.members.iter().any(|m| Some(m.city) == own));
        }
        Ok(ev)
    };
    if format == crate::download::Format::Json {
        return cached_export(state, key, count, compute).await;
    }
    // The cities' rows as a table: those of `lantian alert evaluate --format csv`.
    let ev = crate::api::blocking(state, compute).await?;
    let en = [
        "City",
        "Alert level",
        "Start",
        "End",
        "Response",
        "Heavy days",
        "Severe days",
        "AQI 500 reached",
        "Trigger days (AQI)",
        "Liftable from",
        "Forecast issued",
        "Rules",
        "City code",
    ];
    let columns = alerts::EVALUATION_COLS
        .iter()
        .zip(alerts::EVALUATION_ZH)
        .zip(en)
        .map(|((k, zh), en)| {
            let c = crate::download::Column::new(k, zh, en);
            if ["level", "response"].contains(k) {
                c.coded()
            } else {
                c
            }
        })
        .collect();
    let sheet =
        crate::download::Sheet { file: "alert-evaluation".into(), columns, rows: alerts::evaluation_rows(&ev, false) };
    let rows = ev.cities.len() as u64;
    Ok(crate::access::exported(crate::download::response(&sheet, format, english)?, rows))
}

/// The alerts active at a time according to the alert log, with who decided and on what evidence,
/// every level of each with the time its measures take effect; and the log itself (the JSON of
/// `lantian alert status --format json` and `lantian alert log --format json`). Times are ISO 8601
/// with `+08:00`; codes (`yellow`, `raise`, `iii`) are lowercase; evidence is a JSON object.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "emergency", params(AlertQuery),
    responses((status = 200, description = "{at, active, log}", content_type = "application/json"),
              (status = 400, body = ErrorBody)))]
pub async fn status(
    State(state): Shared,
    Extension(caller): Extension<Caller>,
    uri: axum::http::Uri,
    q: Result<Query<AlertQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let Query(q) = q?;
    let at = time("at", q.at.as_deref())?;
    let format = crate::download::Format::parse(q.format.as_deref())?;
    if format != crate::download::Format::Json {
        // The alerts in force as a table: the rows of `lantian alert status --format csv`.
        let english = q.lang.as_deref() == Some("en");
        let reader = caller.clone();
        let (rows, shown) = crate::api::blocking(state, move |store| {
            let at = match at {
                Some(t) => Some(t),
                None => alerts::latest_decision(store)?,
            };
            let active = match at {
                Some(t) => alerts::status(store, t)?,
                None => Vec::new(),
            };
            let shown = active.iter().filter(|x| reader.reads_scope(Dataset::AlertDecisions, &x.scope)).count();
            Ok((alerts::status_rows(&active, |x| reader.reads_scope(Dataset::AlertDecisions, &x.scope)), shown))
        })
        .await?;
        let columns = vec![
            crate::download::Column::new("city", "城市或区域", "City or region"),
            crate::download::Column::new("level", "预警级别", "Alert level").coded(),
            crate::download::Column::new("response", "响应级别", "Response level").coded(),
            crate::download::Column::new("started_at", "启动时间", "Started"),
            crate::download::Column::new("since", "本级别决定时间", "Level set at"),
            crate::download::Column::new("effective_from", "本级别措施生效时间", "Measures from"),
            crate::download::Column::new("in_effect", "执行中的级别", "Level in effect").coded(),
            crate::download::Column::new("rule_set", "规则版本", "Rules"),
            crate::download::Column::new("actor", "决定人", "Decided by"),
            crate::download::Column::new("evidence", "依据", "Evidence"),
        ];
        let sheet = crate::download::Sheet { file: "alerts".into(), columns, rows };
        return Ok(crate::access::exported(crate::download::response(&sheet, format, english)?, shown as u64));
    }
    let key = format!("{}{uri}", caller.cache_key(Dataset::AlertDecisions));
    // What is restricted here is who decided (`actor`): the entries that show it are exported.
    let count: fn(&serde_json::Value) -> u64 = |v| {
        ["active", "log"]
            .iter()
            .filter_map(|l| v.get(*l).and_then(|a| a.as_array()))
            .flatten()
            .filter(|e| e.get("actor").is_some())
            .count() as u64
    };
    cached_export(state, key, count, move |store| {
        let log = alerts::log(store, None)?;
        let at = at.or_else(|| log.iter().map(|e| e.at).max());
        let active = match at {
            Some(t) => alerts::status(store, t)?,
            None => Vec::new(),
        };
        let at = at.map(lantian_core::beijing_time::format);
        let mut v = serde_json::json!({ "at": at, "active": active, "log": log });
        public_alerts(&caller, &mut v);
        Ok(v)
    })
    .await
}

/// The public version of the alerts (issue 12 §1): who decided (`actor`), on what evidence and when it
/// was written stay with the readers of `alert_decisions` — all scopes, or their own city's.
fn public_alerts(caller: &Caller, v: &mut serde_json::Value) {
    for list in ["active", "log"] {
        if let Some(items) = v.get_mut(list).and_then(|x| x.as_array_mut()) {
            for item in items {
                let scope = item.get("scope").and_then(|s| s.as_str()).unwrap_or("").to_string();
                if !caller.reads_scope(Dataset::AlertDecisions, &scope) {
                    if let Some(o) = item.as_object_mut() {
                        o.remove("actor");
                        o.remove("evidence");
                        o.remove("recorded_at");
                    }
                }
            }
        }
    }
}

/// Control-list request.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ControlListQuery {
    /// City name, alias or code.
    pub city: String,
    /// `yellow`, `orange` or `red`.
    pub level: String,
    /// Year of the decision (its inventory); default: the year of the latest forecast issuance.
    pub year: Option<i32>,
    /// `json` (default); `csv` (the rows of `lantian control-list --format csv`) or `xlsx` (the workbook
    /// of `lantian control-list --xlsx`).
    pub format: Option<String>,
}

/// A city's emergency control list at a level with the adequacy check against its inventory and the
/// one-size-fits-all flags.
#[utoipa::path(get, path = "/api/v1/control-lists", tag = "emergency", params(ControlListQuery),
    responses((status = 200, description = "The control list", content_type = "application/json"),
              (status = 400, body = ErrorBody)))]
pub async fn control_list(
    State(state): Shared,
    Extension(caller): Extension<Caller>,
    uri: axum::http::Uri,
    q: Result<Query<ControlListQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let Query(q) = q?;
    let format = crate::download::Format::parse(q.format.as_deref())?;
    let key = format!("{}{uri}", caller.cache_key(Dataset::ControlLists));
    let count: fn(&serde_json::Value) -> u64 = |v| array_lengths(v, &["rows"]);
    let compute = move |store: &mut dyn lantian_store::Store| {
        let city =
            store.resolve_city(&q.city)?.ok_or_else(|| ApiError::bad_request(format!("unknown city {:?}", q.city)))?;
        caller.forbid_city(Dataset::ControlLists, &city)?;
        let level = control::parse_level(&q.level)?;
        let year = match q.year {
            Some(y) => crate::params::year("year", y)?,
            None => alerts::latest_issuance(store)?
                .map(|t| chrono::Datelike::year(&t))
                .ok_or_else(|| ApiError::bad_request("give year (no forecast issuance to take it from)"))?,
        };
        Ok(control::control_list(store, &city, level, year)?)
    };
    match format {
        crate::download::Format::Json => cached_export(state, key, count, compute).await,
        f => {
            let list = crate::api::blocking(state, compute).await?;
            let rows = list.rows.len() as u64;
            let response = if f == crate::download::Format::Xlsx {
                let bytes = lantian_report::emergency::control_list_bytes(&list)
                    .map_err(|e| ApiError::internal(format!("writing the control list: {e}")))?;
                crate::download::file_response(
                    bytes,
                    crate::download::XLSX,
                    &format!("control-list-{}", list.level.code()),
                    "xlsx",
                )
            } else {
                let columns = control::LIST_COLS
                    .iter()
                    .zip(control::LIST_ZH)
                    .map(|(k, zh)| crate::download::Column::new(k, zh, k))
                    .collect();
                let sheet = crate::download::Sheet {
                    file: format!("control-list-{}", list.level.code()),
                    columns,
                    rows: control::list_rows(&list, false),
                };
                crate::download::response(&sheet, f, false)?
            };
            Ok(crate::access::exported(response, rows))
        }
    }
}

/// Compliance request.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplianceQuery {
    /// Responses recorded up to this time; default: the latest entry of the alert log.
    pub until: Option<String>,
    /// Only this city.
    pub city: Option<String>,
}

/// Enterprises during the recorded responses (electricity use and CEMS against their baselines and
/// plans), the enforcement leads, and the pairing duty.
#[utoipa::path(get, path = "/api/v1/compliance", tag = "emergency", params(ComplianceQuery),
    responses((status = 200, description = "{until, responses, enterprises, pairing_duty}", content_type = "application/json"),
              (status = 400, body = ErrorBody)))]
pub async fn compliance(
    State(state): Shared,
    Extension(caller): Extension<Caller>,
    uri: axum::http::Uri,
    q: Result<Query<ComplianceQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let Query(q) = q?;
    let until = time("until", q.until.as_deref())?;
    let key = format!("{}{uri}", caller.cache_key(Dataset::Compliance));
    // One row per enterprise during a response (its power use or CEMS against its baseline).
    let count: fn(&serde_json::Value) -> u64 = |v| array_lengths(v, &["enterprises"]);
    cached_export(state, key, count, move |store| {
        let mut cities = match q.city.as_deref() {
            Some(c) => {
                let city =
                    store.resolve_city(c)?.ok_or_else(|| ApiError::bad_request(format!("unknown city {c:?}")))?;
                caller.forbid_city(Dataset::Compliance, &city)?;
                vec![city]
            }
            None => Vec::new(),
        };
        // A city user reads its own city's enterprises, responses and pairing duty only.
        if let (ReadScope::City(own), true) = (caller.scope(Dataset::Compliance), cities.is_empty()) {
            cities = store.cities()?.into_iter().filter(|c| c.id == own).collect();
        }
        let until = match until {
            Some(t) => Some(t),
            None => alerts::latest_decision(store)?,
        };
        let Some(until) = until else {
            return Ok(serde_json::json!({ "until": null, "responses": [], "enterprises": [], "pairing_duty": null }));
        };
        let responses = control::responses(store, &cities, until)?;
        let enterprises = control::compliance(store, &responses)?;
        let duty = control::pairing_duty(store, &responses)?;
        Ok(control::compliance_json(until, &responses, &enterprises, &duty))
    })
    .await
}

/// A heavy-pollution alert decision taken by hand (`POST /api/v1/alerts/decisions`).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct DecisionRequest {
    /// The city (name, alias or code).
    pub city: String,
    /// `start`, `raise`, `lower` or `lift`.
    pub action: String,
    /// The new level (`blue`, `yellow`, `orange`, `red`; not for a lift).
    pub level: Option<String>,
    /// Decision time `YYYY-MM-DDTHH:MM` (Beijing time).
    pub at: String,
    /// Measures apply from 00:00 of this day `YYYY-MM-DD` (a start; default the decision's day).
    pub effective_from: Option<String>,
    /// What the decision rests on (a forecast consultation, a meeting).
    #[serde(default)]
    pub evidence: String,
}

/// The decision as recorded in the alert log.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RecordedDecision {
    pub city: String,
    pub at: String,
    pub action: String,
    pub level_from: Option<String>,
    pub level_to: Option<String>,
    /// When its measures take effect.
    pub effective_at: String,
    pub actor: String,
}

/// Records an alert decision of a city (issue 14 item 7; `lantian alert record` on the web): a province
/// administrator for any city, a city user for its own (`accounts::may_decide_alert`), signed in with a
/// session (and its CSRF token) or a token with the `upload` scope. Checked against the alert log (start
/// needs no active alert, raise a lower level, …); the decision and its audit entry are one transaction.
#[utoipa::path(post, path = "/api/v1/alerts/decisions", tag = "emergency",
    request_body(content = DecisionRequest, content_type = "application/json"),
    responses((status = 200, body = RecordedDecision), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn record_decision(
    State(state): Shared,
    axum::extract::ConnectInfo(remote): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
    body: Result<axum::Json<DecisionRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<axum::Json<RecordedDecision>, ApiError> {
    let axum::Json(d) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if d.evidence.trim().is_empty() {
        return Err(ApiError::bad_request(
            "a decision needs its evidence: what it rests on (a consultation, a meeting)",
        ));
    }
    let at = lantian_ingest::emergency::parse_datetime(&d.at)
        .ok_or_else(|| ApiError::bad_request(format!("at {:?}: expected YYYY-MM-DDTHH:MM", d.at)))
        .and_then(|t| crate::params::time("at", t))?;
    let level = match d.level.as_deref().filter(|l| !l.is_empty()) {
        None => None,
        Some(l) => Some(
            lantian_ingest::emergency::level_code(l)
                .and_then(lantian_core::emergency::AlertLevel::from_code)
                .ok_or_else(|| ApiError::bad_request(format!("level {l:?}: expected blue, yellow, orange or red")))?,
        ),
    };
    let effective_from = match d.effective_from.as_deref().filter(|e| !e.is_empty()) {
        None => None,
        Some(e) => Some(
            chrono::NaiveDate::parse_from_str(e, "%Y-%m-%d")
                .map_err(|_| ApiError::bad_request(format!("effective_from {e:?}: expected YYYY-MM-DD")))?,
        ),
    };
    let st = state.clone();
    let wait = state.config.write_wait;
    crate::api::blocking(state, move |store| {
        let account = match crate::session::session_account(&st, store, &headers, true)? {
            Some(a) => a,
            None => crate::upload::authenticate(store, &headers, lantian_service::accounts::Scope::Upload)?,
        };
        let city =
            store.resolve_city(&d.city)?.ok_or_else(|| ApiError::bad_request(format!("unknown city {:?}", d.city)))?;
        lantian_service::accounts::may_decide_alert(&account, &city).map_err(crate::access::forbidden)?;
        let decision = alerts::Decision {
            action: &d.action,
            level,
            at,
            effective_from,
            actor: &account.name,
            evidence: &d.evidence,
        };
        let now = crate::now();
        let remote = remote.ip().to_string();
        let (recorded, _) = lantian_store::retry_busy(&wait, ApiError::is_busy, || {
            lantian_store::atomically(&mut *store, |tx| {
                let e = alerts::record_decision(tx.store(), &city, &decision, &now)?;
                let detail = format!(
                    "{} {} {}: {} → {}",
                    city.display(),
                    e.at.format("%Y-%m-%dT%H:%M"),
                    e.action,
                    e.level_from.as_deref().unwrap_or("—"),
                    e.level_to.as_deref().unwrap_or("—")
                );
                tx.accounts().audit(&now, &account.name, "alert.decision", &detail, &remote)?;
                Ok::<_, ApiError>(e)
            })
        });
        let e = recorded?;
        Ok(RecordedDecision {
            city: city.display().to_string(),
            at: e.at.format("%Y-%m-%dT%H:%M").to_string(),
            action: e.action.clone(),
            level_from: e.level_from.clone(),
            level_to: e.level_to.clone(),
            effective_at: alerts::effective_at(&e).format("%Y-%m-%dT%H:%M").to_string(),
            actor: e.actor.clone(),
        })
    })
    .await
    .map(axum::Json)
}
