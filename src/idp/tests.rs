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
        idp: idp.map(|name| crate::suite::model::Profile::from_name(name).expect("a profile name")),
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
            Step::Action(_) | Step::Parallel(_) => panic!("unexpanded action or a group"),
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
    assert_eq!(oin[0].request.method, crate::suite::model::Method::Patch);
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
    // An unknown family is refused when the suite loads (the family is typed).
    let refused =
        serde_json::from_value::<Vec<Step>>(json!([{"action": "frobnicator.push", "with": {}}]))
            .expect_err("an unknown family");
    assert!(
        refused.to_string().contains("unknown IdP `frobnicator`"),
        "{refused}"
    );
    // A data profile is a family too: its unknown action gets a hint.
    let s = suite(json!([{"action": "onelogin.push", "with": {}}]), None, None);
    let err = expand_suite(&s, None).unwrap_err().to_string();
    assert!(err.contains("onelogin has no action `push`"), "{err}");
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

#[test]
fn volatile_templates_in_action_arguments_are_refused() {
    let s = suite(
        json!([{"action": "okta.push_new_user", "with": {"userName": "{{ unique.email }}"}}]),
        None,
        None,
    );
    let err = expand_suite(&s, None).unwrap_err().to_string();
    assert!(
        err.contains("with.userName") && err.contains("unique.email"),
        "{err}"
    );
    let s = suite(
        json!([{"action": "okta.push_new_user", "with": {"userName": "{{ user }}", "givenName": "x"}}]),
        None,
        None,
    );
    assert!(expand_suite(&s, None).is_ok());
}

// ---- Entra ID (okta-wire.md §6) -------------------------------------------

fn ops_of(s: &RequestStep) -> Value {
    s.request.body.as_ref().expect("a PATCH body")["Operations"].clone()
}

#[test]
fn entra_headers_are_exact_and_content_type_only_with_a_body() {
    let steps = expand(
        json!([{"action": "entra.create_user", "with": {"userName": "u@x"}}]),
        Some("entra"),
    );
    assert_eq!(steps.len(), 3);
    for s in &steps {
        let h = &s.request.headers;
        assert_eq!(
            h["User-Agent"],
            "Microsoft Azure AD SCIM provisioning 1.0.0"
        );
        assert_eq!(h["Accept"], "application/scim+json");
        assert!(h.get("Accept-Charset").is_none());
        assert_eq!(
            h.get("Content-Type").map(String::as_str),
            s.request.body.is_some().then_some("application/scim+json"),
            "{}",
            line(s)
        );
    }
}

#[test]
fn entra_test_connection_filters_a_random_guid_with_plus_and_no_paging() {
    let steps = expand(
        json!([{"action": "entra.test_connection", "with": {"guid": "cf4d78e8"}}]),
        Some("entra"),
    );
    let lines: Vec<String> = steps.iter().map(line).collect();
    assert_eq!(
        lines,
        [
            r#"GET /Users?filter="userName eq \"cf4d78e8\"""#,
            r#"GET /Groups?excludedAttributes="members"&filter="displayName eq \"cf4d78e8\"""#,
        ]
    );
    assert!(
        steps
            .iter()
            .all(|s| s.request.encoding == QueryEncoding::Plus)
    );
    let default = expand(
        json!([{"action": "entra.test_connection", "with": {"groups": false}}]),
        Some("entra"),
    );
    assert_eq!(default.len(), 1);
    assert_eq!(
        default[0].request.query[0].1,
        json!("userName eq \"{{ uuid }}\"")
    );
}

#[test]
fn entra_create_user_sends_meta_and_empty_roles_in_the_request() {
    let steps = expand(
        json!([{"action": "entra.create_user", "with": {
            "userName": "u@x", "givenName": "Ada", "familyName": "L",
            "externalId": "ext1", "employeeNumber": "7"}}]),
        Some("entra-2020"),
    );
    assert_eq!(
        line(&steps[0]),
        r#"GET /Users?filter="userName eq \"u@x\"""#
    );
    assert_eq!(
        steps[1].request.body,
        Some(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "externalId": "ext1",
            "userName": "u@x",
            "active": true,
            "emails": [{"primary": true, "type": "work", "value": "u@x"}],
            "meta": {"resourceType": "User"},
            "name": {"formatted": "Ada L", "familyName": "L", "givenName": "Ada"},
            "roles": [],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "7"},
        }))
    );
    assert_eq!(steps[1].when.as_ref().unwrap().eq, Some(json!(0)));
    assert_eq!(steps[2].request.method, crate::suite::model::Method::Get);
    assert_eq!(steps[2].when.as_ref().unwrap().ne, Some(json!(0)));
}

#[test]
fn entra_create_user_can_match_on_external_id() {
    let steps = expand(
        json!([{"action": "entra.create_user", "with": {
            "userName": "u@x", "externalId": "johnwong", "match": "externalId"}}]),
        Some("entra"),
    );
    assert_eq!(
        line(&steps[0]),
        r#"GET /Users?filter="externalId eq \"johnwong\"""#
    );
}

#[test]
fn entra_disable_sends_string_false_by_default_and_a_boolean_with_the_flag() {
    let action = json!([{"action": "entra.disable_user", "with": {"id": "u1"}}]);
    let default = expand(action.clone(), Some("entra"));
    assert_eq!(line(&default[0]), "PATCH /Users/u1?");
    assert_eq!(
        ops_of(&default[0]),
        json!([{"op": "Replace", "path": "active", "value": "False"}])
    );
    let flagged = expand(action, Some("entra-2020"));
    assert_eq!(
        ops_of(&flagged[0]),
        json!([{"op": "replace", "path": "active", "value": false}])
    );
    let enable = expand(
        json!([{"action": "entra.enable_user", "with": {"id": "u1"}}]),
        Some("entra"),
    );
    assert_eq!(
        ops_of(&enable[0]),
        json!([{"op": "Replace", "path": "active", "value": "True"}])
    );
}

#[test]
fn entra_update_is_one_replace_per_attribute_or_one_flattened_replace() {
    let action = json!([{"action": "entra.update_user", "with": {
        "id": "u1", "displayName": "D", "givenName": "G", "familyName": "F",
        "email": "e@x", "employeeNumber": "9", "add": {"nickName": "Babs"}}}]);
    let default = expand(action.clone(), Some("entra"));
    assert_eq!(
        ops_of(&default[0]),
        // In argument order (json! sorts keys; YAML keeps the suite's order).
        json!([
            {"op": "Replace", "path": "displayName", "value": "D"},
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "e@x"},
            {"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": "9"},
            {"op": "Replace", "path": "name.familyName", "value": "F"},
            {"op": "Replace", "path": "name.givenName", "value": "G"},
            {"op": "Add", "path": "nickName", "value": "Babs"},
        ])
    );
    let flagged = expand(action, Some("entra-2020"));
    assert_eq!(
        ops_of(&flagged[0]),
        json!([
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "e@x"},
            {"op": "replace", "value": {
                "displayName": "D", "name.givenName": "G", "name.familyName": "F",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "9"}},
            {"op": "add", "path": "nickName", "value": "Babs"},
        ])
    );
}

#[test]
fn entra_update_refuses_unknown_attributes_and_empty_updates() {
    for with in [json!({"id": "u1", "shoeSize": 9}), json!({"id": "u1"})] {
        let s = suite(
            json!([{"action": "entra.update_user", "with": with}]),
            None,
            None,
        );
        assert!(matches!(
            expand_suite(&s, Some("entra")),
            Err(ExpandError::BadArgument { .. })
        ));
    }
}

#[test]
fn entra_manager_is_a_plain_string_id_on_the_enterprise_path() {
    let steps = expand(
        json!([{"action": "entra.set_manager", "with": {"id": "u1", "manager": "m1"}},
               {"action": "entra.set_manager", "with": {"id": "u1", "manager": ""}}]),
        Some("entra"),
    );
    let path = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";
    assert_eq!(
        ops_of(&steps[0]),
        json!([{"op": "Add", "path": path, "value": "m1"}])
    );
    assert_eq!(ops_of(&steps[1]), json!([{"op": "Remove", "path": path}]));
}

#[test]
fn entra_group_create_uses_the_adscim_schema_and_no_members() {
    let steps = expand(
        json!([{"action": "entra.create_group", "with": {"displayName": "Eng"}}]),
        Some("entra"),
    );
    let lines: Vec<String> = steps.iter().map(line).collect();
    assert_eq!(
        lines,
        [
            r#"GET /Groups?excludedAttributes="members"&filter="displayName eq \"Eng\"""#,
            "POST /Groups?",
            r#"GET /Groups/{{ _entra_match_id }}?excludedAttributes="members""#,
        ]
    );
    assert_eq!(
        steps[1].request.body,
        Some(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group",
                        "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
            "externalId": "Eng",
            "displayName": "Eng",
        }))
    );
}

#[test]
fn entra_members_are_added_with_null_refs_and_removed_per_flavour() {
    let actions = json!([
        {"action": "entra.add_members", "with": {"id": "g1", "members": ["u1", "u2"]}},
        {"action": "entra.remove_members", "with": {"id": "g1", "members": ["u1", "u2"]}},
    ]);
    let default = expand(actions.clone(), Some("entra"));
    assert_eq!(
        ops_of(&default[0]),
        json!([{"op": "Add", "path": "members",
                "value": [{"$ref": null, "value": "u1"}, {"$ref": null, "value": "u2"}]}])
    );
    assert_eq!(
        ops_of(&default[1]),
        json!([{"op": "Remove", "path": "members",
                "value": [{"$ref": null, "value": "u1"}, {"$ref": null, "value": "u2"}]}])
    );
    let flagged = expand(actions, Some("entra-2020"));
    assert_eq!(ops_of(&flagged[0])[0]["op"], "add");
    assert_eq!(
        ops_of(&flagged[1]),
        json!([{"op": "remove", "path": "members[value eq \"u1\"]"},
               {"op": "remove", "path": "members[value eq \"u2\"]"}])
    );
}

#[test]
fn entra_rename_and_deletes() {
    let steps = expand(
        json!([
            {"action": "entra.rename_group", "with": {"id": "g1", "displayName": "New"}},
            {"action": "entra.delete_group", "with": {"id": "g1"}},
            {"action": "entra.delete_user", "with": {"id": "u1"}},
        ]),
        Some("entra"),
    );
    assert_eq!(
        ops_of(&steps[0]),
        json!([{"op": "Replace", "path": "displayName", "value": "New"}])
    );
    assert_eq!(line(&steps[1]), "DELETE /Groups/g1?");
    assert_eq!(line(&steps[2]), "DELETE /Users/u1?");
}

#[test]
fn idp_actions_follow_the_selected_family_and_okta_stays_okta() {
    let actions = json!([
        {"action": "idp.disable_user", "with": {"id": "u1"}},
        {"action": "okta.deactivate_user", "with": {"id": "u1"}},
    ]);
    let steps = expand(actions, Some("entra"));
    assert_eq!(steps[0].origin.as_deref(), Some("entra: disable_user"));
    assert_eq!(steps[1].origin.as_deref(), Some("okta: deactivate_user"));
    // An entra.* action keeps Entra's shape when the run selects Okta.
    let steps = expand(
        json!([{"action": "entra.disable_user", "with": {"id": "u1"}}]),
        Some("okta-aiw"),
    );
    assert_eq!(steps[0].origin.as_deref(), Some("entra: disable_user"));
    let s = suite(
        json!([{"action": "entra.disable_usr", "with": {"id": "u1"}}]),
        None,
        None,
    );
    let err = expand_suite(&s, None).unwrap_err().to_string();
    assert!(err.contains("did you mean `disable_user`"), "{err}");
}

#[test]
fn idp_actions_with_okta_names_run_as_their_entra_counterparts() {
    let steps = expand(
        json!([
            {"action": "idp.push_new_user", "with": {"userName": "u@x"}},
            {"action": "idp.deactivate_user", "with": {"id": "u1"}},
            {"action": "idp.reactivate_user", "with": {"id": "u1"}},
        ]),
        Some("entra"),
    );
    let origins: Vec<&str> = steps.iter().filter_map(|s| s.origin.as_deref()).collect();
    assert_eq!(
        origins,
        [
            "entra: create_user",
            "entra: create_user",
            "entra: create_user",
            "entra: disable_user",
            "entra: enable_user",
        ]
    );
    assert_eq!(
        ops_of(&steps[3]),
        json!([{"op": "Replace", "path": "active", "value": "False"}])
    );
    // The same suite keeps Okta's shapes under an Okta profile.
    let okta = expand(
        json!([{"action": "idp.deactivate_user", "with": {"id": "u1"}}]),
        Some("okta"),
    );
    assert_eq!(okta[0].origin.as_deref(), Some("okta: deactivate_user"));
}
