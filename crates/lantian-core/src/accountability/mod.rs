//! Accountability (考核问责): the composite index and rankings, the 100-point city scoring, the hour →
//! day → month → year budgets, target tasks, the incentive/constraint fund and the 约谈 triggers — what
//! the province holds each city to, computed from the air numbers.

pub mod budget;
pub mod incentives;
pub mod points;
pub mod ranking;
pub mod tasks;
pub mod yuetan;
