//! Emergency measures, one-plant-one-policy (一厂一策) and the emergency control list (应急管控清单):
//! the Notice §3 (分类分级管控, 不搞"一刀切", 应急管控清单, 一厂一策) and `emergency.md` §4–§6.
//!
//! - [`Action`] and the default measure per (grade, level), as data ([`MeasureTemplates`],
//!   `rules/measure-templates-default-2020.toml`);
//! - [`PlantPlan`]: per level, per production line, an action and the expected daily reduction;
//! - [`check_adequacy`]: does a city's list reach the required reduction share (`emergency.md` §4)?
//! - [`one_size_flags`]: measures stricter than a grade allows, or a list that stops everybody.
//!
//! The alert level is taken as [`ControlLevel`] (yellow / orange / red), independent of the alert
//! module.

use chrono::NaiveDate;
use serde::Serialize;

use crate::air::conc::{parse_decimal, round_half_even, Ratio};
use crate::enterprises::credit_code::CreditCode;
use crate::enterprises::enterprise::{IndustryTable, PerformanceGrade};

/// The alert level a measure applies at (黄色 Ⅲ级 / 橙色 Ⅱ级 / 红色 Ⅰ级 response).
/// Serialized as [`ControlLevel::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ControlLevel {
    Yellow,
    Orange,
    Red,
}

impl ControlLevel {
    pub const ALL: [ControlLevel; 3] = [ControlLevel::Yellow, ControlLevel::Orange, ControlLevel::Red];

    pub fn name_zh(self) -> &'static str {
        match self {
            ControlLevel::Yellow => "黄色预警",
            ControlLevel::Orange => "橙色预警",
            ControlLevel::Red => "红色预警",
        }
    }

    /// The level as English pages write it (`Orange alert`).
    pub fn name_en(self) -> &'static str {
        match self {
            ControlLevel::Yellow => "Yellow alert",
            ControlLevel::Orange => "Orange alert",
            ControlLevel::Red => "Red alert",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ControlLevel::Yellow => "yellow",
            ControlLevel::Orange => "orange",
            ControlLevel::Red => "red",
        }
    }
}

crate::serde_as_code!(ControlLevel);

/// The four pollutants of the reduction ratios (`emergency.md` §4): SO2, NOx, PM (颗粒物), VOCs.
/// Serialized as [`ReductionPollutant::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReductionPollutant {
    So2,
    Nox,
    Pm,
    Vocs,
}

impl ReductionPollutant {
    pub const ALL: [ReductionPollutant; 4] =
        [ReductionPollutant::So2, ReductionPollutant::Nox, ReductionPollutant::Pm, ReductionPollutant::Vocs];

    pub fn code(self) -> &'static str {
        match self {
            ReductionPollutant::So2 => "so2",
            ReductionPollutant::Nox => "nox",
            ReductionPollutant::Pm => "pm",
            ReductionPollutant::Vocs => "vocs",
        }
    }

    /// The English name (pages in English).
    pub fn name_en(self) -> &'static str {
        match self {
            ReductionPollutant::So2 => "SO2",
            ReductionPollutant::Nox => "NOx",
            ReductionPollutant::Pm => "Particulate matter",
            ReductionPollutant::Vocs => "VOCs",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ReductionPollutant::So2 => "二氧化硫",
            ReductionPollutant::Nox => "氮氧化物",
            ReductionPollutant::Pm => "颗粒物",
            ReductionPollutant::Vocs => "挥发性有机物",
        }
    }
}

crate::serde_as_code!(ReductionPollutant);

/// One value per reduction pollutant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PerPollutant<T> {
    pub so2: T,
    pub nox: T,
    pub pm: T,
    pub vocs: T,
}

impl<T: Copy> PerPollutant<T> {
    pub fn get(&self, p: ReductionPollutant) -> T {
        match p {
            ReductionPollutant::So2 => self.so2,
            ReductionPollutant::Nox => self.nox,
            ReductionPollutant::Pm => self.pm,
            ReductionPollutant::Vocs => self.vocs,
        }
    }

    pub fn uniform(v: T) -> PerPollutant<T> {
        PerPollutant { so2: v, nox: v, pm: v, vocs: v }
    }
}

/// Emissions or reductions in thousandths of the units the input files use: **grams per day** for
/// reductions and baselines (the files give kg/day with up to three decimals), **kilograms per year** for
/// an inventory (the files give t/yr). The adequacy ratio is the same in any consistent unit.
pub type Emissions = PerPollutant<i64>;

impl std::ops::Add for PerPollutant<i64> {
    type Output = Emissions;
    fn add(self, o: Emissions) -> Emissions {
        Emissions { so2: self.so2 + o.so2, nox: self.nox + o.nox, pm: self.pm + o.pm, vocs: self.vocs + o.vocs }
    }
}

/// An emergency measure for a production line (`emergency.md` §5–§6; 停产 / 限产 / 错峰生产 / 自主减排).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 自主采取减排措施: no mandatory restriction.
    Autonomous,
    /// 停产: the line stops.
    Stop,
    /// 限产: the load is capped at `pct` % of normal (so `LimitLoad { pct: 70 }` cuts 30 %).
    LimitLoad { pct: u8 },
    /// 停止特定工序: a named process stops (its share of the plant is stated by the line weights).
    StopProcess { name: String },
    /// 错峰生产: `hours` hours off production per day.
    Shift { hours: u8 },
}

/// A text is not an action.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("not an action: {0:?} (autonomous, stop, limit_load:P, stop_process:NAME, shift:H)")]
pub struct ActionParseError(pub String);

impl Action {
    /// Parses the data-file form: `autonomous`, `stop`, `limit_load:70`, `stop_process:烧结`,
    /// `shift:8`. `limit_load` is 0–100; `shift` is 0–24.
    pub fn parse(text: &str) -> Result<Action, ActionParseError> {
        let t = text.trim();
        let bad = || ActionParseError(text.to_string());
        Ok(match t.split_once(':') {
            None if t == "autonomous" => Action::Autonomous,
            None if t == "stop" => Action::Stop,
            Some(("limit_load", p)) => {
                let pct: u8 = p.trim().parse().map_err(|_| bad())?;
                if pct > 100 {
                    return Err(bad());
                }
                Action::LimitLoad { pct }
            }
            Some(("shift", h)) => {
                let hours: u8 = h.trim().parse().map_err(|_| bad())?;
                if hours > 24 {
                    return Err(bad());
                }
                Action::Shift { hours }
            }
            Some(("stop_process", n)) if !n.trim().is_empty() => Action::StopProcess { name: n.trim().to_string() },
            _ => return Err(bad()),
        })
    }

    /// The share of normal activity the action allows (1 = unrestricted, 0 = stopped); `None` for a
    /// stopped process (the plant-level share depends on the process).
    pub fn allowed_share(&self) -> Option<Ratio> {
        match self {
            Action::Autonomous => Some(Ratio::new(1, 1)),
            Action::Stop => Some(Ratio::new(0, 1)),
            Action::LimitLoad { pct } => Some(Ratio::new(i128::from(*pct), 100)),
            Action::Shift { hours } => Some(Ratio::new(24 - i128::from((*hours).min(24)), 24)),
            Action::StopProcess { .. } => None,
        }
    }

    pub fn label_zh(&self) -> String {
        match self {
            Action::Autonomous => "自主减排".into(),
            Action::Stop => "停产".into(),
            Action::LimitLoad { pct } => format!("限产至{pct}%负荷"),
            Action::StopProcess { name } => format!("停止{name}工序"),
            Action::Shift { hours } => format!("错峰生产（每日停产{hours}小时）"),
        }
    }

    pub fn label_en(&self) -> String {
        match self {
            Action::Autonomous => "autonomous reduction".into(),
            Action::Stop => "stop production".into(),
            Action::LimitLoad { pct } => format!("load limited to {pct} %"),
            Action::StopProcess { name } => format!("stop process {name}"),
            Action::Shift { hours } => format!("shifted production ({hours} h off per day)"),
        }
    }
}

/// The default measure of a template cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateAction {
    Act(Action),
    /// 按"一厂一策": no default; the enterprise's own plan decides.
    PerPlan,
}

/// How provincial green benchmark enterprises (省级绿色标杆企业) are treated [U-low → D].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GreenBenchmarkTreatment {
    /// Like A / 引领性: autonomous at every level (the default).
    AsA,
    /// By their own performance grade only.
    ByGrade,
}

/// One row of the template: a grade's default measure at each level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MeasureTemplate {
    pub grade: PerformanceGrade,
    pub yellow: TemplateAction,
    pub orange: TemplateAction,
    pub red: TemplateAction,
    /// Confidence mark of the row.
    pub mark: String,
}

impl MeasureTemplate {
    pub fn at(&self, level: ControlLevel) -> &TemplateAction {
        match level {
            ControlLevel::Yellow => &self.yellow,
            ControlLevel::Orange => &self.orange,
            ControlLevel::Red => &self.red,
        }
    }
}

/// A rule table could not be loaded; the message names the key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("rules: {key}: {message}")]
pub struct RulesError {
    pub key: String,
    pub message: String,
}

fn rerr(key: impl Into<String>, message: impl Into<String>) -> RulesError {
    RulesError { key: key.into(), message: message.into() }
}

fn meta_str(t: &toml::Table, path: &str, k: &str) -> Result<String, RulesError> {
    t.get(k)
        .and_then(toml::Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| rerr(format!("{path}.{k}"), "missing or not a string"))
}

/// The default measures per (grade, level), as loaded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MeasureTemplates {
    pub id: String,
    pub version: String,
    pub source: String,
    pub green_benchmark: GreenBenchmarkTreatment,
    pub rows: Vec<MeasureTemplate>,
}

/// The shipped default templates.
pub const DEFAULT_TEMPLATES_TOML: &str = include_str!("../../rules/measure-templates-default-2020.toml");

impl MeasureTemplates {
    pub fn default_templates() -> Result<MeasureTemplates, RulesError> {
        MeasureTemplates::parse(DEFAULT_TEMPLATES_TOML)
    }

    /// Parses a template table; every grade must appear exactly once.
    pub fn parse(text: &str) -> Result<MeasureTemplates, RulesError> {
        let root: toml::Table = text.parse().map_err(|e: toml::de::Error| rerr("(file)", e.to_string()))?;
        let meta = root.get("templates").and_then(toml::Value::as_table).ok_or_else(|| rerr("templates", "missing"))?;
        let green = match meta_str(meta, "templates", "green_benchmark")?.as_str() {
            "as_a" => GreenBenchmarkTreatment::AsA,
            "by_grade" => GreenBenchmarkTreatment::ByGrade,
            other => {
                return Err(rerr("templates.green_benchmark", format!("expected as_a or by_grade, found {other:?}")))
            }
        };
        let list =
            root.get("template").and_then(toml::Value::as_array).ok_or_else(|| rerr("template", "missing array"))?;
        let mut rows: Vec<MeasureTemplate> = Vec::new();
        for (i, v) in list.iter().enumerate() {
            let path = format!("template[{i}]");
            let t = v.as_table().ok_or_else(|| rerr(&path, "expected a table"))?;
            let grade_text = meta_str(t, &path, "grade")?;
            let grade =
                PerformanceGrade::parse(&grade_text).map_err(|e| rerr(format!("{path}.grade"), e.to_string()))?;
            if rows.iter().any(|r| r.grade == grade) {
                return Err(rerr(format!("{path}.grade"), format!("grade {grade_text} appears twice")));
            }
            let act = |k: &str| -> Result<TemplateAction, RulesError> {
                let s = meta_str(t, &path, k)?;
                if s.trim() == "per_plan" {
                    return Ok(TemplateAction::PerPlan);
                }
                Action::parse(&s).map(TemplateAction::Act).map_err(|e| rerr(format!("{path}.{k}"), e.to_string()))
            };
            rows.push(MeasureTemplate {
                grade,
                yellow: act("yellow")?,
                orange: act("orange")?,
                red: act("red")?,
                mark: meta_str(t, &path, "mark")?,
            });
        }
        for g in PerformanceGrade::ALL {
            if !rows.iter().any(|r| r.grade == g) {
                return Err(rerr("template", format!("no row for grade {}", g.code())));
            }
        }
        Ok(MeasureTemplates {
            id: meta_str(meta, "templates", "id")?,
            version: meta_str(meta, "templates", "version")?,
            source: meta_str(meta, "templates", "source")?,
            green_benchmark: green,
            rows,
        })
    }

    /// The default measure of a grade at a level.
    pub fn action(&self, grade: PerformanceGrade, level: ControlLevel) -> &TemplateAction {
        self.rows.iter().find(|r| r.grade == grade).map_or(&TemplateAction::PerPlan, |r| r.at(level))
    }
}

/// A production line or key equipment of a plan (生产线/关键设备).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ProductionLine {
    pub name: String,
    /// Weight of the line in the plant's activity (e.g. rated power in kW or normal daily output), used
    /// to combine line measures into a plant-level allowed share; `None` when not stated.
    pub weight: Option<i64>,
    /// Baseline daily emissions of the line, g/day.
    pub baseline_daily: Emissions,
}

/// One measure of a plan: at `level`, `line` takes `action`, expected to cut `expected_reduction`
/// g/day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PlanMeasure {
    pub level: ControlLevel,
    pub line: String,
    pub action: Action,
    pub expected_reduction: Emissions,
}

/// An enterprise's one-plant-one-policy (一厂一策, `emergency.md` §6): versioned, per level and line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PlantPlan {
    pub version: String,
    pub valid_from: NaiveDate,
    pub lines: Vec<ProductionLine>,
    pub measures: Vec<PlanMeasure>,
}

/// How restrictive a plan is at a level, as a whole plant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Restriction {
    /// Some line is restricted beyond autonomous reduction.
    pub any_restricted: bool,
    /// Every line stops.
    pub all_stopped: bool,
    /// Plant-level allowed share of normal activity, when it can be computed (line weights, or a single
    /// line, or all lines alike).
    pub allowed_share: Option<Ratio>,
}

/// Something is wrong or doubtful in a plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanIssue {
    pub message_zh: String,
    pub message_en: String,
}

impl PlantPlan {
    pub fn measures_at(&self, level: ControlLevel) -> impl Iterator<Item = &PlanMeasure> {
        self.measures.iter().filter(move |m| m.level == level)
    }

    /// The plan's expected daily reduction at a level (sum over its measures), g/day.
    pub fn expected_reduction(&self, level: ControlLevel) -> Emissions {
        self.measures_at(level).fold(Emissions::default(), |a, m| a + m.expected_reduction)
    }

    /// Line names: declared lines, then any line only named by a measure.
    pub fn line_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.lines.iter().map(|l| l.name.clone()).collect();
        for m in &self.measures {
            if !names.contains(&m.line) {
                names.push(m.line.clone());
            }
        }
        names
    }

    /// The action of a line at a level (autonomous when the plan names none).
    pub fn action_of(&self, line: &str, level: ControlLevel) -> Action {
        self.measures_at(level).find(|m| m.line == line).map_or(Action::Autonomous, |m| m.action.clone())
    }

    /// The plan's plant-level restriction at a level.
    pub fn restriction(&self, level: ControlLevel) -> Restriction {
        let names = self.line_names();
        let actions: Vec<Action> = names.iter().map(|n| self.action_of(n, level)).collect();
        let any_restricted = actions.iter().any(|a| *a != Action::Autonomous);
        let all_stopped = !actions.is_empty() && actions.iter().all(|a| *a == Action::Stop);
        let shares: Option<Vec<Ratio>> = actions.iter().map(Action::allowed_share).collect();
        let weights: Option<Vec<i64>> = names
            .iter()
            .map(|n| self.lines.iter().find(|l| &l.name == n).and_then(|l| l.weight).filter(|w| *w > 0))
            .collect();
        let allowed_share = match (shares, weights) {
            (None, _) => None,
            (Some(s), _) if s.is_empty() => Some(Ratio::new(1, 1)),
            (Some(s), _) if s.iter().all(|x| *x == s[0]) => Some(s[0]),
            (Some(s), Some(w)) => {
                let total: i128 = w.iter().map(|x| i128::from(*x)).sum();
                let sum = s.iter().zip(&w).fold(Ratio::new(0, 1), |a, (r, x)| a + r.mul_int(i128::from(*x)));
                Some(sum.div_int(total).reduced())
            }
            _ => None,
        };
        Restriction { any_restricted, all_stopped, allowed_share }
    }

    /// Consistency checks: measures on undeclared lines, a line with two measures at one level,
    /// negative reductions, and a stricter level cutting less than a milder one.
    pub fn issues(&self) -> Vec<PlanIssue> {
        let mut out = Vec::new();
        for level in ControlLevel::ALL {
            let ms: Vec<&PlanMeasure> = self.measures_at(level).collect();
            for (i, m) in ms.iter().enumerate() {
                if !self.lines.is_empty() && !self.lines.iter().any(|l| l.name == m.line) {
                    out.push(PlanIssue {
                        message_zh: format!("{}措施涉及未登记的生产线 {}", level.name_zh(), m.line),
                        message_en: format!("{} measure names an undeclared line {}", level.code(), m.line),
                    });
                }
                if ms[..i].iter().any(|o| o.line == m.line) {
                    out.push(PlanIssue {
                        message_zh: format!("{}生产线 {} 有多条措施", level.name_zh(), m.line),
                        message_en: format!("line {} has more than one {} measure", m.line, level.code()),
                    });
                }
                if ReductionPollutant::ALL.iter().any(|p| m.expected_reduction.get(*p) < 0) {
                    out.push(PlanIssue {
                        message_zh: format!("{}生产线 {} 预期减排量为负", level.name_zh(), m.line),
                        message_en: format!("line {} has a negative expected {} reduction", m.line, level.code()),
                    });
                }
            }
        }
        for w in ControlLevel::ALL.windows(2) {
            let (lo, hi) = (self.expected_reduction(w[0]), self.expected_reduction(w[1]));
            for p in ReductionPollutant::ALL {
                if hi.get(p) < lo.get(p) {
                    out.push(PlanIssue {
                        message_zh: format!("{}{}减排量低于{}", w[1].name_zh(), p.name_zh(), w[0].name_zh()),
                        message_en: format!(
                            "{} reduction of {} is below the {} one",
                            w[1].code(),
                            p.code(),
                            w[0].code()
                        ),
                    });
                }
            }
        }
        out
    }
}

/// An enterprise on a city's emergency control list (应急管控清单, `emergency.md` §6–§7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ControlListEntry {
    pub credit_code: CreditCode,
    pub name: String,
    /// GB/T 2260 code of the city whose list this is.
    pub city_code: u32,
    /// Key-industry code (`None` = not a key industry).
    pub industry: Option<String>,
    pub grade: PerformanceGrade,
    /// 省级绿色标杆企业.
    pub is_green_benchmark: bool,
    /// 保障类企业.
    pub is_guarantee: bool,
    pub guarantee_reason: Option<String>,
    pub plan: PlantPlan,
}

// ---------------------------------------------------------------------------------------------
// Control-list adequacy (emergency.md §4)
// ---------------------------------------------------------------------------------------------

/// Which part of the year the inventory's daily basis stands for [D].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeasonBasis {
    /// Daily basis = annual total ÷ days of the inventory year (365 or 366).
    AnnualMean,
    /// Daily basis = annual total ÷ days × factor‰ per pollutant (e.g. 1200 for a winter month emitting
    /// 20 % above the annual mean), with a label naming the season.
    Seasonal { label: String, factor_permille: PerPollutant<i64> },
}

/// A city's emission inventory (排放清单): annual totals per pollutant in kilograms per year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct EmissionInventory {
    pub city_code: u32,
    pub inventory_year: i32,
    pub season_basis: SeasonBasis,
    /// kg/yr.
    pub annual_kg: Emissions,
    /// Where the inventory comes from.
    pub source: String,
}

fn days_in_year(y: i32) -> i64 {
    match (NaiveDate::from_ymd_opt(y, 1, 1), NaiveDate::from_ymd_opt(y + 1, 1, 1)) {
        (Some(a), Some(b)) => (b - a).num_days(),
        _ => 365,
    }
}

impl EmissionInventory {
    /// The daily basis of a pollutant in g/day, exact: `annual_kg × 1000 g/kg × factor‰ / 1000 / days`.
    pub fn daily_basis_g(&self, p: ReductionPollutant) -> Ratio {
        let days = i128::from(days_in_year(self.inventory_year));
        let factor = match &self.season_basis {
            SeasonBasis::AnnualMean => 1000,
            SeasonBasis::Seasonal { factor_permille, .. } => i128::from(factor_permille.get(p)),
        };
        Ratio::new(i128::from(self.annual_kg.get(p)) * factor, days).reduced()
    }
}

/// Required reduction shares per level and pollutant, percent (exact).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReductionTargets {
    pub id: String,
    pub version: String,
    pub source: String,
    pub mark: String,
    pub yellow: PerPollutant<Ratio>,
    pub orange: PerPollutant<Ratio>,
    pub red: PerPollutant<Ratio>,
}

/// The shipped targets (10 / 20 / 30 %, [U-high]).
pub const DEFAULT_TARGETS_TOML: &str = include_str!("../../rules/reduction-targets-2018.toml");

impl ReductionTargets {
    pub fn default_targets() -> Result<ReductionTargets, RulesError> {
        ReductionTargets::parse(DEFAULT_TARGETS_TOML)
    }

    /// Parses a target table (`[targets]` meta, `[yellow]`, `[orange]`, `[red]` with so2/nox/pm/vocs
    /// percent as exact decimals, 0–100).
    pub fn parse(text: &str) -> Result<ReductionTargets, RulesError> {
        let root: toml::Table = text.parse().map_err(|e: toml::de::Error| rerr("(file)", e.to_string()))?;
        let meta = root.get("targets").and_then(toml::Value::as_table).ok_or_else(|| rerr("targets", "missing"))?;
        let level = |name: &str| -> Result<PerPollutant<Ratio>, RulesError> {
            let t = root.get(name).and_then(toml::Value::as_table).ok_or_else(|| rerr(name, "missing table"))?;
            let v = |k: &str| -> Result<Ratio, RulesError> {
                let key = format!("{name}.{k}");
                let text = match t.get(k) {
                    Some(toml::Value::String(s)) => s.clone(),
                    Some(toml::Value::Integer(i)) => i.to_string(),
                    _ => return Err(rerr(&key, "missing, or not an integer or decimal string")),
                };
                let r = parse_decimal(&text).ok_or_else(|| rerr(&key, format!("not a decimal: {text:?}")))?;
                if r < Ratio::new(0, 1) || r > Ratio::new(100, 1) {
                    return Err(rerr(&key, "percent must be within 0–100"));
                }
                Ok(r)
            };
            Ok(PerPollutant { so2: v("so2")?, nox: v("nox")?, pm: v("pm")?, vocs: v("vocs")? })
        };
        Ok(ReductionTargets {
            id: meta_str(meta, "targets", "id")?,
            version: meta_str(meta, "targets", "version")?,
            source: meta_str(meta, "targets", "source")?,
            mark: meta_str(meta, "targets", "mark")?,
            yellow: level("yellow")?,
            orange: level("orange")?,
            red: level("red")?,
        })
    }

    pub fn at(&self, level: ControlLevel) -> &PerPollutant<Ratio> {
        match level {
            ControlLevel::Yellow => &self.yellow,
            ControlLevel::Orange => &self.orange,
            ControlLevel::Red => &self.red,
        }
    }
}

/// A non-industrial measure's reduction (construction-site earthwork stop, muck transport stop, traffic
/// restriction …), g/day at a level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct NonIndustrialMeasure {
    pub name: String,
    pub level: ControlLevel,
    pub reduction: Emissions,
    /// How the figure was estimated.
    pub basis: String,
}

/// Outcome of one pollutant's check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdequacyStatus {
    Pass,
    Fail,
    /// The inventory has no emissions of the pollutant: nothing to compare against.
    NoInventory,
}

/// One pollutant's adequacy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PollutantAdequacy {
    pub pollutant: ReductionPollutant,
    /// g/day from the listed enterprises.
    pub industrial_g: i64,
    /// g/day from non-industrial measures.
    pub non_industrial_g: i64,
    pub total_g: i64,
    /// Inventory daily basis, g/day (exact).
    pub daily_basis_g: Ratio,
    /// total / basis (exact); `None` without inventory.
    pub ratio: Option<Ratio>,
    /// The ratio in percent, one decimal, GB/T 8170 (half-even): "10.5".
    pub ratio_pct: Option<String>,
    /// Required share, percent.
    pub target_pct: Ratio,
    pub status: AdequacyStatus,
}

/// The control-list adequacy check of a city at a level (`ReductionCheck` of `emergency.md` §7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AdequacyReport {
    pub city_code: u32,
    pub level: ControlLevel,
    pub inventory_year: i32,
    pub season_basis: SeasonBasis,
    pub inventory_source: String,
    pub targets_id: String,
    pub targets_source: String,
    /// The basis in words (`emergency.md` §4 check, [D]).
    pub basis_note: String,
    pub rows: Vec<PollutantAdequacy>,
    /// Every pollutant with an inventory passes.
    pub pass: bool,
    /// Entries left out (another city's list), with the reason.
    pub excluded: Vec<String>,
}

/// `n / d` in percent with one decimal, GB/T 8170 half-even (`d > 0`).
fn pct_1dp(n: i128, d: i128) -> String {
    let tenths = round_half_even(n * 1000, d);
    let sign = if tenths < 0 { "-" } else { "" };
    let a = tenths.abs();
    format!("{sign}{}.{}", a / 10, a % 10)
}

/// Checks whether a city's emergency control list reaches the required reduction shares at a level
/// (`emergency.md` §4 [U-high], check [D]):
///
/// `ratio_p = (Σ listed enterprises' expected reduction_p(level) + Σ non-industrial reduction_p(level))
/// ÷ daily inventory basis_p`, pass when `ratio_p ≥ target_p(level)` for every pollutant.
///
/// Basis [D]: the daily basis is the inventory's annual total (kg/yr) spread over the days of the
/// inventory year (365/366), times the season factor when the inventory is seasonal; reductions are the
/// plans' expected g/day. The comparison is exact integer cross-multiplication
/// (`R·days·100·q ≥ p·A·factor` for a target `p/q` %), the percentage shown is rounded once.
pub fn check_adequacy(
    city_code: u32,
    level: ControlLevel,
    entries: &[ControlListEntry],
    non_industrial: &[NonIndustrialMeasure],
    inventory: &EmissionInventory,
    targets: &ReductionTargets,
) -> AdequacyReport {
    let mut excluded = Vec::new();
    let mut industrial = Emissions::default();
    for e in entries {
        if e.city_code != city_code {
            excluded.push(format!(
                "{} {}: 属于城市 {} / on city {}'s list",
                e.credit_code, e.name, e.city_code, e.city_code
            ));
            continue;
        }
        industrial = industrial + e.plan.expected_reduction(level);
    }
    let non_ind = non_industrial.iter().filter(|m| m.level == level).fold(Emissions::default(), |a, m| a + m.reduction);
    let target = targets.at(level);
    let mut rows = Vec::new();
    for p in ReductionPollutant::ALL {
        let total = industrial.get(p) + non_ind.get(p);
        let basis = inventory.daily_basis_g(p);
        let t = target.get(p);
        let (ratio, ratio_pct, status) = if basis.num <= 0 {
            (None, None, AdequacyStatus::NoInventory)
        } else {
            // ratio = total / (num/den) = total·den / num.
            let n = i128::from(total) * basis.den;
            let d = basis.num;
            // ratio ≥ t/100  ⇔  n·100·t.den ≥ t.num·d   (d, t.den > 0)
            let pass = n * 100 * t.den >= t.num * d;
            let st = if pass { AdequacyStatus::Pass } else { AdequacyStatus::Fail };
            (Some(Ratio::new(n, d).reduced()), Some(pct_1dp(n, d)), st)
        };
        rows.push(PollutantAdequacy {
            pollutant: p,
            industrial_g: industrial.get(p),
            non_industrial_g: non_ind.get(p),
            total_g: total,
            daily_basis_g: basis,
            ratio,
            ratio_pct,
            target_pct: t,
            status,
        });
    }
    let pass = rows.iter().all(|r| r.status != AdequacyStatus::Fail);
    let season = match &inventory.season_basis {
        SeasonBasis::AnnualMean => "annual mean (annual total ÷ days of the inventory year)".to_string(),
        SeasonBasis::Seasonal { label, .. } => format!("season {label} (annual total ÷ days × season factor)"),
    };
    AdequacyReport {
        city_code,
        level,
        inventory_year: inventory.inventory_year,
        season_basis: inventory.season_basis.clone(),
        inventory_source: inventory.source.clone(),
        targets_id: targets.id.clone(),
        targets_source: targets.source.clone(),
        basis_note: format!(
            "[D] reduction share = (Σ listed enterprises' expected g/day at {} + Σ non-industrial g/day) ÷ daily \
             inventory basis, {season}, inventory year {}; targets {} [{}]",
            level.code(),
            inventory.inventory_year,
            targets.id,
            targets.mark
        ),
        rows,
        pass,
        excluded,
    }
}

// ---------------------------------------------------------------------------------------------
// One-size-fits-all (不搞"一刀切", Notice §3)
// ---------------------------------------------------------------------------------------------

/// What kind of one-size-fits-all sign was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OneSizeKind {
    /// An A / 引领性 / green-benchmark enterprise is restricted beyond autonomous reduction.
    ExemptGradeRestricted,
    /// A better grade is restricted more than the next worse grade's default measure.
    StricterThanWorseGrade { worse: PerformanceGrade },
    /// Every enterprise on the list stops, whatever its grade.
    CityAllStopped,
}

/// A one-size-fits-all flag with its reason in Chinese and English.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OneSizeFlag {
    pub kind: OneSizeKind,
    pub level: ControlLevel,
    pub city_code: u32,
    /// The enterprise (none for a city-wide flag).
    pub credit_code: Option<CreditCode>,
    pub reason_zh: String,
    pub reason_en: String,
}

/// Whether a plant-level restriction is stricter than a template action (`None` = cannot tell, e.g. a
/// stopped process of unknown share).
fn stricter_than(r: &Restriction, t: &Action) -> Option<bool> {
    match t {
        Action::Stop => Some(false),
        Action::Autonomous => Some(r.any_restricted),
        _ if r.all_stopped => Some(true),
        _ => match (r.allowed_share, t.allowed_share()) {
            (Some(a), Some(b)) => Some(a < b),
            _ => None,
        },
    }
}

fn describe(r: &Restriction) -> (String, String) {
    if r.all_stopped {
        return ("全厂停产".into(), "the whole plant stops".into());
    }
    match r.allowed_share {
        Some(s) => (
            format!("允许负荷约{}%", pct_1dp(s.num, s.den)),
            format!("about {} % of normal activity allowed", pct_1dp(s.num, s.den)),
        ),
        None => ("部分工序停产".into(), "some processes stop".into()),
    }
}

/// Flags one-size-fits-all measures on a city's list at a level (Notice §3 "不搞'一刀切'"):
///
/// 1. an A / 引领性 enterprise (or a green benchmark enterprise when templates treat it as A) whose plan
///    restricts anything beyond autonomous reduction;
/// 2. an enterprise restricted more than the default measure of the next worse grade of its industry's
///    scheme (B stricter than C's default, …; the generic A→B→C→D / 引领性→非引领性 order when the
///    industry is unknown);
/// 3. a list where every enterprise stops, across different grades (≥ 2 enterprises and ≥ 2 grades, or
///    any exempt grade).
///
/// Guarantee-class enterprises (保障类) are not compared with grade templates (their measures are set
/// individually).
pub fn one_size_flags(
    city_code: u32,
    level: ControlLevel,
    entries: &[ControlListEntry],
    templates: &MeasureTemplates,
    industries: Option<&IndustryTable>,
) -> Vec<OneSizeFlag> {
    use PerformanceGrade::*;
    let mut flags = Vec::new();
    let entries: Vec<&ControlListEntry> = entries.iter().filter(|e| e.city_code == city_code).collect();
    for e in &entries {
        let r = e.plan.restriction(level);
        let green_exempt = e.is_green_benchmark && templates.green_benchmark == GreenBenchmarkTreatment::AsA;
        let exempt = matches!(e.grade, A | Leading) || green_exempt;
        let (dz, de) = describe(&r);
        if exempt {
            if r.any_restricted {
                let who_zh = if green_exempt && !matches!(e.grade, A | Leading) {
                    "省级绿色标杆企业".to_string()
                } else {
                    e.grade.label_zh().to_string()
                };
                let who_en = if green_exempt && !matches!(e.grade, A | Leading) {
                    "a provincial green benchmark enterprise".to_string()
                } else {
                    format!("grade {}", e.grade.code())
                };
                flags.push(OneSizeFlag {
                    kind: OneSizeKind::ExemptGradeRestricted,
                    level,
                    city_code,
                    credit_code: Some(e.credit_code.clone()),
                    reason_zh: format!(
                        "{}（{}）为{}，{}应自主采取减排措施，但一厂一策要求{}",
                        e.name,
                        e.credit_code,
                        who_zh,
                        level.name_zh(),
                        dz
                    ),
                    reason_en: format!(
                        "{} ({}) is {who_en} and should reduce autonomously at {}, but its plan says: {de}",
                        e.name,
                        e.credit_code,
                        level.code()
                    ),
                });
            }
            continue;
        }
        if e.is_guarantee {
            continue;
        }
        let scheme = industries.and_then(|t| e.industry.as_deref().and_then(|c| t.find(c))).map(|i| i.scheme);
        let worse = match scheme {
            Some(s) => s.next_worse(e.grade),
            None => match e.grade {
                B => Some(C),
                C => Some(D),
                _ => None,
            },
        };
        let Some(worse) = worse else { continue };
        let TemplateAction::Act(t) = templates.action(worse, level) else { continue };
        if stricter_than(&r, t) == Some(true) {
            flags.push(OneSizeFlag {
                kind: OneSizeKind::StricterThanWorseGrade { worse },
                level,
                city_code,
                credit_code: Some(e.credit_code.clone()),
                reason_zh: format!(
                    "{}（{}）为{}，{}措施（{}）严于{}企业的默认措施（{}）",
                    e.name,
                    e.credit_code,
                    e.grade.label_zh(),
                    level.name_zh(),
                    dz,
                    worse.label_zh(),
                    t.label_zh()
                ),
                reason_en: format!(
                    "{} ({}) is grade {} but its {} measures ({de}) are stricter than the default for grade {} ({})",
                    e.name,
                    e.credit_code,
                    e.grade.code(),
                    level.code(),
                    worse.code(),
                    t.label_en()
                ),
            });
        }
    }
    let grades: std::collections::BTreeSet<PerformanceGrade> = entries.iter().map(|e| e.grade).collect();
    let any_exempt = entries.iter().any(|e| matches!(e.grade, A | Leading) || e.is_green_benchmark);
    if entries.len() >= 2
        && (grades.len() >= 2 || any_exempt)
        && entries.iter().all(|e| e.plan.restriction(level).all_stopped)
    {
        let g: Vec<&str> = grades.iter().map(|g| g.label_zh()).collect();
        flags.push(OneSizeFlag {
            kind: OneSizeKind::CityAllStopped,
            level,
            city_code,
            credit_code: None,
            reason_zh: format!(
                "{}清单内全部{}家企业均停产，未按绩效等级（{}）差异化管控，疑似\"一刀切\"",
                level.name_zh(),
                entries.len(),
                g.join("、")
            ),
            reason_en: format!(
                "all {} enterprises on the list stop at {} whatever their grade ({}): suspected one-size-fits-all",
                entries.len(),
                level.code(),
                grades.iter().map(|g| g.code()).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    flags
}

/// The date-independent part of a plan check: does the plan cover every level (helper for UIs).
pub fn levels_without_measures(plan: &PlantPlan) -> Vec<ControlLevel> {
    ControlLevel::ALL.into_iter().filter(|l| plan.measures_at(*l).next().is_none()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CITY: u32 = 510600;

    fn code(s: &str) -> CreditCode {
        CreditCode::parse_lenient(s).expect("test code")
    }

    fn e(kg: [i64; 4]) -> Emissions {
        Emissions { so2: kg[0], nox: kg[1], pm: kg[2], vocs: kg[3] }
    }

    /// Fixture codes (not a test of the check character: `credit_code` has hand-checked vectors).
    fn test_code(n: u32) -> CreditCode {
        let first = format!("91510600MA{n:07}");
        let c = crate::enterprises::credit_code::check_character(&first).expect("17 chars");
        code(&format!("{first}{c}"))
    }

    /// One line "全厂", one action per level with its expected reduction.
    fn entry(
        n: u32,
        grade: PerformanceGrade,
        industry: Option<&str>,
        per_level: [(Action, [i64; 4]); 3],
    ) -> ControlListEntry {
        let measures = ControlLevel::ALL
            .iter()
            .zip(per_level)
            .map(|(l, (a, r))| PlanMeasure { level: *l, line: "全厂".into(), action: a, expected_reduction: e(r) })
            .collect();
        ControlListEntry {
            credit_code: test_code(n),
            name: format!("企业{n}"),
            city_code: CITY,
            industry: industry.map(str::to_string),
            grade,
            is_green_benchmark: false,
            is_guarantee: false,
            guarantee_reason: None,
            plan: PlantPlan {
                version: "2022.1".into(),
                valid_from: NaiveDate::from_ymd_opt(2022, 10, 1).expect("date"),
                lines: vec![ProductionLine { name: "全厂".into(), weight: None, baseline_daily: e([0; 4]) }],
                measures,
            },
        }
    }

    fn auto() -> (Action, [i64; 4]) {
        (Action::Autonomous, [0; 4])
    }

    fn limit(p: u8, r: [i64; 4]) -> (Action, [i64; 4]) {
        (Action::LimitLoad { pct: p }, r)
    }

    /// A synthetic city with one enterprise of every grade, following the default templates.
    fn graded_city() -> Vec<ControlListEntry> {
        use PerformanceGrade::*;
        vec![
            entry(1, A, Some("cement"), [auto(), auto(), auto()]),
            entry(2, Leading, Some("frp"), [auto(), auto(), auto()]),
            entry(
                3,
                B,
                Some("steel_integrated"),
                [limit(80, [300, 800, 200, 100]), limit(70, [450, 1200, 300, 150]), limit(50, [750, 2000, 500, 250])],
            ),
            entry(
                4,
                C,
                Some("coking"),
                [
                    limit(70, [400, 600, 300, 900]),
                    limit(50, [700, 1000, 500, 1500]),
                    limit(30, [1000, 1500, 700, 2100]),
                ],
            ),
            entry(
                5,
                D,
                Some("ceramics"),
                [
                    limit(50, [250, 400, 350, 50]),
                    (Action::Stop, [500, 800, 700, 100]),
                    (Action::Stop, [500, 800, 700, 100]),
                ],
            ),
            entry(
                6,
                NonLeading,
                Some("waterproof_material"),
                [limit(70, [0, 0, 0, 500]), limit(50, [0, 0, 0, 800]), limit(30, [0, 0, 0, 1100])],
            ),
            entry(
                7,
                Ungraded,
                None,
                [
                    (Action::StopProcess { name: "喷涂".into() }, [0, 0, 0, 450]),
                    (Action::StopProcess { name: "喷涂".into() }, [0, 0, 0, 450]),
                    (Action::Stop, [0, 0, 0, 600]),
                ],
            ),
        ]
    }

    /// 2021 (365 days): 3650 kg SO2 → 10 000 g/day; 7300 kg NOx → 20 000; 3650 kg PM → 10 000;
    /// 7300 kg VOCs → 20 000.
    fn inventory() -> EmissionInventory {
        EmissionInventory {
            city_code: CITY,
            inventory_year: 2021,
            season_basis: SeasonBasis::AnnualMean,
            annual_kg: e([3650, 7300, 3650, 7300]),
            source: "synthetic".into(),
        }
    }

    #[test]
    fn templates_and_targets_load() {
        let t = MeasureTemplates::default_templates().expect("templates");
        assert_eq!(t.action(PerformanceGrade::A, ControlLevel::Red), &TemplateAction::Act(Action::Autonomous));
        assert_eq!(t.action(PerformanceGrade::D, ControlLevel::Orange), &TemplateAction::Act(Action::Stop));
        assert_eq!(t.action(PerformanceGrade::Ungraded, ControlLevel::Yellow), &TemplateAction::PerPlan);
        assert_eq!(t.green_benchmark, GreenBenchmarkTreatment::AsA);
        let r = ReductionTargets::default_targets().expect("targets");
        assert_eq!(r.at(ControlLevel::Yellow).so2, Ratio::new(10, 1));
        assert_eq!(r.at(ControlLevel::Red).vocs, Ratio::new(30, 1));
        assert_eq!(r.mark, "U-high");
        // A table missing a grade is refused, naming it.
        let bad = DEFAULT_TEMPLATES_TOML.replace("grade = \"D\"", "grade = \"C\"");
        assert!(MeasureTemplates::parse(&bad).is_err());
    }

    #[test]
    fn actions_parse_and_share() {
        assert_eq!(Action::parse("limit_load:70"), Ok(Action::LimitLoad { pct: 70 }));
        assert_eq!(Action::parse("shift:8"), Ok(Action::Shift { hours: 8 }));
        assert_eq!(Action::parse("stop_process:烧结"), Ok(Action::StopProcess { name: "烧结".into() }));
        assert!(Action::parse("limit_load:101").is_err());
        assert!(Action::parse("halt").is_err());
        assert_eq!(Action::Shift { hours: 8 }.allowed_share(), Some(Ratio::new(2, 3)));
        assert_eq!(Action::StopProcess { name: "x".into() }.allowed_share(), None);
    }

    /// Yellow totals by hand: SO2 300+400+250 = 950; NOx 800+600+400 = 1800;
    /// PM 200+300+350 = 850 (+95 non-industrial = 945); VOCs 100+900+50+500+450 = 2000.
    /// Shares: SO2 950/10000 = 9.5 % (fail), NOx 1800/20000 = 9.0 % (fail),
    /// PM 945/10000 = 9.45 % → "9.4" by half-even (fail), VOCs 2000/20000 = 10.0 % (pass, exactly).
    #[test]
    fn scenario_adequacy_yellow() {
        let list = graded_city();
        let non = [NonIndustrialMeasure {
            name: "停止土方作业".into(),
            level: ControlLevel::Yellow,
            reduction: e([0, 0, 95, 0]),
            basis: "synthetic".into(),
        }];
        let t = ReductionTargets::default_targets().expect("targets");
        let r = check_adequacy(CITY, ControlLevel::Yellow, &list, &non, &inventory(), &t);
        let pct: Vec<Option<&str>> = r.rows.iter().map(|x| x.ratio_pct.as_deref()).collect();
        assert_eq!(pct, [Some("9.5"), Some("9.0"), Some("9.4"), Some("10.0")]);
        let st: Vec<AdequacyStatus> = r.rows.iter().map(|x| x.status).collect();
        use AdequacyStatus::*;
        assert_eq!(st, [Fail, Fail, Fail, Pass]);
        assert!(!r.pass);
        assert_eq!(r.rows[2].non_industrial_g, 95);
        assert_eq!(r.rows[0].daily_basis_g, Ratio::new(10_000, 1));
        assert!(r.basis_note.contains("[D]"));
        // 1 g/day less VOCs fails; the boundary is exact.
        let mut less = list.clone();
        less[6].plan.measures[0].expected_reduction.vocs = 449;
        let r2 = check_adequacy(CITY, ControlLevel::Yellow, &less, &non, &inventory(), &t);
        assert_eq!(r2.rows[3].status, Fail);
        assert_eq!(r2.rows[3].ratio_pct.as_deref(), Some("10.0"));
    }

    /// Red totals: SO2 750+1000+500 = 2250 → 22.5 % (fail vs 30); NOx 2000+1500+800 = 4300 → 21.5 %;
    /// PM 500+700+700 = 1900 → 19.0 %; VOCs 250+2100+100+1100+600 = 4150 → 20.75 % → "20.8" (half-even
    /// of 207.5 tenths is 208). With targets lowered to 20 % for red by a city file, SO2, NOx and VOCs
    /// pass and PM fails.
    #[test]
    fn scenario_adequacy_red_with_city_targets() {
        let list = graded_city();
        let custom = DEFAULT_TARGETS_TOML.replace(
            "[red]\nso2 = \"30\"\nnox = \"30\"\npm = \"30\"\nvocs = \"30\"",
            "[red]\nso2 = \"20\"\nnox = \"20\"\npm = \"20\"\nvocs = \"20\"",
        );
        let t = ReductionTargets::parse(&custom).expect("targets");
        let r = check_adequacy(CITY, ControlLevel::Red, &list, &[], &inventory(), &t);
        let pct: Vec<Option<&str>> = r.rows.iter().map(|x| x.ratio_pct.as_deref()).collect();
        assert_eq!(pct, [Some("22.5"), Some("21.5"), Some("19.0"), Some("20.8")]);
        use AdequacyStatus::*;
        assert_eq!(r.rows.iter().map(|x| x.status).collect::<Vec<_>>(), [Pass, Pass, Fail, Pass]);
        let d = ReductionTargets::default_targets().expect("targets");
        assert!(!check_adequacy(CITY, ControlLevel::Red, &list, &[], &inventory(), &d).pass);
    }

    /// Leap year 2020: 3660 kg/yr → 3 660 000 / 366 = 10 000 g/day. Season factor 1200‰ on PM:
    /// 3650 kg in 2021 → 3 650 000 × 1.2 / 365 = 12 000 g/day. No VOCs inventory → NoInventory, which
    /// does not fail the check.
    #[test]
    fn inventory_basis() {
        let mut inv = inventory();
        inv.inventory_year = 2020;
        inv.annual_kg.so2 = 3660;
        assert_eq!(inv.daily_basis_g(ReductionPollutant::So2), Ratio::new(10_000, 1));
        let mut w = inventory();
        w.season_basis = SeasonBasis::Seasonal {
            label: "冬季".into(),
            factor_permille: PerPollutant { so2: 1000, nox: 1000, pm: 1200, vocs: 1000 },
        };
        assert_eq!(w.daily_basis_g(ReductionPollutant::Pm), Ratio::new(12_000, 1));
        w.annual_kg.vocs = 0;
        let one = [entry(9, PerformanceGrade::B, None, [limit(80, [1000, 2000, 1200, 0]), auto(), auto()])];
        let r =
            check_adequacy(CITY, ControlLevel::Yellow, &one, &[], &w, &ReductionTargets::default_targets().expect("t"));
        assert_eq!(r.rows[2].ratio_pct.as_deref(), Some("10.0"));
        assert_eq!(r.rows[3].status, AdequacyStatus::NoInventory);
        assert!(r.pass);
        // Another city's entry is left out and reported.
        let mut other = one.to_vec();
        other[0].city_code = 510100;
        let r = check_adequacy(
            CITY,
            ControlLevel::Yellow,
            &other,
            &[],
            &w,
            &ReductionTargets::default_targets().expect("t"),
        );
        assert_eq!(r.excluded.len(), 1);
        assert_eq!(r.rows[0].total_g, 0);
    }

    #[test]
    fn scenario_graded_list_is_not_one_size() {
        let t = MeasureTemplates::default_templates().expect("templates");
        let ind = IndustryTable::guideline_2020().expect("industries");
        for level in ControlLevel::ALL {
            let f = one_size_flags(CITY, level, &graded_city(), &t, Some(&ind));
            assert!(f.is_empty(), "{level:?}: {f:?}");
        }
    }

    #[test]
    fn scenario_one_size_fits_all_found() {
        use PerformanceGrade::*;
        let t = MeasureTemplates::default_templates().expect("templates");
        let ind = IndustryTable::guideline_2020().expect("industries");
        let stop = || (Action::Stop, [100, 100, 100, 100]);
        // Everybody stops at red, whatever the grade.
        let list: Vec<ControlListEntry> = vec![
            entry(1, A, Some("cement"), [auto(), auto(), stop()]),
            entry(3, B, Some("steel_integrated"), [stop(), stop(), stop()]),
            entry(4, C, Some("coking"), [limit(70, [1; 4]), limit(50, [1; 4]), stop()]),
            entry(5, D, Some("ceramics"), [stop(), stop(), stop()]),
        ];
        let f = one_size_flags(CITY, ControlLevel::Red, &list, &t, Some(&ind));
        let kinds: Vec<&OneSizeKind> = f.iter().map(|x| &x.kind).collect();
        // A stopped: exempt flag. B stopped vs C's red default (30 %): stricter. C stopped: coking is
        // A–D, D's red default is stop → not stricter. City-wide: all stop.
        assert_eq!(
            kinds,
            [
                &OneSizeKind::ExemptGradeRestricted,
                &OneSizeKind::StricterThanWorseGrade { worse: C },
                &OneSizeKind::CityAllStopped
            ]
        );
        assert!(f[0].reason_zh.contains("自主采取减排措施") && f[0].reason_en.contains("autonomously"));
        assert!(f[2].reason_zh.contains("一刀切") && f[2].reason_en.contains("one-size-fits-all"));
        // Yellow: B stops (C's yellow default is 70 %): flagged; D stops at yellow: D has no worse grade.
        let f = one_size_flags(CITY, ControlLevel::Yellow, &list, &t, Some(&ind));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].credit_code, Some(test_code(3)));
    }

    #[test]
    fn green_benchmark_and_weighted_lines() {
        use PerformanceGrade::*;
        let t = MeasureTemplates::default_templates().expect("templates");
        // A green benchmark enterprise graded C that limits load at orange: flagged while templates
        // treat green benchmarks as A, not when they go by grade.
        let mut g = entry(8, C, Some("coking"), [auto(), limit(50, [1; 4]), auto()]);
        g.is_green_benchmark = true;
        let f = one_size_flags(CITY, ControlLevel::Orange, std::slice::from_ref(&g), &t, None);
        assert_eq!(f.len(), 1);
        assert!(f[0].reason_zh.contains("省级绿色标杆企业"));
        let by_grade = MeasureTemplates { green_benchmark: GreenBenchmarkTreatment::ByGrade, ..t.clone() };
        assert!(one_size_flags(CITY, ControlLevel::Orange, &[g], &by_grade, None).is_empty());

        // B enterprise, two lines: 烧结 (600 kW) stops, 轧钢 (400 kW) runs: share 400/1000 = 40 %,
        // stricter than C's yellow default (70 %).
        let mut b = entry(9, B, Some("steel_integrated"), [auto(), auto(), auto()]);
        b.plan.lines = vec![
            ProductionLine { name: "烧结".into(), weight: Some(600), baseline_daily: e([0; 4]) },
            ProductionLine { name: "轧钢".into(), weight: Some(400), baseline_daily: e([0; 4]) },
        ];
        b.plan.measures = vec![PlanMeasure {
            level: ControlLevel::Yellow,
            line: "烧结".into(),
            action: Action::Stop,
            expected_reduction: e([10; 4]),
        }];
        let r = b.plan.restriction(ControlLevel::Yellow);
        assert_eq!(r.allowed_share, Some(Ratio::new(2, 5)));
        assert!(!r.all_stopped && r.any_restricted);
        let f = one_size_flags(CITY, ControlLevel::Yellow, &[b.clone()], &t, None);
        assert_eq!(f.len(), 1);
        assert!(f[0].reason_zh.contains("40.0%"), "{}", f[0].reason_zh);
        // Without weights the share is unknown: no flag (cannot tell).
        b.plan.lines[0].weight = None;
        assert_eq!(b.plan.restriction(ControlLevel::Yellow).allowed_share, None);
        assert!(one_size_flags(CITY, ControlLevel::Yellow, &[b], &t, None).is_empty());
    }

    #[test]
    fn plan_issues() {
        let mut p = entry(
            1,
            PerformanceGrade::C,
            None,
            [limit(70, [10, 10, 10, 10]), limit(50, [5, 20, 20, 20]), limit(30, [30; 4])],
        )
        .plan;
        p.measures.push(PlanMeasure {
            level: ControlLevel::Red,
            line: "锅炉".into(),
            action: Action::Stop,
            expected_reduction: e([0; 4]),
        });
        let issues = p.issues();
        assert_eq!(issues.len(), 2, "{issues:?}");
        assert!(issues.iter().any(|i| i.message_en.contains("undeclared line 锅炉")));
        assert!(issues.iter().any(|i| i.message_en.contains("orange reduction of so2")));
        assert!(levels_without_measures(&p).is_empty());
    }
}
