//! Okta's user actions: test connector, imports, push of a new user,
//! profile updates, (de)activation and password sync (okta-wire.md §2.1–§2.8).
//! Must not build group requests.

use serde_json::{Map, Value, json};

use super::wire::{Flavour, HEADERS, fetch, list_checks, pathless_replace, put_merged, user_path};
use crate::idp::ExpandError;
use crate::idp::mapping::ProfileMapping;
use crate::idp::request::{Args, StepExt, eq, eq_filter, ops, step};
use crate::scim::USER_SCHEMA;
use crate::suite::model::Method;
use crate::suite::model::{RequestStep, SchemaName};

/// §2.1: `GET /Users?startIndex=1&count=2`, then `GET /Groups?startIndex=1&count=100`
/// unless `with.groups: false` (F-ROSTR saw no Groups call with Import Groups off).
pub(super) fn test_connector(o: &str, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
    let enc = args.encoding()?;
    let mut steps = vec![
        list_checks(
            step(&HEADERS, o, "list users", Method::Get, "/Users".into())
                .query(&[("startIndex", json!(1)), ("count", json!(2))], enc),
        )
        .with_action_extras(args.action),
    ];
    if args.opt("groups") != Some(&Value::Bool(false)) {
        steps.push(list_checks(
            step(&HEADERS, o, "list groups", Method::Get, "/Groups".into())
                .query(&[("startIndex", json!(1)), ("count", json!(100))], enc),
        ));
    }
    Ok(steps)
}

/// How often a full import is repeated before its checks fail: another
/// client creating or deleting resources between two pages shifts an
/// offset-paged list, and RFC 7644 §3.4.2.4 lets that skip or repeat a
/// resource ("clients MUST be prepared to handle inconsistent results"), so
/// one odd import proves nothing; the same anomaly four times running does.
pub(super) const IMPORT_RETRIES: u32 = 3;

/// §2.2/§2.3: page by 100 until `totalResults`. The first page is checked on
/// its own (integer paging fields, `startIndex` 1); the full import checks
/// that no resource appears twice and that every id in `with.expect_ids`
/// (the ids the case created) appears exactly once, repeating the import up
/// to [`IMPORT_RETRIES`] times when it does not. A second full import must
/// list those ids in the same relative order as the first (OK20: "ordering
/// must be stable across pages"); other resources, which other clients may
/// create, delete or modify between the two imports, are ignored. Without
/// `expect_ids` the order of every id both imports saw is compared.
pub(super) fn import(
    o: &str,
    args: &Args<'_>,
    path: &str,
) -> Result<Vec<RequestStep>, ExpandError> {
    let enc = args.encoding()?;
    let first = list_checks(
        step(&HEADERS, o, "first page", Method::Get, path.into())
            .query(&[("startIndex", json!(1)), ("count", json!(100))], enc),
    )
    .json("$.startIndex", eq(json!(1)));
    let mut ids = Vec::new();
    for id in args.list("expect_ids")? {
        let id = id
            .as_str()
            .ok_or_else(|| args.error("`with.expect_ids` must be a list of strings"))?;
        ids.push(id.to_owned());
    }
    // The ids whose order the second import must keep: the case's own (the
    // JSONPath is rendered with the step, so it may name captured ids).
    let own = if ids.is_empty() {
        "$.Resources[*].id".to_owned()
    } else {
        let any: Vec<String> = ids.iter().map(|id| format!("@.id == '{id}'")).collect();
        format!("$.Resources[?{}].id", any.join(" || "))
    };
    let paginate = Some(crate::suite::model::Paginate {
        count: 100,
        max_pages: 1000,
    });
    let mut all = step(&HEADERS, o, "all pages", Method::Get, path.into())
        .status(&[200])
        .json("$.Resources[*].id", ops(json!({"unique": true})));
    all.request.encoding = enc;
    all.request.paginate = paginate.clone();
    all.retry = Some(crate::suite::model::Retry {
        times: IMPORT_RETRIES,
        interval_ms: 200,
    });
    // Every id in the order this import saw it (none on an empty server).
    all = all.capture("_okta_import_order", "$.Resources[*].id", true);
    for id in &ids {
        all = all.json(&format!("$.Resources[?@.id == '{id}'].id"), eq(json!(id)));
    }
    let mut again = step(
        &HEADERS,
        o,
        "all pages again (stable order)",
        Method::Get,
        path.into(),
    )
    .status(&[200])
    .json(&own, ops(json!({"same_order": "{{ _okta_import_order }}"})));
    again.request.encoding = enc;
    again.request.paginate = paginate;
    Ok(vec![first, all.with_action_extras(args.action), again])
}

/// The user Okta creates (§2.4, OK20 POST body), with the profile mapping applied.
pub(super) fn user_body(args: &Args<'_>, mapping: &ProfileMapping) -> Result<Value, ExpandError> {
    let user = args.string("userName")?;
    let given = args.string_or("givenName", "Test");
    let family = args.string_or("familyName", "User");
    let email = args.string_or("email", &user);
    let mut body = json!({
        "schemas": [USER_SCHEMA],
        "userName": user,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"primary": true, "value": email, "type": "work"}],
        "displayName": format!("{given} {family}"),
        "locale": "en-US",
        // §2.4: externalId is the Okta user id (00u…).
        "externalId": args.string_or("externalId", "{{ unique.okta_id }}"),
        "groups": [],
        // §2.4: Okta always sends a random 8-character placeholder password.
        "password": args.string_or("password", "{{ random(8) }}"),
        "active": true,
    });
    mapping
        .apply(&mut body, &args.object("profile")?)
        .map_err(|m| args.error(m))?;
    Ok(body)
}

/// §2.4: look up by `userName`, POST when absent, link (GET + PUT with the
/// Okta profile and `active: true`) when present.
pub(super) fn push_new_user(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
    mapping: &ProfileMapping,
) -> Result<Vec<RequestStep>, ExpandError> {
    let _ = flavour; // OIN and AIW create alike (§2.4).
    let user = args.string("userName")?;
    let body = user_body(args, mapping)?;
    let lookup = list_checks(
        step(
            &HEADERS,
            o,
            "look up by userName",
            Method::Get,
            "/Users".into(),
        )
        .query(
            &[
                ("filter", eq_filter("userName", &user)),
                ("startIndex", json!(1)),
                ("count", json!(100)),
            ],
            args.encoding()?,
        ),
    )
    .capture("_okta_found", "$.totalResults", false)
    .capture("_okta_link_id", "$.Resources[0].id", true);
    let create = step(&HEADERS, o, "create", Method::Post, "/Users".into())
        .body(&HEADERS, body.clone())
        .when("_okta_found", json!(0), true)
        .status(&[201])
        .schema(SchemaName::User)
        // OK20: "Create new user returned empty user" fails the push.
        .json("$.id", ops(json!({"type": "string", "non_empty": true})))
        .json("$.userName", ops(json!({"eq_ci": user})))
        .with_action_extras(args.action);
    let fetch = step(
        &HEADERS,
        o,
        "fetch existing",
        Method::Get,
        "/Users/{{ _okta_link_id }}".into(),
    )
    .when("_okta_found", json!(0), false)
    .status(&[200])
    .capture("_okta_current", "$", false);
    let mut merge = body;
    if let Some(obj) = merge.as_object_mut() {
        // The link PUT echoes the server's resource (§2.5) with Okta's profile on top.
        obj.remove("password");
        obj.remove("groups");
    }
    let link = put_merged(o, "link and update", "/Users/{{ _okta_link_id }}", merge)
        .when("_okta_found", json!(0), false)
        .with_action_extras(args.action);
    Ok(vec![lookup, create, fetch, link])
}

/// §2.5: `GET` then `PUT` of the echoed body with Okta-mastered attributes
/// overwritten (OIN and AIW alike).
pub(super) fn push_profile_update(
    o: &str,
    args: &Args<'_>,
    mapping: &ProfileMapping,
) -> Result<Vec<RequestStep>, ExpandError> {
    let path = user_path(args)?;
    let mut merge = Value::Object(Map::new());
    for key in [
        "userName",
        "displayName",
        "locale",
        "title",
        "userType",
        "nickName",
    ] {
        if let Some(v) = args.opt(key) {
            merge[key] = v.clone();
        }
    }
    for key in ["givenName", "familyName", "middleName"] {
        if let Some(v) = args.opt(key) {
            merge["name"][key] = v.clone();
        }
    }
    if let Some(email) = args.opt("email") {
        merge["emails"] = json!([{"primary": true, "value": email, "type": "work"}]);
    }
    mapping
        .apply(&mut merge, &args.object("profile")?)
        .map_err(|m| args.error(m))?;
    if let Some(obj) = merge.as_object_mut() {
        // The mapping adds extension URNs to `schemas`; the echoed body
        // already lists what the server knows, so keep only the additions.
        if let Some(Value::Array(added)) = obj.remove("schemas") {
            let extra: Vec<Value> = added
                .into_iter()
                .filter(|s| s.as_str() != Some(USER_SCHEMA))
                .collect();
            if !extra.is_empty() {
                let mut all = vec![json!(USER_SCHEMA)];
                all.extend(extra);
                obj.insert("schemas".into(), Value::Array(all));
            }
        }
    }
    Ok(vec![
        fetch(o, "fetch", path.clone()),
        put_merged(o, "update", &path, merge).with_action_extras(args.action),
    ])
}

/// §2.6/§2.7: OIN sends a path-less PATCH; AIW a GET + PUT with `active`.
/// Reactivation on AIW starts from the `userName` lookup (F-KR) when
/// `with.userName` is given.
pub(super) fn set_active(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
    active: bool,
) -> Result<Vec<RequestStep>, ExpandError> {
    let path = user_path(args)?;
    match flavour {
        Flavour::Oin => Ok(vec![
            step(
                &HEADERS,
                o,
                if active { "activate" } else { "deactivate" },
                Method::Patch,
                path,
            )
            .body(&HEADERS, pathless_replace(json!({"active": active})))
            .status(&[200, 204])
            .with_action_extras(args.action),
        ]),
        Flavour::Aiw => {
            let mut steps = Vec::new();
            if active {
                if let Some(user) = args.opt("userName").and_then(Value::as_str) {
                    steps.push(
                        list_checks(
                            step(
                                &HEADERS,
                                o,
                                "look up by userName",
                                Method::Get,
                                "/Users".into(),
                            )
                            .query(
                                &[
                                    ("filter", eq_filter("userName", user)),
                                    ("startIndex", json!(1)),
                                    ("count", json!(100)),
                                ],
                                args.encoding()?,
                            ),
                        )
                        .json("$.totalResults", eq(json!(1))),
                    );
                }
            }
            steps.push(fetch(o, "fetch", path.clone()));
            steps.push(
                put_merged(
                    o,
                    if active { "activate" } else { "deactivate" },
                    &path,
                    json!({"active": active}),
                )
                .with_action_extras(args.action),
            );
            Ok(steps)
        }
    }
}

/// §2.8: OIN's password PATCH body is not published; we send the path-less
/// shape of the deactivate PATCH (marked unverified in okta-wire.md §8).
/// AIW sends a full PUT carrying `password`.
pub(super) fn sync_password(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let path = user_path(args)?;
    let password = args.string_or("password", "{{ random(12) }}");
    Ok(match flavour {
        Flavour::Oin => vec![
            step(
                &HEADERS,
                o,
                "sync password (unverified shape)",
                Method::Patch,
                path,
            )
            .body(&HEADERS, pathless_replace(json!({"password": password})))
            .status(&[200, 204])
            .json("$.password", ops(json!({"absent": true})))
            .with_action_extras(args.action),
        ],
        Flavour::Aiw => vec![
            fetch(o, "fetch", path.clone()),
            put_merged(o, "sync password", &path, json!({"password": password}))
                .json("$.password", ops(json!({"absent": true})))
                .with_action_extras(args.action),
        ],
    })
}
