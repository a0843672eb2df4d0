//! City emission inventories (`docs/formats.md` §10.4), owned by their city.

use std::path::Path;

use lantian_ingest::emergency::{self, InventoryRecord};
use lantian_ingest::IngestError;
use lantian_store::{FileMeta, ImportOutcome, StoreError, Tx};

use super::{Dataset, Info, Input, OwnedBy, Owner, Recognition};
use crate::accounts::WriteMode;

/// Emission inventories.
pub struct Inventory;

pub static INVENTORY: Inventory = Inventory;

const INFO: Info = Info {
    name: "emission-inventory",
    name_zh: "城市排放清单",
    what: "city emission inventories (t/yr)",
    recognition: Recognition::Header {
        required: &["city", "year", "so2_t", "nox_t", "pm_t", "vocs_t"],
        optional: &["basis", "source"],
        absent: &[],
    },
    doc: "§10.4",
    owned_by: OwnedBy::City,
    proposals: false,
    batched: false,
    samples: &["emission-inventory.csv"],
};

impl Dataset for Inventory {
    type Records = Vec<InventoryRecord>;

    fn info(&self) -> &Info {
        &INFO
    }
    fn read(&self, path: &Path, input: &Input<'_>) -> Result<Vec<InventoryRecord>, IngestError> {
        emergency::parse_inventory(path, &input.text(path)?)
    }
    fn rows(&self, r: &Vec<InventoryRecord>) -> u64 {
        r.len() as u64
    }
    fn owners<'a>(&self, r: &'a Vec<InventoryRecord>) -> Vec<Owner<'a>> {
        r.iter().map(|x| Owner::City(&x.city)).collect()
    }
    fn write(
        &self,
        tx: &mut Tx<'_>,
        meta: &FileMeta,
        r: &Vec<InventoryRecord>,
        _: &WriteMode,
    ) -> Result<ImportOutcome, StoreError> {
        tx.emergency().import_inventory(meta, r)
    }
}
