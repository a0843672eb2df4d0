//! The work items of the campaign (issue 15; the engine is `lantian_core::work::items`): each item as
//! JSON beside the columns an inbox and the clocks query, a version raised by every change so that two
//! people acting on one item at once cannot overwrite each other, and the evidence of feedback stored
//! once per content by its BLAKE3 hash. Both tables belong to the data area [`DataArea::Tasks`]
//! (migration 19).

use lantian_core::work::items::{Org, State, WorkItem};
use rusqlite::{params, OptionalExtension};

use crate::{DataArea, PgStore, Result, SqliteStore, StoreError};

/// A stored item: its id, its parent (a delegated item's child), its version and the item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredItem {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub version: i64,
    pub item: WorkItem,
}

/// Which items to read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemFilter {
    /// Items issued to or by these organisations (all when empty).
    pub orgs: Vec<Org>,
    /// Only items not finished (closed, a case opened, cancelled).
    pub open_only: bool,
    /// Only the children of this item.
    pub parent_id: Option<i64>,
}

/// The largest piece of evidence stored (a photo or a short video of a site).
pub const MAX_EVIDENCE_BYTES: usize = 32 * 1024 * 1024;

/// The work items and their evidence.
pub trait WorkStore {
    /// Stores a new item (a child of `parent_id` when delegated); its id.
    fn insert_item(&mut self, parent_id: Option<i64>, item: &WorkItem) -> Result<i64>;
    /// Replaces item `id` if it is still at `version` (then at `version + 1`); refused with
    /// [`StoreError::Conflict`] when someone changed it meanwhile, leaving it as it was.
    fn update_item(&mut self, id: i64, version: i64, item: &WorkItem) -> Result<()>;
    fn item(&self, id: i64) -> Result<Option<StoredItem>>;
    /// The items of a filter, by id.
    fn items(&self, filter: &ItemFilter) -> Result<Vec<StoredItem>>;
    /// Stores a piece of evidence once per content; its reference `blake3:HEX`.
    fn put_evidence(&mut self, media_type: &str, bytes: &[u8]) -> Result<String>;
    /// A piece of evidence by its reference: `(media type, bytes)`.
    fn evidence(&self, reference: &str) -> Result<Option<(String, Vec<u8>)>>;
}

const WRITING: &str = "writing a work item";
const READING: &str = "reading work items";

fn body(item: &WorkItem) -> Result<String> {
    serde_json::to_string(item).map_err(|e| StoreError::Input(format!("a work item that does not serialise: {e}")))
}

fn parsed(id: i64, parent_id: Option<i64>, version: i64, text: &str) -> Result<StoredItem> {
    let item = serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("work item {id}: {e}")))?;
    Ok(StoredItem { id, parent_id, version, item })
}

fn due(item: &WorkItem) -> Option<String> {
    item.feedback_due.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
}

fn finished() -> Vec<&'static str> {
    State::ALL.iter().filter(|s| s.is_final()).map(|s| s.code()).collect()
}

fn reference(bytes: &[u8]) -> String {
    format!("blake3:{}", blake3::hash(bytes).to_hex())
}

fn checked(media_type: &str, bytes: &[u8]) -> Result<()> {
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(StoreError::Input(format!(
            "evidence of {} bytes is larger than the {MAX_EVIDENCE_BYTES} bytes a piece of evidence may have",
            bytes.len()
        )));
    }
    if bytes.is_empty() || media_type.trim().is_empty() {
        return Err(StoreError::Input("evidence needs its content and its media type".into()));
    }
    Ok(())
}

const SELECT: &str = "SELECT id, parent_id, version, body FROM work_item";

/// The outcome of an update of item `id` from `version` that changed `rows` rows.
fn changed(rows: u64, id: i64, version: i64) -> Result<()> {
    if rows == 0 {
        return Err(StoreError::Conflict(format!(
            "work item {id} was changed by someone else meanwhile (it is no longer at version {version}): read it \
             again and decide again"
        )));
    }
    Ok(())
}

impl WorkStore for SqliteStore {
    fn insert_item(&mut self, parent_id: Option<i64>, item: &WorkItem) -> Result<i64> {
        let _op = crate::op::during(WRITING);
        let c = self.conn();
        c.execute(
            "INSERT INTO work_item (parent_id, kind, issuer, assignee, state, feedback_due, version, body) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7)",
            params![
                parent_id,
                item.kind.code(),
                item.issuer.key(),
                item.assignee.key(),
                item.state.code(),
                due(item),
                body(item)?
            ],
        )?;
        Ok(c.last_insert_rowid())
    }

    fn update_item(&mut self, id: i64, version: i64, item: &WorkItem) -> Result<()> {
        let _op = crate::op::during(WRITING);
        let n = self.conn().execute(
            "UPDATE work_item SET assignee = ?3, state = ?4, feedback_due = ?5, version = version + 1, body = ?6 \
             WHERE id = ?1 AND version = ?2",
            params![id, version, item.assignee.key(), item.state.code(), due(item), body(item)?],
        )?;
        changed(n as u64, id, version)
    }

    fn item(&self, id: i64) -> Result<Option<StoredItem>> {
        let _op = crate::op::during(READING);
        crate::op::read(&[DataArea::Tasks]);
        let row = self
            .conn()
            .query_row(&format!("{SELECT} WHERE id = ?1"), params![id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?))
            })
            .optional()?;
        row.map(|(id, p, v, b)| parsed(id, p, v, &b)).transpose()
    }

    fn items(&self, filter: &ItemFilter) -> Result<Vec<StoredItem>> {
        let _op = crate::op::during(READING);
        crate::op::read(&[DataArea::Tasks]);
        let keys: Vec<String> = filter.orgs.iter().map(Org::key).collect();
        let done = finished();
        let mut sql = format!("{SELECT} WHERE 1 = 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if !keys.is_empty() {
            let marks: Vec<String> = (0..keys.len()).map(|k| format!("?{}", k + 1)).collect();
            sql.push_str(&format!(" AND (assignee IN ({0}) OR issuer IN ({0}))", marks.join(", ")));
            args.extend(keys.iter().cloned().map(rusqlite::types::Value::Text));
        }
        if filter.open_only {
            let base = args.len();
            let marks: Vec<String> = (0..done.len()).map(|k| format!("?{}", base + k + 1)).collect();
            sql.push_str(&format!(" AND state NOT IN ({})", marks.join(", ")));
            args.extend(done.iter().map(|s| rusqlite::types::Value::Text(s.to_string())));
        }
        if let Some(p) = filter.parent_id {
            sql.push_str(&format!(" AND parent_id = ?{}", args.len() + 1));
            args.push(rusqlite::types::Value::Integer(p));
        }
        sql.push_str(" ORDER BY id");
        let mut st = self.conn().prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, p, v, b) = row?;
            out.push(parsed(id, p, v, &b)?);
        }
        Ok(out)
    }

    fn put_evidence(&mut self, media_type: &str, bytes: &[u8]) -> Result<String> {
        let _op = crate::op::during(WRITING);
        checked(media_type, bytes)?;
        let r = reference(bytes);
        self.conn().execute(
            "INSERT INTO work_evidence (hash, media_type, bytes) VALUES (?1, ?2, ?3) ON CONFLICT (hash) DO NOTHING",
            params![r, media_type, bytes],
        )?;
        Ok(r)
    }

    fn evidence(&self, reference: &str) -> Result<Option<(String, Vec<u8>)>> {
        let _op = crate::op::during(READING);
        crate::op::read(&[DataArea::Tasks]);
        Ok(self
            .conn()
            .query_row("SELECT media_type, bytes FROM work_evidence WHERE hash = ?1", params![reference], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }
}

impl WorkStore for PgStore {
    fn insert_item(&mut self, parent_id: Option<i64>, item: &WorkItem) -> Result<i64> {
        let _op = crate::op::during(WRITING);
        let text = body(item)?;
        let row = self.db().query_one(
            "INSERT INTO work_item (parent_id, kind, issuer, assignee, state, feedback_due, version, body) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id",
            &[
                &parent_id,
                &item.kind.code(),
                &item.issuer.key(),
                &item.assignee.key(),
                &item.state.code(),
                &due(item),
                &text,
            ],
        )?;
        Ok(row.try_get(0)?)
    }

    fn update_item(&mut self, id: i64, version: i64, item: &WorkItem) -> Result<()> {
        let _op = crate::op::during(WRITING);
        let text = body(item)?;
        let n = self.db().execute(
            "UPDATE work_item SET assignee = $3, state = $4, feedback_due = $5, version = version + 1, body = $6 \
             WHERE id = $1 AND version = $2",
            &[&id, &version, &item.assignee.key(), &item.state.code(), &due(item), &text],
        )?;
        changed(n, id, version)
    }

    fn item(&self, id: i64) -> Result<Option<StoredItem>> {
        let _op = crate::op::during(READING);
        crate::op::read(&[DataArea::Tasks]);
        match self.db().query_opt(&format!("{SELECT} WHERE id = $1"), &[&id])? {
            None => Ok(None),
            Some(r) => {
                let text: String = r.try_get(3)?;
                Ok(Some(parsed(r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, &text)?))
            }
        }
    }

    fn items(&self, filter: &ItemFilter) -> Result<Vec<StoredItem>> {
        let _op = crate::op::during(READING);
        crate::op::read(&[DataArea::Tasks]);
        let keys: Vec<String> = filter.orgs.iter().map(Org::key).collect();
        let done: Vec<String> = finished().into_iter().map(str::to_string).collect();
        let rows = self.db().query(
            &format!(
                "{SELECT} WHERE (cardinality($1::text[]) = 0 OR assignee = ANY($1) OR issuer = ANY($1)) \
                 AND (NOT $2 OR NOT (state = ANY($3))) AND ($4::bigint IS NULL OR parent_id = $4) ORDER BY id"
            ),
            &[&keys, &filter.open_only, &done, &filter.parent_id],
        )?;
        let mut out = Vec::new();
        for r in rows {
            let text: String = r.try_get(3)?;
            out.push(parsed(r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, &text)?);
        }
        Ok(out)
    }

    fn put_evidence(&mut self, media_type: &str, bytes: &[u8]) -> Result<String> {
        let _op = crate::op::during(WRITING);
        checked(media_type, bytes)?;
        let r = reference(bytes);
        self.db().execute(
            "INSERT INTO work_evidence (hash, media_type, bytes) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING",
            &[&r, &media_type, &bytes],
        )?;
        Ok(r)
    }

    fn evidence(&self, reference: &str) -> Result<Option<(String, Vec<u8>)>> {
        let _op = crate::op::during(READING);
        crate::op::read(&[DataArea::Tasks]);
        match self.db().query_opt("SELECT media_type, bytes FROM work_evidence WHERE hash = $1", &[&reference])? {
            None => Ok(None),
            Some(r) => Ok(Some((r.try_get(0)?, r.try_get(1)?))),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveDateTime};
    use lantian_core::work::items::{Action, ItemKind, DEFAULT_CLOCKS};

    use super::*;
    use crate::{record_reads, AreaSet, DataVersions, Store};

    fn t(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2022, 11, d).and_then(|d| d.and_hms_opt(h, 0, 0)).expect("time")
    }

    fn fire_point(city: u32) -> WorkItem {
        WorkItem::draft(ItemKind::FirePoint, "火点核查", Org::ProvinceOffice, Org::City(city))
            .apply(&Action::Issue, &Org::ProvinceOffice, t(28, 10), DEFAULT_CLOCKS)
            .expect("issued")
    }

    /// What both backends must do with work items and evidence.
    fn the_items_behave(s: &mut dyn Store) {
        let v0 = s.data_versions().expect("versions");
        let a = s.insert_item(None, &fire_point(510100)).expect("insert");
        let b = s.insert_item(None, &fire_point(510600)).expect("insert");
        let child = s.insert_item(Some(a), &fire_point(510104)).expect("insert");
        let raised = |before: &DataVersions, after: &DataVersions| {
            DataArea::ALL.into_iter().map(|x| after.get(x) - before.get(x)).collect::<Vec<u64>>()
        };
        let v1 = s.data_versions().expect("versions");
        assert_eq!(raised(&v0, &v1), [0, 0, 0, 0, 3, 0, 0, 0, 0], "work items are the tasks area");
        // Read back as written, at version 1.
        let (got, areas) = record_reads(|| s.item(a).expect("read").expect("item a"));
        assert_eq!(areas, AreaSet::of(&[DataArea::Tasks]));
        assert_eq!((got.id, got.parent_id, got.version, &got.item), (a, None, 1, &fire_point(510100)));
        assert_eq!(s.item(child).expect("read").expect("child").parent_id, Some(a));
        assert_eq!(s.item(999_999).expect("read"), None);
        // 成都 signs: version 2. A second change from the version it read first is refused and
        // changes nothing.
        let signed = got.item.apply(&Action::Sign, &Org::City(510100), t(28, 10), DEFAULT_CLOCKS).expect("sign");
        s.update_item(a, 1, &signed).expect("update");
        let cancel = Action::Cancel { reason: "重复".into() };
        let stale = got.item.apply(&cancel, &Org::ProvinceOffice, t(28, 11), DEFAULT_CLOCKS).expect("cancel");
        let e = s.update_item(a, 1, &stale).expect_err("stale");
        assert!(matches!(e, StoreError::Conflict(_)) && e.to_string().contains("work item"), "{e}");
        let now = s.item(a).expect("read").expect("a");
        assert_eq!((now.version, now.item.state), (2, State::Signed));
        // Filters: by organisation (issued to or by), open only, children.
        fn ids(s: &dyn Store, f: &ItemFilter) -> Vec<i64> {
            s.items(f).expect("items").iter().map(|x| x.id).collect()
        }
        assert_eq!(ids(&*s, &ItemFilter::default()), [a, b, child]);
        assert_eq!(ids(&*s, &ItemFilter { orgs: vec![Org::City(510600)], ..Default::default() }), [b]);
        assert_eq!(ids(&*s, &ItemFilter { orgs: vec![Org::ProvinceOffice], ..Default::default() }), [a, b, child]);
        assert_eq!(ids(&*s, &ItemFilter { parent_id: Some(a), ..Default::default() }), [child]);
        let cancelled =
            s.item(b).expect("read").expect("b").item.apply(&cancel, &Org::ProvinceOffice, t(28, 12), DEFAULT_CLOCKS);
        s.update_item(b, 1, &cancelled.expect("cancel")).expect("update");
        assert_eq!(ids(&*s, &ItemFilter { open_only: true, ..Default::default() }), [a, child]);
        // Evidence: stored once per content, read back by its reference; bounds refused.
        let photo = b"\xff\xd8\xff\xe0 a photo of the field";
        let r1 = s.put_evidence("image/jpeg", photo).expect("evidence");
        let r2 = s.put_evidence("image/jpeg", photo).expect("again");
        assert!(r1.starts_with("blake3:") && r1 == r2);
        assert_eq!(s.evidence(&r1).expect("read"), Some(("image/jpeg".to_string(), photo.to_vec())));
        assert_eq!(s.evidence("blake3:00").expect("read"), None);
        assert!(s.put_evidence("image/jpeg", b"").is_err());
        assert!(s.put_evidence("", photo).is_err());
    }

    #[test]
    fn sqlite_stores_work_items() {
        let mut s = SqliteStore::memory().expect("store");
        the_items_behave(&mut s);
    }

    #[test]
    fn postgres_stores_work_items_as_sqlite() {
        crate::testing::with_pg_database("work_items", true, |url| {
            let mut s = PgStore::open(url).expect("store");
            the_items_behave(&mut s);
        });
    }
}
