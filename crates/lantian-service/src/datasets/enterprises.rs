//! The key-emitter registry (`docs/formats.md` §10.2): a city registers its own enterprises; an
//! enterprise stays in the city it is registered in (moving it is the province's).

use std::path::Path;

use lantian_ingest::emergency::{self, EnterpriseRecord};
use lantian_ingest::IngestError;
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{Dataset, Info, Input, OwnedBy, Owner, Recognition};
use crate::accounts::WriteMode;

/// The key-emitter registry.
pub struct Enterprises;

pub static ENTERPRISES: Enterprises = Enterprises;

const INFO: Info = Info {
    name: "enterprises",
    name_zh: "重点排污企业名录",
    what: "key-emitter registry (统一社会信用代码, industry, performance grade, lines, emissions)",
    recognition: Recognition::Header {
        required: &["credit_code", "name", "city", "industry", "grade"],
        optional: &[
            "county",
            "grade_date",
            "grade_authority",
            "green_benchmark",
            "guarantee_reason",
            "lines",
            "so2_t",
            "nox_t",
            "pm_t",
            "vocs_t",
        ],
        absent: &[],
    },
    doc: "§10.2",
    owned_by: OwnedBy::Enterprise,
    proposals: false,
    batched: false,
    samples: &["enterprises.csv"],
};

impl Dataset for Enterprises {
    type Records = Vec<EnterpriseRecord>;

    fn info(&self) -> &Info {
        &INFO
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Vec<EnterpriseRecord>, IngestError> {
        emergency::parse_enterprises(path, &input.text(path)?)
    }
    fn rows(&self, r: &Vec<EnterpriseRecord>) -> u64 {
        r.len() as u64
    }
    fn owners<'a>(&self, r: &'a Vec<EnterpriseRecord>) -> Vec<Owner<'a>> {
        r.iter().map(|x| Owner::Registration { credit_code: &x.credit_code, city: &x.city }).collect()
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<EnterpriseRecord>,
        _: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        tx.enterprises().import_enterprises(meta, r)
    }
}
