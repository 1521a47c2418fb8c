//! Building blocks for generated steps: a request with an IdP's headers,
//! the expectations a provider relies on, and the arguments of an action.

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::ExpandError;
use crate::suite::model::Method;
use crate::suite::model::{
    ActionStep, CaptureDetail, CaptureSpec, Expect, Predicate, PredicateOps, QueryEncoding,
    RequestSpec, RequestStep, SchemaName, StatusSpec, When,
};

/// Fixed headers an IdP sends on every request; `content_type` only on
/// requests that carry a body.
#[derive(Debug, Clone, Copy)]
pub struct Headers {
    /// `User-Agent` value.
    pub user_agent: &'static str,
    /// `Accept` value.
    pub accept: &'static str,
    /// `Accept-Charset` value, when the IdP sends one.
    pub accept_charset: Option<&'static str>,
    /// `Content-Type` on requests with a body.
    pub content_type: &'static str,
}

/// Starts a step with the IdP's headers.
pub fn step(
    headers: &Headers,
    origin: &str,
    label: &str,
    method: Method,
    path: String,
) -> RequestStep {
    let mut h = IndexMap::new();
    h.insert("User-Agent".to_owned(), headers.user_agent.to_owned());
    h.insert("Accept".to_owned(), headers.accept.to_owned());
    if let Some(charset) = headers.accept_charset {
        h.insert("Accept-Charset".to_owned(), charset.to_owned());
    }
    RequestStep {
        name: Some(format!("{origin} › {label}")),
        request: RequestSpec {
            method,
            path,
            headers: h,
            ..RequestSpec::default()
        },
        origin: Some(origin.to_owned()),
        ..RequestStep::default()
    }
}

/// Builder methods on generated steps.
pub trait StepExt: Sized {
    /// Sets a JSON body and the IdP's `Content-Type`.
    fn body(self, headers: &Headers, body: Value) -> Self;
    /// Sets the query in order with the given space encoding.
    fn query(self, params: &[(&str, Value)], encoding: QueryEncoding) -> Self;
    /// Allowed statuses.
    fn status(self, codes: &[u16]) -> Self;
    /// Adds a JSONPath predicate.
    fn json(self, path: &str, predicate: Predicate) -> Self;
    /// Validates the body against an embedded schema.
    fn schema(self, name: SchemaName) -> Self;
    /// Captures a JSONPath into a variable.
    fn capture(self, var: &str, path: &str, optional: bool) -> Self;
    /// Runs only when `var` equals (or, with `equal: false`, differs from) `value`.
    fn when(self, var: &str, value: Value, equal: bool) -> Self;
    /// Adds the action's own expectations and captures (from the suite).
    fn with_action_extras(self, action: &ActionStep) -> Self;
}

impl StepExt for RequestStep {
    fn body(mut self, headers: &Headers, body: Value) -> Self {
        self.request
            .headers
            .insert("Content-Type".to_owned(), headers.content_type.to_owned());
        self.request.body = Some(body);
        self
    }

    fn query(mut self, params: &[(&str, Value)], encoding: QueryEncoding) -> Self {
        self.request.query = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        self.request.encoding = encoding;
        self
    }

    fn status(mut self, codes: &[u16]) -> Self {
        self.expect.status = Some(match codes {
            [one] => StatusSpec::One(*one),
            many => StatusSpec::Any(many.to_vec()),
        });
        self
    }

    fn json(mut self, path: &str, predicate: Predicate) -> Self {
        self.expect.json.insert(path.to_owned(), predicate);
        self
    }

    fn schema(mut self, name: SchemaName) -> Self {
        self.expect.schema = Some(name);
        self
    }

    fn capture(mut self, var: &str, path: &str, optional: bool) -> Self {
        let spec = if optional {
            CaptureSpec::Detailed(CaptureDetail {
                json: Some(path.to_owned()),
                optional: true,
                ..CaptureDetail::default()
            })
        } else {
            CaptureSpec::Json(path.to_owned())
        };
        self.capture.insert(var.to_owned(), spec);
        self
    }

    fn when(mut self, var: &str, value: Value, equal: bool) -> Self {
        self.when = Some(When {
            var: var.to_owned(),
            eq: equal.then(|| value.clone()),
            ne: (!equal).then_some(value),
        });
        self
    }

    fn with_action_extras(mut self, action: &ActionStep) -> Self {
        merge_expect(&mut self.expect, &action.expect);
        for (k, v) in &action.capture {
            self.capture.insert(k.clone(), v.clone());
        }
        self
    }
}

fn merge_expect(into: &mut Expect, extra: &Expect) {
    if extra.status.is_some() {
        into.status = extra.status.clone();
    }
    for (k, v) in &extra.headers {
        into.headers.insert(k.clone(), v.clone());
    }
    for (k, v) in &extra.json {
        into.json.insert(k.clone(), v.clone());
    }
    if extra.body.is_some() {
        into.body = extra.body.clone();
    }
    if extra.schema.is_some() {
        into.schema = extra.schema;
    }
    if extra.snapshot.is_some() {
        into.snapshot = extra.snapshot.clone();
    }
}

/// A literal `eq` predicate.
pub fn eq(value: Value) -> Predicate {
    Predicate::Eq(value)
}

/// A predicate from its YAML-shaped map, e.g. `ops(json!({"type": "integer"}))`.
pub fn ops(value: Value) -> Predicate {
    let parsed: PredicateOps =
        serde_json::from_value(value).expect("generated predicates use known keys");
    Predicate::Ops(Box::new(parsed))
}

/// The arguments of one action, with errors that name the suite, case and action.
pub struct Args<'a> {
    /// Suite source, for errors.
    pub suite: &'a str,
    /// Case name, for errors.
    pub case: &'a str,
    /// The action step.
    pub action: &'a ActionStep,
}

impl Args<'_> {
    /// An error about this action.
    pub fn error(&self, message: impl Into<String>) -> ExpandError {
        ExpandError::BadArgument {
            suite: self.suite.to_owned(),
            case: self.case.to_owned(),
            action: self.action.action.to_string(),
            message: message.into(),
        }
    }

    /// A required argument, as given (strings may be templates).
    pub fn value(&self, name: &str) -> Result<Value, ExpandError> {
        self.action
            .with
            .get(name)
            .cloned()
            .ok_or_else(|| self.error(format!("missing `with.{name}`")))
    }

    /// A required string argument.
    pub fn string(&self, name: &str) -> Result<String, ExpandError> {
        match self.value(name)? {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(self.error(format!("`with.{name}` must be a string, got {other}"))),
        }
    }

    /// An optional argument.
    pub fn opt(&self, name: &str) -> Option<&Value> {
        self.action.with.get(name)
    }

    /// An optional string argument with a default.
    pub fn string_or(&self, name: &str, default: &str) -> String {
        match self.opt(name) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => default.to_owned(),
        }
    }

    /// An optional list argument (absent → empty).
    pub fn list(&self, name: &str) -> Result<Vec<Value>, ExpandError> {
        match self.opt(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items.clone()),
            Some(other) => Err(self.error(format!("`with.{name}` must be a list, got {other}"))),
        }
    }

    /// An optional object argument (absent → empty).
    pub fn object(&self, name: &str) -> Result<Map<String, Value>, ExpandError> {
        match self.opt(name) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(map)) => Ok(map.clone()),
            Some(other) => Err(self.error(format!("`with.{name}` must be a map, got {other}"))),
        }
    }

    /// The query encoding asked for with `with.encoding` (`%20` or `+`).
    pub fn encoding(&self) -> Result<QueryEncoding, ExpandError> {
        match self.opt("encoding") {
            None => Ok(QueryEncoding::Percent20),
            Some(v) => serde_json::from_value(v.clone()).map_err(|_| {
                self.error(format!("`with.encoding` must be \"%20\" or \"+\", got {v}"))
            }),
        }
    }
}

/// A SCIM `eq` filter on a string attribute, quoting the value as JSON does.
pub fn eq_filter(attribute: &str, value: &str) -> Value {
    json!(format!(
        "{attribute} eq {}",
        Value::String(value.to_owned())
    ))
}
