//! Commands of the work side: `lantian inspections`, `lantian work`.

pub(crate) mod inspections_cmd;
pub(crate) mod work_cmd;
