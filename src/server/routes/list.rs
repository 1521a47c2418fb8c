//! Listing and searching: `GET /Users`, `GET /Groups`, `POST …/.search` and
//! root `POST /.search`. Parses paging (`startIndex` 1-based, values < 1 → 1;
//! `count` negative → 0, capped to `maxResults`), sorting and filters, asks
//! the store, and builds the `ListResponse`.

use serde::Deserialize;
use serde_json::{Value, json};

use super::present::{present, user_bytes};
use super::resources::ensure_enabled;
use crate::scim::LIST_RESPONSE_SCHEMA;
use crate::server::error::ScimError;
use crate::server::extract::{ListParams, ScimBody, ScimResponse, split_list};
use crate::server::scim_adapter;
use crate::server::state::AppState;
use crate::server::store::{Kind, QuerySpec};

/// A `SearchRequest` body (RFC 7644 §3.4.3).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SearchRequest {
    /// Ignored beyond being accepted (and being a list of strings).
    #[serde(default)]
    #[allow(dead_code)]
    pub schemas: Vec<String>,
    /// Attributes to return (array or comma-separated string).
    #[serde(default)]
    pub attributes: Option<StringOrList>,
    /// Attributes to leave out.
    #[serde(default)]
    pub excluded_attributes: Option<StringOrList>,
    /// Filter expression.
    #[serde(default)]
    pub filter: Option<String>,
    /// Sort attribute.
    #[serde(default)]
    pub sort_by: Option<String>,
    /// `ascending` / `descending`.
    #[serde(default)]
    pub sort_order: Option<String>,
    /// 1-based start index.
    #[serde(default)]
    pub start_index: Option<Value>,
    /// Page size.
    #[serde(default)]
    pub count: Option<Value>,
}

/// An attribute list written as a JSON array or a comma-separated string.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum StringOrList {
    /// `"a,b"`.
    One(String),
    /// `["a", "b"]`.
    Many(Vec<String>),
}

impl StringOrList {
    fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(s) => split_list(&s),
            Self::Many(v) => v,
        }
    }
}

fn raw(v: Option<Value>) -> Option<String> {
    v.map(|v| match v {
        Value::String(s) => s,
        other => other.to_string(),
    })
}

impl From<SearchRequest> for ListParams {
    fn from(r: SearchRequest) -> Self {
        Self {
            filter: r.filter,
            sort_by: r.sort_by,
            sort_order: r.sort_order,
            start_index: raw(r.start_index),
            count: raw(r.count),
            attributes: r.attributes.map(StringOrList::into_vec).unwrap_or_default(),
            excluded_attributes: r
                .excluded_attributes
                .map(StringOrList::into_vec)
                .unwrap_or_default(),
        }
    }
}

fn parse_int(name: &str, raw: Option<&str>) -> Result<Option<i64>, ScimError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ScimError::invalid_value(format!("{name} must be an integer"))),
    }
}

/// Resolved paging: 1-based start and capped count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging {
    /// 1-based start index (≥ 1).
    pub start_index: usize,
    /// Page size (0 ≤ count ≤ max_results).
    pub count: usize,
}

impl Paging {
    /// Applies the RFC 7644 §3.4.2.4 rules.
    pub fn resolve(params: &ListParams, max_results: usize) -> Result<Self, ScimError> {
        let start = parse_int("startIndex", params.start_index.as_deref())?.unwrap_or(1);
        let count = parse_int("count", params.count.as_deref())?;
        let count = match count {
            None => max_results,
            Some(c) if c <= 0 => 0,
            Some(c) => usize::try_from(c).unwrap_or(usize::MAX).min(max_results),
        };
        Ok(Self {
            start_index: usize::try_from(start.max(1)).unwrap_or(1),
            count,
        })
    }
}

fn descending(params: &ListParams) -> Result<bool, ScimError> {
    match params.sort_order.as_deref().map(str::trim) {
        None | Some("") => Ok(false),
        Some(o) if o.eq_ignore_ascii_case("ascending") => Ok(false),
        Some(o) if o.eq_ignore_ascii_case("descending") => Ok(true),
        Some(o) => Err(ScimError::invalid_value(format!(
            "sortOrder must be ascending or descending, not {o}"
        ))),
    }
}

/// Runs a list/search over `kinds` and builds the `ListResponse`.
pub(crate) fn search(
    state: &AppState,
    kinds: &[Kind],
    base: &str,
    params: &ListParams,
) -> Result<ScimResponse, ScimError> {
    let paging = Paging::resolve(params, state.max_results)?;
    let descending = descending(params)?;
    let mut total = 0usize;
    let mut resources = Vec::new();
    let single = kinds.len() == 1;
    let schemas = state.schemas();
    // One kind of users with the default projection: rendered from stored
    // text (`render`), the list wrapped around them as text too.
    let render = single
        && kinds == [Kind::User]
        && params.attributes.is_empty()
        && params.excluded_attributes.is_empty()
        && scim_adapter::user_default_drops(&schemas).is_some();
    let mut rendered: Vec<Vec<u8>> = Vec::new();
    for &kind in kinds {
        if single {
            ensure_enabled(state, kind)?;
        } else if ensure_enabled(state, kind).is_err() {
            continue;
        }
        let filter = params
            .filter
            .as_deref()
            .filter(|f| !f.trim().is_empty())
            .map(|f| scim_adapter::compile_filter(f, &schemas, kind))
            .transpose()?;
        // An attribute the resource type does not define: 400 invalidFilter
        // rather than an empty list the IdP would read as "no such user"
        // (a root search spans types, so it only filters).
        if single
            && let Some(attr) = filter
                .as_ref()
                .and_then(|f| f.unknown_attribute(&schemas, kind))
        {
            return Err(ScimError::invalid_filter(format!(
                "the filter names `{attr}`, which is not an attribute of this resource type"
            )));
        }
        // The store evaluates only what its index does not answer.
        let residual = filter.as_ref().and_then(|f| f.residual(kind));
        let predicate = |v: &Value| {
            residual
                .as_ref()
                .is_none_or(|f| f.matches(v, &schemas, kind))
        };
        let spec = QuerySpec {
            index: filter
                .as_ref()
                .and_then(scim_adapter::CompiledFilter::index),
            predicate: residual.is_some().then_some(&predicate),
            reads: residual.as_ref().and_then(|f| f.reads(kind)),
            sort_by: params.sort_by.clone().filter(|s| !s.trim().is_empty()),
            descending,
            start_index: if single { paging.start_index } else { 1 },
            raw: render,
            count: if single { paging.count } else { usize::MAX },
        };
        let page = state.store.query(kind, &spec);
        total += page.total;
        rendered.extend(page.raw.iter().map(|raw| user_bytes(state, base, raw)));
        resources.extend(page.resources.into_iter().map(|view| {
            present(
                state,
                kind,
                base,
                view,
                &params.attributes,
                &params.excluded_attributes,
            )
        }));
    }
    if !single {
        resources = resources
            .into_iter()
            .skip(paging.start_index.saturating_sub(1))
            .take(paging.count)
            .collect();
    }
    if render {
        return Ok(ScimResponse::ok_encoded(ScimBody::Encoded(list_response(
            &rendered,
            total,
            paging.start_index,
        ))));
    }
    let body = json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total,
        "itemsPerPage": resources.len(),
        "startIndex": paging.start_index,
        "Resources": resources,
    });
    Ok(ScimResponse::ok(body))
}

/// The `ListResponse` around already encoded resources, keys in the order
/// `json!` gives them (sorted), so both paths answer the same bytes.
fn list_response(resources: &[Vec<u8>], total: usize, start_index: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(resources.iter().map(Vec::len).sum::<usize>() + 160);
    body.extend_from_slice(b"{\"Resources\":[");
    for (i, resource) in resources.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(resource);
    }
    let tail = format!(
        "],\"itemsPerPage\":{},\"schemas\":[\"{LIST_RESPONSE_SCHEMA}\"],\"startIndex\":{start_index},\"totalResults\":{total}}}",
        resources.len()
    );
    body.extend_from_slice(tail.as_bytes());
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(start: Option<&str>, count: Option<&str>) -> ListParams {
        ListParams {
            start_index: start.map(str::to_owned),
            count: count.map(str::to_owned),
            ..ListParams::default()
        }
    }

    #[test]
    fn paging_clamps_start_and_count() {
        let p = Paging::resolve(&params(Some("0"), Some("-5")), 1000).expect("ok");
        assert_eq!(
            p,
            Paging {
                start_index: 1,
                count: 0
            }
        );
        let p = Paging::resolve(&params(None, Some("5000")), 1000).expect("ok");
        assert_eq!(p.count, 1000);
        let p = Paging::resolve(&params(Some("3"), None), 50).expect("ok");
        assert_eq!(
            p,
            Paging {
                start_index: 3,
                count: 50
            }
        );
    }

    #[test]
    fn non_integer_count_is_invalid_value() {
        let err = Paging::resolve(&params(None, Some("ten")), 10).expect_err("bad");
        assert_eq!(err.body().scim_type.as_deref(), Some("invalidValue"));
    }

    #[test]
    fn search_request_accepts_string_or_array_attributes() {
        let r: SearchRequest = serde_json::from_value(json!({
            "attributes": "userName,emails", "excludedAttributes": ["name"], "count": 3
        }))
        .expect("parse");
        let p = ListParams::from(r);
        assert_eq!(p.attributes, vec!["userName", "emails"]);
        assert_eq!(p.excluded_attributes, vec!["name"]);
        assert_eq!(p.count.as_deref(), Some("3"));
    }
}
