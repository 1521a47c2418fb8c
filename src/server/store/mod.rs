//! Resource storage: the [`Store`] trait (atomic create / read / update /
//! delete / query of Users and Groups, uniqueness, group membership
//! consistency, versions for ETags) and its in-memory implementation
//! [`MemStore`] with secondary indexes. The store knows nothing about HTTP,
//! filters' syntax or product rules: queries take an index hint plus a
//! predicate closure, updates take a mutation closure run under the write lock.
//! [`DurableStore`] serves the same trait from memory while writing every
//! change to a data file ([`persist`]) before it returns.

mod durable;
mod error;
mod index;
mod memory;
pub mod persist;
mod record;
mod sort;

pub use durable::DurableStore;
pub use error::StoreError;
pub use memory::MemStore;
pub(crate) use sort::{SortKey, sort_key};

use serde_json::Value;
use time::OffsetDateTime;

use super::error::ScimError;

/// The two resource kinds the server stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `/Users`.
    User,
    /// `/Groups`.
    Group,
}

impl Kind {
    /// The `meta.resourceType` / endpoint name (`User`, `Group`).
    pub fn resource_type(self) -> &'static str {
        match self {
            Self::User => "User",
            Self::Group => "Group",
        }
    }

    /// The endpoint path segment (`Users`, `Groups`).
    pub fn endpoint(self) -> &'static str {
        match self {
            Self::User => "Users",
            Self::Group => "Groups",
        }
    }
}

/// An equality the store can answer from an index: `attr eq "value"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexKey {
    /// Attribute path as written in the filter (matched case-insensitively).
    pub attr: String,
    /// The compared value.
    pub value: String,
}

/// A query over one resource kind.
pub struct QuerySpec<'a> {
    /// An equality that narrows candidates before the predicate runs.
    pub index: Option<IndexKey>,
    /// The full filter, if any; candidates failing it are dropped.
    pub predicate: Option<&'a (dyn Fn(&Value) -> bool + Sync)>,
    /// The top-level attributes (lower-case) the predicate reads, when
    /// known: the store may then evaluate it on just those.
    pub reads: Option<Vec<String>>,
    /// Attribute to sort by, if any (otherwise creation order).
    pub sort_by: Option<String>,
    /// Sort descending.
    pub descending: bool,
    /// 1-based index of the first result.
    pub start_index: usize,
    /// Return the page's users as [`Page::raw`] rather than decoded views.
    pub raw: bool,
    /// Page size (already capped).
    pub count: usize,
}

impl std::fmt::Debug for QuerySpec<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuerySpec")
            .field("index", &self.index)
            .field("sort_by", &self.sort_by)
            .field("start_index", &self.start_index)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Number of resources matching the whole query.
    pub total: usize,
    /// The resources on this page (materialised views), unless the query
    /// asked for [`QuerySpec::raw`] users.
    pub resources: Vec<Value>,
    /// The users on this page as [`RawUser`]s, when the query asked for them.
    pub raw: Vec<RawUser>,
}

/// Where one top-level attribute of a stored resource sits in its JSON text
/// (byte ranges: the key without its quotes, and the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The key, unquoted (it needs no escaping).
    pub key: std::ops::Range<usize>,
    /// The value's JSON.
    pub value: std::ops::Range<usize>,
}

/// A stored user as its JSON text plus what its view derives, so the HTTP
/// layer can render the common read (no `attributes`) without decoding it
/// into a tree and encoding it again (`routes::present`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawUser {
    /// The user's id.
    pub id: String,
    /// The stored user: compact JSON, keys sorted, with `id` and `meta`.
    pub json: String,
    /// Where each top-level attribute sits in `json`, in key order (`None`
    /// when a key needs escaping).
    pub fields: Option<Vec<Field>>,
    /// The version behind `meta.version`.
    pub version: u64,
    /// The derived `groups`: (group id, display name), in the view's order.
    pub groups: Vec<(String, Option<String>)>,
}

impl RawUser {
    /// The derived `groups` of a user's view: `[{value, display, type}]`.
    pub(crate) fn groups_value(groups: &[(String, Option<String>)]) -> Value {
        Value::Array(
            groups
                .iter()
                .map(|(id, display)| {
                    let mut entry = serde_json::Map::new();
                    entry.insert("value".into(), Value::String(id.clone()));
                    if let Some(display) = display {
                        entry.insert("display".into(), Value::String(display.clone()));
                    }
                    entry.insert("type".into(), Value::String("direct".into()));
                    Value::Object(entry)
                })
                .collect(),
        )
    }

    /// The user's materialised view, as [`Store::get`] returns it.
    pub fn view(&self) -> Value {
        // The text was written by the store from a `Value`; `Null` is unreachable.
        let mut view: Value = serde_json::from_str(&self.json).unwrap_or(Value::Null);
        if let (false, Some(obj)) = (self.groups.is_empty(), view.as_object_mut()) {
            obj.insert("groups".into(), Self::groups_value(&self.groups));
        }
        view
    }
}

/// A closure run under the write lock: receives the current view, returns the new resource.
pub(crate) type Mutation<'a> = &'a mut (dyn FnMut(&Value) -> Result<Value, ScimError> + Send);

/// Storage of Users and Groups. Every method is atomic.
///
/// Views returned by the store are "materialised": a User carries its
/// derived `groups` (`value`, `display`, `type`); a Group's `members` carry
/// `display` and `type`. `$ref` and `meta.location` are added by the HTTP layer.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Stores a new resource under `id`, setting `meta`; checks uniqueness
    /// (`userName`, group `displayName`, case-insensitively) and that group
    /// members exist.
    fn create(
        &self,
        kind: Kind,
        id: String,
        resource: Value,
        now: OffsetDateTime,
    ) -> Result<Value, StoreError>;

    /// The current view of a resource.
    fn get(&self, kind: Kind, id: &str) -> Option<Value>;

    /// A user as stored, with its derived groups.
    fn get_raw_user(&self, id: &str) -> Option<RawUser>;

    /// Replaces a resource with what `mutation` returns from its current
    /// view; keeps `id` and `meta.created`, bumps `meta.version`, re-checks
    /// uniqueness and members.
    fn update(
        &self,
        kind: Kind,
        id: &str,
        now: OffsetDateTime,
        mutation: Mutation<'_>,
    ) -> Result<Value, StoreError>;

    /// Deletes a resource; a deleted user leaves every group.
    fn delete(&self, kind: Kind, id: &str, now: OffsetDateTime) -> Result<(), StoreError>;

    /// Filters, sorts and pages one kind.
    fn query(&self, kind: Kind, spec: &QuerySpec<'_>) -> Page;

    /// Sets `active: false` on every user (disable SCIM in `lock` mode); returns how many changed.
    fn deactivate_all_users(&self, now: OffsetDateTime) -> usize;

    /// Number of stored resources of a kind.
    fn len(&self, kind: Kind) -> usize;

    /// Whether no resources of a kind are stored.
    fn is_empty(&self, kind: Kind) -> bool {
        self.len(kind) == 0
    }
}

/// The weak ETag of a version number: `W/"<n>"`.
pub fn etag(version: u64) -> String {
    format!("W/\"{version}\"")
}
