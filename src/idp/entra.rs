//! Microsoft Entra ID's provisioning service as a request generator
//! (okta-wire.md §6, §7 "Entra default" / "Entra aadOptscim062020").
//!
//! Two flavours, which differ only in how they PATCH (§6.2):
//! - [`Flavour::Default`]: the default `scim` job. Capitalised ops
//!   (`Replace`, `Add`, `Remove`), booleans as the strings `"True"` /
//!   `"False"`, one op per attribute, member removal with a `value` array.
//! - [`Flavour::Optscim2020`]: the `aadOptscim062020` flag. Lower-case ops,
//!   real booleans, member removal by `members[value eq "…"]`, and a
//!   multi-attribute update as one filtered-path emails op plus one
//!   path-less `replace` whose `value` uses flattened dotted/URN keys.
//!
//! Both send Entra's headers, encode query spaces as `+` and send no paging
//! parameters on lookups (§6.1).

use serde_json::{Map, Value, json};

use super::ExpandError;
use super::request::{Args, Headers, StepExt, eq, eq_filter, ops, step};
use crate::scim::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA};
use crate::suite::model::{QueryEncoding, RequestStep, SchemaName};

/// Entra's headers. The User-Agent is the string server code keys Entra on
/// (okta-wire.md §6.1, tagged [field]: corroboration only, repository not
/// identifiable); `Accept` and `Content-Type` are SCIM's media type (ENT-TUT).
pub const HEADERS: Headers = Headers {
    user_agent: "Microsoft Azure AD SCIM provisioning 1.0.0",
    accept: "application/scim+json",
    accept_charset: None,
    content_type: "application/scim+json",
};

/// The schema Entra adds to group creates (§6.1, ENT-TUT).
pub const AD_GROUP_SCHEMA: &str =
    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

/// Which Entra provisioning job is talking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// The default `scim` job (non-compliant PATCH, §6.1).
    Default,
    /// The job with `aadOptscim062020` on the Tenant URL (§6.2).
    Optscim2020,
}

impl Flavour {
    fn origin(self, action: &str) -> String {
        match self {
            Self::Default => format!("entra: {action}"),
            Self::Optscim2020 => format!("entra-2020: {action}"),
        }
    }

    /// `Replace` / `replace` and so on (§6.2 first row).
    fn op(self, op: &str) -> String {
        match self {
            Self::Default => {
                let mut chars = op.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            }
            Self::Optscim2020 => op.to_ascii_lowercase(),
        }
    }

    /// `"True"`/`"False"` strings by default, real booleans with the flag (§6.2).
    fn boolean(self, b: bool) -> Value {
        match self {
            Self::Default => json!(if b { "True" } else { "False" }),
            Self::Optscim2020 => json!(b),
        }
    }
}

/// Every action an Entra profile knows, for "did you mean" and the README.
pub const ACTIONS: &[&str] = &[
    "test_connection",
    "lookup_user",
    "create_user",
    "update_user",
    "disable_user",
    "enable_user",
    "unassign_user",
    "set_manager",
    "delete_user",
    "lookup_group",
    "create_group",
    "add_members",
    "remove_members",
    "rename_group",
    "delete_group",
];

const ENTERPRISE_KEYS: &[&str] = &[
    "employeeNumber",
    "department",
    "costCenter",
    "organization",
    "division",
];

/// Expands one Entra action into requests.
pub fn expand(
    flavour: Flavour,
    name: &str,
    args: &Args<'_>,
) -> Result<Option<Vec<RequestStep>>, ExpandError> {
    let origin = flavour.origin(name);
    let o = origin.as_str();
    let steps = match name {
        "test_connection" => test_connection(o, args)?,
        "lookup_user" => vec![lookup_user(o, args)?.with_action_extras(args.action)],
        "create_user" => create_user(o, args)?,
        "update_user" => update_user(flavour, o, args)?,
        "disable_user" | "unassign_user" => set_active(flavour, o, args, false)?,
        "enable_user" => set_active(flavour, o, args, true)?,
        "set_manager" => set_manager(flavour, o, args)?,
        // §6.1 (ENT-HOW): hard delete sends DELETE and expects 204.
        "delete_user" => vec![
            step(&HEADERS, o, "delete user", "DELETE", user_path(args)?)
                .status(&[204])
                .with_action_extras(args.action),
        ],
        "lookup_group" => vec![
            group_lookup(o, &args.string("displayName")?)
                .json("$.Resources[*].members", ops(json!({"absent": true})))
                .with_action_extras(args.action),
        ],
        "create_group" => create_group(o, args)?,
        "add_members" => add_members(flavour, o, args)?,
        "remove_members" => remove_members(flavour, o, args)?,
        "rename_group" => rename_group(flavour, o, args)?,
        // §6.1 (ENT-TUT): `DELETE /Groups/{id}` returns 204.
        "delete_group" => vec![
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

/// §6.1 (ENT-TUT): every filter is answered with a ListResponse, even when
/// nothing matches; Entra reads `totalResults` and `Resources`.
fn list_checks(s: RequestStep) -> RequestStep {
    s.status(&[200])
        .schema(SchemaName::ListResponse)
        .json("$.totalResults", ops(json!({"type": "integer"})))
}

/// A PATCH request body.
fn patch(operations: Vec<Value>) -> Value {
    json!({"schemas": [PATCH_OP_SCHEMA], "Operations": operations})
}

/// §6.1: `filter` only, spaces as `+`, no `startIndex`/`count`.
fn filtered(s: RequestStep, attribute: &str, value: &str) -> RequestStep {
    s.query(
        &[("filter", eq_filter(attribute, value))],
        QueryEncoding::Plus,
    )
}

/// §6.1: Test Connection (and the start of every cycle) asks for a random
/// GUID userName and expects an empty ListResponse, then does the same for
/// a group (ENT-TUT: "a random user and group"); `with.groups: false` skips
/// the group query.
fn test_connection(o: &str, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
    let guid = args.string_or("guid", "{{ uuid }}");
    let mut steps = vec![
        list_checks(filtered(
            step(&HEADERS, o, "random user", "GET", "/Users".into()),
            "userName",
            &guid,
        ))
        .json("$.totalResults", eq(json!(0)))
        .with_action_extras(args.action),
    ];
    if args.opt("groups") != Some(&Value::Bool(false)) {
        steps.push(group_lookup(o, &guid).json("$.totalResults", eq(json!(0))));
    }
    Ok(steps)
}

/// §6.1: the matching lookup, `userName` by default or `with.attribute`
/// (`externalId`, …), with `with.value` (default `with.userName`).
fn lookup_user(o: &str, args: &Args<'_>) -> Result<RequestStep, ExpandError> {
    let attribute = args.string_or("attribute", "userName");
    let value = match args.opt("value") {
        Some(_) => args.string("value")?,
        None => args.string(&attribute)?,
    };
    Ok(list_checks(filtered(
        step(
            &HEADERS,
            o,
            &format!("look up by {attribute}"),
            "GET",
            "/Users".into(),
        ),
        &attribute,
        &value,
    )))
}

/// §6.1: `GET /Groups?excludedAttributes=members&filter=displayName eq "…"`.
fn group_lookup(o: &str, name: &str) -> RequestStep {
    list_checks(
        step(
            &HEADERS,
            o,
            "look up by displayName",
            "GET",
            "/Groups".into(),
        )
        .query(
            &[
                ("excludedAttributes", json!("members")),
                ("filter", eq_filter("displayName", name)),
            ],
            QueryEncoding::Plus,
        ),
    )
}

/// §6.1 (ENT-TUT) POST body: core + enterprise schemas, `externalId`,
/// `active: true`, one work email, `name{formatted,familyName,givenName}`,
/// and `meta.resourceType` and `roles: []` in the request. Null attributes
/// are never sent (ENT-KNOWN), so optional ones appear only when given.
fn user_body(args: &Args<'_>) -> Result<Value, ExpandError> {
    let user = args.string("userName")?;
    let given = args.string_or("givenName", "Test");
    let family = args.string_or("familyName", "User");
    let email = args.string_or("email", &user);
    let mut body = json!({
        "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        "externalId": args.string_or("externalId", &user),
        "userName": user,
        "active": true,
        "emails": [{"primary": true, "type": "work", "value": email}],
        "meta": {"resourceType": "User"},
        "name": {
            "formatted": format!("{given} {family}"),
            "familyName": family,
            "givenName": given,
        },
        "roles": [],
    });
    for key in ["displayName", "title", "nickName"] {
        if let Some(v) = args.opt(key) {
            body[key] = v.clone();
        }
    }
    let mut enterprise = Map::new();
    for key in ENTERPRISE_KEYS {
        if let Some(v) = args.opt(key) {
            enterprise.insert((*key).to_owned(), v.clone());
        }
    }
    if !enterprise.is_empty() {
        body[ENTERPRISE_USER_SCHEMA] = Value::Object(enterprise);
    }
    Ok(body)
}

/// §6.1: look up by the matching attribute (`with.match`, default
/// `userName`), POST when absent, read the match back when present.
fn create_user(o: &str, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
    let user = args.string("userName")?;
    let body = user_body(args)?;
    let attribute = args.string_or("match", "userName");
    let value = body
        .get(&attribute)
        .and_then(Value::as_str)
        .ok_or_else(|| args.error(format!("`with.match`: cannot match on `{attribute}`")))?
        .to_owned();
    let lookup = list_checks(filtered(
        step(
            &HEADERS,
            o,
            &format!("look up by {attribute}"),
            "GET",
            "/Users".into(),
        ),
        &attribute,
        &value,
    ))
    .capture("_entra_found", "$.totalResults", false)
    .capture("_entra_match_id", "$.Resources[0].id", true);
    let create = step(&HEADERS, o, "create", "POST", "/Users".into())
        .body(&HEADERS, body)
        .when("_entra_found", json!(0), true)
        .status(&[201])
        .schema(SchemaName::User)
        .json("$.id", ops(json!({"type": "string", "non_empty": true})))
        .json("$.userName", eq(json!(user)))
        .with_action_extras(args.action);
    let matched = step(
        &HEADERS,
        o,
        "read the match",
        "GET",
        "/Users/{{ _entra_match_id }}".into(),
    )
    .when("_entra_found", json!(0), false)
    .status(&[200])
    .with_action_extras(args.action);
    Ok(vec![lookup, create, matched])
}

/// The PATCH path Entra uses for an attribute argument (§6.1, ENT-KI).
fn attribute_path(key: &str) -> Option<String> {
    Some(match key {
        "userName" | "displayName" | "externalId" | "title" | "nickName" | "preferredLanguage" => {
            key.to_owned()
        }
        "givenName" | "familyName" | "formatted" => format!("name.{key}"),
        "email" => "emails[type eq \"work\"].value".to_owned(),
        k if ENTERPRISE_KEYS.contains(&k) => format!("{ENTERPRISE_USER_SCHEMA}:{k}"),
        _ => return None,
    })
}

/// §6.1 / §6.2 "Replace several attributes": by default one `Replace` per
/// attribute; with the flag, the emails filtered-path op plus one path-less
/// `replace` with flattened keys. `with.add` (a map) sends `Add` ops for
/// attributes that had no value (§6.2 second row).
fn update_user(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let path = user_path(args)?;
    let mut changes = Vec::new();
    for (key, value) in &args.action.with {
        if key == "id" || key == "add" {
            continue;
        }
        let target = attribute_path(key)
            .ok_or_else(|| args.error(format!("`with.{key}` is not an attribute Entra updates")))?;
        changes.push((target, value.clone()));
    }
    let mut operations = Vec::new();
    match flavour {
        Flavour::Default => {
            for (target, value) in changes {
                operations
                    .push(json!({"op": flavour.op("replace"), "path": target, "value": value}));
            }
        }
        Flavour::Optscim2020 => {
            let mut flat = Map::new();
            for (target, value) in changes {
                if target.starts_with("emails[") {
                    operations
                        .push(json!({"op": flavour.op("replace"), "path": target, "value": value}));
                } else {
                    flat.insert(target, value);
                }
            }
            if !flat.is_empty() {
                operations.push(json!({"op": flavour.op("replace"), "value": flat}));
            }
        }
    }
    for (key, value) in args.object("add")? {
        let target = attribute_path(&key).ok_or_else(|| {
            args.error(format!("`with.add.{key}` is not an attribute Entra adds"))
        })?;
        operations.push(json!({"op": flavour.op("add"), "path": target, "value": value}));
    }
    if operations.is_empty() {
        return Err(args.error("nothing to update: give at least one attribute besides `id`"));
    }
    Ok(vec![
        step(&HEADERS, o, "update", "PATCH", path)
            .body(&HEADERS, patch(operations))
            .status(&[200, 204])
            .with_action_extras(args.action),
    ])
}

/// §6.1 / §6.2 first row: `{"op":"Replace","path":"active","value":"False"}`
/// by default, `{"op":"replace","path":"active","value":false}` with the
/// flag. Unassign and soft delete send the same (ENT-HOW).
fn set_active(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
    active: bool,
) -> Result<Vec<RequestStep>, ExpandError> {
    let op =
        json!({"op": flavour.op("replace"), "path": "active", "value": flavour.boolean(active)});
    Ok(vec![
        step(
            &HEADERS,
            o,
            if active { "enable" } else { "disable" },
            "PATCH",
            user_path(args)?,
        )
        .body(&HEADERS, patch(vec![op]))
        .status(&[200, 204])
        .with_action_extras(args.action),
    ])
}

/// §6.1: the manager is a separate PATCH after create, its value a plain
/// string id on the enterprise `manager` path. An empty `with.manager`
/// removes it.
fn set_manager(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let manager = args.string("manager")?;
    let target = format!("{ENTERPRISE_USER_SCHEMA}:manager");
    let op = if manager.is_empty() {
        json!({"op": flavour.op("remove"), "path": target})
    } else {
        json!({"op": flavour.op("add"), "path": target, "value": manager})
    };
    Ok(vec![
        step(&HEADERS, o, "set manager", "PATCH", user_path(args)?)
            .body(&HEADERS, patch(vec![op]))
            .status(&[200, 204])
            .with_action_extras(args.action),
    ])
}

/// §6.1 (ENT-TUT): look the group up by `displayName` (members excluded),
/// POST with Entra's two schemas, `externalId` and no members when absent,
/// read the match back (members excluded) when present.
fn create_group(o: &str, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
    let name = args.string("displayName")?;
    let external = args.string_or("externalId", &name);
    let lookup = group_lookup(o, &name)
        .capture("_entra_found", "$.totalResults", false)
        .capture("_entra_match_id", "$.Resources[0].id", true);
    let create = step(&HEADERS, o, "create", "POST", "/Groups".into())
        .body(
            &HEADERS,
            json!({
                "schemas": [GROUP_SCHEMA, AD_GROUP_SCHEMA],
                "externalId": external,
                "displayName": name,
            }),
        )
        .when("_entra_found", json!(0), true)
        .status(&[201])
        .schema(SchemaName::Group)
        .json("$.id", ops(json!({"type": "string", "non_empty": true})))
        .json("$.displayName", eq(json!(name)))
        .with_action_extras(args.action);
    let matched = step(
        &HEADERS,
        o,
        "read the match",
        "GET",
        "/Groups/{{ _entra_match_id }}".into(),
    )
    .query(
        &[("excludedAttributes", json!("members"))],
        QueryEncoding::Plus,
    )
    .when("_entra_found", json!(0), false)
    .status(&[200])
    .with_action_extras(args.action);
    Ok(vec![lookup, create, matched])
}

/// `with.members`: a list of user ids.
fn member_ids(args: &Args<'_>) -> Result<Vec<String>, ExpandError> {
    let ids: Vec<String> = args
        .list("members")?
        .into_iter()
        .map(|m| match m {
            Value::String(id) => Ok(id),
            other => Err(args.error(format!("`with.members` must list user ids, got {other}"))),
        })
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Err(args.error("`with.members` must list at least one user id"));
    }
    Ok(ids)
}

/// Members as Entra writes them in a value array (§6.1, ENT-TUT).
fn member_values(ids: &[String]) -> Value {
    Value::Array(
        ids.iter()
            .map(|id| json!({"$ref": null, "value": id}))
            .collect(),
    )
}

/// §6.1: `{"op":"Add","path":"members","value":[{"$ref":null,"value":id}]}`.
fn add_members(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let ids = member_ids(args)?;
    let op = json!({"op": flavour.op("add"), "path": "members", "value": member_values(&ids)});
    Ok(vec![
        step(&HEADERS, o, "add members", "PATCH", group_path(args)?)
            .body(&HEADERS, patch(vec![op]))
            .status(&[200, 204])
            .with_action_extras(args.action),
    ])
}

/// §6.1 / §6.2 last row: a `Remove` with a value array by default, one
/// `remove` per member with a `members[value eq "…"]` path with the flag.
fn remove_members(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let ids = member_ids(args)?;
    let operations = match flavour {
        Flavour::Default => {
            vec![json!({"op": flavour.op("remove"), "path": "members", "value": member_values(&ids)})]
        }
        Flavour::Optscim2020 => ids
            .iter()
            .map(|id| {
                json!({"op": flavour.op("remove"), "path": format!("members[value eq \"{id}\"]")})
            })
            .collect(),
    };
    Ok(vec![
        step(&HEADERS, o, "remove members", "PATCH", group_path(args)?)
            .body(&HEADERS, patch(operations))
            .status(&[200, 204])
            .with_action_extras(args.action),
    ])
}

/// §6.1: `{"op":"Replace","path":"displayName","value":"…"}`.
fn rename_group(
    flavour: Flavour,
    o: &str,
    args: &Args<'_>,
) -> Result<Vec<RequestStep>, ExpandError> {
    let name = args.string("displayName")?;
    let op = json!({"op": flavour.op("replace"), "path": "displayName", "value": name});
    Ok(vec![
        step(&HEADERS, o, "rename", "PATCH", group_path(args)?)
            .body(&HEADERS, patch(vec![op]))
            .status(&[200, 204])
            .with_action_extras(args.action),
    ])
}
