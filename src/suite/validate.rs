//! Semantic lint of loaded suites (everything serde cannot check).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::error::LoadError;
use super::locate::{Locator, Needle};
use super::model::{
    ActionStep, Auth, CaptureSpec, Case, Expect, HeaderCheck, Predicate, PredicateOps, RequestStep,
    Requirement, Step, Suite, VarSpec,
};
use crate::jsonpath::parse_path;
use crate::template::{TemplateError, referenced_vars};

/// Lints suites: unique case names, non-empty `why`, variables defined
/// before use, known predicates, status codes 100–599, regexes and JSONPaths
/// that compile, and `action:` names of the form `<profile>.<action>`.
pub fn validate(suites: &[Suite]) -> Vec<LoadError> {
    validate_with_vars(suites, &[])
}

/// Like [`validate`], with extra variable names defined outside the suites
/// (`--var`, `--secret`, variables the runner injects).
pub fn validate_with_vars(suites: &[Suite], extra_vars: &[String]) -> Vec<LoadError> {
    let mut errors = Vec::new();
    for suite in suites {
        let names: Vec<&str> = suite.cases.iter().map(|c| c.name.as_str()).collect();
        let mut lint = Lint {
            suite,
            locator: suite
                .source_text
                .as_deref()
                .map(|t| Locator::new(t, &names)),
            errors: Vec::new(),
        };
        lint.suite_level(extra_vars);
        errors.append(&mut lint.errors);
    }
    errors
}

struct Lint<'s> {
    suite: &'s Suite,
    locator: Option<Locator<'s>>,
    errors: Vec<LoadError>,
}

impl Lint<'_> {
    fn push(&mut self, case: Option<usize>, field: String, needle: Needle<'_>, message: String) {
        let at = match (&self.locator, case) {
            (Some(l), Some(c)) => l.in_case(c, &needle),
            (Some(l), None) => match needle {
                Needle::Key(k) => l.key(k),
                _ => None,
            },
            (None, _) => None,
        };
        let mut err = LoadError::lint(&self.suite.source, field, message);
        err.line = at.map(|a| a.0);
        err.column = at.map(|a| a.1);
        self.errors.push(err);
    }

    fn suite_level(&mut self, extra_vars: &[String]) {
        let suite = self.suite;
        if suite.cases.is_empty() {
            self.push(
                None,
                "cases".into(),
                Needle::Key("cases"),
                "a suite needs at least one case".into(),
            );
        }
        let mut defined: BTreeSet<String> = extra_vars.iter().cloned().collect();
        for (name, spec) in &suite.vars {
            let value = match spec {
                VarSpec::Detailed { value, .. } | VarSpec::Plain(value) => value,
            };
            let field = format!("vars.{name}");
            self.check_templates_in_value(None, &field, value, &defined);
            defined.insert(name.clone());
        }
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, case) in suite.cases.iter().enumerate() {
            if let Some(first) = seen.get(case.name.as_str()) {
                self.push(
                    Some(i),
                    format!("cases[{i}].name"),
                    Needle::Key("name"),
                    format!("duplicate case name `{}` (also cases[{first}])", case.name),
                );
            } else {
                seen.insert(&case.name, i);
            }
            self.case(i, case, &defined);
        }
    }

    fn case(&mut self, i: usize, case: &Case, suite_defined: &BTreeSet<String>) {
        let at = format!("cases[{i}]");
        if case.name.trim().is_empty() {
            self.push(
                Some(i),
                format!("{at}.name"),
                Needle::Key("name"),
                "the case name is empty".into(),
            );
        }
        if case.why.trim().is_empty() {
            self.push(
                Some(i),
                format!("{at}.why"),
                Needle::Key("why"),
                "`why` is empty: say in one line which IdP behaviour breaks when this case fails"
                    .into(),
            );
        }
        if case.steps.is_empty() {
            self.push(
                Some(i),
                format!("{at}.steps"),
                Needle::Key("steps"),
                "a case needs at least one step".into(),
            );
        }
        let mut defined = suite_defined.clone();
        // A variable the case requires is defined whenever the case runs.
        defined.extend(case.requires.iter().filter_map(|r| match r {
            Requirement::Var(name) => Some(name.clone()),
            _ => None,
        }));
        for (j, step) in case.steps.iter().enumerate() {
            self.step(i, &format!("{at}.steps[{j}]"), step, case, &defined);
            defined.extend(captures(step));
        }
        for (j, step) in case.cleanup.iter().enumerate() {
            self.step(i, &format!("{at}.cleanup[{j}]"), step, case, &defined);
            defined.extend(captures(step));
        }
    }

    fn step(&mut self, i: usize, at: &str, step: &Step, case: &Case, defined: &BTreeSet<String>) {
        match step {
            Step::Request(r) => self.request_step(i, at, r, case, defined),
            Step::Action(a) => self.action_step(i, at, a, defined),
            Step::Parallel(p) => {
                // Every step of the group sees the scope as it was before it.
                let mut seen: BTreeMap<String, usize> = BTreeMap::new();
                for (k, inner) in p.parallel.iter().enumerate() {
                    let inner_at = format!("{at}.parallel[{k}]");
                    self.step(i, &inner_at, inner, case, defined);
                    for name in captures(inner) {
                        if let Some(first) = seen.get(&name) {
                            self.push(
                                Some(i),
                                format!("{inner_at}.capture.{name}"),
                                Needle::Key(&name),
                                format!(
                                    "`{name}` is also captured by parallel[{first}]: \
                                     steps of one `parallel:` group capture distinct names"
                                ),
                            );
                        } else {
                            seen.insert(name, k);
                        }
                    }
                }
            }
        }
    }

    fn request_step(
        &mut self,
        i: usize,
        at: &str,
        step: &RequestStep,
        case: &Case,
        defined: &BTreeSet<String>,
    ) {
        let req = &step.request;
        if req.body.is_some() && req.raw_body.is_some() {
            self.push(
                Some(i),
                format!("{at}.request"),
                Needle::Key("raw_body"),
                "a request has `body` or `raw_body`, not both".into(),
            );
        }
        if req.auth == Auth::Revoked && !case.requires.contains(&Requirement::RevokedToken) {
            self.push(
                Some(i),
                format!("{at}.request.auth"),
                Needle::Key("auth"),
                "`auth: revoked` needs `requires: [revoked_token]` on the case".into(),
            );
        }
        let field = format!("{at}.request");
        self.check_template(Some(i), &format!("{field}.path"), &req.path, defined);
        for (k, (key, v)) in req.query.iter().enumerate() {
            self.check_template(Some(i), &format!("{field}.query[{k}]"), key, defined);
            self.check_templates_in_value(Some(i), &format!("{field}.query[{k}]"), v, defined);
        }
        for (name, v) in &req.headers {
            self.check_template(Some(i), &format!("{field}.headers.{name}"), v, defined);
        }
        if let Some(body) = &req.body {
            self.check_templates_in_value(Some(i), &format!("{field}.body"), body, defined);
        }
        if let Some(merge) = &req.body_merge {
            self.check_templates_in_value(Some(i), &format!("{field}.body_merge"), merge, defined);
        }
        if let Some(raw) = &req.raw_body {
            self.check_template(Some(i), &format!("{field}.raw_body"), raw, defined);
        }
        if let Auth::Token(t) | Auth::Raw(t) = &req.auth {
            self.check_template(Some(i), &format!("{field}.auth"), t, defined);
        }
        if let Some(when) = &step.when
            && !defined.contains(&when.var)
        {
            self.push(
                Some(i),
                format!("{at}.when.var"),
                Needle::Text(&when.var),
                format!(
                    "`when` reads variable `{}`, which no earlier step captures",
                    when.var
                ),
            );
        }
        self.expect(i, &format!("{at}.expect"), &step.expect, defined);
        self.captures(i, &format!("{at}.capture"), &step.capture);
    }

    fn action_step(&mut self, i: usize, at: &str, step: &ActionStep, defined: &BTreeSet<String>) {
        // The name's form and family are checked when the suite loads (`ActionName`).
        for (k, v) in &step.with {
            self.check_templates_in_value(Some(i), &format!("{at}.with.{k}"), v, defined);
        }
        self.expect(i, &format!("{at}.expect"), &step.expect, defined);
        self.captures(i, &format!("{at}.capture"), &step.capture);
    }

    fn expect(&mut self, i: usize, at: &str, expect: &Expect, defined: &BTreeSet<String>) {
        if let Some(status) = &expect.status {
            for code in status.codes() {
                if !(100..=599).contains(&code) {
                    self.push(
                        Some(i),
                        format!("{at}.status"),
                        Needle::Text(&code.to_string()),
                        format!("status {code} is not an HTTP status code (100–599)"),
                    );
                }
            }
        }
        for (name, check) in &expect.headers {
            let field = format!("{at}.headers.{name}");
            match check {
                HeaderCheck::Equals(v) => self.check_template(Some(i), &field, v, defined),
                HeaderCheck::Detailed(p) => {
                    if p == &Default::default() {
                        self.push(
                            Some(i),
                            field.clone(),
                            Needle::Key(name),
                            "empty header check: use `exists`, `equals`, `matches` or `contains`"
                                .into(),
                        );
                    }
                    for v in [&p.equals, &p.contains, &p.ne].into_iter().flatten() {
                        self.check_template(Some(i), &field, v, defined);
                    }
                    if let Some(re) = &p.matches {
                        self.regex(i, &format!("{field}.matches"), re);
                    }
                }
            }
        }
        for (path, predicate) in &expect.json {
            let field = format!("{at}.json.{path}");
            if !path.contains("{{")
                && let Err(e) = parse_path(path)
            {
                self.push(Some(i), field.clone(), Needle::Text(path), e.to_string());
            }
            match predicate {
                Predicate::Eq(v) => self.check_templates_in_value(Some(i), &field, v, defined),
                Predicate::Ops(ops) => self.predicate(i, &field, path, ops, defined),
            }
        }
        if let Some(body) = &expect.body {
            self.check_templates_in_value(Some(i), &format!("{at}.body"), body, defined);
        }
        if let Some(name) = &expect.snapshot {
            let ok = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
                && !name.starts_with('.');
            if !ok {
                self.push(
                    Some(i),
                    format!("{at}.snapshot"),
                    Needle::Text(name),
                    format!(
                        "snapshot name `{name}` must be a file name: letters, digits, `_`, `-`, `.`"
                    ),
                );
            }
        }
    }

    fn predicate(
        &mut self,
        i: usize,
        field: &str,
        path: &str,
        ops: &PredicateOps,
        defined: &BTreeSet<String>,
    ) {
        if ops == &PredicateOps::default() {
            self.push(
                Some(i),
                field.to_string(),
                Needle::Text(path),
                "empty predicate: use one of `eq`, `eq_ci`, `ne`, `exists`, `absent`, `type`, `len`, `contains`, `matches`, `gt`, `lt`, `ge`, `le`, `one_of`, `unique`, `non_empty`, `same_order`".into(),
            );
        }
        if let Some(re) = &ops.matches {
            self.regex(i, &format!("{field}.matches"), re);
        }
        let values = [&ops.eq, &ops.eq_ci, &ops.ne, &ops.contains, &ops.same_order];
        for v in values.into_iter().flatten() {
            self.check_templates_in_value(Some(i), field, v, defined);
        }
        for v in ops.one_of.iter().flatten() {
            self.check_templates_in_value(Some(i), field, v, defined);
        }
    }

    fn captures(&mut self, i: usize, at: &str, captures: &indexmap::IndexMap<String, CaptureSpec>) {
        for (name, spec) in captures {
            let field = format!("{at}.{name}");
            let (json, regex) = match spec {
                CaptureSpec::Json(p) => (Some(p), None),
                CaptureSpec::Detailed(d) => {
                    if d.json.is_some() == d.header.is_some() {
                        self.push(
                            Some(i),
                            field.clone(),
                            Needle::Key(name),
                            "a capture takes exactly one of `json:` or `header:`".into(),
                        );
                    }
                    (d.json.as_ref(), d.regex.as_ref())
                }
            };
            if let Some(p) = json
                && let Err(e) = parse_path(p)
            {
                self.push(Some(i), field.clone(), Needle::Text(p), e.to_string());
            }
            if let Some(re) = regex {
                self.regex(i, &format!("{field}.regex"), re);
            }
        }
    }

    fn regex(&mut self, i: usize, field: &str, re: &str) {
        if re.contains("{{") {
            return;
        }
        if let Err(e) = regex::Regex::new(re) {
            let detail = e.to_string();
            let last = detail.lines().last().unwrap_or_default().trim().to_string();
            self.push(
                Some(i),
                field.to_string(),
                Needle::Text(re),
                format!("invalid regex `{re}`: {last}"),
            );
        }
    }

    fn check_templates_in_value(
        &mut self,
        case: Option<usize>,
        field: &str,
        value: &Value,
        defined: &BTreeSet<String>,
    ) {
        match value {
            Value::String(s) => self.check_template(case, field, s, defined),
            Value::Array(items) => {
                for item in items {
                    self.check_templates_in_value(case, field, item, defined);
                }
            }
            Value::Object(map) => {
                for (k, v) in map {
                    self.check_template(case, field, k, defined);
                    self.check_templates_in_value(case, field, v, defined);
                }
            }
            _ => {}
        }
    }

    fn check_template(
        &mut self,
        case: Option<usize>,
        field: &str,
        text: &str,
        defined: &BTreeSet<String>,
    ) {
        match referenced_vars(text) {
            Ok(names) => {
                for name in names {
                    if !defined.contains(&name) {
                        self.push(
                            case,
                            field.to_string(),
                            Needle::Var(&name),
                            format!(
                                "undefined variable `{name}`: define it in `vars:`, capture it in an earlier step, or pass `--var {name}=…`"
                            ),
                        );
                    }
                }
            }
            Err(e) => {
                let needle = match &e {
                    TemplateError::Syntax { .. } => Needle::Text(text),
                    _ => Needle::Text("{{"),
                };
                self.push(case, field.to_string(), needle, e.to_string());
            }
        }
    }
}

/// The variable names a step captures.
fn captures(step: &Step) -> Vec<String> {
    let map = match step {
        Step::Request(r) => &r.capture,
        Step::Action(a) => &a.capture,
        Step::Parallel(p) => return p.parallel.iter().flat_map(captures).collect(),
    };
    map.keys().cloned().collect()
}

/// `<profile>.<action>`: two non-empty identifier parts separated by one dot.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::load_str;

    /// The load error, or else every lint error: a misspelt method, JSON
    /// type or capability is a load error, the rest lint errors.
    fn lint(yaml: &str) -> Vec<String> {
        match load_str("t.yaml", yaml) {
            Ok(suite) => validate(&[suite]).iter().map(ToString::to_string).collect(),
            Err(e) => vec![e.to_string()],
        }
    }

    const HEAD: &str = "suite: s\nvars:\n  user: \"{{ unique.email }}\"\ncases:\n";

    #[test]
    fn a_clean_suite_has_no_lint_errors() {
        let yaml = format!(
            "{HEAD}  - name: a\n    why: w\n    steps:\n      - request: {{ method: POST, path: /Users, body: {{ userName: \"{{{{ user }}}}\" }} }}\n        capture: {{ id: $.id }}\n        expect: {{ status: [200, 201], headers: {{ Location: {{ matches: \"^https?://\" }} }} }}\n      - request: {{ method: GET, path: \"/Users/{{{{ id }}}}\" }}\n        expect:\n          json:\n            $.userName: {{ eq_ci: \"{{{{ user }}}}\" }}\n      - action: okta.deactivate_user\n        with: {{ id: \"{{{{ id }}}}\" }}\n    cleanup:\n      - request: {{ method: DELETE, path: \"/Users/{{{{ id }}}}\" }}\n"
        );
        assert_eq!(lint(&yaml), Vec::<String>::new());
    }

    #[test]
    fn lint_table() {
        let cases: &[(&str, &str)] = &[
            (
                "  - name: a\n    why: w\n    steps:\n      - request: { method: GET, path: \"/Users/{{ id }}\" }\n",
                "t.yaml:8:47: cases[0].steps[0].request.path: undefined variable `id`",
            ),
            (
                "  - name: a\n    why: \" \"\n    steps:\n      - request: { method: GET, path: /Users }\n",
                "t.yaml:6:5: cases[0].why: `why` is empty",
            ),
            (
                "  - name: a\n    why: w\n    steps:\n      - request: { method: GET, path: /Users }\n        expect: { status: 99 }\n",
                "t.yaml:9:27: cases[0].steps[0].expect.status: status 99 is not an HTTP status code",
            ),
            (
                "  - name: a\n    why: w\n    steps:\n      - request: { method: GET, path: /Users }\n        expect: { headers: { ETag: { matches: \"W/(\" } } }\n",
                "cases[0].steps[0].expect.headers.ETag.matches: invalid regex `W/(`",
            ),
            (
                "  - name: a\n    why: w\n    steps:\n      - action: push_new_user\n",
                "t.yaml:8:17: cases[0].steps[0].action: action `push_new_user` must have the form",
            ),
            (
                "  - name: a\n    why: w\n    steps:\n      - request: { method: GET, path: /Users }\n        expect: { json: { \"$.a\": {} } }\n",
                "cases[0].steps[0].expect.json.$.a: empty predicate",
            ),
            (
                "  - name: a\n    why: w\n    steps:\n      - request: { method: GET, path: /Users }\n        expect: { json: { \"$.[\": 1 } }\n",
                "cases[0].steps[0].expect.json.$.[: invalid JSONPath",
            ),
            (
                "  - name: a\n    why: w\n    steps:\n      - request: { method: GET, path: /Users }\n  - name: a\n    why: w\n    steps:\n      - request: { method: GET, path: /Users }\n",
                "t.yaml:9:5: cases[1].name: duplicate case name `a` (also cases[0])",
            ),
            (
                "  - name: a\n    why: w\n    steps:\n      - request: { method: GET, path: /Users, auth: revoked }\n",
                "cases[0].steps[0].request.auth: `auth: revoked` needs `requires: [revoked_token]`",
            ),
            (
                "  - name: a\n    why: w\n    steps:\n      - request: { method: FETCH, path: /Users }\n",
                "t.yaml:8:28: cases[0].steps[0].request.method: unknown HTTP method `FETCH` (known: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)",
            ),
            (
                "  - name: a\n    why: w\n    steps:\n      - request: { method: GET, path: /Users }\n        expect: { json: { \"$.a\": { type: int } } }\n",
                "t.yaml:9:42: cases[0].steps[0].expect.json.$.a.type: unknown JSON type `int` (known: string, number, integer, boolean, object, array, null)",
            ),
            (
                "  - name: a\n    why: w\n    steps:\n      - request: { method: GET, path: /Users }\n        capture: { id: { json: $.id, header: Location } }\n",
                "cases[0].steps[0].capture.id: a capture takes exactly one of",
            ),
            (
                "  - name: a\n    why: w\n    requires: [{ capability: etags }]\n    steps:\n      - request: { method: GET, path: /Users }\n",
                "t.yaml:7:30: cases[0].requires[0].capability: unknown capability `etags`, did you mean `etag`?",
            ),
            (
                "  - name: a\n    why: w\n    steps:\n      - request: { method: GET, path: /Users }\n        expect: { snapshot: ../evil }\n",
                "cases[0].steps[0].expect.snapshot: snapshot name `../evil` must be a file name",
            ),
            (
                "  - name: a\n    why: w\n    steps:\n      - request: { method: GET, path: /Users, query: [[\"{{ k }}\", 1]] }\n",
                "cases[0].steps[0].request.query[0]: undefined variable `k`",
            ),
        ];
        for (cases_yaml, want) in cases {
            let errors = lint(&format!("{HEAD}{cases_yaml}"));
            assert_eq!(errors.len(), 1, "{cases_yaml}: {errors:?}");
            assert!(
                errors[0].contains(want),
                "{}\n  does not contain\n{want}",
                errors[0]
            );
        }
    }

    #[test]
    fn extra_vars_count_as_defined() {
        let yaml = format!(
            "{HEAD}  - name: a\n    why: w\n    steps:\n      - request: {{ method: GET, path: \"/x/{{{{ tenant }}}}\" }}\n"
        );
        let suite = load_str("t.yaml", &yaml).expect("loads");
        assert_eq!(validate(std::slice::from_ref(&suite)).len(), 1);
        assert!(validate_with_vars(&[suite], &["tenant".to_string()]).is_empty());
    }

    #[test]
    fn non_ascii_template_text_before_an_undefined_variable_is_located_without_panic() {
        // `{{ prénom }}` precedes the use of `abc`; a byte slice three bytes
        // into `prénom` falls inside `é` and used to panic.
        let yaml = "suite: s\nvars:\n  prénom: Zoé\ncases:\n  - name: a\n    why: w\n    steps:\n      - request: { method: POST, path: /Users, body: { userName: \"{{ prénom }}\" } }\n      - request: { method: GET, path: \"/Users/{{ abc }}\" }\n";
        let errors = lint(yaml);
        assert_eq!(
            errors,
            vec![
                "t.yaml:9:47: cases[0].steps[1].request.path: undefined variable `abc`: define it in `vars:`, capture it in an earlier step, or pass `--var abc=…`"
                    .to_string()
            ]
        );
    }

    #[test]
    fn action_names_table() {
        use crate::suite::model::ActionName;
        for (name, ok) in [
            ("okta.push_new_user", true),
            ("idp.deactivate_user", true),
            ("onelogin.create_user", true),
            // Only `idp`, `okta`, `entra` and data profiles are families.
            ("entra-2020.create_user", false),
            ("frobnicator.push", false),
            ("okta", false),
            ("okta.", false),
            (".x", false),
            ("a.b.c", false),
            ("okta push", false),
        ] {
            assert_eq!(ActionName::parse(name).is_ok(), ok, "{name}");
        }
        let read = ActionName::parse("onelogin.create_user").expect("a name");
        assert_eq!(read.to_string(), "onelogin.create_user");
    }
}
