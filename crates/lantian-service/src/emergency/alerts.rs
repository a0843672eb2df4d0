//! Heavy-pollution alerts from forecasts (`emergency.md` §3): city and regional evaluation of the
//! latest issuance known at a decision time, the alert life replayed from every issuance and recorded
//! in the alert log (who, when, on what evidence), manual decisions, and the active alerts — the one
//! code path behind `lantian alert …`, the API and the reports.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use lantian_core::emergency::{
    evaluate_city, regional_alerts, replay, rule_set, rule_set_for, sichuan_adjacency, AlertEventKind, AlertLevel,
    AlertRuleSet, CityForecast, Episode, ForecastDay, ForecastIssuance, RegionalAlert, RegionalBasis, ResponseLevel,
    RuleChoice,
};
use lantian_core::regions::cities::SICHUAN_CITIES;
use lantian_store::emergency::{AlertEventRow, NewAlertEvent, StoredForecast};
use lantian_store::{CityInfo, Store};
use serde::Serialize;

use crate::{Result, ServiceError};

/// The scope key of a city in the alert log.
pub fn city_scope(code: u32) -> String {
    format!("city:{code}")
}

/// The rule set for a decision: `id` when given, else the Sichuan set in force on the decision's date.
pub fn choose_rules(id: Option<&str>, at: NaiveDateTime) -> Result<&'static AlertRuleSet> {
    match id {
        Some(id) => rule_set(id).ok_or_else(|| {
            let ids: Vec<&str> = lantian_core::emergency::rule_sets().iter().map(|r| r.id.as_str()).collect();
            ServiceError::Request(format!("unknown rule set {id:?}; one of: {}", ids.join(", ")))
        }),
        None => rule_set_for(at.date())
            .ok_or_else(|| ServiceError::Request(format!("no Sichuan alert rule set is in force on {}", at.date()))),
    }
}

/// Issuances of one city, oldest first.
fn issuances(rows: &[StoredForecast]) -> Vec<ForecastIssuance> {
    let mut by: BTreeMap<NaiveDateTime, Vec<ForecastDay>> = BTreeMap::new();
    for f in rows {
        let day = match (f.aqi_low, f.aqi_high) {
            (Some(lo), Some(hi)) => ForecastDay::with_range(f.date, f.aqi, lo, hi),
            _ => ForecastDay::new(f.date, f.aqi),
        };
        by.entry(f.issued_at).or_default().push(day);
    }
    by.into_iter().map(|(issued_at, days)| ForecastIssuance { issued_at, days }).collect()
}

/// The latest issuance known at `t` and its days from the issuance date on (a forecast is judged on
/// what lies ahead of it); `None` when there is none or it has no such day.
fn latest_ahead(iss: &[ForecastIssuance], t: NaiveDateTime) -> Option<(&ForecastIssuance, Vec<ForecastDay>)> {
    let latest = iss.iter().rfind(|i| i.issued_at <= t)?;
    let days: Vec<ForecastDay> = latest.days.iter().filter(|d| d.date >= latest.issued_at.date()).cloned().collect();
    (!days.is_empty()).then_some((latest, days))
}

/// Stored forecasts known at `at`, per Sichuan city (by code), with the city.
fn known(store: &dyn Store, at: NaiveDateTime) -> Result<Vec<(CityInfo, Vec<ForecastIssuance>)>> {
    let cities = store.cities()?;
    let rows = store.forecasts(&[], Some(at))?;
    let mut out = Vec::new();
    for c in cities.into_iter().filter(|c| c.code.is_some_and(|k| SICHUAN_CITIES.iter().any(|s| s.code == k))) {
        let mine: Vec<StoredForecast> = rows.iter().filter(|f| f.city_id == c.id).cloned().collect();
        if !mine.is_empty() {
            out.push((c, issuances(&mine)));
        }
    }
    Ok(out)
}

/// One episode of a city's latest forecast (or the city's "no alert" line).
#[derive(Clone, Debug, Serialize)]
pub struct CityAlertRow {
    pub city: String,
    pub city_code: u32,
    /// The issuance judged.
    #[serde(with = "lantian_core::beijing_time")]
    pub issued_at: NaiveDateTime,
    pub rule_set: String,
    pub level: Option<AlertLevel>,
    pub response: Option<ResponseLevel>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub heavy_days: u32,
    pub severe_days: u32,
    pub hit_500: bool,
    /// The forecast days that made the level.
    pub trigger_days: Vec<ForecastDay>,
    /// First day of the clean run that meets the lifting condition, when forecast.
    pub lift_from: Option<NaiveDate>,
    pub clause: Option<String>,
    /// The forecast days judged (from the issuance date on).
    pub forecast: Vec<ForecastDay>,
}

/// Evaluation of the forecasts known at a decision time.
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    #[serde(with = "lantian_core::beijing_time")]
    pub at: NaiveDateTime,
    pub rule_set: String,
    pub rule_document: String,
    pub rule_source: String,
    pub cities: Vec<CityAlertRow>,
    /// Regional alerts of contiguous cities (when the rule set has a regional rule).
    pub regional: Vec<RegionalAlert>,
    /// Alerts of the joint-control regions (成都平原, 川南, 川东北, 攀西) with their lead cities.
    pub joint_control: Vec<RegionalAlert>,
}

fn row(
    city: &CityInfo,
    code: u32,
    iss: &ForecastIssuance,
    rules: &AlertRuleSet,
    days: &[ForecastDay],
    e: Option<&Episode>,
) -> CityAlertRow {
    CityAlertRow {
        city: city.display().to_string(),
        city_code: code,
        issued_at: iss.issued_at,
        rule_set: rules.id.clone(),
        level: e.and_then(|e| e.level),
        response: e.and_then(|e| e.response),
        start_date: e.map(|e| e.start_date),
        end_date: e.map(|e| e.end_date),
        heavy_days: e.map_or(0, |e| e.heavy_days),
        severe_days: e.map_or(0, |e| e.severe_days),
        hit_500: e.is_some_and(|e| e.hit_500),
        trigger_days: e.map(|e| e.trigger_days.clone()).unwrap_or_default(),
        lift_from: e.and_then(|e| e.lift_from),
        clause: e.and_then(|e| e.clause.clone()),
        forecast: days.to_vec(),
    }
}

/// Evaluates, for every Sichuan city with a forecast, its latest issuance known at `at` (its days
/// from the issuance date on) under `rules`; then the regional and joint-control alerts. Cities on
/// alert come first, highest level first.
pub fn evaluate(store: &dyn Store, at: NaiveDateTime, rules: &AlertRuleSet) -> Result<Evaluation> {
    let mut cities = Vec::new();
    let mut forecasts = Vec::new();
    for (city, iss) in known(store, at)? {
        let code = city.code.unwrap_or_default();
        let Some((latest, days)) = latest_ahead(&iss, at) else { continue };
        let ev = evaluate_city(rules, &days).map_err(|e| {
            ServiceError::Request(format!("{} forecast issued {}: {e}", city.display(), latest.issued_at))
        })?;
        let with_level: Vec<&Episode> = ev.episodes.iter().filter(|e| e.level.is_some()).collect();
        if with_level.is_empty() {
            cities.push(row(&city, code, latest, rules, &days, None));
        }
        for e in with_level {
            cities.push(row(&city, code, latest, rules, &days, Some(e)));
        }
        forecasts.push(CityForecast { city: code, days });
    }
    // Cities on alert first (highest level first), then the rest, each in code order.
    cities.sort_by(|a, b| {
        b.level.cmp(&a.level).then(a.city_code.cmp(&b.city_code)).then(a.start_date.cmp(&b.start_date))
    });
    let adjacency = sichuan_adjacency();
    let regional = if rules.regional.is_some() {
        regional_alerts(rules, adjacency, &forecasts, RegionalBasis::Contiguous)
            .map_err(|e| ServiceError::Request(e.to_string()))?
    } else {
        Vec::new()
    };
    let joint_control = if rules.joint_control.is_some() {
        regional_alerts(rules, adjacency, &forecasts, RegionalBasis::JointControl)
            .map_err(|e| ServiceError::Request(e.to_string()))?
    } else {
        Vec::new()
    };
    Ok(Evaluation {
        at,
        rule_set: rules.id.clone(),
        rule_document: rules.document.clone(),
        rule_source: rules.source.clone(),
        cities,
        regional,
        joint_control,
    })
}

/// The latest issuance time in the store (the default decision time).
pub fn latest_issuance(store: &dyn Store) -> Result<Option<NaiveDateTime>> {
    Ok(store.forecasts(&[], None)?.iter().map(|f| f.issued_at).max())
}

/// The latest decision in the alert log (the default time of a status or a compliance check).
pub fn latest_decision(store: &dyn Store) -> Result<Option<NaiveDateTime>> {
    Ok(store.latest_alert_event_at()?)
}

/// Replays every city's alert life from the issuances known at `at` ([`replay`], the rule set in force
/// on each issuance's date unless `fixed` is given) and appends to the alert log the events not yet
/// recorded (same scope, time, action and level). Returns the appended entries; repeating it appends
/// nothing. Every entry is worked out first and all are appended in one transaction
/// ([`lantian_store::EmergencyStore::add_alert_events`]): an error or an interruption leaves the log as
/// it was, never part of a decision (issue 11 §3.11).
pub fn record(
    store: &mut dyn Store,
    at: NaiveDateTime,
    fixed: Option<&'static AlertRuleSet>,
    actor: &str,
    recorded_at: &str,
) -> Result<Vec<NewAlertEvent>> {
    let choice = match fixed {
        Some(r) => RuleChoice::Fixed(r),
        None => RuleChoice::SichuanByDate,
    };
    let mut added = Vec::new();
    for (city, iss) in known(store, at)? {
        let code = city.code.unwrap_or_default();
        let life = replay(code, &iss, choice).map_err(|e| ServiceError::Request(format!("{}: {e}", city.display())))?;
        let scope = city_scope(code);
        let logged = store.alert_events(Some(&scope))?;
        for e in life.events.iter().filter(|e| e.at <= at) {
            let action = e.kind.code();
            let level_to = e.level_after.map(|l| l.code().to_string());
            if already_logged(&logged, e.at, action, level_to.as_deref()) {
                continue;
            }
            let evidence = serde_json::json!({
                "basis": "forecast",
                "issued_at": e.evidence.issued_at,
                "trigger_days": e.evidence.trigger_days,
                "episode_start": e.evidence.episode_start,
                "episode_end": e.evidence.episode_end,
                "lower_pending_since": e.evidence.lower_pending_since,
                "clause": e.clause,
            });
            let new = NewAlertEvent {
                scope: scope.clone(),
                at: e.at,
                action: action.to_string(),
                level_from: e.level_before.map(|l| l.code().to_string()),
                level_to,
                start_date: e.evidence.episode_start,
                end_date: e.evidence.episode_end,
                rule_set: e.rule_set_id.clone(),
                evidence: evidence.to_string(),
                actor: actor.to_string(),
                recorded_at: recorded_at.to_string(),
            };
            added.push(new);
        }
    }
    added.extend(region_events(store, at, fixed, actor, recorded_at)?);
    store.add_alert_events(&added)?;
    Ok(added)
}

/// The scope key of a joint-control region in the alert log.
pub fn region_scope(r: lantian_core::regions::cities::RegionId) -> String {
    format!("region:{}", r.name_zh())
}

/// The joint-control regions' alert life [D]: at every issuance time up to `at`, the regional alerts of
/// the forecasts then known (each city's latest issuance); a region is on alert at the highest level of
/// its regional alerts that reach the issuance date or later. A change of that level is a start, raise,
/// lower (immediately: the cities' own alerts carry the downgrade rule) or lift, to be appended to the
/// log as for cities (the entries not yet logged are returned).
fn region_events(
    store: &dyn Store,
    at: NaiveDateTime,
    fixed: Option<&'static AlertRuleSet>,
    actor: &str,
    recorded_at: &str,
) -> Result<Vec<NewAlertEvent>> {
    let all = known(store, at)?;
    let mut times: Vec<NaiveDateTime> = all.iter().flat_map(|(_, iss)| iss.iter().map(|i| i.issued_at)).collect();
    times.sort_unstable();
    times.dedup();
    let mut state: BTreeMap<String, AlertLevel> = BTreeMap::new();
    let mut events: Vec<NewAlertEvent> = Vec::new();
    for t in times {
        let rules = match fixed {
            Some(r) => r,
            None => match rule_set_for(t.date()) {
                Some(r) => r,
                None => continue,
            },
        };
        if rules.joint_control.is_none() {
            continue;
        }
        let forecasts: Vec<CityForecast> = all
            .iter()
            .filter_map(|(c, iss)| {
                latest_ahead(iss, t).map(|(_, days)| CityForecast { city: c.code.unwrap_or_default(), days })
            })
            .collect();
        let regional = regional_alerts(rules, sichuan_adjacency(), &forecasts, RegionalBasis::JointControl)
            .map_err(|e| ServiceError::Request(format!("regional alerts at {t}: {e}")))?;
        let mut now: BTreeMap<String, (AlertLevel, &RegionalAlert)> = BTreeMap::new();
        for r in regional.iter().filter(|r| r.end_date >= t.date()) {
            if let lantian_core::emergency::AlertScope::Region(id) = &r.scope {
                let e = now.entry(region_scope(*id)).or_insert((r.level, r));
                if r.level > e.0 {
                    *e = (r.level, r);
                }
            }
        }
        let scopes: std::collections::BTreeSet<String> = state.keys().chain(now.keys()).cloned().collect();
        for scope in scopes {
            let before = state.get(&scope).copied();
            let after = now.get(&scope).map(|x| x.0);
            let action = match (before, after) {
                (None, Some(_)) => "start",
                (Some(b), Some(a)) if a > b => "raise",
                (Some(b), Some(a)) if a < b => "lower",
                (Some(_), None) => "lift",
                _ => continue,
            };
            let r = now.get(&scope).map(|x| x.1);
            let evidence = serde_json::json!({
                "basis": "regional forecast",
                "issued_up_to": t,
                "lead_city": r.and_then(|r| r.lead_city),
                "members": r.map(|r| r.members.iter().map(|m| serde_json::json!({"city": m.city, "level": m.level.code()})).collect::<Vec<_>>()),
                "dates": r.map(|r| (r.start_date, r.end_date)),
            });
            events.push(NewAlertEvent {
                scope: scope.clone(),
                at: t,
                action: action.to_string(),
                level_from: before.map(|l| l.code().to_string()),
                level_to: after.map(|l| l.code().to_string()),
                start_date: r.map(|r| r.start_date),
                end_date: r.map(|r| r.end_date),
                rule_set: rules.id.clone(),
                evidence: evidence.to_string(),
                actor: actor.to_string(),
                recorded_at: recorded_at.to_string(),
            });
        }
        state = now.into_iter().map(|(k, (l, _))| (k, l)).collect();
    }
    let mut added: Vec<NewAlertEvent> = Vec::new();
    for e in events {
        let logged = store.alert_events(Some(&e.scope))?;
        let pending = added
            .iter()
            .any(|x| x.scope == e.scope && x.at == e.at && x.action == e.action && x.level_to == e.level_to);
        if pending || already_logged(&logged, e.at, &e.action, e.level_to.as_deref()) {
            continue;
        }
        added.push(e);
    }
    Ok(added)
}

/// One level of an alert with the time its measures take effect: a start or lower at 00:00 of its
/// episode's first heavy day when that is later than the decision (alerts are issued ahead), else at
/// the decision; a raise by the rule set's raising rule ([`AlertRuleSet::raising`]: e.g. from 00:00
/// of the day after the decision), or at the episode's first heavy day when later. Until a level
/// takes effect the level before it stays in force (`emergency.md` §3.3).
#[derive(Clone, Debug, Serialize)]
pub struct LevelStep {
    pub level: AlertLevel,
    pub action: AlertEventKind,
    /// The decision that set the level.
    #[serde(with = "lantian_core::beijing_time")]
    pub decided_at: NaiveDateTime,
    /// When the level's measures take effect.
    #[serde(with = "lantian_core::beijing_time")]
    pub effective_from: NaiveDateTime,
    /// The alert-log entry.
    pub alert_event: i64,
}

/// When the measures of a logged decision take effect (see [`LevelStep`]); a lift ends them at once.
pub fn effective_at(e: &NewAlertEvent) -> NaiveDateTime {
    let episode = e.start_date.map(day_start);
    match AlertEventKind::from_code(&e.action) {
        Some(AlertEventKind::Lift) | None => e.at,
        Some(AlertEventKind::Raise) => {
            let rule = rule_set(&e.rule_set).or_else(|| rule_set_for(e.at.date()));
            let by_rule = rule.map_or(e.at, |r| r.raising.effective_at(e.at));
            episode.map_or(by_rule, |d| d.max(by_rule))
        }
        Some(AlertEventKind::Start | AlertEventKind::Lower) => episode.map_or(e.at, |d| d.max(e.at)),
    }
}

/// A level held over `[from, to)`: one segment of a response.
#[derive(Clone, Debug)]
pub struct LevelSegment {
    pub level: AlertLevel,
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    pub alert_event: i64,
}

/// Replays one scope's log entries (in time order) up to `until`: every level with the time its
/// measures take effect. A level superseded or lifted before it took effect leaves nothing. Each
/// alert that was lifted is handed to `ended` with its end; the steps of the alert still open at
/// `until` are returned (they may include levels that take effect after `until`).
fn replay_log(
    events: &[AlertEventRow],
    until: NaiveDateTime,
    mut ended: impl FnMut(&[(LevelStep, &AlertEventRow)], NaiveDateTime),
) -> Vec<(LevelStep, &AlertEventRow)> {
    let mut open: Vec<(LevelStep, &AlertEventRow)> = Vec::new();
    for row in events.iter().filter(|r| r.entry.at <= until) {
        let e = &row.entry;
        let Some(kind) = AlertEventKind::from_code(&e.action) else { continue };
        let t = effective_at(e);
        open.retain(|(s, _)| s.effective_from < t);
        if kind == AlertEventKind::Lift {
            ended(&open, t);
            open.clear();
            continue;
        }
        let Some(level) = e.level_to.as_deref().and_then(AlertLevel::from_code) else { continue };
        open.push((LevelStep { level, action: kind, decided_at: e.at, effective_from: t, alert_event: row.id }, row));
    }
    open
}

/// The segments of an alert's steps ending at `end`: each level from its effective time to the next
/// level's, the last to `end`.
fn segments_of(steps: &[(LevelStep, &AlertEventRow)], end: NaiveDateTime, out: &mut Vec<LevelSegment>) {
    for (k, (s, _)) in steps.iter().enumerate() {
        let to = steps.get(k + 1).map_or(end, |(n, _)| n.effective_from).min(end);
        if to > s.effective_from {
            out.push(LevelSegment { level: s.level, from: s.effective_from, to, alert_event: s.alert_event });
        }
    }
}

/// The log entries of every scope up to `until`, by scope, in time order.
fn by_scope(store: &dyn Store, until: NaiveDateTime) -> Result<BTreeMap<String, Vec<AlertEventRow>>> {
    let mut by: BTreeMap<String, Vec<AlertEventRow>> = BTreeMap::new();
    for row in store.alert_events(None)? {
        if row.entry.at <= until {
            by.entry(row.entry.scope.clone()).or_default().push(row);
        }
    }
    for v in by.values_mut() {
        v.sort_by_key(|r| (r.entry.at, r.id));
    }
    Ok(by)
}

/// The levels each scope held up to `until` according to the alert log, each from the time its
/// measures took effect ([`LevelStep`]) to the next level's, the lift, or `until`. The one reading of
/// the log behind the compliance windows and the pairing duty.
pub fn level_segments(store: &dyn Store, until: NaiveDateTime) -> Result<Vec<(String, Vec<LevelSegment>)>> {
    let mut out = Vec::new();
    for (scope, events) in by_scope(store, until)? {
        let mut segs = Vec::new();
        let open = replay_log(&events, until, |steps, end| segments_of(steps, end, &mut segs));
        segments_of(&open, until, &mut segs);
        out.push((scope, segs));
    }
    Ok(out)
}

/// An alert active at a time, from the alert log.
#[derive(Clone, Debug, Serialize)]
pub struct ActiveAlert {
    pub scope: String,
    pub city: String,
    pub level: AlertLevel,
    pub response: Option<ResponseLevel>,
    /// When the alert started, and when its current level was set.
    #[serde(with = "lantian_core::beijing_time")]
    pub started_at: NaiveDateTime,
    #[serde(with = "lantian_core::beijing_time")]
    pub since: NaiveDateTime,
    /// When the current level's measures take effect (may lie after the status time: until then the
    /// level before it applies).
    #[serde(with = "lantian_core::beijing_time")]
    pub effective_from: NaiveDateTime,
    /// The level whose measures apply at the status time (`None`: announced, not yet in effect).
    pub in_effect: Option<AlertLevel>,
    /// Every level of the alert with the time its measures take effect, in order.
    pub levels: Vec<LevelStep>,
    pub rule_set: String,
    /// Who set the current level, and on what evidence.
    pub actor: String,
    pub evidence: serde_json::Value,
}

/// The stored evidence text as JSON (an object for the platform's own entries), its times written
/// with `+08:00`; text that is not JSON stays a string.
pub fn evidence_json(text: &str) -> serde_json::Value {
    fn times(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) if s.len() >= 16 && s.as_bytes().get(10) == Some(&b'T') => {
                *s = lantian_core::beijing_time::normalize(s);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(times),
            serde_json::Value::Object(o) => o.values_mut().for_each(times),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut v) if v.is_object() || v.is_array() => {
            times(&mut v);
            v
        }
        _ => serde_json::Value::String(text.to_string()),
    }
}

/// Whether the log already holds a decision (same time, action and new level): recording is idempotent.
fn already_logged(logged: &[AlertEventRow], at: NaiveDateTime, action: &str, level_to: Option<&str>) -> bool {
    logged.iter().any(|l| l.entry.at == at && l.entry.action == action && l.entry.level_to.as_deref() == level_to)
}

/// The name of a log scope: the city's name, or the region's with its lead city.
pub fn scope_name(store_cities: &[CityInfo], scope: &str) -> String {
    if let Some(r) = scope.strip_prefix("region:") {
        let lead = lantian_core::regions::cities::RegionId::ALL
            .iter()
            .find(|x| x.name_zh() == r)
            .and_then(|x| x.lead_city())
            .and_then(|code| store_cities.iter().find(|c| c.code == Some(code)))
            .map(|c| format!("（牵头 {}）", c.display()))
            .unwrap_or_default();
        return format!("{r}{lead}");
    }
    scope
        .strip_prefix("city:")
        .and_then(|c| c.parse::<u32>().ok())
        .and_then(|code| store_cities.iter().find(|c| c.code == Some(code)))
        .map_or_else(|| scope.to_string(), |c| c.display().to_string())
}

/// The alerts active at `at` according to the alert log.
pub fn status(store: &dyn Store, at: NaiveDateTime) -> Result<Vec<ActiveAlert>> {
    let cities = store.cities()?;
    let mut out = Vec::new();
    for (scope, events) in by_scope(store, at)? {
        let open = replay_log(&events, at, |_, _| {});
        let (Some((first, _)), Some((current, row))) = (open.first(), open.last()) else { continue };
        let e = &row.entry;
        let started_at = events
            .iter()
            .filter(|r| r.entry.at <= first.decided_at && r.entry.action == "start")
            .map(|r| r.entry.at)
            .next_back()
            .unwrap_or(first.decided_at);
        out.push(ActiveAlert {
            scope: scope.clone(),
            city: scope_name(&cities, &scope),
            level: current.level,
            response: rule_set(&e.rule_set).and_then(|r| r.response(current.level)),
            started_at,
            since: current.decided_at,
            effective_from: current.effective_from,
            in_effect: open.iter().rev().find(|(s, _)| s.effective_from <= at).map(|(s, _)| s.level),
            levels: open.iter().map(|(s, _)| s.clone()).collect(),
            rule_set: e.rule_set.clone(),
            actor: e.actor.clone(),
            evidence: evidence_json(&e.evidence),
        });
    }
    out.sort_by(|a, b| b.level.cmp(&a.level).then(a.city.cmp(&b.city)));
    Ok(out)
}

/// An entry of the alert log as the CLI and the API write it.
#[derive(Clone, Debug, Serialize)]
pub struct LogEntry {
    pub id: i64,
    /// `city:510100` or `region:成都平原` (the log's key).
    pub scope: String,
    /// The city (or region) by name.
    pub city: String,
    /// The city's GB/T 2260 code (city scopes).
    pub city_code: Option<u32>,
    #[serde(with = "lantian_core::beijing_time")]
    pub at: NaiveDateTime,
    /// `start`, `raise`, `lower` or `lift`.
    pub action: String,
    pub level_from: Option<String>,
    pub level_to: Option<String>,
    /// First and last heavy day of the episode the decision rests on.
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// When the decision's measures take effect ([`effective_at`]; a lift: at once).
    #[serde(with = "lantian_core::beijing_time")]
    pub effective_from: NaiveDateTime,
    pub rule_set: String,
    pub actor: String,
    pub evidence: serde_json::Value,
    /// When the entry was written (ISO 8601, `+08:00`).
    pub recorded_at: String,
}

/// The alert log (one scope, or all), oldest decision first.
pub fn log(store: &dyn Store, scope: Option<&str>) -> Result<Vec<LogEntry>> {
    let cities = store.cities()?;
    Ok(store
        .alert_events(scope)?
        .into_iter()
        .map(|row| {
            let e = row.entry;
            let city_code = e.scope.strip_prefix("city:").and_then(|c| c.parse::<u32>().ok());
            LogEntry {
                id: row.id,
                city: scope_name(&cities, &e.scope),
                city_code,
                effective_from: effective_at(&e),
                at: e.at,
                action: e.action,
                level_from: e.level_from,
                level_to: e.level_to,
                start_date: e.start_date,
                end_date: e.end_date,
                rule_set: e.rule_set,
                actor: e.actor,
                evidence: evidence_json(&e.evidence),
                recorded_at: lantian_core::beijing_time::normalize(&e.recorded_at),
                scope: e.scope,
            }
        })
        .collect())
}

/// A decision taken by hand.
#[derive(Clone, Debug)]
pub struct Decision<'a> {
    /// `start`, `raise`, `lower` or `lift`.
    pub action: &'a str,
    /// The new level (not for a lift).
    pub level: Option<AlertLevel>,
    /// Decision time.
    pub at: NaiveDateTime,
    /// Measures apply from 00:00 of this day (start; default the decision's day).
    pub effective_from: Option<NaiveDate>,
    pub actor: &'a str,
    pub evidence: &'a str,
}

/// A decision recorded by hand (cities may start earlier or higher than the forecast requires,
/// `emergency.md` §3.2): checked against the log — start needs no active alert, raise a lower active
/// level, lower a higher one, lift an active alert.
pub fn record_decision(
    store: &mut dyn Store,
    city: &CityInfo,
    d: &Decision<'_>,
    recorded_at: &str,
) -> Result<NewAlertEvent> {
    let Decision { action, level, at, effective_from, actor, evidence } = d.clone();
    let code = city.code.ok_or_else(|| ServiceError::Request(format!("{} has no code", city.display())))?;
    let scope = city_scope(code);
    if actor.trim().is_empty() || evidence.trim().is_empty() {
        return Err(ServiceError::Request("a decision needs --by and --evidence".into()));
    }
    let active = status(store, at)?.into_iter().find(|a| a.scope == scope);
    let rules = choose_rules(None, at)?;
    let bad = |m: String| Err(ServiceError::Request(format!("{}: {m}", city.display())));
    let (level_from, level_to) = match (action, &active, level) {
        ("start", None, Some(l)) => (None, Some(l)),
        ("start", Some(a), _) => {
            return bad(format!("an alert is already active ({} since {})", a.level.name_zh(), a.since))
        }
        ("raise", Some(a), Some(l)) if l > a.level => (Some(a.level), Some(l)),
        ("lower", Some(a), Some(l)) if l < a.level => (Some(a.level), Some(l)),
        ("raise" | "lower", Some(a), Some(l)) => {
            return bad(format!("cannot {action} from {} to {}", a.level.name_zh(), l.name_zh()))
        }
        ("lift", Some(a), _) => (Some(a.level), None),
        ("raise" | "lower" | "lift", None, _) => return bad(format!("no active alert to {action}")),
        ("start" | "raise" | "lower", _, None) => return bad(format!("{action} needs --level")),
        _ => return bad(format!("unknown action {action:?} (start, raise, lower, lift)")),
    };
    if let Some(l) = level_to {
        if rules.level_rule(l).is_none() {
            return bad(format!("the rule set {} in force has no {} level", rules.id, l.name_zh()));
        }
    }
    let new = NewAlertEvent {
        scope,
        at,
        action: action.to_string(),
        level_from: level_from.map(|l| l.code().to_string()),
        level_to: level_to.map(|l| l.code().to_string()),
        start_date: effective_from.or_else(|| (action == "start").then(|| at.date())),
        end_date: None,
        rule_set: rules.id.clone(),
        evidence: serde_json::json!({ "basis": "decision", "text": evidence }).to_string(),
        actor: actor.to_string(),
        recorded_at: recorded_at.to_string(),
    };
    store.add_alert_event(&new)?;
    Ok(new)
}

/// 00:00 of a day.
pub fn day_start(d: NaiveDate) -> NaiveDateTime {
    d.and_time(NaiveTime::MIN)
}

/// The provincial alert letter (预警函) drafted from the forecasts known at `at`: cities recommended to
/// start or raise an alert from 00:00 of their first heavy day, given the alerts active in the log
/// at `at` (`emergency.md` §3.2).
pub fn letter(
    store: &dyn Store,
    at: NaiveDateTime,
    rules: &AlertRuleSet,
) -> Result<lantian_core::emergency::AlertLetter> {
    let mut forecasts = Vec::new();
    for (city, iss) in known(store, at)? {
        if let Some((_, days)) = latest_ahead(&iss, at) {
            forecasts.push(CityForecast { city: city.code.unwrap_or_default(), days });
        }
    }
    let active: BTreeMap<u32, AlertLevel> = status(store, at)?
        .into_iter()
        .filter_map(|a| a.scope.strip_prefix("city:").and_then(|c| c.parse::<u32>().ok()).map(|c| (c, a.level)))
        .collect();
    lantian_core::emergency::alert_letter(rules, &forecasts, &active, at)
        .map_err(|e| ServiceError::Request(e.to_string()))
}

/// The columns of the alerts in force as a table (machine names; `lantian alert status --format csv` and
/// the web's download).
pub const STATUS_COLS: [&str; 10] = [
    "city",
    "level",
    "response",
    "started_at",
    "since",
    "effective_from",
    "in_effect",
    "rule_set",
    "actor",
    "evidence",
];

/// The alerts in force as rows of [`STATUS_COLS`] (codes, times with `+08:00`); who decided and on what
/// evidence only where `detail` allows it (the public does not see them for other cities).
pub fn status_rows(active: &[ActiveAlert], detail: impl Fn(&ActiveAlert) -> bool) -> Vec<Vec<String>> {
    use lantian_core::beijing_time;
    active
        .iter()
        .map(|x| {
            let shown = detail(x);
            vec![
                x.city.clone(),
                x.level.code().to_string(),
                x.response.map(|r| r.code().to_string()).unwrap_or_default(),
                beijing_time::format(x.started_at),
                beijing_time::format(x.since),
                beijing_time::format(x.effective_from),
                x.in_effect.map(|l| l.code().to_string()).unwrap_or_default(),
                x.rule_set.clone(),
                if shown { x.actor.clone() } else { String::new() },
                if shown { x.evidence.to_string() } else { String::new() },
            ]
        })
        .collect()
}

/// The columns of an evaluation's cities as a table: machine names (`lantian alert evaluate --format
/// csv`, the web's download) …
pub const EVALUATION_COLS: [&str; 13] = [
    "city",
    "level",
    "start_date",
    "end_date",
    "response",
    "heavy_days",
    "severe_days",
    "hit_500",
    "trigger_days",
    "lift_from",
    "issued_at",
    "rule_set",
    "city_code",
];

/// … and Chinese headers.
pub const EVALUATION_ZH: [&str; 13] = [
    "城市",
    "预警级别",
    "开始日期",
    "结束日期",
    "响应",
    "重度天数",
    "严重天数",
    "达500",
    "触发日AQI",
    "可解除日",
    "预报发布",
    "规则",
    "代码",
];

/// An evaluation's cities as rows of [`EVALUATION_COLS`]: codes and ISO times with `+08:00`, or,
/// `for_people`, Chinese words and plain times.
pub fn evaluation_rows(ev: &Evaluation, for_people: bool) -> Vec<Vec<String>> {
    let opt = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    ev.cities
        .iter()
        .map(|r| {
            vec![
                r.city.clone(),
                match (for_people, r.level) {
                    (true, None) => "无".to_string(),
                    (true, Some(l)) => l.name_zh().to_string(),
                    (false, l) => l.map(|l| l.code().to_string()).unwrap_or_default(),
                },
                opt(r.start_date),
                opt(r.end_date),
                r.response.map(|x| if for_people { x.name_zh() } else { x.code() }.to_string()).unwrap_or_default(),
                r.heavy_days.to_string(),
                r.severe_days.to_string(),
                match (for_people, r.hit_500) {
                    (true, true) => "是".into(),
                    (true, false) => String::new(),
                    (false, b) => b.to_string(),
                },
                r.trigger_days
                    .iter()
                    .map(|d| format!("{}:{}", d.date.format("%m-%d"), d.aqi))
                    .collect::<Vec<_>>()
                    .join(" "),
                opt(r.lift_from),
                if for_people {
                    r.issued_at.format("%Y-%m-%d %H:%M").to_string()
                } else {
                    lantian_core::beijing_time::format(r.issued_at)
                },
                r.rule_set.clone(),
                r.city_code.to_string(),
            ]
        })
        .collect()
}
