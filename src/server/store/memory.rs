//! [`MemStore`]: Users and Groups in insertion-ordered maps behind one
//! `RwLock` (many readers, each write atomic), with secondary indexes on
//! case-folded `userName`, `externalId`, `emails.value` and group
//! `displayName`, and a reverse membership index (user → groups) that keeps
//! `User.groups` derived and consistent.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use indexmap::IndexMap;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::index::{Indexes, member_ids, str_at};
use super::{Kind, Mutation, Page, QuerySpec, Store, etag, sort_key};
use crate::server::clock::rfc3339;
use crate::server::error::ScimError;

#[derive(Debug, Default)]
struct Data {
    users: IndexMap<String, Value>,
    groups: IndexMap<String, Value>,
    versions: HashMap<String, u64>,
    idx: Indexes,
}

/// The in-memory [`Store`].
#[derive(Debug, Default)]
pub struct MemStore {
    data: RwLock<Data>,
}

impl Data {
    fn map(&self, kind: Kind) -> &IndexMap<String, Value> {
        match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        }
    }

    fn map_mut(&mut self, kind: Kind) -> &mut IndexMap<String, Value> {
        match kind {
            Kind::User => &mut self.users,
            Kind::Group => &mut self.groups,
        }
    }

    /// Normalises `members` to `[{value, type}]`, rejecting unknown ids.
    fn normalise_members(&self, group: &mut Value, own_id: &str) -> Result<(), ScimError> {
        let Some(obj) = group.as_object_mut() else {
            return Err(ScimError::invalid_syntax("a Group must be a JSON object"));
        };
        let Some(members) = obj.get("members") else {
            return Ok(());
        };
        let Some(items) = members.as_array() else {
            return Err(ScimError::invalid_value("members must be an array"));
        };
        let mut seen = BTreeSet::new();
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let value = str_at(item, "value")
                .ok_or_else(|| ScimError::invalid_value("each member needs a string value"))?;
            let kind = if self.users.contains_key(value) {
                "User"
            } else if self.groups.contains_key(value) && value != own_id {
                "Group"
            } else {
                return Err(ScimError::invalid_value(format!(
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
        if let Some(user) = self.users.get(id) {
            return str_at(user, "displayName")
                .or_else(|| str_at(user, "userName"))
                .map(|s| Value::String(s.to_owned()));
        }
        self.groups
            .get(id)
            .and_then(|g| str_at(g, "displayName"))
            .map(|s| Value::String(s.to_owned()))
    }

    /// The materialised view of a stored resource.
    fn view<'a>(&self, kind: Kind, id: &str, stored: &'a Value) -> Cow<'a, Value> {
        match kind {
            Kind::User => {
                let Some(groups) = self.idx.member_of.get(id).filter(|g| !g.is_empty()) else {
                    return Cow::Borrowed(stored);
                };
                let list: Vec<Value> = groups
                    .iter()
                    .map(|gid| {
                        let mut entry = Map::new();
                        entry.insert("value".into(), Value::String(gid.clone()));
                        if let Some(display) = self.display_of(gid) {
                            entry.insert("display".into(), display);
                        }
                        entry.insert("type".into(), Value::String("direct".into()));
                        Value::Object(entry)
                    })
                    .collect();
                let mut view = stored.clone();
                if let Some(obj) = view.as_object_mut() {
                    obj.insert("groups".into(), Value::Array(list));
                }
                Cow::Owned(view)
            }
            Kind::Group => {
                if member_ids(stored).is_empty() {
                    return Cow::Borrowed(stored);
                }
                let mut view = stored.clone();
                if let Some(items) = view.get_mut("members").and_then(Value::as_array_mut) {
                    for item in items.iter_mut() {
                        let display = str_at(item, "value").and_then(|v| self.display_of(v));
                        if let (Some(obj), Some(display)) = (item.as_object_mut(), display) {
                            obj.insert("display".into(), display);
                        }
                    }
                }
                Cow::Owned(view)
            }
        }
    }

    fn bump(&mut self, id: &str) -> u64 {
        let v = self.versions.entry(id.to_owned()).or_insert(0);
        *v += 1;
        *v
    }

    fn stamp(&mut self, kind: Kind, id: &str, value: &mut Value, created: &str, now: &str) {
        let version = self.bump(id);
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

    /// Removes `member` from every group containing it, bumping their versions.
    fn drop_member_everywhere(&mut self, member: &str, now: &str) {
        let Some(groups) = self.idx.member_of.remove(member) else {
            return;
        };
        for gid in groups {
            let version = self.bump(&gid);
            if let Some(group) = self.groups.get_mut(&gid) {
                if let Some(items) = group.get_mut("members").and_then(Value::as_array_mut) {
                    items.retain(|i| str_at(i, "value") != Some(member));
                }
                if let Some(meta) = group.get_mut("meta").and_then(Value::as_object_mut) {
                    meta.insert("lastModified".into(), Value::String(now.to_owned()));
                    meta.insert("version".into(), Value::String(etag(version)));
                }
            }
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
}

fn not_found(kind: Kind, id: &str) -> ScimError {
    ScimError::NotFound(format!("{} {id} not found", kind.resource_type()))
}

impl Store for MemStore {
    fn create(
        &self,
        kind: Kind,
        id: String,
        mut resource: Value,
        now: OffsetDateTime,
    ) -> Result<Value, ScimError> {
        if !resource.is_object() {
            return Err(ScimError::invalid_syntax(
                "the resource must be a JSON object",
            ));
        }
        let now = rfc3339(now);
        let mut data = self.write();
        data.idx.check_unique(kind, &resource, &id)?;
        if data.map(kind).contains_key(&id) {
            return Err(ScimError::Conflict(format!("id {id} already exists")));
        }
        if kind == Kind::Group {
            data.normalise_members(&mut resource, &id)?;
        }
        data.stamp(kind, &id, &mut resource, &now, &now);
        data.idx.add(kind, &id, &resource);
        data.map_mut(kind).insert(id.clone(), resource);
        let stored = data
            .map(kind)
            .get(&id)
            .ok_or_else(|| not_found(kind, &id))?;
        Ok(data.view(kind, &id, stored).into_owned())
    }

    fn get(&self, kind: Kind, id: &str) -> Option<Value> {
        let data = self.read();
        let stored = data.map(kind).get(id)?;
        Some(data.view(kind, id, stored).into_owned())
    }

    fn update(
        &self,
        kind: Kind,
        id: &str,
        now: OffsetDateTime,
        mutation: Mutation<'_>,
    ) -> Result<Value, ScimError> {
        let now = rfc3339(now);
        let mut data = self.write();
        let stored = data.map(kind).get(id).ok_or_else(|| not_found(kind, id))?;
        let current = data.view(kind, id, stored).into_owned();
        let created = current
            .pointer("/meta/created")
            .and_then(Value::as_str)
            .unwrap_or(&now)
            .to_owned();
        let mut next = mutation(&current)?;
        if !next.is_object() {
            return Err(ScimError::invalid_syntax(
                "the resource must be a JSON object",
            ));
        }
        data.idx.check_unique(kind, &next, id)?;
        if kind == Kind::Group {
            data.normalise_members(&mut next, id)?;
        }
        // `current` carries the same indexed values as the stored resource.
        data.idx.remove(kind, id, &current);
        data.stamp(kind, id, &mut next, &created, &now);
        data.idx.add(kind, id, &next);
        let slot = data
            .map_mut(kind)
            .get_mut(id)
            .ok_or_else(|| not_found(kind, id))?;
        *slot = next;
        let stored = data.map(kind).get(id).ok_or_else(|| not_found(kind, id))?;
        Ok(data.view(kind, id, stored).into_owned())
    }

    fn delete(&self, kind: Kind, id: &str, now: OffsetDateTime) -> Result<(), ScimError> {
        let now = rfc3339(now);
        let mut data = self.write();
        let old = data
            .map_mut(kind)
            .shift_remove(id)
            .ok_or_else(|| not_found(kind, id))?;
        data.idx.remove(kind, id, &old);
        data.versions.remove(id);
        data.drop_member_everywhere(id, &now);
        Ok(())
    }

    fn query(&self, kind: Kind, spec: &QuerySpec<'_>) -> Page {
        let data = self.read();
        let map = data.map(kind);
        let candidates: Vec<(&String, &Value)> = match spec
            .index
            .as_ref()
            .and_then(|k| data.idx.candidates(kind, k))
        {
            Some(ids) => {
                let mut positioned: Vec<(usize, &String, &Value)> = ids
                    .iter()
                    .filter_map(|id| map.get_full(id.as_str()))
                    .collect();
                positioned.sort_by_key(|(pos, _, _)| *pos);
                positioned.into_iter().map(|(_, id, v)| (id, v)).collect()
            }
            None => map.iter().collect(),
        };
        let mut matched: Vec<Cow<'_, Value>> = Vec::new();
        for (id, stored) in candidates {
            let view = data.view(kind, id, stored);
            if (spec.predicate)(&view) {
                matched.push(view);
            }
        }
        if let Some(path) = &spec.sort_by {
            let mut keyed: Vec<_> = matched
                .into_iter()
                .map(|v| (sort_key(&v, path), v))
                .collect();
            keyed.sort_by(|(a, _), (b, _)| {
                let order = match (a, b) {
                    (Some(a), Some(b)) => a.cmp_key(b),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                };
                if spec.descending && a.is_some() && b.is_some() {
                    order.reverse()
                } else {
                    order
                }
            });
            matched = keyed.into_iter().map(|(_, v)| v).collect();
        }
        let total = matched.len();
        let skip = spec.start_index.saturating_sub(1);
        let resources = matched
            .into_iter()
            .skip(skip)
            .take(spec.count)
            .map(Cow::into_owned)
            .collect();
        Page { total, resources }
    }

    fn deactivate_all_users(&self, now: OffsetDateTime) -> usize {
        let now = rfc3339(now);
        let mut data = self.write();
        let ids: Vec<String> = data
            .users
            .iter()
            .filter(|(_, u)| u.get("active") != Some(&Value::Bool(false)))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &ids {
            let version = data.bump(id);
            if let Some(user) = data.users.get_mut(id).and_then(Value::as_object_mut) {
                user.insert("active".into(), Value::Bool(false));
                if let Some(meta) = user.get_mut("meta").and_then(Value::as_object_mut) {
                    meta.insert("lastModified".into(), Value::String(now.clone()));
                    meta.insert("version".into(), Value::String(etag(version)));
                }
            }
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

    fn all(_: &Value) -> bool {
        true
    }

    fn spec(index: Option<IndexKey>) -> QuerySpec<'static> {
        QuerySpec {
            index,
            predicate: &all,
            sort_by: None,
            descending: false,
            start_index: 1,
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
        assert!(matches!(err, ScimError::Conflict(_)));
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
        assert_eq!(err.body().scim_type.as_deref(), Some("invalidValue"));
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
