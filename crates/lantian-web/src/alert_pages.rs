//! `/alerts` (预警应急): the alerts active now, the latest forecast evaluation with its trigger days
//! and the regional alerts; `/alerts/control-list`: a city's control list at a level with its checks.
//! Every number comes from `lantian_service::{emergency::alerts, emergency::control}` (the CLI's and the API's code path).

use std::fmt::Write as _;
use std::sync::Arc;

use lantian_core::regions::cities::RegionId;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use lantian_core::emergency::control::AdequacyStatus;
use lantian_core::emergency::{AlertLevel, AlertScope};
use lantian_service::accounts::{Dataset, ReadScope};
use lantian_service::{emergency::alerts, emergency::control};
use serde::Deserialize;

use crate::access::Caller;
use crate::api::blocking;
use crate::pages::Lang;
use crate::views::{self, Chrome};
use crate::{ApiError, AppState};

/// Page parameters.
#[derive(Deserialize)]
pub struct AlertPageQuery {
    pub lang: Option<String>,
    /// Decision time `YYYY-MM-DDTHH:MM`.
    pub at: Option<String>,
    pub city: Option<String>,
    pub level: Option<String>,
    pub year: Option<i32>,
}

/// The style of these pages (part of `/assets/lantian.css`): the tables' alignment and one class per
/// alert level (`al-yellow` …) in its official colour.
pub(crate) fn level_classes() -> String {
    let mut css = String::from(
        "#evaluation td,#active td{text-align:left}td.level{text-align:center;font-weight:bold}\
         #list td,#list th{text-align:left}#list td:nth-child(n+6){text-align:right}.badge{padding:0 .4em}",
    );
    for l in AlertLevel::ALL {
        let (bg, fg) = colour(l);
        let _ = write!(css, ".al-{}{{background:{bg};color:{fg}}}", l.code());
    }
    css
}

/// The official alert colours (yellow, orange, red; blue of the historical plans) and their ink, at
/// least 4.5:1 (WCAG 2.1 AA: 4.8, 11.1, 8.2, 4.8; black on orange — white there was 2.5).
pub(crate) fn colour(l: AlertLevel) -> (&'static str, &'static str) {
    match l {
        AlertLevel::Blue => ("#2f6fd6", "#ffffff"),
        AlertLevel::Yellow => ("#ffd400", "#222222"),
        AlertLevel::Orange => ("#ff7e00", "#000000"),
        AlertLevel::Red => ("#e60000", "#ffffff"),
    }
}

/// The level's class code and its name in the page's language.
fn badge(lang: Lang, l: AlertLevel) -> (&'static str, &'static str) {
    (l.code(), if lang == Lang::En { l.name_en() } else { l.name_zh() })
}

/// The name of an alert's scope in the page's language: a city, or a region with its lead city
/// (`成都平原（牵头 成都）`, `Chengdu Plain (lead Chengdu)`); `zh` is the log's Chinese name.
fn scope_label(lang: Lang, scope: &str, city_code: &str, zh: &str) -> String {
    let region = scope.strip_prefix("region:").and_then(|r| RegionId::ALL.iter().find(|x| x.name_zh() == r));
    match (lang, region) {
        (Lang::En, Some(r)) => match r.lead_city() {
            Some(lead) => format!("{} (lead {})", r.name_en(), city_name(lang, lead)),
            None => r.name_en().to_string(),
        },
        _ => crate::pages::name_of(lang, city_code.parse().ok(), zh),
    }
}

fn city_name(lang: Lang, code: u32) -> String {
    let short = lantian_core::regions::cities::SICHUAN_CITIES.iter().find(|c| c.code == code).map(|c| c.short);
    match short {
        Some(zh) => crate::pages::name_of(lang, Some(code), zh),
        None => code.to_string(),
    }
}

/// `GET /alerts`: the public version (levels, periods, measures in force) for everyone; the decision
/// makers (决定人) and the forecast evaluation only for readers of `alert_decisions` (a city user: its
/// own city's).
pub async fn alerts_page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: axum::http::HeaderMap,
    Query(q): Query<AlertPageQuery>,
) -> Result<Response, ApiError> {
    let session = crate::session::signed_in(&state, &headers);
    let decisions = caller.scope(Dataset::AlertDecisions);
    let lang = Lang::of(q.lang.as_deref());
    let at_text = q.at.clone();
    // Rows of restricted detail shown (decision makers, evaluation rows): the audited export.
    let (page, rows) = blocking(state, move |store| {
        let mut rows = 0u64;
        let at = match at_text.as_deref() {
            Some(t) => Some(
                lantian_ingest::emergency::parse_datetime(t)
                    .ok_or_else(|| ApiError::bad_request(format!("at {t:?}: expected YYYY-MM-DDTHH:MM")))
                    .and_then(|t| crate::params::time("at", t))?,
            ),
            None => None,
        };
        let status_at = match at {
            Some(t) => Some(t),
            None => alerts::latest_decision(store)?,
        };
        let show_actor = decisions != ReadScope::None;
        let show_list = caller.scope(Dataset::ControlLists) != ReadScope::None;
        let status = match status_at {
            None => None,
            Some(t) => {
                let active = alerts::status(store, t)?;
                let mut view_rows = Vec::new();
                for a in &active {
                    let code = a.scope.strip_prefix("city:").unwrap_or("");
                    let own_list = caller.scope(Dataset::ControlLists) == ReadScope::All
                        || caller.reads_scope(Dataset::AlertDecisions, &a.scope);
                    let list = match control::parse_level(a.level.code()) {
                        Ok(_) if !code.is_empty() && show_list && own_list => {
                            Some(views::ListLink { city: code.to_string(), level: a.level.code() })
                        }
                        _ => None,
                    };
                    let actor = if caller.reads_scope(Dataset::AlertDecisions, &a.scope) {
                        if show_actor {
                            rows += 1;
                        }
                        a.actor.clone()
                    } else {
                        "—".to_string()
                    };
                    view_rows.push(views::ActiveAlert {
                        city: scope_label(lang, &a.scope, code, &a.city),
                        level: Some(badge(lang, a.level)),
                        response: a.response.map_or("—", |r| lang.t(r.name_zh(), r.name_en())),
                        started: a.started_at.format("%m-%d %H:%M").to_string(),
                        in_effect: a.in_effect.map(|l| badge(lang, l)),
                        steps: a
                            .levels
                            .iter()
                            .map(|s| views::LevelStep {
                                code: s.level.code(),
                                name: if lang == Lang::En { s.level.code() } else { s.level.color_zh() },
                                from: s.effective_from.format("%m-%d %H:%M").to_string(),
                                suffix: lang.t("起", ""),
                                pending: if s.effective_from > t {
                                    lang.t("（未生效）", " (not yet)")
                                } else {
                                    ""
                                },
                            })
                            .collect(),
                        actor,
                        list,
                    });
                }
                let raising =
                    active.first().and_then(|x| lantian_core::emergency::rule_set(&x.rule_set)).map(|r| match lang {
                        Lang::Zh => format!(
                            "{}（{}；{}）",
                            r.raising.describe_zh(),
                            r.document,
                            r.raising.confidence.words_zh()
                        ),
                        Lang::En => {
                            format!("{} ({}; {})", r.raising.describe_en(), r.document, r.raising.confidence.words_en())
                        }
                    });
                Some(views::AlertStatus {
                    at: t.format("%Y-%m-%d %H:%M").to_string(),
                    at_param: t.format("%Y-%m-%dT%H:%M").to_string(),
                    rows: view_rows,
                    raising,
                })
            }
        };
        // The forecast evaluation is pre-decisional: readers of `alert_decisions` only (a city user: its
        // own city and the regional alerts it belongs to).
        let evaluation = if decisions == ReadScope::None {
            None
        } else {
            let own_code = match decisions {
                ReadScope::City(_) => caller.account.as_ref().and_then(|a| a.city.as_ref()).and_then(|c| c.code),
                _ => None,
            };
            let mine = |code: u32| own_code.is_none_or(|o| o == code);
            let eval_at = match at {
                Some(t) => Some(t),
                None => alerts::latest_issuance(store)?,
            };
            match eval_at {
                None => Some(None),
                Some(eval_at) => {
                    let rules = alerts::choose_rules(None, eval_at)?;
                    let ev = alerts::evaluate(store, eval_at, rules)?;
                    let cities: Vec<views::EvaluatedCity> = ev
                        .cities
                        .iter()
                        .filter(|r| mine(r.city_code))
                        .map(|r| views::EvaluatedCity {
                            city: crate::pages::name_of(lang, Some(r.city_code), &r.city),
                            level: r.level.map(|l| badge(lang, l)),
                            start: r.start_date.map_or("—".into(), |d| d.to_string()),
                            end: r.end_date.map_or("—".into(), |d| d.to_string()),
                            triggers: r
                                .trigger_days
                                .iter()
                                .map(|d| format!("{} {}", d.date.format("%m-%d"), d.aqi))
                                .collect::<Vec<_>>()
                                .join(", "),
                        })
                        .collect();
                    let regional: Vec<views::RegionalView> = ev
                        .regional
                        .iter()
                        .chain(&ev.joint_control)
                        .filter(|r| r.members.iter().any(|m| mine(m.city)))
                        .map(|r| views::RegionalView {
                            level_code: r.level.code(),
                            level_name: if lang == Lang::En { r.level.name_en() } else { r.level.name_zh() },
                            scope: match &r.scope {
                                AlertScope::Region(id) => format!(
                                    "{}（{} {}）",
                                    lang.t(id.name_zh(), id.name_en()),
                                    lang.t("牵头", "lead"),
                                    r.lead_city.map(|c| city_name(lang, c)).unwrap_or_default()
                                ),
                                _ => lang.t("连片城市", "contiguous cities").to_string(),
                            },
                            start: r.start_date.to_string(),
                            end: r.end_date.to_string(),
                            members: r
                                .members
                                .iter()
                                .map(|m| city_name(lang, m.city))
                                .collect::<Vec<_>>()
                                .join(lang.t("、", ", ")),
                        })
                        .collect();
                    rows += (cities.len() + regional.len()) as u64;
                    Some(Some(views::EvaluationView {
                        at: eval_at.format("%Y-%m-%d %H:%M").to_string(),
                        at_param: eval_at.format("%Y-%m-%dT%H:%M").to_string(),
                        rule_set: ev.rule_set.clone(),
                        rule_document: ev.rule_document.clone(),
                        cities,
                        regional,
                    }))
                }
            }
        };
        // The decision form (issue 14 item 7): for a signed-in administrator (every city) or city user
        // (its own), with the session's CSRF token.
        let form = match (&caller.account, &session) {
            (Some(account), Some((_, csrf))) => {
                let cities: Vec<(u32, String)> = store
                    .cities()?
                    .iter()
                    .filter(|c| {
                        c.province == "四川省" && lantian_service::accounts::may_decide_alert(account, c).is_ok()
                    })
                    .filter_map(|c| c.code.map(|code| (code, crate::pages::city_name(lang, c))))
                    .collect();
                (!cities.is_empty()).then(|| views::DecisionForm {
                    csrf: csrf.clone(),
                    cities,
                    at: status_at.or(at).map_or(String::new(), |t| t.format("%Y-%m-%dT%H:%M").to_string()),
                    levels: AlertLevel::ALL.iter().map(|l| badge(lang, *l)).collect(),
                })
            }
            _ => None,
        };
        let page = views::render(&views::Alerts {
            chrome: Chrome::new(lang, lang.t("重污染天气预警与应急", "Heavy-pollution alerts"), "/alerts"),
            status,
            show_actor,
            show_list,
            evaluation,
            form,
        })?;
        Ok((page, rows))
    })
    .await?;
    Ok(crate::access::exported(page.into_response(), rows))
}

/// `GET /alerts/control-list?city=&level=` (restricted: `control_lists`, a city user its own city's).
pub async fn control_list_page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<AlertPageQuery>,
) -> Result<Response, ApiError> {
    let lang = Lang::of(q.lang.as_deref());
    let city_q = q.city.clone().ok_or_else(|| ApiError::bad_request("city is required"))?;
    let level_q = q.level.clone().ok_or_else(|| ApiError::bad_request("level is required"))?;
    let year_q = q.year;
    let (page, rows) = blocking(state, move |store| {
        let city =
            store.resolve_city(&city_q)?.ok_or_else(|| ApiError::bad_request(format!("unknown city {city_q:?}")))?;
        caller.forbid_city(Dataset::ControlLists, &city)?;
        let level = control::parse_level(&level_q)?;
        let year = match year_q {
            Some(y) => crate::params::year("year", y)?,
            None => alerts::latest_issuance(store)?.map_or(2022, |t| chrono::Datelike::year(&t)),
        };
        let list = control::control_list(store, &city, level, year)?;
        let kg = |g: i64| lantian_core::Conc(g).to_string();
        let rows: Vec<[String; 9]> = list
            .rows
            .iter()
            .map(|r| {
                [
                    r.name.clone(),
                    r.industry_name.clone(),
                    r.grade.label_zh().to_string(),
                    r.measures.iter().map(|(l, a, _)| format!("{l}: {a}")).collect::<Vec<_>>().join("; "),
                    r.plan_version.clone(),
                    kg(r.reduction_g.so2),
                    kg(r.reduction_g.nox),
                    kg(r.reduction_g.pm),
                    kg(r.reduction_g.vocs),
                ]
            })
            .collect();
        let adequacy = list.adequacy.as_ref().map(|ad| views::AdequacyView {
            year: ad.inventory_year,
            source: ad.inventory_source.clone(),
            targets: ad.targets_id.clone(),
            rows: ad
                .rows
                .iter()
                .map(|r| views::AdequacyRow {
                    pollutant: lang.t(r.pollutant.name_zh(), r.pollutant.name_en()),
                    total: kg(r.total_g),
                    basis: r.daily_basis_g.round(0).to_string(),
                    ratio: r.ratio_pct.clone().unwrap_or_else(|| "—".into()),
                    class: if r.status == AdequacyStatus::Fail { "worst" } else { "best" },
                    result: match r.status {
                        AdequacyStatus::Pass => lang.t("达标", "pass"),
                        AdequacyStatus::Fail => lang.t("不足", "fail"),
                        AdequacyStatus::NoInventory => lang.t("无清单", "no inventory"),
                    },
                })
                .collect(),
        });
        let flags = list
            .flags
            .iter()
            .map(|f| if lang == Lang::En { f.reason_en.clone() } else { f.reason_zh.clone() })
            .collect();
        let title = match lang {
            Lang::Zh => format!("{} {} 应急管控清单", list.city, level.name_zh()),
            Lang::En => format!("Control list of {}, {}", crate::pages::city_name(lang, &city), level.name_en()),
        };
        let n = list.rows.len() as u64;
        let scope = caller.scope(Dataset::ControlLists);
        let picker = views::ListPicker {
            cities: store
                .cities()?
                .iter()
                .filter(|c| c.province == "四川省")
                .filter(|c| match scope {
                    ReadScope::All => true,
                    ReadScope::City(own) => c.id == own,
                    _ => false,
                })
                .filter_map(|c| c.code.map(|code| (code, crate::pages::city_name(lang, c), c.id == city.id)))
                .collect(),
            levels: lantian_core::emergency::control::ControlLevel::ALL
                .iter()
                .map(|l| (l.code(), if lang == Lang::En { l.name_en() } else { l.name_zh() }, *l == level))
                .collect(),
            year,
        };
        let page = views::render(&views::ControlList {
            chrome: Chrome::new(lang, &title, "/alerts/control-list"),
            city: city.code.map_or_else(|| city.display().to_string(), |c| c.to_string()),
            level: level.code(),
            year: picker.year,
            picker,
            rows,
            adequacy,
            flags,
        })?;
        Ok((page, n))
    })
    .await?;
    Ok(crate::access::exported(page.into_response(), rows))
}

/// The decision form's script (`/assets/alerts.js`): posts the form as JSON with the session's CSRF
/// token, then reloads the page (which shows the decision among the alerts in force) or shows the error.
pub(crate) const ALERTS_JS: &str = "document.getElementById('decide').addEventListener('submit',async e=>{e.preventDefault();\
const f=e.target;const out=document.getElementById('decided');out.textContent='';\
const body={city:f.city.value,action:f.action.value,level:f.level.value,at:f.at.value,evidence:f.evidence.value};\
const r=await fetch('/api/v1/alerts/decisions',{method:'POST',headers:{'Content-Type':'application/json','X-CSRF-Token':f.dataset.csrf},body:JSON.stringify(body)});\
const j=await r.json();if(r.ok){location.reload()}else{out.textContent='✗ '+f.dataset.failed+j.error.message}});";
