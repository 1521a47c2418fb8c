//! [`MemStore`]: Users and Groups in insertion-ordered maps behind one
//! `RwLock` (many readers, each write atomic), with secondary indexes on
//! case-folded `userName`, `externalId`, `emails.value` and group
//! `displayName`, and a reverse membership index (user → groups) that keeps
//! `User.groups` derived and consistent. Each resource is a compact
//! [`Record`]; queries decode only the candidates a filter or `sortBy` must
//! look at, and otherwise only the page they return.

use std::collections::BTreeSet;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use indexmap::IndexMap;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::StoreError;
use super::index::{Indexes, str_at};
use super::record::Record;
use super::{Field, Kind, Mutation, Page, QuerySpec, RawUser, SortKey, Store, etag, sort_key};
use crate::server::clock::rfc3339;

/// One kind's resources by id, in creation order.
type Resources = IndexMap<String, Record, foldhash::fast::RandomState>;

#[derive(Debug, Default)]
struct Data {
    users: Resources,
    groups: Resources,
    idx: Indexes,
}

/// The in-memory [`Store`].
#[derive(Debug, Default)]
pub struct MemStore {
    data: RwLock<Data>,
}

impl Data {
    fn map(&self, kind: Kind) -> &Resources {
        match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        }
    }

    fn map_mut(&mut self, kind: Kind) -> &mut Resources {
        match kind {
            Kind::User => &mut self.users,
            Kind::Group => &mut self.groups,
        }
    }

    /// Normalises `members` to `[{value, type}]`, rejecting unknown ids.
    fn normalise_members(&self, group: &mut Value, own_id: &str) -> Result<(), StoreError> {
        let Some(obj) = group.as_object_mut() else {
            return Err(StoreError::NotAnObject(
                "a Group must be a JSON object".into(),
            ));
        };
        let Some(members) = obj.get("members") else {
            return Ok(());
        };
        let Some(items) = members.as_array() else {
            return Err(StoreError::InvalidValue("members must be an array".into()));
        };
        let mut seen = BTreeSet::new();
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let value = str_at(item, "value").ok_or_else(|| {
                StoreError::InvalidValue("each member needs a string value".into())
            })?;
            let kind = if self.users.contains_key(value) {
                "User"
            } else if self.groups.contains_key(value) && value != own_id {
                "Group"
            } else {
                return Err(StoreError::InvalidValue(format!(
                    "member {value} does not exist"
                )));
            };
            if seen.insert(value.to_owned()) {
                out.push(json!({"value": value, "type": kind}));
            }
        }
        obj.insert("members".into(), Value::Array(out));
        Ok(())
    }

    fn display_of(&self, id: &str) -> Option<Value> {
        self.users
            .get(id)
            .or_else(|| self.groups.get(id))
            .and_then(Record::display)
            .map(|s| Value::String(s.to_owned()))
    }

    /// The materialised view of a stored resource: a user with its derived
    /// `groups`, a group with its members' `display`.
    fn view(&self, kind: Kind, id: &str, record: &Record) -> Value {
        let mut view = record.value();
        match kind {
            Kind::User => {
                let groups = self.groups_of(id);
                if let (false, Some(obj)) = (groups.is_empty(), view.as_object_mut()) {
                    obj.insert("groups".into(), RawUser::groups_value(&groups));
                }
            }
            Kind::Group => {
                if let Some(items) = view.get_mut("members").and_then(Value::as_array_mut) {
                    for item in items.iter_mut() {
                        let display = str_at(item, "value").and_then(|v| self.display_of(v));
                        if let (Some(obj), Some(display)) = (item.as_object_mut(), display) {
                            obj.insert("display".into(), display);
                        }
                    }
                }
            }
        }
        view
    }

    /// A user's derived groups: (group id, display name).
    fn groups_of(&self, id: &str) -> Vec<(String, Option<String>)> {
        self.idx
            .member_of
            .get(id)
            .map(|groups| {
                groups
                    .iter()
                    .map(|gid| {
                        let display = self.users.get(gid).or_else(|| self.groups.get(gid));
                        (
                            gid.clone(),
                            display.and_then(Record::display).map(str::to_owned),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A user's record as text with its derived groups.
    fn raw_user(&self, id: &str, record: &Record) -> RawUser {
        RawUser {
            id: id.to_owned(),
            json: record.json().to_owned(),
            fields: record.fields().map(<[Field]>::to_vec),
            version: record.version(),
            groups: self.groups_of(id),
        }
    }

    /// Just the top-level attributes named in `reads` (lower-case) of a
    /// stored resource, with a user's derived `groups` if read; `None` when
    /// the record has no field index or a group's `members` are read (their
    /// display names are derived).
    fn partial_view(
        &self,
        kind: Kind,
        id: &str,
        record: &Record,
        reads: &[String],
    ) -> Option<Value> {
        let json = record.json();
        let mut view = Map::new();
        for field in record.fields()? {
            let key = json.get(field.key.clone())?;
            if reads.iter().any(|r| r.eq_ignore_ascii_case(key)) {
                let value = serde_json::from_str(json.get(field.value.clone())?).ok()?;
                view.insert(key.to_owned(), value);
            }
        }
        let reads_derived = |name: &str| reads.iter().any(|r| r == name);
        match kind {
            Kind::User if reads_derived("groups") => {
                let groups = self.groups_of(id);
                if !groups.is_empty() {
                    view.insert("groups".into(), RawUser::groups_value(&groups));
                }
            }
            Kind::Group if reads_derived("members") => return None,
            _ => {}
        }
        Some(Value::Object(view))
    }

    fn view_of(&self, kind: Kind, id: &str) -> Option<Value> {
        self.map(kind).get(id).map(|r| self.view(kind, id, r))
    }

    fn next_version(&self, kind: Kind, id: &str) -> u64 {
        self.map(kind).get(id).map_or(0, Record::version) + 1
    }

    /// Sets `id` and `meta` (with `version`) on a resource about to be stored.
    fn stamp(kind: Kind, id: &str, value: &mut Value, created: &str, now: &str, version: u64) {
        if let Some(obj) = value.as_object_mut() {
            obj.insert("id".into(), Value::String(id.to_owned()));
            obj.remove("groups");
            obj.insert(
                "meta".into(),
                json!({
                    "resourceType": kind.resource_type(),
                    "created": created,
                    "lastModified": now,
                    "version": etag(version),
                }),
            );
        }
    }

    /// Re-stores a resource changed in place with a new version and
    /// `lastModified` (no index changes: callers touch unindexed data only).
    fn touch(&mut self, kind: Kind, id: &str, now: &str, change: impl FnOnce(&mut Value)) {
        let Some(record) = self.map(kind).get(id) else {
            return;
        };
        let version = record.version() + 1;
        let mut value = record.value();
        change(&mut value);
        if let Some(meta) = value.get_mut("meta").and_then(Value::as_object_mut) {
            meta.insert("lastModified".into(), Value::String(now.to_owned()));
            meta.insert("version".into(), Value::String(etag(version)));
        }
        let record = Record::new(kind, &value, version);
        if let Some(slot) = self.map_mut(kind).get_mut(id) {
            *slot = record;
        }
    }

    /// Removes `member` from every group containing it, bumping their versions.
    fn drop_member_everywhere(&mut self, member: &str, now: &str) {
        let Some(groups) = self.idx.member_of.remove(member) else {
            return;
        };
        for gid in groups {
            self.touch(Kind::Group, &gid, now, |group| {
                if let Some(items) = group.get_mut("members").and_then(Value::as_array_mut) {
                    items.retain(|i| str_at(i, "value") != Some(member));
                }
            });
        }
    }

    /// The candidates of a query, in creation order: an index's hits or every resource.
    fn candidates<'a>(&'a self, kind: Kind, spec: &QuerySpec<'_>) -> Vec<(&'a String, &'a Record)> {
        let map = self.map(kind);
        match spec
            .index
            .as_ref()
            .and_then(|k| self.idx.candidates(kind, k))
        {
            Some(ids) => {
                let mut positioned: Vec<(usize, &String, &Record)> = ids
                    .iter()
                    .filter_map(|id| map.get_full(id.as_str()))
                    .collect();
                positioned.sort_by_key(|(pos, _, _)| *pos);
                positioned.into_iter().map(|(_, id, r)| (id, r)).collect()
            }
            None => map.iter().collect(),
        }
    }
}

impl MemStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> RwLockReadGuard<'_, Data> {
        self.data.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Data> {
        self.data.write().unwrap_or_else(|e| e.into_inner())
    }

    /// A resource as stored (compact JSON with `id` and `meta`, no derived
    /// attributes) and its version: what the durable layer writes to disk.
    pub(super) fn stored(&self, kind: Kind, id: &str) -> Option<(String, u64)> {
        let data = self.read();
        let record = data.map(kind).get(id)?;
        Some((record.json().to_owned(), record.version()))
    }

    /// Ids of the groups that list `member` (a user or a group) as a member.
    pub(super) fn groups_containing(&self, member: &str) -> Vec<String> {
        self.read()
            .idx
            .member_of
            .get(member)
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Every id of a kind with its version, in creation order.
    pub(super) fn versions(&self, kind: Kind) -> Vec<(String, u64)> {
        self.read()
            .map(kind)
            .iter()
            .map(|(id, r)| (id.clone(), r.version()))
            .collect()
    }

    /// Puts back a resource exactly as it was stored (`id`, `meta` and
    /// version included), after those created before it: no uniqueness or
    /// member check (the file held a consistent store), indexes rebuilt.
    pub(super) fn restore(&self, kind: Kind, id: &str, resource: &Value, version: u64) {
        let mut data = self.write();
        if let Some(old) = data.map_mut(kind).shift_remove(id) {
            data.idx.remove(kind, id, &old.value());
        }
        data.idx.add(kind, id, resource);
        let record = Record::new(kind, resource, version);
        data.map_mut(kind).insert(id.to_owned(), record);
    }

    /// Replaces everything this store holds with what `other` holds.
    pub(super) fn replace_with(&self, other: MemStore) {
        let fresh = other.data.into_inner().unwrap_or_else(|e| e.into_inner());
        *self.write() = fresh;
    }
}

fn not_found(kind: Kind, id: &str) -> StoreError {
    StoreError::NotFound(format!("{} {id} not found", kind.resource_type()))
}

/// Orders sort keys: present before absent; `descending` reverses only
/// present keys (RFC 7644 §3.4.2.3: missing values sort last either way).
fn by_key(a: &Option<SortKey>, b: &Option<SortKey>, descending: bool) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Some(a), Some(b)) if descending => a.cmp_key(b).reverse(),
        (Some(a), Some(b)) => a.cmp_key(b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

impl Store for MemStore {
    fn create(
        &self,
        kind: Kind,
        id: String,
        mut resource: Value,
        now: OffsetDateTime,
    ) -> Result<Value, StoreError> {
        if !resource.is_object() {
            return Err(StoreError::NotAnObject(
                "the resource must be a JSON object".into(),
            ));
        }
        let now = rfc3339(now);
        let mut data = self.write();
        data.idx.check_unique(kind, &resource, &id)?;
        if data.map(kind).contains_key(&id) {
            return Err(StoreError::Conflict(format!("id {id} already exists")));
        }
        if kind == Kind::Group {
            data.normalise_members(&mut resource, &id)?;
        }
        Data::stamp(kind, &id, &mut resource, &now, &now, 1);
        data.idx.add(kind, &id, &resource);
        let record = Record::new(kind, &resource, 1);
        data.map_mut(kind).insert(id.clone(), record);
        data.view_of(kind, &id).ok_or_else(|| not_found(kind, &id))
    }

    fn get(&self, kind: Kind, id: &str) -> Option<Value> {
        self.read().view_of(kind, id)
    }

    fn get_raw_user(&self, id: &str) -> Option<RawUser> {
        let data = self.read();
        let record = data.users.get(id)?;
        Some(data.raw_user(id, record))
    }

    fn update(
        &self,
        kind: Kind,
        id: &str,
        now: OffsetDateTime,
        mutation: Mutation<'_>,
    ) -> Result<Value, StoreError> {
        let now = rfc3339(now);
        let mut data = self.write();
        let current = data.view_of(kind, id).ok_or_else(|| not_found(kind, id))?;
        let created = current
            .pointer("/meta/created")
            .and_then(Value::as_str)
            .unwrap_or(&now)
            .to_owned();
        let mut next = mutation(&current).map_err(StoreError::Rejected)?;
        if !next.is_object() {
            return Err(StoreError::NotAnObject(
                "the resource must be a JSON object".into(),
            ));
        }
        data.idx.check_unique(kind, &next, id)?;
        if kind == Kind::Group {
            data.normalise_members(&mut next, id)?;
        }
        // `current` carries the same indexed values as the stored resource.
        data.idx.remove(kind, id, &current);
        let version = data.next_version(kind, id);
        Data::stamp(kind, id, &mut next, &created, &now, version);
        data.idx.add(kind, id, &next);
        let record = Record::new(kind, &next, version);
        let slot = data
            .map_mut(kind)
            .get_mut(id)
            .ok_or_else(|| not_found(kind, id))?;
        *slot = record;
        data.view_of(kind, id).ok_or_else(|| not_found(kind, id))
    }

    fn delete(&self, kind: Kind, id: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        let now = rfc3339(now);
        let mut data = self.write();
        let old = data
            .map_mut(kind)
            .shift_remove(id)
            .ok_or_else(|| not_found(kind, id))?;
        data.idx.remove(kind, id, &old.value());
        data.drop_member_everywhere(id, &now);
        Ok(())
    }

    fn query(&self, kind: Kind, spec: &QuerySpec<'_>) -> Page {
        let data = self.read();
        let candidates = data.candidates(kind, spec);
        let skip = spec.start_index.saturating_sub(1);
        let raw = spec.raw && kind == Kind::User;
        let mut page = Page {
            total: 0,
            resources: Vec::new(),
            raw: Vec::new(),
        };
        // Adds one hit on the page, as a view (decoded at most once) or raw.
        let push = |page: &mut Page, id: &str, record: &Record, view: Option<Value>| {
            if raw {
                page.raw.push(data.raw_user(id, record));
            } else {
                page.resources
                    .push(view.unwrap_or_else(|| data.view(kind, id, record)));
            }
        };
        let on_page = |page: &Page| page.resources.len() + page.raw.len() < spec.count;
        if spec.predicate.is_none() && spec.sort_by.is_none() {
            // Nothing to look at but the page itself.
            page.total = candidates.len();
            for (id, record) in candidates.into_iter().skip(skip).take(spec.count) {
                push(&mut page, id, record, None);
            }
            return page;
        }
        let Some(path) = spec.sort_by.as_deref() else {
            // Filter only: decode each candidate once (or just the
            // attributes the filter reads); keep the hits on the page.
            for (id, record) in candidates {
                let (view, whole) = match spec
                    .reads
                    .as_deref()
                    .and_then(|r| data.partial_view(kind, id, record, r))
                {
                    Some(partial) => (partial, false),
                    None => (data.view(kind, id, record), true),
                };
                if spec.predicate.is_none_or(|matches| matches(&view)) {
                    if page.total >= skip && on_page(&page) {
                        push(&mut page, id, record, whole.then_some(view));
                    }
                    page.total += 1;
                }
            }
            return page;
        };
        // Sorted: decode each candidate once for the filter and the sort
        // key; keep only the key, so a sorted scan never holds every view
        // at once, and decode the page again at the end.
        let mut hits: Vec<(Option<SortKey>, &String, &Record)> = Vec::new();
        for (id, record) in candidates {
            let view = data.view(kind, id, record);
            if spec.predicate.is_none_or(|matches| matches(&view)) {
                hits.push((sort_key(&view, path), id, record));
            }
        }
        // A stable sort: equal keys keep creation order.
        hits.sort_by(|(a, ..), (b, ..)| by_key(a, b, spec.descending));
        page.total = hits.len();
        for (_, id, record) in hits.into_iter().skip(skip).take(spec.count) {
            push(&mut page, id, record, None);
        }
        page
    }

    fn deactivate_all_users(&self, now: OffsetDateTime) -> usize {
        let now = rfc3339(now);
        let mut data = self.write();
        let ids: Vec<String> = data
            .users
            .iter()
            .filter(|(_, r)| r.value().get("active") != Some(&Value::Bool(false)))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &ids {
            data.touch(Kind::User, id, &now, |user| {
                if let Some(obj) = user.as_object_mut() {
                    obj.insert("active".into(), Value::Bool(false));
                }
            });
        }
        ids.len()
    }

    fn len(&self, kind: Kind) -> usize {
        self.read().map(kind).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::IndexKey;

    fn now() -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH
    }

    fn spec(index: Option<IndexKey>) -> QuerySpec<'static> {
        QuerySpec {
            index,
            predicate: None,
            sort_by: None,
            descending: false,
            start_index: 1,
            raw: false,
            reads: None,
            count: 100,
        }
    }

    #[test]
    fn duplicate_user_name_differing_in_case_is_a_conflict() {
        let store = MemStore::new();
        store
            .create(Kind::User, "1".into(), json!({"userName": "Ada"}), now())
            .expect("first");
        let err = store
            .create(Kind::User, "2".into(), json!({"userName": "ADA"}), now())
            .expect_err("dup");
        assert!(matches!(err, StoreError::Conflict(_)));
    }

    #[test]
    fn user_groups_are_derived_and_follow_group_renames() {
        let store = MemStore::new();
        store
            .create(Kind::User, "u".into(), json!({"userName": "ada"}), now())
            .expect("user");
        store
            .create(
                Kind::Group,
                "g".into(),
                json!({"displayName": "Eng", "members": [{"value": "u"}]}),
                now(),
            )
            .expect("group");
        let user = store.get(Kind::User, "u").expect("user");
        assert_eq!(user["groups"][0]["display"], "Eng");
        store
            .update(Kind::Group, "g", now(), &mut |cur: &Value| {
                let mut next = cur.clone();
                next["displayName"] = json!("Engineering");
                Ok(next)
            })
            .expect("rename");
        let user = store.get(Kind::User, "u").expect("user");
        assert_eq!(user["groups"][0]["display"], "Engineering");
        assert_eq!(
            store.get(Kind::Group, "g").expect("g")["meta"]["version"],
            "W/\"2\""
        );
    }

    #[test]
    fn deleting_a_user_removes_it_from_every_group() {
        let store = MemStore::new();
        store
            .create(Kind::User, "u".into(), json!({"userName": "ada"}), now())
            .expect("user");
        store
            .create(
                Kind::Group,
                "g".into(),
                json!({"displayName": "Eng", "members": [{"value": "u"}]}),
                now(),
            )
            .expect("group");
        store.delete(Kind::User, "u", now()).expect("delete");
        let group = store.get(Kind::Group, "g").expect("g");
        assert_eq!(group["members"], json!([]));
    }

    #[test]
    fn unknown_member_is_invalid_value() {
        let store = MemStore::new();
        let err = store
            .create(
                Kind::Group,
                "g".into(),
                json!({"displayName": "Eng", "members": [{"value": "ghost"}]}),
                now(),
            )
            .expect_err("ghost");
        assert!(matches!(err, StoreError::InvalidValue(_)), "{err:?}");
    }

    #[test]
    fn index_lookup_finds_user_name_case_insensitively_and_keeps_order() {
        let store = MemStore::new();
        for (id, name) in [("1", "a"), ("2", "Bob"), ("3", "c")] {
            store
                .create(
                    Kind::User,
                    id.into(),
                    json!({"userName": name, "emails": [{"value": format!("{name}@x")}]}),
                    now(),
                )
                .expect("create");
        }
        let page = store.query(
            Kind::User,
            &spec(Some(IndexKey {
                attr: "USERNAME".into(),
                value: "bob".into(),
            })),
        );
        assert_eq!(page.total, 1);
        assert_eq!(page.resources[0]["id"], "2");
        let page = store.query(
            Kind::User,
            &spec(Some(IndexKey {
                attr: "emails.value".into(),
                value: "BOB@X".into(),
            })),
        );
        assert_eq!(page.total, 1);
        let page = store.query(Kind::User, &spec(None));
        let ids: Vec<_> = page.resources.iter().map(|r| r["id"].clone()).collect();
        assert_eq!(ids, vec![json!("1"), json!("2"), json!("3")]);
    }

    #[test]
    fn update_keeps_creation_order_and_reindexes() {
        let store = MemStore::new();
        for (id, name) in [("1", "a"), ("2", "b")] {
            store
                .create(Kind::User, id.into(), json!({"userName": name}), now())
                .expect("create");
        }
        store
            .update(Kind::User, "1", now(), &mut |_: &Value| {
                Ok(json!({"userName": "z"}))
            })
            .expect("update");
        let page = store.query(Kind::User, &spec(None));
        assert_eq!(page.resources[0]["userName"], "z");
        let hit = store.query(
            Kind::User,
            &spec(Some(IndexKey {
                attr: "userName".into(),
                value: "a".into(),
            })),
        );
        assert_eq!(hit.total, 0);
    }
}
