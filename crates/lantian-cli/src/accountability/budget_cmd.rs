//! `lantian budget --city NAME [--at DATETIME]` and `lantian budget --all`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Result};
use chrono::NaiveDateTime;
use clap::Args;
use lantian_core::accountability::budget::AlertKind;
use lantian_core::Pollutant;
use lantian_service::accountability::budget::{
    city_budget, day_text, latest_hour, year_allowance, year_status_code, year_text, CityBudget,
};
use lantian_store::CityInfo;

use crate::output::Table;
use crate::Format;

fn parse_at(s: &str) -> Result<NaiveDateTime, String> {
    for f in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%:z"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s.trim_end_matches("+08:00"), f) {
            return Ok(t);
        }
    }
    Err(format!("not a time (YYYY-MM-DDTHH:00, Beijing time): {s:?}"))
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("who").required(true).args(["city", "all"])))]
pub struct BudgetArgs {
    /// City name, alias or code.
    #[arg(long)]
    pub city: Option<String>,
    /// Every Sichuan city: the province-wide at-risk list (only the cities at risk are listed).
    #[arg(long)]
    pub all: bool,
    /// The end of the last hour to count (Beijing time, e.g. 2022-12-31T14:00); default: the latest
    /// hour with data.
    #[arg(long, value_parser = parse_at)]
    pub at: Option<NaiveDateTime>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, ISO 8601
    /// times with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

fn pollutant_item(p: Pollutant) -> &'static str {
    match p {
        Pollutant::O3 => "O3 下一小时浓度上限",
        Pollutant::Pm2_5 => "PM2.5 今日剩余小时均值上限",
        Pollutant::Pm10 => "PM10 今日剩余小时均值上限",
        Pollutant::No2 => "NO2 今日剩余小时均值上限",
        Pollutant::So2 => "SO2 今日剩余小时均值上限",
        Pollutant::Co => "CO 今日剩余小时均值上限",
    }
}

fn at_risk(b: &CityBudget, kind: AlertKind) -> bool {
    b.alerts.iter().any(|a| a.kind == kind)
}

pub fn run(db: &str, a: BudgetArgs) -> Result<ExitCode> {
    let store = crate::open_store(db)?;
    let cities: Vec<CityInfo> = if let Some(c) = &a.city {
        vec![store.resolve_city(c)?.ok_or_else(|| anyhow::anyhow!("unknown city {c:?}"))?]
    } else {
        lantian_service::accountability::assess::resolve_scope(&*store, None)?.cities
    };
    let mut budgets = Vec::new();
    let mut checked = 0;
    for c in &cities {
        let at = match a.at {
            Some(t) => t,
            None => match latest_hour(&*store, c)? {
                Some(t) => t,
                None if a.all => continue,
                None => bail!("no hourly data for {}; import data or give --at", c.display()),
            },
        };
        let b = city_budget(&*store, c, at)?;
        checked += 1;
        // The at-risk list names only the cities at risk (day, month or year).
        if !a.all || b.at_risk() {
            budgets.push(b);
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.all {
        let header =
            ["city", "at", "day_at_risk", "month_nongood_allowance", "year_pm2_5_allowance", "year_status", "alerts"];
        let table = a.format == Format::Table;
        // Tables: Chinese labels joined with "、"; CSV/JSON: the codes joined with "," (conventions).
        let join = |v: Vec<&str>| v.join(if table { "、" } else { "," });
        let rows: Vec<Vec<String>> = budgets
            .iter()
            .map(|b| {
                let risky: Vec<&str> = b
                    .day
                    .iter()
                    .filter(|d| d.status.is_at_risk())
                    .map(|d| if table { d.pollutant.label() } else { d.pollutant.code() })
                    .collect();
                vec![
                    b.city.display().to_string(),
                    if table { hour_end_zh(b.at) } else { lantian_core::beijing_time::format(b.at) },
                    join(risky),
                    b.month.as_ref().map(|m| m.nongood_allowance.to_string()).unwrap_or_default(),
                    if table { year_text(&b.year) } else { year_allowance(&b.year).unwrap_or_default() },
                    year_status_code(&b.year).to_string(),
                    join(b.alert_kinds().iter().map(|k| if table { k.label_zh() } else { k.code() }).collect()),
                ]
            })
            .collect();
        if table {
            writeln!(
                out,
                "全省以时保天、以天保月、以月保年风险清单 at-risk list（{checked} 个城市中 {} 个有风险）",
                rows.len()
            )?;
        }
        let zh = ["城市", "时间", "今日超标风险", "本月剩余可超标天数", "全年PM2.5剩余日均上限", "", "风险"];
        if table && rows.is_empty() {
            writeln!(out, "无风险城市 no city at risk")?;
        } else if table {
            // The year's state is already in words in the allowance column of a table.
            let drop = |v: &[&'static str]| -> Vec<&'static str> {
                v.iter().enumerate().filter(|(k, _)| *k != 5).map(|(_, x)| *x).collect()
            };
            let rows: Vec<Vec<String>> = rows
                .into_iter()
                .map(|r| r.into_iter().enumerate().filter(|(k, _)| *k != 5).map(|(_, x)| x).collect())
                .collect();
            crate::output::write_records(&drop(&header), &drop(&zh), &rows, None, a.format, &mut out)?;
        } else {
            crate::output::write_records(&header, &zh, &rows, None, a.format, &mut out)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let b = &budgets[0];
    match a.format {
        Format::Table => {
            writeln!(
                out,
                "{} {}（{} 已过 {} 小时）以时保天、以天保月、以月保年",
                b.city.display(),
                b.at.format("%Y-%m-%d %H:%M"),
                b.date,
                b.hours_elapsed
            )?;
            let mut t = Table::new(&["项目", "当前", "预算/上限", "状态"], &[false, true, true, false]);
            for d in &b.day {
                let v = day_text(&d.budget);
                t.push(vec![
                    pollutant_item(d.pollutant).into(),
                    d.current.map(|c| c.to_string()).unwrap_or("—".into()),
                    if v.is_empty() { "—".into() } else { v },
                    d.status.label_zh().into(),
                ]);
            }
            match (&b.month, b.target.as_ref().and_then(|x| x.good_day_ratio_tenths)) {
                (Some(m), Some(tgt)) => t.push(vec![
                    format!(
                        "本月剩余可超标天数（目标优良率 {}%）",
                        lantian_core::accountability::ranking::fmt_tenths(tgt)
                    ),
                    format!("{}优良/{}超标", b.month_good, b.month_nongood),
                    m.nongood_allowance.to_string(),
                    if m.is_lost() {
                        "已无法完成".into()
                    } else if m.nongood_allowance <= 0 {
                        "无余量".into()
                    } else {
                        "可控".into()
                    },
                ]),
                _ => t.push(vec![
                    "本月优良天数预算".into(),
                    "—".into(),
                    "—".into(),
                    "无目标（导入 city,year,pm2_5,good_day_ratio）".into(),
                ]),
            }
            let ty = b.target.as_ref().and_then(|x| x.pm2_5).map(|c| c.to_string()).unwrap_or("—".into());
            t.push(vec![
                format!("全年剩余日均 PM2.5 上限（目标 {ty}）"),
                format!("{} 天", b.year_pm2_5_days),
                year_text(&b.year),
                if at_risk(b, AlertKind::YearAtRisk) { "风险".into() } else { "—".into() },
            ]);
            t.write(&mut out)?;
        }
        _ => {
            let v = lantian_service::accountability::budget::budget_json(b);
            serde_json::to_writer_pretty(&mut out, &v)?;
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The end of an hour as a Chinese table shows it: midnight closes the day before (`2022-12-31 24:00`),
/// so that the last hour of a day is not read as the next day.
fn hour_end_zh(t: NaiveDateTime) -> String {
    if t.time() == chrono::NaiveTime::MIN {
        format!("{} 24:00", (t - chrono::Duration::days(1)).format("%Y-%m-%d"))
    } else {
        t.format("%Y-%m-%d %H:%M").to_string()
    }
}
