//! Emergency control lists (应急管控清单), their adequacy and one-size-fits-all checks, compliance
//! during a response and the pairing duty — the one code path behind `lantian control-list`,
//! `lantian compliance` and the reports (`emergency.md` §4–§6, `management.md` §4).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use lantian_core::emergency::compliance::{
    check_compliance, ComplianceConfig, ComplianceReport, Reading, SeriesKind, Window,
};
use lantian_core::emergency::control::{
    check_adequacy, one_size_flags, Action, AdequacyReport, ControlLevel, ControlListEntry, EmissionInventory,
    Emissions, MeasureTemplates, NonIndustrialMeasure, OneSizeFlag, PlanIssue, PlanMeasure, PlantPlan, ProductionLine,
    ReductionPollutant, ReductionTargets, SeasonBasis,
};
use lantian_core::enterprises::credit_code::CreditCode;
use lantian_core::enterprises::enterprise::{IndustryTable, PerformanceGrade};
use lantian_core::work::pairing::{
    response_leader_ok, LeaderRank, LeaderReport, PairingTable, PairingVisit, ResponseWindow,
};
use lantian_store::emergency::{StoredEnterprise, StoredMeasure};
use lantian_store::{CityInfo, Store};
use serde::Serialize;

use crate::{Result, ServiceError};

fn rules_err(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Request(format!("rule table: {e}"))
}

/// Parses a control level (`yellow`/`黄色`/…; blue has no control list).
pub fn parse_level(text: &str) -> Result<ControlLevel> {
    match lantian_ingest::emergency::level_code(text) {
        Some("yellow") => Ok(ControlLevel::Yellow),
        Some("orange") => Ok(ControlLevel::Orange),
        Some("red") => Ok(ControlLevel::Red),
        _ => Err(ServiceError::Request(format!("not a control level (yellow, orange, red): {text:?}"))),
    }
}

/// A stored measure as an action.
fn action_of(m: &StoredMeasure) -> Result<Action> {
    let bad = || {
        ServiceError::Request(format!("stored measure of {} {} {} is not an action", m.credit_code, m.level, m.line))
    };
    Ok(match m.action.as_str() {
        "autonomous" => Action::Autonomous,
        "stop" => Action::Stop,
        "limit" => Action::LimitLoad { pct: m.param.and_then(|p| u8::try_from(p).ok()).ok_or_else(bad)? },
        "shift" => Action::Shift { hours: m.param.and_then(|p| u8::try_from(p).ok()).ok_or_else(bad)? },
        "stop_process" => Action::StopProcess { name: m.process.clone() },
        _ => return Err(bad()),
    })
}

fn emissions(v: [i64; 4]) -> Emissions {
    Emissions { so2: v[0], nox: v[1], pm: v[2], vocs: v[3] }
}

/// A registry line `name[:weight]` as a production line.
fn production_line(text: &str) -> ProductionLine {
    let (name, weight) = match text.rsplit_once([':', '：']) {
        Some((n, w)) => match w.trim().parse::<i64>() {
            Ok(w) => (n.trim(), Some(w)),
            Err(_) => (text.trim(), None),
        },
        None => (text.trim(), None),
    };
    ProductionLine { name: name.to_string(), weight, baseline_daily: Emissions::default() }
}

fn level_of(code: &str) -> Option<ControlLevel> {
    match code {
        "yellow" => Some(ControlLevel::Yellow),
        "orange" => Some(ControlLevel::Orange),
        "red" => Some(ControlLevel::Red),
        _ => None,
    }
}

/// The control-list entry of an enterprise with its stored plan.
fn entry(
    e: &StoredEnterprise,
    city_code: u32,
    measures: &[StoredMeasure],
    plan_from: NaiveDate,
) -> Result<ControlListEntry> {
    let credit_code = CreditCode::parse_lenient(&e.credit_code)
        .map_err(|x| ServiceError::Request(format!("stored credit code {}: {x}", e.credit_code)))?;
    let grade = PerformanceGrade::parse(&e.grade)
        .map_err(|x| ServiceError::Request(format!("stored grade of {}: {x}", e.credit_code)))?;
    let mut plan_measures = Vec::new();
    let mut version = String::new();
    for m in measures.iter().filter(|m| m.credit_code == e.credit_code) {
        let Some(level) = level_of(&m.level) else { continue };
        if version.is_empty() {
            version.clone_from(&m.plan_version);
        }
        plan_measures.push(PlanMeasure {
            level,
            line: m.line.clone(),
            action: action_of(m)?,
            expected_reduction: emissions(m.reduction_g),
        });
    }
    let lines: Vec<ProductionLine> = e.lines.iter().map(|l| production_line(l)).collect();
    Ok(ControlListEntry {
        credit_code,
        name: e.name.clone(),
        city_code,
        industry: (e.industry != "other").then(|| e.industry.clone()),
        grade,
        is_green_benchmark: e.green_benchmark,
        is_guarantee: !e.guarantee_reason.is_empty(),
        guarantee_reason: (!e.guarantee_reason.is_empty()).then(|| e.guarantee_reason.clone()),
        plan: PlantPlan { version, valid_from: plan_from, lines, measures: plan_measures },
    })
}

/// One enterprise of a control list at a level.
#[derive(Clone, Debug, Serialize)]
pub struct ControlListRow {
    pub credit_code: String,
    pub name: String,
    pub county: String,
    pub industry: String,
    /// Industry name (Chinese) when a key industry.
    pub industry_name: String,
    pub grade: PerformanceGrade,
    pub green_benchmark: bool,
    pub guarantee_reason: String,
    /// The measures at the level: line, action (Chinese), expected reduction g/day.
    pub measures: Vec<(String, String, Emissions)>,
    /// Sum of the expected reductions at the level, g/day.
    pub reduction_g: Emissions,
    pub plan_version: String,
    /// The plan has no measure at this level.
    pub missing_plan: bool,
}

/// An emergency control list of a city at a level, with its checks.
#[derive(Clone, Debug, Serialize)]
pub struct ControlList {
    pub city: String,
    pub city_code: u32,
    pub level: ControlLevel,
    /// The year whose inventory is used (the decision's year).
    pub year: i32,
    pub rows: Vec<ControlListRow>,
    /// `None` when the city has no inventory for the year or before.
    pub adequacy: Option<AdequacyReport>,
    pub flags: Vec<OneSizeFlag>,
    /// Inconsistencies in the plans, per enterprise.
    pub plan_issues: Vec<(String, PlanIssue)>,
    pub templates_id: String,
    pub templates_source: String,
}

/// The control list of a city at a level, checked against the city's inventory of `year` (else its
/// latest earlier one) and the reduction targets in force.
pub fn control_list(store: &dyn Store, city: &CityInfo, level: ControlLevel, year: i32) -> Result<ControlList> {
    let targets = ReductionTargets::default_targets().map_err(rules_err)?;
    control_list_with(store, city, level, year, &targets)
}

/// [`control_list`] against other reduction targets (a city that raises the share of its dominant
/// pollutant, `emergency.md` §4: a copy of `rules/reduction-targets-2018.toml`, edited).
pub fn control_list_with(
    store: &dyn Store,
    city: &CityInfo,
    level: ControlLevel,
    year: i32,
    targets: &ReductionTargets,
) -> Result<ControlList> {
    let city_code =
        city.code.ok_or_else(|| ServiceError::Request(format!("{} has no GB/T 2260 code", city.display())))?;
    let industries = IndustryTable::guideline_2020().map_err(rules_err)?;
    let templates = MeasureTemplates::default_templates().map_err(rules_err)?;
    let enterprises = store.enterprises(Some(city.id))?;
    let codes: Vec<String> = enterprises.iter().map(|e| e.credit_code.clone()).collect();
    let measures = store.measures(&codes)?;
    let plan_from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let mut entries = Vec::with_capacity(enterprises.len());
    let mut rows = Vec::with_capacity(enterprises.len());
    let mut plan_issues = Vec::new();
    for e in &enterprises {
        let en = entry(e, city_code, &measures, plan_from)?;
        let at: Vec<&PlanMeasure> = en.plan.measures_at(level).collect();
        for i in en.plan.issues() {
            plan_issues.push((e.credit_code.clone(), i));
        }
        rows.push(ControlListRow {
            credit_code: e.credit_code.clone(),
            name: e.name.clone(),
            county: e.county.clone(),
            industry: e.industry.clone(),
            industry_name: industries
                .find(&e.industry)
                .map(|i| i.name.clone())
                .unwrap_or_else(|| "其他涉气企业".into()),
            grade: en.grade,
            green_benchmark: e.green_benchmark,
            guarantee_reason: e.guarantee_reason.clone(),
            measures: at.iter().map(|m| (m.line.clone(), m.action.label_zh(), m.expected_reduction)).collect(),
            reduction_g: en.plan.expected_reduction(level),
            plan_version: en.plan.version.clone(),
            missing_plan: at.is_empty(),
        });
        entries.push(en);
    }
    let non_industrial: Vec<NonIndustrialMeasure> = store
        .city_measures(city.id, level.code())?
        .into_iter()
        .map(|m| NonIndustrialMeasure {
            name: m.measure,
            level,
            reduction: emissions(m.reduction_g),
            basis: "city-measures import".into(),
        })
        .collect();
    let adequacy = store.inventory(city.id, year)?.map(|inv| {
        let inventory = EmissionInventory {
            city_code,
            inventory_year: inv.year,
            season_basis: SeasonBasis::AnnualMean,
            annual_kg: emissions(inv.annual_kg),
            source: if inv.basis.is_empty() { inv.source.clone() } else { format!("{} ({})", inv.source, inv.basis) },
        };
        check_adequacy(city_code, level, &entries, &non_industrial, &inventory, targets)
    });
    let flags = one_size_flags(city_code, level, &entries, &templates, Some(&industries));
    Ok(ControlList {
        city: city.display().to_string(),
        city_code,
        level,
        year,
        rows,
        adequacy,
        flags,
        plan_issues,
        templates_id: templates.id.clone(),
        templates_source: templates.source.clone(),
    })
}

/// A response of a city: a level held from `from` to `to` (from the alert log).
#[derive(Clone, Debug, Serialize)]
pub struct Response {
    pub city_id: i64,
    pub city: String,
    pub city_code: u32,
    pub level: ControlLevel,
    /// When the level's measures took effect, and when they ended (the next level's taking effect,
    /// the lift, or the time asked about).
    #[serde(with = "lantian_core::beijing_time")]
    pub from: NaiveDateTime,
    #[serde(with = "lantian_core::beijing_time")]
    pub to: NaiveDateTime,
    /// The alert-log entry that set this level.
    pub alert_event: i64,
}

/// The responses recorded in the alert log for the cities (all when empty) up to `until`: each level
/// from the time its measures take effect to the next level's, the lift or `until`
/// ([`crate::emergency::alerts::level_segments`]: a start or lower at 00:00 of its episode's first heavy day when
/// later than the decision; a raise by the rule set's raising rule, the lower level's plan applying
/// until then; a level superseded before it took effect leaves no segment). Blue alerts carry no
/// control measures and are skipped.
pub fn responses(store: &dyn Store, cities: &[CityInfo], until: NaiveDateTime) -> Result<Vec<Response>> {
    let all = store.cities()?;
    let mut out = Vec::new();
    for (scope, segments) in crate::emergency::alerts::level_segments(store, until)? {
        let Some(code) = scope.strip_prefix("city:").and_then(|c| c.parse::<u32>().ok()) else { continue };
        let Some(c) = all.iter().find(|c| c.code == Some(code)) else { continue };
        if !cities.is_empty() && !cities.iter().any(|x| x.id == c.id) {
            continue;
        }
        for seg in segments {
            let Some(level) = level_of(seg.level.code()) else { continue };
            out.push(Response {
                city_id: c.id,
                city: c.display().to_string(),
                city_code: code,
                level,
                from: seg.from,
                to: seg.to,
                alert_event: seg.alert_event,
            });
        }
    }
    out.sort_by(|a, b| (a.from, &a.city).cmp(&(b.from, &b.city)));
    Ok(out)
}

/// The compliance of one enterprise during one response.
#[derive(Clone, Debug, Serialize)]
pub struct EnterpriseCompliance {
    pub credit_code: String,
    pub name: String,
    pub city: String,
    pub grade: PerformanceGrade,
    pub response: Response,
    /// One report per series judged (power, CEMS SO2/NOx/PM).
    pub reports: Vec<ComplianceReport>,
}

impl EnterpriseCompliance {
    /// Any series suspects non-compliance.
    pub fn suspected(&self) -> bool {
        self.reports.iter().any(|r| r.lead.is_some())
    }
}

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_time(NaiveTime::MIN)
}

/// Checks every listed enterprise of the responses' cities against its plan (`emergency.md` §6):
/// electricity use (15-minute data where there is any, else daily) and CEMS hours per pollutant
/// (summed over the enterprise's emission points), each against its own baseline.
pub fn compliance(store: &dyn Store, responses: &[Response]) -> Result<Vec<EnterpriseCompliance>> {
    let mut out = Vec::new();
    // A city's registry and plans, read once for all its responses (an alert raised twice is three).
    let mut registry: std::collections::HashMap<i64, (Vec<StoredEnterprise>, Vec<StoredMeasure>)> = Default::default();
    for r in responses {
        let others: Vec<Window> = responses
            .iter()
            .filter(|o| o.city_id == r.city_id && !(o.from == r.from && o.level == r.level))
            .map(|o| Window { from: o.from, to: o.to })
            .collect();
        let config = ComplianceConfig { exclude: others, ..ComplianceConfig::default() };
        let window = Window { from: r.from, to: r.to };
        let (enterprises, measures) = match registry.entry(r.city_id) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let enterprises = store.enterprises(Some(r.city_id))?;
                let codes: Vec<String> = enterprises.iter().map(|e| e.credit_code.clone()).collect();
                let measures = store.measures(&codes)?;
                v.insert((enterprises, measures))
            }
        };
        let plan_from = NaiveDate::from_ymd_opt(r.from.year(), 1, 1).unwrap_or_default();
        let span_from = midnight(r.from.date() - Duration::days(i64::from(config.baseline_days) + 1));
        let span_to = r.to + Duration::days(1);
        for e in enterprises {
            let en = entry(e, r.city_code, measures, plan_from)?;
            if en.plan.measures_at(r.level).next().is_none() {
                continue;
            }
            let share = en.plan.restriction(r.level).allowed_share;
            let mut reports = Vec::new();
            let power = store.power(&e.credit_code, span_from, span_to)?;
            let quarter: Vec<Reading> =
                power.iter().filter(|p| p.minutes == 15).map(|p| Reading { start: p.start, value: p.wh }).collect();
            let daily: Vec<Reading> =
                power.iter().filter(|p| p.minutes == 1440).map(|p| Reading { start: p.start, value: p.wh }).collect();
            let quarter_in_window = quarter.iter().any(|q| q.start >= r.from && q.start < r.to);
            if quarter_in_window {
                reports.push(check_compliance(
                    &en.credit_code,
                    r.level,
                    window,
                    SeriesKind::PowerQuarterHour,
                    &quarter,
                    share,
                    &config,
                ));
            }
            if !daily.is_empty() {
                reports.push(check_compliance(
                    &en.credit_code,
                    r.level,
                    window,
                    SeriesKind::PowerDaily,
                    &daily,
                    share,
                    &config,
                ));
            }
            let cems = store.cems(&e.credit_code, span_from, span_to)?;
            if !cems.is_empty() {
                for (k, p) in
                    [ReductionPollutant::So2, ReductionPollutant::Nox, ReductionPollutant::Pm].into_iter().enumerate()
                {
                    // Enterprise hour = sum over its points; an hour with a missing point value is missing.
                    let mut by_hour: std::collections::BTreeMap<NaiveDateTime, Option<i64>> = Default::default();
                    for c in &cems {
                        let slot = by_hour.entry(c.time - Duration::hours(1)).or_insert(Some(0));
                        *slot = match (*slot, c.g[k]) {
                            (Some(a), Some(b)) => Some(a + b),
                            _ => None,
                        };
                    }
                    let readings: Vec<Reading> =
                        by_hour.into_iter().filter_map(|(start, v)| v.map(|value| Reading { start, value })).collect();
                    if !readings.is_empty() {
                        reports.push(check_compliance(
                            &en.credit_code,
                            r.level,
                            window,
                            SeriesKind::CemsHourly { pollutant: p },
                            &readings,
                            share,
                            &config,
                        ));
                    }
                }
            }
            if reports.is_empty() {
                continue;
            }
            out.push(EnterpriseCompliance {
                credit_code: e.credit_code.clone(),
                name: e.name.clone(),
                city: r.city.clone(),
                grade: en.grade,
                response: r.clone(),
                reports,
            });
        }
    }
    Ok(out)
}

/// The pairing duty during the responses (Notice annex, duty 3): a 厅级 leader of the paired
/// department on site in the city during each response.
pub fn pairing_duty(store: &dyn Store, responses: &[Response]) -> Result<LeaderReport> {
    let table = PairingTable::notice_2022().map_err(rules_err)?;
    let cities = store.cities()?;
    // One response per alert: the level segments of an alert (start, raise, lower until the lift) are
    // merged, at their highest level.
    let mut windows: Vec<ResponseWindow> = Vec::new();
    let mut last_end: Vec<(u32, NaiveDateTime)> = Vec::new();
    for r in responses {
        let date_to = (r.to - Duration::seconds(1)).date().max(r.from.date());
        let continues = last_end.iter().rposition(|(c, end)| *c == r.city_code && *end == r.from);
        match continues.and_then(|k| windows.get_mut(k)) {
            Some(w) => {
                w.level = w.level.max(r.level);
                w.date_to = w.date_to.max(date_to);
                if let Some(k) = continues {
                    last_end[k].1 = r.to;
                }
            }
            None => {
                windows.push(ResponseWindow {
                    alert_id: format!("alert_event#{}", r.alert_event),
                    city: r.city_code,
                    level: r.level,
                    date_from: r.from.date(),
                    date_to,
                });
                last_end.push((r.city_code, r.to));
            }
        }
    }
    let mut visits = Vec::new();
    for v in store.visits(None)? {
        let Some(code) = cities.iter().find(|c| c.id == v.city_id).and_then(|c| c.code) else { continue };
        // The visiting department as one of the paired departments (by its Chinese name).
        let Some(g) = table.groups.iter().find(|g| {
            v.department == g.department_zh
                || v.department.contains(&g.department_zh)
                || g.department_zh.contains(&v.department)
        }) else {
            continue;
        };
        visits.push(PairingVisit {
            group: g.id.clone(),
            department: g.department,
            city: code,
            date_from: v.date_from,
            date_to: v.date_to,
            on_site: v.on_site,
            leader_name: v.leader_name.clone(),
            leader_rank: match v.leader_rank.as_str() {
                "department" => LeaderRank::DepartmentLevel,
                "division" => LeaderRank::DivisionLevel,
                _ => LeaderRank::Other,
            },
            during_alert: None,
            issues_found: if v.issues_found.is_empty() { vec![] } else { vec![v.issues_found.clone()] },
            follow_ups: vec![],
            attachments: vec![],
        });
    }
    Ok(response_leader_ok(&table, &windows, &visits))
}

/// The compliance report as JSON — `lantian compliance --format json` and `/api/v1/compliance`
/// write exactly this: `{until, responses, enterprises, pairing_duty}`, times with `+08:00`.
pub fn compliance_json(
    until: NaiveDateTime,
    responses: &[Response],
    enterprises: &[EnterpriseCompliance],
    duty: &LeaderReport,
) -> serde_json::Value {
    serde_json::json!({
        "until": lantian_core::beijing_time::format(until),
        "responses": responses,
        "enterprises": enterprises,
        "pairing_duty": duty,
    })
}

/// The columns of a control list as a table: machine names (CSV, JSON) …
pub const LIST_COLS: [&str; 13] = [
    "credit_code",
    "name",
    "county",
    "industry",
    "grade",
    "measures",
    "so2_kg",
    "nox_kg",
    "pm_kg",
    "vocs_kg",
    "green_benchmark",
    "guarantee",
    "plan_version",
];
/// … and Chinese headers.
pub const LIST_ZH: [&str; 13] = [
    "统一社会信用代码",
    "企业名称",
    "区县",
    "行业",
    "绩效等级",
    "管控措施",
    "SO2减排(kg/日)",
    "NOx减排(kg/日)",
    "PM减排(kg/日)",
    "VOCs减排(kg/日)",
    "绿色标杆",
    "保障类",
    "方案版本",
];

/// The rows of a control list as a table ([`LIST_COLS`]): the machine spelling (industry and grade
/// codes, `true`/`false`) or, `for_people`, Chinese words. The CLI's table and CSV and the web's CSV
/// download are these rows.
pub fn list_rows(list: &ControlList, for_people: bool) -> Vec<Vec<String>> {
    let text = |v: i64| lantian_core::Conc(v).to_string();
    list.rows
        .iter()
        .map(|r| {
            let e = &r.reduction_g;
            vec![
                r.credit_code.clone(),
                r.name.clone(),
                r.county.clone(),
                if for_people { r.industry_name.clone() } else { r.industry.clone() },
                if for_people { r.grade.label_zh() } else { r.grade.code() }.to_string(),
                if r.missing_plan {
                    "（无此级别措施 no measure at this level）".to_string()
                } else {
                    r.measures.iter().map(|(l, a, _)| format!("{l}:{a}")).collect::<Vec<_>>().join("；")
                },
                text(e.so2),
                text(e.nox),
                text(e.pm),
                text(e.vocs),
                match (for_people, r.green_benchmark) {
                    (true, true) => "是".into(),
                    (true, false) => String::new(),
                    (false, b) => b.to_string(),
                },
                r.guarantee_reason.clone(),
                r.plan_version.clone(),
            ]
        })
        .collect()
}
