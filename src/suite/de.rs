//! Hand-written `Deserialize` impls for the model's either-or types (and
//! `Serialize` for [`Predicate`], so that it round-trips).
//!
//! `#[serde(untagged)]` buffers its input and reports "data did not match
//! any variant", losing the line and the offending key. These impls decide
//! the variant from the YAML shape (map, string, number, list) and then
//! deserialize the chosen type straight from the parser, so a typo deep
//! inside a step still gets serde's precise "unknown field" message with
//! its line, column and field path.

use std::fmt;

use indexmap::IndexMap;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::error::closest;
use super::model::{
    ActionName, ActionStep, Auth, Capability, CaptureDetail, CaptureSpec, Case, Expect,
    HeaderCheck, HeaderPredicate, JsonType, MAX_PARALLEL, Method, ParallelStep, Predicate,
    PredicateOps, Profile, RequestSpec, RequestStep, Requirement, Retry, Severity, StatusSpec,
    Step, Suite, VarSpec, When,
};

/// The keys of a suite file (for "unknown field" messages).
const SUITE_FIELDS: &[&str] = &[
    "suite",
    "description",
    "tags",
    "idp",
    "severity",
    "vars",
    "okta_profile",
    "cases",
];

struct SuiteVisitor;

impl<'de> Visitor<'de> for SuiteVisitor {
    type Value = Suite;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a suite: a map with `suite:` and `cases:`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Suite, A::Error> {
        let mut title: Option<String> = None;
        let mut cases: Option<Vec<Case>> = None;
        let mut suite = Suite::default();
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            seen.push(key.clone());
            match key.as_str() {
                "suite" => title = Some(map.next_value()?),
                "description" => suite.description = map.next_value()?,
                "tags" => suite.tags = map.next_value()?,
                "idp" => suite.idp = map.next_value()?,
                "severity" => suite.severity = map.next_value::<Severity>()?,
                "vars" => suite.vars = map.next_value()?,
                "okta_profile" => suite.okta_profile = map.next_value()?,
                "cases" => cases = Some(map.next_value()?),
                k if k.starts_with("x-") => {
                    map.next_value::<de::IgnoredAny>()?;
                }
                k => return Err(de::Error::unknown_field(k, SUITE_FIELDS)),
            }
        }
        suite.suite = title.ok_or_else(|| de::Error::missing_field("suite"))?;
        suite.cases = cases.ok_or_else(|| de::Error::missing_field("cases"))?;
        Ok(suite)
    }
}

impl<'de> Deserialize<'de> for Suite {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SuiteVisitor)
    }
}

/// Every key a step may have; the presence of `request` or `action` decides its kind.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StepRaw {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    request: Option<RequestSpec>,
    #[serde(default)]
    action: Option<ActionName>,
    #[serde(default, rename = "with")]
    with: Option<IndexMap<String, Value>>,
    #[serde(default)]
    expect: Expect,
    #[serde(default)]
    capture: IndexMap<String, CaptureSpec>,
    #[serde(default)]
    retry: Option<Retry>,
    #[serde(default)]
    when: Option<When>,
    #[serde(default)]
    origin: Option<String>,
    #[serde(default)]
    parallel: Option<Vec<Step>>,
}

/// A `parallel:` step: only the key `parallel`, holding 1 to [`MAX_PARALLEL`]
/// request or action steps.
fn parallel_step(raw: StepRaw) -> Result<Step, String> {
    let others = [
        ("name", raw.name.is_some()),
        ("request", raw.request.is_some()),
        ("action", raw.action.is_some()),
        ("with", raw.with.is_some()),
        ("expect", !raw.expect.is_empty()),
        ("capture", !raw.capture.is_empty()),
        ("retry", raw.retry.is_some()),
        ("when", raw.when.is_some()),
        ("origin", raw.origin.is_some()),
    ];
    if let Some((key, _)) = others.iter().find(|(_, set)| *set) {
        return Err(format!(
            "a `parallel:` step holds only its list of steps; put `{key}` on the steps inside it"
        ));
    }
    let steps = raw.parallel.unwrap_or_default();
    if steps.is_empty() {
        return Err("`parallel:` needs at least one step".to_owned());
    }
    if steps.len() > MAX_PARALLEL {
        return Err(format!(
            "`parallel:` holds {} steps; at most {MAX_PARALLEL} are sent at once",
            steps.len()
        ));
    }
    if steps.iter().any(|s| matches!(s, Step::Parallel(_))) {
        return Err("a `parallel:` step cannot hold another `parallel:`".to_owned());
    }
    Ok(Step::Parallel(Box::new(ParallelStep { parallel: steps })))
}

struct StepVisitor;

impl<'de> Visitor<'de> for StepVisitor {
    type Value = Step;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a step: a map with `request:`, `action:` or `parallel:`")
    }

    // Converting inside `visit_map` lets the parser attach this step's own
    // line and `steps[i]` path to the errors below.
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Step, A::Error> {
        let raw = StepRaw::deserialize(MapAccessDeserializer::new(map))?;
        if raw.parallel.is_some() {
            return parallel_step(raw).map_err(de::Error::custom);
        }
        match (raw.request, raw.action) {
            (Some(_), Some(_)) => Err(de::Error::custom(
                "a step has either `request` or `action`, not both",
            )),
            (None, None) => Err(de::Error::custom(
                "a step needs `request:` (an HTTP request) or `action:` (an IdP action like `okta.push_new_user`)",
            )),
            (Some(request), None) => {
                if raw.with.is_some() {
                    return Err(de::Error::custom(
                        "`with` belongs to `action:` steps; a `request:` step has no `with`",
                    ));
                }
                Ok(Step::Request(Box::new(RequestStep {
                    name: raw.name,
                    request,
                    expect: raw.expect,
                    capture: raw.capture,
                    retry: raw.retry,
                    when: raw.when,
                    origin: raw.origin,
                })))
            }
            (None, Some(action)) => {
                let misplaced = [
                    ("retry", raw.retry.is_some()),
                    ("when", raw.when.is_some()),
                    ("origin", raw.origin.is_some()),
                ];
                if let Some((key, _)) = misplaced.iter().find(|(_, set)| *set) {
                    return Err(de::Error::custom(format!(
                        "`{key}` belongs to `request:` steps, not to `action:` steps"
                    )));
                }
                Ok(Step::Action(Box::new(ActionStep {
                    name: raw.name,
                    action,
                    with: raw.with.unwrap_or_default(),
                    expect: raw.expect,
                    capture: raw.capture,
                })))
            }
        }
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(StepVisitor)
    }
}

/// Implements the scalar `visit_*` methods by turning the scalar into a
/// `serde_json::Value` and passing it to `$f`.
macro_rules! scalar_visits {
    ($f:expr) => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            $f(Value::Bool(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            $f(Value::from(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            $f(Value::from(v))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            $f(Value::from(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            $f(Value::String(v.to_string()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            $f(Value::Null)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            $f(Value::Null)
        }
    };
}

struct PredicateVisitor;

impl<'de> Visitor<'de> for PredicateVisitor {
    type Value = Predicate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a predicate map like `{ eq_ci: x }` or a literal value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Predicate, A::Error> {
        PredicateOps::deserialize(MapAccessDeserializer::new(map))
            .map(|ops| Predicate::Ops(Box::new(ops)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Predicate, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(Predicate::Eq)
    }

    scalar_visits!(|v| Ok(Predicate::Eq(v)));
}

impl serde::Serialize for Predicate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Predicate::Ops(ops) => ops.serialize(s),
            // A bare object would read back as predicate keys: wrap it in `eq`.
            Predicate::Eq(v @ Value::Object(_)) => PredicateOps {
                eq: Some(v.clone()),
                ..PredicateOps::default()
            }
            .serialize(s),
            Predicate::Eq(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Predicate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PredicateVisitor)
    }
}

struct CaptureVisitor;

impl<'de> Visitor<'de> for CaptureVisitor {
    type Value = CaptureSpec;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSONPath string like `$.id`, or a map with `json:` or `header:`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<CaptureSpec, E> {
        Ok(CaptureSpec::Json(v.to_string()))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CaptureSpec, A::Error> {
        CaptureDetail::deserialize(MapAccessDeserializer::new(map)).map(CaptureSpec::Detailed)
    }
}

impl<'de> Deserialize<'de> for CaptureSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CaptureVisitor)
    }
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = HeaderCheck;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an exact header value, or a map of `exists`, `equals`, `matches`, `contains`")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<HeaderCheck, A::Error> {
        HeaderPredicate::deserialize(MapAccessDeserializer::new(map)).map(HeaderCheck::Detailed)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<HeaderCheck, E> {
        Ok(HeaderCheck::Equals(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<HeaderCheck, E> {
        Ok(HeaderCheck::Equals(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<HeaderCheck, E> {
        Ok(HeaderCheck::Equals(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<HeaderCheck, E> {
        Ok(HeaderCheck::Equals(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for HeaderCheck {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(HeaderVisitor)
    }
}

struct StatusVisitor;

fn status_code<E: de::Error>(v: i128) -> Result<u16, E> {
    u16::try_from(v)
        .map_err(|_| E::custom(format!("status {v} is not an HTTP status code (100–599)")))
}

impl<'de> Visitor<'de> for StatusVisitor {
    type Value = StatusSpec;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a status code like `200` or a list like `[200, 204]`")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<StatusSpec, E> {
        status_code(i128::from(v)).map(StatusSpec::One)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<StatusSpec, E> {
        status_code(i128::from(v)).map(StatusSpec::One)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StatusSpec, A::Error> {
        let mut codes = Vec::new();
        while let Some(code) = seq.next_element::<i64>()? {
            codes.push(status_code(i128::from(code))?);
        }
        Ok(StatusSpec::Any(codes))
    }
}

impl<'de> Deserialize<'de> for StatusSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StatusVisitor)
    }
}

impl<'de> Deserialize<'de> for VarSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        if let Value::Object(map) = &value
            && map.contains_key("value")
            && map.keys().all(|k| k == "value" || k == "secret")
        {
            let secret = match map.get("secret") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    return Err(de::Error::custom(format!(
                        "`secret` must be true or false, not {other}"
                    )));
                }
            };
            let inner = map.get("value").cloned().unwrap_or(Value::Null);
            return Ok(VarSpec::Detailed {
                value: inner,
                secret,
            });
        }
        Ok(VarSpec::Plain(value))
    }
}

/// A name read as a string and looked up at load, so that a misspelling is
/// an error at its own line and column: `what` names the kind in the
/// message, `hint` adds " (known: …)" or ", did you mean `x`?".
struct NameVisitor<T> {
    expecting: &'static str,
    lookup: fn(&str) -> Option<T>,
    unknown: fn(&str) -> String,
}

impl<T> Visitor<'_> for NameVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.lookup)(v).ok_or_else(|| E::custom((self.unknown)(v)))
    }
}

/// Reads a string through `parse`, its error raised while the scalar is read
/// so the parser places it at the value (`file:line:column` of the text).
pub(crate) fn parsed<'de, D: Deserializer<'de>, T>(
    d: D,
    expecting: &'static str,
    parse: fn(&str) -> Result<T, String>,
) -> Result<T, D::Error> {
    struct Parse<T> {
        expecting: &'static str,
        parse: fn(&str) -> Result<T, String>,
    }
    impl<T> Visitor<'_> for Parse<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.parse)(v).map_err(E::custom)
        }
    }
    d.deserialize_str(Parse { expecting, parse })
}

impl<'de> Deserialize<'de> for ActionName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parsed(d, "an action like `okta.push_new_user`", ActionName::parse)
    }
}

impl<'de> Deserialize<'de> for Method {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(NameVisitor {
            expecting: "an HTTP method like `GET`",
            lookup: Method::from_name,
            unknown: |v| {
                format!(
                    "unknown HTTP method `{v}` (known: {})",
                    Method::NAMES.join(", ")
                )
            },
        })
    }
}

impl<'de> Deserialize<'de> for JsonType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(NameVisitor {
            expecting: "a JSON type like `string`",
            lookup: JsonType::from_name,
            unknown: |v| {
                format!(
                    "unknown JSON type `{v}` (known: {})",
                    JsonType::NAMES.join(", ")
                )
            },
        })
    }
}

impl<'de> Deserialize<'de> for Capability {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(NameVisitor {
            expecting: "a capability like `patch`",
            lookup: Capability::from_name,
            unknown: |v| {
                let hint = closest(v, Capability::NAMES)
                    .map(|c| format!(", did you mean `{c}`?"))
                    .unwrap_or_else(|| format!(" (known: {})", Capability::NAMES.join(", ")));
                format!("unknown capability `{v}`{hint}")
            },
        })
    }
}

impl<'de> Deserialize<'de> for Profile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(NameVisitor {
            expecting: "an IdP profile like `okta`",
            lookup: Profile::from_name,
            unknown: |v| {
                format!(
                    "unknown IdP profile `{v}` (known: {})",
                    Profile::NAMES.join(", ")
                )
            },
        })
    }
}

/// `type:` of a predicate; a YAML null (`type: null`) names the JSON type `null`.
pub(crate) fn type_name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<JsonType>, D::Error> {
    Ok(Some(
        Option::<JsonType>::deserialize(d)?.unwrap_or(JsonType::Null),
    ))
}

/// Reads `name` or `{ name: "text" }` (the map form of a newtype variant;
/// serde_yaml_ng alone only accepts YAML tags such as `!token x`).
struct TaggedVisitor {
    expecting: &'static str,
    units: &'static [&'static str],
    newtypes: &'static [&'static str],
    /// `units` followed by `newtypes`, for "did you mean".
    all: &'static [&'static str],
}

/// A unit variant's name, or a newtype variant's name and text.
enum Tagged {
    Unit(String),
    Newtype(String, String),
    /// `{ capability: … }`, checked while its value is read (so that an
    /// unknown name is placed at its own line and column).
    Capability(Capability),
}

impl<'de> Visitor<'de> for TaggedVisitor {
    type Value = Tagged;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Tagged, E> {
        if self.units.contains(&v) {
            return Ok(Tagged::Unit(v.to_string()));
        }
        Err(E::unknown_variant(v, self.all))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tagged, A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::custom(format!("expected {}", self.expecting)));
        };
        if !self.newtypes.contains(&key.as_str()) {
            return Err(de::Error::unknown_variant(&key, self.newtypes));
        }
        let value = if key == "capability" {
            Tagged::Capability(map.next_value()?)
        } else {
            Tagged::Newtype(key.clone(), map.next_value()?)
        };
        if map.next_key::<String>()?.is_some() {
            return Err(de::Error::custom(format!(
                "`{{ {key}: … }}` takes exactly one key"
            )));
        }
        Ok(value)
    }
}

const AUTH_NAMES: &[&str] = &[
    "default", "none", "invalid", "revoked", "token", "raw", "scheme",
];
const REQUIREMENT_NAMES: &[&str] = &[
    "revoked_token",
    "reference_server",
    "capability",
    "resource_type",
    "var",
];

impl<'de> Deserialize<'de> for Auth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let tagged = d.deserialize_any(TaggedVisitor {
            expecting: "`default`, `none`, `invalid`, `revoked`, `{ token: … }`, `{ raw: … }` or `{ scheme: … }`",
            units: &["default", "none", "invalid", "revoked"],
            newtypes: &["token", "raw", "scheme"],
            all: AUTH_NAMES,
        })?;
        Ok(match tagged {
            Tagged::Unit(u) => match u.as_str() {
                "none" => Auth::None,
                "invalid" => Auth::Invalid,
                "revoked" => Auth::Revoked,
                _ => Auth::Default,
            },
            Tagged::Newtype(k, v) if k == "raw" => Auth::Raw(v),
            Tagged::Newtype(k, v) if k == "scheme" => Auth::Scheme(v),
            Tagged::Newtype(_, v) => Auth::Token(v),
            Tagged::Capability(_) => {
                return Err(de::Error::unknown_variant("capability", AUTH_NAMES));
            }
        })
    }
}

impl<'de> Deserialize<'de> for Requirement {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let tagged = d.deserialize_any(TaggedVisitor {
            expecting: "`revoked_token`, `reference_server`, `{ capability: … }`, `{ resource_type: … }` or `{ var: … }`",
            units: &["revoked_token", "reference_server"],
            newtypes: &["capability", "resource_type", "var"],
            all: REQUIREMENT_NAMES,
        })?;
        Ok(match tagged {
            Tagged::Unit(u) if u == "reference_server" => Requirement::ReferenceServer,
            Tagged::Unit(_) => Requirement::RevokedToken,
            Tagged::Newtype(k, v) if k == "resource_type" => Requirement::ResourceType(v),
            Tagged::Capability(c) => Requirement::Capability(c),
            // `capability` is read as `Tagged::Capability`: the other key is `var`.
            Tagged::Newtype(_, v) => Requirement::Var(v),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn predicate_eq_of_an_object_round_trips_through_json() {
        let p = Predicate::Eq(json!({"givenName": "Ada"}));
        let v = serde_json::to_value(&p).expect("serialises");
        assert_eq!(v, json!({"eq": {"givenName": "Ada"}}));
        let back: Predicate = serde_json::from_value(v).expect("deserialises");
        assert!(matches!(back, Predicate::Ops(ops) if ops.eq == Some(json!({"givenName": "Ada"}))));
        let lit: Predicate = serde_json::from_value(json!([1, 2])).expect("list");
        assert_eq!(lit, Predicate::Eq(json!([1, 2])));
    }

    #[test]
    fn auth_and_requirement_read_strings_and_maps() {
        let cases = [
            (json!("revoked"), Auth::Revoked),
            (json!("none"), Auth::None),
            (json!({"token": "abc"}), Auth::Token("abc".into())),
            (json!({"raw": "Basic x"}), Auth::Raw("Basic x".into())),
            (json!({"scheme": "bearer"}), Auth::Scheme("bearer".into())),
        ];
        for (v, want) in cases {
            assert_eq!(
                serde_json::from_value::<Auth>(v.clone()).ok(),
                Some(want.clone()),
                "{v}"
            );
            assert_eq!(serde_json::to_value(&want).ok(), Some(v));
        }
        let r: Requirement = serde_json::from_value(json!({"capability": "patch"})).expect("map");
        assert_eq!(r, Requirement::Capability(Capability::Patch));
        assert!(serde_json::from_value::<Requirement>(json!({"capability": "a", "x": 1})).is_err());
        let r: Requirement =
            serde_json::from_value(json!({"resource_type": "urn:okta:scim:schemas:core:1.0:Role"}))
                .expect("map");
        assert_eq!(
            r,
            Requirement::ResourceType("urn:okta:scim:schemas:core:1.0:Role".into())
        );
    }

    #[test]
    fn methods_types_and_capabilities_are_read_at_load_with_todays_spellings() {
        for (text, want) in [
            ("GET", Method::Get),
            ("get", Method::Get),
            ("Patch", Method::Patch),
            ("OPTIONS", Method::Options),
            ("head", Method::Head),
        ] {
            assert_eq!(
                serde_json::from_value::<Method>(json!(text)).ok(),
                Some(want)
            );
        }
        assert_eq!(
            serde_json::to_value(Method::Delete).ok(),
            Some(json!("DELETE"))
        );
        let err = serde_json::from_value::<Method>(json!("FETCH")).expect_err("unknown");
        assert!(
            err.to_string()
                .starts_with("unknown HTTP method `FETCH` (known: GET,")
        );

        let ops = |v: Value| serde_json::from_value::<PredicateOps>(v).map(|o| o.type_);
        assert_eq!(
            ops(json!({"type": "integer"})).ok(),
            Some(Some(JsonType::Integer))
        );
        assert_eq!(
            ops(json!({"type": "null"})).ok(),
            Some(Some(JsonType::Null))
        );
        assert_eq!(ops(json!({"type": null})).ok(), Some(Some(JsonType::Null)));
        assert_eq!(ops(json!({"len": 1})).ok(), Some(None));
        // Type names are case-sensitive, as the lint had them.
        assert!(ops(json!({"type": "String"})).is_err());

        let cap = |name: &str| serde_json::from_value::<Requirement>(json!({ "capability": name }));
        for name in Capability::NAMES {
            assert!(cap(name).is_ok(), "{name}");
        }
        let err = cap("changepassword").expect_err("case-sensitive");
        assert!(
            err.to_string().contains("did you mean `changePassword`?"),
            "{err}"
        );
    }
}
