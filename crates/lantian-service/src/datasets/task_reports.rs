//! Progress reports of target tasks (`docs/formats.md` §9): written by the task's department.

use std::path::Path;

use lantian_ingest::accountability::{self, TaskReportRecord};
use lantian_ingest::IngestError;
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{Dataset, Info, Input, OwnedBy, Owner, Recognition};
use crate::accounts::WriteMode;

/// Progress reports.
pub struct TaskReports;

pub static TASK_REPORTS: TaskReports = TaskReports;

const INFO: Info = Info {
    name: "task-reports",
    name_zh: "目标任务进度",
    what: "progress reports of target tasks",
    // A report names only its task: a file with a city column is not one.
    recognition: Recognition::Header { required: &["task", "date", "value"], optional: &["source"], absent: &["city"] },
    doc: "§9",
    owned_by: OwnedBy::Department,
    proposals: false,
    batched: false,
    samples: &["task-reports.csv"],
};

impl Dataset for TaskReports {
    type Records = Vec<TaskReportRecord>;

    fn info(&self) -> &Info {
        &INFO
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Vec<TaskReportRecord>, IngestError> {
        accountability::parse_task_reports(path, &input.text(path)?)
    }
    fn rows(&self, r: &Vec<TaskReportRecord>) -> u64 {
        r.len() as u64
    }
    fn owners<'a>(&self, r: &'a Vec<TaskReportRecord>) -> Vec<Owner<'a>> {
        r.iter().map(|x| Owner::TaskProgress(&x.task)).collect()
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<TaskReportRecord>,
        _: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        tx.accountability().import_task_reports(meta, r)
    }
}
