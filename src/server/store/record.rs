//! [`Record`]: how the in-memory store keeps one resource. The resource is
//! held as compact JSON text rather than a `serde_json::Value` tree: a
//! typical user is about 450 bytes of text against about 3.5 KB of B-tree
//! nodes and small strings, which is what keeps 100,000 users well under
//! 300 MiB. Reads decode the text (about the cost of the deep copy a tree
//! needed anyway). Next to the text, a record keeps what other resources'
//! views need without decoding it: its version and its display name.

use serde_json::Value;

use super::Kind;
use super::index::str_at;

/// One stored resource.
#[derive(Debug, Clone)]
pub(super) struct Record {
    /// The resource (with `id` and `meta`), as compact JSON.
    json: Box<str>,
    /// `meta.version`'s number.
    version: u64,
    /// What a group's `members[].display` or a user's `groups[].display`
    /// shows for this resource: `displayName`, else a user's `userName`.
    display: Option<Box<str>>,
}

impl Record {
    /// Encodes a stamped resource.
    pub(super) fn new(kind: Kind, resource: &Value, version: u64) -> Self {
        let display = str_at(resource, "displayName")
            .or_else(|| match kind {
                Kind::User => str_at(resource, "userName"),
                Kind::Group => None,
            })
            .map(Box::from);
        Self {
            json: resource.to_string().into_boxed_str(),
            version,
            display,
        }
    }

    /// The stored resource, decoded.
    pub(super) fn value(&self) -> Value {
        // The text was written by `Value::to_string` in `new`, so it always
        // parses; `Null` is unreachable and would surface as an empty view.
        serde_json::from_str(&self.json).unwrap_or(Value::Null)
    }

    /// The stored JSON text.
    pub(super) fn json(&self) -> &str {
        &self.json
    }

    /// The version number behind `meta.version`.
    pub(super) fn version(&self) -> u64 {
        self.version
    }

    /// The display name other resources show for this one.
    pub(super) fn display(&self) -> Option<&str> {
        self.display.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_record_decodes_to_what_was_stored() {
        let user = json!({
            "userName": "ada", "id": "u1", "active": true,
            "name": {"givenName": "Ada"}, "emails": [{"value": "a@x", "primary": true}],
            "x": 1.5, "n": -3, "big": 18446744073709551615u64
        });
        let record = Record::new(Kind::User, &user, 7);
        assert_eq!(record.value(), user);
        assert_eq!(record.version(), 7);
        assert_eq!(record.display(), Some("ada"));
    }

    #[test]
    fn display_prefers_display_name_and_groups_have_no_user_name_fallback() {
        let user = Record::new(
            Kind::User,
            &json!({"userName": "ada", "displayName": "Ada L"}),
            1,
        );
        assert_eq!(user.display(), Some("Ada L"));
        let group = Record::new(Kind::Group, &json!({"userName": "odd"}), 1);
        assert_eq!(group.display(), None);
    }
}
