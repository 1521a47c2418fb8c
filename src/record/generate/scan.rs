//! Reading recorded exchanges: where the SCIM base path ends, what kind of
//! resource a request touches, which ids the server revealed and which
//! values the client generated. Pure functions on [`Exchange`]s.

use serde_json::Value;

use crate::record::exchange::Exchange;

/// The SCIM endpoint names a base path ends before.
const ENDPOINTS: &[&str] = &[
    "Users",
    "Groups",
    "Bulk",
    "Me",
    ".search",
    "ServiceProviderConfig",
    "Schemas",
    "ResourceTypes",
];

/// A request path split into the base (`/scim/v2`) and the part a suite
/// writes (`/Users/42`). Without a known endpoint the whole path is kept.
pub fn split_base(path: &str) -> (&str, &str) {
    let mut offset = 0;
    for seg in path.split('/') {
        if ENDPOINTS.contains(&seg) && offset > 0 {
            let at = offset - 1;
            return (&path[..at], &path[at..]);
        }
        offset += seg.len() + 1;
    }
    ("", path)
}

/// What a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `/Users…`
    User,
    /// `/Groups…`
    Group,
    /// Anything else (discovery, Bulk, …).
    Other,
}

impl Kind {
    /// `user`, `group`, `resource`.
    pub fn word(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Group => "group",
            Self::Other => "resource",
        }
    }
}

/// The kind of a relative path, and whether it names one item.
pub fn kind_of(rel: &str) -> (Kind, bool) {
    let segs: Vec<&str> = rel.split('/').filter(|s| !s.is_empty()).collect();
    let kind = match segs.first().copied() {
        Some("Users") => Kind::User,
        Some("Groups") => Kind::Group,
        _ => Kind::Other,
    };
    (kind, segs.len() > 1 && kind != Kind::Other)
}

/// Ids the response reveals, with the JSONPath that finds each.
pub fn revealed_ids(exchange: &Exchange) -> Vec<(String, String)> {
    if !(200..300).contains(&exchange.status) {
        return Vec::new();
    }
    let Some(body) = exchange.response_body.json() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(id) = body.get("id").and_then(Value::as_str) {
        out.push((id.to_owned(), "$.id".to_owned()));
    }
    if let Some(items) = body.get("Resources").and_then(Value::as_array) {
        for (i, item) in items.iter().enumerate() {
            if let Some(id) = item.get("id").and_then(Value::as_str) {
                out.push((id.to_owned(), format!("$.Resources[{i}].id")));
            }
        }
    }
    out
}

/// Values a client generated in a create (`userName`, `externalId`,
/// a group's `displayName`), with the built-in that replaces each.
pub fn generated_values(exchange: &Exchange, rel: &str) -> Vec<(String, &'static str)> {
    if !exchange.method.eq_ignore_ascii_case("POST") {
        return Vec::new();
    }
    let (kind, item) = kind_of(rel);
    if item || kind == Kind::Other {
        return Vec::new();
    }
    let Some(body) = exchange.request_body.json() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut take = |key: &str| {
        if let Some(v) = body.get(key).and_then(Value::as_str)
            && v.chars().count() >= 3
        {
            let builtin = if key == "externalId" {
                "unique.id"
            } else if v.contains('@') {
                "unique.email"
            } else {
                "unique.username"
            };
            out.push((v.to_owned(), builtin));
        }
    };
    match kind {
        Kind::User => {
            take("userName");
            take("externalId");
        }
        Kind::Group => {
            take("displayName");
            take("externalId");
        }
        Kind::Other => {}
    }
    out
}

/// Whether `needle` occurs in `text` as a whole token (not inside a longer
/// run of letters and digits).
pub fn contains_token(text: &str, needle: &str) -> bool {
    !needle.is_empty() && replace_token(text, needle, "\u{0}") != text
}

/// Replaces every whole-token occurrence of `needle` in `text`.
pub fn replace_token(text: &str, needle: &str, with: &str) -> String {
    if needle.is_empty() {
        return text.to_owned();
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut prev: Option<char> = None;
    while let Some(at) = rest.find(needle) {
        let before = rest[..at]
            .chars()
            .next_back()
            .or(if at == 0 { prev } else { None });
        let after = rest[at + needle.len()..].chars().next();
        let bounded = !before.is_some_and(is_word) && !after.is_some_and(is_word);
        out.push_str(&rest[..at]);
        if bounded {
            out.push_str(with);
        } else {
            out.push_str(needle);
        }
        prev = needle.chars().next_back();
        rest = &rest[at + needle.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_path_ends_before_the_first_endpoint() {
        assert_eq!(split_base("/scim/v2/Users/42"), ("/scim/v2", "/Users/42"));
        assert_eq!(split_base("/Users"), ("", "/Users"));
        assert_eq!(split_base("/health"), ("", "/health"));
    }

    #[test]
    fn tokens_are_replaced_only_at_word_boundaries() {
        assert_eq!(
            replace_token("/Users/ab12", "ab12", "{{ id }}"),
            "/Users/{{ id }}"
        );
        assert_eq!(replace_token("xab12 ab12", "ab12", "X"), "xab12 X");
        assert_eq!(
            replace_token("userName eq \"a@b.c\"", "a@b.c", "{{ u }}"),
            "userName eq \"{{ u }}\""
        );
        assert!(!contains_token("count=100", "10"));
    }
}
