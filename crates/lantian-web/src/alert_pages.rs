//! `/alerts` (预警应急): the alerts active now, the latest forecast evaluation with its trigger days
//! and the regional alerts; `/alerts/control-list`: a city's control list at a level with its checks.
//! Every number comes from `lantian_service::{emergency::alerts, emergency::control}` (the CLI's and the API's code path).

use std::fmt::Write as _;
use std::sync::Arc;

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
use crate::pages::{esc, layout, Lang};
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

/// The official alert colours (yellow, orange, red; blue of the historical plans).
fn colour(l: AlertLevel) -> (&'static str, &'static str) {
    match l {
        AlertLevel::Blue => ("#2f6fd6", "#fff"),
        AlertLevel::Yellow => ("#ffd400", "#222"),
        AlertLevel::Orange => ("#ff7e00", "#fff"),
        AlertLevel::Red => ("#e60000", "#fff"),
    }
}

fn badge(lang: Lang, l: Option<AlertLevel>) -> String {
    match l {
        None => format!("<td>{}</td>", lang.t("无", "none")),
        Some(l) => {
            let name = if lang == Lang::En { l.code() } else { l.name_zh() };
            format!("<td class=\"level al-{}\">{name}</td>", l.code())
        }
    }
}

fn city_name(code: u32) -> String {
    lantian_core::regions::cities::SICHUAN_CITIES
        .iter()
        .find(|c| c.code == code)
        .map_or_else(|| code.to_string(), |c| c.short.to_string())
}

/// `GET /alerts`: the public version (levels, periods, measures in force) for everyone; the decision
/// makers (决定人) and the forecast evaluation only for readers of `alert_decisions` (a city user: its
/// own city's).
pub async fn alerts_page(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<AlertPageQuery>,
) -> Result<Response, ApiError> {
    let decisions = caller.scope(Dataset::AlertDecisions);
    let lang = Lang::of(q.lang.as_deref());
    let at_text = q.at.clone();
    // Rows of restricted detail shown (decision makers, evaluation rows): the audited export.
    let (body, rows) = blocking(state, move |store| {
        let mut rows = 0u64;
        let at = match at_text.as_deref() {
            Some(t) => Some(
                lantian_ingest::emergency::parse_datetime(t)
                    .ok_or_else(|| ApiError::bad_request(format!("at {t:?}: expected YYYY-MM-DDTHH:MM")))
                    .and_then(|t| crate::params::time("at", t))?,
            ),
            None => None,
        };
        let mut b = String::new();
        let status_at = match at {
            Some(t) => Some(t),
            None => alerts::latest_decision(store)?,
        };
        let _ = write!(b, "<h2>{}</h2>", lang.t("生效中的预警", "Active alerts"));
        match status_at {
            None => b.push_str(lang.t("<p>预警台账为空。</p>", "<p>The alert log is empty.</p>")),
            Some(t) => {
                let active = alerts::status(store, t)?;
                let _ = write!(b, "<p>{} {}</p>", lang.t("截至", "As of"), t.format("%Y-%m-%d %H:%M"));
                if active.is_empty() {
                    b.push_str(lang.t("<p>无生效预警。</p>", "<p>No active alert.</p>"));
                } else {
                    let _ = write!(
                        b,
                        "<table id=\"active\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>{}{}</tr>",
                        lang.t("城市", "City"),
                        lang.t("级别", "Level"),
                        lang.t("响应", "Response"),
                        lang.t("启动", "Started"),
                        lang.t("当前执行", "Measures in force"),
                        lang.t("各级别措施生效时间", "Measures of each level from"),
                        if decisions == ReadScope::None { String::new() } else { format!("<th>{}</th>", lang.t("决定人", "Decided by")) },
                        if caller.scope(Dataset::ControlLists) == ReadScope::None { String::new() } else { format!("<th>{}</th>", lang.t("管控清单", "Control list")) }
                    );
                    for a in &active {
                        let code = a.scope.strip_prefix("city:").unwrap_or("");
                        let list = match control::parse_level(a.level.code()) {
                            Ok(_) if !code.is_empty() => format!(
                                "<a href=\"/alerts/control-list?city={code}&level={}{}\">{}</a>",
                                a.level.code(),
                                if lang == Lang::En { "&lang=en" } else { "" },
                                lang.t("查看", "open")
                            ),
                            _ => String::new(),
                        };
                        let list = if caller.scope(Dataset::ControlLists) == ReadScope::None {
                            String::new()
                        } else {
                            let own = caller.scope(Dataset::ControlLists) == ReadScope::All
                                || caller.reads_scope(Dataset::AlertDecisions, &a.scope);
                            format!("<td>{}</td>", if own { list } else { String::new() })
                        };
                        let actor = match decisions {
                            ReadScope::None => String::new(),
                            _ if caller.reads_scope(Dataset::AlertDecisions, &a.scope) => {
                                rows += 1;
                                format!("<td>{}</td>", esc(&a.actor))
                            }
                            _ => "<td>—</td>".to_string(),
                        };
                        let steps: Vec<String> = a
                            .levels
                            .iter()
                            .map(|s| {
                                let name = if lang == Lang::En { s.level.code() } else { s.level.color_zh() };
                                let pending = if s.effective_from > t { lang.t("（未生效）", " (not yet)") } else { "" };
                                format!(
                                    "<li data-level=\"{}\">{name} {}{}{pending}</li>",
                                    s.level.code(),
                                    s.effective_from.format("%m-%d %H:%M"),
                                    lang.t("起", "")
                                )
                            })
                            .collect();
                        let _ = write!(
                            b,
                            "<tr><td>{}</td>{}<td>{}</td><td>{}</td>{}<td><ul class=\"steps\">{}</ul></td>{actor}{list}</tr>",
                            esc(&a.city),
                            badge(lang, Some(a.level)),
                            a.response.map_or("—", |r| r.name_zh()),
                            a.started_at.format("%m-%d %H:%M"),
                            badge(lang, a.in_effect),
                            steps.join(""),
                        );
                    }
                    b.push_str("</table>");
                    if let Some(r) = active.first().and_then(|x| lantian_core::emergency::rule_set(&x.rule_set)) {
                        let _ = write!(
                            b,
                            "<p class=\"note\" id=\"raising\">{}：{}（{}；{} [{}]）</p>",
                            lang.t("升级后措施生效", "Raised levels take effect"),
                            esc(&r.raising.describe_zh()),
                            esc(&r.document),
                            lang.t("可信度", "confidence"),
                            r.raising.confidence.mark()
                        );
                    }
                }
            }
        }
        // The forecast evaluation is pre-decisional: readers of `alert_decisions` only (a city user: its
        // own city and the regional alerts it belongs to).
        if decisions == ReadScope::None {
            return Ok((b, rows));
        }
        let own_code = match decisions {
            ReadScope::City(_) => caller.account.as_ref().and_then(|a| a.city.as_ref()).and_then(|c| c.code),
            _ => None,
        };
        let mine = |code: u32| own_code.is_none_or(|o| o == code);
        let _ = write!(b, "<h2>{}</h2>", lang.t("最新预报研判", "Latest forecast evaluation"));
        let eval_at = match at {
            Some(t) => Some(t),
            None => alerts::latest_issuance(store)?,
        };
        let Some(eval_at) = eval_at else {
            b.push_str(lang.t("<p>还没有预报。</p>", "<p>No forecasts yet.</p>"));
            return Ok((b, rows));
        };
        let rules = alerts::choose_rules(None, eval_at)?;
        let ev = alerts::evaluate(store, eval_at, rules)?;
        let _ = write!(
            b,
            "<p>{} {} · {} {} ({})</p><table id=\"evaluation\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            lang.t("研判时间", "At"),
            eval_at.format("%Y-%m-%d %H:%M"),
            lang.t("规则", "Rules"),
            esc(&ev.rule_set),
            esc(&ev.rule_document),
            lang.t("城市", "City"),
            lang.t("级别", "Level"),
            lang.t("开始", "Start"),
            lang.t("结束", "End"),
            lang.t("触发日 AQI", "Trigger days (AQI)")
        );
        for r in ev.cities.iter().filter(|r| mine(r.city_code)) {
            rows += 1;
            let _ = write!(
                b,
                "<tr><td>{}</td>{}<td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.city),
                badge(lang, r.level),
                r.start_date.map_or("—".into(), |d| d.to_string()),
                r.end_date.map_or("—".into(), |d| d.to_string()),
                r.trigger_days.iter().map(|d| format!("{} {}", d.date.format("%m-%d"), d.aqi)).collect::<Vec<_>>().join(", ")
            );
        }
        b.push_str("</table>");
        let _ = write!(b, "<h2>{}</h2>", lang.t("区域预警", "Regional alerts"));
        if ev.regional.is_empty() && ev.joint_control.is_empty() {
            b.push_str(lang.t("<p>无。</p>", "<p>None.</p>"));
        } else {
            b.push_str("<ul id=\"regional\">");
            for r in ev.regional.iter().chain(&ev.joint_control).filter(|r| r.members.iter().any(|m| mine(m.city))) {
                rows += 1;
                let scope = match &r.scope {
                    AlertScope::Region(id) => format!("{}（{} {}）", id.name_zh(), lang.t("牵头", "lead"), r.lead_city.map(city_name).unwrap_or_default()),
                    _ => lang.t("连片城市", "contiguous cities").to_string(),
                };
                let members: Vec<String> = r.members.iter().map(|m| city_name(m.city)).collect();
                let _ = write!(
                    b,
                    "<li><span class=\"badge al-{}\">{}</span> {} {} — {}: {}</li>",
                    r.level.code(),
                    if lang == Lang::En { r.level.code() } else { r.level.name_zh() },
                    esc(&scope),
                    r.start_date,
                    r.end_date,
                    esc(&members.join("、"))
                );
            }
            b.push_str("</ul>");
        }
        Ok((b, rows))
    })
    .await?;
    let page = layout(lang, lang.t("重污染天气预警与应急", "Heavy-pollution alerts"), &body, "/alerts")?;
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
    let (title, body, rows) = blocking(state, move |store| {
        let city = store.resolve_city(&city_q)?.ok_or_else(|| ApiError::bad_request(format!("unknown city {city_q:?}")))?;
        caller.forbid_city(Dataset::ControlLists, &city)?;
        let level = control::parse_level(&level_q)?;
        let year = match year_q {
            Some(y) => crate::params::year("year", y)?,
            None => alerts::latest_issuance(store)?.map_or(2022, |t| chrono::Datelike::year(&t)),
        };
        let list = control::control_list(store, &city, level, year)?;
        let mut b = format!(
            "<table id=\"list\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>SO2</th><th>NOx</th><th>PM</th><th>VOCs</th></tr>",
            lang.t("企业", "Enterprise"),
            lang.t("行业", "Industry"),
            lang.t("绩效等级", "Grade"),
            lang.t("措施", "Measures"),
            lang.t("版本", "Plan")
        );
        let kg = |g: i64| lantian_core::Conc(g).to_string();
        for r in &list.rows {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.name),
                esc(&r.industry_name),
                r.grade.label_zh(),
                esc(&r.measures.iter().map(|(l, a, _)| format!("{l}: {a}")).collect::<Vec<_>>().join("; ")),
                esc(&r.plan_version),
                kg(r.reduction_g.so2),
                kg(r.reduction_g.nox),
                kg(r.reduction_g.pm),
                kg(r.reduction_g.vocs)
            );
        }
        b.push_str("</table>");
        let _ = write!(b, "<h2>{}</h2>", lang.t("减排比例核算（kg/日）", "Reduction adequacy (kg/day)"));
        match &list.adequacy {
            None => b.push_str(lang.t("<p>无排放清单。</p>", "<p>No inventory.</p>")),
            Some(ad) => {
                let _ = write!(
                    b,
                    "<p>{} {} · {}</p><table id=\"adequacy\"><tr><th>{}</th><th>{}</th><th>{}</th><th>%</th><th>{}</th></tr>",
                    ad.inventory_year,
                    esc(&ad.inventory_source),
                    esc(&ad.targets_id),
                    lang.t("污染物", "Pollutant"),
                    lang.t("减排合计", "Reduction"),
                    lang.t("日均基数", "Daily basis"),
                    lang.t("结论", "Result")
                );
                for r in &ad.rows {
                    let ok = match r.status {
                        AdequacyStatus::Pass => lang.t("达标", "pass"),
                        AdequacyStatus::Fail => lang.t("不足", "fail"),
                        AdequacyStatus::NoInventory => lang.t("无清单", "no inventory"),
                    };
                    let _ = write!(
                        b,
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
                        r.pollutant.name_zh(),
                        kg(r.total_g),
                        r.daily_basis_g.round(0),
                        r.ratio_pct.as_deref().unwrap_or("—"),
                        if r.status == AdequacyStatus::Fail { "worst" } else { "best" },
                        ok
                    );
                }
                b.push_str("</table>");
            }
        }
        let _ = write!(b, "<h2>{}</h2><ul id=\"flags\">", lang.t("不搞“一刀切”提示", "One-size-fits-all flags"));
        if list.flags.is_empty() {
            let _ = write!(b, "<li>{}</li>", lang.t("无", "none"));
        }
        for f in &list.flags {
            let _ = write!(b, "<li>{}</li>", esc(if lang == Lang::En { &f.reason_en } else { &f.reason_zh }));
        }
        b.push_str("</ul>");
        let title = format!("{} {} {}", list.city, level.name_zh(), lang.t("应急管控清单", "control list"));
        Ok((title, b, list.rows.len() as u64))
    })
    .await?;
    Ok(crate::access::exported(layout(lang, &title, &body, "/alerts/control-list")?.into_response(), rows))
}
