//! `lantian inspections [--city NAME] [--on DATE] [--account NAME]`: inspection findings (督查检查) and
//! their rectification — restricted, city-scoped (`lantian_service::datasets::inspections::list`).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{anyhow, Result};
use chrono::NaiveDate;
use clap::Args;
use lantian_service::accounts::{may_read, Dataset, ReadScope};
use lantian_service::datasets::inspections::list;

use crate::output::{opt, JsonArray, Table};
use crate::Format;

#[derive(Args, Debug)]
pub struct InspectionsArgs {
    /// City name, alias or code (default: every city the reader may read).
    #[arg(long)]
    pub city: Option<String>,
    /// The day on which a finding still owed past its deadline is overdue (default: today, Beijing time).
    #[arg(long, value_parser = crate::parse_date)]
    pub on: Option<NaiveDate>,
    /// Read as this web account: only what it may read (a city user its own city, a viewer if granted
    /// `inspections`; others are refused). Without it, the local operator reads as the province.
    #[arg(long)]
    pub account: Option<String>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(db: &str, a: InspectionsArgs) -> Result<ExitCode> {
    let mut store = crate::open_store(db)?;
    let account = match &a.account {
        None => None,
        Some(name) => Some(store.account(name)?.ok_or_else(|| anyhow!("no account {name:?}"))?),
    };
    let scope = match &account {
        None => ReadScope::All,
        Some(account) => may_read(Some(account), Dataset::Inspections),
    };
    let on =
        a.on.unwrap_or_else(|| chrono::Utc::now().with_timezone(&lantian_core::beijing_time::offset()).date_naive());
    let rows = list(&*store, &scope, a.city.as_deref(), on)?;
    if let Some(account) = &account {
        // A read as a web account is an export of restricted data: audited before it is shown (issue
        // 13 item 5), as the web server audits its restricted answers (`docs/formats.md` §11).
        let scope_text = match &scope {
            ReadScope::All => "all".to_string(),
            ReadScope::City(_) => format!("city {}", account.city.as_ref().map_or("?", |c| c.display())),
            ReadScope::Department(d) => format!("department {d}"),
            ReadScope::None => "none".to_string(),
        };
        let asked = a.city.as_deref().map(|c| format!(" --city {c}")).unwrap_or_default();
        let detail = format!("inspections ({scope_text}) lantian inspections{asked} --on {on}: {} rows", rows.len());
        let wait = lantian_store::WriteWait::from_env()?;
        let (r, waited) = lantian_store::write_retrying(&mut *store, &wait, |tx| {
            tx.accounts().audit(&crate::now_text(), &account.name, "export", &detail, "local")
        });
        crate::report_wait(waited);
        r?;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let cols = [
        "city",
        "city_code",
        "date",
        "department",
        "target_kind",
        "target",
        "finding",
        "measure",
        "mode",
        "deadline",
        "status",
        "overdue",
    ];
    match a.format {
        Format::Table => {
            let zh = [
                "城市",
                "代码",
                "检查日期",
                "检查部门",
                "对象类型",
                "检查对象",
                "发现问题",
                "整改措施",
                "检查方式",
                "整改期限",
                "整改状态",
                "逾期",
            ];
            let right: Vec<bool> = cols.iter().map(|c| *c == "city_code").collect();
            let mut t = Table::new(&zh, &right);
            for r in &rows {
                let f = &r.finding;
                t.push(vec![
                    r.city.display().to_string(),
                    opt(r.city.code),
                    f.date.to_string(),
                    f.department.clone(),
                    f.target.kind_label_zh().to_string(),
                    f.target.as_str().to_string(),
                    f.finding.clone(),
                    if f.measure.is_empty() { "—".into() } else { f.measure.clone() },
                    f.mode.label_zh().to_string(),
                    f.deadline.to_string(),
                    f.status.label_zh().to_string(),
                    if r.overdue { "是" } else { "否" }.to_string(),
                ]);
            }
            t.write(&mut out)?;
            let overdue = rows.iter().filter(|r| r.overdue).count();
            writeln!(out, "共 {} 条问题，{on} 逾期 {overdue} 条 findings, {overdue} overdue on {on}", rows.len())?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(cols)?;
            for r in &rows {
                let f = &r.finding;
                w.write_record([
                    r.city.display().to_string(),
                    opt(r.city.code),
                    f.date.to_string(),
                    f.department.clone(),
                    f.target.kind_code().to_string(),
                    f.target.as_str().to_string(),
                    f.finding.clone(),
                    f.measure.clone(),
                    f.mode.code().to_string(),
                    f.deadline.to_string(),
                    f.status.code().to_string(),
                    r.overdue.to_string(),
                ])?;
            }
            w.flush()?;
        }
        Format::Json => {
            let mut arr = JsonArray::new(&mut out)?;
            for r in &rows {
                let f = &r.finding;
                arr.push(&serde_json::json!({
                    "city": r.city.display(),
                    "city_code": r.city.code,
                    "date": f.date.to_string(),
                    "department": f.department,
                    "target_kind": f.target.kind_code(),
                    "target": f.target.as_str(),
                    "finding": f.finding,
                    "measure": f.measure,
                    "mode": f.mode,
                    "deadline": f.deadline.to_string(),
                    "status": f.status,
                    "overdue": r.overdue,
                }))?;
            }
            arr.finish()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
