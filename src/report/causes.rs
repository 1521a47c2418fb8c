//! Root causes: failing cases grouped by the request that broke them and
//! the answer it got, so a report can say "fix this one thing first".
//!
//! A failing (or errored) case contributes the *first failing exchange* of
//! its failing step: the first one without a response or answered with a
//! status of 400 or more (a `429` the client retried excepted), else the
//! step's last exchange (its checks failed on a successful answer). Its key is
//!
//! - the request shape: method and path relative to the target, with the
//!   resource id (`/Users/{id}`) and id-like values masked (see [`mask`]),
//!   query values masked the same way;
//! - the status (`None` when no response came back);
//! - a normalised detail: for an error answer, the SCIM error's `scimType`
//!   and `detail` (or the start of a non-SCIM body); without a response, the
//!   step's error; for a successful answer, the first failed check. Ids,
//!   generated names and the target's URL are masked.
//!
//! Only groups of two cases or more are causes; they come most cases first
//! (ties in order of first appearance). Everything here is pure: it reads
//! results and never changes a verdict.

use std::fmt::Write as _;

use serde::Serialize;

use crate::report::console::suite_label;
use crate::runner::{CaseResult, Exchange, Outcome, StepOutcome, StepResult};
use crate::text::{Mark, clip};

/// Longest detail kept in a cause (characters).
const MAX_DETAIL: usize = 200;
/// Case names listed under one cause on the console before "… and N more".
const MAX_LISTED: usize = 10;

/// One failing case of a cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CauseCase {
    /// Suite source path.
    pub suite: String,
    /// Case name.
    pub case: String,
}

/// Several failing cases that share one request shape and answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// `POST /Groups`, `PATCH /Users/{id}`.
    pub request: String,
    /// The answer's status; `None` when no response came back.
    pub status: Option<u16>,
    /// The normalised error detail or failed check.
    pub detail: String,
    /// The cases, in report order.
    pub cases: Vec<CauseCase>,
}

impl Cause {
    /// `POST /Groups → 400 invalidSyntax: …`.
    pub fn headline(&self) -> String {
        match (self.status, self.detail.is_empty()) {
            (Some(s), true) => format!("{} → {s}", self.request),
            (Some(s), false) => format!("{} → {s} {}", self.request, self.detail),
            (None, true) => format!("{} → no response", self.request),
            (None, false) => format!("{} → no response ({})", self.request, self.detail),
        }
    }
}

/// The causes shared by two failing cases or more, most cases first.
/// `target` is the run's base URL (paths are shown relative to it).
pub fn root_causes<'a>(
    cases: impl IntoIterator<Item = &'a CaseResult>,
    target: &str,
) -> Vec<Cause> {
    let mut groups: Vec<Cause> = Vec::new();
    for case in cases {
        let Some((request, status, detail)) = key_of(case, target) else {
            continue;
        };
        let member = CauseCase {
            suite: case.suite.clone(),
            case: case.name.clone(),
        };
        match groups
            .iter_mut()
            .find(|g| g.request == request && g.status == status && g.detail == detail)
        {
            Some(g) => {
                if !g.cases.contains(&member) {
                    g.cases.push(member);
                }
            }
            None => groups.push(Cause {
                request,
                status,
                detail,
                cases: vec![member],
            }),
        }
    }
    groups.retain(|g| g.cases.len() >= 2);
    // Stable: equal counts keep their order of first appearance.
    groups.sort_by_key(|g| std::cmp::Reverse(g.cases.len()));
    groups
}

/// `(request shape, status, detail)` of a failing case, if it failed at a request.
fn key_of(case: &CaseResult, target: &str) -> Option<(String, Option<u16>, String)> {
    if !matches!(case.outcome, Outcome::Failed(_) | Outcome::Errored(_)) {
        return None;
    }
    let step = case.failing_step()?;
    let last = step.exchanges.len().checked_sub(1)?;
    // A 429 the client retried is not the answer that failed the step.
    let exchange = step
        .exchanges
        .iter()
        .enumerate()
        .find(|(i, x)| {
            x.status
                .is_none_or(|s| s >= 400 && (s != 429 || *i == last))
        })
        .map_or_else(|| step.exchanges.last(), |(_, x)| Some(x))?;
    let request = format!(
        "{} {}",
        exchange.method.to_ascii_uppercase(),
        path_shape(&exchange.url, target)
    );
    let detail = detail_of(case, step, exchange, target);
    Some((request, exchange.status, detail))
}

fn detail_of(case: &CaseResult, step: &StepResult, x: &Exchange, target: &str) -> String {
    let raw = match x.status {
        None => match &step.outcome {
            StepOutcome::Errored(e) => e.message.clone(),
            _ => String::new(),
        },
        Some(s) if s >= 400 => error_detail(&x.response_body),
        Some(_) => {
            let failures = match &case.outcome {
                Outcome::Failed(f) if !f.is_empty() => f.as_slice(),
                _ => step.failures.as_slice(),
            };
            match (failures.first(), &step.outcome) {
                (Some(f), _) => f.headline(),
                (None, StepOutcome::Errored(e)) => e.message.clone(),
                (None, _) => String::new(),
            }
        }
    };
    let trimmed = target.trim_end_matches('/');
    let raw = if trimmed.is_empty() {
        raw
    } else {
        raw.replace(trimmed, "{target}")
    };
    clip(&mask(&collapse(&raw)), MAX_DETAIL, Mark::Ellipsis)
}

/// `scimType: detail` of a SCIM error body, else the start of the body.
fn error_detail(body: &str) -> String {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(body) {
        let text = |k: &str| {
            map.get(k).and_then(|v| match v {
                serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
                serde_json::Value::Null => None,
                serde_json::Value::String(_) => None,
                other => Some(other.to_string()),
            })
        };
        return match (text("scimType"), text("detail")) {
            (Some(t), Some(d)) => format!("{t}: {d}"),
            (Some(t), None) => t,
            (None, Some(d)) => d,
            (None, None) => String::new(),
        };
    }
    body.to_owned()
}

/// The path of `url` relative to `target`, id segments as `{id}`, query
/// values masked: `http://h/scim/v2/Users/2819c223?x=1` → `/Users/{id}?x=1`.
pub fn path_shape(url: &str, target: &str) -> String {
    let (full_path, query) = match reqwest::Url::parse(url) {
        Ok(u) => (u.path().to_owned(), u.query().map(str::to_owned)),
        Err(_) => match url.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (url.to_owned(), None),
        },
    };
    let base = reqwest::Url::parse(target)
        .map(|u| u.path().trim_end_matches('/').to_owned())
        .unwrap_or_default();
    let (relative, under_target) = match full_path.strip_prefix(&base) {
        Some(rest) if base.is_empty() || rest.is_empty() || rest.starts_with('/') => (rest, true),
        _ => (full_path.as_str(), false),
    };
    let segments: Vec<String> = relative
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let discovery = |s: &str| {
        ["Schemas", "ResourceTypes", "ServiceProviderConfig"]
            .iter()
            .any(|d| d.eq_ignore_ascii_case(s))
    };
    let mut out = String::new();
    for (i, seg) in segments.iter().enumerate() {
        out.push('/');
        let id_position = under_target
            && i == 1
            && !seg.starts_with('.')
            && !segments.first().is_some_and(|s| discovery(s));
        if id_position {
            out.push_str("{id}");
        } else {
            out.push_str(&mask(seg));
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        let pairs: Vec<String> = form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| format!("{k}={}", mask(&v)))
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

/// Replaces values that differ from run to run: a word (a run of ASCII
/// letters, digits, `-` and `_`) of 8 characters or more that mixes
/// letters and digits becomes `{id}` (ids, generated names, timestamps), a
/// number of 6 digits or more becomes `{n}`. URNs, words and short numbers stay.
pub fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let len = word.chars().count();
        let digits = word.chars().any(|c| c.is_ascii_digit());
        let letters = word.chars().any(|c| c.is_ascii_alphabetic());
        if len >= 8 && digits && letters {
            out.push_str("{id}");
        } else if len >= 6 && word.chars().all(|c| c.is_ascii_digit()) {
            out.push_str("{n}");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The console block, empty when there is no cause:
///
/// ```text
/// Root causes: 11 failing cases share 2 causes (fix these first)
///   8 cases: POST /Groups → 400 invalidSyntax: Unknown extension schemas: …
///       entra/groups › a group is created
///       …
/// ```
pub fn console_text(causes: &[Cause]) -> String {
    if causes.is_empty() {
        return String::new();
    }
    let total: usize = causes.iter().map(|c| c.cases.len()).sum();
    let mut out = format!(
        "Root causes: {total} failing cases share {} cause{} (fix these first)\n",
        causes.len(),
        if causes.len() == 1 { "" } else { "s" }
    );
    for cause in causes {
        let _ = writeln!(out, "  {} cases: {}", cause.cases.len(), cause.headline());
        for c in cause.cases.iter().take(MAX_LISTED) {
            let _ = writeln!(out, "      {} › {}", suite_label(&c.suite), c.case);
        }
        if cause.cases.len() > MAX_LISTED {
            let _ = writeln!(out, "      … and {} more", cause.cases.len() - MAX_LISTED);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Severity;
    use crate::runner::{Failure, FailureKind};
    use crate::runner::{RunError, RunErrorKind};

    const TARGET: &str = "http://127.0.0.1:18510/v2";

    fn exchange(method: &str, url: &str, status: Option<u16>, body: &str) -> Exchange {
        Exchange {
            method: method.into(),
            url: url.into(),
            request_headers: vec![],
            request_body: None,
            status,
            response_headers: vec![],
            response_body: body.into(),
            duration_ms: 0,
            origin: None,
            note: None,
        }
    }

    fn failure(message: &str) -> Failure {
        Failure {
            kind: FailureKind::Status,
            subject: "status".into(),
            message: message.into(),
            expected: None,
            actual: None,
            diff: None,
        }
    }

    /// A case failing at a step made of `exchanges`, or passing when empty.
    fn case(name: &str, outcome: StepOutcome, exchanges: Vec<Exchange>) -> CaseResult {
        let failures = vec![failure("expected 201")];
        let case_outcome = match &outcome {
            StepOutcome::Failed => Outcome::Failed(failures.clone()),
            StepOutcome::Errored(e) => Outcome::Errored(e.clone()),
            _ => Outcome::Passed,
        };
        CaseResult {
            suite: "entra/groups.yaml".into(),
            name: name.into(),
            severity: Severity::Required,
            why: "w".into(),
            tags: vec![],
            outcome: case_outcome,
            steps: vec![StepResult {
                index: 1,
                name: "POST /Groups".into(),
                request_line: "POST /Groups".into(),
                origin: None,
                outcome,
                failures,
                exchanges,
                snapshot: None,
                duration_ms: 0,
            }],
            cleanup: vec![],
            warnings: vec![],
            duration_ms: 0,
        }
    }

    fn unknown_extension(id: &str) -> String {
        format!(
            r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidSyntax","detail":"Unknown extension schemas: http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group (request {id})"}}"#
        )
    }

    #[test]
    fn paths_are_shaped_relative_to_the_target() {
        let table = [
            ("http://127.0.0.1:18510/v2/Groups", "/Groups"),
            (
                "http://127.0.0.1:18510/v2/Users/e4fc5eabf4714d618a68870797ad412b",
                "/Users/{id}",
            ),
            ("http://127.0.0.1:18510/v2/Users/42", "/Users/{id}"),
            ("http://127.0.0.1:18510/v2/Users/.search", "/Users/.search"),
            (
                "http://127.0.0.1:18510/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
                "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
            ),
            (
                "http://127.0.0.1:18510/v2/Users?filter=userName%20eq%20%22scim-ed6ddad2-65%40example.com%22&count=1",
                "/Users?filter=userName eq \"{id}@example.com\"&count=1",
            ),
            ("http://127.0.0.1:18510/v2", "/"),
            (
                "http://other.example/api/Users/2819c223abcd",
                "/api/Users/{id}",
            ),
        ];
        for (url, want) in table {
            assert_eq!(path_shape(url, TARGET), want, "{url}");
        }
    }

    #[test]
    fn masking_replaces_ids_and_generated_names_only() {
        let table = [
            (
                "Unknown extension schemas: urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                "Unknown extension schemas: urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            ),
            (
                "User 2819c223-7f76-453a-919d-413861904646 not found",
                "User {id} not found",
            ),
            (
                "expected eq \"Entra Group jzPsgp2uv4\"",
                "expected eq \"Entra Group {id}\"",
            ),
            ("request 12345678 took 2006 ms", "request {n} took 2006 ms"),
            ("", ""),
        ];
        for (input, want) in table {
            assert_eq!(mask(input), want, "{input}");
        }
    }

    #[test]
    fn cases_failing_at_the_same_request_with_the_same_answer_share_a_cause() {
        let post = |id: &str| {
            vec![exchange(
                "POST",
                &format!("{TARGET}/Groups"),
                Some(400),
                &unknown_extension(id),
            )]
        };
        let manager = |user: &str| {
            vec![
                exchange("PATCH", &format!("{TARGET}/Users/{user}"), Some(429), ""),
                exchange(
                    "PATCH",
                    &format!("{TARGET}/Users/{user}"),
                    Some(400),
                    r#"{"scimType":"invalidValue","detail":"manager: Input should be a valid dictionary"}"#,
                ),
            ]
        };
        let unreachable = RunError::new(
            RunErrorKind::Unreachable,
            format!("{TARGET}/Users: connection refused"),
        );
        let cases = vec![
            case("g1", StepOutcome::Failed, post("a1b2c3d4e5f6")),
            case("m1", StepOutcome::Failed, manager("aaaa1111bbbb2222")),
            case("g2", StepOutcome::Failed, post("f6e5d4c3b2a1")),
            case("passes", StepOutcome::Passed, post("x")),
            case("m2", StepOutcome::Failed, manager("cccc3333dddd4444")),
            case("g3", StepOutcome::Failed, post("0123abcd4567")),
            // The same request with another answer is another cause.
            case(
                "other-answer",
                StepOutcome::Failed,
                vec![exchange(
                    "POST",
                    &format!("{TARGET}/Groups"),
                    Some(409),
                    r#"{"detail":"exists"}"#,
                )],
            ),
            // A successful answer that failed a check: keyed by the check.
            case(
                "ok-but-wrong",
                StepOutcome::Failed,
                vec![exchange(
                    "POST",
                    &format!("{TARGET}/Groups"),
                    Some(201),
                    "{}",
                )],
            ),
            case(
                "down1",
                StepOutcome::Errored(unreachable.clone()),
                vec![exchange("GET", &format!("{TARGET}/Users"), None, "")],
            ),
            case(
                "down2",
                StepOutcome::Errored(unreachable),
                vec![exchange("GET", &format!("{TARGET}/Users"), None, "")],
            ),
        ];
        let causes = root_causes(&cases, TARGET);
        let summary: Vec<(String, Vec<&str>)> = causes
            .iter()
            .map(|c| {
                (
                    c.headline(),
                    c.cases.iter().map(|m| m.case.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "POST /Groups → 400 invalidSyntax: Unknown extension schemas: http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group (request {id})".to_owned(),
                    vec!["g1", "g2", "g3"],
                ),
                (
                    "PATCH /Users/{id} → 400 invalidValue: manager: Input should be a valid dictionary".to_owned(),
                    vec!["m1", "m2"],
                ),
                (
                    "GET /Users → no response ({target}/Users: connection refused)".to_owned(),
                    vec!["down1", "down2"],
                ),
            ]
        );
        let text = console_text(&causes);
        assert!(
            text.starts_with("Root causes: 7 failing cases share 3 causes (fix these first)\n  3 cases: POST /Groups → 400"),
            "{text}"
        );
        assert!(text.contains("      entra/groups › g2\n"), "{text}");
    }

    #[test]
    fn single_failures_and_passing_runs_have_no_cause() {
        let one = [case(
            "g1",
            StepOutcome::Failed,
            vec![exchange(
                "POST",
                &format!("{TARGET}/Groups"),
                Some(400),
                "no",
            )],
        )];
        assert!(root_causes(&one, TARGET).is_empty());
        assert_eq!(console_text(&[]), "");
    }
}
