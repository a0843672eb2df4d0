//! The work side of the campaign (issue 15): work items issued, signed, fed back, verified and closed
//! by the organisations of `work.md` §0, on the engine of `lantian_core::work::items`.

pub mod demo;
pub mod items;
pub mod leads;
