//! The life of one city's alert over successive forecast issuances (emergency.md §3.3): start,
//! raise, lower, lift — replayable against what was known at any time.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::evaluate::{episodes, first_clean_run, validate_days};
use super::{rule_set_for, AlertLevel, AlertRuleSet, EmergencyError, ForecastDay, ResponseLevel};

/// One forecast issued at a time for one city.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ForecastIssuance {
    #[serde(with = "crate::beijing_time")]
    pub issued_at: NaiveDateTime,
    /// Consecutive forecast days. Days before the issuance date are ignored by the replay.
    pub days: Vec<ForecastDay>,
}

/// Which rule set judges each issuance.
#[derive(Clone, Copy, Debug)]
pub enum RuleChoice<'a> {
    /// The Sichuan set in force on the issuance date ([`rule_set_for`]).
    SichuanByDate,
    /// One set for every issuance (e.g. `national-2018`, or a city's own stricter set).
    Fixed(&'a AlertRuleSet),
}

impl<'a> RuleChoice<'a> {
    fn pick(self, date: NaiveDate) -> Result<&'a AlertRuleSet, EmergencyError> {
        match self {
            RuleChoice::SichuanByDate => rule_set_for(date).ok_or(EmergencyError::NoRuleSet(date)),
            RuleChoice::Fixed(r) => Ok(r),
        }
    }
}

/// Glossary names: 预警启动 / 升级 / 降级 / 解除. Serialized as [`AlertEventKind::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AlertEventKind {
    Start,
    Raise,
    Lower,
    Lift,
}

impl AlertEventKind {
    pub const ALL: [AlertEventKind; 4] =
        [AlertEventKind::Start, AlertEventKind::Raise, AlertEventKind::Lower, AlertEventKind::Lift];

    /// The one machine spelling (`start`, `raise`, `lower`, `lift`; glossary): the alert log's
    /// `action`, CSV, JSON and the API.
    pub fn code(self) -> &'static str {
        match self {
            AlertEventKind::Start => "start",
            AlertEventKind::Raise => "raise",
            AlertEventKind::Lower => "lower",
            AlertEventKind::Lift => "lift",
        }
    }

    /// 启动 / 升级 / 降级 / 解除 (Chinese tables and pages).
    pub fn name_zh(self) -> &'static str {
        match self {
            AlertEventKind::Start => "启动",
            AlertEventKind::Raise => "升级",
            AlertEventKind::Lower => "降级",
            AlertEventKind::Lift => "解除",
        }
    }

    pub fn from_code(code: &str) -> Option<AlertEventKind> {
        AlertEventKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

crate::serde_as_code!(AlertEventKind);

/// What an event was decided on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The issuance the decision used.
    #[serde(with = "crate::beijing_time")]
    pub issued_at: NaiveDateTime,
    /// Start/raise/lower: the trigger days of the judged episode (with their AQI and range); lift:
    /// the clean days that meet the lifting condition.
    pub trigger_days: Vec<ForecastDay>,
    /// The judged episode's first and last heavy day (start/raise/lower).
    pub episode_start: Option<NaiveDate>,
    pub episode_end: Option<NaiveDate>,
    /// Lower: the first issuance of the run that showed the lower level.
    #[serde(with = "crate::beijing_time::option")]
    pub lower_pending_since: Option<NaiveDateTime>,
}

/// One step in the life of an alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertEvent {
    pub kind: AlertEventKind,
    /// The decision time (the issuance time; the core has no clock).
    #[serde(with = "crate::beijing_time")]
    pub at: NaiveDateTime,
    pub level_before: Option<AlertLevel>,
    pub level_after: Option<AlertLevel>,
    pub response_after: Option<ResponseLevel>,
    pub rule_set_id: String,
    /// The clause applied (the level rule, the lifting or the downgrade rule).
    pub clause: String,
    pub evidence: Evidence,
}

/// The alert of a city at a time, as known from the issuances up to then.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AlertState {
    /// Active level; `None`: no alert (never started, or lifted).
    pub level: Option<AlertLevel>,
    pub response: Option<ResponseLevel>,
    /// When the active level was set (its start, raise or lower).
    #[serde(with = "crate::beijing_time::option")]
    pub since: Option<NaiveDateTime>,
    /// When the active alert was started.
    #[serde(with = "crate::beijing_time::option")]
    pub started_at: Option<NaiveDateTime>,
    /// The issuance the level is based on (that of the event that set it).
    #[serde(with = "crate::beijing_time::option")]
    pub based_on: Option<NaiveDateTime>,
    /// The latest issuance taken into account.
    #[serde(with = "crate::beijing_time::option")]
    pub last_issuance: Option<NaiveDateTime>,
    /// The rule set that judged the latest issuance.
    pub rule_set_id: Option<String>,
}

/// All events of a city's alert, and the state after the last issuance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertLife {
    pub city: u32,
    pub events: Vec<AlertEvent>,
    pub state: AlertState,
}

struct Pending {
    since: NaiveDateTime,
    target: AlertLevel,
}

/// Replays the alert of `city` over its forecast issuances (sorted here by `issued_at`; two at the
/// same time are an error). Each issuance is judged by the rule set `choice` gives for its date,
/// looking only at its days on or after the issuance date.
///
/// [D] decision rules, applied per issuance in time order:
/// - **No alert**: start at the level of the first episode of the forecast that meets a level
///   (evidence: its trigger days); the episode may begin later than the issuance (alerts are issued
///   ahead, in principle 24 h).
/// - **Alert active, lift**: when the forecast's first `lifting.min_days()` days (from the issuance
///   date) are all AQI ≤ `lifting.aqi_at_most` (≥ 36 h clean), the alert is lifted; if the same
///   forecast shows a later episode that meets a level, a new alert starts at the same time.
/// - **Alert active, otherwise** the measures stay. The judged level is that of the current episode
///   (the first episode, unless a clean run long enough to lift lies before it); when there is no
///   current episode or it meets no level, the judged level is the set's lowest level (only lifting
///   ends an alert). Higher than active → **raise** at once. Lower than active → **lower** only
///   when every issuance since the first one showing a lower level has shown a lower level and
///   that first one is at least `downgrade.min_hours` old; the new level is the highest level
///   shown in that run. Equal → nothing (a pending lowering is cancelled).
pub fn replay(city: u32, issuances: &[ForecastIssuance], choice: RuleChoice) -> Result<AlertLife, EmergencyError> {
    let mut sorted: Vec<&ForecastIssuance> = issuances.iter().collect();
    sorted.sort_by_key(|i| i.issued_at);
    for w in sorted.windows(2) {
        if w[0].issued_at == w[1].issued_at {
            return Err(EmergencyError::DuplicateIssuance(w[0].issued_at));
        }
    }
    let mut events: Vec<AlertEvent> = Vec::new();
    let mut state = AlertState::default();
    let mut pending: Option<Pending> = None;
    for issuance in sorted {
        let t = issuance.issued_at;
        let rules = choice.pick(t.date())?;
        validate_days(&issuance.days)?;
        let days: Vec<ForecastDay> = issuance.days.iter().filter(|d| d.date >= t.date()).copied().collect();
        let eps = episodes(rules, &days);
        state.last_issuance = Some(t);
        state.rule_set_id = Some(rules.id.clone());
        let lift_days = rules.lifting.min_days();
        let evidence = |trigger_days: Vec<ForecastDay>, ep: Option<(NaiveDate, NaiveDate)>| Evidence {
            issued_at: t,
            trigger_days,
            episode_start: ep.map(|e| e.0),
            episode_end: ep.map(|e| e.1),
            lower_pending_since: None,
        };
        let set_level = |events: &mut Vec<AlertEvent>,
                         state: &mut AlertState,
                         kind: AlertEventKind,
                         after: Option<AlertLevel>,
                         clause: String,
                         ev: Evidence| {
            events.push(AlertEvent {
                kind,
                at: t,
                level_before: state.level,
                level_after: after,
                response_after: after.and_then(|l| rules.response(l)),
                rule_set_id: rules.id.clone(),
                clause,
                evidence: ev,
            });
            state.level = after;
            state.response = after.and_then(|l| rules.response(l));
            state.since = after.map(|_| t);
            state.based_on = after.map(|_| t);
            match kind {
                AlertEventKind::Start => state.started_at = Some(t),
                AlertEventKind::Lift => state.started_at = None,
                _ => {}
            }
        };
        let mut may_start = true;
        if let Some(active) = state.level {
            let lifts = days.len() >= lift_days && first_clean_run(rules, &days[..lift_days], lift_days) == Some(0);
            if lifts {
                pending = None;
                let ev = evidence(days[..lift_days].to_vec(), None);
                set_level(&mut events, &mut state, AlertEventKind::Lift, None, rules.lifting.clause.clone(), ev);
            } else {
                may_start = false;
                let current = eps.first().filter(|e| {
                    let before = days.iter().take_while(|d| d.date < e.start_date).copied().collect::<Vec<_>>();
                    first_clean_run(rules, &before, lift_days).is_none()
                });
                let target = current.and_then(|e| e.level).unwrap_or_else(|| rules.lowest_level().min(active));
                let ep_span = current.map(|e| (e.start_date, e.end_date));
                let triggers = current.map(|e| e.trigger_days.clone()).unwrap_or_default();
                let clause = |level: AlertLevel| rules.level_rule(level).map(|l| l.clause.clone()).unwrap_or_default();
                if target > active {
                    pending = None;
                    let ev = evidence(triggers, ep_span);
                    set_level(&mut events, &mut state, AlertEventKind::Raise, Some(target), clause(target), ev);
                } else if target < active {
                    let p = pending.get_or_insert(Pending { since: t, target });
                    p.target = p.target.max(target);
                    let minutes = (t - p.since).num_minutes();
                    if minutes >= i64::from(rules.downgrade.min_hours) * 60 {
                        let (since, to) = (p.since, p.target);
                        pending = None;
                        let mut ev = evidence(triggers, ep_span);
                        ev.lower_pending_since = Some(since);
                        let text = format!("{} — {}", rules.downgrade.clause, clause(to));
                        set_level(&mut events, &mut state, AlertEventKind::Lower, Some(to), text, ev);
                    }
                } else {
                    pending = None;
                }
            }
        }
        if may_start && state.level.is_none() {
            if let Some(ep) = eps.iter().find(|e| e.level.is_some()) {
                let ev = evidence(ep.trigger_days.clone(), Some((ep.start_date, ep.end_date)));
                let clause = ep.clause.clone().unwrap_or_default();
                set_level(&mut events, &mut state, AlertEventKind::Start, ep.level, clause, ev);
            }
        }
    }
    Ok(AlertLife { city, events, state })
}

/// The alert of `city` at time `at`, judged only on the issuances issued at or before `at` (later
/// ones are ignored), so that a past decision can be replayed against what was known then.
pub fn state_at(
    city: u32,
    issuances: &[ForecastIssuance],
    choice: RuleChoice,
    at: NaiveDateTime,
) -> Result<AlertState, EmergencyError> {
    let known: Vec<ForecastIssuance> = issuances.iter().filter(|i| i.issued_at <= at).cloned().collect();
    replay(city, &known, choice).map(|life| life.state)
}
