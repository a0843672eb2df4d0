//! `lantian points --period P [--scheme FILE] [--explain CITY]`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use chrono::Datelike;
use clap::Args;
use lantian_core::accountability::points::{fmt_ratio, score_input, PointsScheme, ScoreInput};
use lantian_core::accountability::ranking::fmt_hundredths;
use lantian_core::air::period::{Period, ResultVariant};
use lantian_service::accountability::assess::resolve_scope;
use lantian_service::accountability::points::points;

use crate::accountability::rank_cmd::Variant;
use crate::output::opt;
use crate::Format;

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["period", "reproduce"])))]
pub struct PointsArgs {
    /// Period: 2022-05, 2022-Q2, 2022-01..2022-05, …
    #[arg(long, value_parser = |s: &str| Period::parse(s).map_err(|e| e.to_string()))]
    pub period: Option<Period>,
    /// Store the result with the scheme's full text and every input, so that it can be reproduced
    /// after the scheme or the data change.
    #[arg(long)]
    pub publish: bool,
    /// Recompute a published result from its stored scheme and inputs and check it is identical.
    #[arg(long, value_name = "ID")]
    pub reproduce: Option<i64>,
    /// Points scheme (TOML); default: the shipped scheme (crates/lantian-core/schemes/points-default-2022.toml).
    #[arg(long)]
    pub scheme: Option<PathBuf>,
    /// Cities: 四川 (default), a region, all, or a list.
    #[arg(long)]
    pub scope: Option<String>,
    /// Also write the monthly circular workbook (ranking, statistics, daily AQI, and these points).
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// Show, for one city, each factor's inputs, formula with the numbers put in, and result.
    #[arg(long)]
    pub explain: Option<String>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, ISO 8601
    /// times with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Dust-affected data deducted (default, as assessment uses) or the raw measurements.
    #[arg(long, value_enum, default_value_t = Variant::DustExcluded)]
    pub variant: Variant,
}

/// The published form of the results (what `--reproduce` compares).
fn results_json(scored: &[(String, lantian_core::accountability::points::PointsResult)]) -> Result<String> {
    let v: Vec<serde_json::Value> =
        scored.iter().map(|(city, r)| serde_json::json!({ "city": city, "result": r })).collect();
    Ok(serde_json::to_string(&v)?)
}

/// A published key as people read it: the variant's code (or the debug name of keys published before
/// the codes existed) in Chinese.
fn key_zh(key: &str) -> String {
    key.split(' ').map(|w| ResultVariant::from_code(w).map_or(w, |v| v.label_zh())).collect::<Vec<_>>().join(" ")
}

fn reproduce(db: &str, id: i64, out: &mut dyn Write) -> Result<ExitCode> {
    let store = crate::open_store(db)?;
    let rec = store.published(id)?.ok_or_else(|| anyhow::anyhow!("no published result #{id}"))?;
    let scheme = PointsScheme::parse(&rec.scheme_text).with_context(|| format!("the scheme stored with #{id}"))?;
    let inputs: Vec<(String, ScoreInput)> =
        serde_json::from_str(&rec.inputs_json).with_context(|| format!("the inputs stored with #{id}"))?;
    let mut again: Vec<(String, lantian_core::accountability::points::PointsResult)> = Vec::new();
    for (c, x) in &inputs {
        let r = score_input(&scheme, x).ok_or_else(|| anyhow::anyhow!("#{id}: {c} has no month to score"))?;
        again.push((c.clone(), r));
    }
    writeln!(
        out,
        "#{id} {} {} — 方案 {} {}，发布于 {}",
        rec.kind,
        key_zh(&rec.key),
        rec.scheme_id,
        rec.scheme_version,
        rec.published_at
    )?;
    for (city, r) in &again {
        writeln!(out, "  {city}  {}  {}", fmt_hundredths(r.total_hundredths), r.grade)?;
    }
    if results_json(&again)? == rec.results_json {
        writeln!(out, "复现一致 reproduced: identical to the published result")?;
        Ok(ExitCode::SUCCESS)
    } else {
        writeln!(out, "复现不一致 NOT identical to the published result")?;
        Ok(ExitCode::from(3))
    }
}

pub fn run(db: &str, a: PointsArgs) -> Result<ExitCode> {
    if let Some(id) = a.reproduce {
        let stdout = std::io::stdout();
        return reproduce(db, id, &mut stdout.lock());
    }
    let Some(period) = a.period.clone() else { bail!("give --period or --reproduce") };
    let scheme = match &a.scheme {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            PointsScheme::parse(&text).with_context(|| format!("{}", p.display()))?
        }
        None => PointsScheme::default_scheme()?,
    };
    let store = crate::open_store(db)?;
    let scope = resolve_scope(&*store, a.scope.as_deref())?;
    let variant: ResultVariant = a.variant.into();
    let mut store = store;
    let scored = points(&*store, &scope, &period, &scheme, variant)?;
    if scored.iter().all(|c| !c.input.ranked()) {
        bail!("no city of {} could be ranked for {}: import data for the period first", scope.name, period.label());
    }
    // Cities without targets: not assessed on those factors (scheme `[targets]`), said on stderr and in JSON.
    let missing = lantian_service::accountability::targets::missing_targets(
        &*store,
        &scored.iter().map(|c| c.city.clone()).collect::<Vec<_>>(),
        period.end.year(),
    )?;
    let warnings: Vec<String> = lantian_service::accountability::targets::missing_targets_warning(
        period.end.year(),
        &missing,
        scheme.missing_target == lantian_core::accountability::points::MissingTarget::NotAssessed,
    )
    .into_iter()
    .collect();
    for w in &warnings {
        eprintln!("警告 warning: {w}");
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.publish {
        let inputs: Vec<(String, &ScoreInput)> =
            scored.iter().map(|c| (c.city.display().to_string(), &c.input)).collect();
        let results: Vec<(String, lantian_core::accountability::points::PointsResult)> =
            scored.iter().map(|c| (c.city.display().to_string(), c.result.clone())).collect();
        let id = store.publish(&lantian_store::PublishedRecord {
            id: 0,
            kind: "points".into(),
            key: format!("{} {} {}", period.label(), scope.name, variant.code()),
            scheme_id: scheme.id.clone(),
            scheme_version: scheme.version.clone(),
            scheme_text: scheme.text.clone(),
            inputs_json: serde_json::to_string(&inputs)?,
            results_json: results_json(&results)?,
            published_at: chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        })?;
        eprintln!("已发布 published as #{id} (lantian points --reproduce {id})");
    }
    if let Some(name) = &a.explain {
        let city = store.resolve_city(name)?.ok_or_else(|| anyhow::anyhow!("unknown city {name:?}"))?;
        let c = scored
            .iter()
            .find(|c| c.city.id == city.id)
            .ok_or_else(|| anyhow::anyhow!("{} is not in the scope {}", city.display(), scope.name))?;
        writeln!(
            out,
            "{} {} 积分 — 方案 {} {}（{}）",
            c.city.display(),
            period.label_zh(),
            scheme.id,
            scheme.version,
            scheme.source
        )?;
        for f in &c.result.factors {
            let points = if f.assessed { fmt_ratio(f.points, 4) } else { "不考核".into() };
            writeln!(out, "  {:<4}{}：{}", f.code, f.name_zh, points)?;
            writeln!(out, "      输入 inputs:  {}", f.inputs)?;
            writeln!(out, "      计算 formula: {}", f.formula)?;
        }
        if let Some(conv) = &c.result.converted {
            writeln!(out, "  折算 converted: {conv}")?;
        }
        writeln!(
            out,
            "  合计 total: {} → clamp(0, 100), GB/T 8170 → {}；等级 grade: {}；名次 rank {}",
            fmt_ratio(c.result.exact_total, 4),
            fmt_hundredths(c.result.total_hundredths),
            c.result.grade,
            opt(c.rank)
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = scored
        .iter()
        .map(|c| {
            let mut r = vec![
                opt(c.rank),
                c.city.display().to_string(),
                fmt_hundredths(c.result.total_hundredths),
                c.result.grade.clone(),
            ];
            // A factor not assessed: 不考核 in tables, empty (null) in CSV and JSON.
            r.extend(c.result.factors.iter().map(|f| match (f.assessed, a.format) {
                (true, _) => fmt_ratio(f.points, 2),
                (false, Format::Table) => "不考核".into(),
                (false, _) => String::new(),
            }));
            r
        })
        .collect();
    if a.format == Format::Table {
        writeln!(
            out,
            "{} {} 环境空气质量积分（百分制；方案 {} {}）",
            scope.name,
            period.label_zh(),
            scheme.id,
            scheme.version
        )?;
    }
    let codes = scheme.factor_codes();
    let cols: Vec<&str> = ["rank", "city", "total", "grade"].into_iter().chain(codes.iter().copied()).collect();
    let zh: Vec<&str> = ["名次", "城市", "总分", "等级"]
        .into_iter()
        .chain(codes.iter().map(|c| lantian_core::accountability::points::factor_header_zh(c)))
        .collect();
    // JSON: the rows and the warnings, as `/api/v1/points` gives them.
    crate::output::write_records_with_warnings(&cols, &zh, &rows, &warnings, a.format, &mut out)?;
    out.flush()?;
    if let Some(path) = &a.xlsx {
        let ranking = lantian_service::accountability::assess::rank(&*store, &scope, &period, variant)?;
        crate::accountability::rank_cmd::write_circular_xlsx(
            &*store, &scope, &period, variant, &ranking, &scheme, path,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
