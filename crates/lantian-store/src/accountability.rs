//! Accountability (issue 13 item 2): what the 100-point scoring and the assessment read besides the
//! air data — dust-affected days, annual targets, bonus/penalty items and the proposals of cities,
//! 168-city ranks, target tasks and their reports, published results. One of the domain repositories
//! of a [`Store`](crate::Store).

use chrono::NaiveDate;
use lantian_ingest::accountability::{
    AdjustmentRecord, DustRecord, NationalRankRecord, TargetRecord, TaskRecord, TaskReportRecord,
};

use crate::{
    AdjustmentRow, Approval, CityTarget, FileMeta, ImportOutcome, Proposal, PublishedRecord, Result, TaskInfo,
};

/// The accountability repository: the inputs of a city's score that are not air data, and the
/// results published from them.
pub trait AccountabilityStore {
    /// Imports dust-affected city periods in one transaction, approved as `approval` says; an unknown
    /// city rejects the file.
    fn import_dust(&mut self, file: &FileMeta, records: &[DustRecord], approval: &Approval) -> Result<ImportOutcome>;
    /// Imports annual city targets in one transaction (a later file replaces a city-year's targets).
    fn import_targets(&mut self, file: &FileMeta, records: &[TargetRecord]) -> Result<ImportOutcome>;
    /// Dust-affected days of a city within `from..=to`.
    fn dust_days(&self, city_id: i64, from: NaiveDate, to: NaiveDate) -> Result<Vec<NaiveDate>>;
    /// A city's targets for a year.
    fn target(&self, city_id: i64, year: i32) -> Result<Option<CityTarget>>;
    /// Imports bonus/penalty items in one transaction, approved as `approval` says; an unknown city
    /// rejects the file.
    fn import_adjustments(
        &mut self,
        file: &FileMeta,
        records: &[AdjustmentRecord],
        approval: &Approval,
    ) -> Result<ImportOutcome>;
    /// Records a city's bonus/penalty items as proposals (one transaction): they change nothing until
    /// approved ([`AccountabilityStore::decide_proposal`]). A record already stored or already pending is unchanged.
    fn propose_adjustments(
        &mut self,
        file: &FileMeta,
        records: &[AdjustmentRecord],
        by: &str,
        at: &str,
    ) -> Result<ImportOutcome>;
    /// Records a city's dust periods as proposals, as [`AccountabilityStore::propose_adjustments`].
    fn propose_dust(&mut self, file: &FileMeta, records: &[DustRecord], by: &str, at: &str) -> Result<ImportOutcome>;
    /// Proposals (of one city, or all; of one status, or all), newest first.
    fn proposals(&self, city_id: Option<i64>, status: Option<&str>) -> Result<Vec<Proposal>>;
    /// Approves (the record enters its table with who approved and when) or rejects a pending
    /// proposal, and appends the decision to the audit log — one transaction. A proposal already
    /// decided, or unknown, is an input error.
    fn decide_proposal(
        &mut self,
        id: i64,
        approve: bool,
        by: &str,
        at: &str,
        note: &str,
        remote: &str,
    ) -> Result<Proposal>;
    /// Imports 168-city ranks in one transaction (a later file replaces a city-period's rank).
    fn import_national_ranks(&mut self, file: &FileMeta, records: &[NationalRankRecord]) -> Result<ImportOutcome>;
    /// A city's 168-city rank for a period label (`Period::label`).
    fn national_rank(&self, city_id: i64, period: &str) -> Result<Option<u32>>;
    /// Imports target tasks in one transaction (a task code defined again replaces its definition).
    fn import_tasks(&mut self, file: &FileMeta, records: &[TaskRecord]) -> Result<ImportOutcome>;
    /// Imports progress reports in one transaction; an unknown task code rejects the file.
    fn import_task_reports(&mut self, file: &FileMeta, records: &[TaskReportRecord]) -> Result<ImportOutcome>;
    /// The tasks (of some cities, or all), with their reports.
    fn tasks(&self, city_ids: &[i64]) -> Result<Vec<TaskInfo>>;
    /// Stores a published result; returns its id (the record's `id` is ignored).
    fn publish(&mut self, record: &PublishedRecord) -> Result<i64>;
    /// A published result by id.
    fn published(&self, id: i64) -> Result<Option<PublishedRecord>>;
    /// A city's approved items within `from..=to` (proposals are not among them).
    fn adjustments(&self, city_id: i64, from: NaiveDate, to: NaiveDate) -> Result<Vec<AdjustmentRow>>;
}
