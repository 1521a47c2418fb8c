//! Recorded exchanges → a suite that reads like a hand-written one: cases
//! per logical flow (grouped by the resources they touch and by time gaps),
//! server ids captured and reused as `{{ variables }}`, client-generated
//! values (`userName`, `externalId`, a group's `displayName`) turned into
//! `unique.*` variables, credentials mapped to `auth:` or to secret
//! variables read from the environment, and expectations on what the IdP
//! relied on. It never writes a credential, a cookie or a password in
//! clear, and does no I/O.

mod auth;
mod expect;
mod request;
pub mod scan;

use std::collections::{BTreeSet, HashMap};

use indexmap::IndexMap;
use serde_json::{Value, json};

use crate::record::exchange::Exchange;
use crate::suite::model::{
    CaptureSpec, Case, Method, Profile, Requirement, Severity, Step, Suite, VarSpec,
};
use auth::{AuthMap, classify};
use scan::{Kind, kind_of, revealed_ids, split_base};

/// How to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// The suite title.
    pub title: String,
    /// Where the exchanges came from (`recorded by scimulator record`).
    pub origin: String,
    /// Add `snapshot:` expectations to successful JSON responses.
    pub snapshot: bool,
    /// A pause longer than this starts a new case (milliseconds).
    pub gap_ms: u64,
    /// The `Authorization` value (or bare token) of the run: `auth: default`.
    /// `None`: the most used one that was not refused.
    pub primary_auth: Option<String>,
    /// Tokens known to be revoked: `auth: revoked`.
    pub revoked_tokens: Vec<String>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            title: "Recorded IdP traffic".to_owned(),
            origin: "recorded by scimulator record".to_owned(),
            snapshot: false,
            gap_ms: 5_000,
            primary_auth: None,
            revoked_tokens: Vec::new(),
        }
    }
}

/// A generated suite: the model and its YAML text.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The suite.
    pub suite: Suite,
    /// The YAML, with comments.
    pub yaml: String,
    /// What the generator left out or could not express, one line each.
    pub notes: Vec<String>,
}

/// One exchange on its way into a step.
struct Item<'a> {
    ex: &'a Exchange,
    /// The request's method (exchanges with another method are left out).
    method: Method,
    rel: String,
    kind: Kind,
    item: bool,
    /// Ids (revealed earlier) and generated values this request mentions,
    /// plus the ids its response reveals.
    keys: BTreeSet<String>,
}

/// Generates a suite from exchanges in arrival order.
pub fn generate(exchanges: &[Exchange], opts: &GenerateOptions) -> Generated {
    let mut notes = Vec::new();
    let items = select(exchanges, &mut notes);
    let auth_map = classify(&items.iter().map(|i| i.ex).collect::<Vec<_>>(), opts);
    let groups = group(&items, opts.gap_ms);
    let mut suite_vars: IndexMap<String, VarSpec> = IndexMap::new();
    let mut value_vars: HashMap<String, String> = HashMap::new();
    let mut counters: HashMap<&'static str, usize> = HashMap::new();
    // Client-generated values → suite variables rendered afresh per case.
    for it in &items {
        for (value, builtin) in scan::generated_values(it.ex, &it.rel) {
            if value_vars.contains_key(&value) {
                continue;
            }
            let stem = match (it.kind, builtin) {
                (_, "unique.id") => "external_id",
                (Kind::Group, _) => "group_name",
                _ => "user_name",
            };
            let n = counters.entry(stem).or_insert(0);
            *n += 1;
            let name = format!("{stem}_{n}");
            suite_vars.insert(
                name.clone(),
                VarSpec::Plain(json!(format!("{{{{ {builtin} }}}}"))),
            );
            value_vars.insert(value, name);
        }
    }
    for (name, spec) in auth_map.vars() {
        suite_vars.insert(name, spec);
    }
    if items.iter().any(|i| request::has_password(i.ex)) {
        suite_vars.insert(
            "password".to_owned(),
            VarSpec::Detailed {
                value: json!("{{ unique.id }}-Aa1!"),
                secret: true,
            },
        );
    }
    let mut cases = Vec::new();
    for (n, members) in groups.iter().enumerate() {
        let case_items: Vec<&Item<'_>> = members.iter().map(|&i| &items[i]).collect();
        cases.push(build_case(n + 1, &case_items, &value_vars, &auth_map, opts));
    }
    let idp = guess_idp(exchanges);
    let suite = Suite {
        suite: opts.title.clone(),
        description: Some(format!(
            "{} ({} exchanges, {} cases). Replays the requests as they were sent and checks the \
             status, content type and the fields the IdP relied on.",
            opts.origin,
            items.len(),
            cases.len()
        )),
        tags: vec!["recorded".to_owned()],
        idp: idp.as_ref().and_then(|(p, _)| Profile::from_name(p)),
        severity: Severity::Required,
        vars: suite_vars,
        cases,
        ..Suite::default()
    };
    let yaml = to_yaml(
        &suite,
        idp.as_ref().map(|(_, why)| why.as_str()),
        &notes,
        &auth_map,
    );
    Generated { suite, yaml, notes }
}

/// Drops what cannot be replayed: exchanges the upstream never answered,
/// and 429/503 answers the client retried (the runner retries by itself).
fn select<'a>(exchanges: &'a [Exchange], notes: &mut Vec<String>) -> Vec<Item<'a>> {
    let mut out: Vec<Item<'a>> = Vec::new();
    for (i, ex) in exchanges.iter().enumerate() {
        if let Some(err) = &ex.upstream_error
            && (ex.status == 502 || ex.status == 413)
        {
            notes.push(format!(
                "left out {} {}: {err}",
                ex.method,
                split_base(&ex.path).1
            ));
            continue;
        }
        if matches!(ex.status, 429 | 503)
            && exchanges.get(i + 1).is_some_and(|next| {
                next.method == ex.method && next.path == ex.path && next.query == ex.query
            })
        {
            notes.push(format!(
                "left out a {} to {} {} that the client retried (the runner retries 429s itself)",
                ex.status,
                ex.method,
                split_base(&ex.path).1
            ));
            continue;
        }
        let Some(method) = Method::from_name(&ex.method) else {
            notes.push(format!(
                "left out {} {}: a suite cannot send this method (known: {})",
                ex.method,
                split_base(&ex.path).1,
                Method::NAMES.join(", ")
            ));
            continue;
        };
        let rel = split_base(&ex.path).1.to_owned();
        let (kind, item) = kind_of(&rel);
        out.push(Item {
            ex,
            method,
            rel,
            kind,
            item,
            keys: BTreeSet::new(),
        });
    }
    // Keys: ids revealed so far and mentioned now, ids revealed now, and
    // client-generated values mentioned now.
    let mut revealed: BTreeSet<String> = BTreeSet::new();
    let generated: BTreeSet<String> = out
        .iter()
        .flat_map(|it| scan::generated_values(it.ex, &it.rel))
        .map(|(v, _)| v)
        .collect();
    for it in &mut out {
        let text = request::searchable(it.ex, &it.rel);
        let lower = text.to_lowercase();
        for id in &revealed {
            if request::mentions(&text, &it.rel, id) {
                it.keys.insert(id.clone());
            }
        }
        // Generated values are also found in another case (Okta's
        // case-insensitive lookup sends the userName upper-cased).
        for value in &generated {
            if request::mentions(&lower, &it.rel.to_lowercase(), &value.to_lowercase()) {
                it.keys.insert(value.clone());
            }
        }
        // A whole list reveals every id: only a single resource or a
        // one-result lookup ties its id to this flow.
        let ids = revealed_ids(it.ex);
        let single = ids.len() == 1;
        for (id, _) in ids {
            if single {
                it.keys.insert(id.clone());
            }
            revealed.insert(id);
        }
    }
    out
}

/// Splits items into cases, one per flow even when flows interleave (an
/// IdP or a harness working in parallel): items that share a resource (an
/// id, or a generated `userName`…) belong together; consecutive items that
/// touch no resource stay together unless a pause longer than `gap_ms`
/// separates them. Each case keeps its items in arrival order.
fn group(items: &[Item<'_>], gap_ms: u64) -> Vec<Vec<usize>> {
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut parent: Vec<usize> = (0..items.len()).collect();
    let mut owner: HashMap<&String, usize> = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        for key in &it.keys {
            match owner.get(key) {
                Some(&o) => {
                    let (a, b) = (root(&mut parent, o), root(&mut parent, i));
                    if a != b {
                        parent[b.max(a)] = b.min(a);
                    }
                }
                None => {
                    owner.insert(key, i);
                }
            }
        }
        if it.keys.is_empty() && i > 0 {
            let prev = &items[i - 1];
            let close = it.ex.at_ms.saturating_sub(prev.ex.at_ms) <= gap_ms;
            if prev.keys.is_empty() && close {
                let (a, b) = (root(&mut parent, i - 1), root(&mut parent, i));
                if a != b {
                    parent[b.max(a)] = b.min(a);
                }
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<usize, usize> = HashMap::new();
    for i in 0..items.len() {
        let r = root(&mut parent, i);
        let g = *index.entry(r).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    groups
}

fn build_case(
    n: usize,
    items: &[&Item<'_>],
    value_vars: &HashMap<String, String>,
    auth_map: &AuthMap,
    opts: &GenerateOptions,
) -> Case {
    // Ids revealed in this case and used later in it become captures.
    let mut id_vars: Vec<(String, String, usize)> = Vec::new();
    let mut captures: HashMap<usize, IndexMap<String, CaptureSpec>> = HashMap::new();
    let mut counters: HashMap<&'static str, usize> = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        for (id, path) in revealed_ids(it.ex) {
            if id_vars.iter().any(|(known, _, _)| *known == id) {
                continue;
            }
            let used_later = items[i + 1..].iter().any(|later| {
                request::mentions(&request::searchable(later.ex, &later.rel), &later.rel, &id)
            });
            if !used_later {
                continue;
            }
            let stem = match (it.kind, path.as_str()) {
                (Kind::Group, _) => "group_id",
                (Kind::User, _) => "user_id",
                _ => "id",
            };
            let c = counters.entry(stem).or_insert(0);
            *c += 1;
            let name = if *c == 1 {
                stem.to_owned()
            } else {
                format!("{stem}_{c}")
            };
            captures
                .entry(i)
                .or_default()
                .insert(name.clone(), CaptureSpec::Json(path));
            id_vars.push((id, name, i));
        }
    }
    // A step sees the ids captured by the steps before it, not its own.
    let template_at = |step: usize, text: &str| -> String {
        let mut out = text.to_owned();
        for (id, var, _) in id_vars.iter().filter(|(_, _, at)| *at < step) {
            out = scan::replace_token(&out, id, &format!("{{{{ {var} }}}}"));
        }
        for (value, var) in value_vars {
            out = scan::replace_token(&out, value, &format!("{{{{ {var} }}}}"));
            for (variant, f) in [
                (value.to_uppercase(), "upper"),
                (value.to_lowercase(), "lower"),
            ] {
                if variant != *value {
                    out = scan::replace_token(&out, &variant, &format!("{{{{ {f}({var}) }}}}"));
                }
            }
        }
        out
    };
    let mut steps = Vec::new();
    let mut requires_revoked = false;
    let mut words: Vec<String> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let template = |text: &str| template_at(i, text);
        let (spec, info) = request::build(it.ex, it.method, &it.rel, &template, auth_map);
        requires_revoked |= info.revoked;
        let snapshot = opts.snapshot.then(|| format!("recorded-{n}-{}", i + 1));
        let expect = expect::build(&expect::Context {
            exchange: it.ex,
            kind: it.kind,
            filtered: info.filtered,
            projected: info.projected,
            template: &template,
            snapshot,
        });
        let word = describe(it);
        if words.last() != Some(&word) {
            words.push(word);
        }
        steps.push(Step::Request(Box::new(crate::suite::model::RequestStep {
            request: spec,
            expect,
            capture: captures.remove(&i).unwrap_or_default(),
            ..Default::default()
        })));
    }
    let mut name = words.iter().take(6).cloned().collect::<Vec<_>>().join(", ");
    if words.len() > 6 {
        name.push_str(", …");
    }
    Case {
        name: format!("{n}. {name}"),
        why: "recorded traffic: the IdP sent these requests and relied on these answers".to_owned(),
        requires: if requires_revoked {
            vec![Requirement::RevokedToken]
        } else {
            Vec::new()
        },
        steps,
        ..Case::default()
    }
}

/// `look up users`, `create user`, `deactivate user`…
fn describe(it: &Item<'_>) -> String {
    let word = it.kind.word();
    let method = it.ex.method.to_ascii_uppercase();
    if it.kind == Kind::Other {
        return format!("{method} {}", it.rel.split('?').next().unwrap_or(""));
    }
    let body = it.ex.request_body.json().unwrap_or(Value::Null);
    let active = request::sets_active(&body);
    let verb = match (method.as_str(), it.item, active) {
        ("GET", false, _)
            if it
                .ex
                .query
                .as_deref()
                .is_some_and(|q| q.contains("filter=")) =>
        {
            format!("look up {word}s")
        }
        ("GET", false, _) => format!("list {word}s"),
        ("GET", true, _) => format!("read {word}"),
        ("POST", false, _) => format!("create {word}"),
        (_, true, Some(false)) => format!("deactivate {word}"),
        (_, true, Some(true)) if method == "PATCH" => format!("reactivate {word}"),
        ("PUT", true, _) => format!("replace {word}"),
        ("PATCH", true, _) => format!("patch {word}"),
        ("DELETE", true, _) => format!("delete {word}"),
        _ => format!("{method} {word}"),
    };
    if it.ex.status == 401 || it.ex.status == 403 {
        format!("{verb} (refused)")
    } else {
        verb
    }
}

/// The IdP by User-Agent, then by request shapes; with the reason.
fn guess_idp(exchanges: &[Exchange]) -> Option<(&'static str, String)> {
    for ex in exchanges {
        let Some(ua) = ex.request_header("user-agent") else {
            continue;
        };
        let lower = ua.to_ascii_lowercase();
        if lower.contains("okta") {
            let aiw = exchanges.iter().any(|e| e.method == "PUT")
                && !exchanges.iter().any(|e| e.method == "PATCH");
            let profile = if aiw { "okta-aiw" } else { "okta" };
            return Some((
                profile,
                format!(
                    "guessed from the User-Agent {ua:?}{}",
                    if aiw {
                        " and PUT updates without PATCH"
                    } else {
                        ""
                    }
                ),
            ));
        }
        if lower.contains("azure") || lower.contains("microsoft") || lower.contains("entra") {
            return Some(("entra", format!("guessed from the User-Agent {ua:?}")));
        }
    }
    // Shapes: Entra capitalises PATCH ops; Okta sends path-less replaces.
    for ex in exchanges {
        let Some(body) = ex.request_body.json() else {
            continue;
        };
        let Some(ops) = body.get("Operations").and_then(Value::as_array) else {
            continue;
        };
        for op in ops {
            let name = op.get("op").and_then(Value::as_str).unwrap_or("");
            if name == "Replace" || name == "Add" || name == "Remove" {
                return Some((
                    "entra",
                    "guessed from capitalised PATCH ops (\"Replace\")".into(),
                ));
            }
            if name == "replace" && op.get("path").is_none() {
                return Some(("okta", "guessed from a path-less PATCH replace".into()));
            }
        }
    }
    None
}

fn to_yaml(suite: &Suite, idp_why: Option<&str>, notes: &[String], auth: &AuthMap) -> String {
    let body = serde_yaml_ng::to_string(suite).unwrap_or_default();
    // serde_yaml writes `auth: !raw X`; suites spell it `auth: { raw: X }`.
    let tagged = regex::Regex::new(r"(?m)^(\s*)auth: !(raw|token) (.*)$").ok();
    let body = match tagged {
        Some(re) => re
            .replace_all(&body, "${1}auth: { ${2}: ${3} }")
            .into_owned(),
        None => body,
    };
    let body = flow_queries(&body);
    let mut out = String::new();
    out.push_str("# Generated by scimulator from recorded SCIM traffic. Edit freely.\n");
    out.push_str("# Replay: scimulator run --target <SCIM base URL> --token <token> <this file>\n");
    for line in auth.comments() {
        out.push_str(&format!("# {line}\n"));
    }
    for note in notes {
        out.push_str(&format!("# note: {}\n", note.replace('\n', " ")));
    }
    for line in body.lines() {
        if line.starts_with("idp:")
            && let Some(why) = idp_why
        {
            out.push_str(&format!(
                "# the IdP profile was {}\n",
                why.replace('\n', " ")
            ));
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Writes `query:` as hand-written suites do: `[[filter, '…'], [count, 100]]`.
fn flow_queries(yaml: &str) -> String {
    let lines: Vec<&str> = yaml.lines().collect();
    let mut out = String::with_capacity(yaml.len());
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim() == "query:" {
            let indent = &line[..line.len() - line.trim_start().len()];
            let key_prefix = format!("{indent}- - ");
            let value_prefix = format!("{indent}  - ");
            let mut pairs = Vec::new();
            let mut j = i + 1;
            while j + 1 < lines.len()
                && lines[j].starts_with(&key_prefix)
                && lines[j + 1].starts_with(&value_prefix)
            {
                let k: Option<String> = serde_yaml_ng::from_str(&lines[j][key_prefix.len()..]).ok();
                let v: Option<Value> =
                    serde_yaml_ng::from_str(&lines[j + 1][value_prefix.len()..]).ok();
                match (k, v.as_ref().and_then(Value::as_str)) {
                    (Some(k), Some(v)) => pairs.push(format!("[{}, {}]", flow(&k), flow(v))),
                    _ => break,
                }
                j += 2;
            }
            if !pairs.is_empty() && (j >= lines.len() || !lines[j].starts_with(&key_prefix)) {
                out.push_str(&format!("{indent}query: [{}]\n", pairs.join(", ")));
                i = j;
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
        i += 1;
    }
    out
}

/// A flow-context YAML scalar: plain when safe, else single-quoted.
fn flow(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        && !["true", "false", "null", "yes", "no", "on", "off", "~"]
            .contains(&s.to_ascii_lowercase().as_str());
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}
