//! `lantian alert evaluate|status|log|record|rules`: heavy-pollution alerts from forecasts.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Result};
use chrono::{NaiveDate, NaiveDateTime};
use clap::{Args, Subcommand};
use lantian_core::beijing_time;
use lantian_core::emergency::{
    rule_sets, AlertEventKind, AlertLevel, AlertScope, ForecastDay, RaiseEffect, RegionalAlert,
};
use lantian_service::emergency::alerts::{self, Evaluation};

use crate::output::{opt, write_records, Table};
use crate::Format;

/// A decision time (Beijing time): `YYYY-MM-DDTHH:MM[:SS][+08:00]` or `YYYY-MM-DD HH:MM`.
pub fn parse_time(s: &str) -> Result<NaiveDateTime, String> {
    lantian_ingest::emergency::parse_datetime(s)
        .or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(alerts::day_start))
        .ok_or_else(|| format!("not a time (YYYY-MM-DDTHH:MM, Beijing time): {s:?}"))
}

#[derive(Args, Debug)]
pub struct AlertArgs {
    #[command(subcommand)]
    pub command: AlertCommand,
}

#[derive(Subcommand, Debug)]
pub enum AlertCommand {
    /// Import forecast files (if given) and judge the latest issuance of every city known at --at:
    /// city alerts with their trigger days, regional and joint-control alerts.
    Evaluate(EvaluateArgs),
    /// Alerts active at a time according to the alert log (who decided, on what evidence).
    Status(StatusArgs),
    /// The alert log: every start, raise, lower and lift.
    Log(LogArgs),
    /// Record a decision by hand (cities may start earlier or higher than the forecast requires).
    Record(RecordArgs),
    /// The alert rule sets with their validity dates and sources.
    Rules(RulesArgs),
    /// Draft the provincial alert letter (预警函): cities to start or raise alerts from 00:00 of given days.
    Letter(LetterArgs),
}

#[derive(Args, Debug)]
pub struct LetterArgs {
    /// Consultation time (Beijing time); default: the latest issuance.
    #[arg(long, value_parser = parse_time)]
    pub at: Option<NaiveDateTime>,
    /// Rule set id; default: the Sichuan plan in force on that date.
    #[arg(long)]
    pub rules: Option<String>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, ISO 8601
    /// times with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct EvaluateArgs {
    /// Forecast files (CSV or JSON, `docs/formats.md` §10.1), imported first (idempotent).
    #[arg(long = "forecast", value_name = "FILE")]
    pub forecasts: Vec<PathBuf>,
    /// Decision time (Beijing time): only issuances up to then are known; default: the latest issuance.
    #[arg(long, value_parser = parse_time)]
    pub at: Option<NaiveDateTime>,
    /// Rule set id (see `lantian alert rules`); default: the Sichuan plan in force on the decision date.
    #[arg(long)]
    pub rules: Option<String>,
    /// Replay every city's alert life up to --at and append the new starts, raises, lowers and lifts
    /// to the alert log, recorded as made by --by.
    #[arg(long, requires = "by")]
    pub record: bool,
    /// Who records the decisions.
    #[arg(long)]
    pub by: Option<String>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, ISO 8601
    /// times with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Time of the status (Beijing time); default: the latest entry of the log.
    #[arg(long, value_parser = parse_time)]
    pub at: Option<NaiveDateTime>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, ISO 8601
    /// times with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct LogArgs {
    /// Only this city.
    #[arg(long)]
    pub city: Option<String>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, ISO 8601
    /// times with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct RecordArgs {
    /// The city deciding (name, alias or code).
    #[arg(long)]
    pub city: String,
    /// start, raise, lower or lift.
    #[arg(long)]
    pub action: String,
    /// yellow, orange, red (blue under plans that have it); not for lift.
    #[arg(long)]
    pub level: Option<String>,
    /// Decision time (Beijing time).
    #[arg(long, value_parser = parse_time)]
    pub at: NaiveDateTime,
    /// Measures apply from 00:00 of this day (start; default: the decision's day).
    #[arg(long, value_parser = crate::parse_date)]
    pub effective_from: Option<NaiveDate>,
    /// Who decided (recorded in the alert log).
    #[arg(long)]
    pub by: String,
    /// What the decision rests on (consultation, alert letter, monitoring …).
    #[arg(long)]
    pub evidence: String,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, ISO 8601
    /// times with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// A stored level code as Chinese tables write it (黄色预警); `—` when none.
fn level_zh(code: Option<&str>) -> String {
    code.map(|c| AlertLevel::from_code(c).map_or_else(|| c.to_string(), |l| l.name_zh().to_string()))
        .unwrap_or_else(|| "—".to_string())
}

/// A stored action code as Chinese tables write it (启动 / 升级 / 降级 / 解除).
fn action_zh(code: &str) -> String {
    AlertEventKind::from_code(code).map_or_else(|| code.to_string(), |k| k.name_zh().to_string())
}

/// A time in a Chinese table (`2022-11-30 10:00`).
fn time_zh(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn days_text(days: &[ForecastDay]) -> String {
    days.iter().map(|d| format!("{}:{}", d.date.format("%m-%d"), d.aqi)).collect::<Vec<_>>().join(" ")
}

/// What an alert covers, by Chinese names (成都平原; 成都、自贡、德阳 for a contiguous group).
fn scope_text(s: &AlertScope) -> String {
    match s {
        AlertScope::City(c) => city_name(*c),
        AlertScope::Region(r) => r.name_zh().to_string(),
        AlertScope::Cities(v) => v.iter().map(|c| city_name(*c)).collect::<Vec<_>>().join("、"),
    }
}

fn city_name(code: u32) -> String {
    lantian_core::regions::cities::SICHUAN_CITIES
        .iter()
        .find(|c| c.code == code)
        .map_or_else(|| code.to_string(), |c| c.short.to_string())
}

fn regional_row(kind: &str, r: &RegionalAlert) -> Vec<String> {
    vec![
        kind.to_string(),
        scope_text(&r.scope),
        r.level.name_zh().to_string(),
        r.start_date.to_string(),
        r.end_date.to_string(),
        r.response.map(|x| x.name_zh().to_string()).unwrap_or_default(),
        r.lead_city.map(city_name).unwrap_or_default(),
        r.members.iter().map(|m| format!("{}({})", city_name(m.city), m.level.name_zh())).collect::<Vec<_>>().join(" "),
        r.rule_set_id.clone(),
    ]
}

fn write_evaluation(ev: &Evaluation, format: Format, out: &mut dyn Write) -> Result<()> {
    let rows = alerts::evaluation_rows(ev, format == Format::Table);
    let (cols, zh_cols) = (alerts::EVALUATION_COLS, alerts::EVALUATION_ZH);
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, ev)?;
            writeln!(out)?;
        }
        Format::Csv => write_records(&cols, &zh_cols, &rows, None, format, out)?,
        Format::Table => {
            writeln!(
                out,
                "重污染天气预警研判 alert evaluation at {} — {} {}",
                ev.at.format("%Y-%m-%d %H:%M"),
                ev.rule_set,
                ev.rule_document
            )?;
            write_records(
                &cols[..12],
                &zh_cols[..12],
                &rows.iter().map(|r| r[..12].to_vec()).collect::<Vec<_>>(),
                None,
                format,
                out,
            )?;
            let regional: Vec<Vec<String>> = ev
                .regional
                .iter()
                .map(|r| regional_row("连片区域", r))
                .chain(ev.joint_control.iter().map(|r| regional_row("联防联控区域", r)))
                .collect();
            writeln!(out)?;
            if regional.is_empty() {
                writeln!(out, "区域预警 regional alerts: 无 none")?;
            } else {
                writeln!(out, "区域预警 regional alerts")?;
                let mut t = Table::new(
                    &["类型", "区域", "级别", "开始", "结束", "响应", "牵头城市", "成员城市", "规则"],
                    &[false; 9],
                );
                for r in regional {
                    t.push(r);
                }
                t.write(out)?;
            }
        }
    }
    Ok(())
}

pub fn run(db: &str, a: AlertArgs) -> Result<ExitCode> {
    match a.command {
        AlertCommand::Evaluate(e) => evaluate(db, e),
        AlertCommand::Status(s) => status(db, s),
        AlertCommand::Log(l) => log(db, l),
        AlertCommand::Record(r) => record(db, r),
        AlertCommand::Rules(r) => rules(r),
        AlertCommand::Letter(l) => letter(db, l),
    }
}

fn evaluate(db: &str, a: EvaluateArgs) -> Result<ExitCode> {
    // Importing forecasts may create the store, as `import` does; evaluating alone only reads.
    let mut store = if a.forecasts.is_empty() { crate::open_store(db)? } else { crate::create_store(db)? };
    if !a.forecasts.is_empty() {
        let sum = crate::import_cmd::import_quiet(&mut *store, &a.forecasts)?;
        if !sum.errors.is_empty() {
            for e in &sum.errors {
                eprintln!("error: {e}");
            }
            bail!("the forecast was not imported; nothing was evaluated");
        }
        eprintln!(
            "预报导入 forecasts: {} files, {} new forecast days, {} unchanged",
            sum.files, sum.outcome.inserted, sum.outcome.unchanged
        );
    }
    let at = match a.at {
        Some(t) => t,
        None => alerts::latest_issuance(&*store)?
            .ok_or_else(|| anyhow!("no forecasts in the store; give --forecast FILE"))?,
    };
    let rules = alerts::choose_rules(a.rules.as_deref(), at)?;
    let ev = alerts::evaluate(&*store, at, rules)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    write_evaluation(&ev, a.format, &mut out)?;
    if a.record {
        let by = a.by.unwrap_or_default();
        let fixed = a.rules.as_deref().map(|id| alerts::choose_rules(Some(id), at)).transpose()?;
        let added = alerts::record(&mut *store, at, fixed, &by, &crate::now_text())?;
        writeln!(out)?;
        writeln!(out, "已记入预警台账 recorded in the alert log: {} new entries (by {by})", added.len())?;
        let cities = store.cities()?;
        for e in &added {
            writeln!(
                out,
                "  {} {} {} {} → {}",
                time_zh(e.at),
                alerts::scope_name(&cities, &e.scope),
                action_zh(&e.action),
                level_zh(e.level_from.as_deref()),
                level_zh(e.level_to.as_deref())
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn status(db: &str, a: StatusArgs) -> Result<ExitCode> {
    let store = crate::open_store(db)?;
    let at = match a.at {
        Some(t) => t,
        None => match alerts::latest_decision(&*store)? {
            Some(t) => t,
            None => {
                println!("预警台账为空 the alert log is empty");
                return Ok(ExitCode::SUCCESS);
            }
        },
    };
    let active = alerts::status(&*store, at)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &active)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let rows = alerts::status_rows(&active, |_| true);
            write_records(&alerts::STATUS_COLS, &alerts::STATUS_COLS, &rows, None, a.format, &mut out)?;
        }
        Format::Table => {
            writeln!(out, "生效中的预警 active alerts at {}: {}", time_zh(at), active.len())?;
            let zh = ["城市", "级别", "响应", "启动", "本级别决定", "各级别措施生效时间", "决定人"];
            let rows: Vec<Vec<String>> = active
                .iter()
                .map(|x| {
                    vec![
                        x.city.clone(),
                        x.level.name_zh().to_string(),
                        x.response.map(|r| r.name_zh().to_string()).unwrap_or_default(),
                        time_zh(x.started_at),
                        time_zh(x.since),
                        levels_in_effect(&x.levels, at),
                        x.actor.clone(),
                    ]
                })
                .collect();
            let cols = ["city", "level", "response", "started_at", "since", "effective_from", "actor"];
            write_records(&cols, &zh, &rows, None, a.format, &mut out)?;
            if let Some(r) = active.first().and_then(|x| lantian_core::emergency::rule_set(&x.rule_set)) {
                writeln!(
                    out,
                    "升级生效规则：{}（{}；可信度 [{}]）",
                    r.raising.describe_zh(),
                    r.document,
                    r.raising.confidence.mark()
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Each level of an alert with the time its measures take effect, as a Chinese table cell:
/// `黄色 11-29 00:00起；橙色 12-01 00:00起（未生效）`.
fn levels_in_effect(levels: &[alerts::LevelStep], at: NaiveDateTime) -> String {
    levels
        .iter()
        .map(|s| {
            let pending = if s.effective_from > at { "（未生效）" } else { "" };
            format!("{} {}起{pending}", s.level.color_zh(), s.effective_from.format("%m-%d %H:%M"))
        })
        .collect::<Vec<_>>()
        .join("；")
}

fn log(db: &str, a: LogArgs) -> Result<ExitCode> {
    let store = crate::open_store(db)?;
    let scope = match &a.city {
        Some(c) => {
            let city = store.resolve_city(c)?.ok_or_else(|| anyhow!("unknown city {c:?}"))?;
            Some(alerts::city_scope(city.code.ok_or_else(|| anyhow!("{} has no code", city.display()))?))
        }
        None => None,
    };
    let entries = alerts::log(&*store, scope.as_deref())?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &entries)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let cols = [
                "id",
                "scope",
                "city",
                "city_code",
                "at",
                "action",
                "level_from",
                "level_to",
                "start_date",
                "end_date",
                "effective_from",
                "rule_set",
                "actor",
                "evidence",
                "recorded_at",
            ];
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e.id.to_string(),
                        e.scope.clone(),
                        e.city.clone(),
                        opt(e.city_code),
                        beijing_time::format(e.at),
                        e.action.clone(),
                        e.level_from.clone().unwrap_or_default(),
                        e.level_to.clone().unwrap_or_default(),
                        opt(e.start_date),
                        opt(e.end_date),
                        beijing_time::format(e.effective_from),
                        e.rule_set.clone(),
                        e.actor.clone(),
                        e.evidence.to_string(),
                        e.recorded_at.clone(),
                    ]
                })
                .collect();
            write_records(&cols, &cols, &rows, None, a.format, &mut out)?;
        }
        Format::Table => {
            let cols = ["city", "at", "action", "level_from", "level_to", "effective_from", "actor"];
            let zh = ["城市", "时间", "动作", "原级别", "新级别", "措施生效", "决定人"];
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e.city.clone(),
                        time_zh(e.at),
                        action_zh(&e.action),
                        level_zh(e.level_from.as_deref()),
                        level_zh(e.level_to.as_deref()),
                        if e.action == "lift" { "—".to_string() } else { time_zh(e.effective_from) },
                        e.actor.clone(),
                    ]
                })
                .collect();
            write_records(&cols, &zh, &rows, None, a.format, &mut out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn record(db: &str, a: RecordArgs) -> Result<ExitCode> {
    let mut store = crate::open_store(db)?;
    let city = store.resolve_city(&a.city)?.ok_or_else(|| anyhow!("unknown city {:?}", a.city))?;
    let level = match &a.level {
        Some(l) => Some(
            lantian_ingest::emergency::level_code(l)
                .and_then(AlertLevel::from_code)
                .ok_or_else(|| anyhow!("not an alert level: {l:?} (blue, yellow, orange, red)"))?,
        ),
        None => None,
    };
    let decision = alerts::Decision {
        action: &a.action,
        level,
        at: a.at,
        effective_from: a.effective_from,
        actor: &a.by,
        evidence: &a.evidence,
    };
    let e = alerts::record_decision(&mut *store, &city, &decision, &crate::now_text())?;
    println!(
        "已记录 recorded: {} {} {} {} → {}，措施自 {} 起执行 (by {})",
        city.display(),
        time_zh(e.at),
        action_zh(&e.action),
        level_zh(e.level_from.as_deref()),
        level_zh(e.level_to.as_deref()),
        time_zh(alerts::effective_at(&e)),
        e.actor
    );
    Ok(ExitCode::SUCCESS)
}

fn rules(a: RulesArgs) -> Result<ExitCode> {
    let cols = [
        "id",
        "name",
        "document",
        "valid_from",
        "valid_to",
        "levels",
        "lift",
        "regional",
        "raising",
        "raising_confidence",
        "source",
    ];
    let zh = ["编号", "名称", "文号", "起", "止", "级别", "解除条件", "区域预警", "升级措施生效", "可信度", "来源"];
    let table = a.format == Format::Table;
    let rows: Vec<Vec<String>> = rule_sets()
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                r.name.clone(),
                r.document.clone(),
                r.valid_from.to_string(),
                opt(r.valid_to),
                if table {
                    r.levels.iter().map(|l| l.level.name_zh()).collect::<Vec<_>>().join("/")
                } else {
                    r.levels.iter().map(|l| l.level.code()).collect::<Vec<_>>().join(",")
                },
                format!("AQI≤{} ≥{}h", r.lifting.aqi_at_most, r.lifting.min_hours),
                r.regional.as_ref().map(|g| format!("≥{}个连片城市", g.min_cities)).unwrap_or_default(),
                match r.raising.effect {
                    RaiseEffect::NextDay if table => "次日0时".to_string(),
                    RaiseEffect::AfterHours { hours } if table => format!("决定后{hours}小时"),
                    RaiseEffect::NextDay => "next_day".to_string(),
                    RaiseEffect::AfterHours { hours } => format!("after_hours:{hours}"),
                },
                r.raising.confidence.mark().to_string(),
                r.source.clone(),
            ]
        })
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if table {
        let short: Vec<Vec<String>> = rows.iter().map(|r| r[..10].to_vec()).collect();
        write_records(&cols[..10], &zh[..10], &short, None, a.format, &mut out)?;
    } else {
        write_records(&cols, &zh, &rows, None, a.format, &mut out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn letter(db: &str, a: LetterArgs) -> Result<ExitCode> {
    let store = crate::open_store(db)?;
    let at = match a.at {
        Some(t) => t,
        None => alerts::latest_issuance(&*store)?.ok_or_else(|| anyhow!("no forecasts in the store"))?,
    };
    let rules = alerts::choose_rules(a.rules.as_deref(), at)?;
    let l = alerts::letter(&*store, at, rules)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let cols = ["city", "action", "level", "response", "from", "trigger_days"];
    let zh = ["城市", "建议", "级别", "响应", "起始时间", "触发日AQI"];
    let rows: Vec<Vec<String>> = l
        .items
        .iter()
        .map(|i| {
            vec![
                i.name.clone(),
                i.action.code().to_string(),
                i.level.code().to_string(),
                i.response.map(|r| r.code().to_string()).unwrap_or_default(),
                beijing_time::format(i.from),
                days_text(&i.trigger_days),
            ]
        })
        .collect();
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &l)?;
            writeln!(out)?;
        }
        Format::Csv => write_records(&cols, &zh, &rows, None, a.format, &mut out)?,
        Format::Table => {
            writeln!(
                out,
                "重污染天气预警提示函（草稿） alert letter draft — 会商时间 {} · {}",
                at.format("%Y-%m-%d %H:%M"),
                l.rule_set_id
            )?;
            if l.items.is_empty() {
                writeln!(out, "无需启动或升级预警的城市 no city needs to start or raise an alert")?;
            }
            for i in &l.items {
                let verb = match i.action {
                    lantian_core::emergency::LetterAction::Start => "启动",
                    lantian_core::emergency::LetterAction::Raise => "升级为",
                };
                writeln!(
                    out,
                    "  建议{}于{}起{}{}（{}）。触发日 AQI：{}",
                    i.name,
                    i.from.format("%Y年%m月%d日%H时"),
                    verb,
                    i.level.name_zh(),
                    i.response.map(|r| r.name_zh()).unwrap_or("—"),
                    days_text(&i.trigger_days)
                )?;
            }
            writeln!(out, "各地可根据实际提前或提高预警级别，不搞“一刀切”。")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
