//! Building the outgoing request of a step: fills the templates of a request
//! step into an `Outgoing` (method, URL with query string, auth header,
//! default headers, body).

use serde_json::Value;

use crate::runner::client::Outgoing;
use crate::runner::options::{Credentials, RunOptions, basic_value};
use crate::runner::query;
use crate::runner::{RunError, RunErrorKind};
use crate::suite::model::{Auth, Expect, RequestSpec};
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
            url: query::join_url(&opts.target, &path, &qs),
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

/// Renders every template inside `expect`.
pub(crate) fn render_expect(expect: &Expect, scope: &Scope) -> Result<Expect, RunError> {
    if expect.is_empty() {
        return Ok(Expect::default());
    }
    let value = serde_json::to_value(expect)
        .map_err(|e| RunError::new(RunErrorKind::Step, format!("expect: {e}")))?;
    let rendered = render_value(&value, scope).map_err(|e| template_err("expect", e))?;
    serde_json::from_value(rendered).map_err(|e| {
        RunError::new(
            RunErrorKind::Template,
            format!("expect after rendering: {e}"),
        )
    })
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
}
