//! Rendering `{{ expr }}` templates in strings and JSON values.

use serde_json::Value;

use super::error::TemplateError;
use super::functions::{eval, parse};
use super::scope::Scope;

/// A piece of a template string.
enum Piece<'t> {
    Text(&'t str),
    Expr(&'t str),
}

/// Splits a template into literal text and `{{ … }}` expressions.
fn pieces(template: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(TemplateError::Syntax {
                template: template.to_string(),
                message: "`{{` is never closed by `}}`".into(),
            });
        };
        out.push(Piece::Expr(&after[..end]));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Ok(out)
}

/// Renders every `{{ expr }}` in `template` as text: strings are inserted
/// raw, other values as compact JSON.
pub fn render_str(template: &str, scope: &Scope) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len());
    for piece in pieces(template)? {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Expr(e) => match eval(&parse(e)?, scope)? {
                Value::String(s) => out.push_str(&s),
                other => out.push_str(&other.to_string()),
            },
        }
    }
    Ok(out)
}

/// Renders templates inside a JSON value. A string that is exactly one
/// `{{ x }}` becomes x's typed value (number, bool, object…); other strings
/// are interpolated as text. Object keys are rendered as text.
pub fn render_value(value: &Value, scope: &Scope) -> Result<Value, TemplateError> {
    match value {
        Value::String(s) => {
            let parts = pieces(s)?;
            if let [Piece::Expr(e)] = parts.as_slice() {
                eval(&parse(e)?, scope)
            } else if parts.iter().any(|p| matches!(p, Piece::Expr(_))) {
                render_str(s, scope).map(Value::String)
            } else {
                Ok(value.clone())
            }
        }
        Value::Array(items) => items
            .iter()
            .map(|v| render_value(v, scope))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                out.insert(render_str(k, scope)?, render_value(v, scope)?);
            }
            Ok(Value::Object(out))
        }
        other => Ok(other.clone()),
    }
}

/// The variable names a template string reads (built-ins excluded), in
/// order of appearance. Used by suite validation to find undefined
/// variables before anything runs.
pub fn referenced_vars(template: &str) -> Result<Vec<String>, TemplateError> {
    let mut out = Vec::new();
    for piece in pieces(template)? {
        if let Piece::Expr(e) = piece
            && let Some(root) = parse(e)?.variable_root()
        {
            out.push(root.to_string());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope() -> Scope {
        let mut s = Scope::new("run");
        s.set("id", json!("2819c223"), false);
        s.set("n", json!(3), false);
        s.set("flag", json!(true), false);
        s.set("user", json!({"name": "Ada", "tags": ["a"]}), false);
        s
    }

    #[test]
    fn render_str_table() {
        let s = scope();
        let cases: &[(&str, &str)] = &[
            ("/Users/{{ id }}", "/Users/2819c223"),
            ("/Users/{{id}}", "/Users/2819c223"),
            ("count={{ n }}", "count=3"),
            ("{{ flag }}", "true"),
            (
                "{{ user.name }} {{ user }}",
                r#"Ada {"name":"Ada","tags":["a"]}"#,
            ),
            ("no templates", "no templates"),
            ("", ""),
        ];
        for (t, want) in cases {
            assert_eq!(render_str(t, &s).as_deref(), Ok(*want), "{t}");
        }
    }

    #[test]
    fn render_str_reports_undefined_and_unclosed() {
        let s = scope();
        assert_eq!(
            render_str("/Users/{{ nope }}", &s),
            Err(TemplateError::Undefined {
                name: "nope".into()
            })
        );
        assert!(matches!(
            render_str("/Users/{{ id", &s),
            Err(TemplateError::Syntax { .. })
        ));
    }

    #[test]
    fn render_value_substitutes_typed_values_for_whole_string_templates() {
        let s = scope();
        let v = json!({
            "count": "{{ n }}",
            "active": "{{flag}}",
            "user": "{{ user }}",
            "text": "n={{ n }}",
            "list": ["{{ id }}", 1, null],
            "{{ id }}": "key"
        });
        let want = json!({
            "count": 3,
            "active": true,
            "user": {"name": "Ada", "tags": ["a"]},
            "text": "n=3",
            "list": ["2819c223", 1, null],
            "2819c223": "key"
        });
        assert_eq!(render_value(&v, &s), Ok(want));
    }

    #[test]
    fn referenced_vars_skips_builtins() {
        assert_eq!(
            referenced_vars("{{ a }}-{{ uuid }}-{{ b.c }}-{{ random(3) }}-{{ unique.email }}"),
            Ok(vec!["a".to_string(), "b".to_string()])
        );
    }

    proptest::proptest! {
        #[test]
        fn text_without_braces_renders_unchanged(text in "[^{}]*") {
            let s = scope();
            proptest::prop_assert_eq!(render_str(&text, &s), Ok(text.clone()));
            proptest::prop_assert_eq!(
                render_value(&Value::String(text.clone()), &s),
                Ok(Value::String(text))
            );
        }

        #[test]
        fn a_variable_renders_to_its_text_anywhere(before in "[^{}]*", after in "[^{}]*") {
            let s = scope();
            let t = format!("{before}{{{{ id }}}}{after}");
            proptest::prop_assert_eq!(render_str(&t, &s), Ok(format!("{before}2819c223{after}")));
        }
    }
}
