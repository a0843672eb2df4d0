//! `lantian control-list` (应急管控清单 with its adequacy and one-size-fits-all checks) and
//! `lantian compliance` (enterprises during the recorded responses, and the pairing duty).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use chrono::{Datelike, NaiveDateTime};
use clap::Args;
use lantian_core::emergency::compliance::{SeriesKind, Verdict};
use lantian_core::emergency::control::{AdequacyStatus, ReductionPollutant};
use lantian_core::{beijing_time, Conc};
use lantian_service::emergency::control::{self as svc, ControlList, EnterpriseCompliance};
use lantian_store::{CityInfo, Store};

use crate::output::{write_records, Table};
use crate::Format;

#[derive(Args, Debug)]
pub struct ControlListArgs {
    /// City name, alias or code.
    #[arg(long)]
    pub city: String,
    /// yellow, orange or red (黄色/橙色/红色).
    #[arg(long)]
    pub level: String,
    /// Year of the decision (its inventory is used, else the latest earlier one); default: the year
    /// of the latest forecast issuance, else of the latest inventory.
    #[arg(long)]
    pub year: Option<i32>,
    /// Also write the list as an xlsx workbook (管控清单, 减排核算, 一刀切提示, 说明).
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// Reduction targets per level and pollutant (TOML, the layout of
    /// crates/lantian-core/rules/reduction-targets-2018.toml); default: 10 / 20 / 30 %.
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, ISO 8601
    /// times with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct ComplianceArgs {
    /// Only these cities (default: every city with a recorded response).
    #[arg(long)]
    pub city: Vec<String>,
    /// Responses recorded up to this time (Beijing time); default: the latest entry of the alert log.
    #[arg(long, value_parser = crate::emergency::alert_cmd::parse_time)]
    pub until: Option<NaiveDateTime>,
    /// Also write the report as an xlsx workbook (疑似未落实, 核查明细, 结对帮扶).
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, ISO 8601
    /// times with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Thousandths as a decimal text (g → kg, Wh → kWh, kg → t), trailing zeros dropped.
pub fn milli_text(v: i64) -> String {
    Conc(v).to_string()
}

fn status_text(s: AdequacyStatus) -> &'static str {
    match s {
        AdequacyStatus::Pass => "达标 pass",
        AdequacyStatus::Fail => "不足 fail",
        AdequacyStatus::NoInventory => "无清单 no inventory",
    }
}

fn default_year(store: &dyn Store) -> Result<i32> {
    if let Some(t) = lantian_service::emergency::alerts::latest_issuance(store)? {
        return Ok(t.year());
    }
    Ok(chrono::Local::now().year())
}

pub fn run_control_list(db: &str, a: ControlListArgs) -> Result<ExitCode> {
    let store = crate::open_store(db)?;
    let city = store.resolve_city(&a.city)?.ok_or_else(|| anyhow!("unknown city {:?}", a.city))?;
    let level = svc::parse_level(&a.level)?;
    let year = match a.year {
        Some(y) => y,
        None => default_year(&*store)?,
    };
    let list = match &a.targets {
        None => svc::control_list(&*store, &city, level, year)?,
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            let targets = lantian_core::emergency::control::ReductionTargets::parse(&text)
                .map_err(|e| anyhow!("{}: {e}", path.display()))?;
            svc::control_list_with(&*store, &city, level, year, &targets)?
        }
    };
    if list.rows.is_empty() {
        eprintln!(
            "{} has no registered enterprises: import the enterprise registry (docs/formats.md §10.2)",
            city.display()
        );
    }
    if let Some(path) = &a.xlsx {
        lantian_report::emergency::write_control_list(path, &list)?;
        eprintln!("已写出 wrote {}", path.display());
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    write_control_list(&list, a.format, &mut out)?;
    Ok(ExitCode::SUCCESS)
}

fn write_control_list(list: &ControlList, format: Format, out: &mut dyn Write) -> Result<()> {
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, list)?;
        writeln!(out)?;
        return Ok(());
    }
    let rows = svc::list_rows(list, format == Format::Table);
    if format == Format::Csv {
        write_records(&svc::LIST_COLS, &svc::LIST_ZH, &rows, None, format, out)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} 重污染天气{}应急管控清单 emergency control list ({} enterprises)",
        list.city,
        list.level.name_zh(),
        rows.len()
    )?;
    let short: Vec<Vec<String>> = rows.iter().map(|r| [&r[1..2], &r[3..10]].concat()).collect();
    let mut t = Table::new(
        &[svc::LIST_ZH[1], svc::LIST_ZH[3], svc::LIST_ZH[4], svc::LIST_ZH[5], "SO2", "NOx", "PM", "VOCs"],
        &[false, false, false, false, true, true, true, true],
    );
    for r in short {
        t.push(r);
    }
    t.write(out)?;
    writeln!(out)?;
    match &list.adequacy {
        None => {
            writeln!(out, "减排核算 adequacy: {} 无排放清单 — import an inventory (docs/formats.md §10.4)", list.city)?
        }
        Some(ad) => {
            writeln!(
                out,
                "减排核算 adequacy ({}年清单 inventory {}; {}): {}",
                ad.inventory_year,
                ad.inventory_source,
                ad.targets_id,
                if ad.pass { "达标 PASS" } else { "不足 FAIL" }
            )?;
            let mut t = Table::new(
                &[
                    "污染物",
                    "企业减排(kg/日)",
                    "其他措施(kg/日)",
                    "合计(kg/日)",
                    "日均排放基数(kg/日)",
                    "减排比例(%)",
                    "要求(%)",
                    "结论",
                ],
                &[false, true, true, true, true, true, true, false],
            );
            for r in &ad.rows {
                t.push(vec![
                    r.pollutant.name_zh().to_string(),
                    milli_text(r.industrial_g),
                    milli_text(r.non_industrial_g),
                    milli_text(r.total_g),
                    r.daily_basis_g.round(0).to_string(),
                    r.ratio_pct.clone().unwrap_or_default(),
                    lantian_core::Ratio::new(r.target_pct.num * 1000, r.target_pct.den).round(1).to_string(),
                    status_text(r.status).to_string(),
                ]);
            }
            t.write(out)?;
        }
    }
    writeln!(out)?;
    if list.flags.is_empty() {
        writeln!(out, "一刀切提示 one-size-fits-all: 无 none")?;
    } else {
        writeln!(out, "一刀切提示 one-size-fits-all flags: {}", list.flags.len())?;
        for f in &list.flags {
            writeln!(out, "  • {} {}", f.credit_code.as_ref().map(|c| c.as_str()).unwrap_or("全市"), f.reason_zh)?;
        }
    }
    if !list.plan_issues.is_empty() {
        writeln!(out, "方案问题 plan issues:")?;
        for (code, i) in &list.plan_issues {
            writeln!(out, "  • {code} {}", i.message_zh)?;
        }
    }
    Ok(())
}

/// The series in machine formats: `power_quarter_hour`, `power_daily` or `cems_hourly` (with the
/// pollutant's code beside it), as its JSON form writes them.
fn series_code(k: SeriesKind) -> (&'static str, &'static str) {
    match k {
        SeriesKind::PowerDaily => ("power_daily", ""),
        SeriesKind::PowerQuarterHour => ("power_quarter_hour", ""),
        SeriesKind::CemsHourly { pollutant } => ("cems_hourly", pollutant.code()),
    }
}

/// The verdict's code (its JSON `code`).
fn verdict_code(v: &Verdict) -> &'static str {
    match v {
        Verdict::Compliant => "compliant",
        Verdict::SuspectedNonCompliance => "suspected_non_compliance",
        Verdict::NotRestricted => "not_restricted",
        Verdict::CannotJudge { .. } => "cannot_judge",
    }
}

/// The unit of a series' values (thousandths shown as kWh or kg).
pub fn series_label(k: SeriesKind) -> String {
    match k {
        SeriesKind::PowerDaily => "用电量(日) daily kWh".into(),
        SeriesKind::PowerQuarterHour => "用电量(15分钟→小时) hourly kWh".into(),
        SeriesKind::CemsHourly { pollutant } => format!("在线监测 CEMS {} kg/h", pollutant_en(pollutant)),
    }
}

fn pollutant_en(p: ReductionPollutant) -> &'static str {
    match p {
        ReductionPollutant::So2 => "SO2",
        ReductionPollutant::Nox => "NOx",
        ReductionPollutant::Pm => "PM",
        ReductionPollutant::Vocs => "VOCs",
    }
}

/// The verdict in words.
pub fn verdict_text(v: &Verdict) -> String {
    match v {
        Verdict::Compliant => "落实 compliant".into(),
        Verdict::SuspectedNonCompliance => "疑似未落实 suspected non-compliance".into(),
        Verdict::NotRestricted => "自主减排 not restricted".into(),
        Verdict::CannotJudge { reason } => format!("无法判断 cannot judge: {reason}"),
    }
}

pub fn run_compliance(db: &str, a: ComplianceArgs) -> Result<ExitCode> {
    let store = crate::open_store(db)?;
    let mut cities: Vec<CityInfo> = Vec::new();
    for c in &a.city {
        cities.push(store.resolve_city(c)?.ok_or_else(|| anyhow!("unknown city {c:?}"))?);
    }
    let until = match a.until {
        Some(t) => t,
        None => match lantian_service::emergency::alerts::latest_decision(&*store)? {
            Some(t) => t,
            None => {
                println!("预警台账为空 the alert log is empty: record alerts first (lantian alert evaluate --record --by NAME)");
                return Ok(ExitCode::SUCCESS);
            }
        },
    };
    let responses = svc::responses(&*store, &cities, until)?;
    let results = svc::compliance(&*store, &responses)?;
    let duty = svc::pairing_duty(&*store, &responses)?;
    if let Some(path) = &a.xlsx {
        lantian_report::emergency::write_compliance(path, &responses, &results, &duty)?;
        eprintln!("已写出 wrote {}", path.display());
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.format == Format::Json {
        serde_json::to_writer_pretty(&mut out, &svc::compliance_json(until, &responses, &results, &duty))?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if a.format == Format::Csv {
        let cols = [
            "city",
            "level",
            "from",
            "to",
            "credit_code",
            "name",
            "grade",
            "series",
            "pollutant",
            "verdict",
            "baseline",
            "ceiling",
            "exceeding",
            "summary",
        ];
        let rows: Vec<Vec<String>> = results
            .iter()
            .flat_map(|e: &EnterpriseCompliance| {
                e.reports.iter().map(move |r| {
                    let (series, pollutant) = series_code(r.kind);
                    vec![
                        e.city.clone(),
                        e.response.level.code().to_string(),
                        beijing_time::format(e.response.from),
                        beijing_time::format(e.response.to),
                        e.credit_code.clone(),
                        e.name.clone(),
                        e.grade.code().to_string(),
                        series.to_string(),
                        pollutant.to_string(),
                        verdict_code(&r.verdict).to_string(),
                        r.baseline.map(|b| b.round(1).to_string()).unwrap_or_default(),
                        r.ceiling.map(|c| c.round(1).to_string()).unwrap_or_default(),
                        r.points.iter().filter(|p| p.exceeds).count().to_string(),
                        r.lead.as_ref().map(|l| l.summary_zh.clone()).unwrap_or_default(),
                    ]
                })
            })
            .collect();
        write_records(&cols, &cols, &rows, None, a.format, &mut out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = results
        .iter()
        .flat_map(|e: &EnterpriseCompliance| {
            e.reports.iter().map(move |r| {
                vec![
                    e.city.clone(),
                    e.response.level.name_zh().to_string(),
                    e.response.from.format("%Y-%m-%d %H:%M").to_string(),
                    e.response.to.format("%Y-%m-%d %H:%M").to_string(),
                    e.credit_code.clone(),
                    e.name.clone(),
                    e.grade.label_zh().to_string(),
                    series_label(r.kind),
                    verdict_text(&r.verdict),
                    r.baseline.map(|b| b.round(1).to_string()).unwrap_or_default(),
                    r.ceiling.map(|c| c.round(1).to_string()).unwrap_or_default(),
                    r.points.iter().filter(|p| p.exceeds).count().to_string(),
                    r.lead.as_ref().map(|l| l.summary_zh.clone()).unwrap_or_default(),
                ]
            })
        })
        .collect();
    writeln!(
        out,
        "应急响应期间企业落实情况 compliance during {} recorded responses (up to {})",
        responses.len(),
        until.format("%Y-%m-%d %H:%M")
    )?;
    for r in &responses {
        writeln!(
            out,
            "  {} {} {} → {}",
            r.city,
            r.level.name_zh(),
            r.from.format("%m-%d %H:%M"),
            r.to.format("%m-%d %H:%M")
        )?;
    }
    let leads: Vec<&Vec<String>> = rows.iter().filter(|r| r[8].starts_with("疑似")).collect();
    writeln!(out)?;
    writeln!(out, "疑似未落实 suspected non-compliance (enforcement leads 线索): {}", leads.len())?;
    for r in &leads {
        writeln!(out, "  • {} {} [{}] {}", r[0], r[5], r[7], r[12])?;
    }
    let judged = rows.len();
    let compliant = rows.iter().filter(|r| r[8].starts_with("落实")).count();
    let cannot = rows.iter().filter(|r| r[8].starts_with("无法")).count();
    let autonomous = rows.iter().filter(|r| r[8].starts_with("自主")).count();
    writeln!(
        out,
        "核查 checked: {judged} series of {} enterprises — {compliant} compliant, {} suspected, {autonomous} autonomous (not restricted), {cannot} cannot judge",
        results.len(),
        leads.len()
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "结对帮扶厅级领导现场督导 pairing duty ({}): {} responses in paired cities checked, {} unpaired",
        duty.table_id, duty.checked, duty.unpaired
    )?;
    if duty.missing.is_empty() {
        writeln!(out, "  全部落实 every response had a 厅级 leader on site")?;
    }
    for m in &duty.missing {
        writeln!(out, "  • {}", m.message_zh)?;
    }
    Ok(ExitCode::SUCCESS)
}
