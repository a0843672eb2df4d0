//! Air-quality numbers from the store: hourly AQI rows of stations and cities, station daily values and
//! city daily values — the one code path the CLI, the web, the API and the reports share.

pub mod aqi;
