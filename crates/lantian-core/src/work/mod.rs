//! Work (工作): inspections and the rectification of their findings, pairing groups and their duties —
//! the work side of the Notice, as opposed to its numbers.

pub mod calendar;
pub mod inspection;
pub mod items;
pub mod pairing;
