//! Air-quality numbers (空气质量): exact concentrations and their rounding, the standards as dated
//! tables (GB 3095, HJ 633, HJ 663), pollutants and series, hour labels, the AQI (daily and real-time, and
//! what the publisher does), daily evaluations and period statistics. Everything the official numbers are
//! computed from; no other domain is needed to compute them.

pub mod aqi;
pub mod conc;
pub mod daily;
pub mod hours;
pub mod period;
pub mod pollutant;
pub mod publisher;
pub mod standards;
