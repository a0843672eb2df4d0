//! Compliance with emergency measures during a response (`emergency.md` §6 verification rule [D];
//! Notice §7 "严肃查处各类拒不执行重污染天气应急管控措施行为").
//!
//! From an enterprise's electricity use (15-minute or daily kWh, 用电监控) or CEMS hourly emissions
//! (在线监测), a baseline window before the response and the plan's allowed share at the level, the
//! check computes the baseline, the expected ceiling, the actual series and the shortfall, and flags
//! suspected non-compliance when the measured series exceeds the ceiling for ≥ 2 consecutive hours
//! (CEMS, or 15-minute power aggregated to hours) or on a whole day (daily kWh). A flag becomes an
//! enforcement lead of type [`LeadType::RefuseEmergencyMeasures`] with its evidence.
//!
//! Design decisions [D] (all configurable in [`ComplianceConfig`]):
//! - baseline = mean of the valid hourly (or daily) values on the N = 30 calendar days before the
//!   response's start day, leaving out every day that overlaps another response (`exclude`);
//!   at least `min_baseline_days` days with data are needed, else "cannot judge";
//! - ceiling = baseline × (allowed share + tolerance); tolerance 10 % of the baseline by default, so a
//!   stopped plant may still draw standby power of up to 10 % of normal;
//! - an hour from 15-minute data needs all four quarters; a missing hour breaks a run (missing data is
//!   never evidence);
//! - only hours / days wholly inside the response window are judged.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, Timelike};
use serde::Serialize;

use crate::air::conc::{round_half_even, Ratio};
use crate::emergency::control::{ControlLevel, ReductionPollutant};
use crate::enterprises::credit_code::CreditCode;

/// A time window `[from, to)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Window {
    #[serde(with = "crate::beijing_time")]
    pub from: NaiveDateTime,
    #[serde(with = "crate::beijing_time")]
    pub to: NaiveDateTime,
}

impl Window {
    pub fn overlaps(&self, from: NaiveDateTime, to: NaiveDateTime) -> bool {
        self.from < to && from < self.to
    }
    pub fn contains(&self, from: NaiveDateTime, to: NaiveDateTime) -> bool {
        self.from <= from && to <= self.to
    }
}

/// What the measured series is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "series", rename_all = "snake_case")]
pub enum SeriesKind {
    /// CEMS hourly emission of a pollutant, grams per hour.
    CemsHourly { pollutant: ReductionPollutant },
    /// Electricity use per 15 minutes, Wh (judged per hour).
    PowerQuarterHour,
    /// Electricity use per day, Wh (judged per day).
    PowerDaily,
}

impl SeriesKind {
    /// The unit values are shown in: the series hold thousandths of it (Wh of kWh, g of kg).
    pub fn unit(self) -> &'static str {
        match self {
            SeriesKind::CemsHourly { .. } => "kg/h",
            SeriesKind::PowerQuarterHour => "kWh/h",
            SeriesKind::PowerDaily => "kWh/d",
        }
    }
}

/// One measured value: the interval starting at `start` (hour, quarter-hour or day at 00:00).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Reading {
    #[serde(with = "crate::beijing_time")]
    pub start: NaiveDateTime,
    pub value: i64,
}

/// Parameters of the check [D].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComplianceConfig {
    /// Baseline length in days before the response start day (default 30).
    pub baseline_days: u32,
    /// Other responses: days overlapping them are left out of the baseline.
    pub exclude: Vec<Window>,
    /// Fewest baseline days with data (default 7).
    pub min_baseline_days: u32,
    /// Added to the allowed share (fraction of the baseline, default 1/10).
    pub tolerance: Ratio,
    /// Consecutive exceeding hours that make a flag (default 2).
    pub min_consecutive_hours: u32,
}

impl Default for ComplianceConfig {
    fn default() -> Self {
        ComplianceConfig {
            baseline_days: 30,
            exclude: Vec::new(),
            min_baseline_days: 7,
            tolerance: Ratio::new(1, 10),
            min_consecutive_hours: 2,
        }
    }
}

/// One judged hour or day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComparedPoint {
    #[serde(with = "crate::beijing_time")]
    pub start: NaiveDateTime,
    pub actual: i64,
    pub exceeds: bool,
    /// actual − ceiling when above the ceiling (exact), else zero.
    pub shortfall: Ratio,
}

/// A run of consecutive exceeding hours (or one exceeding day).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExceedanceRun {
    #[serde(with = "crate::beijing_time")]
    pub from: NaiveDateTime,
    /// End of the last exceeding interval.
    #[serde(with = "crate::beijing_time")]
    pub to: NaiveDateTime,
    pub intervals: u32,
    /// Reaches the flag threshold.
    pub flagged: bool,
}

/// The outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Verdict {
    Compliant,
    SuspectedNonCompliance,
    /// The plan does not restrict this enterprise at the level (autonomous reduction).
    NotRestricted,
    /// Not enough to judge (no baseline, no data, unknown plan share): never a flag.
    CannotJudge {
        reason: String,
    },
}

/// Lead types created by this module (Notice §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadType {
    /// 拒不执行重污染天气应急管控措施.
    RefuseEmergencyMeasures,
}

/// The evidence of a lead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub kind: SeriesKind,
    /// Display unit ([`SeriesKind::unit`]); the values below are thousandths of it.
    pub unit: &'static str,
    /// The exceeding intervals of the flagged runs.
    pub series: Vec<ComparedPoint>,
    pub baseline: Ratio,
    pub baseline_days: Vec<NaiveDate>,
    pub allowed_share: Ratio,
    pub ceiling: Ratio,
    /// Σ shortfall over `series`.
    pub total_shortfall: Ratio,
}

/// An enforcement lead (违法线索) for the enforcement and lead-transfer workflow (Notice §7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnforcementLead {
    pub lead_type: LeadType,
    pub credit_code: CreditCode,
    pub level: ControlLevel,
    pub response: Window,
    pub evidence: Evidence,
    pub summary_zh: String,
    pub summary_en: String,
}

/// The full result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComplianceReport {
    pub credit_code: CreditCode,
    pub level: ControlLevel,
    pub response: Window,
    pub kind: SeriesKind,
    pub config: ComplianceConfig,
    pub baseline: Option<Ratio>,
    /// Baseline rounded to an integer (half-even), for display.
    pub baseline_rounded: Option<i128>,
    pub baseline_days: Vec<NaiveDate>,
    pub allowed_share: Option<Ratio>,
    pub ceiling: Option<Ratio>,
    pub ceiling_rounded: Option<i128>,
    pub points: Vec<ComparedPoint>,
    pub runs: Vec<ExceedanceRun>,
    pub verdict: Verdict,
    pub lead: Option<EnforcementLead>,
    /// Data notes (duplicates, incomplete hours).
    pub notes: Vec<String>,
}

fn floor_hour(t: NaiveDateTime) -> Option<NaiveDateTime> {
    t.date().and_hms_opt(t.hour(), 0, 0)
}

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_hms_opt(0, 0, 0).unwrap_or_default()
}

/// The judged units (hour or day start → value) of a series.
fn units(kind: SeriesKind, readings: &[Reading], notes: &mut Vec<String>) -> BTreeMap<NaiveDateTime, i64> {
    let mut raw: BTreeMap<NaiveDateTime, i64> = BTreeMap::new();
    let mut dup = 0;
    for r in readings {
        if raw.insert(r.start, r.value).is_some() {
            dup += 1;
        }
    }
    if dup > 0 {
        notes.push(format!("{dup} duplicate readings: the last one of each interval is used"));
    }
    match kind {
        SeriesKind::CemsHourly { .. } => raw.into_iter().filter_map(|(t, v)| Some((floor_hour(t)?, v))).collect(),
        SeriesKind::PowerDaily => raw.into_iter().map(|(t, v)| (midnight(t.date()), v)).collect(),
        SeriesKind::PowerQuarterHour => {
            let mut hours: BTreeMap<NaiveDateTime, (u8, i64)> = BTreeMap::new();
            for (t, v) in raw {
                if t.minute() % 15 != 0 || t.second() != 0 {
                    continue;
                }
                let Some(h) = floor_hour(t) else { continue };
                let e = hours.entry(h).or_insert((0, 0));
                e.0 += 1;
                e.1 += v;
            }
            let incomplete = hours.values().filter(|(n, _)| *n < 4).count();
            if incomplete > 0 {
                notes.push(format!("{incomplete} hours with fewer than four quarter-hours left out"));
            }
            hours.into_iter().filter(|(_, (n, _))| *n == 4).map(|(h, (_, v))| (h, v)).collect()
        }
    }
}

/// Checks an enterprise's compliance with its plan during a response (see the module notes).
/// `allowed_share` is the plan's plant-level share at the level
/// ([`crate::emergency::control::PlantPlan::restriction`]); `None` = unknown.
pub fn check_compliance(
    credit_code: &CreditCode,
    level: ControlLevel,
    response: Window,
    kind: SeriesKind,
    readings: &[Reading],
    allowed_share: Option<Ratio>,
    config: &ComplianceConfig,
) -> ComplianceReport {
    let mut notes = Vec::new();
    let units = units(kind, readings, &mut notes);
    let step = if kind == SeriesKind::PowerDaily { Duration::days(1) } else { Duration::hours(1) };
    let mut report = ComplianceReport {
        credit_code: credit_code.clone(),
        level,
        response,
        kind,
        config: config.clone(),
        baseline: None,
        baseline_rounded: None,
        baseline_days: Vec::new(),
        allowed_share,
        ceiling: None,
        ceiling_rounded: None,
        points: Vec::new(),
        runs: Vec::new(),
        verdict: Verdict::Compliant,
        lead: None,
        notes: Vec::new(),
    };
    let cannot = |mut r: ComplianceReport, reason: &str, notes: Vec<String>| {
        r.verdict = Verdict::CannotJudge { reason: reason.to_string() };
        r.notes = notes;
        r
    };

    // Baseline days: the N days before the start day, minus days overlapping other responses.
    let start_day = response.from.date();
    let mut days = Vec::new();
    for k in (1..=i64::from(config.baseline_days)).rev() {
        let d = start_day - Duration::days(k);
        let (a, b) = (midnight(d), midnight(d) + Duration::days(1));
        if config.exclude.iter().any(|w| w.overlaps(a, b)) || response.overlaps(a, b) {
            continue;
        }
        days.push(d);
    }
    let mut sum: i128 = 0;
    let mut n: i128 = 0;
    let mut used = Vec::new();
    for d in &days {
        let (a, b) = (midnight(*d), midnight(*d) + Duration::days(1));
        let vals: Vec<i64> = units.range(a..b).map(|(_, v)| *v).collect();
        if !vals.is_empty() {
            used.push(*d);
            sum += vals.iter().map(|v| i128::from(*v)).sum::<i128>();
            n += vals.len() as i128;
        }
    }
    report.baseline_days = used.clone();
    if (used.len() as u32) < config.min_baseline_days.max(1) {
        let reason = format!(
            "基线数据不足：{} 天有数据，至少需要 {} 天 / insufficient baseline: {} days with data, {} needed",
            used.len(),
            config.min_baseline_days.max(1),
            used.len(),
            config.min_baseline_days.max(1)
        );
        return cannot(report, &reason, notes);
    }
    let baseline = Ratio::new(sum, n).reduced();
    report.baseline = Some(baseline);
    report.baseline_rounded = Some(round_half_even(baseline.num, baseline.den));
    if baseline.num <= 0 {
        return cannot(report, "基线为零，无法判断 / the baseline is zero: nothing to compare against", notes);
    }
    let Some(share) = allowed_share else {
        return cannot(report, "一厂一策未给出可核查的限产比例 / the plan states no verifiable allowed share", notes);
    };
    if share >= Ratio::new(1, 1) {
        report.verdict = Verdict::NotRestricted;
        report.notes = notes;
        return report;
    }
    let limit = share + config.tolerance;
    let ceiling = Ratio::new(baseline.num * limit.num, baseline.den * limit.den).reduced();
    report.ceiling = Some(ceiling);
    report.ceiling_rounded = Some(round_half_even(ceiling.num, ceiling.den));

    // Judge the intervals wholly inside the window.
    for (t, v) in units.range(response.from..response.to) {
        if !response.contains(*t, *t + step) {
            continue;
        }
        let actual = Ratio::new(i128::from(*v), 1);
        let exceeds = actual > ceiling;
        let shortfall = if exceeds { (actual - ceiling).reduced() } else { Ratio::new(0, 1) };
        report.points.push(ComparedPoint { start: *t, actual: *v, exceeds, shortfall });
    }
    if report.points.is_empty() {
        return cannot(report, "响应期间无监测数据 / no data inside the response window", notes);
    }

    // Runs of consecutive exceeding intervals.
    let need = if kind == SeriesKind::PowerDaily { 1 } else { config.min_consecutive_hours.max(1) };
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, p) in report.points.iter().enumerate() {
        if !p.exceeds {
            continue;
        }
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == i && report.points[*end].start + step == p.start => *end = i,
            _ => runs.push((i, i)),
        }
    }
    let mut series = Vec::new();
    for (a, b) in &runs {
        let len = (b - a + 1) as u32;
        let flagged = len >= need;
        report.runs.push(ExceedanceRun {
            from: report.points[*a].start,
            to: report.points[*b].start + step,
            intervals: len,
            flagged,
        });
        if flagged {
            series.extend(report.points[*a..=*b].iter().cloned());
        }
    }
    if series.is_empty() {
        report.verdict = Verdict::Compliant;
        report.notes = notes;
        return report;
    }
    report.verdict = Verdict::SuspectedNonCompliance;
    let total_shortfall = series.iter().fold(Ratio::new(0, 1), |a, p| a + p.shortfall).reduced();
    let unit = kind.unit();
    let flagged_runs = report.runs.iter().filter(|r| r.flagged).count();
    // Shown in kWh or kg with one decimal (GB/T 8170), from the exact thousandths.
    let c = ceiling.round(1);
    let b = baseline.round(1);
    report.lead = Some(EnforcementLead {
        lead_type: LeadType::RefuseEmergencyMeasures,
        credit_code: credit_code.clone(),
        level,
        response,
        summary_zh: format!(
            "{}期间 {} 监测值在 {} 个时段（共 {} 个{}）超过应急限值 {} {}（基线 {} {}），疑似拒不执行重污染天气应急管控措施",
            level.name_zh(),
            credit_code,
            flagged_runs,
            series.len(),
            if kind == SeriesKind::PowerDaily { "日" } else { "小时" },
            c,
            unit,
            b,
            unit
        ),
        summary_en: format!(
            "during the {} response {} exceeded its emergency ceiling of {} {} (baseline {} {}) in {} run(s), {} {}: \
             suspected refusal to execute emergency measures",
            level.code(),
            credit_code,
            c,
            unit,
            b,
            unit,
            flagged_runs,
            series.len(),
            if kind == SeriesKind::PowerDaily { "days" } else { "hours" }
        ),
        evidence: Evidence {
            kind,
            unit,
            series,
            baseline,
            baseline_days: used,
            allowed_share: share,
            ceiling,
            total_shortfall,
        },
    });
    report.notes = notes;
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emergency::control::Action;
    use chrono::Datelike;

    fn t(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2022, 12, d).and_then(|x| x.and_hms_opt(h, m, 0)).expect("time")
    }

    fn code() -> CreditCode {
        CreditCode::parse("91510100MA6CX7Y218").expect("code")
    }

    /// Response 2022-12-10 00:00 – 12-12 00:00. Baseline: 30 days 11-10 … 12-09.
    fn response() -> Window {
        Window { from: t(10, 0, 0), to: t(12, 0, 0) }
    }

    /// 15-minute power: 250 Wh per quarter (1000 Wh/h) from 11-01 to 12-09, then `during` per
    /// quarter from 12-10 to 12-11.
    fn power(during: impl Fn(NaiveDateTime) -> i64) -> Vec<Reading> {
        let mut out = Vec::new();
        let mut x = NaiveDate::from_ymd_opt(2022, 11, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).expect("t");
        while x < t(12, 0, 0) {
            let v = if x < t(10, 0, 0) { 250 } else { during(x) };
            out.push(Reading { start: x, value: v });
            x += Duration::minutes(15);
        }
        out
    }

    fn half() -> Option<Ratio> {
        Action::LimitLoad { pct: 50 }.allowed_share()
    }

    /// Baseline 1000 Wh/h; LimitLoad 50 % with tolerance 10 %: ceiling = 1000 × (1/2 + 1/10) = 600.
    /// Running on at 1000 Wh/h: every one of the 48 hours exceeds by 400 → one flagged run, shortfall
    /// 48 × 400 = 19 200.
    #[test]
    fn enterprise_that_keeps_running_is_found() {
        let r = check_compliance(
            &code(),
            ControlLevel::Orange,
            response(),
            SeriesKind::PowerQuarterHour,
            &power(|_| 250),
            half(),
            &ComplianceConfig::default(),
        );
        assert_eq!(r.baseline, Some(Ratio::new(1000, 1)));
        assert_eq!(r.baseline_days.len(), 30);
        assert_eq!(r.ceiling, Some(Ratio::new(600, 1)));
        assert_eq!(r.verdict, Verdict::SuspectedNonCompliance);
        assert_eq!(r.runs.len(), 1);
        assert_eq!(r.runs[0].intervals, 48);
        let lead = r.lead.expect("lead");
        assert_eq!(lead.lead_type, LeadType::RefuseEmergencyMeasures);
        assert_eq!(lead.evidence.series.len(), 48);
        assert_eq!(lead.evidence.series[0].shortfall, Ratio::new(400, 1));
        assert_eq!(lead.evidence.total_shortfall, Ratio::new(19_200, 1));
        assert!(lead.summary_zh.contains("拒不执行") && lead.summary_en.contains("0.6 kWh/h"));
    }

    /// Cut to 125 Wh per quarter = 500 Wh/h ≤ 600: compliant, no lead.
    #[test]
    fn enterprise_that_cut_production_is_not_flagged() {
        let r = check_compliance(
            &code(),
            ControlLevel::Orange,
            response(),
            SeriesKind::PowerQuarterHour,
            &power(|_| 125),
            half(),
            &ComplianceConfig::default(),
        );
        assert_eq!(r.verdict, Verdict::Compliant);
        assert!(r.lead.is_none());
        assert_eq!(r.points.len(), 48);
    }

    /// One hour at 700 (> 600) is not enough; two consecutive hours are. A missing quarter at 03:30
    /// makes 03:00 no hour at all, so 02:00 and 04:00 above the ceiling are not consecutive.
    #[test]
    fn two_consecutive_hours_needed() {
        let one = power(|x| if x.hour() == 5 && x.date() == t(10, 0, 0).date() { 175 } else { 125 });
        let r = check_compliance(
            &code(),
            ControlLevel::Red,
            response(),
            SeriesKind::PowerQuarterHour,
            &one,
            half(),
            &ComplianceConfig::default(),
        );
        assert_eq!(r.verdict, Verdict::Compliant);
        assert_eq!(r.runs.len(), 1);
        assert!(!r.runs[0].flagged);

        let two = power(|x| if (5..7).contains(&x.hour()) && x.day() == 10 { 175 } else { 125 });
        let r = check_compliance(
            &code(),
            ControlLevel::Red,
            response(),
            SeriesKind::PowerQuarterHour,
            &two,
            half(),
            &ComplianceConfig::default(),
        );
        assert_eq!(r.verdict, Verdict::SuspectedNonCompliance);
        // Two hours of 700 − 600 = 100 each.
        assert_eq!(r.lead.expect("lead").evidence.total_shortfall, Ratio::new(200, 1));

        let mut gap = power(|x| if [2, 4].contains(&x.hour()) && x.day() == 10 { 175 } else { 125 });
        gap.retain(|r| r.start != t(10, 3, 30));
        let r = check_compliance(
            &code(),
            ControlLevel::Red,
            response(),
            SeriesKind::PowerQuarterHour,
            &gap,
            half(),
            &ComplianceConfig::default(),
        );
        assert_eq!(r.verdict, Verdict::Compliant);
        assert_eq!(r.points.len(), 47);
        assert!(r.notes.iter().any(|n| n.contains("fewer than four")));
    }

    #[test]
    fn no_baseline_cannot_judge() {
        let during: Vec<Reading> = power(|_| 250).into_iter().filter(|r| r.start >= t(10, 0, 0)).collect();
        let r = check_compliance(
            &code(),
            ControlLevel::Yellow,
            response(),
            SeriesKind::PowerQuarterHour,
            &during,
            half(),
            &ComplianceConfig::default(),
        );
        assert!(matches!(r.verdict, Verdict::CannotJudge { .. }), "{:?}", r.verdict);
        assert!(r.lead.is_none());
        // Baseline days inside another response are left out: an earlier response from 11-05 00:00 to
        // 12-09 00:00 covers 11-10 … 12-08 of the baseline window and leaves only 12-09.
        let cfg = ComplianceConfig {
            exclude: vec![Window { from: t(1, 0, 0) - Duration::days(26), to: t(9, 0, 0) }],
            ..ComplianceConfig::default()
        };
        let r = check_compliance(
            &code(),
            ControlLevel::Yellow,
            response(),
            SeriesKind::PowerQuarterHour,
            &power(|_| 250),
            half(),
            &cfg,
        );
        assert_eq!(r.baseline_days, vec![NaiveDate::from_ymd_opt(2022, 12, 9).expect("d")]);
        assert!(matches!(r.verdict, Verdict::CannotJudge { .. }));
        // A configured minimum of one day judges on that day.
        let cfg1 = ComplianceConfig { min_baseline_days: 1, ..cfg };
        let r = check_compliance(
            &code(),
            ControlLevel::Yellow,
            response(),
            SeriesKind::PowerQuarterHour,
            &power(|_| 250),
            half(),
            &cfg1,
        );
        assert_eq!(r.verdict, Verdict::SuspectedNonCompliance);
        // Unknown share, or autonomous: no flag.
        let r = check_compliance(
            &code(),
            ControlLevel::Yellow,
            response(),
            SeriesKind::PowerQuarterHour,
            &power(|_| 250),
            None,
            &ComplianceConfig::default(),
        );
        assert!(matches!(r.verdict, Verdict::CannotJudge { .. }));
        let r = check_compliance(
            &code(),
            ControlLevel::Yellow,
            response(),
            SeriesKind::PowerQuarterHour,
            &power(|_| 250),
            Action::Autonomous.allowed_share(),
            &ComplianceConfig::default(),
        );
        assert_eq!(r.verdict, Verdict::NotRestricted);
    }

    /// Daily kWh, plan Stop (share 0): baseline 24 000 Wh/d → ceiling 24 000 × (0 + 1/10) = 2 400.
    /// 12-10: 20 000 (> 2 400: flagged, one whole day suffices); 12-11: 1 000 (fine).
    #[test]
    fn daily_power_whole_day() {
        let mut r: Vec<Reading> = (0..30)
            .map(|k| Reading {
                start: midnight(NaiveDate::from_ymd_opt(2022, 11, 10).expect("d") + Duration::days(k)),
                value: 24_000,
            })
            .collect();
        r.push(Reading { start: t(10, 0, 0), value: 20_000 });
        r.push(Reading { start: t(11, 0, 0), value: 1_000 });
        let rep = check_compliance(
            &code(),
            ControlLevel::Red,
            response(),
            SeriesKind::PowerDaily,
            &r,
            Action::Stop.allowed_share(),
            &ComplianceConfig::default(),
        );
        assert_eq!(rep.ceiling, Some(Ratio::new(2_400, 1)));
        assert_eq!(rep.verdict, Verdict::SuspectedNonCompliance);
        let lead = rep.lead.expect("lead");
        assert_eq!(lead.evidence.series.len(), 1);
        assert_eq!(lead.evidence.total_shortfall, Ratio::new(17_600, 1));
        // A response starting at noon does not judge its first, partial day.
        let w = Window { from: t(10, 12, 0), to: t(12, 0, 0) };
        let rep = check_compliance(
            &code(),
            ControlLevel::Red,
            w,
            SeriesKind::PowerDaily,
            &r,
            Action::Stop.allowed_share(),
            &ComplianceConfig::default(),
        );
        assert_eq!(rep.verdict, Verdict::Compliant);
        assert_eq!(rep.points.len(), 1);
    }

    /// CEMS NOx g/h: baseline hours alternate 3 000 and 5 000 → mean 4 000; shift 8 h (share 2/3) with
    /// tolerance 1/10: ceiling = 4 000 × (2/3 + 1/10) = 4 000 × 23/30 = 9 200/3 ≈ 3 066.7.
    #[test]
    fn cems_hourly() {
        let mut r = Vec::new();
        let mut x = t(1, 0, 0);
        let mut odd = false;
        while x < t(10, 0, 0) {
            r.push(Reading { start: x, value: if odd { 5_000 } else { 3_000 } });
            odd = !odd;
            x += Duration::hours(1);
        }
        r.push(Reading { start: t(10, 8, 0), value: 3_066 });
        r.push(Reading { start: t(10, 9, 0), value: 3_067 });
        r.push(Reading { start: t(10, 10, 0), value: 3_100 });
        let kind = SeriesKind::CemsHourly { pollutant: ReductionPollutant::Nox };
        let cfg = ComplianceConfig { min_baseline_days: 5, ..ComplianceConfig::default() };
        let rep = check_compliance(
            &code(),
            ControlLevel::Orange,
            response(),
            kind,
            &r,
            Action::Shift { hours: 8 }.allowed_share(),
            &cfg,
        );
        assert_eq!(rep.baseline, Some(Ratio::new(4_000, 1)));
        assert_eq!(rep.ceiling, Some(Ratio::new(9_200, 3)));
        assert_eq!(rep.ceiling_rounded, Some(3_067));
        // 3 066 is below 3 066.67; 3 067 and 3 100 above, consecutive → flagged.
        assert_eq!(rep.verdict, Verdict::SuspectedNonCompliance);
        let lead = rep.lead.expect("lead");
        assert_eq!(lead.evidence.series.len(), 2);
        // (3067 − 9200/3) + (3100 − 9200/3) = 6167 − 18400/3 = (18501 − 18400)/3 = 101/3.
        assert_eq!(lead.evidence.total_shortfall, Ratio::new(101, 3));
    }
}
