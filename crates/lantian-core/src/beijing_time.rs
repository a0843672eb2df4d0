//! Times in machine formats (issue 11 output conventions): ISO 8601 with the `+08:00` offset of
//! Beijing time, the time every input and rule of the platform is stated in
//! (`2022-11-30T10:00:00+08:00`). The core keeps times as `NaiveDateTime` in Beijing time; these
//! serde helpers (`#[serde(with = "crate::beijing_time")]`, `…::option`) write the offset and read
//! a time with or without it.

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use serde::{Deserialize, Deserializer, Serializer};

/// Beijing time, UTC+8.
pub fn offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is within ±24 h")
}

/// `2022-11-30T10:00:00+08:00`.
pub fn format(t: NaiveDateTime) -> String {
    format!("{}+08:00", t.format("%Y-%m-%dT%H:%M:%S"))
}

/// An RFC 3339 time in any offset, or a time without offset (taken as Beijing time), as Beijing
/// time; `None` when the text is not a time.
pub fn parse(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&offset()).naive_local());
    }
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
}

/// An RFC 3339 time (e.g. a `recorded_at` stamped in another zone) rewritten in Beijing time with
/// `+08:00`; a time without offset gets `+08:00`; other text is returned unchanged.
pub fn normalize(text: &str) -> String {
    parse(text).map_or_else(|| text.to_string(), format)
}

pub fn serialize<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(*t))
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
    let text = String::deserialize(d)?;
    parse(&text).ok_or_else(|| serde::de::Error::custom(format!("not a time (ISO 8601, +08:00): {text:?}")))
}

/// The same for `Option<NaiveDateTime>` (`null` when absent).
pub mod option {
    use chrono::NaiveDateTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::format(*t)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| {
                super::parse(&text)
                    .ok_or_else(|| serde::de::Error::custom(format!("not a time (ISO 8601, +08:00): {text:?}")))
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0)).expect("test time")
    }

    #[test]
    fn writes_and_reads_the_offset() {
        assert_eq!(format(t(2022, 11, 30, 10, 0)), "2022-11-30T10:00:00+08:00");
        assert_eq!(parse("2022-11-30T10:00:00+08:00"), Some(t(2022, 11, 30, 10, 0)));
        assert_eq!(parse("2022-11-30T10:00"), Some(t(2022, 11, 30, 10, 0)));
        // 14:47 UTC is 22:47 in Beijing.
        assert_eq!(normalize("2026-12-07T14:47:00+00:00"), "2026-12-07T22:47:00+08:00");
        assert_eq!(normalize("无"), "无");
    }
}
