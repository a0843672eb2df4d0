//! `GET /tasks`: the target tasks the reader may read with their progress (the numbers of
//! `lantian targets`), and for each task the reader's department owns, a form to report its progress
//! (posted to `POST /api/v1/tasks/{code}/reports`; issue 14 item 7).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use lantian_core::air::conc::Ratio;
use serde::Deserialize;

use crate::access::Caller;
use crate::api::blocking;
use crate::pages::Lang;
use crate::views::{self, Chrome};
use crate::{ApiError, AppState};

/// Task page parameters.
#[derive(Deserialize)]
pub struct TaskPageQuery {
    pub lang: Option<String>,
    /// Only this city (name, alias or code).
    pub city: Option<String>,
}

fn pct(r: Option<Ratio>) -> String {
    r.map(lantian_core::accountability::tasks::percent_text).unwrap_or_default()
}

/// `GET /tasks?city=` (restricted: `tasks`; a city its city's, a department its department's).
pub async fn tasks_page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(q): Query<TaskPageQuery>,
) -> Result<Response, ApiError> {
    let lang = Lang::of(q.lang.as_deref());
    let session = crate::session::signed_in(&state, &headers);
    let (page, rows) = blocking(state, move |store| {
        let (ids, scope) = crate::proposals_api::readable_cities(store, &caller, q.city.as_deref())?;
        // Progress as `lantian targets` dates it: at the last day with data.
        let at = lantian_service::accountability::assess::last_data_day(store)?.unwrap_or_else(crate::now_date);
        let standings = lantian_service::accountability::tasks::task_standings(store, &ids, at)?;
        let csrf = session.as_ref().map(|(_, c)| c.clone());
        let rows: Vec<views::TaskRow> = standings
            .iter()
            .filter(|st| crate::proposals_api::shows_task(&scope, &st.info.department))
            .map(|st| {
                let (t, p) = (&st.info, st.progress);
                let latest = t.reports.iter().rfind(|(d, _, _)| *d <= at);
                views::TaskRow {
                    code: t.code.clone(),
                    city: crate::pages::city_name(lang, &t.city),
                    department: t.department.clone(),
                    description: t.description.clone(),
                    target: format!("{} {}", t.target, t.unit),
                    latest: latest.map(|(d, v, _)| format!("{v} ({d})")).unwrap_or_default(),
                    completion: pct(p.completion),
                    elapsed: pct(Some(p.elapsed)),
                    status: lang.t(p.status.label_zh(), p.status.label_en()),
                    attention: p.status.needs_attention(),
                    deadline: t.deadline.to_string(),
                    writable: csrf.is_some()
                        && caller
                            .account
                            .as_ref()
                            .is_some_and(|a| lantian_service::accounts::may_report_progress(a, &t.department)),
                }
            })
            .collect();
        let n = rows.len() as u64;
        let page = views::render(&views::Tasks {
            chrome: Chrome::new(lang, lang.t("目标任务", "Target tasks"), "/tasks"),
            at: at.to_string(),
            today: crate::now_date().to_string(),
            csrf: if rows.iter().any(|r| r.writable) { csrf } else { None },
            rows,
        })?;
        Ok((page, n))
    })
    .await?;
    Ok(crate::access::exported(page.into_response(), rows))
}

/// The progress form's script (`/assets/tasks.js`): posts a report as JSON with the session's CSRF
/// token, then reloads the page (which shows the report) or shows the error beside the form.
pub(crate) const TASKS_JS: &str = "document.querySelectorAll('form.report').forEach(f=>f.addEventListener('submit',async e=>{e.preventDefault();\
const out=f.querySelector('.msg');out.textContent='';const csrf=document.getElementById('tasks').dataset.csrf;\
const body={date:f.date.value,value:f.value.value,source:f.source.value};\
const r=await fetch('/api/v1/tasks/'+encodeURIComponent(f.dataset.task)+'/reports',{method:'POST',headers:{'Content-Type':'application/json','X-CSRF-Token':csrf},body:JSON.stringify(body)});\
const j=await r.json();if(r.ok){location.reload()}else{out.textContent='✗ '+document.getElementById('tasks').dataset.failed+j.error.message}}));";
