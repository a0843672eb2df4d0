//! Enterprises (issue 13 item 2): the enterprises under emergency control (performance grade, city,
//! credit code), their electricity use and their CEMS hours. One of the domain repositories of a
//! [`Store`](crate::Store).

use chrono::NaiveDateTime;
use lantian_ingest::emergency::{CemsRecord, EnterpriseRecord, PowerRecord};

use crate::emergency::{StoredCems, StoredEnterprise, StoredPower};
use crate::{FileMeta, ImportOutcome, Result};

/// The enterprise repository.
pub trait EnterpriseStore {
    /// Imports the key-emitter registry (a later file updates an enterprise in place). `industry` and
    /// `grade` must already be canonical codes.
    fn import_enterprises(&mut self, file: &FileMeta, records: &[EnterpriseRecord]) -> Result<ImportOutcome>;
    /// Enterprises of a city (all when `None`), by credit code.
    fn enterprises(&self, city_id: Option<i64>) -> Result<Vec<StoredEnterprise>>;
    /// Imports electricity use (a later value for the same interval replaces the stored one).
    fn import_power(&mut self, file: &FileMeta, records: &[PowerRecord]) -> Result<ImportOutcome>;
    /// Electricity use of an enterprise with intervals starting in `from..to`.
    fn power(&self, credit_code: &str, from: NaiveDateTime, to: NaiveDateTime) -> Result<Vec<StoredPower>>;
    /// Imports CEMS hours (a later value for the same point and hour replaces the stored one).
    fn import_cems(&mut self, file: &FileMeta, records: &[CemsRecord]) -> Result<ImportOutcome>;
    /// CEMS hours of an enterprise ending in `from..=to`.
    fn cems(&self, credit_code: &str, from: NaiveDateTime, to: NaiveDateTime) -> Result<Vec<StoredCems>>;
}
