//! The variable scope a template is rendered in.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;

/// Variables (name → JSON value, each public or secret) plus the state the
/// built-ins need (run id and a counter shared by clones, so `unique.*`
/// never repeats within a run).
#[derive(Debug, Clone)]
pub struct Scope {
    vars: BTreeMap<String, Variable>,
    run_id: String,
    counter: Arc<AtomicU64>,
}

#[derive(Debug, Clone)]
struct Variable {
    value: Value,
    secret: bool,
}

impl Scope {
    /// An empty scope for the run `run_id` (used by `unique.*`).
    pub fn new(run_id: &str) -> Self {
        Self {
            vars: BTreeMap::new(),
            run_id: run_id.to_string(),
            counter: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Defines or replaces a variable; `secret` values are redacted in output.
    pub fn set(&mut self, name: &str, value: Value, secret: bool) {
        self.vars
            .insert(name.to_string(), Variable { value, secret });
    }

    /// The value of a variable (not of a built-in).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.vars.get(name).map(|v| &v.value)
    }

    /// True when `name` is defined and marked secret.
    pub fn is_secret(&self, name: &str) -> bool {
        self.vars.get(name).is_some_and(|v| v.secret)
    }

    /// The names of every defined variable, sorted.
    pub fn names(&self) -> Vec<String> {
        self.vars.keys().cloned().collect()
    }

    /// Every secret value, as text (strings raw, other values as JSON).
    pub fn secrets(&self) -> Vec<String> {
        self.vars
            .values()
            .filter(|v| v.secret)
            .map(|v| match &v.value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    }

    /// The run id given to [`Scope::new`].
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The next value of the per-run counter (starts at 1).
    pub(crate) fn next_counter(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_lists_only_secret_values_as_text() {
        let mut s = Scope::new("r1");
        s.set("token", json!("abcd1234"), true);
        s.set("user", json!("ada"), false);
        s.set("pin", json!(12345), true);
        let mut secrets = s.secrets();
        secrets.sort();
        assert_eq!(secrets, vec!["12345".to_string(), "abcd1234".to_string()]);
    }

    #[test]
    fn clones_share_the_unique_counter() {
        let a = Scope::new("r1");
        let b = a.clone();
        assert_eq!(a.next_counter(), 1);
        assert_eq!(b.next_counter(), 2);
    }
}
