//! `lantian points --period P [--scheme FILE] [--explain CITY]`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;
use lantian_core::period::{Period, ResultVariant};
use lantian_core::points::{fmt_ratio, PointsScheme};
use lantian_core::ranking::fmt_hundredths;
use lantian_service::assess::resolve_scope;
use lantian_service::points::points;
use lantian_store::Store;

use crate::output::opt;
use crate::rank_cmd::Variant;
use crate::Format;

#[derive(Args, Debug)]
pub struct PointsArgs {
    /// Period: 2022-05, 2022-Q2, 2022-01..2022-05, …
    #[arg(long, value_parser = |s: &str| Period::parse(s).map_err(|e| e.to_string()))]
    pub period: Period,
    /// Points scheme (TOML); default: the shipped scheme (crates/lantian-core/schemes/points-default-2022.toml).
    #[arg(long)]
    pub scheme: Option<PathBuf>,
    /// Cities: 四川 (default), a region, all, or a list.
    #[arg(long)]
    pub scope: Option<String>,
    /// Show, for one city, each factor's inputs, formula with the numbers put in, and result.
    #[arg(long)]
    pub explain: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[arg(long, value_enum, default_value_t = Variant::DustExcluded)]
    pub variant: Variant,
}

const COLS: [&str; 11] = ["rank", "city", "total", "grade", "C1", "C2", "C3", "C4", "C5a", "C5b", "ADJ"];
const ZH: [&str; 11] = [
    "名次",
    "城市",
    "总分",
    "等级",
    "排名分",
    "变化分",
    "优良天数分",
    "重污染分",
    "PM2.5目标分",
    "优良率目标分",
    "加减分",
];

pub fn run(db: &str, a: PointsArgs) -> Result<ExitCode> {
    let scheme = match &a.scheme {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            PointsScheme::parse(&text).with_context(|| format!("{}", p.display()))?
        }
        None => PointsScheme::default_scheme()?,
    };
    let store = crate::open_store(db)?;
    let scope = resolve_scope(&store, a.scope.as_deref())?;
    let variant: ResultVariant = a.variant.into();
    let scored = points(&store, &scope, &a.period, &scheme, variant)?;
    if scored.iter().all(|c| c.input.rank.is_none()) {
        bail!("no city of {} could be ranked for {}: import data for the period first", scope.name, a.period.label());
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
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
            a.period.label_zh(),
            scheme.id,
            scheme.version,
            scheme.source
        )?;
        for f in &c.result.factors {
            writeln!(out, "  {:<4}{}：{}", f.code, f.name_zh, fmt_ratio(f.points, 4))?;
            writeln!(out, "      输入 inputs:  {}", f.inputs)?;
            writeln!(out, "      计算 formula: {}", f.formula)?;
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
            r.extend(c.result.factors.iter().map(|f| fmt_ratio(f.points, 2)));
            r
        })
        .collect();
    if a.format == Format::Table {
        writeln!(
            out,
            "{} {} 环境空气质量积分（百分制；方案 {} {}）",
            scope.name,
            a.period.label_zh(),
            scheme.id,
            scheme.version
        )?;
    }
    crate::output::write_records(&COLS, &ZH, &rows, None, a.format, &mut out)?;
    Ok(ExitCode::SUCCESS)
}
