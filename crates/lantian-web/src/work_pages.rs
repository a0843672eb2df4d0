//! `GET /work`: the work inbox of the signed-in account's organisation (issue 15 item 6, begun): the items
//! issued to or by it — overdue first, the escalation rung in words — with a form on each item offering
//! the moves the engine allows this organisation (`WorkItem::moves_for`), and a form to issue an item.
//! The forms post to `/api/v1/work/…` with the session's CSRF token (`/assets/work.js`).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use lantian_core::work::items::{ItemKind, Org};
use lantian_service::work::items::{inbox, org_of};
use serde::Deserialize;

use crate::access::Caller;
use crate::api::blocking;
use crate::pages::Lang;
use crate::views::{self, Chrome};
use crate::{ApiError, AppState};

/// Work page parameters.
#[derive(Deserialize)]
pub struct WorkPageQuery {
    pub lang: Option<String>,
    /// `all`: finished items too (default: open ones).
    pub show: Option<String>,
}

/// An organisation as the page's language names it.
pub(crate) fn org_name(lang: Lang, org: &Org) -> String {
    org.name(lang == Lang::En)
}

/// The words of a move on a button.
fn move_name(lang: Lang, code: &str) -> &'static str {
    match code {
        "sign" => lang.t("签收", "sign"),
        "delegate" => lang.t("转办", "delegate"),
        "feed_back" => lang.t("反馈", "feed back"),
        "verify" => lang.t("核实通过", "verify"),
        "return" => lang.t("退回重办", "return"),
        "close" => lang.t("办结", "close"),
        "open_clue" => lang.t("立案查处", "open a case"),
        "cancel" => lang.t("撤销", "cancel"),
        _ => "",
    }
}

/// `GET /work` (signed in: the account's organisation's items; the province's office every item).
pub async fn work_page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(q): Query<WorkPageQuery>,
) -> Result<Response, ApiError> {
    let lang = Lang::of(q.lang.as_deref());
    let session = crate::session::signed_in(&state, &headers);
    let all = q.show.as_deref() == Some("all");
    let page = blocking(state, move |store| {
        let now = crate::now_local();
        let org = caller.account.as_ref().and_then(org_of);
        let rows = match &org {
            None => Vec::new(),
            Some(o) => {
                let scope = if *o == Org::ProvinceOffice { None } else { Some(o) };
                inbox(store, scope, !all, now)?
            }
        };
        let csrf = session.as_ref().map(|(_, c)| c.clone());
        let items = rows
            .iter()
            .map(|r| {
                let moves = match (&org, &csrf) {
                    (Some(o), Some(_)) => r.item.moves_for(o),
                    _ => Vec::new(),
                };
                views::WorkRow {
                    id: r.id,
                    kind: lang.t(r.item.kind.label_zh(), r.item.kind.label_en()),
                    title: r.item.title.clone(),
                    issuer: org_name(lang, &r.item.issuer),
                    assignee: org_name(lang, &r.item.assignee),
                    state: lang.t(r.item.state.label_zh(), r.item.state.label_en()),
                    due: r.item.feedback_due.map_or(String::new(), |d| d.format("%Y-%m-%d %H:%M").to_string()),
                    overdue: r.overdue,
                    escalation: lang.t(r.escalation.label_zh(), r.escalation.label_en()),
                    returns: r.item.returns,
                    moves: moves.iter().map(|m| (*m, move_name(lang, m))).collect(),
                }
            })
            .collect();
        views::render(&views::Work {
            chrome: Chrome::new(lang, lang.t("督办事项", "Work items"), "/work"),
            org: org.as_ref().map(|o| org_name(lang, o)),
            all,
            csrf: csrf.filter(|_| org.is_some()),
            kinds: ItemKind::ALL.iter().map(|k| (k.code(), lang.t(k.label_zh(), k.label_en()))).collect(),
            items,
        })
    })
    .await?;
    Ok(page.into_response())
}

/// The forms' script (`/assets/work.js`): a feedback's file is stored first as evidence; then the move
/// (or the new item) is posted as JSON with the session's CSRF token; the page reloads or shows the error.
pub(crate) const WORK_JS: &str = "(function(){const t=document.getElementById('work');if(!t)return;const csrf=t.dataset.csrf;\
const post=(u,b,type)=>fetch(u,{method:'POST',headers:{'Content-Type':type||'application/json','X-CSRF-Token':csrf},body:b});\
document.querySelectorAll('form.move').forEach(f=>f.addEventListener('submit',async e=>{e.preventDefault();const out=f.querySelector('.msg');out.textContent='';\
const ev=[];const file=f.file&&f.file.files[0];if(file){const r=await post('/api/v1/work/evidence',file,file.type||'application/octet-stream');const j=await r.json();\
if(!r.ok){out.textContent='✗ '+t.dataset.failed+j.error.message;return}ev.push(j.reference)}\
const children=f.children&&f.children.value?f.children.value.split(/[,，\\s]+/).filter(x=>x):[];\
const r=await post('/api/v1/work/items/'+f.dataset.id+'/actions',JSON.stringify({action:f.action.value,text:f.text.value,evidence:ev,children}));\
const j=await r.json();if(r.ok){location.reload()}else{out.textContent='✗ '+t.dataset.failed+j.error.message}}));\
const n=document.getElementById('issue');if(n)n.addEventListener('submit',async e=>{e.preventDefault();const out=n.querySelector('.msg');\
const r=await post('/api/v1/work/items',JSON.stringify({kind:n.kind.value,to:n.to.value,title:n.title.value}));const j=await r.json();\
if(r.ok){location.reload()}else{out.textContent='✗ '+t.dataset.failed+j.error.message}})})();";

/// Whether the organisation sees an item: the province's office every item; the issuer, the assignee,
/// a co-assignee and the verifier theirs.
fn sees(org: &Org, item: &lantian_core::work::items::WorkItem) -> bool {
    *org == Org::ProvinceOffice
        || item.issuer == *org
        || item.assignee == *org
        || item.co_assignees.contains(org)
        || item.verifier.as_ref() == Some(org)
}

/// The stored item `id` if the caller's organisation sees it; 404 when there is none, 403 otherwise.
fn visible(store: &dyn lantian_store::Store, caller: &Caller, id: i64) -> Result<lantian_store::StoredItem, ApiError> {
    let org = caller.account.as_ref().and_then(org_of);
    let stored = store.item(id)?.ok_or_else(|| ApiError::not_found(format!("no work item {id}")))?;
    match org {
        Some(o) if sees(&o, &stored.item) => Ok(stored),
        _ => Err(crate::access::forbidden(format!("work item {id} is not this account's organisation's"))),
    }
}

/// `GET /work/items/{id}`: one item — its parties, clocks, parent and children, and its history with
/// every move's comment and evidence — with the form of the moves the reader may make.
pub async fn item_page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Query(q): Query<WorkPageQuery>,
) -> Result<Response, ApiError> {
    let lang = Lang::of(q.lang.as_deref());
    let session = crate::session::signed_in(&state, &headers);
    let page = blocking(state, move |store| {
        let stored = visible(store, &caller, id)?;
        let org = caller.account.as_ref().and_then(org_of);
        let now = crate::now_local();
        let it = &stored.item;
        let time =
            |t: Option<chrono::NaiveDateTime>| t.map_or(String::new(), |t| t.format("%Y-%m-%d %H:%M").to_string());
        let children = store
            .items(&lantian_store::ItemFilter { parent_id: Some(id), ..Default::default() })?
            .into_iter()
            .map(|c| (c.id, org_name(lang, &c.item.assignee), lang.t(c.item.state.label_zh(), c.item.state.label_en())))
            .collect();
        let csrf = session.as_ref().map(|(_, c)| c.clone());
        let moves = match (&org, &csrf) {
            (Some(o), Some(_)) => it.moves_for(o).iter().map(|m| (*m, move_name(lang, m))).collect(),
            _ => Vec::new(),
        };
        views::render(&views::WorkItemPage {
            chrome: Chrome::new(
                lang,
                &format!("{} {id}", lang.t("督办事项", "Work item")),
                &format!("/work/items/{id}"),
            ),
            id,
            title: it.title.clone(),
            kind: lang.t(it.kind.label_zh(), it.kind.label_en()),
            issuer: org_name(lang, &it.issuer),
            assignee: org_name(lang, &it.assignee),
            state: lang.t(it.state.label_zh(), it.state.label_en()),
            issued: time(it.issued_at),
            sign_due: time(it.sign_due),
            feedback_due: time(it.feedback_due),
            overdue: it.is_overdue(now),
            escalation: {
                let e = it.escalation(now);
                lang.t(e.label_zh(), e.label_en())
            },
            returns: it.returns,
            parent: stored.parent_id,
            children,
            history: it
                .history
                .iter()
                .map(|h| views::MoveRow {
                    at: h.at.format("%Y-%m-%d %H:%M").to_string(),
                    actor: org_name(lang, &h.actor),
                    from: lang.t(h.from.label_zh(), h.from.label_en()),
                    to: lang.t(h.to.label_zh(), h.to.label_en()),
                    comment: h.comment.clone(),
                    evidence: h.evidence.clone(),
                })
                .collect(),
            csrf: csrf.filter(|_| !moves.is_empty()),
            moves,
        })
    })
    .await?;
    Ok(page.into_response())
}

/// Evidence request: the item it belongs to.
#[derive(Deserialize)]
pub struct EvidenceQuery {
    pub item: i64,
}

/// `GET /work/evidence/{reference}?item=ID`: a piece of evidence of an item the reader sees, named in
/// that item's history; always a download (never shown inline: a document a city uploaded is not
/// trusted as a page).
pub async fn evidence(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    axum::extract::Path(reference): axum::extract::Path<String>,
    Query(q): Query<EvidenceQuery>,
) -> Result<Response, ApiError> {
    blocking(state, move |store| {
        let stored = visible(store, &caller, q.item)?;
        if !stored.item.history.iter().any(|h| h.evidence.contains(&reference)) {
            return Err(ApiError::not_found(format!("item {} names no evidence {reference:?}", q.item)));
        }
        let (media, bytes) =
            store.evidence(&reference)?.ok_or_else(|| ApiError::not_found(format!("no evidence {reference:?}")))?;
        let name = reference.trim_start_matches("blake3:").chars().take(16).collect::<String>();
        let ext = match media.split(';').next().unwrap_or("").trim() {
            "image/jpeg" => "jpg",
            "image/png" => "png",
            "video/mp4" => "mp4",
            "application/pdf" => "pdf",
            "text/plain" => "txt",
            _ => "bin",
        };
        Ok(crate::download::file_response(bytes, &media, &format!("evidence-{}-{name}", q.item), ext))
    })
    .await
}
