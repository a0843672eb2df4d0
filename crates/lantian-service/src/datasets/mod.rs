//! A dataset is one module (issue 13 item 1). Each kind of record the platform imports is a module of
//! this folder implementing [`Dataset`]: how its files are recognised (by header set), how they are
//! read into typed records, who owns each record (for the authorisation, [`crate::accounts::may_import`]),
//! how the records are written (the store's methods, in one transaction), what the import summary counts,
//! and its help and documentation line. [`REGISTRY`] lists them; the importer (`lantian import`), the
//! web upload, the summaries, `lantian import --help` ([`help`]) and the table of kinds in
//! `docs/formats.md` ([`doc_table`], checked by a test) are all made from it.
//!
//! Adding a dataset: a module here with its reader, owner and writer, a line in [`REGISTRY`], a
//! migration and the store methods it needs (`inspections` is the worked example), a valid sample in
//! `crates/lantian-ingest/samples/` (named by [`Info::samples`]: the hostile-input tests and the mutation
//! corpus take it from there), and the regenerated table of `docs/formats.md`.
//!
//! Recognition is by **header set**, never by order of trial and never by the file name: every kind's
//! [`Recognition`] is tried, and a file recognised by more than one kind is an error naming all of them
//! ([`detect`]); the tests require every kind's documented header and sample to be recognised by that
//! kind alone. The hourly wide files (CNEMC quotsoft) keep their fast path — their bytes are read without
//! decoding the whole text — but are registered and recognised like the others.

pub mod adjustments;
pub mod cems;
pub mod city_daily;
pub mod city_measures;
pub mod dust;
pub mod enterprises;
pub mod forecasts;
pub mod inspections;
pub mod inventory;
pub mod measures;
pub mod national_ranks;
pub mod power;
pub mod stations;
pub mod targets;
pub mod task_reports;
pub mod tasks;
pub mod visits;
pub mod wide;

use std::any::Any;
use std::borrow::Cow;
use std::path::Path;

use lantian_ingest::accountability::TaskRecord;
use lantian_ingest::IngestError;
use lantian_store::{Approval, FileMeta, ImportOutcome, StoreError, Tx};

use crate::accounts::WriteMode;
use crate::import::PublishedAqiCheck;

/// Every dataset the platform imports, in the order `import --help` and `docs/formats.md` list them.
/// Recognition does not depend on this order ([`detect`]).
pub static REGISTRY: &[&dyn Registered] = &[
    // Air-quality monitoring data (province-wide: they come from the monitoring network).
    &wide::WIDE,
    &wide::REALTIME,
    // Heavy-pollution emergency response.
    &forecasts::JSON,
    &forecasts::CSV,
    &enterprises::ENTERPRISES,
    &measures::MEASURES,
    &inventory::INVENTORY,
    &city_measures::CITY_MEASURES,
    &cems::CEMS,
    &power::POWER,
    &visits::VISITS,
    // Stations and daily values.
    &stations::STATIONS,
    &city_daily::LONG,
    // Accountability: tasks, ranks, scoring inputs, targets.
    &tasks::TASKS,
    &task_reports::TASK_REPORTS,
    &national_ranks::NATIONAL_RANKS,
    &adjustments::ADJUSTMENTS,
    &dust::DUST,
    &targets::TARGETS,
    &city_daily::AQISTUDY,
    // Work data.
    &inspections::INSPECTIONS,
];

/// How a kind's files are recognised from their content (the first line, or the whole text for JSON),
/// never from the file name.
#[derive(Clone, Copy, Debug)]
pub enum Recognition {
    /// A header naming every `required` column and none of the `absent` ones, in any order
    /// (case-insensitive; spaces and a byte-order mark around a name are ignored). `optional` columns
    /// are read when present and documented; they play no part in recognition.
    Header { required: &'static [&'static str], optional: &'static [&'static str], absent: &'static [&'static str] },
    /// A layout that is not a set of named columns (the wide files' leading columns, JSON, rows without
    /// a header): `test(first line, text)`, documented by `signature`.
    Shape { test: fn(&str, &str) -> bool, signature: &'static str },
}

impl Recognition {
    /// Whether a decoded file (its first line and its text) has this layout.
    pub fn matches(&self, first: &str, text: &str) -> bool {
        match self {
            Recognition::Header { required, absent, .. } => {
                let h = header(first);
                required.iter().all(|k| h.iter().any(|x| x == k)) && !absent.iter().any(|k| h.iter().any(|x| x == k))
            }
            Recognition::Shape { test, .. } => test(first, text),
        }
    }

    /// What identifies the kind, for people: `city,start,end[,source]`, `task,date,value[,source] (no
    /// city column)`.
    pub fn signature(&self) -> String {
        match self {
            Recognition::Header { required, optional, absent } => {
                let mut s = required.join(",");
                if !optional.is_empty() {
                    s.push_str(&format!("[,{}]", optional.join(",")));
                }
                if !absent.is_empty() {
                    s.push_str(&format!(" (no {} column)", absent.join(", ")));
                }
                s
            }
            Recognition::Shape { signature, .. } => signature.to_string(),
        }
    }
}

/// A header line's column names: lower-case, byte-order mark, spaces and CSV quotes removed (a quoted
/// header `"监测点编码","监测点名称",…` names the same columns; the readers' CSV parser unquotes it).
pub fn header(first: &str) -> Vec<String> {
    first
        .split(',')
        .map(|s| s.trim().trim_start_matches('\u{feff}').trim().trim_matches('"').trim().to_ascii_lowercase())
        .collect()
}

/// Who owns a kind's records: what the authorisation checks ([`crate::accounts::may_import`]) and the
/// owner column of the documentation table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnedBy {
    /// Only the province (an administrator) imports the kind; the reason a city user is given, when it
    /// is more than "province-wide".
    Province(Option<&'static str>),
    /// Each record names its city ([`Owner::City`]).
    City,
    /// Each record belongs to an enterprise, that is to the city it is registered in
    /// ([`Owner::Registration`], [`Owner::Enterprise`]).
    Enterprise,
    /// Target tasks and their progress: the department named by the task, in its city ([`Owner::Task`],
    /// [`Owner::TaskProgress`]); the province creates tasks and sets their yardstick.
    Department,
}

impl OwnedBy {
    /// For the documentation table.
    pub fn describe(self) -> &'static str {
        match self {
            OwnedBy::Province(_) => "province (administrators only)",
            OwnedBy::City => "its city",
            OwnedBy::Enterprise => "the enterprise, i.e. the city it is registered in",
            OwnedBy::Department => "its department, in its city (tasks are created by the province)",
        }
    }
}

/// The owner of one record, as the file gives it; the authorisation resolves it against the store
/// (the city named, the enterprise registered, the task stored).
#[derive(Clone, Copy, Debug)]
pub enum Owner<'a> {
    /// A record of this city (a name, alias or code).
    City(&'a str),
    /// An enterprise's entry in the registry: the city it names; an entry already stored under the same
    /// credit code must be in the same city (moving an enterprise is the province's).
    Registration { credit_code: &'a str, city: &'a str },
    /// A record of a registered enterprise (by credit code): it belongs to the city the enterprise is
    /// registered in.
    Enterprise(&'a str),
    /// A target task: its city and department; a task already stored under the code keeps its owner
    /// and its yardstick.
    Task(&'a TaskRecord),
    /// A progress report of a stored task (by code): the task's department owns it.
    TaskProgress(&'a str),
}

impl Owner<'_> {
    /// The [`OwnedBy`] class of this owner.
    pub fn class(&self) -> OwnedBy {
        match self {
            Owner::City(_) => OwnedBy::City,
            Owner::Registration { .. } | Owner::Enterprise(_) => OwnedBy::Enterprise,
            Owner::Task(_) | Owner::TaskProgress(_) => OwnedBy::Department,
        }
    }
}

/// What a file adds to the import summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Data rows.
    pub rows: u64,
    /// Values (hourly cells, daily concentrations).
    pub values: u64,
    /// Station-hours with at least one value.
    pub station_hours: u64,
    /// Station codes the file names.
    pub stations: Vec<String>,
}

/// What a dataset module declares about its kind: the help line, the documentation row, recognition.
#[derive(Clone, Copy, Debug)]
pub struct Info {
    /// Short name: `import --help`, the documentation table, the import summary and the upload report
    /// (unless the records name a finer kind, [`Dataset::kind_name`]).
    pub name: &'static str,
    /// The kind as Chinese pages name it (the upload report).
    pub name_zh: &'static str,
    /// What the file holds.
    pub what: &'static str,
    /// How it is recognised.
    pub recognition: Recognition,
    /// The section of `docs/formats.md` that documents it.
    pub doc: &'static str,
    /// Who owns its records.
    pub owned_by: OwnedBy,
    /// A city user's records of this kind are proposals that change nothing until the province approves
    /// them (issue 12 §3: a city never sets the inputs of its own score).
    pub proposals: bool,
    /// Consecutive files of this kind share one import transaction (each a savepoint of it): the hourly
    /// files of a long run.
    pub batched: bool,
    /// Valid samples in `crates/lantian-ingest/samples/` (file names).
    pub samples: &'static [&'static str],
}

/// One record kind, end to end. Implemented by each module of this folder and listed in [`REGISTRY`].
pub trait Dataset: Sync + 'static {
    /// The records of one file.
    type Records: Send + Sync + 'static;

    /// Name, recognition, owner class, documentation.
    fn info(&self) -> &Info;

    /// Reads a file recognised as this kind into records, or an error naming the file, line, column and
    /// field. Pure: no store.
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Self::Records, IngestError>;

    /// Data rows (the upload report's `rows`).
    fn rows(&self, records: &Self::Records) -> u64;

    /// What the import summary counts.
    fn counts(&self, records: &Self::Records) -> Counts {
        Counts { rows: self.rows(records), ..Counts::default() }
    }

    /// The owner of each record, in file order (not called for [`OwnedBy::Province`] kinds).
    fn owners<'a>(&self, _records: &'a Self::Records) -> Vec<Owner<'a>> {
        Vec::new()
    }

    /// Writes the records in one transaction (the store's methods), approved or proposed as `mode`
    /// says.
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        records: &Self::Records,
        mode: &WriteMode,
    ) -> Result<ImportOutcome, StoreError>;

    /// The kind the records are (the wide files name sites, cities or release rows).
    fn kind_name(&self, _records: &Self::Records) -> &'static str {
        self.info().name
    }

    /// The reader's warnings.
    fn warnings(&self, _records: &Self::Records) -> Vec<String> {
        Vec::new()
    }

    /// Daily values against the AQI the file publishes, for kinds that publish one.
    fn published_aqi(&self, _name: &Path, _records: &Self::Records) -> Option<PublishedAqiCheck> {
        None
    }
}

/// Who approved records written as `mode` says: the account (or `cli`), at the file's time.
pub fn approval(meta: &FileMeta, mode: &WriteMode) -> Approval {
    let by = match mode {
        WriteMode::Approved { by } | WriteMode::Propose { by } => by.clone(),
    };
    Approval { by, at: meta.at.clone() }
}

/// A file's content for a reader: its bytes (decompressed), and its decoded text unless the fast path
/// of the wide files skipped decoding.
pub struct Input<'a> {
    bytes: &'a [u8],
    text: Option<&'a str>,
}

impl<'a> Input<'a> {
    /// The decompressed bytes, as stored (a byte-order mark included).
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
    /// The decoded text (UTF-8 or GB18030, `lantian_ingest::text::decode`).
    pub fn text(&self, path: &Path) -> Result<Cow<'a, str>, IngestError> {
        match self.text {
            Some(t) => Ok(Cow::Borrowed(t)),
            None => lantian_ingest::text::decode(path, self.bytes).map(|(t, _)| Cow::Owned(t)),
        }
    }
}

/// A registered dataset with its record type erased: what [`REGISTRY`] holds. Implemented for every
/// [`Dataset`].
pub trait Registered: Sync {
    /// Name, recognition, owner class, documentation.
    fn info(&self) -> &Info;
    /// Reads a file of this kind.
    fn read_file(&'static self, path: &Path, input: &Input<'_>) -> Result<Ready, IngestError>;
}

impl<D: Dataset> Registered for D {
    fn info(&self) -> &Info {
        Dataset::info(self)
    }
    fn read_file(&'static self, path: &Path, input: &Input<'_>) -> Result<Ready, IngestError> {
        let records = self.read(path, input)?;
        Ok(Ready(Box::new(Typed { dataset: self, records })))
    }
}

/// A file read and ready to be written: its dataset and its records. Made by [`parse_bytes`]; the
/// import (`lantian_service::import`) and the authorisation use it without knowing the kind.
pub struct Ready(Box<dyn File>);

impl std::fmt::Debug for Ready {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ready({}, {} rows)", self.kind_name(), self.rows())
    }
}

impl Ready {
    /// What the dataset declares.
    pub fn info(&self) -> &'static Info {
        self.0.info()
    }
    /// The kind of the file (`cnemc-sites`, `cnemc-realtime`, `city-daily`, …).
    pub fn kind_name(&self) -> &'static str {
        self.0.kind_name()
    }
    /// Data rows in the file.
    pub fn rows(&self) -> u64 {
        self.0.rows()
    }
    /// What the file adds to the import summary.
    pub fn counts(&self) -> Counts {
        self.0.counts()
    }
    /// The reader's warnings.
    pub fn warnings(&self) -> Vec<String> {
        self.0.warnings()
    }
    /// The owner of each record (empty for province-only kinds: [`Info::owned_by`] decides).
    pub fn owners(&self) -> Vec<Owner<'_>> {
        self.0.owners()
    }
    /// Writes the file in one transaction as `mode` says.
    pub fn write(&self, tx: &mut Tx<'_>, meta: &FileMeta, mode: &WriteMode) -> Result<ImportOutcome, StoreError> {
        self.0.write(tx, meta, mode)
    }
    /// Daily values against their published AQI (`None` unless the kind publishes one).
    pub fn published_aqi(&self, name: &Path) -> Option<PublishedAqiCheck> {
        self.0.published_aqi(name)
    }
    /// The records, when they are of type `T` (tests, benchmarks and tools that know the kind).
    pub fn records<T: 'static>(&self) -> Option<&T> {
        self.0.records().downcast_ref()
    }
}

/// The object behind [`Ready`].
trait File: Send + Sync {
    fn info(&self) -> &'static Info;
    fn kind_name(&self) -> &'static str;
    fn rows(&self) -> u64;
    fn counts(&self) -> Counts;
    fn warnings(&self) -> Vec<String>;
    fn owners(&self) -> Vec<Owner<'_>>;
    fn write(&self, tx: &mut Tx<'_>, meta: &FileMeta, mode: &WriteMode) -> Result<ImportOutcome, StoreError>;
    fn published_aqi(&self, name: &Path) -> Option<PublishedAqiCheck>;
    fn records(&self) -> &dyn Any;
}

struct Typed<D: Dataset> {
    dataset: &'static D,
    records: D::Records,
}

impl<D: Dataset> File for Typed<D> {
    fn info(&self) -> &'static Info {
        self.dataset.info()
    }
    fn kind_name(&self) -> &'static str {
        self.dataset.kind_name(&self.records)
    }
    fn rows(&self) -> u64 {
        self.dataset.rows(&self.records)
    }
    fn counts(&self) -> Counts {
        self.dataset.counts(&self.records)
    }
    fn warnings(&self) -> Vec<String> {
        self.dataset.warnings(&self.records)
    }
    fn owners(&self) -> Vec<Owner<'_>> {
        match self.dataset.info().owned_by {
            OwnedBy::Province(_) => Vec::new(),
            _ => self.dataset.owners(&self.records),
        }
    }
    fn write(&self, tx: &mut Tx<'_>, meta: &FileMeta, mode: &WriteMode) -> Result<ImportOutcome, StoreError> {
        self.dataset.write(tx, meta, &self.records, mode)
    }
    fn published_aqi(&self, name: &Path) -> Option<PublishedAqiCheck> {
        self.dataset.published_aqi(name, &self.records)
    }
    fn records(&self) -> &dyn Any {
        &self.records
    }
}

/// The one kind a decoded file (its first line and its text) is, by [`REGISTRY`]: an error when no
/// kind recognises it, or when more than one does (naming them all).
pub fn detect(path: &Path, first: &str, text: &str) -> Result<&'static dyn Registered, IngestError> {
    let found: Vec<&'static dyn Registered> =
        REGISTRY.iter().copied().filter(|k| k.info().recognition.matches(first, text)).collect();
    match found[..] {
        [one] => Ok(one),
        [] => {
            let expected: Vec<String> =
                REGISTRY.iter().map(|k| format!("{} ({})", k.info().name, k.info().recognition.signature())).collect();
            Err(IngestError::at(path, 1, format!("unrecognised format: expected one of {}", expected.join("; "))))
        }
        _ => {
            let named: Vec<String> =
                found.iter().map(|k| format!("{} ({})", k.info().name, k.info().recognition.signature())).collect();
            Err(IngestError::at(
                path,
                1,
                format!(
                    "the header matches {} kinds: {}; a file must be of exactly one kind — remove the columns of \
                     the kinds it is not",
                    found.len(),
                    named.join(" and ")
                ),
            ))
        }
    }
}

/// The kind of a decoded text, `None` when it is not exactly one kind.
pub fn kind_of(text: &str) -> Option<&'static dyn Registered> {
    let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
    detect(Path::new(""), first, text).ok()
}

/// Detects the kind of a file's (decompressed) bytes and reads it.
pub fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<Ready, IngestError> {
    let body = bytes.strip_prefix(lantian_ingest::text::BOM).unwrap_or(bytes);
    if body.is_empty() {
        return Err(IngestError::file(path, "empty file"));
    }
    let first_raw = &body[..body.iter().position(|&b| b == b'\n').unwrap_or(body.len())];
    // Fast path: the wide files are ASCII apart from a city header; their bytes are read as they are.
    // Their first line still goes through recognition, so a header that also names another kind's
    // columns is refused like any other.
    if first_raw.len() >= 15 && first_raw[..15].eq_ignore_ascii_case(b"date,hour,type,") {
        let first = String::from_utf8_lossy(first_raw);
        let first = first.trim_end_matches('\r');
        let kind = detect(path, first, first)?;
        return kind.read_file(path, &Input { bytes, text: None });
    }
    let (text, _) = lantian_ingest::text::decode(path, bytes)?;
    let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
    let kind = detect(path, first, &text)?;
    kind.read_file(path, &Input { bytes, text: Some(&text) })
}

/// Reads (decompressing gzip) and parses a file.
pub fn parse_file(path: &Path) -> Result<Ready, IngestError> {
    let bytes = lantian_ingest::text::read_bytes(path)?;
    parse_bytes(path, &bytes)
}

/// The kinds as a help text (`lantian import --help`): one line per kind with what identifies it.
pub fn help() -> String {
    let mut s = String::from(
        "Kinds of files, detected from the content (not the name), .csv/.txt or gzipped (.gz); \
         formats in docs/formats.md:\n",
    );
    for k in REGISTRY {
        let i = k.info();
        s.push_str(&format!("  {:<27} {} — {} ({})\n", i.name, i.what, i.recognition.signature(), i.doc));
    }
    s
}

/// The table of kinds in `docs/formats.md`, between the markers `<!-- datasets:begin -->` and
/// `<!-- datasets:end -->` (a test keeps the document equal to it).
pub fn doc_table() -> String {
    let mut s = String::from(
        "| kind | what | recognised by | owner (who may write it) | section |\n| --- | --- | --- | --- | --- |\n",
    );
    for k in REGISTRY {
        let i = k.info();
        let mut owner = i.owned_by.describe().to_string();
        if i.proposals {
            owner.push_str("; a city's own are proposals until the province approves them");
        }
        s.push_str(&format!(
            "| {} | {} | `{}` | {} | {} |\n",
            i.name,
            i.what.replace('|', "\\|"),
            i.recognition.signature(),
            owner,
            i.doc
        ));
    }
    s
}

#[cfg(test)]
mod tests;
