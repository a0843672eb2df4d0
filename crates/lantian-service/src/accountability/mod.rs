//! Accountability from the store: period assessment and rankings, a city's budgets at a moment, the
//! 100-point scoring of a period, targets and target tasks, 约谈 triggers.

pub mod assess;
pub mod budget;
pub mod points;
pub mod targets;
pub mod tasks;
pub mod yuetan;
