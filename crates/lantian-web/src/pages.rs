//! Server-rendered pages (zh-CN by default, `?lang=en` for English): the province overview with a
//! schematic map of the 21 cities coloured by their latest daily AQI in the official colours (HJ 633
//! Table 2), and the ranking page. Every number comes from the same service functions as the API.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Html;
use chrono::Duration;
use lantian_core::accountability::ranking::{fmt_hundredths, fmt_tenths};
use lantian_core::air::aqi::AqiCategory;
use lantian_core::air::period::{Period, ResultVariant};
use lantian_core::regions::cities::{sichuan_city, RegionId};
use lantian_service::accountability::assess;
use serde::Deserialize;

use crate::api::blocking;
use crate::views::{self, Chrome};
use crate::{ApiError, AppState};

/// Language of a page.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub(crate) fn of(q: Option<&str>) -> Lang {
        if q == Some("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }
    pub(crate) fn t(self, zh: &'static str, en: &'static str) -> &'static str {
        if self == Lang::En {
            en
        } else {
            zh
        }
    }
}

/// Page parameters.
#[derive(Deserialize)]
pub struct PageQuery {
    pub lang: Option<String>,
    pub period: Option<String>,
    /// Ranking order: `composite` (default) or `change`.
    pub by: Option<String>,
}

/// A city's name in the page's language: its Chinese short name, or its English name (pinyin) on English
/// pages — for the 21 Sichuan cities; another city keeps its Chinese name.
pub(crate) fn city_name(lang: Lang, city: &lantian_store::CityInfo) -> String {
    name_of(lang, city.code, city.display())
}

/// The name of the city of GB/T 2260 `code` in the page's language: its English name on English pages
/// for the 21 Sichuan cities, else `zh` (the name the data give it).
pub(crate) fn name_of(lang: Lang, code: Option<u32>, zh: &str) -> String {
    match (lang, code.and_then(|c| sichuan_city(&c.to_string()))) {
        (Lang::En, Some(c)) => c.name_en.to_string(),
        _ => zh.to_string(),
    }
}

/// Schematic positions: approximate longitude and latitude of each city's seat of government (a
/// schematic map, not boundaries; `--boundaries` will draw the real ones).
const SEATS: [(u32, f64, f64); 21] = [
    (510100, 104.07, 30.67),
    (510300, 104.78, 29.34),
    (510400, 101.72, 26.58),
    (510500, 105.44, 28.87),
    (510600, 104.40, 31.13),
    (510700, 104.68, 31.47),
    (510800, 105.84, 32.44),
    (510900, 105.59, 30.53),
    (511000, 105.06, 29.58),
    (511100, 103.77, 29.55),
    (511300, 106.11, 30.84),
    (511400, 103.85, 30.08),
    (511500, 104.64, 28.75),
    (511600, 106.63, 30.46),
    (511700, 107.47, 31.21),
    (511800, 103.04, 30.01),
    (511900, 106.75, 31.87),
    (512000, 104.63, 30.13),
    (513200, 102.22, 31.90),
    (513300, 101.96, 30.05),
    (513400, 102.27, 27.89),
];

fn region_stroke(r: RegionId) -> &'static str {
    match r {
        RegionId::ChengduPlain => "#1f4e79",
        RegionId::SouthSichuan => "#7f3f98",
        RegionId::NortheastSichuan => "#b35900",
        RegionId::Panxi => "#2e7d32",
        RegionId::NorthwestSichuan => "#607d8b",
    }
}

/// The layout's style sheet (served with the level classes as `/assets/lantian.css`).
pub(crate) const CSS: &str = "body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:0;color:#222}\
header{display:flex;gap:2em;align-items:center;background:#0b3d91;color:#fff;padding:.6em 1em}header a{color:#fff;margin-right:1em;white-space:nowrap}\
main{padding:1em;max-width:1100px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}\
td:nth-child(2),th:nth-child(2){text-align:left}.best{background:#e6f4ea}.worst{background:#fde7e9}.improved{background:#e3f2fd}.legend span{display:inline-block;padding:.1em .5em;margin-right:.3em}\
.grid{display:flex;gap:2em;flex-wrap:wrap}.grid>*{min-width:0;max-width:100%}.scroll{overflow-x:auto;max-width:100%}#hours th,#hours td{white-space:nowrap}\
.region{border:2px solid;padding:0 .3em;margin-right:.3em}\
svg{max-width:100%;height:auto}#progress td:first-child,#progress th:first-child{text-align:left}.panel{border:1px solid #ccc;padding:.2em .8em;min-width:15em}.panel h3{margin:.3em 0}.panel p{margin:.3em 0}.picker{margin:.6em 0}.picker label{margin-right:.6em}.downloads{font-size:.9em}\
body.screen{background:#0b1220;color:#e6edf3;height:100vh;overflow:hidden;font-size:19px}.screen header{justify-content:space-between;background:#10203f}\
.screen main{display:grid;grid-template-columns:680px 1fr 1fr;gap:1.5em;max-width:none;padding:.6em 1em}.screen h2{font-size:1.1em;margin:.4em 0}\
.screen table{font-size:.95em}.screen td,.screen th{border-color:#33415c;padding:.12em .5em}.screen #latest td:first-child,.screen #regions td:first-child{text-align:left}\
.screen ul,.screen ol{margin:.2em 0;padding-left:1.2em}.screen .trio{display:flex;gap:1.5em}.screen #map{width:100%;height:auto;max-height:760px}.screen .trio h3{font-size:.9em;margin:.2em 0}\
#tasks td,#tasks th,#items td,#items th{text-align:left;vertical-align:top}#tasks td.num,#items td.num{text-align:right}form.move .msg{display:block;color:#b00020}#tasks td:first-child{white-space:nowrap}form.report label{display:inline-block;margin:0 .4em .2em 0}form.report .msg{display:block;color:#b00020}\
.chart{position:relative;margin:.8em 0}.chart svg.plot{width:100%;max-width:960px;height:auto}.chart figcaption{font-weight:600;margin:.2em 0}.chart text{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif}\
.chart-tip{position:absolute;display:none;pointer-events:none;background:#fff;border:1px solid #888;padding:.15em .5em;font-size:.85em;white-space:nowrap;box-shadow:0 1px 3px rgba(0,0,0,.2)}\
.chart .hover rect.on{fill:rgba(0,0,0,.07)}.chart .hover .dot{fill:#0b3d91;display:none;pointer-events:none}.chart .hover .sel{fill:rgba(11,61,145,.18);display:none;pointer-events:none}.chart[data-link] .hover rect{cursor:pointer}.chart-legend{font-size:.9em}\
@media (max-width:600px){header{flex-wrap:wrap;gap:.4em;padding:.5em}header a{margin-right:.6em}main{padding:.6em}\
h1{font-size:1.4em}table{display:block;overflow-x:auto;max-width:100%}td,th{white-space:nowrap}}";

/// The ink on an AQI level's colour (WCAG 2.1 AA, issue 14 item 8): black on green, yellow, orange and
/// red (contrast 12.1, 19.6, 8.2 and 5.3), white on purple and maroon (8.5 and 11.0). White on red, as
/// the hours table once had it, is 4.0 — below the 4.5 normal text needs.
pub(crate) fn level_ink(c: AqiCategory) -> &'static str {
    if c.level() >= 5 {
        "#ffffff"
    } else {
        "#000000"
    }
}

/// One class per AQI level (`lv1` … `lv6`: the official colour, HJ 633 Table 2, with its ink
/// [`level_ink`]) and per region (`rg-CODE`: its outline colour), instead of inline styles.
pub(crate) fn level_classes() -> String {
    let mut css = String::new();
    for c in AqiCategory::ALL {
        let _ = write!(css, ".lv{}{{background:{};color:{}}}", c.level(), c.color().hex, level_ink(c));
    }
    for r in RegionId::ALL {
        let _ = write!(css, ".rg-{}{{border-color:{}}}", r.code(), region_stroke(r));
    }
    css
}

/// The latest hour with data among the scope's cities.
fn latest_hour(
    store: &dyn lantian_store::Store,
    scope: &assess::Scope,
) -> Result<Option<chrono::NaiveDateTime>, ApiError> {
    let mut latest = None;
    for c in &scope.cities {
        latest = latest.max(lantian_service::accountability::budget::latest_hour(store, c)?);
    }
    Ok(latest)
}

/// The period a page shows: the one asked for, else the latest month with complete data — every day of
/// it from the first day with data to the last complete natural day (an hour labelled 00:00 closes the
/// day before it) — and the sentence that says which; else, while no month is complete yet, the month
/// of the latest data, saying so (`None`: no data).
fn page_period(
    store: &dyn lantian_store::Store,
    scope: &assess::Scope,
    text: Option<&str>,
    lang: Lang,
) -> Result<Option<(Period, Option<String>)>, ApiError> {
    if let Some(p) = text {
        return Period::parse(p)
            .map(|p| Some((p, None)))
            .map_err(|e| ApiError::bad_request(format!("period {p:?}: {e}")));
    }
    match latest_hour(store, scope)? {
        None => Ok(None),
        Some(t) => default_period(store, t, lang),
    }
}

/// [`page_period`] when none was asked for and the latest hour with data (`t`) is known.
fn default_period(
    store: &dyn lantian_store::Store,
    t: chrono::NaiveDateTime,
    lang: Lang,
) -> Result<Option<(Period, Option<String>)>, ApiError> {
    let Some((first, _)) = store.station_date_range()? else { return Ok(None) };
    let month = |d: chrono::NaiveDate| {
        Period::parse(&d.format("%Y-%m").to_string()).map_err(|e| ApiError::internal(e.to_string()))
    };
    let last_day = (t - Duration::hours(1)).date();
    // The last natural day whose 24 hours are all past.
    let complete_to = if t.time() == chrono::NaiveTime::MIN { last_day } else { last_day - Duration::days(1) };
    let this = month(complete_to)?;
    let candidate = if this.end == complete_to { this } else { month(this.start - Duration::days(1))? };
    if candidate.start >= first && candidate.end <= complete_to {
        let note = match lang {
            Lang::Zh => format!("默认显示最近一个数据完整的月份：{}。", candidate.label_zh()),
            Lang::En => format!("Showing the latest month with complete data: {}.", candidate.label()),
        };
        return Ok(Some((candidate, Some(note))));
    }
    let partial = month(last_day)?;
    let note = match lang {
        Lang::Zh => {
            format!("尚无数据完整的月份，显示{}（数据至{}）。", partial.label_zh(), last_day.format("%Y年%-m月%-d日"))
        }
        Lang::En => format!(
            "No month has complete data yet: showing {} (data up to {}).",
            partial.label(),
            last_day.format("%Y-%m-%d")
        ),
    };
    Ok(Some((partial, Some(note))))
}

/// The points of a period under the shipped scheme, dust-excluded (as the scoring is published): the
/// points page and the dashboard's leaders.
fn default_points(
    store: &dyn lantian_store::Store,
    scope: &assess::Scope,
    period: &Period,
) -> Result<
    (lantian_core::accountability::points::PointsScheme, Vec<lantian_service::accountability::points::CityPoints>),
    ApiError,
> {
    let scheme = lantian_core::accountability::points::PointsScheme::default_scheme()
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let scored =
        lantian_service::accountability::points::points(store, scope, period, &scheme, ResultVariant::DustExcluded)?;
    Ok((scheme, scored))
}

/// A public page, computed once per state of the data it reads (the answers' cache of
/// ARCHITECTURE.md invariant 9, keyed by the page's path and query): the same page for every reader.
async fn cached_page(
    state: Arc<AppState>,
    uri: axum::http::Uri,
    f: impl FnOnce(&mut dyn lantian_store::Store) -> Result<Html<String>, ApiError> + Send + 'static,
) -> Result<Html<String>, ApiError> {
    let st = state.clone();
    let key = format!("page {uri}");
    let bytes = blocking(state, move |store| {
        crate::cache::cached_bytes(&st.cache, store, key, |store| f(store).map(|h| h.0.into()))
    })
    .await?;
    String::from_utf8(bytes.to_vec()).map(Html).map_err(|e| ApiError::internal(format!("a cached page: {e}")))
}

/// `GET /`: the province at a glance.
/// What the dashboard shows (`None`: no data yet): the overview page and the big screen.
fn overview_data(
    store: &mut dyn lantian_store::Store,
    lang: Lang,
    boundaries: Option<&crate::boundaries::Boundaries>,
) -> Result<Option<views::OverviewData>, ApiError> {
    let bounds = boundaries;
    let scope = assess::resolve_scope(store, None)?;
    let Some(latest) = latest_hour(store, &scope)? else {
        return Ok(None);
    };
    let day = (latest - Duration::hours(1)).date();
    let daily = lantian_service::air::aqi::cities_daily(store, &scope.cities, day - Duration::days(1), day)?;
    // The latest hour of each city (real-time AQI, the publisher's convention).
    let mut hours: std::collections::HashMap<i64, (chrono::NaiveDateTime, Option<u32>)> =
        std::collections::HashMap::new();
    lantian_service::for_each_city_hourly(
        store,
        &scope.cities,
        latest.date() - Duration::days(1),
        latest.date(),
        lantian_core::air::aqi::RealTimeConvention::Publisher,
        |r| {
            if r.result.aqi.is_some() {
                hours.insert(r.city.id, (r.time, r.result.aqi));
            }
        },
    )?;
    // The map.
    let (w, h, scale) = bounds.map_or((560.0, 560.0, 80.0), |b| (b.width, b.height.ceil(), 80.0));
    let (lon0, lat1) = (101.2, 33.0);
    let mut cities = Vec::new();
    for (city, days) in scope.cities.iter().zip(&daily) {
        let last = days.iter().rev().find(|v| v.result.aqi.is_some());
        let cat = last.and_then(|v| v.result.category());
        let code = city.code.unwrap_or(0);
        let Some((_, lon, lat)) = SEATS.iter().find(|s| s.0 == code) else { continue };
        let region = sichuan_city(&code.to_string()).map_or(RegionId::NorthwestSichuan, |c| c.region);
        let (x, y) = ((lon - lon0) * scale, (lat1 - lat) * scale);
        let r = 17.0;
        let hexagon: Vec<String> = (0..6)
            .map(|k| {
                let a = std::f64::consts::PI / 3.0 * f64::from(k) + std::f64::consts::PI / 6.0;
                format!("{:.1},{:.1}", x + r * a.cos(), y + r * a.sin())
            })
            .collect();
        cities.push(views::OverviewCity {
            code,
            name: city_name(lang, city),
            aqi: last.and_then(|v| v.result.aqi).map_or("—".to_string(), |a| a.to_string()),
            fill: cat.map_or("#dddddd", |c| c.color().hex),
            ink: cat.map_or("#000000", level_ink),
            stroke: region_stroke(region),
            // The real outline (choropleth), outlined in the region's colour.
            outline: bounds.and_then(|bd| bd.paths.iter().find(|(c, _)| *c == code)).map(|(_, d)| d.clone()),
            hexagon: hexagon.join(" "),
            // The label: at the seat of government, projected as the map is.
            x: format!("{:.1}", bounds.map_or(x, |b| b.project(*lon, *lat).0)),
            y: format!("{:.1}", bounds.map_or(y, |b| b.project(*lon, *lat).1) + 4.0),
            date: last.map_or(String::new(), |v| v.date.to_string()),
            category: cat.map_or("", |c| if lang == Lang::En { c.name_en() } else { c.name_zh() }),
            hour: hours.get(&city.id).map_or(String::new(), |(t, a)| {
                format!("{} {}", t.format("%H:00"), a.map_or("—".into(), |a| a.to_string()))
            }),
        });
    }
    // At risk (以时保天、以天保月、以月保年).
    let mut risk = Vec::new();
    for c in &scope.cities {
        if let Some(t) = lantian_service::accountability::budget::latest_hour(store, c)? {
            let bud = lantian_service::accountability::budget::city_budget(store, c, t)?;
            if bud.at_risk() {
                let mut kinds: Vec<String> = bud
                    .day
                    .iter()
                    .filter(|d| d.status.is_at_risk())
                    .map(|d| {
                        // The pollutant, its status and the budget that breaks, in words.
                        let status = lang.t(d.status.label_zh(), d.status.label_en());
                        let budget = lantian_service::accountability::budget::day_text(&d.budget);
                        let now = d.current.map_or(String::new(), |c| c.to_string());
                        match (budget.is_empty(), lang) {
                            (true, _) => format!("{} {status}", d.pollutant.label()),
                            (false, Lang::Zh) => {
                                format!("{} {status}（今日余下小时均值须≤{budget}，当前{now}）", d.pollutant.label())
                            }
                            (false, Lang::En) => format!(
                                "{} {status} (the rest of the day must average at most {budget}; now {now})",
                                d.pollutant.label()
                            ),
                        }
                    })
                    .collect();
                kinds.extend(
                    bud.alert_kinds()
                        .into_iter()
                        .filter(|k| *k != lantian_core::accountability::budget::AlertKind::DayAtRisk)
                        .map(|k| lang.t(k.label_zh(), k.label_en()).to_string()),
                );
                risk.push((city_name(lang, c), kinds.join(lang.t("；", "; "))));
            }
        }
    }
    // The dashboard (issue 14 item 5): annual targets against the year to date and last year's same
    // days, the joint-control regions, the alerts in force, the latest complete month.
    let at = assess::last_data_day(store)?.unwrap_or(day);
    let progress_rows = lantian_service::accountability::targets::target_progress(store, &scope.cities, at)?;
    let pm = |s: &lantian_core::air::period::PeriodStats| {
        s.stat(lantian_core::Pollutant::Pm2_5).value.map_or("—".to_string(), |v| v.to_string())
    };
    let rate =
        |s: &lantian_core::air::period::PeriodStats| s.good_day_ratio_tenths().map_or("—".to_string(), fmt_tenths);
    // The same rows as a chart: each city's PM2.5 so far (best first), its target and last year's same
    // days marked on its bar.
    let conc = |c: lantian_core::Conc| c.milli() as f64 / 1000.0;
    let mut charted: Vec<_> = progress_rows
        .iter()
        .filter_map(|p| p.year_to_date.stat(lantian_core::Pollutant::Pm2_5).value.map(|v| (p, v)))
        .collect();
    charted.sort_by_key(|(p, v)| (*v, p.city.code));
    let progress_chart = if charted.is_empty() {
        None
    } else {
        Some(crate::charts::bars(&crate::charts::BarChart {
            id: "progress-chart",
            title: lang
                .t("PM2.5 年初至今浓度与年度目标", "PM2.5 so far this year against the annual target")
                .to_string(),
            unit: "μg/m³",
            bars: charted
                .iter()
                .map(|(p, v)| crate::charts::Bar {
                    key: p.city.code.map_or_else(|| p.city.name.clone(), |c| c.to_string()),
                    label: city_name(lang, &p.city),
                    value: conc(*v),
                    exact: v.to_string(),
                    colour: if p.pm2_5_at_risk() == Some(true) { "#c62828" } else { "#5c7cba" },
                    marks: vec![
                        p.target.pm2_5.map(conc),
                        p.last_year.stat(lantian_core::Pollutant::Pm2_5).value.map(conc),
                    ],
                })
                .collect(),
            marks: vec![
                (lang.t("年度目标", "Annual target").to_string(), "#111111"),
                (lang.t("去年同期", "Same days last year").to_string(), "#ef6c00"),
            ],
            link: Some("/cities/"),
        })?)
    };
    let progress = progress_rows
        .iter()
        .map(|p| views::ProgressRow {
            city: city_name(lang, &p.city),
            pm: pm(&p.year_to_date),
            pm_target: p.target.pm2_5.map_or("—".into(), |v| v.to_string()),
            pm_last: pm(&p.last_year),
            pm_risk: p.pm2_5_at_risk() == Some(true),
            rate: rate(&p.year_to_date),
            rate_target: p.target.good_day_ratio_tenths.map_or("—".into(), fmt_tenths),
            rate_last: rate(&p.last_year),
            rate_risk: p.good_rate_at_risk() == Some(true),
        })
        .collect();
    let (ytd, before) = lantian_service::accountability::targets::year_to_date(at)
        .ok_or_else(|| ApiError::internal(format!("{at}: no year to date")))?;
    // Every city assessed once for each span; each region pools its members' statistics.
    let now_all = assess::assess_cities(store, &scope.cities, &ytd, ResultVariant::DustExcluded)?;
    let then_all = assess::assess_cities(store, &scope.cities, &before, ResultVariant::DustExcluded)?;
    let mut region_panels = Vec::new();
    for r in RegionId::ALL.into_iter().filter(|r| r.lead_city().is_some()) {
        let member = |c: &lantian_store::CityInfo| {
            c.code.and_then(|code| sichuan_city(&code.to_string())).is_some_and(|s| s.region == r)
        };
        let pick = |all: &[lantian_core::air::period::PeriodStats]| -> Vec<lantian_core::air::period::PeriodStats> {
            scope.cities.iter().zip(all).filter(|(c, _)| member(c)).map(|(_, s)| s.clone()).collect()
        };
        let now = lantian_core::air::period::pool_stats(&ytd, &pick(&now_all));
        let then = lantian_core::air::period::pool_stats(&before, &pick(&then_all));
        region_panels.push(views::RegionPanel {
            name: lang.t(r.name_zh(), r.name_en()),
            lead: r
                .lead_city()
                .and_then(|code| scope.cities.iter().find(|c| c.code == Some(code)))
                .map_or(String::new(), |c| city_name(lang, c)),
            pm: pm(&now),
            pm_last: pm(&then),
            rate: rate(&now),
            rate_last: rate(&then),
            members: scope
                .cities
                .iter()
                .filter(|c| member(c))
                .map(|c| city_name(lang, c))
                .collect::<Vec<_>>()
                .join(lang.t("、", ", ")),
        });
    }
    let alerts_now = match lantian_service::emergency::alerts::latest_decision(store)? {
        None => Vec::new(),
        Some(t) => lantian_service::emergency::alerts::status(store, t)?
            .iter()
            .map(|a| {
                let code: Option<u32> = a.scope.strip_prefix("city:").and_then(|c| c.parse().ok());
                (
                    name_of(lang, code, &a.city),
                    a.level.code(),
                    if lang == Lang::En { a.level.code() } else { a.level.name_zh() },
                )
            })
            .collect(),
    };
    // The latest hour is known already: the default period without looking for it again.
    let month = match default_period(store, latest, lang)? {
        None => None,
        Some((period, _)) => {
            let mut rows = assess::rank(store, &scope, &period, ResultVariant::DustExcluded)?;
            assess::order_rows(&mut rows, assess::RankOrder::Composite);
            let ranked: Vec<&assess::RankingRow> = rows.iter().filter(|r| r.rank.is_some()).collect();
            let show = |r: &&assess::RankingRow| {
                format!(
                    "{} {}",
                    city_name(lang, &r.city),
                    r.index.as_ref().map_or(String::new(), |i| fmt_hundredths(i.hundredths))
                )
            };
            let (_, scored) = default_points(store, &scope, &period)?;
            Some(views::MonthPanel {
                label: match lang {
                    Lang::Zh => format!("{}排名与积分", period.label_zh()),
                    Lang::En => format!("Ranking and points, {}", period.label()),
                },
                best: ranked.iter().take(3).map(show).collect(),
                worst: ranked.iter().rev().take(3).map(show).collect(),
                leaders: scored
                    .iter()
                    .take(3)
                    .map(|c| format!("{} {}", city_name(lang, &c.city), fmt_hundredths(c.result.total_hundredths)))
                    .collect(),
            })
        }
    };
    let data = views::OverviewData {
        progress_at: at.to_string(),
        progress,
        region_panels,
        alerts_now,
        month,
        latest: latest.format("%Y-%m-%d %H:00").to_string(),
        latest_from: (day - Duration::days(1)).to_string(),
        latest_day: day.to_string(),
        width: format!("{w}"),
        height: format!("{h}"),
        map_label: if bounds.is_some() {
            lang.t("各市州最新日AQI", "Latest daily AQI per city")
        } else {
            lang.t("各市州最新日AQI示意图", "Schematic map of the latest daily AQI per city")
        },
        cities,
        legend: level_legend(lang),
        progress_chart,
        regions: RegionId::ALL.iter().map(|r| (r.code(), lang.t(r.name_zh(), r.name_en()))).collect(),
        risk,
    };
    Ok(Some(data))
}

pub async fn overview(
    State(state): State<Arc<AppState>>,
    uri: axum::http::Uri,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, ApiError> {
    let lang = Lang::of(q.lang.as_deref());
    let st = state.clone();
    cached_page(state, uri, move |store| {
        let chrome = Chrome::new(lang, lang.t("全省空气质量概览", "Province overview"), "/");
        let data = overview_data(store, lang, st.boundaries.as_ref())?;
        views::render(&views::Overview { chrome, data })
    })
    .await
}

/// `GET /screen`: the dashboard for the command centre's big screen (1920×1080): dark, without
/// navigation or scrolling, refreshing itself every five minutes (issue 14 item 6).
pub async fn screen(
    State(state): State<Arc<AppState>>,
    uri: axum::http::Uri,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, ApiError> {
    let lang = Lang::of(q.lang.as_deref());
    let st = state.clone();
    cached_page(state, uri, move |store| {
        let chrome =
            Chrome::new(lang, lang.t("四川省大气污染防治指挥大屏", "Sichuan air-pollution command screen"), "/screen");
        let data = overview_data(store, lang, st.boundaries.as_ref())?;
        views::render(&views::Screen { chrome, data })
    })
    .await
}

/// `GET /ranking?period=`: the month's ranking (default: the latest month with data).
pub async fn ranking(
    State(state): State<Arc<AppState>>,
    uri: axum::http::Uri,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, ApiError> {
    let lang = Lang::of(q.lang.as_deref());
    let period_text = q.period.clone();
    let by = q.by.clone();
    cached_page(state, uri, move |store| {
        let scope = assess::resolve_scope(store, None)?;
        let Some((period, note)) = page_period(store, &scope, period_text.as_deref(), lang)? else {
            return views::render(&views::Empty { chrome: Chrome::new(lang, lang.t("排名", "Ranking"), "/ranking") });
        };
        let mut rows = assess::rank(store, &scope, &period, ResultVariant::DustExcluded)?;
        let by_change = by.as_deref() == Some("change");
        // Read as the ranking means: the best first (or the most improved first, by change).
        assess::order_rows(&mut rows, if by_change { assess::RankOrder::Change } else { assess::RankOrder::Composite });
        let ranked = rows.iter().filter(|r| r.rank.is_some()).count() as u32;
        let view_rows = rows
            .iter()
            .map(|r| views::RankingRow {
                class: match (by_change, r.rank, r.change_rank) {
                    (true, _, Some(k)) if k <= 3 && r.change_tenths.is_some_and(|c| c < 0) => "improved",
                    (false, Some(k), _) if k <= 3 => "best",
                    (false, Some(k), _) if ranked >= 6 && k + 3 > ranked => "worst",
                    _ => "",
                },
                rank: r.rank.map_or("—".into(), |k| k.to_string()),
                city: city_name(lang, &r.city),
                index: r.index.as_ref().map_or(String::new(), |i| fmt_hundredths(i.hundredths)),
                good: r.stats.good_day_ratio_tenths().map_or(String::new(), fmt_tenths),
                pm2_5: r.stats.stat(lantian_core::Pollutant::Pm2_5).value.map_or(String::new(), |v| v.to_string()),
                change: r.change_tenths.map_or(String::new(), fmt_tenths),
                change_rank: r.change_rank.map_or(String::new(), |k| k.to_string()),
            })
            .collect();
        // An index summing fewer than six pollutants (a source without them) says so.
        let mut notes: Vec<String> = Vec::new();
        for n in rows.iter().filter_map(|r| r.index.as_ref().and_then(|i| i.basis_note_zh())) {
            let text = if lang == Lang::En {
                "Note: the composite index lacks pollutants the data source does not carry; only indices of the same basis are ranked together.".to_string()
            } else {
                format!("注：{n}；只比较口径相同的综合指数。")
            };
            if !notes.contains(&text) {
                notes.push(text);
            }
        }
        // The composite index of the ranked cities as bars, best first (the best three green, the worst
        // three red, as in the table).
        let mut ranked_rows: Vec<_> = rows.iter().filter(|r| r.rank.is_some() && r.index.is_some()).collect();
        ranked_rows.sort_by_key(|r| (r.rank, r.city.code));
        let chart = if ranked_rows.is_empty() {
            None
        } else {
            Some(crate::charts::bars(&crate::charts::BarChart {
                id: "ranking-chart",
                title: lang.t("城市环境空气质量综合指数（越小越好）", "Composite air-quality index (lower is better)").to_string(),
                unit: "",
                bars: ranked_rows
                    .iter()
                    .filter_map(|r| {
                        let (i, k) = (r.index.as_ref()?, r.rank?);
                        Some(crate::charts::Bar {
                            key: r.city.code.map_or_else(|| r.city.name.clone(), |c| c.to_string()),
                            label: city_name(lang, &r.city),
                            value: i.hundredths as f64 / 100.0,
                            exact: fmt_hundredths(i.hundredths),
                            colour: if k <= 3 {
                                "#2e7d32"
                            } else if ranked >= 6 && k + 3 > ranked {
                                "#c62828"
                            } else {
                                "#5c7cba"
                            },
                            marks: Vec::new(),
                        })
                    })
                    .collect(),
                marks: Vec::new(),
                link: Some("/cities/"),
            })?)
        };
        let title = match lang {
            Lang::Zh => format!("{}城市排名", period.label_zh()),
            Lang::En => format!("City ranking, {}", period.label()),
        };
        views::render(&views::Ranking {
            chrome: Chrome::new(lang, &title, "/ranking"),
            note,
            month: period.end.format("%Y-%m").to_string(),
            year_start: period.end.format("%Y-01").to_string(),
            period: period.label(),
            by_change,
            rows: view_rows,
            chart,
            notes,
        })
    })
    .await
}

/// `GET /points?period=`: the 100-point scoreboard with each city's explanation (shipped scheme).
pub async fn points(
    State(state): State<Arc<AppState>>,
    uri: axum::http::Uri,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, ApiError> {
    let lang = Lang::of(q.lang.as_deref());
    let period_text = q.period.clone();
    cached_page(state, uri, move |store| {
        let scope = assess::resolve_scope(store, None)?;
        let Some((period, note)) = page_period(store, &scope, period_text.as_deref(), lang)? else {
            return views::render(&views::Empty { chrome: Chrome::new(lang, lang.t("积分", "Points"), "/points") });
        };
        let (scheme, scored) = default_points(store, &scope, &period)?;
        let cities: Vec<lantian_store::CityInfo> = scored.iter().map(|c| c.city.clone()).collect();
        let year = chrono::Datelike::year(&period.end);
        let missing = lantian_service::accountability::targets::missing_targets(store, &cities, year)?;
        let warning = lantian_service::accountability::targets::missing_targets_warning(
            year,
            &missing,
            scheme.missing_target == lantian_core::accountability::points::MissingTarget::NotAssessed,
        );
        let not_assessed = lang.t("不考核", "not assessed");
        let fmt = |assessed: bool, points, decimals| {
            if assessed {
                lantian_core::accountability::points::fmt_ratio(points, decimals)
            } else {
                not_assessed.to_string()
            }
        };
        let view_cities = scored
            .iter()
            .map(|c| views::PointsCity {
                rank: c.rank.map_or("—".into(), |k| k.to_string()),
                city: city_name(lang, &c.city),
                total: fmt_hundredths(c.result.total_hundredths),
                grade: match lang {
                    Lang::En => lantian_core::accountability::points::grade_name_en(&c.result.grade)
                        .map_or_else(|| c.result.grade.clone(), str::to_string),
                    Lang::Zh => c.result.grade.clone(),
                },
                points: c.result.factors.iter().map(|f| fmt(f.assessed, f.points, 2)).collect(),
                factors: c
                    .result
                    .factors
                    .iter()
                    .map(|f| views::FactorView {
                        code: f.code.to_string(),
                        name: match lang {
                            Lang::En => lantian_core::accountability::points::factor_name_en(f.code).to_string(),
                            Lang::Zh => f.name_zh.to_string(),
                        },
                        points: fmt(f.assessed, f.points, 4),
                        inputs: match lang {
                            Lang::Zh => f.inputs_zh.clone(),
                            Lang::En => f.inputs.clone(),
                        },
                        formula: match (lang, f.assessed) {
                            (Lang::Zh, _) => f.formula_zh.clone(),
                            (Lang::En, true) => f.formula.clone(),
                            (Lang::En, false) => lantian_core::accountability::points::NOT_ASSESSED_EN.to_string(),
                        },
                    })
                    .collect(),
                converted: match lang {
                    Lang::Zh => c.result.converted.clone(),
                    Lang::En => c.result.converted.as_ref().map(|t| {
                        t.replace("考核项 ", "assessed factors ")
                            .replace("：", ": ")
                            .replace("；加减分 ", "; adjustments ")
                            .replace("、", ", ")
                    }),
                },
            })
            .collect();
        let factor_headers = scheme
            .factor_codes()
            .iter()
            .map(|c| {
                if lang == Lang::En {
                    c.to_string()
                } else {
                    lantian_core::accountability::points::factor_header_zh(c).to_string()
                }
            })
            .collect();
        let title = match lang {
            Lang::Zh => format!("{}积分", period.label_zh()),
            Lang::En => format!("Points, {}", period.label()),
        };
        views::render(&views::Points {
            chrome: Chrome::new(lang, &title, "/points"),
            month: period.end.format("%Y-%m").to_string(),
            period: period.label(),
            note,
            warning,
            scheme: scheme.id.clone(),
            version: scheme.version.clone(),
            factor_headers,
            cities: view_cities,
        })
    })
    .await
}

/// Station page parameters.
#[derive(Deserialize)]
pub struct StationPageQuery {
    pub lang: Option<String>,
    pub city: Option<String>,
    pub date: Option<chrono::NaiveDate>,
    /// The station picker of a station page: `/stations?station=CODE` opens that station's page.
    pub station: Option<String>,
}

/// `GET /stations?city=`: the monitoring stations, each linked to its page.
pub async fn stations(
    State(state): State<Arc<AppState>>,
    uri: axum::http::Uri,
    Query(q): Query<StationPageQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let lang = Lang::of(q.lang.as_deref());
    // The station picker (a GET form, no script): to the station's page, the same date and language.
    if let Some(code) = q.station.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        let mut to = format!("/stations/{}", crate::access::percent_encoded(code));
        let mut sep = '?';
        if let Some(d) = q.date {
            to.push_str(&format!("{sep}date={d}"));
            sep = '&';
        }
        if lang == Lang::En {
            to.push_str(&format!("{sep}lang=en"));
        }
        return Ok(axum::response::Redirect::to(&to).into_response());
    }
    cached_page(state, uri, move |store| {
        let mut filter = lantian_store::StationFilter::default();
        let mut chosen = None;
        if let Some(name) = q.city.as_deref().filter(|n| !n.is_empty()) {
            let c = lantian_store::AirStore::resolve_city(store, name)?
                .ok_or_else(|| ApiError::bad_request(format!("unknown city {name:?}")))?;
            filter.city_ids.push(c.id);
            chosen = c.code;
        }
        let cities = lantian_store::AirStore::cities(store)?
            .iter()
            .filter(|c| c.province == "四川省")
            .filter_map(|c| c.code.map(|code| (code, city_name(lang, c), Some(code) == chosen)))
            .collect();
        let stations = lantian_store::AirStore::stations(store, &filter)?
            .into_iter()
            .map(|s| views::StationRow {
                code: s.code,
                name: s.name.unwrap_or_default(),
                city: s.city.as_ref().map(|c| city_name(lang, c)).unwrap_or_default(),
                control: s.is_control,
            })
            .collect();
        views::render(&views::Stations {
            chrome: Chrome::new(lang, lang.t("监测站点", "Monitoring stations"), "/stations"),
            cities,
            city: chosen,
            stations,
        })
    })
    .await
    .map(IntoResponse::into_response)
}

/// `GET /stations/{code}?date=`: a station's hours for a day (default: its latest day) with the
/// computed real-time AQI beside the publisher's; differences are marked.
pub async fn station(
    State(state): State<Arc<AppState>>,
    uri: axum::http::Uri,
    axum::extract::Path(code): axum::extract::Path<String>,
    Query(q): Query<StationPageQuery>,
) -> Result<Html<String>, ApiError> {
    let lang = Lang::of(q.lang.as_deref());
    cached_page(state, uri, move |store| {
        let all = lantian_store::AirStore::stations(store, &lantian_store::StationFilter::default())?;
        let st = all
            .into_iter()
            .find(|s| s.code.eq_ignore_ascii_case(&code))
            .ok_or_else(|| ApiError::not_found(format!("no station {code:?}")))?;
        let date = match q.date {
            Some(d) => crate::params::date("date", d)?,
            None => match st.city.as_ref() {
                Some(c) => lantian_service::accountability::budget::latest_hour(store, c)?
                    .map(|t| (t - Duration::hours(1)).date())
                    .unwrap_or_else(|| chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()),
                None => chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default(),
            },
        };
        let title = format!("{} {} — {date}", st.code, st.name.clone().unwrap_or_default());
        let mut hours = Vec::new();
        lantian_service::for_each_hourly(
            store,
            std::slice::from_ref(&st),
            date,
            date,
            lantian_core::air::aqi::RealTimeConvention::Publisher,
            |r| {
                let c = |p| r.conc(p).map_or(String::new(), |v: lantian_core::Conc| v.to_string());
                let cat = r.result.category();
                let indicators = |set: lantian_core::air::aqi::IndicatorSet| {
                    if lang == Lang::En {
                        set.iter().map(|i| i.pollutant().label()).collect::<Vec<_>>().join(", ")
                    } else {
                        set.labels_zh()
                    }
                };
                use lantian_core::Pollutant as P;
                hours.push(views::HourRow {
                    differs: r.published_aqi().is_some() && r.published_aqi() != r.result.aqi,
                    time: r.time.format("%H:%M").to_string(),
                    // The level's colour; white ink on the red, purple and maroon of levels 4–6.
                    level: cat.map(|c| c.level()),
                    aqi: r.result.aqi.map_or("—".into(), |a| a.to_string()),
                    published: r.published_aqi().map_or("—".into(), |a| a.to_string()),
                    category: cat.map_or("", |c| if lang == Lang::En { c.name_en() } else { c.name_zh() }).to_string(),
                    primary: indicators(r.result.primary),
                    published_primary: if r.release().is_some() {
                        indicators(r.published_primary())
                    } else {
                        "—".into()
                    },
                    missing: indicators(r.result.missing),
                    conc: [c(P::Pm2_5), c(P::Pm10), c(P::O3), c(P::No2), c(P::So2), c(P::Co)],
                });
            },
        )?;
        // The picker: the stations of the same city.
        let city_ids: Vec<i64> = st.city.iter().map(|c| c.id).collect();
        let siblings = if city_ids.is_empty() {
            vec![(st.code.clone(), st.name.clone().unwrap_or_default(), true)]
        } else {
            lantian_store::AirStore::stations(store, &lantian_store::StationFilter { city_ids, ..Default::default() })?
                .into_iter()
                .map(|s| {
                    let this = s.code == st.code;
                    (s.code, s.name.unwrap_or_default(), this)
                })
                .collect()
        };
        views::render(&views::Station {
            chrome: Chrome::new(lang, &title, "/stations"),
            siblings,
            code: st.code.clone(),
            date,
            previous: date - Duration::days(1),
            next: date + Duration::days(1),
            hours,
        })
    })
    .await
}

/// City page parameters.
#[derive(Deserialize)]
pub struct CityPageQuery {
    pub lang: Option<String>,
    pub year: Option<i32>,
    /// The charts' span (zoom), both within one year: that year's page.
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

/// `GET /cities/{city}?year=`: a calendar heat map of the city's daily AQI for a year (one square a day,
/// weeks as columns, coloured by level), the year's statistics and the current budgets.
pub async fn city(
    State(state): State<Arc<AppState>>,
    uri: axum::http::Uri,
    axum::extract::Path(name): axum::extract::Path<String>,
    Query(q): Query<CityPageQuery>,
) -> Result<Html<String>, ApiError> {
    use chrono::Datelike;
    let lang = Lang::of(q.lang.as_deref());
    cached_page(state, uri, move |store| {
        let city = lantian_store::AirStore::resolve_city(store, &name)?
            .ok_or_else(|| ApiError::not_found(format!("no city {name:?}")))?;
        let latest = lantian_service::accountability::budget::latest_hour(store, &city)?;
        let year = match (q.year, q.from) {
            (None, Some(f)) => crate::params::date("from", f)?.year(),
            (Some(y), _) => crate::params::year("year", y)?,
            (None, None) => latest.map(|t| (t - Duration::hours(1)).year()).unwrap_or(2022),
        };
        let (first, last) = (
            chrono::NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| ApiError::bad_request("year out of range"))?,
            chrono::NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(|| ApiError::bad_request("year out of range"))?,
        );
        let days = lantian_service::city_daily(store, &city, first, last)?;
        // The span of the charts: the year, or the part of it zoomed into (`from`, `to`).
        let (from, to) = (q.from.unwrap_or(first), q.to.unwrap_or(last));
        if from > to || from < first || to > last {
            return Err(ApiError::bad_request(format!(
                "from {from} and to {to}: the span of the charts must lie within {year}, from before to"
            )));
        }
        let cell = 13.0;
        let offset = i64::from(first.weekday().num_days_from_monday());
        let months = (1..=12u32)
            .filter_map(|m| chrono::NaiveDate::from_ymd_opt(year, m, 1))
            .map(|d| {
                let week = ((d - first).num_days() + offset) / 7;
                views::MonthLabel {
                    x: format!("{:.0}", 30.0 + week as f64 * cell),
                    label: match lang {
                        Lang::Zh => format!("{}月", d.month()),
                        Lang::En => crate::charts::MONTHS_EN[d.month0() as usize].to_string(),
                    },
                }
            })
            .collect();
        let cells = first
            .iter_days()
            .take_while(|d| *d <= last)
            .map(|d| {
                let k = (d - first).num_days() + offset;
                let v = days.iter().find(|x| x.date == d);
                views::DayCell {
                    date: d,
                    x: format!("{:.0}", 30.0 + (k / 7) as f64 * cell),
                    y: format!("{:.0}", 18.0 + (k % 7) as f64 * cell),
                    fill: v.and_then(|x| x.result.category()).map_or("#eeeeee", |c| c.color().hex),
                    aqi: v.and_then(|x| x.result.aqi).map_or("—".into(), |a| a.to_string()),
                }
            })
            .collect();
        let calendar = views::Calendar {
            width: format!("{}", 30.0 + 54.0 * cell),
            height: format!("{}", 20.0 + 7.0 * cell),
            cell: format!("{:.0}", cell - 1.0),
            months,
            days: cells,
        };
        // The year's statistics (the same numbers as `lantian assess`).
        let period = Period::parse(&year.to_string()).map_err(|e| ApiError::internal(e.to_string()))?;
        let stats = assess::assess_cities(store, std::slice::from_ref(&city), &period, ResultVariant::DustExcluded)?;
        let stats = stats.first().map(|s| {
            let v = |p| s.stat(p).value.map_or(String::new(), |v: lantian_core::Conc| v.to_string());
            [
                s.valid_days.to_string(),
                s.good_days.to_string(),
                s.good_day_ratio_tenths().map_or(String::new(), fmt_tenths),
                v(lantian_core::Pollutant::Pm2_5),
                v(lantian_core::Pollutant::Pm10),
                v(lantian_core::Pollutant::O3),
                s.heavy_days.to_string(),
            ]
        });
        // Budgets at the latest hour (以时保天、以天保月、以月保年).
        let budget = match latest {
            None => None,
            Some(t) => {
                let bud = lantian_service::accountability::budget::city_budget(store, &city, t)?;
                Some(views::BudgetView {
                    at: t.format("%Y-%m-%d %H:00").to_string(),
                    at_param: t.format("%Y-%m-%dT%H:%M").to_string(),
                    rows: bud
                        .day
                        .iter()
                        .map(|d| views::BudgetRow {
                            pollutant: d.pollutant.label(),
                            current: d.current.map_or(String::new(), |c| c.to_string()),
                            budget: lantian_service::accountability::budget::day_text(&d.budget),
                            status: lang.t(d.status.label_zh(), d.status.label_en()),
                        })
                        .collect(),
                    year: match lang {
                        Lang::Zh => lantian_service::accountability::budget::year_text(&bud.year),
                        Lang::En => lantian_service::accountability::budget::year_text_en(&bud.year),
                    },
                })
            }
        };
        let title = format!("{} {year}", city_name(lang, &city));
        views::render(&views::City {
            chrome: Chrome::new(lang, &title, "/"),
            key: city.code.map_or_else(|| city.display().to_string(), |c| c.to_string()),
            year,
            previous: year - 1,
            next: year + 1,
            calendar,
            series: city_series(lang, from, to, &days)?,
            zoom: (from, to) != (first, last),
            legend: level_legend(lang),
            from,
            to,
            stats,
            budget,
        })
    })
    .await
}

/// The six AQI levels with their names, for a legend in the levels' colours (classes `lv1` … `lv6`).
pub(crate) fn level_legend(lang: Lang) -> Vec<(u8, &'static str)> {
    AqiCategory::ALL.iter().map(|c| (c.level(), if lang == Lang::En { c.name_en() } else { c.name_zh() })).collect()
}

/// One daily series of the city page, drawn over the level bands of its breakpoint column in force on
/// the first day shown (HJ 633 Table 1, chosen by the date of the data).
struct SeriesSpec {
    id: &'static str,
    title_zh: &'static str,
    title_en: &'static str,
    label: &'static str,
    colour: &'static str,
    indicator: lantian_core::air::pollutant::Indicator,
    get: fn(&lantian_core::DailyInput) -> Option<lantian_core::Conc>,
}

/// The series drawn on the city page: PM2.5, PM10, O3 MDA8 and NO2, each on its own breakpoints, from
/// `from` to `to` (the year, or the span zoomed into).
fn city_series(
    lang: Lang,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    days: &[lantian_service::CityDailyValue],
) -> Result<Vec<views::ChartView>, ApiError> {
    use lantian_core::air::pollutant::Indicator;
    let specs = [
        SeriesSpec {
            id: "series",
            title_zh: "PM2.5 日均浓度与级别",
            title_en: "Daily PM2.5 and the AQI levels",
            label: "PM2.5",
            colour: "#1f3a93",
            indicator: Indicator::Pm2_5_24h,
            get: |v| v.pm2_5,
        },
        SeriesSpec {
            id: "series-pm10",
            title_zh: "PM10 日均浓度与级别",
            title_en: "Daily PM10 and the AQI levels",
            label: "PM10",
            colour: "#5b3a29",
            indicator: Indicator::Pm10_24h,
            get: |v| v.pm10,
        },
        SeriesSpec {
            id: "series-o3",
            title_zh: "O3 日最大8小时平均与级别",
            title_en: "Daily O3 MDA8 and the AQI levels",
            label: "O3",
            colour: "#6a1b9a",
            indicator: Indicator::O3_8h,
            get: |v| v.o3_mda8,
        },
        SeriesSpec {
            id: "series-no2",
            title_zh: "NO2 日均浓度与级别",
            title_en: "Daily NO2 and the AQI levels",
            label: "NO2",
            colour: "#b71c1c",
            indicator: Indicator::No2_24h,
            get: |v| v.no2,
        },
    ];
    specs.iter().map(|spec| series(lang, from, to, days, spec)).collect()
}

fn series(
    lang: Lang,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    days: &[lantian_service::CityDailyValue],
    spec: &SeriesSpec,
) -> Result<views::ChartView, ApiError> {
    let column = lantian_core::air::standards::StandardSet::for_date(from).aqi_rules().column(spec.indicator);
    let value = |c: lantian_core::Conc| c.milli() as f64 / 1000.0;
    let bounds: Vec<f64> = column.0.iter().map(|c| value(*c)).collect();
    let bands = bounds
        .windows(2)
        .enumerate()
        .map(|(k, pair)| (pair[0], pair[1], AqiCategory::ALL[k.min(5)].color().hex))
        .collect();
    let points = days
        .iter()
        .filter(|d| d.date >= from && d.date <= to)
        .filter_map(|d| (spec.get)(&d.values).map(|c| (d.date, value(c), c.to_string())))
        .collect();
    crate::charts::daily(
        lang,
        &crate::charts::DailyChart {
            id: spec.id,
            title: lang.t(spec.title_zh, spec.title_en).to_string(),
            unit: "μg/m³",
            from,
            to,
            bands,
            // At least up to the level-3 boundary, so that the bands read the same from city to city.
            floor: bounds.get(3).copied().unwrap_or(150.0),
            lines: vec![crate::charts::DailyLine { label: spec.label.to_string(), colour: spec.colour, points }],
        },
    )
}

/// `GET /login`: the sign-in form (posts to `/api/v1/session`).
pub async fn login(Query(q): Query<PageQuery>) -> Result<Html<String>, ApiError> {
    let lang = Lang::of(q.lang.as_deref());
    views::render(&views::Login { chrome: Chrome::new(lang, lang.t("登录", "Sign in"), "/login") })
}

/// The sign-in form's script (`/assets/login.js`).
pub(crate) const LOGIN_JS: &str =
    "document.getElementById('login').addEventListener('submit',async e=>{e.preventDefault();\
const f=e.target;const r=await fetch('/api/v1/session',{method:'POST',headers:{'Content-Type':'application/json'},\
body:JSON.stringify({name:f.name.value,password:f.password.value})});\
if(r.ok){const n=new URLSearchParams(location.search).get('next');\
location.href=(n&&n.startsWith('/')&&!n.startsWith('//')&&!n.startsWith('/\\\\'))?n:'/upload'+location.search}else{const j=await r.json();\
const d=f.dataset;document.getElementById('msg').textContent=r.status===401?d.wrong:r.status===429?d.throttled:d.failed+j.error.message}});";

/// `GET /upload`: upload data files as the signed-in account (posts to `/api/v1/uploads` with the
/// session's CSRF token).
pub async fn upload(
    State(state): State<Arc<AppState>>,
    headers: axum::http::HeaderMap,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, ApiError> {
    let lang = Lang::of(q.lang.as_deref());
    views::render(&views::Upload {
        chrome: Chrome::new(lang, lang.t("上传数据", "Upload data"), "/upload"),
        signed_in: crate::session::signed_in(&state, &headers),
    })
}

/// The big screen's script (`/assets/screen.js`): reloads the page every five minutes (the page is cached
/// until the data change, so a reload costs a cached answer).
pub(crate) const SCREEN_JS: &str = "setTimeout(()=>location.reload(),300000);";

/// The upload form's script (`/assets/upload.js`).
pub(crate) const UPLOAD_JS: &str = "document.getElementById('upload').addEventListener('submit',async e=>{e.preventDefault();\
const f=e.target;const out=document.getElementById('report');out.textContent='';\
for(const file of f.file.files){const r=await fetch('/api/v1/uploads?name='+encodeURIComponent(file.name),\
{method:'POST',headers:{'X-CSRF-Token':f.dataset.csrf},body:file});const j=await r.json();\
const d=f.dataset;out.textContent+=file.name+': '+(r.ok?(d.zh?j.kind_zh:j.kind)+', '+j.rows+' '+d.rows+', '+j.inserted+' '+d.inserted+', '+j.updated+' '+d.updated+', '+j.unchanged+' '+d.unchanged\
:'✗ '+d.failed+j.error.message)+'\\n'}});";

/// WCAG 2.1 contrast ratio of two `#rrggbb` colours (tests and the contrast check of the styles).
#[cfg(test)]
pub(crate) fn contrast(a: &str, b: &str) -> f64 {
    fn luminance(hex: &str) -> f64 {
        let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
        let ch = |shift: u32| {
            let c = f64::from((v >> shift) & 0xff) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(16) + 0.7152 * ch(8) + 0.0722 * ch(0)
    }
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text on every level colour and on every alert colour meets WCAG 2.1 AA for normal text (4.5:1).
    #[test]
    fn text_on_the_level_and_alert_colours_is_readable() {
        for c in AqiCategory::ALL {
            let r = contrast(c.color().hex, level_ink(c));
            assert!(r >= 4.5, "level {}: {} on {} is {r:.2}", c.level(), level_ink(c), c.color().hex);
        }
        for l in lantian_core::emergency::AlertLevel::ALL {
            let (bg, fg) = crate::alert_pages::colour(l);
            let r = contrast(bg, fg);
            assert!(r >= 4.5, "alert {}: {fg} on {bg} is {r:.2}", l.code());
        }
        assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
        assert!(contrast("#ffffff", "#ff0000") < 4.5, "white on red is what the hours table had");
    }
}
