//! Okta's provisioning engine as a request generator (okta-wire.md §1–2, §7).
//!
//! Two flavours, which differ only in how they write to existing resources
//! (§1.1):
//! - [`Flavour::Oin`]: an Okta Integration Network catalogue app. Activate,
//!   deactivate, password sync and every group change are `PATCH`; profile
//!   updates are `GET` + `PUT`.
//! - [`Flavour::Aiw`]: an App Integration Wizard custom app (seed 000's
//!   StackAI setup). Every write to an existing user or group is `GET` + a
//!   full `PUT`, deactivation included.
//!
//! Both send Okta's headers (§1.2), query parameters in Okta's order
//! `filter`, `startIndex`, `count` (§1.3), and Okta's create bodies (§2.4).

use serde_json::{Map, Value, json};

use super::ExpandError;
use super::mapping::ProfileMapping;
use super::request::{Args, Headers, StepExt, eq, eq_filter, ops, step};
use crate::scim::{GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA};
use crate::suite::model::{RequestStep, SchemaName};

/// Okta's headers (okta-wire.md §1.2, OKOLD capture): no `Content-Type` on GETs.
pub const HEADERS: Headers = Headers {
    user_agent: "Okta SCIM Client 1.0.0",
    accept: "application/scim+json",
    accept_charset: Some("utf-8"),
    content_type: "application/scim+json; charset=utf-8",
};

/// Which kind of Okta app is provisioning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// OIN catalogue app: PATCH for (de)activation, password and groups.
    Oin,
    /// App Integration Wizard custom app: GET + PUT for every change.
    Aiw,
}

impl Flavour {
    fn origin(self, action: &str) -> String {
        match self {
            Self::Oin => format!("okta: {action}"),
            Self::Aiw => format!("okta-aiw: {action}"),
        }
    }
}

/// Every action an Okta profile knows, for "did you mean" and the README.
pub const ACTIONS: &[&str] = &[
    "test_connector",
    "import_users",
    "import_groups",
    "push_new_user",
    "push_profile_update",
    "deactivate_user",
    "reactivate_user",
    "unassign_user",
    "sync_password",
    "push_group",
    "push_group_members",
    "rename_group",
    "push_now",
    "unlink_group",
];

/// Expands one Okta action into requests.
pub fn expand(
    flavour: Flavour,
    name: &str,
    args: &Args<'_>,
    mapping: &ProfileMapping,
) -> Result<Option<Vec<RequestStep>>, ExpandError> {
    let origin = flavour.origin(name);
    let o = origin.as_str();
    let steps = match name {
        "test_connector" => test_connector(o, args)?,
        "import_users" => import(o, args, "/Users")?,
        "import_groups" => import(o, args, "/Groups")?,
        "push_new_user" => push_new_user(flavour, o, args, mapping)?,
        "push_profile_update" => push_profile_update(o, args, mapping)?,
        "deactivate_user" | "unassign_user" => set_active(flavour, o, args, false)?,
        "reactivate_user" => set_active(flavour, o, args, true)?,
        "sync_password" => sync_password(flavour, o, args)?,
        "push_group" => push_group(flavour, o, args)?,
        "push_group_members" => push_group_members(flavour, o, args)?,
        "rename_group" => rename_group(flavour, o, args)?,
        "push_now" => push_now(flavour, o, args)?,
        "unlink_group" => vec![
            // §2.9: "Delete the group in the target app" → DELETE, expecting 204.
            step(&HEADERS, o, "delete group", "DELETE", group_path(args)?)
                .status(&[204])
                .with_action_extras(args.action),
        ],
        _ => return Ok(None),
    };
    Ok(Some(steps))
}

fn user_path(args: &Args<'_>) -> Result<String, ExpandError> {
    Ok(format!("/Users/{}", args.string("id")?))
}

fn group_path(args: &Args<'_>) -> Result<String, ExpandError> {
    Ok(format!("/Groups/{}", args.string("id")?))
}

/// The paging fields Okta reads must be JSON integers (§2.2, OK20).
fn list_checks(s: RequestStep) -> RequestStep {
    s.status(&[200])
        .schema(SchemaName::ListResponse)
        .json("$.totalResults", ops(json!({"type": "integer"})))
        .json("$.startIndex", ops(json!({"type": "integer"})))
        .json("$.itemsPerPage", ops(json!({"type": "integer"})))
}

/// §2.1: `GET /Users?startIndex=1&count=2`, then `GET /Groups?startIndex=1&count=100`
/// unless `with.groups: false` (F-ROSTR saw no Groups call with Import Groups off).
fn test_connector(o: &str, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
    let enc = args.encoding()?;
    let mut steps = vec![
        list_checks(
            step(&HEADERS, o, "list users", "GET", "/Users".into())
                .query(&[("startIndex", json!(1)), ("count", json!(2))], enc),
        )
        .with_action_extras(args.action),
    ];
    if args.opt("groups") != Some(&Value::Bool(false)) {
        steps.push(list_checks(
            step(&HEADERS, o, "list groups", "GET", "/Groups".into())
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
const IMPORT_RETRIES: u32 = 3;

/// §2.2/§2.3: page by 100 until `totalResults`. The first page is checked on
/// its own (integer paging fields, `startIndex` 1); the full import checks
/// that no resource appears twice and that every id in `with.expect_ids`
/// (the ids the case created) appears exactly once, repeating the import up
/// to [`IMPORT_RETRIES`] times when it does not. A second full import must
/// list those ids in the same relative order as the first (OK20: "ordering
/// must be stable across pages"); other resources, which other clients may
/// create, delete or modify between the two imports, are ignored. Without
/// `expect_ids` the order of every id both imports saw is compared.
fn import(o: &str, args: &Args<'_>, path: &str) -> Result<Vec<RequestStep>, ExpandError> {
    let enc = args.encoding()?;
    let first = list_checks(
        step(&HEADERS, o, "first page", "GET", path.into())
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
    let mut all = step(&HEADERS, o, "all pages", "GET", path.into())
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
        "GET",
        path.into(),
    )
    .status(&[200])
    .json(&own, ops(json!({"same_order": "{{ _okta_import_order }}"})));
    again.request.encoding = enc;
    again.request.paginate = paginate;
    Ok(vec![first, all.with_action_extras(args.action), again])
}

/// The user Okta creates (§2.4, OK20 POST body), with the profile mapping applied.
fn user_body(args: &Args<'_>, mapping: &ProfileMapping) -> Result<Value, ExpandError> {
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
fn push_new_user(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
    mapping: &ProfileMapping,
) -> Result<Vec<RequestStep>, ExpandError> {
    let _ = flavour; // OIN and AIW create alike (§2.4).
    let user = args.string("userName")?;
    let body = user_body(args, mapping)?;
    let lookup = list_checks(
        step(&HEADERS, o, "look up by userName", "GET", "/Users".into()).query(
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
    let create = step(&HEADERS, o, "create", "POST", "/Users".into())
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
        "GET",
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

/// `PUT` whose body is the last fetched resource with `merge` on top.
fn put_merged(o: &str, label: &str, path: &str, merge: Value) -> RequestStep {
    let mut put = step(&HEADERS, o, label, "PUT", path.to_owned())
        .body(&HEADERS, json!("{{ _okta_current }}"))
        .status(&[200])
        .json("$.id", ops(json!({"type": "string", "non_empty": true})));
    put.request.body_merge = Some(merge);
    put
}

fn fetch(o: &str, label: &str, path: String) -> RequestStep {
    step(&HEADERS, o, label, "GET", path)
        .status(&[200])
        .capture("_okta_current", "$", false)
}

/// §2.5: `GET` then `PUT` of the echoed body with Okta-mastered attributes
/// overwritten (OIN and AIW alike).
fn push_profile_update(
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

/// The PATCH Okta sends for activation changes and password sync: no
/// `path`, `value` an object (§2.6, OK20).
fn pathless_replace(value: Value) -> Value {
    json!({
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [{"op": "replace", "value": value}],
    })
}

/// §2.6/§2.7: OIN sends a path-less PATCH; AIW a GET + PUT with `active`.
/// Reactivation on AIW starts from the `userName` lookup (F-KR) when
/// `with.userName` is given.
fn set_active(
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
                "PATCH",
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
                            step(&HEADERS, o, "look up by userName", "GET", "/Users".into()).query(
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
fn sync_password(
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
                "PATCH",
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

/// §2.9: look up by `displayName`, POST with `members: []` when absent
/// (AIW then reads the group back and PUTs it, F-ROSTR).
fn push_group(flavour: Flavour, o: &str, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
    let name = args.string("displayName")?;
    let lookup = list_checks(
        step(
            &HEADERS,
            o,
            "look up by displayName",
            "GET",
            "/Groups".into(),
        )
        .query(
            &[
                ("filter", eq_filter("displayName", &name)),
                ("startIndex", json!(1)),
                ("count", json!(100)),
            ],
            args.encoding()?,
        ),
    )
    .capture("_okta_found", "$.totalResults", false)
    .capture("_okta_group_id", "$.Resources[0].id", true);
    let create = step(&HEADERS, o, "create", "POST", "/Groups".into())
        .body(
            &HEADERS,
            json!({"schemas": [GROUP_SCHEMA], "displayName": name, "members": []}),
        )
        .when("_okta_found", json!(0), true)
        .status(&[201])
        .schema(SchemaName::Group)
        .json("$.id", ops(json!({"type": "string", "non_empty": true})))
        .json("$.displayName", eq(json!(name)))
        .capture("_okta_group_id", "$.id", false)
        .with_action_extras(args.action);
    let mut steps = vec![lookup, create];
    if flavour == Flavour::Aiw {
        steps.push(fetch(o, "fetch", "/Groups/{{ _okta_group_id }}".into()));
        steps.push(put_merged(
            o,
            "update",
            "/Groups/{{ _okta_group_id }}",
            json!({"schemas": [GROUP_SCHEMA], "displayName": name}),
        ));
    }
    Ok(steps)
}

/// A member as Okta sends it: the server id and the app username (§2.9).
fn members(args: &Args<'_>, key: &str) -> Result<Vec<Value>, ExpandError> {
    args.list(key)?
        .into_iter()
        .map(|m| match m {
            Value::String(id) => Ok(json!({"value": id})),
            Value::Object(ref o) if o.contains_key("value") => Ok(m),
            other => Err(args.error(format!(
                "`with.{key}` entries must be an id or {{value, display}}, got {other}"
            ))),
        })
        .collect()
}

/// §2.9: OIN sends the rename PATCH (`id` inside `value`) next to every
/// membership change, then one PATCH with a `remove` per user
/// (`members[value eq "…"]`) before a single `add`. AIW GETs the group and
/// PUTs the full membership (`with.members`).
fn push_group_members(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let path = group_path(args)?;
    match flavour {
        Flavour::Oin => {
            let mut operations = Vec::new();
            for id in args.list("remove")? {
                let id = id
                    .as_str()
                    .ok_or_else(|| args.error("`with.remove` must list member ids"))?
                    .to_owned();
                operations
                    .push(json!({"op": "remove", "path": format!("members[value eq \"{id}\"]")}));
            }
            let add = members(args, "add")?;
            if !add.is_empty() {
                operations.push(json!({"op": "add", "path": "members", "value": add}));
            }
            if operations.is_empty() {
                return Err(args.error("nothing to change: give `with.add` and/or `with.remove`"));
            }
            let mut steps = rename_group(flavour, o, args)?;
            steps.push(
                step(&HEADERS, o, "membership delta", "PATCH", path)
                    .body(
                        &HEADERS,
                        json!({"schemas": [PATCH_OP_SCHEMA], "Operations": operations}),
                    )
                    .status(&[200, 204])
                    .with_action_extras(args.action),
            );
            Ok(steps)
        }
        Flavour::Aiw => {
            let all = members(args, "members")?;
            Ok(vec![
                fetch(o, "fetch", path.clone()),
                put_merged(o, "update members", &path, json!({"members": all}))
                    .with_action_extras(args.action),
            ])
        }
    }
}

/// §2.9 rename: OIN PATCH with `{"id", "displayName"}` inside `value`.
fn rename_group(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let path = group_path(args)?;
    let id = args.string("id")?;
    let name = args.string("displayName")?;
    Ok(match flavour {
        Flavour::Oin => vec![
            step(&HEADERS, o, "rename (id inside value)", "PATCH", path)
                .body(
                    &HEADERS,
                    pathless_replace(json!({"id": id, "displayName": name})),
                )
                .status(&[200, 204]),
        ],
        Flavour::Aiw => vec![
            fetch(o, "fetch", path.clone()),
            put_merged(o, "rename", &path, json!({"displayName": name})),
        ],
    })
}

/// §2.9 "Push Now": replace all members.
fn push_now(flavour: Flavour, o: &str, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
    let path = group_path(args)?;
    let all = members(args, "members")?;
    Ok(match flavour {
        Flavour::Oin => vec![
            step(&HEADERS, o, "replace members", "PATCH", path)
                .body(
                    &HEADERS,
                    json!({"schemas": [PATCH_OP_SCHEMA],
                           "Operations": [{"op": "replace", "path": "members", "value": all}]}),
                )
                .status(&[200, 204])
                .with_action_extras(args.action),
        ],
        Flavour::Aiw => vec![
            fetch(o, "fetch", path.clone()),
            put_merged(o, "replace members", &path, json!({"members": all}))
                .with_action_extras(args.action),
        ],
    })
}
