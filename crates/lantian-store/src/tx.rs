//! The transaction handle (issue 13 item 2): every change reaches the domain repositories through a
//! [`Tx`], so that what one request or one file changes — its records in several repositories and
//! the audit entry that records them — is stored together or not at all, on either backend.
//!
//! A [`Tx`] borrows the store for its life. [`Tx::begin`] opens a transaction of its own: it is stored
//! by [`Tx::commit`] and rolled back when the handle is dropped without one (an error returned with
//! `?` loses nothing and keeps nothing). [`Tx::within_batch`] is a part of an import batch that its
//! owner commits (the hourly files of a long import share one transaction per few dozen files).

use crate::{
    AccountStore, AccountabilityStore, AirStore, EmergencyStore, EnterpriseStore, RecordStore, Result, Store,
    StoreError, WorkStore,
};

/// An open transaction of a store, and the way to its domain repositories.
pub struct Tx<'s> {
    store: &'s mut dyn Store,
    /// Whether this handle ends the transaction (commits it, or rolls it back when dropped).
    owned: bool,
    /// Whether the transaction is still open (not committed nor rolled back).
    open: bool,
}

impl<'s> Tx<'s> {
    /// Opens a transaction of `store`. Transactions do not nest: with one open already (an import
    /// batch of this connection) it is an error, since this one could not be rolled back alone. On
    /// SQLite the write lock is taken here, so a writer waits for other writers before anything is
    /// written, or fails with [`StoreError::Busy`] with nothing stored ([`crate::retry_busy`]).
    pub fn begin(store: &'s mut dyn Store) -> Result<Tx<'s>> {
        if store.in_import_batch() {
            return Err(StoreError::Other {
                op: "starting a transaction".into(),
                detail: "an import batch is open on this connection (transactions do not nest)".into(),
            });
        }
        store.begin_import_batch()?;
        Ok(Tx { store, owned: true, open: true })
    }

    /// A part of the import batch open on `store` ([`Store::begin_import_batch`]): each write of the
    /// handle is a savepoint of the batch's transaction (all or nothing), stored when the batch's
    /// owner commits it; [`Tx::commit`] of this handle only ends the part. It is an error when no
    /// batch is open.
    pub fn within_batch(store: &'s mut dyn Store) -> Result<Tx<'s>> {
        if !store.in_import_batch() {
            return Err(StoreError::Other {
                op: "joining an import batch".into(),
                detail: "no import batch is open on this connection".into(),
            });
        }
        Ok(Tx { store, owned: false, open: true })
    }

    /// Reads inside the transaction: what it would store is visible (an authorisation that checks the
    /// owners of records already stored, before it writes).
    pub fn reader(&self) -> &dyn Store {
        &*self.store
    }

    /// Every repository at once, inside the transaction: a change that reads one domain to write
    /// another (an account's city resolved among the cities).
    pub fn store(&mut self) -> &mut dyn Store {
        &mut *self.store
    }

    /// Air data: stations, hourly blocks, daily city values.
    pub fn air(&mut self) -> &mut dyn AirStore {
        &mut *self.store
    }

    /// Accountability: dust days, targets, bonus/penalty items and proposals, ranks, tasks, published
    /// results.
    pub fn accountability(&mut self) -> &mut dyn AccountabilityStore {
        &mut *self.store
    }

    /// Accounts, tokens and the audit log.
    pub fn accounts(&mut self) -> &mut dyn AccountStore {
        &mut *self.store
    }

    /// Emergency response: forecasts, control measures, inventories, visits, alert decisions.
    pub fn emergency(&mut self) -> &mut dyn EmergencyStore {
        &mut *self.store
    }

    /// Enterprises, their electricity use and CEMS hours.
    pub fn enterprises(&mut self) -> &mut dyn EnterpriseStore {
        &mut *self.store
    }

    /// The work items and their evidence.
    pub fn work(&mut self) -> &mut dyn WorkStore {
        &mut *self.store
    }

    /// The records of dataset modules (work data: inspections, …).
    pub fn records(&mut self) -> &mut dyn RecordStore {
        &mut *self.store
    }

    /// Stores everything written through the handle (for a part of a batch: ends the part; the batch
    /// commits it).
    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        if self.owned {
            self.store.commit_import_batch()
        } else {
            Ok(())
        }
    }

    /// Stores nothing written through the handle (as dropping it does, but with the error of the
    /// rollback, if any). Not for a part of a batch: its writes are savepoints already stored in the
    /// batch, which only the batch's owner rolls back.
    pub fn rollback(mut self) -> Result<()> {
        self.open = false;
        if self.owned {
            self.store.rollback_import_batch()
        } else {
            Ok(())
        }
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open && self.owned {
            // Dropped without a commit (an error, or a panic unwinding): nothing of it is stored. A
            // failed rollback stores nothing either (the connection's transaction ends with it).
            let _ = self.store.rollback_import_batch();
        }
    }
}
