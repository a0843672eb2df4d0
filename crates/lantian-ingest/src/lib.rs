//! lantian-ingest: readers for the real file formats the platform imports. Each reader yields
//! validated records or an [`IngestError`] naming the file, line, column and field. No database here:
//! the store decides what to do with the records. Which reader reads a file — recognition by header
//! set, the one list of kinds — is the registry of dataset modules, `lantian_service::datasets`.

pub mod citydaily;
pub mod cnemc;
pub mod emergency;
pub mod error;
pub mod events;
pub mod plausible;
pub mod realtime;
pub mod stations;
pub mod table;
pub mod text;

pub use citydaily::{CityDailyLayout, CityDailyRecord};
pub use cnemc::{StationDescription, WideFile, WideKind, WideSource};
pub use error::IngestError;
pub use stations::StationRecord;
