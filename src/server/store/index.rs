//! Secondary indexes of the in-memory store: case-folded `userName`,
//! `externalId`, case-folded `emails.value`, case-folded group
//! `displayName`, and the reverse membership index (member → groups). They
//! answer uniqueness checks and `attr eq "v"` lookups without scanning.

use std::collections::{BTreeSet, HashMap};

/// The store's hash maps. Every read hashes a key or two; foldhash (per
/// process random seed) is several times cheaper than std's SipHash on short
/// keys, which shows on a loopback benchmark.
pub(super) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

use serde_json::Value;

use super::StoreError;
use super::{IndexKey, Kind};

/// A string field, looked up case-insensitively.
pub(super) fn str_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, v)| v.as_str())
}

/// Lower-cased `emails[].value`s.
pub(super) fn email_values(value: &Value) -> Vec<String> {
    value
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("emails")))
        .and_then(|(_, v)| v.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| str_at(i, "value"))
                .map(str::to_lowercase)
                .collect()
        })
        .unwrap_or_default()
}

/// The `members[].value`s of a group.
pub(super) fn member_ids(group: &Value) -> Vec<String> {
    group
        .get("members")
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .filter_map(|i| str_at(i, "value"))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The case-folded unique name (`userName` / group `displayName`).
pub(super) fn unique_name(kind: Kind, value: &Value) -> Result<String, StoreError> {
    let key = match kind {
        Kind::User => "userName",
        Kind::Group => "displayName",
    };
    str_at(value, key)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_lowercase)
        .ok_or_else(|| StoreError::InvalidValue(format!("{key} is required")))
}

/// The secondary indexes.
#[derive(Debug, Default)]
pub(super) struct Indexes {
    user_names: FastMap<String, String>,
    user_external: FastMap<String, BTreeSet<String>>,
    emails: FastMap<String, BTreeSet<String>>,
    group_names: FastMap<String, String>,
    group_external: FastMap<String, BTreeSet<String>>,
    /// member id (user or group) → ids of groups containing it.
    pub(super) member_of: FastMap<String, BTreeSet<String>>,
}

impl Indexes {
    fn names(&self, kind: Kind) -> &FastMap<String, String> {
        match kind {
            Kind::User => &self.user_names,
            Kind::Group => &self.group_names,
        }
    }

    /// Adds a resource to every index.
    pub(super) fn add(&mut self, kind: Kind, id: &str, value: &Value) {
        let name = unique_name(kind, value).unwrap_or_default();
        let external = str_at(value, "externalId").map(str::to_owned);
        let (names, externals) = match kind {
            Kind::User => (&mut self.user_names, &mut self.user_external),
            Kind::Group => (&mut self.group_names, &mut self.group_external),
        };
        names.insert(name, id.to_owned());
        if let Some(ext) = external {
            externals.entry(ext).or_default().insert(id.to_owned());
        }
        if kind == Kind::User {
            for email in email_values(value) {
                self.emails.entry(email).or_default().insert(id.to_owned());
            }
        } else {
            for member in member_ids(value) {
                self.member_of
                    .entry(member)
                    .or_default()
                    .insert(id.to_owned());
            }
        }
    }

    /// Removes a resource from every index.
    pub(super) fn remove(&mut self, kind: Kind, id: &str, value: &Value) {
        fn drop_from(map: &mut FastMap<String, BTreeSet<String>>, key: &str, id: &str) {
            if let Some(set) = map.get_mut(key) {
                set.remove(id);
                if set.is_empty() {
                    map.remove(key);
                }
            }
        }
        let name = unique_name(kind, value).unwrap_or_default();
        let external = str_at(value, "externalId").map(str::to_owned);
        match kind {
            Kind::User => {
                self.user_names.remove(&name);
                if let Some(ext) = external {
                    drop_from(&mut self.user_external, &ext, id);
                }
                for email in email_values(value) {
                    drop_from(&mut self.emails, &email, id);
                }
            }
            Kind::Group => {
                self.group_names.remove(&name);
                if let Some(ext) = external {
                    drop_from(&mut self.group_external, &ext, id);
                }
                for member in member_ids(value) {
                    drop_from(&mut self.member_of, &member, id);
                }
            }
        }
    }

    /// Checks uniqueness of the name, ignoring `own_id`.
    pub(super) fn check_unique(
        &self,
        kind: Kind,
        value: &Value,
        own_id: &str,
    ) -> Result<(), StoreError> {
        let name = unique_name(kind, value)?;
        match self.names(kind).get(&name) {
            Some(existing) if existing != own_id => Err(StoreError::Conflict(format!(
                "a {} with this {} already exists",
                kind.resource_type(),
                if kind == Kind::User {
                    "userName"
                } else {
                    "displayName"
                }
            ))),
            _ => Ok(()),
        }
    }

    /// Candidate ids for an indexed equality, or `None` when not indexed.
    pub(super) fn candidates(&self, kind: Kind, key: &IndexKey) -> Option<Vec<String>> {
        let attr = key.attr.to_ascii_lowercase();
        let attr = attr
            .rsplit_once(':')
            .filter(|(urn, _)| urn.starts_with("urn:"))
            .map_or(attr.as_str(), |(_, a)| a);
        let one = |id: Option<&String>| id.cloned().into_iter().collect::<Vec<_>>();
        let set = |s: Option<&BTreeSet<String>>| s.into_iter().flatten().cloned().collect();
        match (kind, attr) {
            (_, "id") => Some(vec![key.value.clone()]),
            (Kind::User, "username") => Some(one(self.user_names.get(&key.value.to_lowercase()))),
            (Kind::User, "externalid") => Some(set(self.user_external.get(&key.value))),
            (Kind::User, "emails" | "emails.value") => {
                Some(set(self.emails.get(&key.value.to_lowercase())))
            }
            (Kind::Group, "displayname") => {
                Some(one(self.group_names.get(&key.value.to_lowercase())))
            }
            (Kind::Group, "externalid") => Some(set(self.group_external.get(&key.value))),
            _ => None,
        }
    }
}
