//! The mutation corpus (issue 12): real files of `../shared/data` (excerpts, so that the run stays
//! within a CI budget) and the valid sample of every kind the importer detects
//! (`crates/lantian-ingest/samples/`, one or more per dataset of `lantian_service::datasets::REGISTRY`), each damaged in
//! many ways — truncations at many points and inside the last cells, byte flips, NULs, invalid
//! UTF-8 and GB18030, a byte-order mark inside, huge lines and cells, huge column counts, odd numbers
//! (`1e308`, `-0`, `NaN`, `999999999`, …), odd dates (`9999-12-31`, `2023-02-30`, …), repeated header
//! columns, short rows, joined, repeated and CRLF lines, gzip wrapping and a cut gzip.
//!
//! Every mutant goes through the import path of `lantian import` and the upload
//! (`lantian_service::import::{prepare, write}`) into a temporary store that already holds the
//! original file, and must pass:
//! * no panic, and no hang (each import within [`LIMIT`]);
//! * rejected: an error naming the file and a line (or a whole-file reason such as "empty file"),
//!   and the store byte for byte as it was (every table);
//! * accepted: if any stored data changed, the import says so (records inserted, updated or created,
//!   revisions counted, or a warning); a file cut inside its last cell that revises a stored value is
//!   flagged; and no stored text holds a NUL, a byte-order mark or a replacement character (no phantom
//!   names);
//! * damage no valid file of any kind can carry is rejected.
//!
//! Deterministic: the mutations come from a fixed seed (xorshift64*); a failure prints the seed
//! file, the mutation and the path of the mutant it wrote, so it can be imported again by hand.

mod common;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{shared_data, TempDir};
use lantian_service::import::{import_warnings, prepare, write_one};
use lantian_store::{ImportOutcome, SqliteStore};

/// The longest one import may take (debug build, slow CI) before it counts as a hang.
const LIMIT: Duration = Duration::from_secs(20);

/// Samples every store is given first, so that files referring to them are accepted.
const PREREQUISITES: [&str; 3] = ["station-list.csv", "enterprises.csv", "target-tasks.csv"];

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../lantian-ingest/samples")
}

/// Deterministic pseudo-random numbers (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// One damaged file: what was done, the bytes, and whether every reader must reject it (damage no
/// file of any kind may carry: NULs, bytes that are no text, a BOM inside, a repeated header column,
/// a row without its last field, 100,000 more header columns, an implausible or impossible date, a
/// cut gzip).
struct Mutant {
    what: String,
    bytes: Vec<u8>,
    must_reject: bool,
}

/// Byte offsets of line starts.
fn line_starts(b: &[u8]) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(b.iter().enumerate().filter(|(_, c)| **c == b'\n').map(|(i, _)| i + 1).filter(|i| *i < b.len()));
    v
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

/// The fields of a data line as byte ranges (split on commas; quotes are not special here).
fn fields(b: &[u8], start: usize) -> Vec<(usize, usize)> {
    let end = b[start..].iter().position(|c| *c == b'\n').map_or(b.len(), |p| start + p);
    let end = if end > start && b[end - 1] == b'\r' { end - 1 } else { end };
    let mut out = Vec::new();
    let mut s = start;
    for (i, c) in b[start..end].iter().enumerate() {
        if *c == b',' {
            out.push((s, start + i));
            s = start + i + 1;
        }
    }
    out.push((s, end));
    out
}

fn replace(b: &[u8], range: (usize, usize), with: &[u8]) -> Vec<u8> {
    let mut v = b[..range.0].to_vec();
    v.extend_from_slice(with);
    v.extend_from_slice(&b[range.1..]);
    v
}

fn insert(b: &[u8], at: usize, what: &[u8]) -> Vec<u8> {
    replace(b, (at, at), what)
}

/// A field that holds a number, and one that holds a date, on some data line.
fn find_field(b: &[u8], rng: &mut Rng, is: impl Fn(&[u8]) -> bool) -> Option<(usize, usize)> {
    let starts = line_starts(b);
    let data: Vec<usize> = starts.iter().copied().skip(1).collect();
    for _ in 0..64 {
        let line = *data.get(rng.below(data.len()))?;
        let f = fields(b, line);
        let cands: Vec<&(usize, usize)> = f.iter().filter(|(s, e)| e > s && is(&b[*s..*e])).collect();
        if !cands.is_empty() {
            return Some(*cands[rng.below(cands.len())]);
        }
    }
    None
}

fn is_number(f: &[u8]) -> bool {
    f.iter().any(u8::is_ascii_digit) && f.iter().all(|c| c.is_ascii_digit() || *c == b'.') && f.len() < 10
}

/// `YYYY-MM-DD…`, `YYYYMMDD`: the date forms of the formats.
fn date_form(f: &[u8]) -> Option<bool> {
    let f = f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f);
    if f.len() >= 10 && f[..4].iter().all(u8::is_ascii_digit) && f[4] == b'-' && f[7] == b'-' {
        Some(true)
    } else if f.len() == 8 && f.iter().all(u8::is_ascii_digit) && f.starts_with(b"20") {
        Some(false)
    } else {
        None
    }
}

/// The mutants of one file.
fn mutants(name: &str, b: &[u8], seed: u64) -> Vec<Mutant> {
    let mut rng = Rng(seed | 1);
    let mut out = Vec::new();
    let n = b.len();
    let mut all = Vec::new();
    let mut push =
        |what: String, bytes: Vec<u8>| all.push(Mutant { what: format!("{name}: {what}"), bytes, must_reject: false });
    let mut reject =
        |what: String, bytes: Vec<u8>| out.push(Mutant { what: format!("{name}: {what}"), bytes, must_reject: true });
    // Truncations at 15 points, and inside the last cells.
    for i in 1..16 {
        let k = n * i / 16;
        push(format!("truncated at byte {k}"), b[..k].to_vec());
    }
    for d in 1..=3 {
        push(format!("truncated by its last {d} bytes"), b[..n.saturating_sub(d)].to_vec());
    }
    // Byte flips.
    for _ in 0..10 {
        let at = rng.below(n);
        let x = (rng.next() % 255 + 1) as u8;
        let mut v = b.to_vec();
        v[at] ^= x;
        push(format!("byte {at} xor {x:#04x}"), v);
    }
    // NULs, invalid UTF-8 and GB18030, a BOM at the start of a line.
    let starts = line_starts(b);
    for (bad, what) in [
        (&b"\0"[..], "a NUL"),
        (b"\0", "a NUL"),
        (b"\xFF", "the byte 0xFF"),
        (b"\xC3\x28", "an invalid UTF-8 pair"),
        (b"\x81\x20", "an invalid GB18030 pair"),
    ] {
        let at = rng.below(n);
        reject(format!("{what} inserted at byte {at}"), insert(b, at, bad));
    }
    if starts.len() > 1 {
        let at = starts[1 + rng.below(starts.len() - 1)];
        reject(format!("a BOM inserted at byte {at} (a line start)"), insert(b, at, "\u{feff}".as_bytes()));
    }
    // A huge line, a huge cell, a huge header.
    let at = starts[rng.below(starts.len())];
    let mut huge = vec![b'9'; 1 << 20];
    huge.push(b'\n');
    push(format!("a line of 1 MiB inserted at byte {at}"), insert(b, at, &huge));
    if let Some(f) = find_field(b, &mut rng, |_| true) {
        push(format!("field at {}..{} replaced by 200,000 x", f.0, f.1), replace(b, f, &vec![b'x'; 200_000]));
    }
    let header_end = b.iter().position(|c| *c == b'\n').unwrap_or(n);
    let header_end = if header_end > 0 && b[header_end - 1] == b'\r' { header_end - 1 } else { header_end };
    let mut cols = Vec::with_capacity(700_000);
    for i in 0..100_000 {
        cols.extend_from_slice(format!(",X{i}").as_bytes());
    }
    reject("100,000 columns appended to the header".into(), insert(b, header_end, &cols));
    // A header column repeated.
    let first = fields(b, 0).first().map(|(s, e)| b[*s..*e].to_vec()).unwrap_or_default();
    let mut dup = vec![b','];
    dup.extend_from_slice(first.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&first));
    reject("the first header column repeated at its end".into(), insert(b, header_end, &dup));
    // Odd numbers.
    for odd in ["1e308", "-0", "NaN", "999999999", "-500", "inf", "0x1F", "1,000", "１２", "", "0.0001", "+7"] {
        if let Some(f) = find_field(b, &mut rng, is_number) {
            push(format!("number at {}..{} replaced by {odd:?}", f.0, f.1), replace(b, f, odd.as_bytes()));
        }
    }
    // Odd dates, in the field's own form.
    for (long, short) in [
        ("9999-12-31", "99991231"),
        ("0000-00-00", "00000000"),
        ("2023-02-30", "20230230"),
        ("1899-12-31", "18991231"),
        ("2023-13-01", "20231301"),
        ("1970-01-01", "19700101"),
    ] {
        if let Some(f) = find_field(b, &mut rng, |x| date_form(x).is_some()) {
            let old = &b[f.0..f.1];
            let new: Vec<u8> = match date_form(old) {
                Some(true) => {
                    let mut v = long.as_bytes().to_vec();
                    v.extend_from_slice(&old[10..]);
                    v
                }
                _ => short.as_bytes().to_vec(),
            };
            reject(
                format!("date at {}..{} replaced by {:?}", f.0, f.1, String::from_utf8_lossy(&new)),
                replace(b, f, &new),
            );
        }
    }
    // Line damage: a middle line without its last field, two lines joined, a line repeated, CRLF.
    if starts.len() > 3 {
        let line = starts[1 + rng.below(starts.len() - 2)];
        let f = fields(b, line);
        if f.len() > 1 {
            let last = f[f.len() - 1];
            reject(
                format!("the line at byte {line} without its last field"),
                replace(b, (f[f.len() - 2].1, last.1), b""),
            );
        }
        let nl = starts[2 + rng.below(starts.len() - 2)] - 1;
        push(format!("the line end at byte {nl} removed"), replace(b, (nl, nl + 1), b""));
        let line = starts[1 + rng.below(starts.len() - 2)];
        let end = b[line..].iter().position(|c| *c == b'\n').map_or(n, |p| line + p + 1);
        push(format!("the line at byte {line} repeated"), insert(b, end, &b[line..end]));
    }
    let crlf: Vec<u8> = b.iter().flat_map(|c| if *c == b'\n' { vec![b'\r', b'\n'] } else { vec![*c] }).collect();
    push("CRLF line ends".into(), crlf);
    // Gzip: the same content wrapped, and the wrapper cut.
    let gz = gzip(b);
    push("gzip-wrapped".into(), gz.clone());
    reject(format!("gzip cut at {} of {} bytes", gz.len() * 2 / 3, gz.len()), gz[..gz.len() * 2 / 3].to_vec());
    out.extend(all);
    out
}

/// A fingerprint of every table (`all`), or of the data only (bookkeeping tables left out).
fn fingerprint(db: &Path, all: bool) -> u64 {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let mut tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("tables")
        .query_map([], |r| r.get(0))
        .expect("tables")
        .collect::<rusqlite::Result<_>>()
        .expect("tables");
    if !all {
        tables.retain(|t| !matches!(t.as_str(), "import_file" | "meta" | "audit_log" | "daily_cache"));
    }
    let mut h = DefaultHasher::new();
    for t in tables {
        t.hash(&mut h);
        let mut st = c.prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1, 2")).expect("select");
        let n = st.column_count();
        let mut rows = st.query([]).expect("query");
        while let Some(r) = rows.next().expect("row") {
            for i in 0..n {
                match r.get_ref(i).expect("value") {
                    rusqlite::types::ValueRef::Null => 0u8.hash(&mut h),
                    rusqlite::types::ValueRef::Integer(v) => v.hash(&mut h),
                    rusqlite::types::ValueRef::Real(v) => v.to_bits().hash(&mut h),
                    rusqlite::types::ValueRef::Text(v) | rusqlite::types::ValueRef::Blob(v) => v.hash(&mut h),
                }
            }
        }
    }
    h.finish()
}

/// Stored text holding a NUL, a byte-order mark or a replacement character (a phantom name).
fn phantom_text(db: &Path) -> Option<String> {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .expect("tables")
        .query_map([], |r| r.get(0))
        .expect("tables")
        .collect::<rusqlite::Result<_>>()
        .expect("tables");
    for t in tables.iter().filter(|t| !matches!(t.as_str(), "import_file" | "audit_log")) {
        let mut st = c.prepare(&format!("SELECT * FROM \"{t}\"")).expect("select");
        let n = st.column_count();
        let mut rows = st.query([]).expect("query");
        while let Some(r) = rows.next().expect("row") {
            for i in 0..n {
                if let Ok(rusqlite::types::ValueRef::Text(v)) = r.get_ref(i) {
                    let s = String::from_utf8_lossy(v);
                    if s.contains(['\0', '\u{feff}', '\u{fffd}']) {
                        return Some(format!("{t}: {s:?}"));
                    }
                }
            }
        }
    }
    None
}

/// What one import did.
type Imported = Result<(ImportOutcome, Vec<String>), String>;

fn import(store: &mut SqliteStore, name: &str, bytes: Vec<u8>) -> Imported {
    let (meta, ready) = prepare(Path::new(name), bytes, "2026-01-01T00:00:00+08:00").map_err(|e| e.to_string())?;
    let o = write_one(store, &meta, &ready).map_err(|e| e.to_string())?;
    let w = import_warnings(Path::new(name), &ready, &o);
    Ok((o, w))
}

/// Imports on a thread of its own, so that a panic or a hang is seen and reported, not fatal.
fn import_bounded(store: SqliteStore, name: &str, bytes: Vec<u8>) -> Result<(SqliteStore, Imported), String> {
    let (tx, rx) = mpsc::channel();
    let name = name.to_string();
    std::thread::spawn(move || {
        let mut store = store;
        let r = import(&mut store, &name, bytes);
        let _ = tx.send((store, r));
    });
    match rx.recv_timeout(LIMIT) {
        Ok(r) => Ok(r),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("no answer within {LIMIT:?} (a hang)")),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("the import panicked".into()),
    }
}

/// Reasons that concern the whole file and need no line.
const WHOLE_FILE: [&str; 7] = [
    "empty file",
    "no rows",
    "no data rows",
    "not a valid gzip file",
    "no forecasts",
    "a JSON forecast file is",
    "label dates ×",
];

/// Whether an error names the file and a line (`NAME:LINE`), or is a whole-file reason.
fn names_a_place(e: &str, name: &str) -> bool {
    let located = e
        .match_indices(&format!("{name}:"))
        .any(|(i, m)| e[i + m.len()..].chars().next().is_some_and(|c| c.is_ascii_digit()));
    located || (e.contains(name) && WHOLE_FILE.iter().any(|w| e.contains(w)))
}

/// Copies a store's files (the database and, if any, its WAL).
fn copy_store(from: &Path, to: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let (f, t) =
            (PathBuf::from(format!("{}{suffix}", from.display())), PathBuf::from(format!("{}{suffix}", to.display())));
        let _ = std::fs::remove_file(&t);
        if f.exists() {
            std::fs::copy(&f, &t).expect("copy the store");
        }
    }
}

/// Runs every mutant of the given seeds; returns the failures (each names the mutant) and counts.
fn run_corpus(tag: &str, seeds: &[(String, Vec<u8>)]) -> (Vec<String>, usize, usize) {
    let dir = TempDir::new(tag);
    let samples = samples_dir();
    let mut failures = Vec::new();
    let (mut rejected, mut accepted) = (0usize, 0usize);
    for (k, (name, original)) in seeds.iter().enumerate() {
        let template = dir.0.join(format!("template-{k}.db"));
        {
            let mut s = lantian_store::open_sqlite(&format!("sqlite:{}", template.display())).expect("store");
            for p in PREREQUISITES {
                let bytes = std::fs::read(samples.join(p)).expect("sample");
                import(&mut s, p, bytes).unwrap_or_else(|e| panic!("prerequisite {p}: {e}"));
            }
            import(&mut s, name, original.clone()).unwrap_or_else(|e| panic!("the original {name} is rejected: {e}"));
        }
        let work = dir.0.join(format!("work-{k}.db"));
        copy_store(&template, &work);
        let (all0, data0) = (fingerprint(&work, true), fingerprint(&work, false));
        let url = format!("sqlite:{}", work.display());
        let mut store = Some(lantian_store::open_sqlite(&url).expect("store"));
        let seed = 0x5EED_0000_0000_0000 ^ (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for m in mutants(name, original, seed) {
            let s = store.take().expect("store");
            let fail = |why: String, m: &Mutant| {
                let p = std::env::temp_dir().join(format!("lantian-mutant-{tag}-{k}-{}", name.replace('/', "_")));
                let _ = std::fs::write(&p, &m.bytes);
                format!("{} — {why} (mutant written to {})", m.what, p.display())
            };
            let (s, result) = match import_bounded(s, name, m.bytes.clone()) {
                Ok(r) => r,
                Err(why) => {
                    failures.push(fail(why, &m));
                    return (failures, rejected, accepted);
                }
            };
            let mut restore = false;
            match &result {
                Err(e) => {
                    rejected += 1;
                    if !names_a_place(e, name) {
                        failures.push(fail(format!("the error names no file and line: {e}"), &m));
                    }
                    if fingerprint(&work, true) != all0 {
                        failures.push(fail(format!("rejected ({e}) but the store changed"), &m));
                        restore = true;
                    }
                }
                Ok((o, w)) => {
                    accepted += 1;
                    if m.must_reject {
                        failures.push(fail(
                            format!("accepted, though no valid file can carry this damage: {o:?} {w:?}"),
                            &m,
                        ));
                    }
                    if fingerprint(&work, false) != data0 {
                        restore = true;
                        if !o.changed() && o.revisions.count == 0 && w.is_empty() {
                            failures.push(fail(
                                format!("accepted, the stored data changed, and nothing says so: {o:?}"),
                                &m,
                            ));
                        }
                    } else if fingerprint(&work, true) != all0 {
                        restore = true;
                    }
                    // A file cut inside its last cell that changes a stored value is flagged.
                    if m.what.contains("truncated by its last")
                        && o.revisions.count > 0
                        && !w.iter().any(|w| w.contains("line end"))
                    {
                        failures.push(fail(format!("cut inside its last cell, revised, not flagged: {o:?} {w:?}"), &m));
                    }
                    if let Some(t) = phantom_text(&work) {
                        failures.push(fail(format!("accepted, and a stored text is damaged: {t}"), &m));
                        restore = true;
                    }
                }
            }
            if restore {
                drop(s);
                copy_store(&template, &work);
                store = Some(lantian_store::open_sqlite(&url).expect("store"));
            } else {
                store = Some(s);
            }
        }
    }
    (failures, rejected, accepted)
}

fn read(p: &Path) -> Vec<u8> {
    let raw = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out).expect("gunzip");
        out
    } else {
        raw
    }
}

/// The first `n` lines of a text (with their line ends).
fn head(b: &[u8], n: usize) -> Vec<u8> {
    let starts = line_starts(b);
    b[..starts.get(n).copied().unwrap_or(b.len())].to_vec()
}

fn report(tag: &str, (failures, rejected, accepted): (Vec<String>, usize, usize), start: Instant) {
    eprintln!(
        "{tag}: {} mutants, {rejected} rejected, {accepted} accepted, in {:?}",
        rejected + accepted,
        start.elapsed()
    );
    assert!(failures.is_empty(), "{} of the mutants failed:\n{}", failures.len(), failures.join("\n"));
}

/// Every kind's valid sample, mutated.
#[test]
fn every_kind_survives_its_mutants() {
    let start = Instant::now();
    let mut seeds = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(samples_dir())
        .expect("samples")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
        .filter(|n| n.ends_with(".csv") || n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= lantian_service::datasets::REGISTRY.len(), "a sample per kind: {names:?}");
    for n in names {
        seeds.push((n.clone(), std::fs::read(samples_dir().join(&n)).expect("sample")));
    }
    report("samples", run_corpus("mutation-samples", &seeds), start);
}

/// Real published files (excerpts of the larger ones), mutated: the national wide file's first two
/// hours and its last hour (with its real truncated last row), the Sichuan extract, real-time release
/// rows, the national station list in GB18030 and the Sichuan list in UTF-8, aqistudy daily files.
#[test]
fn real_files_survive_their_mutants() {
    let Some(data) = shared_data() else { return };
    let start = Instant::now();
    let sites = read(&data.join("cnemc/quotsoft-sites/2023-01/china_sites_20230120.csv.gz"));
    let starts = line_starts(&sites);
    let header = head(&sites, 1);
    let mut last_hour = header.clone();
    last_hour.extend_from_slice(&sites[starts[starts.len() - 15]..]);
    let seeds: Vec<(String, Vec<u8>)> = vec![
        ("china_sites_20230120.csv".into(), head(&sites, 31)),
        ("china_sites_20230120_h23.csv".into(), last_hour),
        (
            "sichuan_sites_20230120-20230123.csv".into(),
            head(&read(&data.join("cnemc/quotsoft-sites/2023-01/sichuan_sites_20230120-20230123.csv.gz")), 46),
        ),
        (
            "cnemc_realtime_2026-02-28T23.subset.csv".into(),
            read(&data.join("cnemc/realtime-2026/cnemc_realtime_2026-02-28T23.subset.csv.gz")),
        ),
        ("NewSiteList.gb18030.csv".into(), head(&read(&data.join("cnemc/stations/NewSiteList.gb18030.csv")), 300)),
        ("sichuan_stations.utf8.csv".into(), read(&data.join("cnemc/stations/sichuan_stations.utf8.csv"))),
        ("成都.csv".into(), head(&read(&data.join("cities/aqistudy/sichuan-daily/成都.csv.gz")), 120)),
        ("阿坝州.csv".into(), head(&read(&data.join("cities/aqistudy/sichuan-daily/阿坝州.csv.gz")), 120)),
    ];
    report("real files", run_corpus("mutation-real", &seeds), start);
}
