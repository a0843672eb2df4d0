//! The 100-point city scoring (积分管理, Notice §4 and §8; `management.md` §1.3): five factors from the
//! rankings, good days, heavy-pollution days and target completion, plus bonus/penalty items. The
//! scheme is data ([`PointsScheme`], a TOML file validated on load); the shipped default is
//! `schemes/points-default-2022.toml`. Every factor keeps its inputs and its formula with the numbers
//! put in, so that an official can check it by hand.

use crate::air::conc::{round_half_even, Conc, Ratio};

/// A scheme could not be used; the message names the key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("points scheme: {key}: {message}")]
pub struct SchemeError {
    pub key: String,
    pub message: String,
}

fn err(key: &str, message: impl Into<String>) -> SchemeError {
    SchemeError { key: key.to_string(), message: message.into() }
}

/// The bonus/penalty items a city can be recorded for (`management.md` §1.3), with their Chinese names.
pub const ADJUSTMENT_ITEMS: [(&str, &str); 8] = [
    ("green_benchmark", "省级绿色标杆企业"),
    ("early_reduction", "提前减排"),
    ("pairing_cooperation", "结对帮扶配合良好"),
    ("yuetan", "约谈"),
    ("refused_emergency_measures", "拒不执行重污染天气应急管控措施"),
    ("one_size_fits_all", "一刀切"),
    ("alert_not_started", "未按预警函启动或升级预警"),
    ("data_falsification", "在线监测数据弄虚作假"),
];

/// The Chinese name of an adjustment item code.
pub fn adjustment_name(code: &str) -> Option<&'static str> {
    ADJUSTMENT_ITEMS.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// Points of one adjustment item in a scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdjustmentRule {
    pub code: String,
    pub points: Ratio,
    /// Cap on the item's sum (by magnitude), if any.
    pub cap: Option<Ratio>,
}

/// What a target factor (C5a PM2.5, C5b good-day rate) does for a city that has no target of its kind
/// for the year (`[targets] missing` of a scheme).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingTarget {
    /// [D] Not assessed (不考核): the factor is left out, and the total is converted to the 100-point
    /// scale over the factors assessed — `Σ points of the assessed factors × 100 / Σ their maxima`,
    /// plus the adjustments, then clamped and rounded as every total (the shipped default, the same
    /// policy as the incentive settlement's "未设目标：不考核").
    NotAssessed,
    /// The factor scores 0: what schemes without a `[targets]` table did before the key existed, so
    /// that results published with them reproduce unchanged.
    Zero,
}

/// A grade band: totals ≥ `min` get `name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GradeBand {
    pub name: String,
    pub min: Ratio,
}

/// A validated points scheme. All numbers are exact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointsScheme {
    pub id: String,
    pub version: String,
    pub source: String,
    pub ranking_max: Ratio,
    pub change_max: Ratio,
    pub change_excluded_fraction: Ratio,
    pub good_days_max: Ratio,
    pub good_days_base: Ratio,
    pub good_days_per_day: Ratio,
    pub heavy_max: Ratio,
    pub heavy_base: Ratio,
    pub heavy_per_heavy: Ratio,
    pub heavy_per_severe: Ratio,
    pub heavy_floor: Ratio,
    pub pm2_5_max: Ratio,
    pub pm2_5_zero_at: Ratio,
    pub rate_max: Ratio,
    pub rate_per_point: Ratio,
    /// C5c 目标任务完成情况 (optional factor `[factors.task_completion]`): its maximum, when the scheme
    /// scores the completion of the city's target tasks.
    pub task_max: Option<Ratio>,
    pub adjustments_min: Ratio,
    pub adjustments_max: Ratio,
    /// Annual points are the mean of the monthly points (else the year is scored as one period).
    pub annual_mean_of_months: bool,
    /// A target factor of a city without that target (`[targets] missing`; absent: [`MissingTarget::Zero`]).
    pub missing_target: MissingTarget,
    /// Points per adjustment item, one for every code of [`ADJUSTMENT_ITEMS`].
    pub adjustment_items: Vec<AdjustmentRule>,
    pub grades: Vec<GradeBand>,
    /// The scheme's text as loaded (stored with every published result).
    pub text: String,
}

/// Short Chinese column headers of the factors, in scoring order (tables, CSV `--format` headers, xlsx).
pub const FACTOR_HEADERS: [(&str, &str); 8] = [
    ("C1", "排名分"),
    ("C2", "变化分"),
    ("C3", "优良天数分"),
    ("C4", "重污染分"),
    ("C5a", "PM2.5目标分"),
    ("C5b", "优良率目标分"),
    ("C5c", "任务完成分"),
    ("ADJ", "加减分"),
];

/// The short Chinese header of a factor code.
pub fn factor_header_zh(code: &str) -> &'static str {
    FACTOR_HEADERS.iter().find(|(c, _)| *c == code).map_or("", |(_, h)| h)
}

/// The English name of a factor code (pages in English): what [`FactorPoints::name_zh`] says.
pub fn factor_name_en(code: &str) -> &'static str {
    match code {
        "C1" => "Air-quality ranking",
        "C2" => "Ranking of the improvement",
        "C3" => "Good days",
        "C4" => "Heavy-pollution days",
        "C5a" => "Target: PM2.5",
        "C5b" => "Target: good-day ratio",
        "C5c" => "Target: tasks completed",
        "ADJ" => "Bonus and penalty items",
        _ => "",
    }
}

/// The English name of a grade of the shipped schemes (优秀 excellent, 良好 good, 合格 pass, 不合格
/// fail); `None` for a grade a scheme names otherwise (shown as the scheme names it).
pub fn grade_name_en(name: &str) -> Option<&'static str> {
    match name {
        "优秀" => Some("Excellent"),
        "良好" => Some("Good"),
        "合格" => Some("Pass"),
        "不合格" => Some("Fail"),
        _ => None,
    }
}

/// The shipped default scheme (`management.md` §1.3 [D]).
pub const DEFAULT_SCHEME_TOML: &str = include_str!("../../schemes/points-default-2022.toml");

/// An exact decimal from a TOML integer, a decimal string, or a float (by its shortest decimal form).
fn decimal(key: &str, v: &toml::Value) -> Result<Ratio, SchemeError> {
    let text = match v {
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::String(s) => s.trim().to_string(),
        toml::Value::Float(f) if f.is_finite() => format!("{f}"),
        other => return Err(err(key, format!("expected a number, found {}", other.type_str()))),
    };
    crate::air::conc::parse_decimal(&text).ok_or_else(|| err(key, format!("not a decimal number: {text:?}")))
}

fn table<'a>(t: &'a toml::Table, key: &str, path: &str) -> Result<&'a toml::Table, SchemeError> {
    let full = if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
    t.get(key).ok_or_else(|| err(&full, "missing"))?.as_table().ok_or_else(|| err(&full, "expected a table"))
}

fn only_keys(t: &toml::Table, path: &str, allowed: &[&str]) -> Result<(), SchemeError> {
    for k in t.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(err(&format!("{path}.{k}"), format!("unknown key (expected one of: {})", allowed.join(", "))));
        }
    }
    Ok(())
}

fn num(t: &toml::Table, path: &str, key: &str) -> Result<Ratio, SchemeError> {
    let full = format!("{path}.{key}");
    decimal(&full, t.get(key).ok_or_else(|| err(&full, "missing"))?)
}

fn zero() -> Ratio {
    Ratio::new(0, 1)
}

impl PointsScheme {
    /// The shipped default scheme.
    pub fn default_scheme() -> Result<PointsScheme, SchemeError> {
        PointsScheme::parse(DEFAULT_SCHEME_TOML)
    }

    /// Parses and validates a scheme: unknown keys, missing keys, factor maxima that do not add up to
    /// 100, negative slopes and overlapping grade bands are errors naming the key.
    pub fn parse(text: &str) -> Result<PointsScheme, SchemeError> {
        let root: toml::Table = text.parse().map_err(|e: toml::de::Error| err("(file)", e.to_string()))?;
        only_keys(&root, "(root)", &["scheme", "factors", "adjustments", "grades", "aggregation", "targets"])?;
        let missing_target = match root.get("targets") {
            // Schemes written before the key existed scored a missing target 0.
            None => MissingTarget::Zero,
            Some(v) => {
                let t = v.as_table().ok_or_else(|| err("targets", "expected a table"))?;
                only_keys(t, "targets", &["missing"])?;
                match t.get("missing").and_then(toml::Value::as_str) {
                    Some("not_assessed") => MissingTarget::NotAssessed,
                    Some("zero") => MissingTarget::Zero,
                    other => {
                        return Err(err(
                            "targets.missing",
                            format!("expected \"not_assessed\" or \"zero\", found {other:?}"),
                        ))
                    }
                }
            }
        };
        let annual_mean_of_months = match root.get("aggregation") {
            None => true,
            Some(v) => {
                let t = v.as_table().ok_or_else(|| err("aggregation", "expected a table"))?;
                only_keys(t, "aggregation", &["annual"])?;
                match t.get("annual").and_then(toml::Value::as_str) {
                    Some("mean_of_months") | None => true,
                    Some("recompute") => false,
                    Some(other) => {
                        return Err(err(
                            "aggregation.annual",
                            format!("expected mean_of_months or recompute, found {other:?}"),
                        ))
                    }
                }
            }
        };
        let meta = table(&root, "scheme", "")?;
        only_keys(meta, "scheme", &["id", "version", "source"])?;
        let s = |k: &str| -> Result<String, SchemeError> {
            meta.get(k)
                .and_then(toml::Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| err(&format!("scheme.{k}"), "missing or not a string"))
        };
        let f = table(&root, "factors", "")?;
        only_keys(
            f,
            "factors",
            &["ranking", "change", "good_days", "heavy_days", "pm2_5_target", "good_rate_target", "task_completion"],
        )?;
        let get = |name: &str, keys: &[&str]| -> Result<&toml::Table, SchemeError> {
            let t = table(f, name, "factors")?;
            only_keys(t, &format!("factors.{name}"), keys)?;
            Ok(t)
        };
        let ranking = get("ranking", &["max"])?;
        let change = get("change", &["max", "excluded_fraction"])?;
        let good = get("good_days", &["max", "base", "per_day"])?;
        let heavy = get("heavy_days", &["max", "base", "per_heavy", "per_severe", "floor"])?;
        let pm = get("pm2_5_target", &["max", "zero_at"])?;
        let rate = get("good_rate_target", &["max", "per_point"])?;
        let task_max = if f.contains_key("task_completion") {
            let t = get("task_completion", &["max"])?;
            let m = num(t, "factors.task_completion", "max")?;
            if m <= zero() {
                return Err(err("factors.task_completion.max", "must be positive (leave the factor out instead)"));
            }
            Some(m)
        } else {
            None
        };
        let adj = table(&root, "adjustments", "")?;
        only_keys(adj, "adjustments", &["min", "max", "items"])?;
        let items = table(adj, "items", "adjustments")?;
        let codes: Vec<&str> = ADJUSTMENT_ITEMS.iter().map(|(c, _)| *c).collect();
        only_keys(items, "adjustments.items", &codes)?;
        let mut adjustment_items = Vec::new();
        for code in &codes {
            let path = format!("adjustments.items.{code}");
            let t = table(items, code, "adjustments.items")?;
            only_keys(t, &path, &["points", "cap"])?;
            let points = num(t, &path, "points")?;
            let cap = if t.contains_key("cap") { Some(num(t, &path, "cap")?) } else { None };
            if cap.is_some_and(|c| c <= zero()) {
                return Err(err(&format!("{path}.cap"), "must be positive (a cap on the item's magnitude)"));
            }
            adjustment_items.push(AdjustmentRule { code: code.to_string(), points, cap });
        }
        let scheme = PointsScheme {
            id: s("id")?,
            version: s("version")?,
            source: s("source")?,
            ranking_max: num(ranking, "factors.ranking", "max")?,
            change_max: num(change, "factors.change", "max")?,
            change_excluded_fraction: num(change, "factors.change", "excluded_fraction")?,
            good_days_max: num(good, "factors.good_days", "max")?,
            good_days_base: num(good, "factors.good_days", "base")?,
            good_days_per_day: num(good, "factors.good_days", "per_day")?,
            heavy_max: num(heavy, "factors.heavy_days", "max")?,
            heavy_base: num(heavy, "factors.heavy_days", "base")?,
            heavy_per_heavy: num(heavy, "factors.heavy_days", "per_heavy")?,
            heavy_per_severe: num(heavy, "factors.heavy_days", "per_severe")?,
            heavy_floor: num(heavy, "factors.heavy_days", "floor")?,
            pm2_5_max: num(pm, "factors.pm2_5_target", "max")?,
            pm2_5_zero_at: num(pm, "factors.pm2_5_target", "zero_at")?,
            rate_max: num(rate, "factors.good_rate_target", "max")?,
            rate_per_point: num(rate, "factors.good_rate_target", "per_point")?,
            task_max,
            adjustments_min: num(adj, "adjustments", "min")?,
            adjustments_max: num(adj, "adjustments", "max")?,
            annual_mean_of_months,
            missing_target,
            adjustment_items,
            grades: Vec::new(),
            text: text.to_string(),
        };
        let grades = root
            .get("grades")
            .and_then(toml::Value::as_array)
            .ok_or_else(|| err("grades", "missing: an array of [[grades]] with name and min"))?;
        let mut bands = Vec::new();
        for (k, g) in grades.iter().enumerate() {
            let key = format!("grades[{k}]");
            let t = g.as_table().ok_or_else(|| err(&key, "expected a table"))?;
            only_keys(t, &key, &["name", "min"])?;
            let name =
                t.get("name").and_then(toml::Value::as_str).ok_or_else(|| err(&format!("{key}.name"), "missing"))?;
            let min = num(t, &key, "min")?;
            if let Some(prev) = bands.last().map(|b: &GradeBand| b.min) {
                if min >= prev {
                    return Err(err(
                        &format!("{key}.min"),
                        "grade bands overlap: list them highest first, each min lower",
                    ));
                }
            }
            bands.push(GradeBand { name: name.to_string(), min });
        }
        if bands.last().is_none_or(|b| b.min != zero()) {
            return Err(err("grades", "the last band must start at 0 so that every total has a grade"));
        }
        let total = scheme.ranking_max
            + scheme.change_max
            + scheme.good_days_max
            + scheme.heavy_max
            + scheme.pm2_5_max
            + scheme.rate_max
            + scheme.task_max.unwrap_or_else(zero);
        if total != Ratio::new(100, 1) {
            return Err(err("factors.*.max", format!("the factor maxima add up to {}, not 100", fmt_ratio(total, 4))));
        }
        for (key, v) in [
            ("factors.good_days.per_day", scheme.good_days_per_day),
            ("factors.heavy_days.per_heavy", scheme.heavy_per_heavy),
            ("factors.heavy_days.per_severe", scheme.heavy_per_severe),
            ("factors.good_rate_target.per_point", scheme.rate_per_point),
            ("factors.pm2_5_target.zero_at", scheme.pm2_5_zero_at),
        ] {
            if v <= zero() {
                return Err(err(key, "must be positive"));
            }
        }
        if scheme.change_excluded_fraction < zero() || scheme.change_excluded_fraction > Ratio::new(1, 1) {
            return Err(err("factors.change.excluded_fraction", "must be between 0 and 1"));
        }
        if scheme.adjustments_min > zero() || scheme.adjustments_max < zero() {
            return Err(err("adjustments", "min must be ≤ 0 ≤ max"));
        }
        Ok(PointsScheme { grades: bands, ..scheme })
    }

    /// The factor codes a result of this scheme carries, in order (C5c only when the scheme has it).
    pub fn factor_codes(&self) -> Vec<&'static str> {
        FACTOR_HEADERS.iter().map(|(c, _)| *c).filter(|c| *c != "C5c" || self.task_max.is_some()).collect()
    }

    /// The grade of a total.
    pub fn grade(&self, total: Ratio) -> &str {
        self.grades.iter().find(|b| total >= b.min).map_or("", |b| b.name.as_str())
    }
}

/// Formats an exact ratio with up to `decimals` decimals (GB/T 8170 rounding), trailing zeros dropped.
pub fn fmt_ratio(r: Ratio, decimals: u32) -> String {
    let scale = 10i128.pow(decimals);
    let v = round_half_even(r.num * scale, r.den);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.abs();
    let (int, frac) = (a / scale, a % scale);
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let f = format!("{frac:0w$}", w = decimals as usize);
    format!("{sign}{int}.{}", f.trim_end_matches('0'))
}

/// What a city's score is computed from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PointsInput {
    /// Cities ranked by composite index, and this city's rank (`None`: not ranked).
    pub ranked: u32,
    pub rank: Option<u32>,
    /// Cities in the change ranking, and this city's change rank (`None`: left out of it).
    pub change_ranked: u32,
    pub change_rank: Option<u32>,
    /// Good days in the period and in the same period last year.
    pub good_days: u32,
    pub good_days_last_year: Option<u32>,
    /// Days with AQI > 200, of which > 300.
    pub heavy_days: u32,
    pub severe_days: u32,
    /// Year-to-date PM2.5 mean and its target.
    pub pm2_5_ytd: Option<Conc>,
    pub pm2_5_target: Option<Conc>,
    /// Year-to-date good-day rate and its target, percent (one decimal as published).
    pub good_rate_ytd: Option<Ratio>,
    pub good_rate_target: Option<Ratio>,
    /// Recorded bonus/penalty items: `(item code, evidence)` (codes of [`ADJUSTMENT_ITEMS`]).
    pub adjustments: Vec<(String, String)>,
    /// The city's target tasks of the year at the end of the period (scored by C5c when the scheme has it).
    #[serde(default)]
    pub tasks: Vec<TaskScoreInput>,
}

/// A target task's standing at the end of the period, as C5c reads it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TaskScoreInput {
    pub code: String,
    /// Completion 0–1 from the latest report (`None`: nothing reported).
    pub completion: Option<Ratio>,
    /// Share of the task's time elapsed, 0–1.
    pub elapsed: Ratio,
}

/// One factor's points with its explanation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FactorPoints {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub points: Ratio,
    /// The inputs, as an official reads them.
    pub inputs: String,
    /// The formula with the numbers put in.
    pub formula: String,
    /// [`FactorPoints::inputs`] and [`FactorPoints::formula`] as Chinese pages write them (not in the
    /// JSON: results published before these existed reproduce byte for byte).
    #[serde(skip)]
    pub inputs_zh: String,
    #[serde(skip)]
    pub formula_zh: String,
    /// `false`: not assessed (不考核, a target the city was not given, [`MissingTarget::NotAssessed`]);
    /// `points` is then 0 and the factor stays out of the total. Written to JSON only when `false`,
    /// so that results published before the field existed reproduce byte for byte.
    #[serde(skip_serializing_if = "is_true")]
    pub assessed: bool,
}

fn is_true(b: &bool) -> bool {
    *b
}

/// A city's score.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PointsResult {
    pub factors: Vec<FactorPoints>,
    /// The sum of the factors and the clipped adjustments, before clamping to 0–100 (with a factor not
    /// assessed: the assessed factors converted to the 100-point scale, plus the adjustments).
    pub exact_total: Ratio,
    /// With a factor not assessed: the conversion to the 100-point scale with the numbers put in
    /// (`(Σ assessed) × 100 / Σ their maxima + adjustments`). Absent from JSON otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converted: Option<String>,
    /// The total clamped to 0–100 and rounded to two decimals (GB/T 8170), in hundredths.
    pub total_hundredths: i64,
    pub grade: String,
}

fn clamp(v: Ratio, lo: Ratio, hi: Ratio) -> Ratio {
    if v < lo {
        lo
    } else if v > hi {
        hi
    } else {
        v
    }
}

fn mul(a: Ratio, b: Ratio) -> Ratio {
    Ratio::new(a.num * b.num, a.den * b.den).reduced()
}

fn div(a: Ratio, b: Ratio) -> Ratio {
    Ratio::new(a.num * b.den, a.den * b.num).reduced()
}

fn int(v: i64) -> Ratio {
    Ratio::new(i128::from(v), 1)
}

fn f(r: Ratio) -> String {
    fmt_ratio(r, 4)
}

/// The annual result as the mean of monthly results (`management.md` §1.3 aggregation): each factor and
/// the total are the means of the months given; the total is rounded to two decimals once.
pub fn mean_of_months(s: &PointsScheme, months: &[&PointsResult]) -> Option<PointsResult> {
    let first = months.first()?;
    let n = months.len() as i128;
    let factors = first
        .factors
        .iter()
        .enumerate()
        .map(|(k, f0)| {
            let sum = months.iter().fold(zero(), |a, m| a + m.factors[k].points);
            let mean = Ratio::new(sum.num, sum.den * n).reduced();
            let parts: Vec<String> = months.iter().map(|m| fmt_ratio(m.factors[k].points, 4)).collect();
            let assessed = months.iter().all(|m| m.factors[k].assessed);
            FactorPoints {
                code: f0.code,
                name_zh: f0.name_zh,
                points: mean,
                inputs: format!("{} months", months.len()),
                inputs_zh: format!("{}个月", months.len()),
                formula: if assessed {
                    format!("({}) / {} = {}", parts.join(" + "), months.len(), fmt_ratio(mean, 4))
                } else {
                    NOT_ASSESSED.to_string()
                },
                formula_zh: if assessed {
                    format!("({}) / {} = {}", parts.join(" + "), months.len(), fmt_ratio(mean, 4))
                } else {
                    NOT_ASSESSED.to_string()
                },
                assessed,
            }
        })
        .collect();
    let sum: i128 = months.iter().map(|m| i128::from(m.total_hundredths)).sum();
    let total_hundredths = round_half_even(sum, n) as i64;
    let exact_total = Ratio::new(sum, n * 100).reduced();
    let grade = s.grade(Ratio::new(i128::from(total_hundredths), 100)).to_string();
    let converted = first.converted.as_ref().map(|_| "各月总分已按考核项折算，年度总分为各月总分的平均".to_string());
    Some(PointsResult { factors, exact_total, total_hundredths, grade, converted })
}

/// The explanation of a target factor that is not assessed.
pub const NOT_ASSESSED: &str = "未下达目标，不考核；总分按考核项折算";

/// [`NOT_ASSESSED`] as English pages write it.
pub const NOT_ASSESSED_EN: &str = "no target given: not assessed; the total is converted over the assessed factors";

/// One month's input of a year scored as the mean of its months.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MonthInput {
    /// The month (`2022-05`).
    pub month: String,
    pub input: PointsInput,
}

/// Everything a city's score is computed from — what `points --publish` stores and `--reproduce` feeds
/// back through [`score_input`]: one period's input, or, for a year scored as the mean of its months
/// (`[aggregation] annual = "mean_of_months"`), the input of every month with data.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum ScoreInput {
    MeanOfMonths { months: Vec<MonthInput> },
    Period(PointsInput),
}

impl ScoreInput {
    /// Whether the city was ranked (in any month of a year).
    pub fn ranked(&self) -> bool {
        match self {
            ScoreInput::Period(x) => x.rank.is_some(),
            ScoreInput::MeanOfMonths { months } => months.iter().any(|m| m.input.rank.is_some()),
        }
    }
}

/// The score of a [`ScoreInput`]: [`score`] of the period, or [`mean_of_months`] of the months' scores
/// (`None` for a year without months). The one function behind a published score and its reproduction.
pub fn score_input(s: &PointsScheme, x: &ScoreInput) -> Option<PointsResult> {
    match x {
        ScoreInput::Period(p) => Some(score(s, p)),
        ScoreInput::MeanOfMonths { months } => {
            let results: Vec<PointsResult> = months.iter().map(|m| score(s, &m.input)).collect();
            mean_of_months(s, &results.iter().collect::<Vec<_>>())
        }
    }
}

/// Scores a city (`management.md` §1.3): C1 ranking, C2 change ranking, C3 good days, C4 heavy days,
/// C5a PM2.5 target, C5b good-day-rate target, and the adjustments; total clamped to 0–100.
pub fn score(s: &PointsScheme, x: &PointsInput) -> PointsResult {
    let mut factors = Vec::new();
    // C1
    let (c1, c1f) = match x.rank {
        None => (zero(), "not ranked → 0".to_string()),
        Some(_) if x.ranked <= 1 => (s.ranking_max, format!("N = {} → {}", x.ranked, f(s.ranking_max))),
        Some(r) => {
            let v = div(mul(s.ranking_max, int(i64::from(x.ranked) - i64::from(r))), int(i64::from(x.ranked) - 1));
            (v, format!("{} × ({} − {}) / ({} − 1) = {}", f(s.ranking_max), x.ranked, r, x.ranked, f(v)))
        }
    };
    factors.push(FactorPoints {
        code: "C1",
        name_zh: "环境空气质量排名",
        points: c1,
        inputs: format!("rank {} of {}", x.rank.map_or("—".into(), |r| r.to_string()), x.ranked),
        inputs_zh: format!("排名 {}（共{}个城市）", x.rank.map_or("—".into(), |r| r.to_string()), x.ranked),
        formula_zh: if x.rank.is_none() { "未参加排名 → 0".to_string() } else { c1f.clone() },
        formula: c1f,
        assessed: true,
    });
    // C2
    let (c2, c2f) = match x.change_rank {
        None => {
            let v = mul(s.change_max, s.change_excluded_fraction);
            (
                v,
                format!(
                    "not in the change ranking: {} × {} = {}",
                    f(s.change_max),
                    f(s.change_excluded_fraction),
                    f(v)
                ),
            )
        }
        Some(_) if x.change_ranked <= 1 => (s.change_max, format!("N_c = {} → {}", x.change_ranked, f(s.change_max))),
        Some(r) => {
            let v = div(
                mul(s.change_max, int(i64::from(x.change_ranked) - i64::from(r))),
                int(i64::from(x.change_ranked) - 1),
            );
            (v, format!("{} × ({} − {}) / ({} − 1) = {}", f(s.change_max), x.change_ranked, r, x.change_ranked, f(v)))
        }
    };
    factors.push(FactorPoints {
        code: "C2",
        name_zh: "空气质量变化幅度排名",
        points: c2,
        inputs: format!("change rank {} of {}", x.change_rank.map_or("—".into(), |r| r.to_string()), x.change_ranked),
        inputs_zh: format!(
            "变化幅度排名 {}（共{}个城市）",
            x.change_rank.map_or("—".into(), |r| r.to_string()),
            x.change_ranked
        ),
        formula_zh: c2f.replace("not in the change ranking: ", "未参加变化幅度排名："),
        formula: c2f,
        assessed: true,
    });
    // C3
    let (c3, c3f) = match x.good_days_last_year {
        None => (s.good_days_base, format!("no same period last year → base {}", f(s.good_days_base))),
        Some(g0) => {
            let raw = s.good_days_base + mul(s.good_days_per_day, int(i64::from(x.good_days) - i64::from(g0)));
            let v = clamp(raw, zero(), s.good_days_max);
            (
                v,
                format!(
                    "clamp({} + {} × ({} − {}), 0, {}) = {}",
                    f(s.good_days_base),
                    f(s.good_days_per_day),
                    x.good_days,
                    g0,
                    f(s.good_days_max),
                    f(v)
                ),
            )
        }
    };
    factors.push(FactorPoints {
        code: "C3",
        name_zh: "优良天数",
        points: c3,
        inputs: format!("good days {} vs {}", x.good_days, x.good_days_last_year.map_or("—".into(), |g| g.to_string())),
        inputs_zh: format!(
            "优良天数 {}（上年同期 {}）",
            x.good_days,
            x.good_days_last_year.map_or("—".into(), |g| g.to_string())
        ),
        formula_zh: c3f.replace("no same period last year → base ", "无上年同期 → 基础分 ").replace("clamp(", "限幅("),
        formula: c3f,
        assessed: true,
    });
    // C4
    let raw = s.heavy_base
        - mul(s.heavy_per_heavy, int(i64::from(x.heavy_days)))
        - mul(s.heavy_per_severe, int(i64::from(x.severe_days)));
    let c4 = if raw < s.heavy_floor {
        s.heavy_floor
    } else if raw > s.heavy_max {
        s.heavy_max
    } else {
        raw
    };
    let c4f = format!(
        "max({}, {} − {}×{} − {}×{}) = {}",
        f(s.heavy_floor),
        f(s.heavy_base),
        f(s.heavy_per_heavy),
        x.heavy_days,
        f(s.heavy_per_severe),
        x.severe_days,
        f(c4)
    );
    factors.push(FactorPoints {
        code: "C4",
        name_zh: "重污染天数",
        points: c4,
        inputs: format!("heavy days {} (severe {})", x.heavy_days, x.severe_days),
        inputs_zh: format!("重污染天数 {}（其中严重污染 {}）", x.heavy_days, x.severe_days),
        // The formula has no words: the same in both languages.
        formula_zh: c4f.clone(),
        formula: c4f,
        assessed: true,
    });
    let not_assessed = s.missing_target == MissingTarget::NotAssessed;
    // C5a
    let c5a_assessed = !(not_assessed && x.pm2_5_target.is_none());
    let (c5a, c5af) = match (x.pm2_5_ytd, x.pm2_5_target) {
        (_, None) if !c5a_assessed => (zero(), NOT_ASSESSED.to_string()),
        (Some(a), Some(t)) if a <= t => (s.pm2_5_max, format!("{a} ≤ {t} → {}", f(s.pm2_5_max))),
        (Some(a), Some(t)) => {
            let over = div(a.ratio() - t.ratio(), mul(s.pm2_5_zero_at, t.ratio()));
            let v = clamp(mul(s.pm2_5_max, Ratio::new(1, 1) - over), zero(), s.pm2_5_max);
            (v, format!("max(0, {} × (1 − ({a} − {t}) / ({} × {t}))) = {}", f(s.pm2_5_max), f(s.pm2_5_zero_at), f(v)))
        }
        _ => (zero(), "no PM2.5 target or no year-to-date value → 0".to_string()),
    };
    factors.push(FactorPoints {
        code: "C5a",
        name_zh: "目标任务：PM2.5",
        points: c5a,
        inputs: format!(
            "PM2.5 year to date {} vs target {}",
            x.pm2_5_ytd.map_or("—".into(), |c| c.to_string()),
            x.pm2_5_target.map_or("—".into(), |c| c.to_string())
        ),
        inputs_zh: format!(
            "PM2.5年初至今 {}（目标 {}）",
            x.pm2_5_ytd.map_or("—".into(), |c| c.to_string()),
            x.pm2_5_target.map_or("—".into(), |c| c.to_string())
        ),
        formula_zh: c5af.replace("no PM2.5 target or no year-to-date value → 0", "无PM2.5目标或无年初至今值 → 0"),
        formula: c5af,
        assessed: c5a_assessed,
    });
    // C5b
    let c5b_assessed = !(not_assessed && x.good_rate_target.is_none());
    let (c5b, c5bf) = match (x.good_rate_ytd, x.good_rate_target) {
        (_, None) if !c5b_assessed => (zero(), NOT_ASSESSED.to_string()),
        (Some(r), Some(t)) if r >= t => (s.rate_max, format!("{} ≥ {} → {}", f(r), f(t), f(s.rate_max))),
        (Some(r), Some(t)) => {
            let v = clamp(s.rate_max - mul(s.rate_per_point, t - r), zero(), s.rate_max);
            (v, format!("max(0, {} − {} × ({} − {})) = {}", f(s.rate_max), f(s.rate_per_point), f(t), f(r), f(v)))
        }
        _ => (zero(), "no good-day-rate target or no year-to-date value → 0".to_string()),
    };
    factors.push(FactorPoints {
        code: "C5b",
        name_zh: "目标任务：优良天数率",
        points: c5b,
        inputs: format!(
            "good-day rate year to date {}% vs target {}%",
            x.good_rate_ytd.map_or("—".into(), f),
            x.good_rate_target.map_or("—".into(), f)
        ),
        inputs_zh: format!(
            "优良天数率年初至今 {}%（目标 {}%）",
            x.good_rate_ytd.map_or("—".into(), f),
            x.good_rate_target.map_or("—".into(), f)
        ),
        formula_zh: c5bf
            .replace("no good-day-rate target or no year-to-date value → 0", "无优良天数率目标或无年初至今值 → 0"),
        formula: c5bf,
        assessed: c5b_assessed,
    });
    // C5c (optional): each task scores min(1, completion / elapsed) — a task on its linear schedule
    // scores in full, one half-way behind scores half, an unreported task 0; the factor is the maximum
    // times the mean over the city's tasks. A city with no target tasks has nothing outstanding → max.
    if let Some(max) = s.task_max {
        let one = Ratio::new(1, 1);
        let mut shares = Vec::new();
        let mut parts = Vec::new();
        for t in &x.tasks {
            let share = match t.completion {
                None => zero(),
                Some(_) if t.elapsed <= zero() => one,
                Some(c) if c >= t.elapsed => one,
                Some(c) => div(c, t.elapsed),
            };
            parts.push(format!("{}: {} / {} → {}", t.code, t.completion.map_or("—".into(), f), f(t.elapsed), f(share)));
            shares.push(share);
        }
        let (v, formula) = if shares.is_empty() {
            (max, format!("no target tasks → {}", f(max)))
        } else {
            let sum = shares.iter().fold(zero(), |a, b| a + *b);
            let mean = Ratio::new(sum.num, sum.den * shares.len() as i128).reduced();
            let v = mul(max, mean);
            (v, format!("{} × mean(min(1, completion / elapsed)) = {} × {} = {}", f(max), f(max), f(mean), f(v)))
        };
        factors.push(FactorPoints {
            code: "C5c",
            name_zh: "目标任务：任务完成情况",
            points: v,
            inputs_zh: if parts.is_empty() { "无".into() } else { parts.join("；") },
            inputs: if parts.is_empty() { "none".into() } else { parts.join("; ") },
            formula_zh: formula
                .replace("no target tasks → ", "无目标任务 → ")
                .replace("mean(min(1, completion / elapsed))", "均值(min(1, 完成率 / 时间进度))"),
            formula,
            assessed: true,
        });
    }
    // ADJ: per item count × points, capped by magnitude; the sum clipped to [min, max].
    let mut parts = Vec::new();
    let mut sum = zero();
    for rule in &s.adjustment_items {
        let recs: Vec<&(String, String)> = x.adjustments.iter().filter(|(c, _)| *c == rule.code).collect();
        if recs.is_empty() {
            continue;
        }
        let raw = mul(rule.points, int(recs.len() as i64));
        let v = match rule.cap {
            Some(cap) if raw > cap => cap,
            Some(cap) if raw < zero() - cap => zero() - cap,
            _ => raw,
        };
        sum = sum + v;
        let evidence: Vec<&str> = recs.iter().map(|(_, e)| e.as_str()).collect();
        parts.push(format!(
            "{} {} × {} = {}{} [{}]",
            adjustment_name(&rule.code).unwrap_or(&rule.code),
            recs.len(),
            f(rule.points),
            f(v),
            rule.cap.map_or(String::new(), |c| format!(" (cap {})", f(c))),
            evidence.join("; ")
        ));
    }
    let unknown: Vec<&str> =
        x.adjustments.iter().filter(|(c, _)| adjustment_name(c).is_none()).map(|(c, _)| c.as_str()).collect();
    if !unknown.is_empty() {
        parts.push(format!("ignored unknown items: {}", unknown.join(", ")));
    }
    let adj = clamp(sum, s.adjustments_min, s.adjustments_max);
    let parts_zh: Vec<String> = parts
        .iter()
        .map(|p| {
            p.replace(" (cap ", "（上限 ").replace(") [", "）[").replace("ignored unknown items: ", "忽略未知项目：")
        })
        .collect();
    factors.push(FactorPoints {
        code: "ADJ",
        name_zh: "加减分",
        points: adj,
        inputs_zh: if parts.is_empty() { "无".into() } else { parts_zh.join("；") },
        formula_zh: format!("限幅({}, {}, {}) = {}", f(sum), f(s.adjustments_min), f(s.adjustments_max), f(adj)),
        inputs: if parts.is_empty() { "none".into() } else { parts.join("; ") },
        formula: format!("clamp({}, {}, {}) = {}", f(sum), f(s.adjustments_min), f(s.adjustments_max), f(adj)),
        assessed: true,
    });
    // The factors' maxima, in the order pushed above (ADJ has none: it is added after the conversion).
    let mut maxima = vec![s.ranking_max, s.change_max, s.good_days_max, s.heavy_max, s.pm2_5_max, s.rate_max];
    maxima.extend(s.task_max);
    let (exact_total, converted) = if factors.iter().all(|c| c.assessed) {
        (factors.iter().fold(zero(), |a, c| a + c.points), None)
    } else {
        // Not assessed (不考核): the assessed factors on the 100-point scale, then the adjustments.
        let assessed: Vec<(&FactorPoints, Ratio)> =
            factors.iter().zip(&maxima).filter(|(c, _)| c.assessed).map(|(c, m)| (c, *m)).collect();
        let got = assessed.iter().fold(zero(), |a, (c, _)| a + c.points);
        let of = assessed.iter().fold(zero(), |a, (_, m)| a + *m);
        let scaled = if of.num == 0 { zero() } else { div(mul(got, int(100)), of) };
        let total = scaled + adj;
        let codes: Vec<&str> = assessed.iter().map(|(c, _)| c.code).collect();
        let text = format!(
            "考核项 {}：({}) × 100 / {} = {}；加减分 {} → {}",
            codes.join("、"),
            f(got),
            f(of),
            f(scaled),
            f(adj),
            f(total)
        );
        (total, Some(text))
    };
    let clamped = clamp(exact_total, zero(), Ratio::new(100, 1));
    let total_hundredths = round_half_even(clamped.num * 100, clamped.den) as i64;
    let grade = s.grade(Ratio::new(i128::from(total_hundredths), 100)).to_string();
    PointsResult { factors, exact_total, total_hundredths, grade, converted }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scheme_loads() {
        let s = PointsScheme::default_scheme().expect("default");
        assert_eq!(s.ranking_max, Ratio::new(30, 1));
        assert_eq!(s.pm2_5_zero_at, Ratio::new(1, 10));
        assert_eq!(s.grades.len(), 4);
        assert_eq!(s.grade(Ratio::new(8040, 100)), "良好");
        assert_eq!(fmt_ratio(Ratio::new(30, 19), 4), "1.5789");
        assert_eq!(fmt_ratio(Ratio::new(-5, 1), 2), "-5");
    }

    #[test]
    fn adjustment_items_use_their_points_and_caps() {
        let s = PointsScheme::default_scheme().expect("default");
        let x = PointsInput {
            ranked: 21,
            rank: Some(1),
            change_ranked: 21,
            change_rank: Some(1),
            good_days: 30,
            good_days_last_year: Some(30),
            heavy_days: 0,
            severe_days: 0,
            pm2_5_ytd: None,
            pm2_5_target: None,
            good_rate_ytd: None,
            good_rate_target: None,
            // 5 green benchmarks: 5 × 0.5 = 2.5, capped at 2; one one-size-fits-all case: −2.
            adjustments: (0..5)
                .map(|k| ("green_benchmark".to_string(), format!("企业{k}")))
                .chain([("one_size_fits_all".to_string(), "案卷".to_string())])
                .collect(),
            tasks: Vec::new(),
        };
        let r = score(&s, &x);
        let adj = r.factors.iter().find(|f| f.code == "ADJ").expect("ADJ");
        assert_eq!(adj.points, Ratio::new(0, 1));
        assert!(adj.inputs.contains("省级绿色标杆企业 5 × 0.5 = 2 (cap 2)"), "{}", adj.inputs);
        // Missing item in a scheme → error naming it.
        let bad = DEFAULT_SCHEME_TOML.replace("[adjustments.items.yuetan]", "[adjustments.items.yuetan_x]");
        assert_eq!(PointsScheme::parse(&bad).expect_err("unknown item").key, "adjustments.items.yuetan_x");
    }

    #[test]
    fn bad_schemes_name_the_key() {
        let bad = DEFAULT_SCHEME_TOML.replace("[factors.ranking]\nmax = 30", "[factors.ranking]\nmax = 25");
        assert_eq!(PointsScheme::parse(&bad).expect_err("sum").key, "factors.*.max");
        let bad = DEFAULT_SCHEME_TOML.replace("[factors.ranking]\nmax = 30", "[factors.ranking]\nmax = 30\nweight = 2");
        assert_eq!(PointsScheme::parse(&bad).expect_err("unknown").key, "factors.ranking.weight");
        let bad = DEFAULT_SCHEME_TOML.replace("name = \"良好\"\nmin = 70", "name = \"良好\"\nmin = 95");
        assert_eq!(PointsScheme::parse(&bad).expect_err("overlap").key, "grades[1].min");
        let bad = DEFAULT_SCHEME_TOML.replace("[factors.good_rate_target]", "[factors.good_rate]");
        assert_eq!(PointsScheme::parse(&bad).expect_err("unknown factor").key, "factors.good_rate");
        let bad = DEFAULT_SCHEME_TOML.replace("zero_at = \"0.10\"", "zero_at = \"abc\"");
        assert_eq!(PointsScheme::parse(&bad).expect_err("number").key, "factors.pm2_5_target.zero_at");
    }

    /// The Chinese explanation has no English words in any branch (issue 14 item 8): unranked and
    /// ranked, without and with last year, without and with targets, with and without tasks, with an
    /// unknown adjustment item. Letters allowed: the formulas' `max`/`min`, `N`, `N_c`, pollutant names.
    #[test]
    fn the_chinese_explanation_is_chinese() {
        let mut s = PointsScheme::default_scheme().expect("default");
        s.task_max = Some(Ratio::new(5, 1));
        let base = PointsInput {
            ranked: 21,
            rank: None,
            change_ranked: 21,
            change_rank: None,
            good_days: 28,
            good_days_last_year: None,
            heavy_days: 2,
            severe_days: 1,
            pm2_5_ytd: None,
            pm2_5_target: None,
            good_rate_ytd: None,
            good_rate_target: None,
            adjustments: vec![("made_up".to_string(), "x".to_string())],
            tasks: Vec::new(),
        };
        let other = PointsInput {
            rank: Some(3),
            change_rank: Some(5),
            good_days_last_year: Some(25),
            pm2_5_ytd: Some(crate::Conc(41_000)),
            pm2_5_target: Some(crate::Conc(39_000)),
            good_rate_ytd: Some(Ratio::new(85, 1)),
            good_rate_target: Some(Ratio::new(88, 1)),
            adjustments: vec![("green_benchmark".to_string(), "企业".to_string())],
            tasks: vec![TaskScoreInput {
                code: "任务1".into(),
                completion: Some(Ratio::new(1, 4)),
                elapsed: Ratio::new(1, 2),
            }],
            ..base.clone()
        };
        let allowed = ["max", "min", "N", "N_c", "PM", "made_up", "x"];
        for x in [&base, &other] {
            for f in score(&s, x).factors {
                for text in [&f.inputs_zh, &f.formula_zh] {
                    let words: Vec<&str> = text
                        .split(|c: char| !(c.is_ascii_alphabetic() || c == '_'))
                        .filter(|w| !w.is_empty() && !allowed.contains(w))
                        .collect();
                    assert!(words.is_empty(), "{} {text:?}: {words:?}", f.code);
                }
            }
        }
    }
}
