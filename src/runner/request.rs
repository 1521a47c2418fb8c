//! Building the outgoing request of a step: fills the templates of a request
//! step into an `Outgoing` (method, URL with query string, auth header,
//! default headers, body).

use indexmap::IndexMap;
use serde_json::Value;

use crate::runner::client::Outgoing;
use crate::runner::options::{Credentials, RunOptions, basic_value};
use crate::runner::query;
use crate::runner::{RunError, RunErrorKind};
use crate::suite::model::{
    Auth, Expect, HeaderCheck, HeaderPredicate, Predicate, PredicateOps, RequestSpec,
};
use crate::template::{Scope, render_str, render_value};

/// A rendered request plus its rendered query pairs (paging adds to them).
#[derive(Debug, Clone)]
pub(crate) struct Rendered {
    pub outgoing: Outgoing,
    /// Rendered path (before the query string).
    pub path: String,
    /// Rendered query pairs.
    pub query: Vec<(String, String)>,
}

fn template_err(what: &str, e: impl std::fmt::Display) -> RunError {
    RunError::new(RunErrorKind::Template, format!("{what}: {e}"))
}

/// A JSON value as query or header text: strings raw, others as JSON.
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Merges `patch` into `base`: objects key by key (recursively), anything
/// else replaces.
pub(crate) fn deep_merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(&k) {
                    Some(existing) => deep_merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (base, patch) => *base = patch,
    }
}

/// Renders `spec` for sending to `opts.target`.
pub(crate) fn render_request(
    spec: &RequestSpec,
    scope: &Scope,
    opts: &RunOptions,
    origin: Option<&str>,
) -> Result<Rendered, RunError> {
    let path = render_str(&spec.path, scope).map_err(|e| template_err("path", e))?;
    let mut pairs = Vec::with_capacity(spec.query.len());
    for (k, v) in &spec.query {
        let key = render_str(k, scope).map_err(|e| template_err("query key", e))?;
        let value = render_value(v, scope).map_err(|e| template_err(&format!("query `{k}`"), e))?;
        pairs.push((key, value_text(&value)));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    let set = |headers: &mut Vec<(String, String)>, k: &str, v: String| {
        headers.retain(|(name, _)| !name.eq_ignore_ascii_case(k));
        headers.push((k.to_owned(), v));
    };
    let body = match (&spec.body, &spec.raw_body) {
        (_, Some(raw)) => Some(raw.clone()),
        (Some(b), None) => {
            let mut v = render_value(b, scope).map_err(|e| template_err("body", e))?;
            if let Some(m) = &spec.body_merge {
                let m = render_value(m, scope).map_err(|e| template_err("body_merge", e))?;
                deep_merge(&mut v, m);
            }
            Some(serde_json::to_string(&v).unwrap_or_else(|_| v.to_string()))
        }
        (None, None) => match &spec.body_merge {
            Some(m) => {
                let v = render_value(m, scope).map_err(|e| template_err("body_merge", e))?;
                Some(serde_json::to_string(&v).unwrap_or_else(|_| v.to_string()))
            }
            None => None,
        },
    };
    if body.is_some() {
        set(
            &mut headers,
            "Content-Type",
            "application/scim+json".to_owned(),
        );
    }
    set(&mut headers, "Accept", "application/scim+json".to_owned());
    if let Some(auth) = auth_header(&spec.auth, scope, opts)? {
        set(&mut headers, "Authorization", auth);
    }
    for (k, v) in &opts.headers {
        // A run-wide Authorization header never overrides a step's own `auth`.
        if k.eq_ignore_ascii_case("authorization") && spec.auth != Auth::Default {
            continue;
        }
        set(&mut headers, k, v.clone());
    }
    for (k, v) in &spec.headers {
        let value = render_str(v, scope).map_err(|e| template_err(&format!("header `{k}`"), e))?;
        set(&mut headers, k, value);
    }
    let qs = query::build(&pairs, spec.encoding);
    Ok(Rendered {
        outgoing: Outgoing {
            method: spec.method.name().to_owned(),
            url: {
                let mut url = query::join_url(&opts.target, &path, &qs);
                if let Some(suffix) = &spec.query_suffix {
                    url.push_str(suffix);
                }
                url
            },
            headers,
            body,
            origin: origin.map(str::to_owned),
        },
        path,
        query: pairs,
    })
}

/// The `Authorization` value for `auth`, or `None` for no header.
pub(crate) fn auth_header(
    auth: &Auth,
    scope: &Scope,
    opts: &RunOptions,
) -> Result<Option<String>, RunError> {
    Ok(match auth {
        Auth::Default if opts.oauth.is_some() => Some(crate::runner::oauth::PLACEHOLDER.to_owned()),
        Auth::Default => match &opts.credentials {
            Credentials::None => None,
            Credentials::Bearer(t) => Some(format!("Bearer {t}")),
            Credentials::Basic { user, password } => {
                Some(format!("Basic {}", basic_value(user, password)))
            }
        },
        Auth::None => None,
        Auth::Invalid => Some(format!(
            "Bearer scimulator-invalid-{}",
            uuid::Uuid::new_v4()
        )),
        Auth::Revoked => match &opts.revoked_token {
            Some(t) => Some(format!("Bearer {t}")),
            None => {
                return Err(RunError::new(
                    RunErrorKind::Step,
                    "`auth: revoked` needs --revoked-token (add `requires: [revoked_token]` to the case)",
                ));
            }
        },
        Auth::Token(t) => Some(format!(
            "Bearer {}",
            render_str(t, scope).map_err(|e| template_err("auth token", e))?
        )),
        Auth::Raw(s) => Some(render_str(s, scope).map_err(|e| template_err("auth", e))?),
        Auth::Scheme(scheme) => {
            let bearer = match auth_header(&Auth::Default, scope, opts)? {
                Some(value) if value.starts_with("Bearer ") => value,
                _ => {
                    return Err(RunError::new(
                        RunErrorKind::Step,
                        "`auth: { scheme: … }` needs a bearer token (--token or --oauth-token-url)",
                    ));
                }
            };
            Some(format!("{scheme} {}", &bearer["Bearer ".len()..]))
        }
    })
}

/// Fills the templates of `expect` field by field, with no serde round
/// trip: the compared values (`eq`, `eq_ci`, `ne`, `contains`, `one_of`,
/// `same_order`, `body`, a literal), the texts (header values, `matches`,
/// the snapshot name) and the keys (header names, JSONPaths). Status codes,
/// booleans, numbers, the JSON type and the schema name hold no template.
///
/// It keeps what rendering through JSON did: a value or text rendering to
/// `null` drops an optional check, a text rendering to another non-text
/// value is an error, and the header and JSONPath checks run in the byte
/// order of their names (serde_json's map order).
pub(crate) fn render_expect(expect: &Expect, scope: &Scope) -> Result<Expect, RunError> {
    if expect.is_empty() {
        return Ok(Expect::default());
    }
    let fill = Fill(scope);
    // In the order JSON rendering visited the fields (alphabetical), so
    // that the first failing template is the same one.
    let body = fill.optional_value(expect.body.as_ref())?;
    let mut headers = IndexMap::with_capacity(expect.headers.len());
    for (name, check) in sorted(&expect.headers) {
        headers.insert(fill.key(name)?, fill.header(check)?);
    }
    headers.sort_keys();
    let mut json = IndexMap::with_capacity(expect.json.len());
    for (path, predicate) in sorted(&expect.json) {
        json.insert(fill.key(path)?, fill.predicate(predicate)?);
    }
    json.sort_keys();
    let snapshot = fill.optional_text(expect.snapshot.as_deref())?;
    Ok(Expect {
        status: expect.status.clone(),
        headers,
        json,
        body,
        schema: expect.schema,
        snapshot,
    })
}

/// The entries of `map` in the byte order of their keys.
fn sorted<V>(map: &IndexMap<String, V>) -> Vec<(&String, &V)> {
    let mut entries: Vec<(&String, &V)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// Template filling for [`render_expect`].
struct Fill<'s>(&'s Scope);

impl Fill<'_> {
    fn value(&self, v: &Value) -> Result<Value, RunError> {
        render_value(v, self.0).map_err(|e| template_err("expect", e))
    }

    fn key(&self, k: &str) -> Result<String, RunError> {
        render_str(k, self.0).map_err(|e| template_err("expect", e))
    }

    /// An optional value: one rendering to `null` is no value.
    fn optional_value(&self, v: Option<&Value>) -> Result<Option<Value>, RunError> {
        Ok(match v {
            Some(v) => Some(self.value(v)?).filter(|v| !v.is_null()),
            None => None,
        })
    }

    /// An optional text: `null` is no text, another non-text value an error.
    fn optional_text(&self, t: Option<&str>) -> Result<Option<String>, RunError> {
        let Some(t) = t else { return Ok(None) };
        match self.value(&Value::String(t.to_owned()))? {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s)),
            other => Err(not_text(&other, "a string")),
        }
    }

    fn header(&self, check: &HeaderCheck) -> Result<HeaderCheck, RunError> {
        Ok(match check {
            HeaderCheck::Equals(t) => match self.value(&Value::String(t.clone()))? {
                Value::String(s) => HeaderCheck::Equals(s),
                Value::Bool(b) => HeaderCheck::Equals(b.to_string()),
                Value::Number(n) if n.is_i64() || n.is_u64() => HeaderCheck::Equals(n.to_string()),
                other => return Err(not_text(&other, "an exact header value")),
            },
            HeaderCheck::Detailed(p) => HeaderCheck::Detailed(HeaderPredicate {
                contains: self.optional_text(p.contains.as_deref())?,
                equals: self.optional_text(p.equals.as_deref())?,
                exists: p.exists,
                matches: self.optional_text(p.matches.as_deref())?,
                ne: self.optional_text(p.ne.as_deref())?,
            }),
        })
    }

    fn predicate(&self, predicate: &Predicate) -> Result<Predicate, RunError> {
        Ok(match predicate {
            Predicate::Eq(v) => Predicate::Eq(self.value(v)?),
            Predicate::Ops(ops) => {
                let one_of = match &ops.one_of {
                    Some(values) => Some(
                        values
                            .iter()
                            .map(|v| self.value(v))
                            .collect::<Result<Vec<_>, _>>()?,
                    ),
                    None => None,
                };
                // Every field named, so that a new one must say whether it
                // holds templates.
                Predicate::Ops(Box::new(PredicateOps {
                    absent: ops.absent,
                    contains: self.optional_value(ops.contains.as_ref())?,
                    eq: self.optional_value(ops.eq.as_ref())?,
                    eq_ci: self.optional_value(ops.eq_ci.as_ref())?,
                    exists: ops.exists,
                    ge: ops.ge,
                    gt: ops.gt,
                    le: ops.le,
                    len: ops.len,
                    lt: ops.lt,
                    matches: self.optional_text(ops.matches.as_deref())?,
                    ne: self.optional_value(ops.ne.as_ref())?,
                    non_empty: ops.non_empty,
                    one_of,
                    same_order: self.optional_value(ops.same_order.as_ref())?,
                    type_: ops.type_,
                    unique: ops.unique,
                }))
            }
        })
    }
}

/// A text field whose template rendered to a non-text value.
fn not_text(got: &Value, expected: &str) -> RunError {
    let kind = match got {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "sequence",
        Value::Object(_) => "map",
    };
    RunError::new(
        RunErrorKind::Template,
        format!("expect after rendering: invalid type: {kind}, expected {expected}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deep_merge_merges_objects_and_replaces_everything_else() {
        let mut base = json!({"name": {"givenName": "Grace", "familyName": "Hopper"}, "emails": [1, 2], "active": true});
        deep_merge(
            &mut base,
            json!({"name": {"givenName": "Amazing"}, "emails": [3], "title": "Eng"}),
        );
        assert_eq!(
            base,
            json!({"name": {"givenName": "Amazing", "familyName": "Hopper"}, "emails": [3], "active": true, "title": "Eng"})
        );
    }

    /// What `render_expect` did before: the model to JSON, templates
    /// filled in the JSON, the JSON back to the model. The oracle the typed
    /// rendering must agree with.
    fn through_json(expect: &Expect, scope: &Scope) -> Result<Expect, String> {
        let value = serde_json::to_value(expect).map_err(|e| e.to_string())?;
        let rendered = render_value(&value, scope).map_err(|e| format!("expect: {e}"))?;
        serde_json::from_value(rendered).map_err(|e| e.to_string())
    }

    fn scope() -> Scope {
        let mut scope = Scope::new("run-1");
        for (name, value) in [
            ("user", json!("ada@example.com")),
            ("USER", json!("ADA@example.com")),
            ("id", json!("2819c223")),
            ("num", json!(7)),
            ("flag", json!(true)),
            ("nothing", Value::Null),
            ("obj", json!({"givenName": "Ada"})),
            ("list", json!(["a", "b"])),
            ("hname", json!("Trace")),
            ("attr", json!("displayName")),
            ("base", json!("http://x")),
        ] {
            scope.set(name, value, false);
        }
        scope
    }

    fn expect(yaml: &str) -> Expect {
        serde_yaml_ng::from_str(yaml).expect("an expect block")
    }

    #[test]
    fn the_typed_rendering_agrees_with_rendering_through_json() {
        let scope = scope();
        let cases = [
            r#"
status: [200, 201]
headers:
  Location: { matches: "^{{ base }}/Users/", contains: "{{ id }}", exists: true }
  "X-{{ hname }}": "{{ num }}"
  ETag: "{{ flag }}"
  X-Null: { equals: "{{ nothing }}", ne: "W/{{ id }}" }
  Content-Type: application/scim+json
json:
  $.userName: "{{ user }}"
  $.b: { eq: "{{ obj }}", one_of: ["{{ num }}", "{{ nothing }}", x], contains: "{{ nothing }}", same_order: "{{ list }}", type: string, len: 3, gt: 1.5, lt: 9, ge: 0, le: 10, unique: true, non_empty: true, exists: true, absent: false, eq_ci: "{{ USER }}", ne: "a{{ num }}" }
  "$.{{ attr }}": { eq: { nested: "{{ num }}", "{{ hname }}": 1 } }
  $.a: { eq: 1, matches: "^{{ id }}$" }
  $.list: ["{{ num }}", "{{ user }}"]
  $.nil: "{{ nothing }}"
  $.t: { type: null }
body: { userName: "{{ user }}", n: "{{ num }}", z: "{{ nothing }}", emails: [{ value: "{{ user }}" }] }
schema: User
snapshot: "snap-{{ num }}"
"#,
            "body: \"{{ nothing }}\"\nsnapshot: \"{{ nothing }}\"\n",
            "json: { $.x: { eq: \"{{ nothing }}\", exists: true } }\n",
            "headers: { B: x, a: y, \"{{ hname }}\": z }\njson: { $.z: 1, $.A: 2, \"$.{{ attr }}\": 3 }\n",
            "status: 204\n",
            "{}\n",
        ];
        for yaml in cases {
            let e = expect(yaml);
            let typed = render_expect(&e, &scope).expect("renders");
            let oracle = through_json(&e, &scope).expect("renders through JSON");
            assert_eq!(typed, oracle, "{yaml}");
            // `IndexMap` equality ignores order: the checks run in the same order too.
            assert!(typed.headers.keys().eq(oracle.headers.keys()), "{yaml}");
            assert!(typed.json.keys().eq(oracle.json.keys()), "{yaml}");
        }
    }

    #[test]
    fn the_typed_rendering_fails_where_rendering_through_json_failed() {
        let scope = scope();
        for yaml in [
            "headers: { X: \"{{ obj }}\" }\n",
            "headers: { X: \"{{ nothing }}\" }\n",
            "headers: { X: { equals: \"{{ num }}\" } }\n",
            "json: { $.a: { matches: \"{{ list }}\" } }\n",
            "snapshot: \"{{ flag }}\"\n",
            "json: { $.a: \"{{ missing }}\" }\n",
            "body: { a: \"{{ nosuchfn(user) }}\" }\n",
            "json: { $.a: { eq: \"x {{ user\" } }\n",
        ] {
            let e = expect(yaml);
            let typed = render_expect(&e, &scope).expect_err(yaml);
            let oracle = through_json(&e, &scope).expect_err(yaml);
            assert_eq!(typed.kind, RunErrorKind::Template, "{yaml}");
            if oracle.starts_with("expect: ") {
                assert_eq!(typed.message, oracle, "{yaml}");
            }
        }
    }
}
