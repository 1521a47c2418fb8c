//! A data profile's actions: each one turned into the requests the profile's
//! habits ([`ProfileSpec`]) make of it. Pure: builds `suite::model` steps.

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::model::{Booleans, Deactivate, Lookup, MemberStyle, OpCase, Probe, ProfileSpec, Update};
use crate::idp::ExpandError;
use crate::idp::request::{Args, StepExt, eq, eq_filter, ops};
use crate::scim::{GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA};
use crate::suite::model::Method;
use crate::suite::model::{
    CaptureSpec, HeaderCheck, HeaderPredicate, Paginate, RequestSpec, RequestStep, SchemaName,
};

/// Every action a data profile knows (IdP-neutral names).
pub const ACTIONS: &[&str] = &[
    "test_connection",
    "lookup_user",
    "create_user",
    "update_user",
    "deactivate_user",
    "reactivate_user",
    "delete_user",
    "lookup_group",
    "create_group",
    "add_member",
    "remove_member",
    "rename_group",
    "delete_group",
];

/// Okta's and Entra's names for the same actions: (alias, action).
pub const ALIASES: &[(&str, &str)] = &[
    ("test_connector", "test_connection"),
    ("push_new_user", "create_user"),
    ("push_profile_update", "update_user"),
    ("disable_user", "deactivate_user"),
    ("unassign_user", "deactivate_user"),
    ("enable_user", "reactivate_user"),
    ("push_group", "create_group"),
    ("add_members", "add_member"),
    ("remove_members", "remove_member"),
    ("unlink_group", "delete_group"),
];

/// The canonical action `name` stands for.
pub fn canonical(name: &str) -> &str {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, action)| action)
}

/// Expands one action of `spec`; `None` when the profile has no such action.
pub fn expand(
    spec: &ProfileSpec,
    name: &str,
    args: &Args<'_>,
) -> Result<Option<Vec<RequestStep>>, ExpandError> {
    let name = canonical(name);
    if let Some(reason) = not_sent(spec, name) {
        return Err(ExpandError::NotSent {
            profile: spec.name.clone(),
            action: name.to_owned(),
            reason,
        });
    }
    let w = Wire {
        spec,
        origin: format!("{}: {name}", spec.name),
    };
    let steps = match name {
        "test_connection" => w.test_connection(args)?,
        "lookup_user" => w.lookup_user(args)?,
        "create_user" => w.create_user(args)?,
        "update_user" => w.update_user(args)?,
        "deactivate_user" => w.set_active(args, false)?,
        "reactivate_user" => w.set_active(args, true)?,
        "delete_user" => vec![w.delete("delete user", user_path(args)?, args)],
        "lookup_group" => w.lookup_group(args)?,
        "create_group" => w.create_group(args)?,
        "add_member" => w.members(args, true)?,
        "remove_member" => w.members(args, false)?,
        "rename_group" => w.rename_group(args)?,
        "delete_group" => vec![w.delete("delete group", group_path(args)?, args)],
        _ => return Ok(None),
    };
    Ok(Some(steps))
}

/// Why `spec` never sends action `name`, when a switch its own
/// configuration declares rules it out (idp-wire-more.md §5: Rippling's form
/// "Supports Groups" and "Create & Delete Groups", `[doc]`).
fn not_sent(spec: &ProfileSpec, name: &str) -> Option<String> {
    let group_action = matches!(
        name,
        "lookup_group"
            | "create_group"
            | "add_member"
            | "remove_member"
            | "rename_group"
            | "delete_group"
    );
    let switches = &spec.capabilities;
    if group_action && !switches.switch("groups", true) {
        return Some("its configuration declares `groups: false` (no group is pushed)".into());
    }
    if matches!(name, "create_group" | "delete_group")
        && !switches.switch("create_delete_groups", true)
    {
        return Some(
            "its configuration declares `create_delete_groups: false` (groups are neither created nor deleted)"
                .into(),
        );
    }
    None
}

fn user_path(args: &Args<'_>) -> Result<String, ExpandError> {
    Ok(format!("/Users/{}", args.string("id")?))
}

fn group_path(args: &Args<'_>) -> Result<String, ExpandError> {
    Ok(format!("/Groups/{}", args.string("id")?))
}

/// Variables the expansions use between their own steps.
const FOUND: &str = "_idp_match_id";
const CURRENT: &str = "_idp_current";
const PROBE_ID: &str = "_idp_probe_id";

struct Wire<'a> {
    spec: &'a ProfileSpec,
    origin: String,
}

impl Wire<'_> {
    /// A request with the profile's headers.
    fn step(&self, label: &str, method: Method, path: String) -> RequestStep {
        let headers: IndexMap<String, String> = self.spec.headers.clone();
        RequestStep {
            name: Some(format!("{} › {label}", self.origin)),
            request: RequestSpec {
                method,
                path,
                headers,
                ..RequestSpec::default()
            },
            origin: Some(self.origin.clone()),
            ..RequestStep::default()
        }
    }

    /// A body with the profile's `Content-Type`.
    fn with_body(&self, mut s: RequestStep, body: Value) -> RequestStep {
        s.request
            .headers
            .insert("Content-Type".to_owned(), self.spec.content_type.clone());
        s.request.body = Some(body);
        s
    }

    /// The response's media type must be one the profile accepts.
    fn accepts(&self, mut s: RequestStep) -> RequestStep {
        let alternatives: Vec<String> =
            self.spec.accepts.iter().map(|t| regex::escape(t)).collect();
        s.expect.headers.insert(
            "Content-Type".to_owned(),
            HeaderCheck::Detailed(HeaderPredicate {
                matches: Some(format!("(?i)^\\s*({})\\s*(;.*)?$", alternatives.join("|"))),
                ..HeaderPredicate::default()
            }),
        );
        s
    }

    fn boolean(&self, b: bool) -> Value {
        match self.spec.booleans {
            Booleans::Native => json!(b),
            Booleans::String => json!(if b { "true" } else { "false" }),
            Booleans::Capitalised => json!(if b { "True" } else { "False" }),
        }
    }

    fn op(&self, op: &str) -> String {
        match self.spec.op_case {
            OpCase::Lower => op.to_owned(),
            OpCase::Capitalised => {
                let mut c = op.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            }
        }
    }

    fn patch(&self, label: &str, path: String, operations: Vec<Value>) -> RequestStep {
        let s = self.step(label, Method::Patch, path);
        self.with_body(
            s,
            json!({"schemas": [PATCH_OP_SCHEMA], "Operations": operations}),
        )
        .status(&[200, 204])
    }

    /// `GET` the resource (kept for the `PUT` that follows).
    fn fetch(&self, path: String) -> RequestStep {
        self.accepts(self.step("fetch", Method::Get, path))
            .status(&[200])
            .capture(CURRENT, "$", false)
    }

    /// `PUT` the fetched resource back with `merge` on top.
    fn put_merged(&self, label: &str, path: String, merge: Value) -> RequestStep {
        let mut put = self
            .with_body(
                self.step(label, Method::Put, path),
                json!(format!("{{{{ {CURRENT} }}}}")),
            )
            .status(&[200])
            .json("$.id", ops(json!({"type": "string", "non_empty": true})));
        put.request.body_merge = Some(merge);
        put
    }

    /// A user's full `PUT` with the profile's `put_suffix`.
    fn user_put(&self, mut put: RequestStep) -> RequestStep {
        put.request.query_suffix = self.spec.users.put_suffix.clone();
        put
    }

    fn delete(&self, label: &str, path: String, args: &Args<'_>) -> RequestStep {
        self.step(label, Method::Delete, path)
            .status(&[204])
            .with_action_extras(args.action)
    }

    /// The lookup steps of `how` for `value` on `endpoint`: they leave the
    /// match's id in [`FOUND`] (null when none). Filtered lookups read the
    /// first result; list-all lookups page through everything and match in
    /// the client, as PingFederate does for groups.
    fn lookup(&self, how: &Lookup, endpoint: &str, value: &str, statuses: &[u16]) -> RequestStep {
        let label = if how.list_all {
            format!("list every resource to find {}", how.attribute)
        } else {
            format!("look up by {}", how.attribute)
        };
        let mut s = self.step(&label, Method::Get, endpoint.to_owned());
        let page = u64::from(self.spec.paging.page_size.get());
        if how.list_all {
            s.request.paginate = Some(Paginate {
                count: page,
                max_pages: u64::from(self.spec.paging.max_pages.get()),
            });
            let path = format!(
                "$.Resources[?(@.{} == {})].id",
                how.attribute,
                Value::String(value.to_owned())
            );
            s = s.capture(FOUND, &path, true);
        } else {
            let mut query = vec![("filter", eq_filter(&how.attribute, value))];
            // A declared `pagination: false` (Rippling's form) turns paging off.
            if how.paged && self.spec.capabilities.switch("pagination", true) {
                query.push(("startIndex", json!(1)));
                query.push(("count", json!(page)));
            }
            s = s
                .query(&query, how.encoding)
                .capture(FOUND, "$.Resources[0].id", true);
            s.request.query_suffix = how.query_suffix.clone();
        }
        // A 404 (OneLogin's probe) carries a SCIM error body: its media type counts too.
        let s = self.accepts(s.status(statuses));
        if statuses != [200] {
            return s;
        }
        let s = s.json("$.totalResults", ops(json!({"type": "integer"})));
        // Paged reads are checked as one synthetic list (no `schemas`).
        if how.list_all {
            s
        } else {
            s.schema(SchemaName::ListResponse)
        }
    }

    fn test_connection(&self, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
        let random = args.string_or("guid", "{{ uuid }}");
        let mut steps = Vec::new();
        for probe in &self.spec.connection_test {
            match probe {
                Probe::MissingUser { accept_status } => {
                    let mut s =
                        self.lookup(&self.spec.users.lookup, "/Users", &random, accept_status);
                    if accept_status == &[200] {
                        s = s.json("$.totalResults", eq(json!(0)));
                    }
                    s.capture.shift_remove(FOUND);
                    steps.push(s);
                }
                Probe::MissingGroup => {
                    let how = &self.spec.groups.lookup;
                    let mut s = self.lookup(how, "/Groups", &random, &[200]);
                    s.capture.shift_remove(FOUND);
                    if !how.list_all {
                        s = s.json("$.totalResults", eq(json!(0)));
                    }
                    steps.push(s);
                }
                Probe::ListUsers { count } => steps.push(
                    self.accepts(self.step("list users", Method::Get, "/Users".into()))
                        .query(&[("count", json!(count))], self.spec.users.lookup.encoding)
                        .status(&[200])
                        .schema(SchemaName::ListResponse),
                ),
                Probe::ServiceProviderConfig => steps.push(
                    self.accepts(self.step(
                        "read capabilities",
                        Method::Get,
                        "/ServiceProviderConfig".into(),
                    ))
                    .status(&[200])
                    .schema(SchemaName::ServiceProviderConfig),
                ),
                Probe::CreateDeleteUser => {
                    let user = format!("scimulator-test-{random}@example.com");
                    let body = self.user_body(&user, "Test", "User", &user, &user, true);
                    steps.push(
                        self.accepts(self.with_body(
                            self.step("create a test user", Method::Post, "/Users".into()),
                            body,
                        ))
                        .status(&[201])
                        .capture(PROBE_ID, "$.id", false),
                    );
                    steps.push(
                        self.step(
                            "delete the test user",
                            Method::Delete,
                            format!("/Users/{{{{ {PROBE_ID} }}}}"),
                        )
                        .status(&[204]),
                    );
                }
                Probe::CreateDeleteGroup => {
                    let name = format!("scimulator-test-{random}");
                    steps.push(
                        self.accepts(self.with_body(
                            self.step("create a test group", Method::Post, "/Groups".into()),
                            json!({"schemas": [GROUP_SCHEMA], "displayName": name}),
                        ))
                        .status(&[201])
                        .capture(PROBE_ID, "$.id", false),
                    );
                    steps.push(
                        self.step(
                            "delete the test group",
                            Method::Delete,
                            format!("/Groups/{{{{ {PROBE_ID} }}}}"),
                        )
                        .status(&[204]),
                    );
                }
            }
        }
        if let Some(first) = steps.first_mut() {
            *first = first.clone().with_action_extras(args.action);
        }
        Ok(steps)
    }

    fn user_body(
        &self,
        user: &str,
        given: &str,
        family: &str,
        email: &str,
        external: &str,
        active: bool,
    ) -> Value {
        json!({
            "schemas": [USER_SCHEMA],
            "externalId": external,
            "userName": user,
            "active": self.boolean(active),
            "name": {"givenName": given, "familyName": family},
            "emails": [{"primary": true, "type": "work", "value": email}],
        })
    }

    /// The user lookup, its attribute replaced by `with.match` when given
    /// (PingFederate matches on `userName` or work email, §2).
    fn user_lookup(&self, args: &Args<'_>) -> Lookup {
        let mut how = self.spec.users.lookup.clone();
        if let Some(attribute) = args.opt("match").and_then(Value::as_str) {
            attribute.clone_into(&mut how.attribute);
        }
        how
    }

    /// The value the user lookup matches on.
    fn user_match_value(&self, args: &Args<'_>) -> Result<String, ExpandError> {
        if args.opt("value").is_some() {
            return args.string("value");
        }
        let user = args.string("userName")?;
        Ok(match self.user_lookup(args).attribute.as_str() {
            "emails" | "emails.value" => args.string_or("email", &user),
            "externalId" => args.string_or("externalId", &user),
            _ => user,
        })
    }

    fn lookup_user(&self, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
        let value = self.user_match_value(args)?;
        Ok(vec![
            self.lookup(&self.user_lookup(args), "/Users", &value, &[200])
                .with_action_extras(args.action),
        ])
    }

    /// Look up, POST when absent, read the match when present.
    fn create_user(&self, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
        let user = args.string("userName")?;
        let email = args.string_or("email", &user);
        let active = args.opt("active") != Some(&Value::Bool(false));
        let mut body = self.user_body(
            &user,
            &args.string_or("givenName", "Test"),
            &args.string_or("familyName", "User"),
            &email,
            &args.string_or("externalId", &user),
            active,
        );
        for key in ["displayName", "title", "nickName"] {
            if let Some(v) = args.opt(key) {
                body[key] = v.clone();
            }
        }
        let value = self.user_match_value(args)?;
        let lookup = self.lookup(&self.user_lookup(args), "/Users", &value, &[200]);
        let create = self
            .accepts(self.with_body(self.step("create", Method::Post, "/Users".into()), body))
            .when(FOUND, Value::Null, true)
            .status(&[201])
            .schema(SchemaName::User)
            .json("$.id", ops(json!({"type": "string", "non_empty": true})))
            .json("$.userName", ops(json!({"eq_ci": user})))
            .with_action_extras(args.action);
        let matched = self
            .accepts(self.step(
                "read the match",
                Method::Get,
                format!("/Users/{{{{ {FOUND} }}}}"),
            ))
            .when(FOUND, Value::Null, false)
            .status(&[200])
            .with_action_extras(args.action);
        Ok(vec![lookup, create, matched])
    }

    fn update_user(&self, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
        let path = user_path(args)?;
        let mut merge = Map::new();
        let mut operations = Vec::new();
        for (key, value) in &args.action.with {
            let (patch_path, merged): (String, Value) = match key.as_str() {
                "id" | "match" => continue,
                "userName" | "displayName" | "title" | "nickName" | "externalId" => {
                    (key.clone(), json!({key: value}))
                }
                "givenName" | "familyName" => {
                    (format!("name.{key}"), json!({"name": {key: value}}))
                }
                "email" => {
                    let emails = json!([{"primary": true, "type": "work", "value": value}]);
                    ("emails".to_owned(), json!({"emails": emails}))
                }
                other => {
                    return Err(args.error(format!(
                        "`with.{other}` is not an attribute {} updates",
                        self.spec.name
                    )));
                }
            };
            let value = merged
                .as_object()
                .and_then(|m| m.values().next())
                .cloned()
                .unwrap_or(Value::Null);
            let op_value = match key.as_str() {
                "givenName" | "familyName" => args.value(key)?,
                _ => value.clone(),
            };
            operations
                .push(json!({"op": self.op("replace"), "path": patch_path, "value": op_value}));
            if let Some(m) = merged.as_object() {
                for (k, v) in m {
                    match (merge.get_mut(k), v) {
                        (Some(Value::Object(into)), Value::Object(add)) => {
                            into.extend(add.clone());
                        }
                        _ => {
                            merge.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
        }
        if operations.is_empty() {
            return Err(args.error("nothing to update: give at least one attribute besides `id`"));
        }
        Ok(match self.spec.users.update {
            Update::Patch => vec![
                self.patch("update", path, operations)
                    .with_action_extras(args.action),
            ],
            Update::Put => vec![
                self.fetch(path.clone()),
                self.user_put(self.put_merged("update", path, Value::Object(merge)))
                    .with_action_extras(args.action),
            ],
        })
    }

    fn set_active(&self, args: &Args<'_>, active: bool) -> Result<Vec<RequestStep>, ExpandError> {
        let path = user_path(args)?;
        let label = if active { "reactivate" } else { "deactivate" };
        let style = match (self.spec.users.deactivate, active) {
            (Deactivate::Delete, false) => {
                return Ok(vec![self.delete("delete user", path, args)]);
            }
            (Deactivate::Delete, true) => match self.spec.users.update {
                Update::Patch => Deactivate::Patch,
                Update::Put => Deactivate::Put,
            },
            (style, _) => style,
        };
        Ok(match style {
            Deactivate::Put => vec![
                self.fetch(path.clone()),
                self.user_put(self.put_merged(
                    label,
                    path,
                    json!({"active": self.boolean(active)}),
                ))
                .with_action_extras(args.action),
            ],
            _ => vec![
                self.patch(
                    label,
                    path,
                    vec![json!({"op": self.op("replace"), "path": "active", "value": self.boolean(active)})],
                )
                .with_action_extras(args.action),
            ],
        })
    }

    /// A group lookup must find the group: its id goes to [`FOUND`], and the
    /// action's expectations apply to a read of the group found.
    fn lookup_group(&self, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
        let name = args.string("displayName")?;
        let how = &self.spec.groups.lookup;
        let mut lookup = self.lookup(how, "/Groups", &name, &[200]);
        // The IdP needs the match: finding nothing fails the lookup.
        if let Some(CaptureSpec::Detailed(d)) = lookup.capture.get_mut(FOUND) {
            d.optional = false;
        }
        let read = self
            .accepts(self.step(
                "read the group found",
                Method::Get,
                format!("/Groups/{{{{ {FOUND} }}}}"),
            ))
            .status(&[200])
            .json("$.displayName", eq(json!(name)))
            .with_action_extras(args.action);
        Ok(vec![lookup, read])
    }

    fn create_group(&self, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
        let name = args.string("displayName")?;
        let mut body = json!({"schemas": [GROUP_SCHEMA], "displayName": name});
        if let Some(external) = args.opt("externalId") {
            body["externalId"] = external.clone();
        }
        let lookup = self.lookup(&self.spec.groups.lookup, "/Groups", &name, &[200]);
        let create = self
            .accepts(self.with_body(self.step("create", Method::Post, "/Groups".into()), body))
            .when(FOUND, Value::Null, true)
            .status(&[201])
            .schema(SchemaName::Group)
            .json("$.id", ops(json!({"type": "string", "non_empty": true})))
            .json("$.displayName", eq(json!(name)))
            .with_action_extras(args.action);
        let matched = self
            .accepts(self.step(
                "read the match",
                Method::Get,
                format!("/Groups/{{{{ {FOUND} }}}}"),
            ))
            .when(FOUND, Value::Null, false)
            .status(&[200])
            .with_action_extras(args.action);
        Ok(vec![lookup, create, matched])
    }

    /// Member changes: one PATCH for all, or one per member.
    fn members(&self, args: &Args<'_>, add: bool) -> Result<Vec<RequestStep>, ExpandError> {
        let path = group_path(args)?;
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
        let op = |ids: &[String]| -> Vec<Value> {
            let values: Vec<Value> = ids.iter().map(|id| json!({"value": id})).collect();
            if add {
                vec![json!({"op": self.op("add"), "path": "members", "value": values})]
            } else {
                match self.spec.groups.remove_members {
                    MemberStyle::ValueArray => {
                        vec![json!({"op": self.op("remove"), "path": "members", "value": values})]
                    }
                    MemberStyle::FilterPath => ids
                        .iter()
                        .map(|id| {
                            json!({"op": self.op("remove"), "path": format!("members[value eq \"{id}\"]")})
                        })
                        .collect(),
                }
            }
        };
        let label = if add { "add member" } else { "remove member" };
        let steps = if self.spec.groups.one_patch_per_member {
            ids.iter()
                .map(|id| {
                    self.patch(label, path.clone(), op(std::slice::from_ref(id)))
                        .with_action_extras(args.action)
                })
                .collect()
        } else {
            vec![
                self.patch(label, path, op(&ids))
                    .with_action_extras(args.action),
            ]
        };
        Ok(steps)
    }

    fn rename_group(&self, args: &Args<'_>) -> Result<Vec<RequestStep>, ExpandError> {
        let path = group_path(args)?;
        let name = args.string("displayName")?;
        let uses_patch = self.spec.capabilities.switch("patch_groups", true);
        Ok(if uses_patch {
            vec![
                self.patch(
                    "rename",
                    path,
                    vec![json!({"op": self.op("replace"), "path": "displayName", "value": name})],
                )
                .with_action_extras(args.action),
            ]
        } else {
            vec![
                self.fetch(path.clone()),
                self.put_merged("rename", path, json!({"displayName": name}))
                    .with_action_extras(args.action),
            ]
        })
    }
}
