//! Evaluation of one `{{ … }}` expression: variable lookups and built-ins.
//!
//! Grammar: `name(.key)*` reads a variable (and into objects / arrays);
//! built-ins are `uuid`, `now`, `random(n)`, `env("X")`, `upper(x)`,
//! `lower(x)` (x a variable path or a quoted literal), `unique.username`,
//! `unique.email`, `unique.id` and `unique.okta_id`. Variables shadow
//! built-ins of the same name.

use rand::distr::{Alphanumeric, SampleString};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::error::TemplateError;
use super::scope::Scope;

/// Names that are defined without a variable (`unique.*` counts as `unique`).
pub(crate) const BUILTIN_ROOTS: &[&str] = &["uuid", "now", "unique"];
/// Functions callable as `name(args)`.
pub(crate) const BUILTIN_FUNCTIONS: &[&str] = &["random", "env", "upper", "lower"];

/// A parsed expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expr {
    /// `a.b.c`
    Path(Vec<String>),
    /// `f(arg)`; `quoted` when the argument was a quoted literal.
    Call {
        name: String,
        arg: String,
        quoted: bool,
    },
}

impl Expr {
    /// The root variable name a path reads, if it is not a built-in.
    pub(crate) fn variable_root(&self) -> Option<&str> {
        match self {
            Expr::Path(parts) => parts
                .first()
                .map(String::as_str)
                .filter(|r| !BUILTIN_ROOTS.contains(r)),
            Expr::Call { name, arg, quoted } => {
                let reads_var = !quoted && (name == "upper" || name == "lower");
                let root = arg.split('.').next().unwrap_or_default();
                (reads_var && !BUILTIN_ROOTS.contains(&root)).then_some(root)
            }
        }
    }
}

/// Parses the text between `{{` and `}}`.
pub(crate) fn parse(expr: &str) -> Result<Expr, TemplateError> {
    let text = expr.trim();
    let syntax = |message: &str| TemplateError::Syntax {
        template: format!("{{{{ {text} }}}}"),
        message: message.to_string(),
    };
    if text.is_empty() {
        return Err(syntax("empty expression"));
    }
    if let Some(open) = text.find('(') {
        let name = text[..open].trim();
        let rest = &text[open + 1..];
        let Some(inner) = rest.strip_suffix(')') else {
            return Err(syntax("a call must end with `)`"));
        };
        if !BUILTIN_FUNCTIONS.contains(&name) {
            return Err(syntax(&format!(
                "unknown function `{name}` (known: random(n), env(\"NAME\"), upper(x), lower(x))"
            )));
        }
        let inner = inner.trim();
        let quoted = inner.len() >= 2
            && ((inner.starts_with('"') && inner.ends_with('"'))
                || (inner.starts_with('\'') && inner.ends_with('\'')));
        let arg = if quoted {
            inner[1..inner.len() - 1].to_string()
        } else {
            inner.to_string()
        };
        return Ok(Expr::Call {
            name: name.to_string(),
            arg,
            quoted,
        });
    }
    let parts: Vec<String> = text.split('.').map(|p| p.trim().to_string()).collect();
    let valid = parts.iter().all(|p| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    });
    if !valid {
        return Err(syntax(
            "expected a variable name like `id` or `user.name`, or a call like `random(8)`",
        ));
    }
    Ok(Expr::Path(parts))
}

/// Evaluates an expression in a scope.
pub(crate) fn eval(expr: &Expr, scope: &Scope) -> Result<Value, TemplateError> {
    match expr {
        Expr::Call { name, arg, quoted } => call(name, arg, *quoted, scope),
        Expr::Path(parts) => {
            let Some((root, rest)) = parts.split_first() else {
                return Err(TemplateError::Undefined {
                    name: String::new(),
                });
            };
            if let Some(value) = scope.get(root) {
                return descend(value, rest)
                    .cloned()
                    .ok_or_else(|| TemplateError::Undefined {
                        name: parts.join("."),
                    });
            }
            builtin(parts, scope)
        }
    }
}

fn descend<'v>(mut value: &'v Value, keys: &[String]) -> Option<&'v Value> {
    for key in keys {
        value = match value {
            Value::Object(map) => map.get(key)?,
            Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

fn builtin(parts: &[String], scope: &Scope) -> Result<Value, TemplateError> {
    let joined = parts.join(".");
    let value = match joined.as_str() {
        "uuid" => uuid::Uuid::new_v4().to_string(),
        "now" => OffsetDateTime::now_utc()
            .format(&Rfc3339)
            .map_err(|e| TemplateError::Syntax {
                template: "{{ now }}".into(),
                message: e.to_string(),
            })?,
        "unique.username" => format!("scim-{}-{}", scope.run_id(), scope.next_counter()),
        "unique.email" => format!(
            "scim-{}-{}@example.com",
            scope.run_id(),
            scope.next_counter()
        ),
        "unique.id" => format!("{}-{}", scope.run_id(), scope.next_counter()),
        "unique.okta_id" => format!("00u{}", random_alphanumeric(17)),
        _ => return Err(TemplateError::Undefined { name: joined }),
    };
    Ok(Value::String(value))
}

fn call(name: &str, arg: &str, quoted: bool, scope: &Scope) -> Result<Value, TemplateError> {
    match name {
        "upper" | "lower" => {
            let value = if quoted {
                Value::String(arg.to_string())
            } else {
                eval(&parse(arg)?, scope)?
            };
            let text = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            Ok(Value::String(if name == "upper" {
                text.to_uppercase()
            } else {
                text.to_lowercase()
            }))
        }
        "random" => {
            let n: usize = arg.parse().map_err(|_| TemplateError::Syntax {
                template: format!("{{{{ random({arg}) }}}}"),
                message: "random(n) needs a length between 1 and 1024".into(),
            })?;
            if n == 0 || n > 1024 {
                return Err(TemplateError::Syntax {
                    template: format!("{{{{ random({arg}) }}}}"),
                    message: "random(n) needs a length between 1 and 1024".into(),
                });
            }
            Ok(Value::String(random_alphanumeric(n)))
        }
        "env" => std::env::var(arg)
            .map(Value::String)
            .map_err(|_| TemplateError::EnvUnset {
                name: arg.to_string(),
            }),
        other => Err(TemplateError::Syntax {
            template: format!("{{{{ {other}({arg}) }}}}"),
            message: format!("unknown function `{other}`"),
        }),
    }
}

fn random_alphanumeric(n: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_table() {
        let cases: &[(&str, Option<Expr>)] = &[
            ("id", Some(Expr::Path(vec!["id".into()]))),
            (" a.b ", Some(Expr::Path(vec!["a".into(), "b".into()]))),
            (
                "random(8)",
                Some(Expr::Call {
                    name: "random".into(),
                    arg: "8".into(),
                    quoted: false,
                }),
            ),
            (
                "env(\"HOME\")",
                Some(Expr::Call {
                    name: "env".into(),
                    arg: "HOME".into(),
                    quoted: true,
                }),
            ),
            ("", None),
            ("a..b", None),
            ("nope(1)", None),
            ("random(8", None),
            ("a b", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text).ok(), *want, "{text}");
        }
    }

    #[test]
    fn unique_values_differ_at_each_evaluation_and_carry_the_run_id() {
        let scope = Scope::new("run7");
        let e = parse("unique.email").expect("parses");
        let a = eval(&e, &scope).expect("evaluates");
        let b = eval(&e, &scope).expect("evaluates");
        assert_ne!(a, b);
        assert_eq!(a, json!("scim-run7-1@example.com"));
        let u = eval(&parse("unique.username").expect("p"), &scope).expect("e");
        assert_eq!(u, json!("scim-run7-3"));
    }

    #[test]
    fn okta_id_has_okta_shape() {
        let scope = Scope::new("r");
        let v = eval(&parse("unique.okta_id").expect("p"), &scope).expect("e");
        let s = v.as_str().expect("string");
        assert_eq!(s.len(), 20);
        assert!(s.starts_with("00u"));
        assert!(s.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn random_has_the_requested_length_and_rejects_zero() {
        let scope = Scope::new("r");
        let v = eval(&parse("random(12)").expect("p"), &scope).expect("e");
        assert_eq!(v.as_str().map(str::len), Some(12));
        assert!(eval(&parse("random(0)").expect("p"), &scope).is_err());
        assert!(eval(&parse("random(x)").expect("p"), &scope).is_err());
    }

    #[test]
    fn uuid_and_now_have_their_formats() {
        let scope = Scope::new("r");
        let u = eval(&parse("uuid").expect("p"), &scope).expect("e");
        assert!(uuid::Uuid::parse_str(u.as_str().expect("s")).is_ok());
        let n = eval(&parse("now").expect("p"), &scope).expect("e");
        assert!(OffsetDateTime::parse(n.as_str().expect("s"), &Rfc3339).is_ok());
    }

    #[test]
    fn env_of_an_unset_variable_is_an_error() {
        let scope = Scope::new("r");
        let e = parse("env(\"SCIMULATOR_SURELY_UNSET_VAR_42\")").expect("p");
        assert_eq!(
            eval(&e, &scope),
            Err(TemplateError::EnvUnset {
                name: "SCIMULATOR_SURELY_UNSET_VAR_42".into()
            })
        );
    }

    #[test]
    fn upper_and_lower_change_case_of_variables_and_literals() {
        let mut scope = Scope::new("r");
        scope.set("user", json!("Ada@Example.com"), false);
        scope.set("u", json!({"n": "x"}), false);
        let cases = [
            ("upper(user)", json!("ADA@EXAMPLE.COM")),
            ("lower(user)", json!("ada@example.com")),
            ("upper(u.n)", json!("X")),
            ("upper('abc')", json!("ABC")),
        ];
        for (expr, want) in cases {
            assert_eq!(eval(&parse(expr).expect("p"), &scope), Ok(want), "{expr}");
        }
        assert_eq!(
            eval(&parse("upper(nobody)").expect("p"), &scope),
            Err(TemplateError::Undefined {
                name: "nobody".into()
            })
        );
        assert_eq!(
            parse("upper(user)").expect("p").variable_root(),
            Some("user")
        );
        assert_eq!(parse("upper('user')").expect("p").variable_root(), None);
    }

    #[test]
    fn variables_are_read_into_objects_and_arrays() {
        let mut scope = Scope::new("r");
        scope.set(
            "user",
            json!({"name": {"given": "Ada"}, "emails": ["a@x"]}),
            false,
        );
        assert_eq!(
            eval(&parse("user.name.given").expect("p"), &scope),
            Ok(json!("Ada"))
        );
        assert_eq!(
            eval(&parse("user.emails.0").expect("p"), &scope),
            Ok(json!("a@x"))
        );
        assert_eq!(
            eval(&parse("user.missing").expect("p"), &scope),
            Err(TemplateError::Undefined {
                name: "user.missing".into()
            })
        );
        assert_eq!(
            eval(&parse("nobody").expect("p"), &scope),
            Err(TemplateError::Undefined {
                name: "nobody".into()
            })
        );
    }
}
