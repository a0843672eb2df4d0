//! Commands of the air-quality numbers: `lantian aqi`, `lantian stations`.

pub(crate) mod aqi_cmd;
pub(crate) mod stations_cmd;
