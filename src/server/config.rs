//! Server configuration: [`ServerConfig`] (bind address, tokens, limits) and
//! [`ProductConfig`] (the simulated product's provisioning behaviour, also
//! editable at run time through the admin API). Loaded from YAML with
//! unknown keys rejected.
//!
//! ```yaml
//! addr: 127.0.0.1:8080
//! admin_token: change-me          # omitted → generated and printed at start
//! tokens: [okta-secret]           # plaintext SCIM tokens, named cli-1, cli-2, …
//! max_body_bytes: 1048576
//! max_results: 1000
//! basic_auth: { username: okta, password: s3cret }   # optional
//! oauth_clients:                  # client credentials at POST /oauth/token
//!   - { client_id: okta, client_secret: s3cret, scopes: [scim], token_ttl_secs: 3600 }
//! tenants:                        # more tenants, each at /t/{name}/scim/v2
//!   - name: acme
//!     tokens: [acme-secret]
//!     oauth_clients: []           # token endpoint /t/acme/oauth/token
//!     product: { default_role: viewer }   # omitted → the reference product
//! data: scimulator.db             # optional: keep everything in this file (`--data`)
//! inspector: { feed_size: 1000 }  # exchanges kept for /admin/ui (0: off)
//! product:                        # omitted → ProductConfig::reference()
//!   default_role: member
//!   role_mappings:
//!     - { idp_value: Admin, role: admin }
//!   user_type_promotion: { admin: true, moderator: false }
//!   group_roles:
//!     - { group: StackFlow-Admins, role: super_admin }
//!   auto_activate: true
//!   sync_groups: true
//!   extensions: []                # custom extension schemas (RFC 7643 §7 shape)
//!   entitlement_types: [ … ]      # Okta's roles and entitlements (`server::entitlements`)
//! ```

use std::net::SocketAddr;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::ConfigError;

/// Configuration of the reference server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Listen address; loopback by default. Port 0 picks a free port.
    pub addr: SocketAddr,
    /// The admin API token; `None` generates a random one at start.
    pub admin_token: Option<String>,
    /// Plaintext SCIM bearer tokens accepted from the CLI or config, named `cli-1`, `cli-2`, ….
    pub tokens: Vec<String>,
    /// Maximum request body size in bytes (larger bodies get 413).
    pub max_body_bytes: usize,
    /// Largest page a list or search returns (advertised as `filter.maxResults`).
    pub max_results: usize,
    /// Optional HTTP Basic credentials accepted on `/scim/v2` (Okta custom apps).
    pub basic_auth: Option<BasicAuth>,
    /// The simulated product's behaviour. When the YAML has no `product`
    /// section this is [`ProductConfig::reference`]; a `product` section is
    /// taken as written, its missing keys from [`ProductConfig::default`].
    pub product: ProductConfig,
    /// The data file (`serve --data`): resources, issued tokens and settings
    /// are kept there and restored at start. `None` keeps everything in memory.
    pub data: Option<std::path::PathBuf>,
    /// OAuth 2.0 clients of the default tenant (client-credentials grant at `/oauth/token`).
    pub oauth_clients: Vec<OAuthClientConfig>,
    /// Further tenants, each at `/t/{name}/scim/v2` with its own store,
    /// tokens, OAuth clients and product.
    pub tenants: Vec<TenantSpec>,
    /// The live inspector (`/admin/ui`): `inspector: { feed_size: 1000 }`.
    pub inspector: super::inspect::InspectorConfig,
}

/// One tenant besides the default one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TenantSpec {
    /// Name: 1–63 of `a-z`, `0-9`, `-`, `_`; the tenant is served at `/t/{name}/scim/v2`.
    pub name: String,
    /// Plaintext SCIM bearer tokens of this tenant, named `cli-1`, `cli-2`, ….
    pub tokens: Vec<String>,
    /// OAuth 2.0 clients of this tenant (token endpoint `/t/{name}/oauth/token`).
    pub oauth_clients: Vec<OAuthClientConfig>,
    /// The tenant's product; omitted → [`ProductConfig::reference`].
    pub product: Option<ProductConfig>,
}

impl TenantSpec {
    /// Checks the name and the product.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let ok = !self.name.is_empty()
            && self.name.len() <= 63
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !ok {
            return Err(ConfigError::Invalid(format!(
                "tenant name `{}` must be 1-63 of a-z, 0-9, - and _",
                self.name
            )));
        }
        if self.name == super::state::DEFAULT_TENANT {
            return Err(ConfigError::Invalid(
                "the tenant name `default` is reserved for /scim/v2".into(),
            ));
        }
        for client in &self.oauth_clients {
            client.validate()?;
        }
        self.product
            .as_ref()
            .map_or(Ok(()), ProductConfig::validate)
    }
}

/// An OAuth 2.0 client allowed the client-credentials grant (RFC 6749 §4.4).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OAuthClientConfig {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret` (kept only as a hash once the server starts).
    pub client_secret: String,
    /// Scopes this client may ask for. Empty: no scopes, tokens reach SCIM.
    /// Non-empty: a token reaches SCIM only when it was granted `scim`.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Lifetime of an issued access token in seconds (`expires_in`).
    #[serde(default = "OAuthClientConfig::default_ttl")]
    pub token_ttl_secs: u64,
}

impl OAuthClientConfig {
    fn default_ttl() -> u64 {
        3600
    }

    /// Checks that id and secret are set and the lifetime is positive.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.client_id.trim().is_empty() || self.client_secret.is_empty() {
            return Err(ConfigError::Invalid(
                "an OAuth client needs a client_id and a client_secret".into(),
            ));
        }
        if self.token_ttl_secs == 0 {
            return Err(ConfigError::Invalid(
                "an OAuth client's token_ttl_secs must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            admin_token: None,
            tokens: Vec::new(),
            max_body_bytes: 1024 * 1024,
            max_results: 1000,
            basic_auth: None,
            product: ProductConfig::reference(),
            oauth_clients: Vec::new(),
            tenants: Vec::new(),
            data: None,
            inspector: super::inspect::InspectorConfig::default(),
        }
    }
}

impl ServerConfig {
    /// Reads a YAML configuration file (unknown keys are errors).
    pub fn from_yaml_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let config: Self = serde_yaml_ng::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks semantic constraints (non-empty default role, positive limits).
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.max_results == 0 {
            return Err(ConfigError::Invalid(
                "max_results must be at least 1".into(),
            ));
        }
        for client in &self.oauth_clients {
            client.validate()?;
        }
        let mut names = std::collections::BTreeSet::new();
        for tenant in &self.tenants {
            tenant.validate()?;
            if !names.insert(tenant.name.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "tenant `{}` is declared twice",
                    tenant.name
                )));
            }
        }
        self.product.validate()
    }
}

/// HTTP Basic credentials for `/scim/v2`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// The product behaviour the server simulates (seeds 000–004).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ProductConfig {
    /// Role given when nothing else applies (required, non-empty).
    pub default_role: String,
    /// IdP role value → organisation role, matched case-insensitively.
    pub role_mappings: Vec<RoleMapping>,
    /// `userType` promotion switches (seed 003).
    pub user_type_promotion: UserTypePromotion,
    /// Group membership → role (seed 004); first matching entry wins.
    pub group_roles: Vec<GroupRole>,
    /// A created user without `active` becomes `active: true`.
    pub auto_activate: bool,
    /// When off, `/Groups` answers 404 and `Group` is absent from `/ResourceTypes`.
    pub sync_groups: bool,
    /// Custom extension schemas (RFC 7643 §7 JSON shape) added to the User resource type.
    pub extensions: Vec<serde_json::Value>,
    /// Okta Identity Governance's role and entitlement resource types
    /// (`/Roles`, `/Licenses`, …); omitted → [`super::entitlements::default_types`].
    pub entitlement_types: Vec<super::entitlements::EntitlementType>,
}

impl Default for ProductConfig {
    fn default() -> Self {
        Self {
            default_role: "member".to_owned(),
            role_mappings: Vec::new(),
            user_type_promotion: UserTypePromotion::default(),
            group_roles: Vec::new(),
            auto_activate: true,
            sync_groups: true,
            extensions: Vec::new(),
            entitlement_types: super::entitlements::default_types(),
        }
    }
}

impl ProductConfig {
    /// The reference product: every seed's behaviour at once, as the bundled
    /// product suites expect it. Default role `member`; role mappings
    /// `Admin → admin`, `Editor → editor` (seeds 000/001); both `userType`
    /// promotion switches on (seed 003); the StackFlow groups
    /// `StackFlow-Admins → super_admin`, `StackFlow-ITSM-Managers →
    /// itsm_manager`, `StackFlow-Agents → itsm_agent`, `StackFlow-Viewers →
    /// viewer` (seed 004); auto-activate and group sync on.
    pub fn reference() -> Self {
        let mapping = |idp: &str, role: &str| RoleMapping {
            idp_value: idp.into(),
            role: role.into(),
        };
        let group = |group: &str, role: &str| GroupRole {
            group: group.into(),
            role: role.into(),
        };
        Self {
            role_mappings: vec![mapping("Admin", "admin"), mapping("Editor", "editor")],
            user_type_promotion: UserTypePromotion {
                admin: true,
                moderator: true,
                ..UserTypePromotion::default()
            },
            group_roles: vec![
                group("StackFlow-Admins", "super_admin"),
                group("StackFlow-ITSM-Managers", "itsm_manager"),
                group("StackFlow-Agents", "itsm_agent"),
                group("StackFlow-Viewers", "viewer"),
            ],
            ..Self::default()
        }
    }

    /// Checks that the default role is set and mappings are non-empty strings.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.default_role.trim().is_empty() {
            return Err(ConfigError::Invalid(
                "product.default_role is required".into(),
            ));
        }
        if self
            .role_mappings
            .iter()
            .any(|m| m.idp_value.trim().is_empty() || m.role.trim().is_empty())
        {
            return Err(ConfigError::Invalid(
                "role mappings need a non-empty idp_value and role".into(),
            ));
        }
        super::entitlements::validate(&self.entitlement_types).map_err(ConfigError::Invalid)?;
        super::scim_adapter::Schemas::build(&self.extensions)
            .map(|_| ())
            .map_err(ConfigError::Invalid)
    }
}

/// One role mapping row.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RoleMapping {
    /// The role value as the IdP sends it (compared case-insensitively).
    pub idp_value: String,
    /// The organisation role it maps to.
    pub role: String,
}

/// One group-to-role row.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct GroupRole {
    /// Group `displayName` (compared case-insensitively).
    pub group: String,
    /// The organisation role its members get.
    pub role: String,
}

/// `userType` promotion switches: `Admin`, `Moderator`, `Registered`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct UserTypePromotion {
    /// `userType: Admin` promotes to `admin_role`.
    pub admin: bool,
    /// `userType: Moderator` promotes to `moderator_role`.
    pub moderator: bool,
    /// Role name for admins.
    pub admin_role: String,
    /// Role name for moderators.
    pub moderator_role: String,
}

impl Default for UserTypePromotion {
    fn default() -> Self {
        Self {
            admin: false,
            moderator: false,
            admin_role: "admin".to_owned(),
            moderator_role: "moderator".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_config_with_unknown_key_is_rejected() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.yaml");
        std::fs::write(&path, "addr: 127.0.0.1:0\nbogus: 1\n").expect("write");
        assert!(matches!(
            ServerConfig::from_yaml_file(&path),
            Err(ConfigError::Parse { .. })
        ));
    }

    #[test]
    fn yaml_config_reads_product_section() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.yaml");
        std::fs::write(
            &path,
            "tokens: [t1]\nproduct:\n  default_role: viewer\n  role_mappings:\n    - { idp_value: Admin, role: admin }\n",
        )
        .expect("write");
        let config = ServerConfig::from_yaml_file(&path).expect("valid");
        assert_eq!(config.product.default_role, "viewer");
        assert_eq!(config.product.role_mappings.len(), 1);
        assert!(config.product.auto_activate);
    }

    #[test]
    fn missing_product_section_means_the_reference_product() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.yaml");
        std::fs::write(&path, "tokens: [t]\n").expect("write");
        let config = ServerConfig::from_yaml_file(&path).expect("valid");
        assert_eq!(config.product, ProductConfig::reference());
        assert!(ProductConfig::default().role_mappings.is_empty());
    }

    #[test]
    fn empty_default_role_is_invalid() {
        let product = ProductConfig {
            default_role: " ".into(),
            ..ProductConfig::default()
        };
        assert!(product.validate().is_err());
    }
}
