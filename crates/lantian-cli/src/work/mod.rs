//! Commands of the work side: `lantian inspections`.

pub(crate) mod inspections_cmd;
