//! `lantian import PATH...`: files or folders, kind detected from content, each file atomic.

use std::collections::BTreeMap;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

use anyhow::{bail, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use lantian_ingest::text::ReadLimits;
use lantian_ingest::IngestError;
use lantian_service::import::{prepare_with, published_aqi_check, write, PublishedAqiCheck, Ready};
use lantian_store::{FileMeta, ImportOutcome, Store, StoreError};

#[derive(Args, Debug)]
#[command(after_help = lantian_service::datasets::help())]
pub struct ImportArgs {
    /// Files or folders (folders are searched recursively for *.csv, *.txt, their .gz, and *.json).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Parser threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// The largest file read, as stored (compressed or not): larger files are rejected unread. Sizes
    /// such as 512MiB, 2GiB or bytes.
    #[arg(long, env = "LANTIAN_MAX_INPUT", default_value = "1GiB", value_parser = size_arg)]
    pub max_input: u64,
    /// The largest content after gzip decompression: a file that inflates beyond it (a decompression
    /// bomb) is rejected once this much has been inflated, never expanded whole.
    #[arg(long, env = "LANTIAN_MAX_DECOMPRESSED", default_value = "1GiB", value_parser = size_arg)]
    pub max_decompressed: u64,
}

/// A size argument (`64MiB`, `1GiB`, bytes).
pub fn size_arg(s: &str) -> std::result::Result<u64, String> {
    lantian_ingest::text::parse_size(s)
}

/// Totals of an import run.
#[derive(Debug, Default, Clone)]
pub struct ImportSummary {
    pub files: usize,
    pub files_new: usize,
    pub files_rejected: usize,
    pub rows: u64,
    pub stations: usize,
    pub station_hours: u64,
    pub values: u64,
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
    pub outcome: ImportOutcome,
    pub kinds: std::collections::BTreeMap<&'static str, usize>,
    /// Imported daily values against the AQI their files publish, over all accepted files (each file's
    /// disagreements are also a warning).
    pub published_aqi: PublishedAqiCheck,
    /// Seconds spent in the store's import calls (the single writer).
    pub store_secs: f64,
    /// Seconds spent waiting for another writer (a `lantian serve` taking uploads, another import)
    /// before a transaction could begin (issue 13 item 4: writers wait, they do not fail).
    pub waited_secs: f64,
}

fn is_data_name(p: &Path) -> bool {
    let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
    n.ends_with(".csv")
        || n.ends_with(".csv.gz")
        || n.ends_with(".txt")
        || n.ends_with(".txt.gz")
        || n.ends_with(".json")
}

/// Expands folders (recursively, sorted by name) and keeps files as given.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let md = std::fs::metadata(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
        if md.is_dir() {
            let mut stack = vec![p.clone()];
            let mut found = Vec::new();
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).map_err(|e| anyhow::anyhow!("{}: {e}", d.display()))? {
                    let e = e?;
                    let path = e.path();
                    if e.file_type()?.is_dir() {
                        stack.push(path);
                    } else if is_data_name(&path) {
                        found.push(path);
                    }
                }
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

struct ParsedFile {
    path: PathBuf,
    result: std::result::Result<(FileMeta, Ready), IngestError>,
}

fn parse_one(path: &Path, at: &str, limits: &ReadLimits) -> ParsedFile {
    let result = lantian_ingest::text::read_raw(path, limits).and_then(|raw| prepare_with(path, raw, at, limits));
    ParsedFile { path: path.to_path_buf(), result }
}

/// Imports files (or folders) without a progress bar: for commands that import their input first.
pub fn import_quiet(store: &mut dyn Store, paths: &[PathBuf]) -> Result<ImportSummary> {
    let files = expand(paths)?;
    import_files(store, &files, 1, &ProgressBar::hidden())
}

/// Imports the files into the store within the read limits of the environment
/// (`LANTIAN_MAX_INPUT`, `LANTIAN_MAX_DECOMPRESSED`, else 1 GiB each).
pub fn import_files(
    store: &mut dyn Store,
    files: &[PathBuf],
    jobs: usize,
    progress: &ProgressBar,
) -> Result<ImportSummary> {
    let limits = ReadLimits::from_env().map_err(anyhow::Error::msg)?;
    import_files_with(store, files, jobs, progress, &limits)
}

/// Imports the files into the store; parsing runs on `jobs` threads while one thread writes; each file
/// is read within `limits`.
pub fn import_files_with(
    store: &mut dyn Store,
    files: &[PathBuf],
    jobs: usize,
    progress: &ProgressBar,
    limits: &ReadLimits,
) -> Result<ImportSummary> {
    let at = chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    let wait = lantian_store::WriteWait::from_env()?;
    let mut sum = ImportSummary::default();
    let mut stations: HashSet<String> = HashSet::new();
    // `jobs` parser threads take files in order from a shared counter and may run at most `ahead`
    // files beyond the writer; the writer (this thread) applies them strictly in the given order.
    let jobs = jobs.max(1);
    let ahead = 2 * jobs + 2;
    let next = AtomicUsize::new(0);
    let written = (Mutex::new(0usize), Condvar::new());
    let (tx, rx) = mpsc::channel::<(usize, ParsedFile)>();
    std::thread::scope(|s| -> Result<()> {
        let (at, next, written) = (&at, &next, &written);
        for _ in 0..jobs {
            let tx = tx.clone();
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= files.len() {
                    return;
                }
                {
                    let (lock, cv) = written;
                    let mut w = lock.lock().unwrap_or_else(|e| e.into_inner());
                    while i >= *w + ahead {
                        w = cv.wait(w).unwrap_or_else(|e| e.into_inner());
                    }
                }
                if tx.send((i, parse_one(&files[i], at, limits))).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<usize, ParsedFile> = BTreeMap::new();
        let mut want = 0usize;
        let ordered = std::iter::from_fn(|| loop {
            if let Some(pf) = pending.remove(&want) {
                want += 1;
                let (lock, cv) = written;
                *lock.lock().unwrap_or_else(|e| e.into_inner()) = want;
                cv.notify_all();
                return Some(pf);
            }
            match rx.recv() {
                Ok((i, pf)) => {
                    pending.insert(i, pf);
                }
                Err(_) => return None,
            }
        });
        // Consecutive wide files share one transaction of up to BATCH files (each still a savepoint:
        // all or nothing); their results count once the batch commits.
        let mut pending: Vec<(PathBuf, Accounted)> = Vec::new();
        // When the open batch began: it commits after BATCH files or BATCH_TIME, whichever comes
        // first, so that another writer never waits long for its turn.
        let mut batch_began: Option<std::time::Instant> = None;
        let commit = |store: &mut dyn Store,
                      pending: &mut Vec<(PathBuf, Accounted)>,
                      sum: &mut ImportSummary,
                      stations: &mut HashSet<String>| {
            let t = std::time::Instant::now();
            let r = store.commit_import_batch();
            sum.store_secs += t.elapsed().as_secs_f64();
            for (path, acc) in pending.drain(..) {
                match &r {
                    Ok(()) => acc.apply(sum, stations),
                    Err(e) => {
                        sum.files_rejected += 1;
                        sum.errors.push(format!("{}: {e}", path.display()));
                    }
                }
            }
        };
        for pf in ordered {
            sum.files += 1;
            progress.set_message(pf.path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default());
            match pf.result {
                Err(e) => {
                    sum.files_rejected += 1;
                    sum.errors.push(e.to_string());
                }
                Ok((meta, ready)) => {
                    let kind = ready.kind_name();
                    *sum.kinds.entry(kind).or_default() += 1;
                    sum.warnings.extend(ready.warnings());
                    // Consecutive files of a batched kind (the hourly files) share a transaction.
                    let wide = ready.info().batched;
                    if !wide {
                        commit(store, &mut pending, &mut sum, &mut stations);
                        batch_began = None;
                    }
                    let t = std::time::Instant::now();
                    // Every transaction waits for other writers (`retry_busy`) before it writes;
                    // a file outside a batch is its own transaction.
                    let (r, waited) = if wide {
                        let (began, waited) =
                            lantian_store::retry_busy(&wait, StoreError::is_busy, || store.begin_import_batch());
                        if began.is_ok() && batch_began.is_none() {
                            batch_began = Some(std::time::Instant::now());
                        }
                        let written = began.and_then(|_| {
                            // A part of the open batch: its savepoint is stored when the batch commits.
                            let mut tx = lantian_store::Tx::within_batch(&mut *store)?;
                            let o = write(&mut tx, &meta, &ready)?;
                            tx.commit()?;
                            Ok(o)
                        });
                        (written, waited)
                    } else {
                        lantian_store::write_retrying(store, &wait, |s| write(s, &meta, &ready))
                    };
                    sum.waited_secs += waited.as_secs_f64();
                    sum.store_secs += t.elapsed().saturating_sub(waited).as_secs_f64();
                    match r {
                        Err(e) => {
                            sum.files_rejected += 1;
                            sum.errors.push(format!("{}: {e}", pf.path.display()));
                        }
                        Ok(o) if wide => {
                            pending.push((pf.path.clone(), Accounted::of(o, &ready)));
                            if pending.len() >= BATCH || batch_began.is_some_and(|t| t.elapsed() >= BATCH_TIME) {
                                commit(store, &mut pending, &mut sum, &mut stations);
                                batch_began = None;
                            }
                        }
                        Ok(o) => {
                            let mut acc = Accounted::of(o, &ready);
                            acc.published =
                                published_aqi_check(&pf.path, &ready).map(|c| (pf.path.display().to_string(), c));
                            acc.apply(&mut sum, &mut stations);
                        }
                    }
                }
            }
            progress.inc(1);
        }
        commit(store, &mut pending, &mut sum, &mut stations);
        Ok(())
    })?;
    sum.stations = stations.len();
    progress.finish_and_clear();
    Ok(sum)
}

/// Wide files per import transaction (BENCHMARKS.md: committing after every file made the writer
/// the import's bottleneck).
const BATCH: usize = 32;

/// The longest a batch holds the write lock before it commits (issue 13 item 4): an upload of the
/// server waiting for its turn waits about this long, whatever the size of the files.
const BATCH_TIME: std::time::Duration = std::time::Duration::from_secs(1);

/// What one stored file adds to the summary.
struct Accounted {
    outcome: ImportOutcome,
    rows: u64,
    values: u64,
    station_hours: u64,
    stations: Vec<String>,
    /// The file and its daily city values against their published AQI (`None` for other kinds).
    published: Option<(String, PublishedAqiCheck)>,
}

impl Accounted {
    fn of(o: ImportOutcome, ready: &Ready) -> Accounted {
        let c = ready.counts();
        Accounted {
            outcome: o,
            rows: c.rows,
            values: c.values,
            station_hours: c.station_hours,
            stations: c.stations,
            published: None,
        }
    }

    fn apply(self, sum: &mut ImportSummary, stations: &mut HashSet<String>) {
        if self.outcome.new_file {
            sum.files_new += 1;
        }
        sum.outcome.add(&self.outcome);
        sum.rows += self.rows;
        sum.values += self.values;
        sum.station_hours += self.station_hours;
        stations.extend(self.stations);
        if let Some((file, check)) = self.published {
            sum.warnings.extend(check.warning(&file));
            sum.published_aqi.add(&check);
        }
    }
}

/// A progress bar on a terminal (hidden otherwise).
pub fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template(&format!(
            "{what} {{bar:40.cyan/blue}} {{pos}}/{{len}} {{msg}} [{{elapsed_precise}}, ETA {{eta}}]"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

pub fn print_summary(sum: &ImportSummary, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "导入完成 import summary")?;
    let kinds: Vec<String> = sum.kinds.iter().map(|(k, v)| format!("{k} {v}")).collect();
    writeln!(
        out,
        "  文件 files        {} ({} new, {} rejected){}",
        sum.files,
        sum.files_new,
        sum.files_rejected,
        if kinds.is_empty() { String::new() } else { format!(" — {}", kinds.join(", ")) }
    )?;
    writeln!(out, "  行 rows           {}", sum.rows)?;
    writeln!(out, "  站点 stations     {}", sum.stations)?;
    writeln!(out, "  站时 station-hours {}", sum.station_hours)?;
    writeln!(out, "  数值 values       {}", sum.values)?;
    let o = &sum.outcome;
    writeln!(
        out,
        "  存储 store        {} inserted, {} updated, {} unchanged; {} stations created, {} stations updated, \
         {} cities created",
        o.inserted, o.updated, o.unchanged, o.stations_created, o.stations_updated, o.cities_created
    )?;
    let r = &o.revisions;
    writeln!(out, "  修订 revisions     {} ({} deleted)", r.count, r.deleted)?;
    for e in &r.examples {
        writeln!(out, "    - {e}")?;
    }
    if r.count > r.examples.len() as u64 {
        writeln!(out, "    … and {} more", r.count - r.examples.len() as u64)?;
    }
    if !o.created_from_release.is_empty() {
        let shown: Vec<&str> = o.created_from_release.iter().take(50).map(String::as_str).collect();
        let more = o.created_from_release.len() - shown.len();
        writeln!(
            out,
            "  新站点 {} stations created from release rows: {}{}",
            o.created_from_release.len(),
            shown.join(", "),
            if more > 0 { format!(", … and {more} more") } else { String::new() }
        )?;
    }
    let p = &sum.published_aqi;
    if p.days > 0 {
        writeln!(
            out,
            "  发布AQI published  {} city-days; {} disagree with the computed AQI ({} in level, {} in value only); the published AQI decides the day",
            p.days,
            p.disagree(),
            p.level_differs,
            p.value_only
        )?;
    }
    let warnings: Vec<&String> = sum.warnings.iter().chain(&o.warnings).collect();
    if sum.waited_secs >= 0.5 {
        writeln!(
            out,
            "  等待 waited        {:.1} s for another writer (e.g. the web server's uploads)",
            sum.waited_secs
        )?;
    }
    writeln!(out, "  警告 warnings     {}", warnings.len())?;
    for w in warnings.iter().take(20) {
        writeln!(out, "    - {w}")?;
    }
    if warnings.len() > 20 {
        writeln!(out, "    … and {} more", warnings.len() - 20)?;
    }
    if !sum.errors.is_empty() {
        writeln!(out, "  拒绝 rejected (the store is unchanged by these files):")?;
        for e in &sum.errors {
            writeln!(out, "    ✗ {e}")?;
        }
    }
    Ok(())
}

pub fn run(db: &str, a: ImportArgs) -> Result<ExitCode> {
    let files = expand(&a.paths)?;
    if files.is_empty() {
        bail!("no .csv or .csv.gz files found in {:?}", a.paths);
    }
    let mut store = crate::create_store(db)?;
    let jobs = a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let pb = bar(files.len() as u64, "导入 import");
    let limits = ReadLimits { max_input: a.max_input, max_content: a.max_decompressed };
    let sum = import_files_with(&mut *store, &files, jobs, &pb, &limits)?;
    let stdout = std::io::stdout();
    print_summary(&sum, &mut stdout.lock())?;
    Ok(if sum.files_rejected > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
}
