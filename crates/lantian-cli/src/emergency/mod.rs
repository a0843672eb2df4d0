//! Commands of the heavy-pollution emergency response: `lantian alert`, `control-list`, `compliance`.

pub(crate) mod alert_cmd;
pub(crate) mod control_cmd;
