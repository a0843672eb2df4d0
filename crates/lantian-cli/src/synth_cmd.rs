//! `lantian synth` and `lantian demo`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate};
use clap::Args;
use lantian_synth::SynthOptions;

use crate::import_cmd::{bar, import_files, print_summary};
use crate::output::Table;
use crate::parse_date;

#[derive(Args, Debug)]
pub struct SynthArgs {
    /// Output folder.
    #[arg(long, default_value = "synth")]
    pub out: PathBuf,
    /// Number of stations (default: the 123 real Sichuan stations; more adds synthetic ones).
    #[arg(long)]
    pub stations: Option<usize>,
    /// Number of days.
    #[arg(long, default_value_t = 365)]
    pub days: u32,
    /// First day (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date, default_value = "2022-01-01")]
    pub start: NaiveDate,
    /// Random seed (same seed, same files).
    #[arg(long, default_value_t = 2022)]
    pub seed: u64,
    /// Write .csv.gz instead of .csv.
    #[arg(long)]
    pub gzip: bool,
}

fn options(a: &SynthArgs) -> SynthOptions {
    SynthOptions { stations: a.stations, days: a.days, start: a.start, seed: a.seed, gzip: a.gzip }
}

/// Writes the monitoring data and the emergency-response demonstration (`DIR/emergency/`).
fn synth(a: &SynthArgs) -> Result<(lantian_synth::SynthSummary, lantian_synth::EmergencySummary)> {
    let pb = bar(u64::from(a.days) + 1, "生成 synth");
    let s = lantian_synth::generate(&options(a), &a.out, &mut |done, total| {
        pb.set_length(u64::from(total));
        pb.set_position(u64::from(done));
    })
    .with_context(|| format!("writing to {}", a.out.display()))?;
    pb.finish_and_clear();
    let e = lantian_synth::generate_emergency(&options(a), &a.out)
        .with_context(|| format!("writing the emergency demonstration to {}", a.out.join("emergency").display()))?;
    Ok((s, e))
}

/// The emergency part of the summary: files, the episode and the deliberate cases.
fn print_emergency(e: &lantian_synth::EmergencySummary, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "  应急演示 emergency demonstration ({} enterprises, {:.1} MB):",
        e.enterprises,
        e.bytes as f64 / 1e6
    )?;
    for (name, rows) in &e.files {
        writeln!(out, "    {name:<28} {rows:>7} rows")?;
    }
    match e.episode {
        Some((a, b)) => {
            let scale = if e.forecast_scale > 1.0 {
                format!(", model PM scaled ×{:.2} for the demonstration", e.forecast_scale)
            } else {
                String::new()
            };
            writeln!(out, "    污染过程 episode {a} … {b}{scale}")?;
        }
        None => writeln!(out, "    污染过程 episode: none (no winter in the period; forecast without alerts)")?,
    }
    if let Some((city, date, aqi)) = &e.peak {
        writeln!(out, "    预报峰值 forecast peak {city} {date} AQI {aqi}")?;
    }
    if !e.alerts.is_empty() {
        let list: Vec<String> = e.alerts.iter().map(|(c, l, a, b)| format!("{c} {l} {a}…{b}")).collect();
        writeln!(out, "    预警 alerts: {}", list.join(", "))?;
    }
    writeln!(out, "    清单不足 inadequate lists: {} ({})", e.inadequate_city, e.inadequate.join("; "))?;
    writeln!(out, "    一刀切 one-size-fits-all: {}", e.one_size_fits_all)?;
    writeln!(out, "    疑似未落实 keeps running: {}", e.non_compliant)?;
    writeln!(out, "    用电缺数 power gap: {}", e.power_gap)?;
    if let Some(c) = &e.missing_leader {
        writeln!(out, "    厅级领导未到位 no 厅级 leader on site: {c}")?;
    }
    Ok(())
}

pub fn run_synth(a: SynthArgs) -> Result<ExitCode> {
    let (s, e) = synth(&a)?;
    println!("合成数据 synthetic province written to {}", a.out.display());
    println!(
        "  文件 files {}, 站点 stations {}, 站时 station-hours {}, 数值 values {} ({} missing), {:.1} MB",
        s.files,
        s.stations,
        s.station_hours,
        s.values,
        s.missing_values,
        s.bytes as f64 / 1e6
    );
    print_emergency(&e, &mut std::io::stdout().lock())?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Working folder: the synthetic files go to DIR/data, the store to DIR/lantian.db (both replaced).
    #[arg(long, default_value = "demo")]
    pub dir: PathBuf,
    /// Days of data.
    #[arg(long, default_value_t = 365)]
    pub days: u32,
    /// First day (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date, default_value = "2022-01-01")]
    pub start: NaiveDate,
    /// Address the demonstration is served on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// GeoJSON of the city boundaries for the overview map (e.g. ../shared/data/geo/sichuan_510000_datav_v3_2021.geojson).
    #[arg(long, value_name = "FILE")]
    pub boundaries: Option<PathBuf>,
    /// Stop after the import and the table (do not serve).
    #[arg(long)]
    pub no_serve: bool,
}

pub fn run_demo(a: DemoArgs) -> Result<ExitCode> {
    std::fs::create_dir_all(&a.dir).with_context(|| format!("creating {}", a.dir.display()))?;
    let data = a.dir.join("data");
    if data.exists() {
        std::fs::remove_dir_all(&data).with_context(|| format!("clearing {}", data.display()))?;
    }
    let sa = SynthArgs { out: data.clone(), stations: None, days: a.days, start: a.start, seed: 2022, gzip: false };
    println!("1/3 生成演示省份 generating the demonstration province ({} days, 123 stations, 21 cities) …", a.days);
    let (_, e) = synth(&sa)?;
    print_emergency(&e, &mut std::io::stdout().lock())?;
    let db = a.dir.join("lantian.db");
    for ext in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{ext}", db.display()));
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
        }
    }
    println!("2/3 导入 importing into {} …", db.display());
    let mut store: lantian_store::AnyStore = Box::new(lantian_store::SqliteStore::open(&db)?);
    let mut files = vec![data.join("stations.csv")];
    files.extend(
        crate::import_cmd::expand(std::slice::from_ref(&data))?.into_iter().filter(|p| !p.ends_with("stations.csv")),
    );
    let jobs = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let sum = import_files(&mut *store, &files, jobs, &bar(files.len() as u64, "导入 import"))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    print_summary(&sum, &mut out)?;
    if let Some((_, episode_end)) = e.episode {
        // The duty officer's decisions on the episode, as `alert evaluate --record` makes them once the
        // last forecast has lifted every alert: the alert log and `/alerts` show the response.
        let at = (episode_end + Duration::days(4)).and_time(chrono::NaiveTime::MIN);
        let added =
            lantian_service::emergency::alerts::record(&mut *store, at, None, "演示值班员", &crate::now_text())?;
        writeln!(
            out,
            "预警台账 alert log: 记入演示过程的 {} 条预警决定 recorded {} alert decisions of the episode (lantian alert log, /alerts)",
            added.len(),
            added.len()
        )?;
        // The work of the month around the episode, and the lead reviews of its compliance leads
        // (`lantian work list`, /work).
        let now = crate::now_text();
        let (made, leads) = lantian_store::atomically(&mut *store, |tx| {
            let made = lantian_service::work::demo::demo_work(tx, episode_end, &now)?;
            let leads = lantian_service::work::leads::items_from_leads(
                tx,
                at,
                at + Duration::hours(9),
                lantian_service::work::demo::DEMO_ACTOR,
                (&now, "demo"),
            )?;
            Ok::<_, lantian_service::ServiceError>((made, leads))
        })?;
        writeln!(
            out,
            "督办事项 work items: {} 件（其中违规线索核查 {} 件） {} items, {} of them lead reviews (lantian work list, /work)",
            made.len() + leads.len(),
            leads.len(),
            made.len() + leads.len(),
            leads.len()
        )?;
    }
    let last = a.start + Duration::days(i64::from(a.days) - 1);
    let first = last - Duration::days(6);
    writeln!(out, "\n3/3 最近一周各市州日AQI daily city AQI, {first} … {last} (控制点除外 control stations excluded)")?;
    let days: Vec<NaiveDate> = (0..7).map(|i| first + Duration::days(i)).collect();
    let mut headers: Vec<String> = vec!["城市".into()];
    headers.extend(days.iter().map(|d| d.format("%m-%d").to_string()));
    let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut t = Table::new(&hdr, &[false; 8]);
    for city in store.cities()?.into_iter().filter(|c| c.province == "四川省") {
        let vals = lantian_service::city_daily(&*store, &city, first, last)?;
        let mut row = vec![city.display().to_string()];
        for d in &days {
            row.push(
                match vals.iter().find(|v| v.date == *d).and_then(|v| v.result.aqi.map(|q| (q, v.result.category()))) {
                    Some((q, Some(c))) => format!("{q} {}", c.name_zh()),
                    _ => "—".to_string(),
                },
            );
        }
        t.push(row);
    }
    t.write(&mut out)?;
    writeln!(out, "\n试试 try:")?;
    writeln!(
        out,
        "  lantian --db sqlite:{} aqi --daily --level city --city 成都 --from {first} --to {last}",
        db.display()
    )?;
    writeln!(
        out,
        "  lantian --db sqlite:{} aqi --hourly --city 攀枝花 --from {last} --to {last} --format csv",
        db.display()
    )?;
    writeln!(out, "  lantian --db sqlite:{} stations --city 凉山州", db.display())?;
    if let Some((first, last)) = e.episode {
        // The heavy-pollution response of the demonstration (README: the heavy-pollution response).
        let decisive = first - Duration::days(1);
        let db = db.display();
        writeln!(out, "  lantian --db sqlite:{db} alert evaluate --at {decisive}T16:00")?;
        writeln!(
            out,
            "  lantian --db sqlite:{db} alert evaluate --at {}T00:00 --record --by 值班员",
            last + Duration::days(4)
        )?;
        if let Some((city, level, _, _)) = e.alerts.first() {
            writeln!(
                out,
                "  lantian --db sqlite:{db} control-list --city {city} --level {level} --xlsx 管控清单.xlsx"
            )?;
        }
        writeln!(out, "  lantian --db sqlite:{db} compliance")?;
    }
    if a.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out)?;
    out.flush()?;
    drop(out);
    drop(store);
    crate::serve_cmd::serve(
        &format!("sqlite:{}", db.display()),
        a.addr,
        a.boundaries.as_deref(),
        &crate::serve_cmd::LimitArgs::from_env()?,
    )
}
