//! A small pool of store connections (SQLite or PostgreSQL, behind [`Store`]): a connection serves one
//! request at a time on a blocking thread.
//!
//! Writes (uploads) queue for a single writer gate before they take a connection (SQLite has one
//! writer at a time anyway), so that however many uploads arrive, at most one connection is writing
//! and the others stay free for reads and `/healthz` (issue 12 §6). Uploads parse their file before
//! they queue, holding no connection.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use lantian_store::{AnyStore, Store};

/// Connections to one store, handed out round-robin.
pub struct StorePool {
    conns: Vec<Mutex<AnyStore>>,
    next: AtomicUsize,
    writer: Mutex<()>,
}

impl StorePool {
    /// Opens `size` connections (at least two: one may write while another reads) to the store named
    /// by `url`.
    pub fn open(url: &str, size: usize) -> lantian_store::Result<StorePool> {
        let conns =
            (0..size.max(2)).map(|_| lantian_store::open(url).map(Mutex::new)).collect::<Result<Vec<_>, _>>()?;
        Ok(StorePool { conns, next: AtomicUsize::new(0), writer: Mutex::new(()) })
    }

    /// Runs `f` with a free connection (the first free one from a rotating start; else waits for one).
    pub fn with<T>(&self, f: impl FnOnce(&mut dyn Store) -> T) -> T {
        let n = self.conns.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        for k in 0..n {
            if let Ok(mut c) = self.conns[(start + k) % n].try_lock() {
                return f(&mut **c);
            }
        }
        // All busy: wait for ours. A poisoned lock only means an earlier request panicked; the
        // connection itself is still usable (SQLite rolled back any open transaction).
        let mut c = self.conns[start].lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut **c)
    }

    /// Runs a write: waits for the writer gate first (holding no connection), then runs `f` with a
    /// connection. At most one connection writes at a time.
    pub fn with_writer<T>(&self, f: impl FnOnce(&mut dyn Store) -> T) -> T {
        let _gate = self.writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.with(f)
    }
}

impl StorePool {
    /// Runs `f` as one transaction through the writer gate ([`StorePool::with_writer`]), waiting for
    /// a writer of another process (a `lantian import`) up to `wait` instead of failing busy
    /// ([`lantian_store::write_retrying`]).
    pub fn write<T>(
        &self,
        wait: &lantian_store::WriteWait,
        f: impl FnMut(&mut lantian_store::Tx<'_>) -> lantian_store::Result<T>,
    ) -> lantian_store::Result<T> {
        self.with_writer(|store| lantian_store::write_retrying(store, wait, f).0)
    }
}

impl Drop for StorePool {
    /// Closes the connections on a thread of their own: a PostgreSQL connection runs its own small
    /// runtime, which may not be dropped inside the server's (the server drops its state there when it
    /// stops).
    fn drop(&mut self) {
        let conns = std::mem::take(&mut self.conns);
        let _ = std::thread::spawn(move || drop(conns)).join();
    }
}
