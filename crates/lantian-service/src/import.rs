//! One file into the store: detect, parse, prepare and write — the path shared by `lantian import`,
//! `lantian demo` and the web upload (`POST /api/v1/uploads`). Each file is one transaction: a rejected
//! file leaves the store unchanged, and importing the same content again changes nothing.

use std::path::Path;

use lantian_core::air::aqi::AqiCategory;
use lantian_ingest::text::ReadLimits;
use lantian_ingest::{CityDailyRecord, IngestError};
use lantian_store::{FileMeta, ImportOutcome, Store, StoreError, Tx};

/// A file read and ready to be written: its dataset ([`crate::datasets`]) and its records.
pub use crate::datasets::Ready;

/// Reads nothing: `raw` is the file's content as received (possibly gzip), `name` names it in errors;
/// within the command line's default read limits ([`ReadLimits::CLI`]).
pub fn prepare(name: &Path, raw: Vec<u8>, at: &str) -> Result<(FileMeta, Ready), IngestError> {
    prepare_with(name, raw, at, &ReadLimits::CLI)
}

/// [`prepare`] within `limits`: gzip is inflated as a stream that stops past `limits.max_content`
/// (issue 12 §5), the same for `lantian import` and the web upload.
pub fn prepare_with(
    name: &Path,
    raw: Vec<u8>,
    at: &str,
    limits: &ReadLimits,
) -> Result<(FileMeta, Ready), IngestError> {
    let meta = FileMeta::new(&name.display().to_string(), &raw, at);
    let bytes = lantian_ingest::text::decompress_limited(name, raw, limits)?;
    let ready = crate::datasets::parse_bytes(name, &bytes)?;
    Ok((meta, ready))
}

/// Writes a prepared file in transaction `tx`, as the store's operator (`lantian import`, `demo`):
/// every record approved by `cli`.
pub fn write(tx: &mut Tx<'_>, meta: &FileMeta, ready: &Ready) -> Result<ImportOutcome, StoreError> {
    write_as(tx, meta, ready, &crate::accounts::WriteMode::operator())
}

/// [`write`] as a transaction of its own ([`lantian_store::atomically`]): tests and tools that write
/// one file.
pub fn write_one(store: &mut dyn Store, meta: &FileMeta, ready: &Ready) -> Result<ImportOutcome, StoreError> {
    lantian_store::atomically(store, |tx| write(tx, meta, ready))
}

/// Writes a prepared file in transaction `tx` as `mode` says (after [`crate::accounts::may_import`]):
/// a city's bonus/penalty items and dust periods become proposals that change no number until the
/// province approves them; other records, and an approving writer's, are written with who approved.
/// The file's dataset module writes it ([`crate::datasets::Dataset::write`]).
pub fn write_as(
    tx: &mut Tx<'_>,
    meta: &FileMeta,
    ready: &Ready,
    mode: &crate::accounts::WriteMode,
) -> Result<ImportOutcome, StoreError> {
    ready.write(tx, meta, mode)
}

/// Every warning of one imported file, gathered in one place for `lantian import` and the upload:
/// the reader's (a wide file's quirks and missing rows, a station list's), the store's (a last cell
/// that may have been cut, stations named otherwise) and the published-AQI disagreements of daily
/// city values. Revisions of stored values are counted apart ([`ImportOutcome::revisions`]).
pub fn import_warnings(name: &Path, ready: &Ready, outcome: &ImportOutcome) -> Vec<String> {
    let mut w = ready.warnings();
    w.extend(outcome.warnings.iter().cloned());
    if let Some(check) = published_aqi_check(name, ready) {
        w.extend(check.warning(&name.display().to_string()));
    }
    w
}

/// How the daily values of an imported file compare with the AQI the file publishes for each day
/// (`docs/formats.md` §3–4): the days with a published AQI, those where lantian's AQI of the daily
/// values differs — in level, or in value only — and the first few, as `FILE:LINE city date published
/// N (类别) computed M (类别)` (FILE the file's name). The published AQI decides the day ([`crate::air::aqi::imported_day`]); this
/// makes the difference visible at every import instead of silent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublishedAqiCheck {
    /// City-days carrying a published AQI.
    pub days: u64,
    /// Of them, days whose computed AQI falls in another level.
    pub level_differs: u64,
    /// Of them, days whose computed AQI differs in value but not in level.
    pub value_only: u64,
    /// The first disagreeing days (at most [`PublishedAqiCheck::EXAMPLES`]).
    pub examples: Vec<String>,
}

impl PublishedAqiCheck {
    /// Examples kept per file.
    pub const EXAMPLES: usize = 5;

    /// Days whose computed AQI differs from the published one.
    pub fn disagree(&self) -> u64 {
        self.level_differs + self.value_only
    }

    /// Adds another file's counts (examples are kept up to [`PublishedAqiCheck::EXAMPLES`]).
    pub fn add(&mut self, other: &PublishedAqiCheck) {
        self.days += other.days;
        self.level_differs += other.level_differs;
        self.value_only += other.value_only;
        let room = Self::EXAMPLES.saturating_sub(self.examples.len());
        self.examples.extend(other.examples.iter().take(room).cloned());
    }

    /// The import warning for a file, `None` when every published AQI is reproduced:
    /// `FILE: N city-days disagree with the published AQI (L in level, V in value only); first
    /// examples: …`.
    pub fn warning(&self, file: &str) -> Option<String> {
        (self.disagree() > 0).then(|| {
            format!(
                "{file}: {} of {} city-days disagree with the published AQI ({} in level, {} in value only); \
                 the published AQI decides the day; first examples: {}",
                self.disagree(),
                self.days,
                self.level_differs,
                self.value_only,
                self.examples.join("; ")
            )
        })
    }
}

/// The [`PublishedAqiCheck`] of a prepared file: `None` unless it holds daily city values.
pub fn published_aqi_check(name: &Path, ready: &Ready) -> Option<PublishedAqiCheck> {
    ready.published_aqi(name)
}

/// The [`PublishedAqiCheck`] of daily city values read from the file `name`.
pub fn published_aqi_of(name: &Path, records: &[CityDailyRecord]) -> PublishedAqiCheck {
    let mut check = PublishedAqiCheck::default();
    for r in records {
        let Some(published) = r.aqi else { continue };
        check.days += 1;
        let day = crate::air::aqi::imported_day(r);
        let Some(d) = day.disagreement else { continue };
        if d.level_differs {
            check.level_differs += 1;
        } else {
            check.value_only += 1;
        }
        if check.examples.len() < PublishedAqiCheck::EXAMPLES {
            let rated = |a: Option<u32>| match a {
                Some(a) => format!("{a} ({})", AqiCategory::of(a).name_zh()),
                None => "—".to_string(),
            };
            check.examples.push(format!(
                "{}:{} {} {} published {} computed {}",
                name.file_name().map_or_else(|| name.display().to_string(), |n| n.to_string_lossy().to_string()),
                r.line,
                r.city,
                r.date,
                rated(Some(published)),
                rated(d.computed)
            ));
        }
    }
    check
}
