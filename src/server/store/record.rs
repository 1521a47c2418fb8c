//! [`Record`]: how the in-memory store keeps one resource. The resource is
//! held as compact JSON text rather than a `serde_json::Value` tree: a
//! typical user is about 450 bytes of text against about 3.5 KB of B-tree
//! nodes and small strings, which is what keeps 100,000 users well under
//! 300 MiB. Reads decode the text (about the cost of the deep copy a tree
//! needed anyway). Next to the text, a record keeps what other resources'
//! views need without decoding it (its version and its display name) and
//! where each top-level attribute sits in the text ([`Field`]), so a read
//! can copy attributes as text without scanning it.

use serde_json::Value;

use super::index::str_at;
use super::{Field, Kind};

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
    /// Where each top-level attribute is in `json`, in key order; `None`
    /// when a key needs escaping (rare; such records are decoded instead).
    fields: Option<Box<[Field]>>,
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
        let (json, fields) = encode(resource);
        Self {
            json: json.into_boxed_str(),
            version,
            display,
            fields,
        }
    }

    /// Where each top-level attribute sits in the text, if known.
    pub(super) fn fields(&self) -> Option<&[Field]> {
        self.fields.as_deref()
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

/// The compact JSON of `resource` (exactly `Value::to_string`) and, for an
/// object whose keys need no escaping, each top-level attribute's place in it.
fn encode(resource: &Value) -> (String, Option<Box<[Field]>>) {
    let Value::Object(map) = resource else {
        return (resource.to_string(), None);
    };
    let mut out = String::with_capacity(512);
    let mut fields = Vec::with_capacity(map.len());
    let mut plain = true;
    out.push('{');
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let quoted = Value::String(key.clone()).to_string();
        plain &= quoted.len() == key.len() + 2;
        let key_start = out.len() + 1;
        out.push_str(&quoted);
        out.push(':');
        let value_start = out.len();
        out.push_str(&value.to_string());
        fields.push(Field {
            key: key_start..key_start + key.len(),
            value: value_start..out.len(),
        });
    }
    out.push('}');
    (out, plain.then(|| fields.into_boxed_slice()))
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
        assert_eq!(record.json(), user.to_string());
        let fields = record.fields().expect("plain keys");
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|f| {
                (
                    &record.json()[f.key.clone()],
                    &record.json()[f.value.clone()],
                )
            })
            .collect();
        assert_eq!(pairs.first(), Some(&("active", "true")));
        assert_eq!(
            pairs.iter().find(|(k, _)| *k == "name"),
            Some(&("name", "{\"givenName\":\"Ada\"}"))
        );
        assert_eq!(pairs.len(), user.as_object().map_or(0, |o| o.len()));
        let odd = Record::new(Kind::User, &json!({"we\"ird": 1}), 1);
        assert!(odd.fields().is_none());
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
