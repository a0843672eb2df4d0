//! Target tasks of cities with their owner departments (`docs/formats.md` §9). The province creates
//! them (a task's completion may score its city); a task's department — in its city — may send its own
//! again, the yardstick unchanged ([`crate::accounts::may_import`]).

use std::path::Path;

use lantian_ingest::accountability::{self, TaskRecord};
use lantian_ingest::IngestError;
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{Dataset, Info, Input, OwnedBy, Owner, Recognition};
use crate::accounts::WriteMode;

/// Target tasks.
pub struct Tasks;

pub static TASKS: Tasks = Tasks;

const INFO: Info = Info {
    name: "target-tasks",
    name_zh: "目标任务",
    what: "target tasks of cities with owner departments",
    recognition: Recognition::Header {
        required: &["task", "city", "department", "target", "deadline"],
        optional: &["description", "unit", "kind", "baseline", "start"],
        absent: &[],
    },
    doc: "§9",
    owned_by: OwnedBy::Department,
    proposals: false,
    batched: false,
    samples: &["target-tasks.csv"],
};

impl Dataset for Tasks {
    type Records = Vec<TaskRecord>;

    fn info(&self) -> &Info {
        &INFO
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Vec<TaskRecord>, IngestError> {
        accountability::parse_tasks(path, &input.text(path)?)
    }
    fn rows(&self, r: &Vec<TaskRecord>) -> u64 {
        r.len() as u64
    }
    fn owners<'a>(&self, r: &'a Vec<TaskRecord>) -> Vec<Owner<'a>> {
        r.iter().map(Owner::Task).collect()
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<TaskRecord>,
        _: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        tx.accountability().import_tasks(meta, r)
    }
}
