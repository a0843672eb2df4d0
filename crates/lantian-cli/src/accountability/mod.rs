//! Commands of accountability: `lantian assess`, `rank`, `points`, `budget`, `targets`, `incentives`,
//! `yuetan`, and `approve` (the province decides a city's proposed inputs).

pub(crate) mod approve_cmd;
pub(crate) mod budget_cmd;
pub(crate) mod incentives_cmd;
pub(crate) mod points_cmd;
pub(crate) mod rank_cmd;
pub(crate) mod targets_cmd;
pub(crate) mod yuetan_cmd;
