//! Credentials in a recording → `auth:` of each step, or secret variables
//! read from the environment. No credential, cookie value or token ever
//! reaches the suite: the run's own credential becomes `auth: default`, a
//! token known as revoked `auth: revoked`, a refused unknown one `auth:
//! invalid`, a bare scheme word (`Bearer`) is kept as it is (it holds no
//! secret), and any other accepted credential a `{{ env("…") }}` secret.

use std::collections::HashMap;

use serde_json::json;

use super::GenerateOptions;
use crate::record::exchange::Exchange;
use crate::suite::model::{Auth, VarSpec};

/// How each distinct `Authorization` value is replayed.
#[derive(Debug, Default)]
pub struct AuthMap {
    roles: HashMap<String, Role>,
    /// Secret variables (name, env var) in order of first use.
    secrets: Vec<(String, String)>,
    cookie: bool,
}

#[derive(Debug, Clone)]
enum Role {
    Default,
    Revoked,
    Invalid,
    Raw(String),
    Secret(String),
}

fn token_of(header: &str) -> &str {
    let header = header.trim();
    match header.split_once(' ') {
        Some((_, rest)) => rest.trim(),
        None => header,
    }
}

/// Classifies every `Authorization` value of `exchanges`.
pub fn classify(exchanges: &[&Exchange], opts: &GenerateOptions) -> AuthMap {
    let mut map = AuthMap::default();
    let mut uses: HashMap<&str, (usize, usize)> = HashMap::new();
    for ex in exchanges {
        if let Some(v) = ex.request_header("authorization") {
            let e = uses.entry(v).or_insert((0, 0));
            e.0 += 1;
            if ex.status != 401 && ex.status != 403 {
                e.1 += 1;
            }
        }
        map.cookie |= ex.request_header("cookie").is_some();
    }
    let primary: Option<String> = match &opts.primary_auth {
        Some(p) => Some(p.clone()),
        None => uses
            .iter()
            .filter(|(_, (_, accepted))| *accepted > 0)
            .max_by_key(|(v, (n, _))| (*n, std::cmp::Reverse(**v)))
            .map(|(v, _)| (*v).to_owned()),
    };
    let mut values: Vec<&str> = uses.keys().copied().collect();
    values.sort_unstable();
    // Order secrets by first use, so names are stable.
    values.sort_by_key(|v| {
        exchanges
            .iter()
            .position(|e| e.request_header("authorization") == Some(*v))
            .unwrap_or(usize::MAX)
    });
    for value in values {
        let token = token_of(value);
        let is_primary = primary
            .as_deref()
            .is_some_and(|p| p == value || (!token.is_empty() && p == token));
        let refused = uses.get(value).is_some_and(|(_, accepted)| *accepted == 0);
        let bare_scheme = ["bearer", "basic"].contains(&value.trim().to_ascii_lowercase().as_str());
        let role = if is_primary {
            Role::Default
        } else if opts.revoked_tokens.iter().any(|r| r == token || r == value) {
            Role::Revoked
        } else if bare_scheme {
            Role::Raw(value.trim().to_owned())
        } else if refused {
            Role::Invalid
        } else {
            let n = map.secrets.len() + 1;
            let var = format!("auth_{n}");
            map.secrets
                .push((var.clone(), format!("SCIMULATOR_RECORDED_AUTH_{n}")));
            Role::Secret(var)
        };
        map.roles.insert(value.to_owned(), role);
    }
    map
}

impl AuthMap {
    /// The step's `auth:` and whether it needs the revoked token.
    pub fn auth_for(&self, ex: &Exchange) -> (Auth, bool) {
        let Some(value) = ex.request_header("authorization") else {
            return (Auth::None, false);
        };
        match self.roles.get(value) {
            Some(Role::Default) | None => (Auth::Default, false),
            Some(Role::Revoked) => (Auth::Revoked, true),
            Some(Role::Invalid) => (Auth::Invalid, false),
            Some(Role::Raw(v)) => (Auth::Raw(v.clone()), false),
            Some(Role::Secret(var)) => (Auth::Raw(format!("{{{{ {var} }}}}")), false),
        }
    }

    /// The `Cookie` header of a step: always the secret variable.
    pub fn cookie_template(&self, _value: &str) -> String {
        "{{ cookie }}".to_owned()
    }

    /// The secret variables to declare.
    pub fn vars(&self) -> Vec<(String, VarSpec)> {
        let mut out: Vec<(String, VarSpec)> = self
            .secrets
            .iter()
            .map(|(var, env)| {
                (
                    var.clone(),
                    VarSpec::Detailed {
                        value: json!(format!("{{{{ env(\"{env}\") }}}}")),
                        secret: true,
                    },
                )
            })
            .collect();
        if self.cookie {
            out.push((
                "cookie".to_owned(),
                VarSpec::Detailed {
                    value: json!("{{ env(\"SCIMULATOR_RECORDED_COOKIE\") }}"),
                    secret: true,
                },
            ));
        }
        out
    }

    /// Comments explaining the credentials to supply on replay.
    pub fn comments(&self) -> Vec<String> {
        let mut out = vec![
            "Credentials are never written here: `auth: default` sends --token (or --basic)."
                .to_owned(),
        ];
        for (var, env) in &self.secrets {
            out.push(format!(
                "`{var}` is another Authorization value the client sent: set {env} to it."
            ));
        }
        if self.cookie {
            out.push("set SCIMULATOR_RECORDED_COOKIE to the Cookie header to replay.".to_owned());
        }
        out
    }
}
