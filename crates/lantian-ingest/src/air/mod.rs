//! Readers of the monitoring data: CNEMC wide files and real-time release rows, station lists, daily
//! city values.

pub mod citydaily;
pub mod cnemc;
pub mod realtime;
pub mod stations;
