//! Pairing-department visits to cities (结对帮扶, `docs/formats.md` §10.6): the province records them
//! (they evidence the pairing departments' duty, not the cities').

use std::path::Path;

use lantian_ingest::emergency::{self, VisitRecord};
use lantian_ingest::IngestError;
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{Dataset, Info, Input, OwnedBy, Recognition};
use crate::accounts::WriteMode;

/// Pairing visits.
pub struct Visits;

pub static VISITS: Visits = Visits;

const INFO: Info = Info {
    name: "pairing-visits",
    name_zh: "结对帮扶调研",
    what: "pairing-department visits to cities (结对帮扶)",
    recognition: Recognition::Header {
        required: &["department", "city", "date_from", "date_to", "leader_rank"],
        optional: &["on_site", "leader_name", "issues_found"],
        absent: &[],
    },
    doc: "§10.6",
    owned_by: OwnedBy::Province(None),
    proposals: false,
    batched: false,
    samples: &["pairing-visits.csv"],
};

impl Dataset for Visits {
    type Records = Vec<VisitRecord>;

    fn info(&self) -> &Info {
        &INFO
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Vec<VisitRecord>, IngestError> {
        emergency::parse_visits(path, &input.text(path)?)
    }
    fn rows(&self, r: &Vec<VisitRecord>) -> u64 {
        r.len() as u64
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<VisitRecord>,
        _: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        tx.emergency().import_visits(meta, r)
    }
}
