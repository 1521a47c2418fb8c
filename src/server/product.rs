//! Product behaviour of the simulated application (seeds 000–004): the
//! resolved organisation role of each user and the create-time defaults.
//! Pure functions over `serde_json::Value` and [`ProductConfig`]; no I/O.
//!
//! Role precedence, first match wins:
//!
//! 1. **group mapping** (seed 004): the user is a member of a group whose
//!    `displayName` matches a `group_roles` entry (case-insensitive; the
//!    first entry in config order wins) → `roleSource: "group"`;
//! 2. **userType promotion** (seed 003): `userType` `Admin` (if the admin
//!    switch is on) or `Moderator` (if the moderator switch is on) →
//!    `roleSource: "userType"`; `Registered`, or a switched-off value, falls through;
//! 3. **role mapping** (seeds 000/001): the value of the primary entry of
//!    `roles` (else the first entry) matched case-insensitively against
//!    `role_mappings` → `roleSource: "mapping"`;
//! 4. **default role** → `roleSource: "default"`.
//!
//! The result appears in every user under
//! `urn:scimulator:params:scim:schemas:extension:product:2.0:User`
//! as `{ "role": …, "roleSource": … }` (declared in `/Schemas`); it is
//! read-only (input is ignored).

use serde_json::{Value, json};

use super::config::ProductConfig;
use crate::scim::SCIMULATOR_USER_SCHEMA;

/// A resolved role and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResolvedRole {
    /// The organisation role.
    pub role: String,
    /// `group`, `userType`, `mapping` or `default`.
    pub source: String,
    /// The mapped group's name when `source` is `group`.
    pub group: Option<String>,
}

fn field<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// The IdP role value: the primary entry of `roles`, else the first.
pub(crate) fn idp_role_value(user: &Value) -> Option<&str> {
    let roles = field(user, "roles")?.as_array()?;
    let primary = roles
        .iter()
        .find(|r| field(r, "primary") == Some(&Value::Bool(true)));
    field(primary.or_else(|| roles.first())?, "value")?.as_str()
}

/// Resolves a (materialised) user's role under `config`.
pub(crate) fn resolve_role(user: &Value, config: &ProductConfig) -> ResolvedRole {
    let group_names: Vec<&str> = field(user, "groups")
        .and_then(Value::as_array)
        .map(|g| {
            g.iter()
                .filter_map(|e| field(e, "display").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    if let Some(mapping) = config
        .group_roles
        .iter()
        .find(|m| group_names.iter().any(|g| g.eq_ignore_ascii_case(&m.group)))
    {
        return ResolvedRole {
            role: mapping.role.clone(),
            source: "group".into(),
            group: Some(mapping.group.clone()),
        };
    }
    if let Some(user_type) = field(user, "userType").and_then(Value::as_str) {
        let promo = &config.user_type_promotion;
        let promoted = if promo.admin && user_type.eq_ignore_ascii_case("admin") {
            Some(&promo.admin_role)
        } else if promo.moderator && user_type.eq_ignore_ascii_case("moderator") {
            Some(&promo.moderator_role)
        } else {
            None
        };
        if let Some(role) = promoted {
            return ResolvedRole {
                role: role.clone(),
                source: "userType".into(),
                group: None,
            };
        }
    }
    if let Some(value) = idp_role_value(user)
        && let Some(mapping) = config
            .role_mappings
            .iter()
            .find(|m| m.idp_value.eq_ignore_ascii_case(value))
    {
        return ResolvedRole {
            role: mapping.role.clone(),
            source: "mapping".into(),
            group: None,
        };
    }
    ResolvedRole {
        role: config.default_role.clone(),
        source: "default".into(),
        group: None,
    }
}

/// Adds the product extension (and its URN in `schemas`) to a user view.
pub(crate) fn decorate(user: &mut Value, config: &ProductConfig) {
    let resolved = resolve_role(user, config);
    let Some(obj) = user.as_object_mut() else {
        return;
    };
    obj.insert(
        SCIMULATOR_USER_SCHEMA.into(),
        json!({"role": resolved.role, "roleSource": resolved.source}),
    );
    if let Some(schemas) = obj.get_mut("schemas").and_then(Value::as_array_mut)
        && !schemas.iter().any(|s| s == SCIMULATOR_USER_SCHEMA)
    {
        schemas.push(Value::String(SCIMULATOR_USER_SCHEMA.into()));
    }
}

/// Removes attributes a client may not set: the product extension, derived
/// `groups`, and client-supplied `id`/`meta`.
pub(crate) fn strip_read_only(resource: &mut Value) {
    if let Some(obj) = resource.as_object_mut() {
        obj.retain(|k, _| {
            !k.eq_ignore_ascii_case(SCIMULATOR_USER_SCHEMA)
                && !k.eq_ignore_ascii_case("groups")
                && !k.eq_ignore_ascii_case("id")
                && !k.eq_ignore_ascii_case("meta")
        });
        if let Some(schemas) = obj.get_mut("schemas").and_then(Value::as_array_mut) {
            schemas.retain(|s| s != SCIMULATOR_USER_SCHEMA);
        }
    }
}

/// Create-time defaults: `active: true` when absent and auto-activate is on.
pub(crate) fn apply_create_defaults(user: &mut Value, config: &ProductConfig) {
    if let Some(obj) = user.as_object_mut()
        && config.auto_activate
        && !obj.keys().any(|k| k.eq_ignore_ascii_case("active"))
    {
        obj.insert("active".into(), Value::Bool(true));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::config::{GroupRole, RoleMapping};

    fn config() -> ProductConfig {
        ProductConfig {
            default_role: "member".into(),
            role_mappings: vec![RoleMapping {
                idp_value: "Admin".into(),
                role: "org_admin".into(),
            }],
            group_roles: vec![GroupRole {
                group: "StackFlow-Admins".into(),
                role: "super_admin".into(),
            }],
            ..ProductConfig::default()
        }
    }

    #[test]
    fn role_mapping_is_case_insensitive() {
        let user = json!({"roles": [{"value": "admin"}]});
        let resolved = resolve_role(&user, &config());
        assert_eq!(resolved.role, "org_admin");
        assert_eq!(resolved.source, "mapping");
    }

    #[test]
    fn primary_role_wins_over_first() {
        let user = json!({"roles": [{"value": "Viewer"}, {"value": "ADMIN", "primary": true}]});
        assert_eq!(resolve_role(&user, &config()).role, "org_admin");
    }

    #[test]
    fn unmapped_role_falls_back_to_default() {
        let user = json!({"roles": [{"value": "Owner"}]});
        let resolved = resolve_role(&user, &config());
        assert_eq!(
            (resolved.role.as_str(), resolved.source.as_str()),
            ("member", "default")
        );
    }

    #[test]
    fn user_type_promotion_needs_its_switch() {
        let user = json!({"userType": "Admin", "roles": [{"value": "Admin"}]});
        let mut cfg = config();
        assert_eq!(resolve_role(&user, &cfg).source, "mapping");
        cfg.user_type_promotion.admin = true;
        assert_eq!(resolve_role(&user, &cfg).role, "admin");
        let moderator = json!({"userType": "Moderator"});
        assert_eq!(resolve_role(&moderator, &cfg).role, "member");
        cfg.user_type_promotion.moderator = true;
        assert_eq!(resolve_role(&moderator, &cfg).role, "moderator");
        let registered = json!({"userType": "Registered"});
        assert_eq!(resolve_role(&registered, &cfg).source, "default");
    }

    #[test]
    fn group_mapping_takes_precedence() {
        let mut cfg = config();
        cfg.user_type_promotion.admin = true;
        let user =
            json!({"userType": "Admin", "groups": [{"value": "g", "display": "stackflow-admins"}]});
        let resolved = resolve_role(&user, &cfg);
        assert_eq!(resolved.role, "super_admin");
        assert_eq!(resolved.source, "group");
        assert_eq!(resolved.group.as_deref(), Some("StackFlow-Admins"));
    }

    #[test]
    fn auto_activate_only_fills_a_missing_active() {
        let mut user = json!({"userName": "a"});
        apply_create_defaults(&mut user, &config());
        assert_eq!(user["active"], true);
        let mut inactive = json!({"active": false});
        apply_create_defaults(&mut inactive, &config());
        assert_eq!(inactive["active"], false);
        let mut off = json!({});
        let cfg = ProductConfig {
            auto_activate: false,
            ..config()
        };
        apply_create_defaults(&mut off, &cfg);
        assert!(off.get("active").is_none());
    }

    #[test]
    fn decorate_adds_extension_and_schema() {
        let mut user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]});
        decorate(&mut user, &config());
        assert_eq!(user[SCIMULATOR_USER_SCHEMA]["role"], "member");
        assert_eq!(user["schemas"].as_array().map(Vec::len), Some(2));
        strip_read_only(&mut user);
        assert!(user.get(SCIMULATOR_USER_SCHEMA).is_none());
    }
}
