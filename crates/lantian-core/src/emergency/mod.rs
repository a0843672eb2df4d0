//! Heavy-pollution weather alerts (重污染天气预警): the alert rule sets as dated data, the city alert
//! level from a daily forecast, the life of an alert over successive forecast issuances, and regional
//! alerts (`shared/spec/emergency.md` §2–§3, worked example G).
//!
//! Pure: no clock, no I/O. The rule set is chosen by the **date of the decision** (the issuance
//! time of the forecast that is being judged), never by today's date. Every rule set is a TOML file
//! under `crates/lantian-core/rules/` (embedded with `include_str!`, parsed once, validated by a
//! test); each rule names its document and clause and carries a confidence mark
//! (`shared/spec/README.md`: [V] primary, [S] secondary, [U-*] unverified, [D] design).
//!
//! Shipped rule sets:
//!
//! | id | document | valid |
//! | --- | --- | --- |
//! | `national-2018` | 环办大气函〔2018〕875号 (national grading, selectable by id) | 2018-07-01 [U-low] … |
//! | `sichuan-2016` | 川办函〔2016〕208号 (blue … red) | 2016-12-01 [U-low] … 2018-02-05 |
//! | `sichuan-2018` | 川办函〔2018〕10号 | 2018-02-06 … 2022-02-28 [U-low] |
//! | `sichuan-2022` | 川办发〔2022〕17号 (试行) | 2022-03-01 [U-low] … 2024-10-17 |
//! | `sichuan-2024` | 川办发〔2024〕46号 | 2024-10-18 … |
//!
//! The Sichuan sets form one chain without gaps or overlaps; [`rule_set_for`] picks from it.

mod adjacency;
pub mod compliance;
pub mod control;
mod evaluate;
mod regional;
mod replay;

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::regions::cities::RegionId;

pub use adjacency::{sichuan_adjacency, Adjacency, AdjacencyMeta, AdjacentPair, SICHUAN_ADJACENCY_TOML};
pub use evaluate::{evaluate_city, CityEvaluation, Episode, ForecastDay};
pub use regional::{
    alert_letter, city_levels_by_day, regional_alert_days, regional_alerts, AlertLetter, CityForecast, LetterAction,
    LetterItem, MemberLevel, RegionalAlert, RegionalAlertDay, RegionalBasis,
};
pub use replay::{
    replay, state_at, AlertEvent, AlertEventKind, AlertLife, AlertState, Evidence, ForecastIssuance, RuleChoice,
};

/// Alert level (预警级别), ordered from the lowest: `Blue < Yellow < Orange < Red`. Serialized as
/// [`AlertLevel::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertLevel {
    /// 蓝色 — only in the 2016 Sichuan plan (AQI > 200 for 1 day); kept for historical replay.
    Blue,
    /// 黄色.
    Yellow,
    /// 橙色.
    Orange,
    /// 红色.
    Red,
}

impl AlertLevel {
    pub const ALL: [AlertLevel; 4] = [AlertLevel::Blue, AlertLevel::Yellow, AlertLevel::Orange, AlertLevel::Red];

    /// The one machine spelling (`blue`, `yellow`, `orange`, `red`): rule files, the alert log, CSV,
    /// JSON and the API.
    pub fn code(self) -> &'static str {
        match self {
            AlertLevel::Blue => "blue",
            AlertLevel::Yellow => "yellow",
            AlertLevel::Orange => "orange",
            AlertLevel::Red => "red",
        }
    }

    /// The colour alone (蓝色, 黄色, 橙色, 红色).
    pub fn color_zh(self) -> &'static str {
        match self {
            AlertLevel::Blue => "蓝色",
            AlertLevel::Yellow => "黄色",
            AlertLevel::Orange => "橙色",
            AlertLevel::Red => "红色",
        }
    }

    /// The level as Chinese tables and pages write it (黄色预警).
    pub fn name_zh(self) -> &'static str {
        match self {
            AlertLevel::Blue => "蓝色预警",
            AlertLevel::Yellow => "黄色预警",
            AlertLevel::Orange => "橙色预警",
            AlertLevel::Red => "红色预警",
        }
    }

    /// The level as English pages write it (`Yellow alert`).
    pub fn name_en(self) -> &'static str {
        match self {
            AlertLevel::Blue => "Blue alert",
            AlertLevel::Yellow => "Yellow alert",
            AlertLevel::Orange => "Orange alert",
            AlertLevel::Red => "Red alert",
        }
    }

    pub fn from_code(code: &str) -> Option<AlertLevel> {
        AlertLevel::ALL.into_iter().find(|l| l.code() == code)
    }
}

crate::serde_as_code!(AlertLevel);

/// Emergency response level (应急响应级别); Ⅰ is the highest. Ordered `III < II < I`. Serialized
/// as [`ResponseLevel::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResponseLevel {
    III,
    II,
    I,
}

crate::serde_as_code!(ResponseLevel);

impl ResponseLevel {
    pub const ALL: [ResponseLevel; 3] = [ResponseLevel::III, ResponseLevel::II, ResponseLevel::I];

    /// The machine spelling (`iii`, `ii`, `i`); the rule files write `III`, `II`, `I`.
    pub fn code(self) -> &'static str {
        match self {
            ResponseLevel::III => "iii",
            ResponseLevel::II => "ii",
            ResponseLevel::I => "i",
        }
    }

    /// `III`/`iii` …
    pub fn from_code(code: &str) -> Option<ResponseLevel> {
        ResponseLevel::ALL.into_iter().find(|r| r.code().eq_ignore_ascii_case(code))
    }
    /// The response as English pages write it (`Level III response`).
    pub fn name_en(self) -> &'static str {
        match self {
            ResponseLevel::III => "Level III response",
            ResponseLevel::II => "Level II response",
            ResponseLevel::I => "Level I response",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ResponseLevel::III => "Ⅲ级",
            ResponseLevel::II => "Ⅱ级",
            ResponseLevel::I => "Ⅰ级",
        }
    }
}

/// What an alert covers (`emergency.md` §3.2, §7). Serialized as `{"kind": "city", "city": 510100}`,
/// `{"kind": "region", "region": "chengdu_plain"}` or `{"kind": "cities", "cities": [510100, …]}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertScope {
    /// One city (GB/T 2260 code).
    City(u32),
    /// A joint-control region (Notice §1).
    Region(RegionId),
    /// An explicit list of cities (GB/T 2260 codes, ascending), e.g. a contiguous group.
    Cities(Vec<u32>),
}

impl Serialize for AlertScope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        enum Repr<'a> {
            City { city: u32 },
            Region { region: RegionId },
            Cities { cities: &'a [u32] },
        }
        match self {
            AlertScope::City(c) => Repr::City { city: *c },
            AlertScope::Region(r) => Repr::Region { region: *r },
            AlertScope::Cities(v) => Repr::Cities { cities: v },
        }
        .serialize(s)
    }
}

/// Confidence mark of a rule parameter (`shared/spec/README.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Confidence {
    /// Verified against the primary text.
    #[serde(rename = "V")]
    V,
    /// Verified against a secondary public source.
    #[serde(rename = "S")]
    S,
    #[serde(rename = "U-high")]
    UHigh,
    #[serde(rename = "U-med")]
    UMed,
    #[serde(rename = "U-low")]
    ULow,
    /// Design decision (a configuration value).
    #[serde(rename = "D")]
    D,
}

impl Confidence {
    /// The mark as the spec writes it (`V`, `S`, `U-high`, `U-med`, `U-low`, `D`).
    pub fn mark(self) -> &'static str {
        match self {
            Confidence::V => "V",
            Confidence::S => "S",
            Confidence::UHigh => "U-high",
            Confidence::UMed => "U-med",
            Confidence::ULow => "U-low",
            Confidence::D => "D",
        }
    }

    /// What the mark means, as Chinese pages say it (the spec's README, "Confidence marks").
    pub fn words_zh(self) -> &'static str {
        match self {
            Confidence::V => "已据原文核实",
            Confidence::S => "已据公开转载核实",
            Confidence::UHigh => "未见原文，把握较大，待核实",
            Confidence::UMed => "未见原文，把握一般，待核实",
            Confidence::ULow => "未见原文，把握较小，待核实",
            Confidence::D => "设计取值，无正式规定",
        }
    }

    /// What the mark means, as English pages say it.
    pub fn words_en(self) -> &'static str {
        match self {
            Confidence::V => "verified against the official text",
            Confidence::S => "verified against a public reprint",
            Confidence::UHigh => "official text not found; fairly sure; to be checked",
            Confidence::UMed => "official text not found; moderately sure; to be checked",
            Confidence::ULow => "official text not found; unsure; to be checked",
            Confidence::D => "a design choice; no official rule",
        }
    }
}

/// Whose rule set it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Jurisdiction {
    National,
    Sichuan,
}

/// The AQI thresholds the level conditions count against (daily AQI = 24-h mean, HJ 633).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    /// A heavy day (重污染) has AQI strictly above this (200).
    pub heavy_above: u32,
    /// A severe day (严重污染) has AQI strictly above this (300).
    pub severe_above: u32,
    /// "AQI reaching 500": AQI at least this (500).
    pub extreme_at_least: u32,
    pub clause: String,
    pub confidence: Confidence,
}

/// One way to meet a level: all three minimums hold within one episode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelCondition {
    /// Days with AQI > `heavy_above` within the episode.
    #[serde(default)]
    pub min_heavy_days: u32,
    /// Days with AQI > `severe_above` within the episode.
    #[serde(default)]
    pub min_severe_days: u32,
    /// Days with AQI ≥ `extreme_at_least` within the episode.
    #[serde(default)]
    pub min_extreme_days: u32,
}

/// The start condition of one level and its response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LevelRule {
    pub level: AlertLevel,
    /// Response level started with the alert; `None` for blue.
    pub response: Option<ResponseLevel>,
    /// The level is met when any one of these conditions holds.
    pub any_of: Vec<LevelCondition>,
    /// The clause of the document, quoted or summarised.
    pub clause: String,
    pub confidence: Confidence,
}

/// Lifting (解除): AQI ≤ `aqi_at_most` expected for ≥ `min_hours`. Two forecast episodes whose gap
/// cannot meet it are one episode (emergency.md §1, §3.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LiftRule {
    pub aqi_at_most: u32,
    pub min_hours: u32,
    pub clause: String,
    pub confidence: Confidence,
}

impl LiftRule {
    /// With daily forecasts (one 24-h mean a day): the number of consecutive days at or below
    /// `aqi_at_most` that cover `min_hours` — ⌈min_hours / 24⌉ (36 h → 2 days, worked example G).
    pub fn min_days(&self) -> usize {
        self.min_hours.div_ceil(24) as usize
    }
}

/// Lowering (降级) needs the lower level to have been forecast for `min_hours` (see [`replay`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DowngradeRule {
    pub min_hours: u32,
    pub clause: String,
    pub confidence: Confidence,
}

/// When the measures of a raised level take effect (升级后新级别措施的执行时间). Until then the
/// measures of the level held before stay in force (the lower level's plan); compliance judges
/// plants against each level only from its effective time, and `/alerts` shows it per level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "takes_effect", rename_all = "snake_case")]
pub enum RaiseEffect {
    /// From 00:00 of the day after the decision (the provincial alert letters raise "from 00:00 of"
    /// a named day, `emergency.md` §3.2).
    NextDay,
    /// `hours` after the decision (plans that say "升级后 N 小时内落实").
    AfterHours { hours: u32 },
}

/// The raising rule of a set: when a raised level's measures take effect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RaiseRule {
    #[serde(flatten)]
    pub effect: RaiseEffect,
    pub clause: String,
    pub confidence: Confidence,
}

impl RaiseRule {
    /// When the measures of a level raised at `decided` take effect.
    pub fn effective_at(&self, decided: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
        match self.effect {
            RaiseEffect::NextDay => (decided.date() + chrono::Duration::days(1)).and_time(chrono::NaiveTime::MIN),
            RaiseEffect::AfterHours { hours } => decided + chrono::Duration::hours(i64::from(hours)),
        }
    }

    /// The rule in words, for pages and tables (升级决定次日0时起执行新级别措施).
    pub fn describe_zh(&self) -> String {
        match self.effect {
            RaiseEffect::NextDay => "升级决定次日0时起执行新级别措施，此前执行原级别措施".to_string(),
            RaiseEffect::AfterHours { hours } => {
                format!("升级决定后{hours}小时起执行新级别措施，此前执行原级别措施")
            }
        }
    }

    /// The rule in words, as English pages say it.
    pub fn describe_en(&self) -> String {
        match self.effect {
            RaiseEffect::NextDay => {
                "a raised level's measures apply from 00:00 the day after the decision; until then the former level's"
                    .to_string()
            }
            RaiseEffect::AfterHours { hours } => format!(
                "a raised level's measures apply {hours} hours after the decision; until then the former level's"
            ),
        }
    }
}

/// What the regional rule does when more than `max_higher_cities` cities of a qualifying group are
/// at a higher level than the group's level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HigherCap {
    /// [D] default: the regional alert still starts at the group's level and is flagged
    /// (`higher_cap_exceeded`) for the consultation.
    Flag,
    /// Literal reading: no regional alert for that group.
    Veto,
}

/// The contiguous-cities regional rule (2016 plan: ≥ 5 contiguous prefecture-level cities forecast to
/// start a city alert of a level, at most 3 of them higher).
///
/// [D] interpretation (see [`regional_alert_days`]): on each day, every maximal group of contiguous
/// cities that are on a city alert (any level) is one candidate; its regional level is the highest
/// level L for which at least `min_cities` of its cities at level ≥ L are themselves contiguous. The
/// "at most `max_higher_cities` above L" clause is checked on the whole group and handled by
/// `higher_cap` (default [`HigherCap::Flag`]): a literal veto would leave a province-scale episode with
/// 4 red cities and 1 yellow city without any regional alert, which cannot be the plan's intent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegionalRule {
    pub min_cities: u32,
    pub max_higher_cities: u32,
    pub higher_cap: HigherCap,
    pub clause: String,
    pub confidence: Confidence,
}

/// When a joint-control region (成都平原, 川南, 川东北, 攀西; Notice §1) is on alert — [D], configurable:
/// on a day, a group of its member cities holding more than (`strictly_more`) or at least
/// `share_num/share_den` of the members, contiguous among themselves when `contiguous`, is on a city
/// alert of level ≥ L; the region's level is the highest such L.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JointControlRule {
    pub share_num: u32,
    pub share_den: u32,
    pub strictly_more: bool,
    pub contiguous: bool,
    pub clause: String,
    pub confidence: Confidence,
}

impl JointControlRule {
    /// Whether `group` cities out of `members` reach the share (exact integer arithmetic).
    pub fn reaches_share(&self, group: usize, members: usize) -> bool {
        let lhs = group as u64 * u64::from(self.share_den);
        let rhs = members as u64 * u64::from(self.share_num);
        if self.strictly_more {
            lhs > rhs
        } else {
            lhs >= rhs
        }
    }
}

/// A validated alert rule set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertRuleSet {
    pub id: String,
    pub name: String,
    /// The document number (文号).
    pub document: String,
    pub jurisdiction: Jurisdiction,
    /// First day in force.
    pub valid_from: NaiveDate,
    pub valid_from_confidence: Confidence,
    /// Last day in force (inclusive); `None`: still in force.
    pub valid_to: Option<NaiveDate>,
    pub valid_to_confidence: Option<Confidence>,
    /// Where the rules were read (addresses, spec sections).
    pub source: String,
    /// Overall confidence of the set.
    pub confidence: Confidence,
    pub notes: String,
    pub thresholds: Thresholds,
    /// One rule per level, ascending by level.
    pub levels: Vec<LevelRule>,
    pub lifting: LiftRule,
    pub downgrade: DowngradeRule,
    /// When a raised level's measures take effect.
    pub raising: RaiseRule,
    /// Contiguous-cities regional alerts; `None` when the set has no regional rule (national).
    pub regional: Option<RegionalRule>,
    /// Joint-control region alerts; `None` when the set has none (national).
    pub joint_control: Option<JointControlRule>,
}

/// A rule file could not be used; the message names the key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("alert rules: {key}: {message}")]
pub struct RuleError {
    pub key: String,
    pub message: String,
}

pub(crate) fn rule_err(key: &str, message: impl Into<String>) -> RuleError {
    RuleError { key: key.to_string(), message: message.into() }
}

/// Input that the alert functions cannot judge.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmergencyError {
    #[error("forecast days must be consecutive dates in ascending order: {date} follows {previous}")]
    NotConsecutive { previous: NaiveDate, date: NaiveDate },
    #[error("forecast day {date}: AQI range {low}–{high} is inverted")]
    InvertedRange { date: NaiveDate, low: u32, high: u32 },
    #[error("no alert rule set in force on {0}")]
    NoRuleSet(NaiveDate),
    #[error("two forecast issuances at the same time {0}")]
    DuplicateIssuance(chrono::NaiveDateTime),
    #[error("city {0} appears twice")]
    DuplicateCity(u32),
    #[error("city {0} is not a Sichuan city")]
    UnknownCity(u32),
    #[error("rule set {0} has no {1} rule")]
    NoRegionalRule(String, &'static str),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    rule_set: RawMeta,
    thresholds: RawThresholds,
    level: Vec<RawLevel>,
    lifting: RawLift,
    downgrade: RawDowngrade,
    raising: RawRaising,
    regional: Option<RawRegional>,
    joint_control: Option<RawJoint>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: String,
    name: String,
    document: String,
    jurisdiction: Jurisdiction,
    valid_from: String,
    valid_from_confidence: Confidence,
    valid_to: Option<String>,
    valid_to_confidence: Option<Confidence>,
    source: String,
    confidence: Confidence,
    #[serde(default)]
    notes: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    heavy_above: u32,
    severe_above: u32,
    extreme_at_least: u32,
    clause: String,
    confidence: Confidence,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    level: String,
    response: String,
    any_of: Vec<LevelCondition>,
    clause: String,
    confidence: Confidence,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLift {
    aqi_at_most: u32,
    min_hours: u32,
    clause: String,
    confidence: Confidence,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDowngrade {
    min_hours: u32,
    clause: String,
    confidence: Confidence,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRaising {
    /// `next_day` or `after_hours` (with `hours`).
    takes_effect: String,
    hours: Option<u32>,
    clause: String,
    confidence: Confidence,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegional {
    min_cities: u32,
    max_higher_cities: u32,
    higher_cap: String,
    clause: String,
    confidence: Confidence,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJoint {
    share_num: u32,
    share_den: u32,
    strictly_more: bool,
    contiguous: bool,
    clause: String,
    confidence: Confidence,
}

fn date(key: &str, text: &str) -> Result<NaiveDate, RuleError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|e| rule_err(key, format!("expected a date YYYY-MM-DD, found {text:?} ({e})")))
}

impl AlertRuleSet {
    /// Parses and validates a rule file: unknown or missing keys, levels out of order or repeated,
    /// empty or all-zero conditions, thresholds out of order, a lifting AQI not below the heavy
    /// threshold and a validity period that ends before it starts are errors naming the key.
    pub fn parse(text: &str) -> Result<AlertRuleSet, RuleError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| rule_err("(file)", e.to_string()))?;
        let m = raw.rule_set;
        if m.id.trim().is_empty() {
            return Err(rule_err("rule_set.id", "empty"));
        }
        let valid_from = date("rule_set.valid_from", &m.valid_from)?;
        let valid_to = m.valid_to.as_deref().map(|t| date("rule_set.valid_to", t)).transpose()?;
        if let Some(to) = valid_to {
            if to < valid_from {
                return Err(rule_err("rule_set.valid_to", "before valid_from"));
            }
            if m.valid_to_confidence.is_none() {
                return Err(rule_err("rule_set.valid_to_confidence", "missing (valid_to is given)"));
            }
        }
        let t = raw.thresholds;
        if !(t.heavy_above < t.severe_above && t.severe_above < t.extreme_at_least) {
            return Err(rule_err("thresholds", "need heavy_above < severe_above < extreme_at_least"));
        }
        if raw.level.is_empty() {
            return Err(rule_err("level", "no levels"));
        }
        let mut levels: Vec<LevelRule> = Vec::new();
        for (i, l) in raw.level.into_iter().enumerate() {
            let key = format!("level[{i}]");
            let level = AlertLevel::from_code(&l.level)
                .ok_or_else(|| rule_err(&format!("{key}.level"), format!("unknown level {:?}", l.level)))?;
            if let Some(prev) = levels.last() {
                if prev.level >= level {
                    return Err(rule_err(&format!("{key}.level"), "levels must be listed once each, lowest first"));
                }
            }
            let response = match l.response.as_str() {
                "none" => None,
                code => Some(ResponseLevel::from_code(code).ok_or_else(|| {
                    rule_err(&format!("{key}.response"), format!("expected III, II, I or none, found {code:?}"))
                })?),
            };
            if l.any_of.is_empty() {
                return Err(rule_err(&format!("{key}.any_of"), "no condition"));
            }
            if l.any_of.iter().any(|c| *c == LevelCondition::default()) {
                return Err(rule_err(&format!("{key}.any_of"), "a condition with all minimums 0 always holds"));
            }
            levels.push(LevelRule { level, response, any_of: l.any_of, clause: l.clause, confidence: l.confidence });
        }
        if raw.lifting.aqi_at_most >= t.heavy_above {
            return Err(rule_err("lifting.aqi_at_most", "must be below thresholds.heavy_above"));
        }
        if raw.lifting.min_hours == 0 {
            return Err(rule_err("lifting.min_hours", "must be positive"));
        }
        let effect = match (raw.raising.takes_effect.as_str(), raw.raising.hours) {
            ("next_day", None) => RaiseEffect::NextDay,
            ("after_hours", Some(hours)) => RaiseEffect::AfterHours { hours },
            ("next_day", Some(_)) => return Err(rule_err("raising.hours", "only with takes_effect = \"after_hours\"")),
            ("after_hours", None) => return Err(rule_err("raising.hours", "missing (takes_effect = \"after_hours\")")),
            (other, _) => {
                return Err(rule_err(
                    "raising.takes_effect",
                    format!("expected next_day or after_hours, found {other:?}"),
                ))
            }
        };
        let raising = RaiseRule { effect, clause: raw.raising.clause, confidence: raw.raising.confidence };
        let regional = raw
            .regional
            .map(|r| {
                let higher_cap = match r.higher_cap.as_str() {
                    "flag" => HigherCap::Flag,
                    "veto" => HigherCap::Veto,
                    other => {
                        return Err(rule_err("regional.higher_cap", format!("expected flag or veto, found {other:?}")))
                    }
                };
                if r.min_cities < 2 {
                    return Err(rule_err("regional.min_cities", "must be at least 2"));
                }
                Ok(RegionalRule {
                    min_cities: r.min_cities,
                    max_higher_cities: r.max_higher_cities,
                    higher_cap,
                    clause: r.clause,
                    confidence: r.confidence,
                })
            })
            .transpose()?;
        let joint_control = raw
            .joint_control
            .map(|j| {
                if j.share_den == 0 || j.share_num > j.share_den {
                    return Err(rule_err("joint_control", "need 0 ≤ share_num ≤ share_den, share_den > 0"));
                }
                Ok(JointControlRule {
                    share_num: j.share_num,
                    share_den: j.share_den,
                    strictly_more: j.strictly_more,
                    contiguous: j.contiguous,
                    clause: j.clause,
                    confidence: j.confidence,
                })
            })
            .transpose()?;
        Ok(AlertRuleSet {
            id: m.id,
            name: m.name,
            document: m.document,
            jurisdiction: m.jurisdiction,
            valid_from,
            valid_from_confidence: m.valid_from_confidence,
            valid_to,
            valid_to_confidence: m.valid_to_confidence,
            source: m.source,
            confidence: m.confidence,
            notes: m.notes,
            thresholds: Thresholds {
                heavy_above: t.heavy_above,
                severe_above: t.severe_above,
                extreme_at_least: t.extreme_at_least,
                clause: t.clause,
                confidence: t.confidence,
            },
            levels,
            lifting: LiftRule {
                aqi_at_most: raw.lifting.aqi_at_most,
                min_hours: raw.lifting.min_hours,
                clause: raw.lifting.clause,
                confidence: raw.lifting.confidence,
            },
            downgrade: DowngradeRule {
                min_hours: raw.downgrade.min_hours,
                clause: raw.downgrade.clause,
                confidence: raw.downgrade.confidence,
            },
            raising,
            regional,
            joint_control,
        })
    }

    /// Whether the set is in force on `date` (valid_from ≤ date ≤ valid_to).
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && !matches!(self.valid_to, Some(to) if date > to)
    }

    /// The rule of one level, if the set has that level.
    pub fn level_rule(&self, level: AlertLevel) -> Option<&LevelRule> {
        self.levels.iter().find(|l| l.level == level)
    }

    /// The response started with `level` under this set (blue → none).
    pub fn response(&self, level: AlertLevel) -> Option<ResponseLevel> {
        self.level_rule(level).and_then(|l| l.response)
    }

    /// The lowest level the set defines.
    pub fn lowest_level(&self) -> AlertLevel {
        self.levels.first().map_or(AlertLevel::Yellow, |l| l.level)
    }
}

/// The shipped rule files, in chronological order of their documents.
pub const RULE_SET_TEXTS: [(&str, &str); 5] = [
    ("sichuan-2016", include_str!("../../rules/alert-sichuan-2016.toml")),
    ("sichuan-2018", include_str!("../../rules/alert-sichuan-2018.toml")),
    ("national-2018", include_str!("../../rules/alert-national-2018.toml")),
    ("sichuan-2022", include_str!("../../rules/alert-sichuan-2022.toml")),
    ("sichuan-2024", include_str!("../../rules/alert-sichuan-2024.toml")),
];

/// Every shipped rule set (parsed once).
pub fn rule_sets() -> &'static [AlertRuleSet] {
    static SETS: OnceLock<Vec<AlertRuleSet>> = OnceLock::new();
    SETS.get_or_init(|| {
        RULE_SET_TEXTS
            .iter()
            .map(|(id, text)| {
                AlertRuleSet::parse(text)
                    .unwrap_or_else(|e| panic!("embedded alert rule set {id} is invalid (see the rule_sets test): {e}"))
            })
            .collect()
    })
}

/// A shipped rule set by id (`national-2018`, `sichuan-2016`, …).
pub fn rule_set(id: &str) -> Option<&'static AlertRuleSet> {
    rule_sets().iter().find(|s| s.id == id)
}

/// The set of `jurisdiction` in force on the decision date.
pub fn rule_set_for_jurisdiction(jurisdiction: Jurisdiction, date: NaiveDate) -> Option<&'static AlertRuleSet> {
    rule_sets().iter().find(|s| s.jurisdiction == jurisdiction && s.in_force(date))
}

/// The Sichuan set in force on the decision date — the default for Sichuan cities. `None` before
/// the first shipped Sichuan set (2016).
pub fn rule_set_for(date: NaiveDate) -> Option<&'static AlertRuleSet> {
    rule_set_for_jurisdiction(Jurisdiction::Sichuan, date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("test date")
    }

    #[test]
    fn rule_sets_parse_and_chain() {
        let sets = rule_sets();
        assert_eq!(sets.len(), RULE_SET_TEXTS.len());
        for (id, _) in RULE_SET_TEXTS {
            assert_eq!(rule_set(id).map(|s| s.id.as_str()), Some(id));
        }
        let mut sichuan: Vec<&AlertRuleSet> = sets.iter().filter(|s| s.jurisdiction == Jurisdiction::Sichuan).collect();
        sichuan.sort_by_key(|s| s.valid_from);
        for w in sichuan.windows(2) {
            let to = w[0].valid_to.expect("only the last Sichuan set is open-ended");
            assert_eq!(to.succ_opt(), Some(w[1].valid_from), "{} → {}", w[0].id, w[1].id);
        }
        assert!(sichuan.last().is_some_and(|s| s.valid_to.is_none()));
        for s in sets {
            assert!(!s.source.is_empty() && !s.document.is_empty(), "{}", s.id);
            for l in &s.levels {
                assert!(!l.clause.is_empty(), "{} {:?}", s.id, l.level);
                let expected = match l.level {
                    AlertLevel::Blue => None,
                    AlertLevel::Yellow => Some(ResponseLevel::III),
                    AlertLevel::Orange => Some(ResponseLevel::II),
                    AlertLevel::Red => Some(ResponseLevel::I),
                };
                assert_eq!(l.response, expected, "{} {:?}", s.id, l.level);
            }
            assert_eq!(s.lifting.min_days(), 2);
            assert_eq!(s.jurisdiction == Jurisdiction::Sichuan, s.regional.is_some(), "{}", s.id);
            assert_eq!(s.jurisdiction == Jurisdiction::Sichuan, s.joint_control.is_some(), "{}", s.id);
        }
        assert_eq!(rule_set("sichuan-2016").map(|s| s.lowest_level()), Some(AlertLevel::Blue));
        assert_eq!(rule_set("sichuan-2022").map(|s| s.lowest_level()), Some(AlertLevel::Yellow));
    }

    #[test]
    fn rule_set_by_decision_date() {
        let id = |date| rule_set_for(date).map(|s| s.id.as_str());
        assert_eq!(id(d(2016, 11, 30)), None);
        assert_eq!(id(d(2016, 12, 1)), Some("sichuan-2016"));
        assert_eq!(id(d(2018, 2, 5)), Some("sichuan-2016"));
        assert_eq!(id(d(2018, 2, 6)), Some("sichuan-2018"));
        assert_eq!(id(d(2021, 11, 24)), Some("sichuan-2018"));
        assert_eq!(id(d(2022, 5, 28)), Some("sichuan-2022"));
        assert_eq!(id(d(2024, 10, 17)), Some("sichuan-2022"));
        assert_eq!(id(d(2024, 10, 18)), Some("sichuan-2024"));
        assert_eq!(id(d(2031, 1, 1)), Some("sichuan-2024"));
        assert_eq!(
            rule_set_for_jurisdiction(Jurisdiction::National, d(2022, 1, 1)).map(|s| s.id.as_str()),
            Some("national-2018")
        );
    }

    #[test]
    fn parse_errors_name_the_key() {
        let good = RULE_SET_TEXTS[4].1;
        let e = AlertRuleSet::parse(&good.replace("aqi_at_most = 150", "aqi_at_most = 250")).unwrap_err();
        assert_eq!(e.key, "lifting.aqi_at_most");
        let e = AlertRuleSet::parse(&good.replace("level = \"orange\"", "level = \"purple\"")).unwrap_err();
        assert_eq!(e.key, "level[1].level");
        let e = AlertRuleSet::parse(&good.replace("level = \"orange\"", "level = \"yellow\"")).unwrap_err();
        assert_eq!(e.key, "level[1].level");
        let e = AlertRuleSet::parse(&good.replace("valid_from = \"2024-10-18\"", "valid_from = \"2024-13-18\""))
            .unwrap_err();
        assert_eq!(e.key, "rule_set.valid_from");
        let e = AlertRuleSet::parse(&good.replace("min_cities = 5", "min_cities = 5\nsurprise = 1")).unwrap_err();
        assert_eq!(e.key, "(file)");
        assert!(e.message.contains("surprise"), "{}", e.message);
        let e = AlertRuleSet::parse(&good.replace("higher_cap = \"flag\"", "higher_cap = \"maybe\"")).unwrap_err();
        assert_eq!(e.key, "regional.higher_cap");
        let e =
            AlertRuleSet::parse(&good.replace("takes_effect = \"next_day\"", "takes_effect = \"soon\"")).unwrap_err();
        assert_eq!(e.key, "raising.takes_effect");
        let e = AlertRuleSet::parse(&good.replace("takes_effect = \"next_day\"", "takes_effect = \"after_hours\""))
            .unwrap_err();
        assert_eq!(e.key, "raising.hours");
    }

    #[test]
    fn a_raised_level_takes_effect_by_the_rule() {
        let at = |d: u32, h: u32, m: u32| d_(d).and_hms_opt(h, m, 0).expect("test time");
        fn d_(day: u32) -> NaiveDate {
            NaiveDate::from_ymd_opt(2022, 11, day).expect("test date")
        }
        // Every shipped set: from 00:00 of the day after the decision (a raise at 11-30 10:00 → 12-01 00:00;
        // one at 23:59 → the next minute; one at 00:00 → a whole day later).
        for s in rule_sets() {
            assert_eq!(s.raising.effect, RaiseEffect::NextDay, "{}", s.id);
            assert!(!s.raising.clause.is_empty(), "{}", s.id);
            assert_eq!(s.raising.effective_at(at(30, 10, 0)), d(2022, 12, 1).and_hms_opt(0, 0, 0).expect("t"));
            assert_eq!(s.raising.effective_at(at(29, 23, 59)), at(30, 0, 0));
            assert_eq!(s.raising.effective_at(at(29, 0, 0)), at(30, 0, 0));
        }
        // A set that says "within 12 hours".
        let twelve = AlertRuleSet::parse(
            &RULE_SET_TEXTS[4].1.replace("takes_effect = \"next_day\"", "takes_effect = \"after_hours\"\nhours = 12"),
        )
        .expect("parses");
        assert_eq!(twelve.raising.effect, RaiseEffect::AfterHours { hours: 12 });
        assert_eq!(twelve.raising.effective_at(at(30, 10, 0)), at(30, 22, 0));
    }
}
