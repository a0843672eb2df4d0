//! Responses computed once per state of the data: a GET answer is stored with the store's
//! `content_version` and served again until any import changes the data.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;

/// Serialised answers keyed by request (path and query) and valid for one content version.
pub struct ResponseCache {
    map: Mutex<HashMap<String, (u64, Bytes)>>,
    capacity: usize,
}

impl ResponseCache {
    pub fn new(capacity: usize) -> ResponseCache {
        ResponseCache { map: Mutex::new(HashMap::new()), capacity }
    }

    /// The answer for `key` if it was computed at `version`.
    pub fn get(&self, key: &str, version: u64) -> Option<Bytes> {
        let map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(key).filter(|(v, _)| *v == version).map(|(_, b)| b.clone())
    }

    /// Stores an answer; when full, entries of older versions go first, then everything.
    pub fn put(&self, key: String, version: u64, body: Bytes) {
        let mut map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= self.capacity {
            map.retain(|_, (v, _)| *v == version);
            if map.len() >= self.capacity {
                map.clear();
            }
        }
        map.insert(key, (version, body));
    }
}
