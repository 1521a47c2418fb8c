//! Expansion tests: every Okta action against the shapes of okta-wire.md.

use serde_json::{Value, json};

use super::*;
use crate::suite::model::{QueryEncoding, RequestStep};

fn suite(yaml_actions: Value, idp: Option<&str>, okta_profile: Option<Value>) -> Suite {
    let steps: Vec<Step> = serde_json::from_value(yaml_actions).expect("steps");
    Suite {
        suite: "t".into(),
        source: "t.yaml".into(),
        source_text: None,
        description: None,
        tags: vec![],
        idp: idp.map(Into::into),
        severity: Default::default(),
        vars: Default::default(),
        okta_profile,
        cases: vec![crate::suite::model::Case {
            name: "c".into(),
            why: "w".into(),
            severity: None,
            tags: vec![],
            requires: vec![],
            steps,
            cleanup: vec![],
        }],
    }
}

fn expand(actions: Value, profile: Option<&str>) -> Vec<RequestStep> {
    expand_with(actions, profile, None)
}

fn expand_with(actions: Value, profile: Option<&str>, mapping: Option<Value>) -> Vec<RequestStep> {
    let s = suite(actions, None, mapping);
    let out = expand_suite(&s, profile).expect("expands");
    out.cases[0]
        .steps
        .iter()
        .map(|s| match s {
            Step::Request(r) => (**r).clone(),
            Step::Action(_) => panic!("unexpanded action"),
        })
        .collect()
}

fn line(s: &RequestStep) -> String {
    let q: Vec<String> = s
        .request
        .query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!("{} {}?{}", s.request.method, s.request.path, q.join("&"))
}

#[test]
fn okta_headers_are_exact_and_content_type_only_with_a_body() {
    let steps = expand(
        json!([{"action": "okta.push_new_user", "with": {"userName": "u@x"}}]),
        None,
    );
    for s in &steps {
        let h = &s.request.headers;
        assert_eq!(h["User-Agent"], "Okta SCIM Client 1.0.0");
        assert_eq!(h["Accept"], "application/scim+json");
        assert_eq!(h["Accept-Charset"], "utf-8");
        let has_body = s.request.body.is_some();
        assert_eq!(
            h.get("Content-Type").map(String::as_str),
            has_body.then_some("application/scim+json; charset=utf-8"),
            "{}",
            line(s)
        );
    }
}

#[test]
fn push_new_user_looks_up_then_posts_or_links() {
    let steps = expand(
        json!([{"action": "okta.push_new_user", "with": {"userName": "u@x", "givenName": "Ada", "familyName": "L"}}]),
        None,
    );
    let lines: Vec<String> = steps.iter().map(line).collect();
    assert_eq!(
        lines,
        [
            r#"GET /Users?filter="userName eq \"u@x\""&startIndex=1&count=100"#,
            "POST /Users?",
            "GET /Users/{{ _okta_link_id }}?",
            "PUT /Users/{{ _okta_link_id }}?",
        ]
    );
    let body = steps[1].request.body.as_ref().unwrap();
    assert_eq!(body["externalId"], "{{ unique.okta_id }}");
    assert_eq!(body["password"], "{{ random(8) }}");
    assert_eq!(body["groups"], json!([]));
    assert_eq!(body["displayName"], "Ada L");
    assert_eq!(
        body["emails"],
        json!([{"primary": true, "value": "u@x", "type": "work"}])
    );
    assert_eq!(steps[1].when.as_ref().unwrap().eq, Some(json!(0)));
    assert_eq!(steps[3].when.as_ref().unwrap().ne, Some(json!(0)));
    assert_eq!(
        steps[3].request.body_merge.as_ref().unwrap()["active"],
        true
    );
}

#[test]
fn filter_encoding_is_selectable() {
    let steps = expand(
        json!([{"action": "okta.push_new_user", "with": {"userName": "u@x", "encoding": "+"}}]),
        None,
    );
    assert_eq!(steps[0].request.encoding, QueryEncoding::Plus);
}

#[test]
fn deactivate_is_a_pathless_patch_on_oin_and_get_put_on_aiw() {
    let action = json!([{"action": "okta.deactivate_user", "with": {"id": "{{ id }}"}}]);
    let oin = expand(action.clone(), Some("okta"));
    assert_eq!(oin.len(), 1);
    assert_eq!(oin[0].request.method, "PATCH");
    assert_eq!(
        oin[0].request.body,
        Some(
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", "value": {"active": false}}]})
        )
    );
    let aiw = expand(action, Some("okta-aiw"));
    let lines: Vec<String> = aiw.iter().map(line).collect();
    assert_eq!(lines, ["GET /Users/{{ id }}?", "PUT /Users/{{ id }}?"]);
    assert_eq!(aiw[1].request.body, Some(json!("{{ _okta_current }}")));
    assert_eq!(aiw[1].request.body_merge, Some(json!({"active": false})));
}

#[test]
fn group_membership_delta_removes_each_user_then_adds_once() {
    let steps = expand(
        json!([{"action": "okta.push_group_members", "with": {
            "id": "g1", "displayName": "Eng",
            "remove": ["u1", "u2"], "add": [{"value": "u3", "display": "c@x"}]}}]),
        None,
    );
    assert_eq!(steps.len(), 2);
    assert_eq!(
        steps[0].request.body.as_ref().unwrap()["Operations"],
        json!([{"op": "replace", "value": {"id": "g1", "displayName": "Eng"}}])
    );
    assert_eq!(
        steps[1].request.body.as_ref().unwrap()["Operations"],
        json!([
            {"op": "remove", "path": "members[value eq \"u1\"]"},
            {"op": "remove", "path": "members[value eq \"u2\"]"},
            {"op": "add", "path": "members", "value": [{"value": "u3", "display": "c@x"}]}
        ])
    );
}

#[test]
fn role_attribute_is_mapped_into_the_create_body() {
    let mapping = json!({"attributes": [
        {"variable": "stackaiRole", "external_name": "roles.^[primary==true].value",
         "namespace": "urn:ietf:params:scim:schemas:core:2.0:User"},
        {"variable": "department", "external_name": "department",
         "namespace": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
        {"variable": "legacy", "external_name": "legacy"}
    ]});
    let steps = expand_with(
        json!([{"action": "okta.push_new_user", "with": {"userName": "u@x",
            "profile": {"stackaiRole": "Admin", "department": "R&D", "legacy": "x"}}}]),
        None,
        Some(mapping),
    );
    let body = steps[1].request.body.as_ref().unwrap();
    assert_eq!(body["roles"], json!([{"primary": true, "value": "Admin"}]));
    assert_eq!(
        body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        json!({"department": "R&D"})
    );
    assert!(body.get("legacy").is_none());
    assert_eq!(body["schemas"].as_array().unwrap().len(), 2);
}

#[test]
fn unknown_actions_and_profiles_are_suite_errors() {
    let s = suite(
        json!([{"action": "okta.push_new_usr", "with": {}}]),
        None,
        None,
    );
    let err = expand_suite(&s, None).unwrap_err().to_string();
    assert!(err.contains("did you mean `push_new_user`"), "{err}");
    let s = suite(json!([{"action": "onelogin.push", "with": {}}]), None, None);
    assert!(matches!(
        expand_suite(&s, None),
        Err(ExpandError::UnknownProfile { .. })
    ));
    let s = suite(json!([]), None, None);
    assert!(matches!(
        expand_suite(&s, Some("pingone")),
        Err(ExpandError::UnknownFlavour(_))
    ));
}

#[test]
fn missing_arguments_name_the_action() {
    let s = suite(
        json!([{"action": "okta.deactivate_user", "with": {}}]),
        None,
        None,
    );
    let err = expand_suite(&s, None).unwrap_err().to_string();
    assert!(
        err.contains("okta.deactivate_user") && err.contains("with.id"),
        "{err}"
    );
}
