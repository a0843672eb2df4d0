//! `lantian yuetan [--at DATE] [--scope NAME]`: which city meets which 约谈 tier, on what evidence.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Result};
use chrono::{Duration, NaiveDate};
use clap::Args;
use lantian_core::air::period::ResultVariant;
use lantian_service::accountability::assess::resolve_scope;

use crate::accountability::rank_cmd::Variant;
use crate::{parse_date, Format};

#[derive(Args, Debug)]
pub struct YuetanArgs {
    /// Evaluation date (default: the last day with data); windows of its year that have ended count.
    #[arg(long, value_parser = parse_date)]
    pub at: Option<NaiveDate>,
    /// Cities: 四川 (default), a region, all, or a list.
    #[arg(long)]
    pub scope: Option<String>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, ISO 8601
    /// times with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Dust-affected data deducted (default, as assessment uses) or the raw measurements.
    #[arg(long, value_enum, default_value_t = Variant::DustExcluded)]
    pub variant: Variant,
    /// Store the evaluation with the facts it used.
    #[arg(long)]
    pub publish: bool,
    /// Re-evaluate a published result from its stored facts and check it is identical.
    #[arg(long, value_name = "ID")]
    pub reproduce: Option<i64>,
}

fn reproduce(db: &str, id: i64) -> Result<ExitCode> {
    let store = crate::open_store(db)?;
    let rec = store.published(id)?.ok_or_else(|| anyhow::anyhow!("no published result #{id}"))?;
    let facts: Vec<(String, lantian_core::accountability::yuetan::YuetanFacts)> =
        serde_json::from_str(&rec.inputs_json)?;
    let tiers = lantian_core::accountability::yuetan::tiers_2022();
    let again: Vec<(String, Vec<lantian_core::accountability::yuetan::Triggered>)> =
        facts.iter().map(|(c, f)| (c.clone(), lantian_core::accountability::yuetan::evaluate(&tiers, f))).collect();
    println!("#{id} {} {} — {} {}，发布于 {}", rec.kind, rec.key, rec.scheme_id, rec.scheme_version, rec.published_at);
    if serde_json::to_string(&again)? == rec.results_json {
        println!("复现一致 reproduced: identical to the published evaluation");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("复现不一致 NOT identical to the published evaluation");
        Ok(ExitCode::from(3))
    }
}

pub fn run(db: &str, a: YuetanArgs) -> Result<ExitCode> {
    if let Some(id) = a.reproduce {
        return reproduce(db, id);
    }
    let store = crate::open_store(db)?;
    let scope = resolve_scope(&*store, a.scope.as_deref())?;
    let at = match a.at {
        Some(d) => d,
        None => match store.station_date_range()? {
            Some((_, last)) => last - Duration::days(1),
            None => bail!("give --at: the store holds no hourly data to date the evaluation"),
        },
    };
    let variant: ResultVariant = a.variant.into();
    let result = lantian_service::accountability::yuetan::yuetan(&*store, &scope.cities, at, variant)?;
    if a.publish {
        let facts: Vec<(String, &lantian_core::accountability::yuetan::YuetanFacts)> =
            result.iter().map(|c| (c.city.display().to_string(), &c.facts)).collect();
        let trig: Vec<(String, &Vec<lantian_core::accountability::yuetan::Triggered>)> =
            result.iter().map(|c| (c.city.display().to_string(), &c.triggered)).collect();
        let mut store = store;
        let id = store.publish(&lantian_store::PublishedRecord {
            id: 0,
            kind: "yuetan".into(),
            key: format!("{at} {}", scope.name),
            scheme_id: "sichuan-yuetan".into(),
            scheme_version: "2022".into(),
            scheme_text: lantian_core::accountability::yuetan::SOURCE.into(),
            inputs_json: serde_json::to_string(&facts)?,
            results_json: serde_json::to_string(&trig)?,
            published_at: chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        })?;
        eprintln!("已发布 published as #{id} (lantian yuetan --reproduce {id})");
    }
    // One row per city: the highest tier it meets decides; every condition that holds is evidence
    // (issue 11 §3.9: a city meeting three tiers is interviewed once, not three times).
    let cols = ["city", "tier", "who", "conditions", "evidence"];
    let zh = ["城市", "约谈层级", "约谈形式", "触发条件", "依据"];
    let table = a.format == Format::Table;
    let tiers = lantian_core::accountability::yuetan::tiers_2022();
    let mut rows = Vec::new();
    for c in &result {
        let Some(o) = lantian_core::accountability::yuetan::outcome(&tiers, &c.triggered) else { continue };
        let conditions: Vec<String> =
            o.decisive().map(|t| if table { t.condition.label_zh() } else { t.condition.code() }).collect();
        let evidence: Vec<String> = o.triggered.iter().map(|t| format!("第{}档：{}", t.tier, t.evidence)).collect();
        rows.push(vec![
            c.city.display().to_string(),
            o.tier.to_string(),
            o.who_zh.to_string(),
            conditions.join(if table { "；" } else { "," }),
            evidence.join("；"),
        ]);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.format == Format::Table {
        writeln!(out, "{} 约谈触发情况（截至 {at}；{}）", scope.name, lantian_core::accountability::yuetan::SOURCE)?;
    }
    crate::output::write_records(&cols, &zh, &rows, None, a.format, &mut out)?;
    if a.format == Format::Table && rows.is_empty() {
        writeln!(out, "无城市触发约谈条件 no city meets a trigger")?;
    }
    Ok(ExitCode::SUCCESS)
}
