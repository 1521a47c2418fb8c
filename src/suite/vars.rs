//! Binding a suite's `vars:` into a template scope.

use super::model::{Suite, VarSpec};
use crate::template::{Scope, TemplateError, render_value};

/// Renders the suite's variables in order (each may use the ones before it,
/// built-ins and whatever `scope` already holds) and sets them in `scope`,
/// secret ones marked secret. The runner calls this at the start of every
/// case, so `{{ unique.email }}` gives each case a fresh value.
pub fn bind_vars(suite: &Suite, scope: &mut Scope) -> Result<(), TemplateError> {
    for (name, spec) in &suite.vars {
        let (value, secret) = match spec {
            VarSpec::Detailed { value, secret } => (value, *secret),
            VarSpec::Plain(value) => (value, false),
        };
        let rendered = render_value(value, scope)?;
        scope.set(name, rendered, secret);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::load_str;
    use serde_json::json;

    #[test]
    fn vars_render_in_order_with_secrets_marked() {
        let suite = load_str(
            "t.yaml",
            "suite: s\nvars:\n  user: \"{{ unique.username }}\"\n  email: \"{{ user }}@example.com\"\n  n: 3\n  key: { value: \"k-{{ n }}-secret\", secret: true }\ncases: []\n",
        )
        .expect("loads");
        let mut scope = Scope::new("r1");
        bind_vars(&suite, &mut scope).expect("binds");
        assert_eq!(scope.get("user"), Some(&json!("scim-r1-1")));
        assert_eq!(scope.get("email"), Some(&json!("scim-r1-1@example.com")));
        assert_eq!(scope.get("n"), Some(&json!(3)));
        assert_eq!(scope.secrets(), vec!["k-3-secret".to_string()]);
        bind_vars(&suite, &mut scope).expect("binds again");
        assert_eq!(scope.get("user"), Some(&json!("scim-r1-2")));
    }
}
