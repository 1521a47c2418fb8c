//! Query strings built exactly as IdPs send them: parameters in the given
//! order, RFC 3986 percent-encoding of everything but unreserved characters,
//! and spaces as `%20` or `+` depending on the step's encoding.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::suite::model::QueryEncoding;

/// Everything except RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Encodes one query component.
pub fn encode_component(text: &str, encoding: QueryEncoding) -> String {
    match encoding {
        QueryEncoding::Percent20 => utf8_percent_encode(text, COMPONENT).to_string(),
        QueryEncoding::Plus => text
            .split(' ')
            .map(|part| utf8_percent_encode(part, COMPONENT).to_string())
            .collect::<Vec<_>>()
            .join("+"),
    }
}

/// Builds `k=v&k2=v2` (no leading `?`) from rendered pairs, in order.
pub fn build(pairs: &[(String, String)], encoding: QueryEncoding) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                encode_component(k, encoding),
                encode_component(v, encoding)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Joins the target base URL, a step path and a query string.
pub fn join_url(base: &str, path: &str, query: &str) -> String {
    let mut url = if path.starts_with("http://") || path.starts_with("https://") {
        path.to_owned()
    } else {
        let base = base.trim_end_matches('/');
        if path.is_empty() {
            base.to_owned()
        } else if path.starts_with('/') {
            format!("{base}{path}")
        } else {
            format!("{base}/{path}")
        }
    };
    if !query.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(query);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn okta_filter_is_encoded_with_percent_20() {
        let q = build(
            &[
                ("filter".into(), r#"userName eq "ada@example.com""#.into()),
                ("startIndex".into(), "1".into()),
                ("count".into(), "100".into()),
            ],
            QueryEncoding::Percent20,
        );
        assert_eq!(
            q,
            "filter=userName%20eq%20%22ada%40example.com%22&startIndex=1&count=100"
        );
    }

    #[test]
    fn plus_encoding_turns_spaces_into_plus_and_keeps_a_literal_plus_encoded() {
        let q = build(
            &[("filter".into(), r#"userName eq "a+b@x.io""#.into())],
            QueryEncoding::Plus,
        );
        assert_eq!(q, "filter=userName+eq+%22a%2Bb%40x.io%22");
    }

    #[test]
    fn unreserved_characters_stay_and_unicode_is_utf8_encoded() {
        assert_eq!(
            encode_component("a-b.c_d~é", QueryEncoding::Percent20),
            "a-b.c_d~%C3%A9"
        );
    }

    #[test]
    fn join_url_handles_slashes_and_existing_queries() {
        assert_eq!(
            join_url("http://h/scim/v2/", "/Users", ""),
            "http://h/scim/v2/Users"
        );
        assert_eq!(
            join_url("http://h/scim/v2", "Users", "a=1"),
            "http://h/scim/v2/Users?a=1"
        );
        assert_eq!(join_url("http://h", "/U?x=1", "a=1"), "http://h/U?x=1&a=1");
        assert_eq!(join_url("http://h", "https://o/x", ""), "https://o/x");
    }
}
