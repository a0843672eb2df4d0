//! The pages as templates (issue 14 item 2): each page is a struct of the values it shows — text, already
//! formatted by the core's functions — and an Askama template under `templates/`, checked when the crate
//! compiles and HTML-escaped by default (every `{{ … }}` of text; `|urlencode` inside a URL). No page
//! builds HTML by string formatting; every page extends `templates/base.html`.

use askama::Template;
use axum::response::Html;

use crate::pages::Lang;
use crate::ApiError;

/// What every page shows around its body: the language, the title and the way to the other language.
pub struct Chrome {
    pub lang: Lang,
    pub title: String,
    /// The same page in the other language.
    pub other: String,
    /// `?lang=en` on English pages (appended to the links of the navigation), else nothing.
    pub q: &'static str,
}

impl Chrome {
    /// The chrome of the page at `path` (with its query, if any).
    pub fn new(lang: Lang, title: &str, path: &str) -> Chrome {
        let other = if lang == Lang::En {
            path.to_string()
        } else {
            format!("{path}{}lang=en", if path.contains('?') { "&" } else { "?" })
        };
        Chrome { lang, title: title.to_string(), other, q: if lang == Lang::En { "?lang=en" } else { "" } }
    }

    /// The Chinese or the English text.
    pub fn t(&self, zh: &'static str, en: &'static str) -> &'static str {
        self.lang.t(zh, en)
    }

    /// `&lang=en` on English pages (appended to a link that has a query already), else nothing.
    pub fn amp(&self) -> &'static str {
        if self.lang == Lang::En {
            "&lang=en"
        } else {
            ""
        }
    }

    pub fn html_lang(&self) -> &'static str {
        if self.lang == Lang::En {
            "en"
        } else {
            "zh-CN"
        }
    }

    /// Whether the page is in English (forms carry `lang=en` on).
    pub fn lang_en(&self) -> bool {
        self.lang == Lang::En
    }

    /// The label of the link to the other language.
    pub fn switch(&self) -> &'static str {
        if self.lang == Lang::En {
            "中文"
        } else {
            "English"
        }
    }
}

/// Renders a page.
pub fn render(page: &impl Template) -> Result<Html<String>, ApiError> {
    page.render().map(Html).map_err(|e| ApiError::internal(format!("rendering the page: {e}")))
}

/// A page of a period with no data yet.
#[derive(Template)]
#[template(path = "empty.html")]
pub struct Empty {
    pub chrome: Chrome,
}

/// `GET /login`.
#[derive(Template)]
#[template(path = "login.html")]
pub struct Login {
    pub chrome: Chrome,
}

/// `GET /upload`.
#[derive(Template)]
#[template(path = "upload.html")]
pub struct Upload {
    pub chrome: Chrome,
    /// The account's name and its session's CSRF token, when signed in.
    pub signed_in: Option<(String, String)>,
}

/// One row of `GET /stations`.
pub struct StationRow {
    pub code: String,
    pub name: String,
    pub city: String,
    pub control: bool,
}

/// `GET /stations`.
#[derive(Template)]
#[template(path = "stations.html")]
pub struct Stations {
    pub chrome: Chrome,
    /// `(code, name, selected)` of the cities of the picker.
    pub cities: Vec<(u32, String, bool)>,
    /// The city chosen (its code), for the downloads.
    pub city: Option<u32>,
    pub stations: Vec<StationRow>,
}

/// One row of `GET /ranking`.
pub struct RankingRow {
    /// `best`, `worst`, `improved` or nothing.
    pub class: &'static str,
    pub rank: String,
    pub city: String,
    pub index: String,
    pub good: String,
    pub pm2_5: String,
    pub change: String,
    pub change_rank: String,
}

/// `GET /ranking`.
#[derive(Template)]
#[template(path = "ranking.html")]
pub struct Ranking {
    pub chrome: Chrome,
    /// Which period the page chose, when none was asked for.
    pub note: Option<String>,
    /// `YYYY-MM` of the period's end, and `YYYY-01` of its year (the switches).
    pub month: String,
    pub year_start: String,
    /// The period's label (`Period::label`).
    pub period: String,
    /// Ordered by change.
    pub by_change: bool,
    pub rows: Vec<RankingRow>,
    /// The composite indices as bars, best first.
    pub chart: Option<ChartView>,
    /// Notes on the basis of the composite indices.
    pub notes: Vec<String>,
}

/// One factor of a city's points, explained.
pub struct FactorView {
    pub code: String,
    pub name: String,
    pub points: String,
    pub inputs: String,
    pub formula: String,
}

/// One city of `GET /points`.
pub struct PointsCity {
    pub rank: String,
    pub city: String,
    pub total: String,
    pub grade: String,
    /// The points of each factor, in the order of the headers.
    pub points: Vec<String>,
    pub factors: Vec<FactorView>,
    pub converted: Option<String>,
}

/// `GET /points`.
#[derive(Template)]
#[template(path = "points.html")]
pub struct Points {
    pub chrome: Chrome,
    /// `YYYY-MM` of the period's end (the picker) and the period's label (the downloads).
    pub month: String,
    pub period: String,
    pub note: Option<String>,
    pub warning: Option<String>,
    pub scheme: String,
    pub version: String,
    pub factor_headers: Vec<String>,
    pub cities: Vec<PointsCity>,
}

/// The error page of a page route (issue 14 item 9): the status, what it means, the message of the
/// error, and a way back.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub status: u16,
    pub reason: &'static str,
    pub message: String,
    /// Whether signing in may help (401, 403).
    pub signin: bool,
}

/// One hour of `GET /stations/{code}`.
pub struct HourRow {
    /// The computed AQI differs from the published one.
    pub differs: bool,
    pub time: String,
    /// The AQI level (its colour class `lvN`).
    pub level: Option<u8>,
    pub aqi: String,
    pub published: String,
    pub category: String,
    pub primary: String,
    pub published_primary: String,
    pub missing: String,
    /// PM2.5, PM10, O3, NO2, SO2, CO.
    pub conc: [String; 6],
}

/// `GET /stations/{code}?date=`.
#[derive(Template)]
#[template(path = "station.html")]
pub struct Station {
    pub chrome: Chrome,
    /// The station picker: `(code, name, this one)` of the stations of the same city.
    pub siblings: Vec<(String, String, bool)>,
    pub code: String,
    pub date: chrono::NaiveDate,
    pub previous: chrono::NaiveDate,
    pub next: chrono::NaiveDate,
    pub hours: Vec<HourRow>,
}

/// A month's label over the calendar.
pub struct MonthLabel {
    pub x: String,
    pub label: String,
}

/// One day of the calendar.
pub struct DayCell {
    pub date: chrono::NaiveDate,
    pub x: String,
    pub y: String,
    /// The level's official colour (HJ 633 Table 2), grey without a value.
    pub fill: &'static str,
    pub aqi: String,
}

/// The calendar of daily AQI of a year.
pub struct Calendar {
    pub width: String,
    pub height: String,
    pub cell: String,
    pub months: Vec<MonthLabel>,
    pub days: Vec<DayCell>,
}

/// One pollutant's budget of the day.
pub struct BudgetRow {
    pub pollutant: &'static str,
    pub current: String,
    pub budget: String,
    pub status: &'static str,
}

/// The budgets at the latest hour.
pub struct BudgetView {
    /// The same time as the API's `at` (`YYYY-MM-DDTHH:MM`).
    pub at_param: String,
    pub at: String,
    pub rows: Vec<BudgetRow>,
    pub year: String,
}

/// `GET /cities/{name}?year=`.
#[derive(Template)]
#[template(path = "city.html")]
pub struct City {
    pub chrome: Chrome,
    /// The city as the API names it (its code, else its name).
    pub key: String,
    pub year: i32,
    pub previous: i32,
    pub next: i32,
    pub calendar: Calendar,
    pub series: Vec<ChartView>,
    /// Whether the charts show a part of the year (`from`, `to`), not all of it.
    pub zoom: bool,
    /// The AQI levels in their colours (the bands of the charts).
    pub legend: Vec<(u8, &'static str)>,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    /// Valid days, good days, good-day ratio, PM2.5, PM10, O3, heavy days.
    pub stats: Option<[String; 7]>,
    pub budget: Option<BudgetView>,
}

/// One city of the overview: on the map and in the table.
pub struct OverviewCity {
    pub code: u32,
    pub name: String,
    pub aqi: String,
    pub fill: &'static str,
    /// The label's ink on `fill` ([`crate::pages::level_ink`]).
    pub ink: &'static str,
    /// Its region's outline colour.
    pub stroke: &'static str,
    /// The real outline (an SVG path) when boundaries were supplied, else the schematic hexagon.
    pub outline: Option<String>,
    pub hexagon: String,
    pub x: String,
    pub y: String,
    /// The day of the latest daily value.
    pub date: String,
    pub category: &'static str,
    /// `HH:00 AQI` of the latest hour.
    pub hour: String,
}

/// What the overview shows when there are data.
pub struct OverviewData {
    pub latest: String,
    /// The two days the latest daily values come from (their download).
    pub latest_from: String,
    pub latest_day: String,
    pub width: String,
    pub height: String,
    pub map_label: &'static str,
    pub cities: Vec<OverviewCity>,
    /// `(level, name)` of the six levels.
    pub legend: Vec<(u8, &'static str)>,
    /// `(code, name)` of the regions.
    pub regions: Vec<(&'static str, &'static str)>,
    /// `(city, what is at risk)`.
    pub risk: Vec<(String, String)>,
    /// The day the targets' year to date ends.
    pub progress_at: String,
    pub progress: Vec<ProgressRow>,
    /// The PM2.5 so far against the targets, as bars.
    pub progress_chart: Option<ChartView>,
    pub region_panels: Vec<RegionPanel>,
    /// `(city, level code, level name)` of the alerts in force.
    pub alerts_now: Vec<(String, &'static str, &'static str)>,
    pub month: Option<MonthPanel>,
}

/// A city's annual targets against the year to date and the same days last year.
pub struct ProgressRow {
    pub city: String,
    pub pm: String,
    pub pm_target: String,
    pub pm_last: String,
    pub pm_risk: bool,
    pub rate: String,
    pub rate_target: String,
    pub rate_last: String,
    pub rate_risk: bool,
}

/// A joint-control region, year to date.
pub struct RegionPanel {
    pub name: &'static str,
    pub lead: String,
    pub pm: String,
    pub pm_last: String,
    pub rate: String,
    pub rate_last: String,
    pub members: String,
}

/// The latest complete month: its best and worst three and the points leaders.
pub struct MonthPanel {
    pub label: String,
    pub best: Vec<String>,
    pub worst: Vec<String>,
    pub leaders: Vec<String>,
}

/// `GET /`.
#[derive(Template)]
#[template(path = "overview.html")]
pub struct Overview {
    pub chrome: Chrome,
    pub data: Option<OverviewData>,
}

/// One level step of an active alert: when each level's measures take effect.
pub struct LevelStep {
    pub code: &'static str,
    pub name: &'static str,
    pub from: String,
    pub suffix: &'static str,
    /// "(not yet)" when the step lies after the time shown.
    pub pending: &'static str,
}

/// The link to a city's control list at a level.
pub struct ListLink {
    pub city: String,
    pub level: &'static str,
}

/// One active alert.
pub struct ActiveAlert {
    pub city: String,
    /// `(code, name)` of the level.
    pub level: Option<(&'static str, &'static str)>,
    pub response: &'static str,
    pub started: String,
    pub in_effect: Option<(&'static str, &'static str)>,
    pub steps: Vec<LevelStep>,
    /// Who decided (`—` for an alert of another city than the reader's).
    pub actor: String,
    pub list: Option<ListLink>,
}

/// The alerts in force at a time.
pub struct AlertStatus {
    pub at: String,
    /// The same time as the API's `at` (`YYYY-MM-DDTHH:MM`).
    pub at_param: String,
    pub rows: Vec<ActiveAlert>,
    /// When raised levels take effect under the rules in force, with their source.
    pub raising: Option<String>,
}

/// One city of a forecast evaluation.
pub struct EvaluatedCity {
    pub city: String,
    pub level: Option<(&'static str, &'static str)>,
    pub start: String,
    pub end: String,
    pub triggers: String,
}

/// One regional alert of a forecast evaluation.
pub struct RegionalView {
    pub level_code: &'static str,
    pub level_name: &'static str,
    pub scope: String,
    pub start: String,
    pub end: String,
    pub members: String,
}

/// The latest forecast evaluation.
pub struct EvaluationView {
    /// The same time as the API's `at` (`YYYY-MM-DDTHH:MM`).
    pub at_param: String,
    pub at: String,
    pub rule_set: String,
    pub rule_document: String,
    pub cities: Vec<EvaluatedCity>,
    pub regional: Vec<RegionalView>,
}

/// `GET /alerts`.
#[derive(Template)]
#[template(path = "alerts.html")]
pub struct Alerts {
    pub chrome: Chrome,
    /// `None`: the alert log is empty.
    pub status: Option<AlertStatus>,
    pub show_actor: bool,
    pub show_list: bool,
    /// `None`: not for this reader; `Some(None)`: no forecasts yet.
    pub evaluation: Option<Option<EvaluationView>>,
    /// The decision form, for a reader who may record decisions.
    pub form: Option<DecisionForm>,
}

/// The form that records an alert decision (`POST /api/v1/alerts/decisions`).
pub struct DecisionForm {
    pub csrf: String,
    /// `(code, name)` of the cities the reader decides for.
    pub cities: Vec<(u32, String)>,
    /// The time proposed (`YYYY-MM-DDTHH:MM`).
    pub at: String,
    /// `(code, name)` of the levels.
    pub levels: Vec<(&'static str, &'static str)>,
}

/// One pollutant of a control list's adequacy.
pub struct AdequacyRow {
    pub pollutant: &'static str,
    pub total: String,
    pub basis: String,
    pub ratio: String,
    /// `best` (pass) or `worst` (fail).
    pub class: &'static str,
    pub result: &'static str,
}

/// A control list's adequacy against the city's inventory.
pub struct AdequacyView {
    pub year: i32,
    pub source: String,
    pub targets: String,
    pub rows: Vec<AdequacyRow>,
}

/// `GET /alerts/control-list`.
#[derive(Template)]
#[template(path = "control_list.html")]
pub struct ControlList {
    pub chrome: Chrome,
    pub picker: ListPicker,
    /// The list shown, for its downloads: the city (its code or name), the level's code, the year.
    pub city: String,
    pub level: &'static str,
    pub year: i32,
    /// Enterprise, industry, grade, measures, plan, SO2, NOx, PM, VOCs.
    pub rows: Vec<[String; 9]>,
    pub adequacy: Option<AdequacyView>,
    pub flags: Vec<String>,
}

/// The picker of a control list: the cities the reader may read, the levels, the year.
pub struct ListPicker {
    /// `(code, name, selected)`.
    pub cities: Vec<(u32, String, bool)>,
    /// `(code, name, selected)`.
    pub levels: Vec<(&'static str, &'static str, bool)>,
    pub year: i32,
}

/// `GET /screen`: the big screen of the command centre.
#[derive(Template)]
#[template(path = "screen.html")]
pub struct Screen {
    pub chrome: Chrome,
    pub data: Option<OverviewData>,
}

/// A chart drawn by [`crate::charts`]: plotters' SVG and the hover layer over it.
pub struct ChartView {
    pub id: &'static str,
    pub title: String,
    pub width: u32,
    pub height: u32,
    /// The SVG drawn by plotters (its texts escaped by it).
    pub svg: String,
    pub cells: Vec<HoverCell>,
    /// The marks' names and colours (bar charts).
    pub legend: Vec<LegendEntry>,
    /// Where a cell leads: this prefix and the cell's key (e.g. `/cities/` and a city code).
    pub link: Option<&'static str>,
}

/// One cell of a chart's hover layer: a day or a bar, with the exact value the API gives.
pub struct HoverCell {
    pub x: i32,
    pub y: i32,
    pub width: i32,
    pub height: i32,
    /// The height of the value's point (the tooltip's dot).
    pub point_y: i32,
    /// The day (`YYYY-MM-DD`) or the category (a city code).
    pub key: String,
    pub value: String,
    pub text: String,
}

/// A named colour of a chart's legend.
pub struct LegendEntry {
    pub name: String,
    pub colour: &'static str,
}

/// `/tasks`: the target tasks the reader reads, with a progress form where the reader may report.
#[derive(Template)]
#[template(path = "tasks.html")]
pub struct Tasks {
    pub chrome: Chrome,
    /// The date the progress is computed at (the last day with data).
    pub at: String,
    /// The report form's default date.
    pub today: String,
    /// The session's CSRF token when some task is the reader's to report.
    pub csrf: Option<String>,
    pub rows: Vec<TaskRow>,
}

/// One target task and its progress.
pub struct TaskRow {
    pub code: String,
    pub city: String,
    pub department: String,
    pub description: String,
    pub target: String,
    pub latest: String,
    pub completion: String,
    pub elapsed: String,
    pub status: &'static str,
    /// Behind schedule, overdue or unreported.
    pub attention: bool,
    pub deadline: String,
    /// The reader reports this task's progress.
    pub writable: bool,
}

/// `/work`: the work inbox of the reader's organisation.
#[derive(Template)]
#[template(path = "work.html")]
pub struct Work {
    pub chrome: Chrome,
    /// The reader's organisation (`None`: a viewer, or nobody signed in with one).
    pub org: Option<String>,
    /// Finished items shown too.
    pub all: bool,
    /// The session's CSRF token, when the reader acts on items.
    pub csrf: Option<String>,
    /// `(code, name)` of the kinds of item (the issue form).
    pub kinds: Vec<(&'static str, &'static str)>,
    pub items: Vec<WorkRow>,
}

/// One item of the inbox.
pub struct WorkRow {
    pub id: i64,
    pub kind: &'static str,
    pub title: String,
    pub issuer: String,
    pub assignee: String,
    pub state: &'static str,
    pub due: String,
    pub overdue: bool,
    pub escalation: &'static str,
    pub returns: u32,
    /// `(code, words)` of the moves the reader may make.
    pub moves: Vec<(&'static str, &'static str)>,
}

/// `/work/items/{id}`: one work item and its history.
#[derive(Template)]
#[template(path = "work_item.html")]
pub struct WorkItemPage {
    pub chrome: Chrome,
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub issuer: String,
    pub assignee: String,
    pub state: &'static str,
    pub issued: String,
    pub sign_due: String,
    pub feedback_due: String,
    pub overdue: bool,
    pub escalation: &'static str,
    pub returns: u32,
    pub parent: Option<i64>,
    /// `(id, assignee, state)` of the delegated items.
    pub children: Vec<(i64, String, &'static str)>,
    pub history: Vec<MoveRow>,
    pub csrf: Option<String>,
    pub moves: Vec<(&'static str, &'static str)>,
}

/// One move of an item's history.
pub struct MoveRow {
    pub at: String,
    pub actor: String,
    pub from: &'static str,
    pub to: &'static str,
    pub comment: String,
    /// Evidence references (`blake3:…`).
    pub evidence: Vec<String>,
}
