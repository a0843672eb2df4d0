//! A small pool of SQLite connections: a connection serves one request at a time on a blocking thread.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use lantian_store::SqliteStore;

/// Connections to one store, handed out round-robin.
pub struct StorePool {
    conns: Vec<Mutex<SqliteStore>>,
    next: AtomicUsize,
}

impl StorePool {
    /// Opens `size` connections (at least one) to the store named by `url`.
    pub fn open(url: &str, size: usize) -> lantian_store::Result<StorePool> {
        let conns =
            (0..size.max(1)).map(|_| lantian_store::open_sqlite(url).map(Mutex::new)).collect::<Result<Vec<_>, _>>()?;
        Ok(StorePool { conns, next: AtomicUsize::new(0) })
    }

    /// Runs `f` with a free connection (the first free one from a rotating start; else waits for one).
    pub fn with<T>(&self, f: impl FnOnce(&mut SqliteStore) -> T) -> T {
        let n = self.conns.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        for k in 0..n {
            if let Ok(mut c) = self.conns[(start + k) % n].try_lock() {
                return f(&mut c);
            }
        }
        // All busy: wait for ours. A poisoned lock only means an earlier request panicked; the
        // connection itself is still usable (SQLite rolled back any open transaction).
        let mut c = self.conns[start].lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut c)
    }
}
