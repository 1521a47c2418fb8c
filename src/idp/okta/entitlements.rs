//! Okta Identity Governance's entitlement actions (okta-wire.md §4.5, §5.3
//! RS-ENT): discovering a role or entitlement endpoint through
//! `/ResourceTypes`, importing it the way Okta does (`count=1` pages
//! following `totalResults`), and granting roles and entitlements to a user.
//! Must not build other user or group requests.

use serde_json::{Value, json};

use super::wire::{HEADERS, fetch, list_checks, put_merged, user_path};
use crate::idp::ExpandError;
use crate::idp::request::{Args, StepExt, eq, ops, step};
use crate::scim::{LIST_RESPONSE_SCHEMA, OKTA_ENTITLEMENT_SCHEMA, OKTA_ROLE_SCHEMA};
use crate::suite::model::Method;
use crate::suite::model::{CaptureDetail, CaptureSpec, Paginate, RequestStep};

/// The variable holding the discovered endpoint (`/Licenses`).
pub(super) const ENDPOINT_VAR: &str = "_okta_entitlement_endpoint";
/// The variable holding the first extension schema of the discovered type.
const EXTENSION_VAR: &str = "_okta_entitlement_extension";
/// The variable holding the first page's `totalResults`.
const TOTAL_VAR: &str = "_okta_entitlement_total";
/// Bound on the pages of one import (Okta reads one entitlement per page).
const MAX_PAGES: u64 = 500;

/// `with.schema`: `role`, `entitlement` (default) or a full URN.
fn schema_urn(args: &Args<'_>) -> Result<String, ExpandError> {
    match args.string_or("schema", "entitlement").as_str() {
        "entitlement" => Ok(OKTA_ENTITLEMENT_SCHEMA.to_owned()),
        "role" => Ok(OKTA_ROLE_SCHEMA.to_owned()),
        urn if urn.starts_with("urn:") => Ok(urn.to_owned()),
        other => Err(args.error(format!(
            "`with.schema` must be `role`, `entitlement` or a URN, got `{other}`"
        ))),
    }
}

/// A JSONPath string literal (single quotes, escaped).
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// `GET /ResourceTypes`, capturing the endpoint of the first resource type
/// with the wanted schema (and `with.name`, if given) into [`ENDPOINT_VAR`].
fn discover(o: &str, args: &Args<'_>) -> Result<RequestStep, ExpandError> {
    let urn = schema_urn(args)?;
    let mut filter = format!("@.schema == {}", literal(&urn));
    if let Some(name) = args.opt("name").and_then(Value::as_str) {
        filter.push_str(&format!(" && @.name == {}", literal(name)));
    }
    let mut s = step(
        &HEADERS,
        o,
        "resource types",
        Method::Get,
        "/ResourceTypes".into(),
    )
    .status(&[200]);
    // Several matches give an array: the regex keeps the first endpoint.
    s.capture.insert(
        ENDPOINT_VAR.to_owned(),
        CaptureSpec::Detailed(CaptureDetail {
            json: Some(format!("$.Resources[?{filter}].endpoint")),
            regex: Some(r#"^\[?"?([^"\[\],\s]+)"#.to_owned()),
            ..CaptureDetail::default()
        }),
    );
    // Okta reads /Schemas only for extensions it does not know (§4.5).
    s.capture.insert(
        EXTENSION_VAR.to_owned(),
        CaptureSpec::Detailed(CaptureDetail {
            json: Some(format!("$.Resources[?{filter}].schemaExtensions[*].schema")),
            regex: Some(r#"^\[?"?([^"\[\],\s]+)"#.to_owned()),
            optional: true,
            ..CaptureDetail::default()
        }),
    );
    Ok(s)
}

/// `GET /Schemas` when the discovered type has an extension: it must be
/// among the schemas served (RFC 7643 §6, §7).
fn extension_schemas(o: &str) -> RequestStep {
    step(&HEADERS, o, "schemas", Method::Get, "/Schemas".into())
        .status(&[200])
        .json(
            "$.Resources[*].id",
            ops(json!({"contains": format!("{{{{ {EXTENSION_VAR} }}}}")})),
        )
        .when(EXTENSION_VAR, Value::Null, false)
}

/// `okta.import_entitlements`: discovery (unless `with.endpoint` names the
/// endpoint; `/Schemas` only when the type has an extension), Runscope's Entitlements step (`?count=1&startIndex=1`:
/// `Resources` non-empty, `itemsPerPage == 1`, paging fields numbers, each
/// resource an `id` and a `displayName`), then Okta's import paged by one
/// following `totalResults`: one resource per page, every resource once.
pub(super) fn import_entitlements(
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let enc = args.encoding()?;
    let mut steps = Vec::new();
    let endpoint = match args.opt("endpoint") {
        Some(_) => args.string("endpoint")?,
        None => {
            steps.push(discover(o, args)?);
            steps.push(extension_schemas(o));
            format!("{{{{ {ENDPOINT_VAR} }}}}")
        }
    };
    let first = list_checks(
        step(&HEADERS, o, "first page", Method::Get, endpoint.clone())
            .query(&[("count", json!(1)), ("startIndex", json!(1))], enc),
    )
    .json("$.Resources", ops(json!({"non_empty": true})))
    .json("$.schemas", ops(json!({"contains": LIST_RESPONSE_SCHEMA})))
    .json("$.itemsPerPage", eq(json!(1)))
    .json(
        "$.Resources[0].id",
        ops(json!({"type": "string", "non_empty": true})),
    )
    .json(
        "$.Resources[0].displayName",
        ops(json!({"non_empty": true})),
    )
    .capture(TOTAL_VAR, "$.totalResults", false)
    .with_action_extras(args.action);
    steps.push(first);
    let mut all = step(&HEADERS, o, "all pages", Method::Get, endpoint)
        .status(&[200])
        // One resource per page: as many pages as the first page's total
        // (a server ignoring `count` answers everything on page one).
        .json("$.pages", eq(json!(format!("{{{{ {TOTAL_VAR} }}}}"))))
        // Every resource once (a server ignoring `startIndex` repeats one).
        .json("$.Resources[*].id", ops(json!({"unique": true})));
    all.request.encoding = enc;
    all.request.paginate = Some(Paginate {
        count: 1,
        max_pages: MAX_PAGES,
    });
    steps.push(all);
    Ok(steps)
}

/// One `roles` / `entitlements` entry: a plain string is its `value`.
fn entry(args: &Args<'_>, item: &Value, field: &str) -> Result<Value, ExpandError> {
    match item {
        Value::String(value) => Ok(json!({ "value": value })),
        Value::Object(map) if map.contains_key("value") => Ok(item.clone()),
        other => Err(args.error(format!(
            "`with.{field}` entries must be a value or a map with `value`, got {other}"
        ))),
    }
}

/// `okta.grant_entitlements`: a grant reaches the app as a profile push
/// (okta-wire.md §2.5: `GET` + full `PUT`) whose user carries
/// `roles:[{value,display}]` and `entitlements:[{value,display,type}]`
/// (§4.5). `with.id`, and `with.roles` / `with.entitlements` (lists of
/// values or of maps with `value`).
pub(super) fn grant_entitlements(
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let path = user_path(args)?;
    let mut merge = serde_json::Map::new();
    for field in ["roles", "entitlements"] {
        if args.opt(field).is_some() {
            let items = args
                .list(field)?
                .iter()
                .map(|item| entry(args, item, field))
                .collect::<Result<Vec<_>, _>>()?;
            merge.insert(field.to_owned(), Value::Array(items));
        }
    }
    if merge.is_empty() {
        return Err(args.error("needs `with.roles` or `with.entitlements`"));
    }
    Ok(vec![
        fetch(o, "get user", path.clone()),
        put_merged(o, "put user with grants", &path, Value::Object(merge))
            .with_action_extras(args.action),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::model::ActionStep;

    fn action(name: &str, with: Value) -> ActionStep {
        serde_json::from_value(json!({"action": format!("okta.{name}"), "with": with}))
            .expect("action")
    }

    fn args(a: &ActionStep) -> Args<'_> {
        Args {
            suite: "t.yaml",
            case: "c",
            action: a,
        }
    }

    fn line(s: &RequestStep) -> String {
        let q: Vec<String> = s
            .request
            .query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!("{} {}?{}", s.request.method, s.request.path, q.join("&"))
    }

    #[test]
    fn import_discovers_then_reads_one_per_page() {
        let a = action(
            "import_entitlements",
            json!({"schema": "role", "name": "Role"}),
        );
        let steps = import_entitlements("okta", &args(&a)).expect("expands");
        let lines: Vec<String> = steps.iter().map(line).collect();
        assert_eq!(
            lines,
            vec![
                "GET /ResourceTypes?".to_owned(),
                "GET /Schemas?".to_owned(),
                format!("GET {{{{ {ENDPOINT_VAR} }}}}?count=1&startIndex=1"),
                format!("GET {{{{ {ENDPOINT_VAR} }}}}?"),
            ]
        );
        let CaptureSpec::Detailed(d) = &steps[0].capture[ENDPOINT_VAR] else {
            panic!("detailed capture");
        };
        assert_eq!(
            d.json.as_deref(),
            Some(
                format!(
                    "$.Resources[?@.schema == '{OKTA_ROLE_SCHEMA}' && @.name == 'Role'].endpoint"
                )
                .as_str()
            )
        );
        assert_eq!(
            steps[1]
                .when
                .as_ref()
                .map(|w| (w.var.as_str(), w.ne.clone())),
            Some((EXTENSION_VAR, Some(Value::Null)))
        );
        assert!(steps[2].expect.json.contains_key("$.itemsPerPage"));
        let paginate = steps[3].request.paginate.as_ref().expect("paged");
        assert_eq!((paginate.count, paginate.max_pages), (1, MAX_PAGES));
    }

    #[test]
    fn an_explicit_endpoint_skips_discovery_and_bad_schemas_are_refused() {
        let a = action("import_entitlements", json!({"endpoint": "/Licenses"}));
        let steps = import_entitlements("okta", &args(&a)).expect("expands");
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].request.path, "/Licenses");
        let a = action("import_entitlements", json!({"schema": "licence"}));
        let err = import_entitlements("okta", &args(&a)).expect_err("bad schema");
        assert!(err.to_string().contains("`with.schema`"), "{err}");
    }

    #[test]
    fn a_grant_is_a_get_and_a_put_carrying_the_grants() {
        let a = action(
            "grant_entitlements",
            json!({"id": "u1", "roles": ["admin"],
                   "entitlements": [{"value": "pro", "type": "License"}]}),
        );
        let steps = grant_entitlements("okta", &args(&a)).expect("expands");
        assert_eq!(
            steps.iter().map(line).collect::<Vec<_>>(),
            vec!["GET /Users/u1?", "PUT /Users/u1?"]
        );
        assert_eq!(
            steps[1].request.body_merge,
            Some(json!({"roles": [{"value": "admin"}],
                        "entitlements": [{"value": "pro", "type": "License"}]}))
        );
        for bad in [json!({"id": "u1"}), json!({"id": "u1", "roles": [1]})] {
            let a = action("grant_entitlements", bad);
            assert!(grant_entitlements("okta", &args(&a)).is_err());
        }
    }
}
