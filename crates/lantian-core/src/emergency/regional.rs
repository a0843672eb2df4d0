//! Regional alerts (区域预警, emergency.md §3.2): contiguous groups of cities, and the four
//! joint-control regions of Notice §1.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::ResponseLevel;
use super::{evaluate_city, Adjacency, AlertLevel, AlertRuleSet, AlertScope, EmergencyError, ForecastDay, HigherCap};
use crate::regions::cities::{RegionId, SICHUAN_CITIES};

/// One city's daily forecast.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CityForecast {
    pub city: u32,
    pub days: Vec<ForecastDay>,
}

/// Which regional rule to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum RegionalBasis {
    /// Any run of contiguous cities (the rule set's `[regional]` rule).
    Contiguous,
    /// The four joint-control regions with a lead city (the rule set's `[joint_control]` rule).
    JointControl,
}

/// A city in a regional alert with its own city-alert level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberLevel {
    pub city: u32,
    pub name: String,
    pub level: AlertLevel,
}

/// A regional alert on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegionalAlertDay {
    pub date: NaiveDate,
    pub scope: AlertScope,
    pub level: AlertLevel,
    pub response: Option<ResponseLevel>,
    /// The joint-control lead city (Notice §1); `None` for a contiguous group.
    pub lead_city: Option<u32>,
    /// The member cities on a city alert that day, with their levels.
    pub members: Vec<MemberLevel>,
    /// Members above the regional level.
    pub members_above_level: u32,
    /// Contiguous rule: more than `max_higher_cities` members above the level (see [`HigherCap`]).
    pub higher_cap_exceeded: bool,
    pub rule_set_id: String,
}

/// A regional alert over consecutive days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegionalAlert {
    /// `Region(id)` for joint control; `Cities(codes)` (the union over the days) for a contiguous group.
    pub scope: AlertScope,
    /// The highest daily level.
    pub level: AlertLevel,
    pub response: Option<ResponseLevel>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub lead_city: Option<u32>,
    /// Every member city over the days with its highest level.
    pub members: Vec<MemberLevel>,
    pub higher_cap_exceeded: bool,
    pub rule_set_id: String,
}

fn city_name(code: u32) -> String {
    SICHUAN_CITIES.iter().find(|c| c.code == code).map_or_else(|| code.to_string(), |c| c.name.to_string())
}

/// The city-alert level of every city on every date: a city is at an episode's level on every date
/// from the episode's `start_date` to its `end_date` (the dates it is forecast to be on that alert).
pub fn city_levels_by_day(
    rules: &AlertRuleSet,
    forecasts: &[CityForecast],
) -> Result<BTreeMap<NaiveDate, BTreeMap<u32, AlertLevel>>, EmergencyError> {
    let mut seen = BTreeSet::new();
    let mut out: BTreeMap<NaiveDate, BTreeMap<u32, AlertLevel>> = BTreeMap::new();
    for f in forecasts {
        if !seen.insert(f.city) {
            return Err(EmergencyError::DuplicateCity(f.city));
        }
        for d in &f.days {
            out.entry(d.date).or_default();
        }
        for ep in evaluate_city(rules, &f.days)?.episodes {
            let Some(level) = ep.level else { continue };
            for d in f.days.iter().filter(|d| d.date >= ep.start_date && d.date <= ep.end_date) {
                let slot = out.entry(d.date).or_default().entry(f.city).or_insert(level);
                *slot = (*slot).max(level);
            }
        }
    }
    Ok(out)
}

fn members(levels: &BTreeMap<u32, AlertLevel>, cities: &[u32]) -> Vec<MemberLevel> {
    cities
        .iter()
        .filter_map(|c| levels.get(c).map(|l| MemberLevel { city: *c, name: city_name(*c), level: *l }))
        .collect()
}

/// Regional alerts day by day.
///
/// - [`RegionalBasis::Contiguous`] ([D], see [`RegionalRule`](super::RegionalRule)): each maximal
///   group of contiguous cities on a city alert is a candidate; its level is the highest level L such
///   that at least `min_cities` of its cities at ≥ L are contiguous among themselves; the members
///   are the whole group; `members_above_level` counts the group's cities above L and the
///   `max_higher_cities` cap flags or vetoes per `higher_cap`.
/// - [`RegionalBasis::JointControl`] ([D], see [`JointControlRule`](super::JointControlRule)): for
///   成都平原, 川南, 川东北 and 攀西 (川西北 has no lead and no joint-control alert), the highest level L
///   such that a group of member cities at ≥ L reaching the share (contiguous when required) exists;
///   the members are that group; the lead city is reported.
pub fn regional_alert_days(
    rules: &AlertRuleSet,
    adjacency: &Adjacency,
    forecasts: &[CityForecast],
    basis: RegionalBasis,
) -> Result<Vec<RegionalAlertDay>, EmergencyError> {
    match basis {
        RegionalBasis::Contiguous if rules.regional.is_none() => {
            return Err(EmergencyError::NoRegionalRule(rules.id.clone(), "regional"))
        }
        RegionalBasis::JointControl if rules.joint_control.is_none() => {
            return Err(EmergencyError::NoRegionalRule(rules.id.clone(), "joint_control"))
        }
        _ => {}
    }
    if basis == RegionalBasis::JointControl {
        if let Some(f) = forecasts.iter().find(|f| !SICHUAN_CITIES.iter().any(|c| c.code == f.city)) {
            return Err(EmergencyError::UnknownCity(f.city));
        }
    }
    let by_day = city_levels_by_day(rules, forecasts)?;
    let levels_desc: Vec<AlertLevel> = rules.levels.iter().rev().map(|l| l.level).collect();
    let mut out = Vec::new();
    for (date, levels) in &by_day {
        let at_least = |pool: &[u32], l: AlertLevel| -> BTreeSet<u32> {
            pool.iter().copied().filter(|c| levels.get(c).is_some_and(|x| *x >= l)).collect()
        };
        match basis {
            RegionalBasis::Contiguous => {
                let Some(rule) = &rules.regional else { continue };
                let alerted: BTreeSet<u32> = levels.keys().copied().collect();
                for group in adjacency.components(&alerted) {
                    let qualifying = levels_desc.iter().copied().find(|&l| {
                        adjacency.components(&at_least(&group, l)).iter().any(|g| g.len() >= rule.min_cities as usize)
                    });
                    let Some(level) = qualifying else { continue };
                    let above = group.iter().filter(|c| levels.get(c).is_some_and(|x| *x > level)).count() as u32;
                    let exceeded = above > rule.max_higher_cities;
                    if exceeded && rule.higher_cap == HigherCap::Veto {
                        continue;
                    }
                    out.push(RegionalAlertDay {
                        date: *date,
                        scope: AlertScope::Cities(group.clone()),
                        level,
                        response: rules.response(level),
                        lead_city: None,
                        members: members(levels, &group),
                        members_above_level: above,
                        higher_cap_exceeded: exceeded,
                        rule_set_id: rules.id.clone(),
                    });
                }
            }
            RegionalBasis::JointControl => {
                let Some(rule) = &rules.joint_control else { continue };
                for region in RegionId::ALL {
                    let Some(lead) = region.lead_city() else { continue };
                    let pool: Vec<u32> = SICHUAN_CITIES.iter().filter(|c| c.region == region).map(|c| c.code).collect();
                    let found = levels_desc.iter().copied().find_map(|l| {
                        let set = at_least(&pool, l);
                        let groups =
                            if rule.contiguous { adjacency.components(&set) } else { vec![set.into_iter().collect()] };
                        groups
                            .into_iter()
                            .filter(|g| rule.reaches_share(g.len(), pool.len()))
                            .max_by_key(|g| (g.len(), std::cmp::Reverse(g.first().copied())))
                            .map(|g| (l, g))
                    });
                    let Some((level, group)) = found else { continue };
                    let above = group.iter().filter(|c| levels.get(c).is_some_and(|x| *x > level)).count() as u32;
                    out.push(RegionalAlertDay {
                        date: *date,
                        scope: AlertScope::Region(region),
                        level,
                        response: rules.response(level),
                        lead_city: Some(lead),
                        members: members(levels, &group),
                        members_above_level: above,
                        higher_cap_exceeded: false,
                        rule_set_id: rules.id.clone(),
                    });
                }
            }
        }
    }
    Ok(out)
}

fn scope_cities(scope: &AlertScope) -> BTreeSet<u32> {
    match scope {
        AlertScope::City(c) => BTreeSet::from([*c]),
        AlertScope::Cities(v) => v.iter().copied().collect(),
        AlertScope::Region(r) => SICHUAN_CITIES.iter().filter(|c| c.region == *r).map(|c| c.code).collect(),
    }
}

/// Regional alerts merged over consecutive days ([D]): a day's alert extends an alert of the
/// previous day with the same region (joint control) or sharing at least one city (contiguous
/// groups); the merged alert has the highest daily level, the union of the cities, and each
/// member's highest level.
pub fn regional_alerts(
    rules: &AlertRuleSet,
    adjacency: &Adjacency,
    forecasts: &[CityForecast],
    basis: RegionalBasis,
) -> Result<Vec<RegionalAlert>, EmergencyError> {
    let days = regional_alert_days(rules, adjacency, forecasts, basis)?;
    let mut out: Vec<RegionalAlert> = Vec::new();
    for day in days {
        let previous = day.date.pred_opt();
        let found = out.iter_mut().find(|a| {
            Some(a.end_date) == previous
                && match (&a.scope, &day.scope) {
                    (AlertScope::Region(x), AlertScope::Region(y)) => x == y,
                    (x, y) => !scope_cities(x).is_disjoint(&scope_cities(y)),
                }
        });
        match found {
            Some(a) => {
                a.end_date = day.date;
                a.level = a.level.max(day.level);
                a.response = rules.response(a.level);
                a.higher_cap_exceeded |= day.higher_cap_exceeded;
                for m in day.members {
                    match a.members.iter_mut().find(|x| x.city == m.city) {
                        Some(x) => x.level = x.level.max(m.level),
                        None => a.members.push(m),
                    }
                }
                a.members.sort_by_key(|m| m.city);
                if let AlertScope::Cities(v) = &mut a.scope {
                    let mut all: BTreeSet<u32> = v.iter().copied().collect();
                    all.extend(a.members.iter().map(|m| m.city));
                    *v = all.into_iter().collect();
                }
            }
            None => out.push(RegionalAlert {
                scope: day.scope,
                level: day.level,
                response: day.response,
                start_date: day.date,
                end_date: day.date,
                lead_city: day.lead_city,
                members: day.members,
                higher_cap_exceeded: day.higher_cap_exceeded,
                rule_set_id: day.rule_set_id,
            }),
        }
    }
    Ok(out)
}

/// What an alert letter recommends to a city (glossary 预警启动 / 升级).
/// Serialized as [`LetterAction::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LetterAction {
    Start,
    Raise,
}

impl LetterAction {
    pub const ALL: [LetterAction; 2] = [LetterAction::Start, LetterAction::Raise];

    /// The alert-log spelling of the action ([`super::AlertEventKind::code`]).
    pub fn code(self) -> &'static str {
        self.kind().code()
    }

    /// 启动 / 升级.
    pub fn name_zh(self) -> &'static str {
        self.kind().name_zh()
    }

    pub fn kind(self) -> super::AlertEventKind {
        match self {
            LetterAction::Start => super::AlertEventKind::Start,
            LetterAction::Raise => super::AlertEventKind::Raise,
        }
    }
}

crate::serde_as_code!(LetterAction);

/// One recommendation of an alert letter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LetterItem {
    pub city: u32,
    pub name: String,
    pub action: LetterAction,
    pub level: AlertLevel,
    pub response: Option<ResponseLevel>,
    /// In effect from 00:00 of the first heavy day of the city's first qualifying episode.
    #[serde(with = "crate::beijing_time")]
    pub from: chrono::NaiveDateTime,
    /// The forecast days that made the level.
    pub trigger_days: Vec<ForecastDay>,
}

/// 预警函: the provincial office's letter recommending named cities to start or raise alerts from
/// 00:00 of given dates (emergency.md §3.2, practice 2019–2021). Cities may start earlier or higher.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertLetter {
    /// The consultation time (an argument: the core has no clock).
    #[serde(with = "crate::beijing_time")]
    pub issued_at: chrono::NaiveDateTime,
    pub rule_set_id: String,
    /// Ordered by level (highest first), then city code.
    pub items: Vec<LetterItem>,
}

/// Drafts an alert letter from the consultation's city forecasts ([D]): every city whose forecast has
/// an episode meeting a level is recommended that level from 00:00 of the episode's first heavy day
/// (its first qualifying episode), as `Start` when it has no active alert in `active` and `Raise`
/// when its active level is lower; cities already at that level or higher are left out.
pub fn alert_letter(
    rules: &AlertRuleSet,
    forecasts: &[CityForecast],
    active: &BTreeMap<u32, AlertLevel>,
    issued_at: chrono::NaiveDateTime,
) -> Result<AlertLetter, EmergencyError> {
    let mut seen = BTreeSet::new();
    let mut items = Vec::new();
    for f in forecasts {
        if !seen.insert(f.city) {
            return Err(EmergencyError::DuplicateCity(f.city));
        }
        let eval = evaluate_city(rules, &f.days)?;
        let Some(ep) = eval.episodes.iter().find(|e| e.level.is_some()) else { continue };
        let Some(level) = ep.level else { continue };
        let action = match active.get(&f.city) {
            None => LetterAction::Start,
            Some(cur) if *cur < level => LetterAction::Raise,
            Some(_) => continue,
        };
        items.push(LetterItem {
            city: f.city,
            name: city_name(f.city),
            action,
            level,
            response: ep.response,
            from: ep.start_date.and_time(chrono::NaiveTime::MIN),
            trigger_days: ep.trigger_days.clone(),
        });
    }
    items.sort_by(|a, b| b.level.cmp(&a.level).then(a.city.cmp(&b.city)));
    Ok(AlertLetter { issued_at, rule_set_id: rules.id.clone(), items })
}
