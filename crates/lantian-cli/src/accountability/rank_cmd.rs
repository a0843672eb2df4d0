//! `lantian assess` and `lantian rank`.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use lantian_core::accountability::ranking::AttainedChangePolicy;
use lantian_core::accountability::ranking::{composite_index, fmt_hundredths, fmt_tenths, CompositeIndex};
use lantian_core::air::period::{Period, PeriodStats, ResultVariant};
use lantian_core::regions::cities::RegionId;
use lantian_core::Pollutant;
use lantian_service::accountability::assess::{self, RankingRow};

use crate::output::opt;
use crate::Format;

pub(crate) fn parse_period(s: &str) -> Result<Period, String> {
    Period::parse(s).map_err(|e| e.to_string())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AssessLevel {
    Station,
    City,
    Region,
    Province,
}

#[derive(Args, Debug)]
pub struct AssessArgs {
    /// Period: 2022-05, 2022-Q2, 2022-H1, 2022, 2022-01..2022-05, 2022-05-01..2022-05-20.
    #[arg(long, value_parser = parse_period)]
    pub period: Period,
    /// What to assess: each station, each city (default), the joint-control regions (their cities'
    /// values pooled) or the whole province.
    #[arg(long, value_enum, default_value_t = AssessLevel::City)]
    pub level: AssessLevel,
    /// Cities (station and city levels); default: the scope.
    #[arg(long = "city")]
    pub cities: Vec<String>,
    /// Scope of cities: 四川 (default), a region (成都平原, 川南, 川东北, 攀西, 川西北), all, or a list.
    #[arg(long)]
    pub scope: Option<String>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, ISO 8601
    /// times with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Dust-affected data deducted (default, as assessment uses) or the raw measurements.
    #[arg(long, value_enum, default_value_t = Variant::DustExcluded)]
    pub variant: Variant,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Variant {
    Raw,
    DustExcluded,
}

impl From<Variant> for ResultVariant {
    fn from(v: Variant) -> ResultVariant {
        match v {
            Variant::Raw => ResultVariant::Raw,
            Variant::DustExcluded => ResultVariant::DustExcluded,
        }
    }
}

const ASSESS_COLS: [&str; 35] = [
    "unit",
    "code",
    "period",
    "days_with_data",
    "valid_days",
    "so2",
    "no2",
    "pm10",
    "pm2_5",
    "co",
    "o3",
    "composite_index",
    "good_days",
    "good_day_ratio",
    "excellent_days",
    "good_only_days",
    "light_days",
    "moderate_days",
    "heavy_days",
    "severe_days",
    "so2_primary_days",
    "no2_primary_days",
    "co_primary_days",
    "o3_primary_days",
    "pm10_primary_days",
    "pm2_5_primary_days",
    "so2_exceedance_days",
    "no2_exceedance_days",
    "co_exceedance_days",
    "o3_exceedance_days",
    "pm10_exceedance_days",
    "pm2_5_exceedance_days",
    "meets_minimum",
    "variant",
    "index_pollutants",
];
const ASSESS_ZH: [&str; 35] = [
    "单位",
    "代码",
    "时段",
    "有数据天数",
    "有效天数",
    "SO2",
    "NO2",
    "PM10",
    "PM2.5",
    "CO(第95百分位)",
    "O3(第90百分位)",
    "综合指数",
    "优良天数",
    "优良天数比例(%)",
    "优",
    "良",
    "轻度",
    "中度",
    "重度及以上",
    "严重",
    "SO2首要",
    "NO2首要",
    "CO首要",
    "O3首要",
    "PM10首要",
    "PM2.5首要",
    "SO2超标",
    "NO2超标",
    "CO超标",
    "O3超标",
    "PM10超标",
    "PM2.5超标",
    "有效性",
    "数据",
    "综合指数口径",
];

fn ratio_text(s: &PeriodStats) -> String {
    s.good_day_ratio_tenths().map(fmt_tenths).unwrap_or_default()
}

fn stat_text(s: &PeriodStats, p: Pollutant) -> String {
    let st = s.stat(p);
    match st.value {
        Some(v) if st.meets_minimum => v.to_string(),
        Some(v) => format!("{v}*"),
        None => String::new(),
    }
}

/// The pollutants a composite index sums: codes joined by `,` (machine formats), or in Chinese tables
/// `六项` / `不含臭氧`.
fn index_basis(index: Option<&CompositeIndex>, zh: bool) -> String {
    match index {
        None => String::new(),
        Some(i) if zh => {
            let lacks: Vec<&str> = i.lacks().iter().map(|p| p.name_zh()).collect();
            if lacks.is_empty() {
                "六项".to_string()
            } else {
                format!("不含{}", lacks.join("、"))
            }
        }
        Some(i) => i.basis_codes(),
    }
}

/// The notes a Chinese table prints under indices that lack pollutants (each distinct one once).
fn basis_notes<'a>(indices: impl IntoIterator<Item = Option<&'a CompositeIndex>>) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    for n in indices.into_iter().flatten().filter_map(CompositeIndex::basis_note_zh) {
        if !notes.contains(&n) {
            notes.push(n);
        }
    }
    notes
}

fn assess_row(unit: &str, code: Option<u32>, s: &PeriodStats, variant: ResultVariant, zh: bool) -> Vec<String> {
    let index = composite_index(s);
    let mut row = vec![
        unit.to_string(),
        opt(code),
        s.period.label(),
        s.days_with_data.to_string(),
        s.valid_days.to_string(),
        stat_text(s, Pollutant::So2),
        stat_text(s, Pollutant::No2),
        stat_text(s, Pollutant::Pm10),
        stat_text(s, Pollutant::Pm2_5),
        stat_text(s, Pollutant::Co),
        stat_text(s, Pollutant::O3),
        index.as_ref().map(|i| fmt_hundredths(i.hundredths)).unwrap_or_default(),
        s.good_days.to_string(),
        ratio_text(s),
        s.level_days[0].to_string(),
        s.level_days[1].to_string(),
        s.level_days[2].to_string(),
        s.level_days[3].to_string(),
        s.heavy_days.to_string(),
        s.severe_days.to_string(),
    ];
    row.extend(Pollutant::ALL.iter().map(|p| s.primary_days[*p as usize].to_string()));
    row.extend(Pollutant::ALL.iter().map(|p| s.stat(*p).exceedance_days.to_string()));
    // Codes here; a table translates them (`assess_row_zh`).
    row.push(if s.meets_minimum { "ok".into() } else { "below_minimum".into() });
    row.push(variant.code().into());
    row.push(index_basis(index.as_ref(), zh));
    row
}

/// A table shows the validity and the variant in Chinese; CSV and JSON keep the codes.
fn assess_row_zh(row: &mut [String]) {
    let at = |name: &str| ASSESS_COLS.iter().position(|c| *c == name);
    if let Some(cell) = at("meets_minimum").and_then(|i| row.get_mut(i)) {
        *cell = if cell == "ok" { "满足" } else { "不满足" }.into();
    }
    if let Some(cell) = at("variant").and_then(|i| row.get_mut(i)) {
        *cell = ResultVariant::from_code(cell).map_or(cell.clone(), |v| v.label_zh().into());
    }
}

pub fn run_assess(db: &str, a: AssessArgs) -> Result<ExitCode> {
    let store = crate::open_store(db)?;
    let scope = if a.cities.is_empty() {
        assess::resolve_scope(&*store, a.scope.as_deref())?
    } else {
        assess::resolve_scope(&*store, Some(&a.cities.join(",")))?
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    let zh = a.format == Format::Table;
    let mut notes: Vec<String> = Vec::new();
    match a.level {
        AssessLevel::City => {
            for (c, s) in
                scope.cities.iter().zip(assess::assess_cities(&*store, &scope.cities, &a.period, a.variant.into())?)
            {
                notes.extend(basis_notes([composite_index(&s).as_ref()]));
                rows.push(assess_row(c.display(), c.code, &s, a.variant.into(), zh));
            }
        }
        AssessLevel::Station => {
            let stations = crate::air::aqi_cmd::select_stations(&*store, &[], &scope.cities)?;
            for (st, s) in stations.iter().zip(assess::assess_stations(&*store, &stations, &a.period)?) {
                let name = format!("{} {}", st.code, st.name.clone().unwrap_or_default());
                notes.extend(basis_notes([composite_index(&s).as_ref()]));
                rows.push(assess_row(name.trim(), st.city.as_ref().and_then(|c| c.code), &s, a.variant.into(), zh));
            }
        }
        AssessLevel::Region | AssessLevel::Province => {
            let groups: Vec<(String, Vec<lantian_store::CityInfo>)> = if a.level == AssessLevel::Province {
                vec![(scope.name.clone(), scope.cities.clone())]
            } else {
                RegionId::ALL
                    .iter()
                    .map(|r| {
                        let s = assess::resolve_scope(&*store, Some(r.name_zh()))?;
                        Ok((s.name, s.cities))
                    })
                    .collect::<Result<_>>()?
            };
            for (name, cities) in groups {
                let members = assess::assess_cities(&*store, &cities, &a.period, a.variant.into())?;
                let pooled = lantian_core::air::period::pool_stats(&a.period, &members);
                notes.extend(basis_notes([composite_index(&pooled).as_ref()]));
                rows.push(assess_row(&name, None, &pooled, a.variant.into(), zh));
            }
        }
    }
    if a.format == Format::Table {
        rows.iter_mut().for_each(|r| assess_row_zh(r));
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    write(&ASSESS_COLS, &ASSESS_ZH, &rows, a.format, &mut out)?;
    if a.format == Format::Table {
        writeln!(
            out,
            "{}；{}；* = 有效天数不足 (below the validity minimum)",
            a.period.label_zh(),
            ResultVariant::from(a.variant).label_zh()
        )?;
        let mut seen: Vec<&String> = Vec::new();
        for n in &notes {
            if !seen.contains(&n) {
                writeln!(out, "注：{n}")?;
                seen.push(n);
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write(cols: &[&str], zh: &[&str], rows: &[Vec<String>], format: Format, out: &mut dyn Write) -> Result<()> {
    Ok(crate::output::write_records(cols, zh, rows, None, format, out)?)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RankBy {
    Composite,
    Change,
}

#[derive(Args, Debug)]
pub struct RankArgs {
    /// Period: 2022-05, 2022-Q2, 2022-H1, 2022, 2022-01..2022-05, 2022-05-01..2022-05-20.
    #[arg(long, value_parser = parse_period)]
    pub period: Period,
    /// Order by the composite index (default; 1 = best) or by its change against the same period of
    /// the year before (1 = most improved).
    #[arg(long, value_enum, default_value_t = RankBy::Composite)]
    pub by: RankBy,
    /// 四川 (default, the 21 cities), a region (成都平原, 川南, 川东北, 攀西, 川西北), all, or a list of cities.
    #[arg(long)]
    pub scope: Option<String>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, ISO 8601
    /// times with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write the monthly circular workbook (月度通报) to this .xlsx file.
    #[arg(long)]
    pub xlsx: Option<PathBuf>,
    /// Dust-affected data deducted (default, as ranking uses) or the raw measurements.
    #[arg(long, value_enum, default_value_t = Variant::DustExcluded)]
    pub variant: Variant,
    /// Cities meeting the GB 3095 grade II limits for all six pollutants, in the change ranking:
    /// include (default: ranked like every city), exclude-worsening (an attaining city that
    /// deteriorated is not ranked among the deteriorating: the national scheme) or exclude (attaining
    /// cities get no change rank: the Sichuan county scheme).
    #[arg(long, value_parser = parse_attained, default_value = "include")]
    pub attained: AttainedChangePolicy,
    /// Also the three-year-mean baseline (三年均值) of PM2.5 and the good-day ratio and the change
    /// against it (columns pm2_5_base3, pm2_5_change3, good_day_ratio_base3, good_day_ratio_change3).
    #[arg(long)]
    pub three_year: bool,
}

fn parse_attained(s: &str) -> Result<AttainedChangePolicy, String> {
    AttainedChangePolicy::parse(s).ok_or_else(|| format!("expected include, exclude-worsening or exclude, found {s:?}"))
}

pub const RANK_COLS: [&str; 26] = [
    "rank",
    "city",
    "composite_index",
    "good_day_ratio",
    "main_pollutants",
    "pm2_5",
    "pm10",
    "so2",
    "no2",
    "co",
    "o3",
    "change_rate",
    "change_rank",
    "base_composite_index",
    "city_code",
    "valid_days",
    "good_days",
    "heavy_days",
    "not_ranked",
    "attained",
    "change_not_ranked",
    "pm2_5_base3",
    "pm2_5_change3",
    "good_day_ratio_base3",
    "good_day_ratio_change3",
    "index_pollutants",
];
const RANK_ZH: [&str; 26] = [
    "排名",
    "城市",
    "综合指数",
    "优良天数比例(%)",
    "主要污染物",
    "PM2.5",
    "PM10",
    "SO2",
    "NO2",
    "CO",
    "O3",
    "变化率(%)",
    "变化排名",
    "同期综合指数",
    "代码",
    "有效天数",
    "优良天数",
    "重污染天数",
    "备注",
    "六项达标",
    "不参与变化排名",
    "PM2.5三年均值",
    "PM2.5较三年均值(%)",
    "优良率三年均值(%)",
    "优良率较三年均值(百分点)",
    "综合指数口径",
];

pub fn rank_row(r: &RankingRow, zh: bool) -> Vec<String> {
    let s = &r.stats;
    let main = r
        .index
        .as_ref()
        .map(|i| {
            i.main_pollutants
                .iter()
                .map(|p| if zh { p.name_zh().to_string() } else { p.code().to_string() })
                .collect::<Vec<_>>()
                .join(if zh { "、" } else { "," })
        })
        .unwrap_or_default();
    vec![
        opt(r.rank),
        r.city.display().to_string(),
        r.index.as_ref().map(|i| fmt_hundredths(i.hundredths)).unwrap_or_default(),
        ratio_text(s),
        main,
        stat_text(s, Pollutant::Pm2_5),
        stat_text(s, Pollutant::Pm10),
        stat_text(s, Pollutant::So2),
        stat_text(s, Pollutant::No2),
        stat_text(s, Pollutant::Co),
        stat_text(s, Pollutant::O3),
        r.change_tenths.map(fmt_tenths).unwrap_or_default(),
        opt(r.change_rank),
        r.base_hundredths.map(fmt_hundredths).unwrap_or_default(),
        opt(r.city.code),
        s.valid_days.to_string(),
        s.good_days.to_string(),
        s.heavy_days.to_string(),
        r.not_ranked.clone().unwrap_or_default(),
        match r.attained {
            Some(true) => if zh { "是" } else { "yes" }.to_string(),
            Some(false) => if zh { "否" } else { "no" }.to_string(),
            None => String::new(),
        },
        r.change_excluded.clone().unwrap_or_default(),
        r.three_year.as_ref().and_then(|t| t.pm2_5).map(|b| b.round(0).to_string()).unwrap_or_default(),
        r.three_year.as_ref().and_then(|t| t.pm2_5_change_tenths).map(fmt_tenths).unwrap_or_default(),
        r.three_year.as_ref().and_then(|t| t.good_day_ratio_tenths).map(fmt_tenths).unwrap_or_default(),
        r.three_year.as_ref().and_then(|t| t.good_day_ratio_change_tenths).map(fmt_tenths).unwrap_or_default(),
        index_basis(r.index.as_ref(), zh),
    ]
}

pub fn run_rank(db: &str, a: RankArgs) -> Result<ExitCode> {
    let store = crate::open_store(db)?;
    let scope = assess::resolve_scope(&*store, a.scope.as_deref())?;
    if scope.cities.is_empty() {
        bail!("the scope {} has no cities in the store", scope.name);
    }
    let options = assess::RankOptions { variant: a.variant.into(), attained: a.attained, three_year: a.three_year };
    let mut rows = assess::rank_with(&*store, &scope, &a.period, &options)?;
    assess::order_rows(
        &mut rows,
        match a.by {
            RankBy::Composite => assess::RankOrder::Composite,
            RankBy::Change => assess::RankOrder::Change,
        },
    );
    if rows.iter().all(|r| r.stats.days_with_data == 0) {
        bail!("no data for {} in {}: import data for the period first", scope.name, a.period.label());
    }
    let zh = a.format == Format::Table;
    let table: Vec<Vec<String>> = rows.iter().map(|r| rank_row(r, zh)).collect();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if a.format == Format::Table {
        writeln!(
            out,
            "{} {}环境空气质量排名（综合指数，同比变化；{}）",
            scope.name,
            a.period.label_zh(),
            ResultVariant::from(a.variant).label_zh()
        )?;
    }
    write(&RANK_COLS, &RANK_ZH, &table, a.format, &mut out)?;
    let no_baseline = rows
        .iter()
        .all(|r| r.three_year.as_ref().is_none_or(|t| t.pm2_5.is_none() && t.good_day_ratio_tenths.is_none()));
    if a.three_year && no_baseline {
        let p1 = a.period.same_period_last_year();
        let p2 = p1.same_period_last_year();
        let p3 = p2.same_period_last_year();
        let why = format!(
            "无三年均值基准 no three-year baseline: it needs the same period of the three previous years ({}, {}, {}) \
             with valid data for a city, and no city has all three in the store",
            p3.label(),
            p2.label(),
            p1.label()
        );
        if a.format == Format::Table {
            writeln!(out, "（{why}）")?;
        } else {
            eprintln!("{why}");
        }
    }
    if a.format == Format::Table {
        let names = |mut v: Vec<&RankingRow>, key: fn(&RankingRow) -> Option<u32>, worst: bool| -> String {
            v.retain(|r| key(r).is_some());
            v.sort_by_key(|r| key(r));
            if worst {
                v.reverse();
            }
            v.iter().take(3).map(|r| r.city.display().to_string()).collect::<Vec<_>>().join("、")
        };
        let all: Vec<&RankingRow> = rows.iter().collect();
        writeln!(
            out,
            "最好三位：{}；最差三位：{}",
            names(all.clone(), |r| r.rank, false),
            names(all.clone(), |r| r.rank, true)
        )?;
        writeln!(
            out,
            "改善最大：{}；恶化最大：{}",
            names(
                all.iter().copied().filter(|r| r.change_tenths.is_some_and(|c| c < 0)).collect(),
                |r| r.change_rank,
                false
            ),
            names(
                all.iter().copied().filter(|r| r.change_tenths.is_some_and(|c| c > 0)).collect(),
                |r| r.change_rank,
                true
            )
        )?;
        writeln!(out, "排名按综合指数从小到大（1 = 最好），并列同名次；变化率与上年同期相比；* = 有效天数不足")?;
        for n in basis_notes(rows.iter().map(|r| r.index.as_ref())) {
            writeln!(out, "注：{n}；只比较口径相同的综合指数")?;
        }
    }
    out.flush()?;
    if let Some(path) = &a.xlsx {
        // The points sheet, with the shipped scheme (`lantian points --scheme … --xlsx` for another).
        let scheme = lantian_core::accountability::points::PointsScheme::default_scheme()?;
        write_circular_xlsx(&*store, &scope, &a.period, a.variant.into(), &rows, &scheme, path)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the monthly circular workbook (月度通报): ranking, statistics, daily AQI and the points of
/// `scheme` — the same numbers `rank` and `points` print. Shared by `rank --xlsx` and `points --xlsx`.
pub fn write_circular_xlsx(
    store: &dyn lantian_store::Store,
    scope: &assess::Scope,
    period: &Period,
    variant: ResultVariant,
    rows: &[assess::RankingRow],
    scheme: &lantian_core::accountability::points::PointsScheme,
    path: &std::path::Path,
) -> Result<()> {
    let daily = rows
        .iter()
        .map(|r| {
            Ok((
                r.city.display().to_string(),
                assess::city_day_records(store, &r.city, period.start, period.end, variant)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let scored = lantian_service::accountability::points::points(store, scope, period, scheme, variant)?;
    let sheet = lantian_report::PointsSheet {
        rows: scored.iter().map(|c| (c.city.display().to_string(), c.result.clone(), c.rank)).collect(),
        scheme_id: scheme.id.clone(),
        scheme_version: scheme.version.clone(),
        scheme_source: scheme.source.clone(),
    };
    lantian_report::write_circular(path, &scope.name, period, variant, rows, &daily, Some(&sheet))?;
    eprintln!("已写出 月度通报 workbook: {}", path.display());
    Ok(())
}
