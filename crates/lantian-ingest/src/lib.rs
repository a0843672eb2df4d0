//! lantian-ingest: readers for the real file formats the platform imports. Each reader yields
//! validated records or an [`IngestError`] naming the file, line, column and field. No database here:
//! the store decides what to do with the records. Which reader reads a file — recognition by header
//! set, the one list of kinds — is the registry of dataset modules, `lantian_service::datasets`.

pub mod accountability;
pub mod air;
pub mod emergency;
pub mod error;
pub mod plausible;
pub mod table;
pub mod text;

pub use air::citydaily::{CityDailyLayout, CityDailyRecord};
pub use air::cnemc::{StationDescription, WideFile, WideKind, WideSource};
pub use air::stations::StationRecord;
pub use error::IngestError;
