//! lantian-service: every official number the platform shows is computed here, once, from the store
//! and the core's rules. The CLI, the web pages, the API and the reports call these functions.

pub mod accountability;
pub mod accounts;
pub mod air;
pub mod datasets;
pub mod emergency;
pub mod import;
pub mod work;

pub use air::aqi::{
    city_daily, for_each_city_hourly, for_each_hourly, for_each_station_daily, imported_day, CityDailyValue,
    CityHourSource, CityHourlyRow, DailySource, Disagreement, HourlyRow, ImportedDay, StationDailyRow,
};

/// A service error: the store failed, or the request names something that does not exist.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] lantian_store::StoreError),
    #[error("{0}")]
    Request(String),
    /// The account may not do what it asked (who may is the rule's: the issuer, the assignee, …).
    #[error("{0}")]
    Forbidden(String),
}

pub type Result<T> = std::result::Result<T, ServiceError>;
