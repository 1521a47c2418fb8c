//! Table tests of the PATCH engine: RFC 7644 §3.5.2 examples, Okta and Entra ID shapes.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::scim::message::PatchRequest;
use crate::scim::schema::ResourceSchema;

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "2819c223",
        "userName": "bjensen@example.com",
        "active": true,
        "name": {"familyName": "Jensen", "givenName": "Barbara"},
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood"}],
        "groups": [{"value": "g1"}],
        "meta": {"resourceType": "User"}
    })
}

fn group() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "abf4dd94",
        "displayName": "Tour Guides",
        "members": [{"value": "2819c223", "display": "Babs"}, {"value": "902c246b", "display": "Mandy"}]
    })
}

fn ops(ops: Value) -> PatchRequest {
    serde_json::from_value(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": ops
    }))
    .expect("valid PatchOp")
}

fn patch_user(o: Value) -> Result<Value, PatchError> {
    apply(&user(), &ops(o), ResourceSchema::user())
}

fn patch_group(o: Value) -> Result<Value, PatchError> {
    apply(&group(), &ops(o), ResourceSchema::group())
}

fn member_ids(g: &Value) -> Vec<&str> {
    g.get("members")
        .and_then(Value::as_array)
        .map(|m| m.iter().filter_map(|x| x.get("value")?.as_str()).collect())
        .unwrap_or_default()
}

// ---- RFC 7644 §3.5.2.1 add ----

#[test]
fn patch_rfc_add_members_appends() {
    let g = patch_group(json!([{"op": "add", "path": "members", "value": [
        {"display": "Babs Jensen", "$ref": "https://example.com/v2/Users/2819c223", "value": "2819c223"},
        {"value": "new1"}
    ]}]))
    .expect("ok");
    assert_eq!(
        member_ids(&g),
        ["2819c223", "902c246b", "new1"],
        "no duplicate of an equal value"
    );
}

#[test]
fn patch_rfc_pathless_add_emails_and_nickname() {
    let u = patch_user(json!([{"op": "add", "value": {
        "emails": [{"value": "babs@jensen.org", "type": "home"}, {"value": "b2@x.org", "type": "other"}],
        "nickname": "Babs"
    }}]))
    .expect("ok");
    assert_eq!(u["nickName"], json!("Babs"));
    assert_eq!(u["emails"].as_array().map(Vec::len), Some(3));
}

#[test]
fn patch_add_primary_email_clears_other_primary() {
    let u = patch_user(json!([{"op": "add", "path": "emails",
        "value": [{"value": "new@x.org", "type": "other", "primary": true}]}]))
    .expect("ok");
    assert_eq!(u["emails"][0]["primary"], json!(false));
    assert_eq!(u["emails"][2]["primary"], json!(true));
}

// ---- RFC 7644 §3.5.2.2 remove ----

#[test]
fn patch_remove_member_by_value_filter() {
    let g = patch_group(json!([{"op": "remove", "path": "members[value eq \"2819c223\"]"}]))
        .expect("ok");
    assert_eq!(member_ids(&g), ["902c246b"]);
}

#[test]
fn patch_remove_all_members() {
    let g = patch_group(json!([{"op": "remove", "path": "members"}])).expect("ok");
    assert!(g.get("members").is_none());
}

#[test]
fn patch_rfc_remove_then_add_replaces_members() {
    let g = patch_group(json!([
        {"op": "remove", "path": "members"},
        {"op": "add", "path": "members", "value": [{"value": "a"}, {"value": "b"}]}
    ]))
    .expect("ok");
    assert_eq!(member_ids(&g), ["a", "b"]);
}

#[test]
fn patch_rfc_remove_emails_with_complex_filter() {
    let u = patch_user(json!([{"op": "remove",
        "path": "emails[type eq \"work\" and value ew \"example.com\"]"}]))
    .expect("ok");
    assert_eq!(
        u["emails"],
        json!([{"value": "babs@jensen.org", "type": "home"}])
    );
}

#[test]
fn patch_remove_single_and_sub_attributes() {
    let u = patch_user(json!([
        {"op": "remove", "path": "name.givenName"},
        {"op": "remove", "path": "emails[type eq \"work\"].primary"},
        {"op": "remove", "path": "addresses"}
    ]))
    .expect("ok");
    assert_eq!(u["name"], json!({"familyName": "Jensen"}));
    assert!(u["emails"][0].get("primary").is_none());
    assert!(u.get("addresses").is_none());
}

#[test]
fn patch_remove_without_path_is_no_target() {
    let e = patch_user(json!([{"op": "remove"}])).expect_err("fails");
    assert_eq!(e.scim_type(), "noTarget");
}

#[test]
fn patch_remove_required_attribute_is_invalid_value() {
    let e = patch_user(json!([{"op": "remove", "path": "userName"}])).expect_err("fails");
    assert_eq!(e.scim_type(), "invalidValue");
}

// ---- RFC 7644 §3.5.2.3 replace ----

#[test]
fn patch_rfc_replace_members() {
    let g = patch_group(json!([{"op": "replace", "path": "members", "value": [
        {"display": "Babs Jensen", "$ref": "https://example.com/v2/Users/2819c223", "value": "2819c223"},
        {"display": "James Smith", "value": "08e1d05d"}
    ]}]))
    .expect("ok");
    assert_eq!(member_ids(&g), ["2819c223", "08e1d05d"]);
}

#[test]
fn patch_rfc_replace_filtered_address() {
    let u = patch_user(
        json!([{"op": "replace", "path": "addresses[type eq \"work\"]", "value": {
            "type": "work", "streetAddress": "911 Universal City Plaza", "locality": "Hollywood",
            "region": "CA", "postalCode": "91608", "country": "US", "primary": true
        }}]),
    )
    .expect("ok");
    assert_eq!(
        u["addresses"][0]["streetAddress"],
        json!("911 Universal City Plaza")
    );
    assert_eq!(u["addresses"][0]["postalCode"], json!("91608"));
}

#[test]
fn patch_rfc_replace_filtered_sub_attribute() {
    let u = patch_user(json!([{"op": "replace",
        "path": "addresses[type eq \"work\"].streetAddress", "value": "1010 Broadway Ave"}]))
    .expect("ok");
    assert_eq!(
        u["addresses"][0]["streetAddress"],
        json!("1010 Broadway Ave")
    );
    assert_eq!(u["addresses"][0]["locality"], json!("Hollywood"));
}

#[test]
fn patch_rfc_pathless_replace_replaces_multi_valued_and_merges_complex() {
    let u = patch_user(json!([{"op": "replace", "value": {
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
        "nickname": "Babs",
        "name": {"givenName": "Babs"}
    }}]))
    .expect("ok");
    assert_eq!(u["emails"].as_array().map(Vec::len), Some(1));
    assert_eq!(u["nickName"], json!("Babs"));
    assert_eq!(
        u["name"],
        json!({"familyName": "Jensen", "givenName": "Babs"})
    );
}

#[test]
fn patch_replace_filter_matching_nothing_is_no_target() {
    let e = patch_user(
        json!([{"op": "replace", "path": "addresses[type eq \"home\"]",
        "value": {"type": "home"}}]),
    )
    .expect_err("fails");
    assert_eq!(e.scim_type(), "noTarget");
}

#[test]
fn patch_remove_filter_matching_nothing_is_a_no_op() {
    let g = patch_group(json!([{"op": "remove", "path": "members[value eq \"removeUser2\"]"}]))
        .expect("ok");
    assert_eq!(g, group());
}

// ---- Okta (okta-wire.md §2.6–2.9) ----

#[test]
fn patch_okta_deactivate_and_reactivate_pathless() {
    let u = patch_user(json!([{"op": "replace", "value": {"active": false}}])).expect("ok");
    assert_eq!(u["active"], json!(false));
    let u = apply(
        &u,
        &ops(json!([{"op": "replace", "value": {"active": true}}])),
        ResourceSchema::user(),
    )
    .expect("ok");
    assert_eq!(u["active"], json!(true));
}

#[test]
fn patch_okta_group_rename_with_own_id_in_value() {
    let g = patch_group(
        json!([{"op": "replace", "value": {"id": "abf4dd94", "displayName": "Test SCIMv2"}}]),
    )
    .expect("ok");
    assert_eq!(g["displayName"], json!("Test SCIMv2"));
    assert_eq!(g["id"], json!("abf4dd94"));
    let e = patch_group(json!([{"op": "replace", "value": {"id": "other", "displayName": "x"}}]))
        .expect_err("different id");
    assert_eq!(e.scim_type(), "mutability");
}

#[test]
fn patch_okta_membership_delta() {
    let g = patch_group(json!([
        {"op": "remove", "path": "members[value eq \"2819c223\"]"},
        {"op": "remove", "path": "members[value eq \"removeUser2\"]"},
        {"op": "add", "path": "members", "value": [{"value": "23a35c27", "display": "test.user@okta.local"}]}
    ]))
    .expect("ok");
    assert_eq!(member_ids(&g), ["902c246b", "23a35c27"]);
}

#[test]
fn patch_okta_push_now_replaces_members() {
    let g = patch_group(json!([{"op": "replace", "path": "members",
        "value": [{"value": "u9", "display": "u9@x"}]}]))
    .expect("ok");
    assert_eq!(member_ids(&g), ["u9"]);
}

// ---- Entra ID (okta-wire.md §6.1–6.2) ----

#[test]
fn patch_entra_default_flavour_updates() {
    let u = patch_user(json!([
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "new@example.com"},
        {"op": "Replace", "path": "name.familyName", "value": "Doe"},
        {"op": "Replace", "path": "userName", "value": "jdoe@example.com"},
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "Add", "path": "nickName", "value": "Babs"},
        {"op": "Replace", "path": format!("{ENT}:employeeNumber"), "value": "42"}
    ]))
    .expect("ok");
    assert_eq!(u["emails"][0]["value"], json!("new@example.com"));
    assert_eq!(u["name"]["familyName"], json!("Doe"));
    assert_eq!(u["userName"], json!("jdoe@example.com"));
    assert_eq!(u["active"], json!(false));
    assert_eq!(u["nickName"], json!("Babs"));
    assert_eq!(u[ENT]["employeeNumber"], json!("42"));
    let schemas = u["schemas"].as_array().expect("schemas");
    assert!(
        schemas.contains(&json!(ENT)),
        "extension URN listed in schemas"
    );
}

#[test]
fn patch_entra_creates_missing_work_email_from_filter() {
    let u = json!({"id": "1", "userName": "a"});
    let u = apply(
        &u,
        &ops(
            json!([{"op": "Replace", "path": "emails[type eq \"work\"].value",
        "value": "w@example.com"}]),
        ),
        ResourceSchema::user(),
    )
    .expect("ok");
    assert_eq!(
        u["emails"],
        json!([{"type": "work", "value": "w@example.com"}])
    );
}

#[test]
fn patch_entra_2020_pathless_flattened_keys() {
    let u = patch_user(json!([
        {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "n@example.com"},
        {"op": "replace", "value": {
            "displayName": "Babs J",
            "name.givenName": "Babs",
            "name.familyName": "J",
            "externalId": "ext-1",
            format!("{ENT}:employeeNumber"): "7"
        }}
    ]))
    .expect("ok");
    assert_eq!(u["displayName"], json!("Babs J"));
    assert_eq!(u["name"], json!({"givenName": "Babs", "familyName": "J"}));
    assert_eq!(u["externalId"], json!("ext-1"));
    assert_eq!(u[ENT]["employeeNumber"], json!("7"));
}

#[test]
fn patch_entra_group_member_add_and_remove_with_value() {
    let g = patch_group(json!([
        {"op": "Add", "path": "members", "value": [{"$ref": null, "value": "u5"}]},
        {"op": "Remove", "path": "members", "value": [{"$ref": null, "value": "2819c223"}]},
        {"op": "Replace", "path": "displayName", "value": "Renamed"}
    ]))
    .expect("ok");
    assert_eq!(member_ids(&g), ["902c246b", "u5"]);
    assert_eq!(g["members"][1], json!({"value": "u5"}), "null $ref dropped");
    assert_eq!(g["displayName"], json!("Renamed"));
    let g = patch_group(json!([{"op": "remove", "path": "members[value eq \"902c246b\"]"}]))
        .expect("ok");
    assert_eq!(member_ids(&g), ["2819c223"]);
}

#[test]
fn patch_entra_manager_plain_string_becomes_complex() {
    let u =
        patch_user(json!([{"op": "add", "path": format!("{ENT}:manager"), "value": "2c2f6fb8"}]))
            .expect("ok");
    assert_eq!(u[ENT]["manager"], json!({"value": "2c2f6fb8"}));
}

#[test]
fn patch_extension_object_under_urn_key() {
    let u = patch_user(
        json!([{"op": "add", "value": {ENT: {"department": "Ops", "costCenter": "4"}}}]),
    )
    .expect("ok");
    assert_eq!(u[ENT], json!({"department": "Ops", "costCenter": "4"}));
}

// ---- errors and atomicity ----

#[test]
fn patch_errors_have_rfc_scim_types() {
    let cases = [
        (
            json!([{"op": "replace", "path": "id", "value": "x"}]),
            "mutability",
        ),
        (
            json!([{"op": "add", "path": "groups", "value": [{"value": "g2"}]}]),
            "mutability",
        ),
        (
            json!([{"op": "replace", "path": "meta.resourceType", "value": "Group"}]),
            "mutability",
        ),
        (
            json!([{"op": "add", "value": {"urn:scimulator:params:scim:schemas:extension:product:2.0:User": {"role": "admin"}}}]),
            "mutability",
        ),
        (
            json!([{"op": "replace", "path": "urn:scimulator:params:scim:schemas:extension:product:2.0:User:role", "value": "admin"}]),
            "mutability",
        ),
        (
            json!([{"op": "replace", "path": "favouriteColour", "value": "x"}]),
            "invalidPath",
        ),
        (
            json!([{"op": "replace", "value": {"emails[type eq \"work\"].value": "x"}}]),
            "invalidValue",
        ),
        (
            json!([{"op": "replace", "path": "name.nope", "value": "x"}]),
            "invalidPath",
        ),
        (
            json!([{"op": "replace", "path": "userName[value eq \"x\"]", "value": {}}]),
            "invalidPath",
        ),
        (
            json!([{"op": "replace", "path": "emails[type eq ]", "value": "x"}]),
            "invalidFilter",
        ),
        (
            json!([{"op": "move", "path": "userName", "value": "x"}]),
            "invalidSyntax",
        ),
        (
            json!([{"op": "replace", "path": "active", "value": "maybe"}]),
            "invalidValue",
        ),
        (
            json!([{"op": "replace", "path": "userName", "value": 5}]),
            "invalidValue",
        ),
        (
            json!([{"op": "add", "path": "emails", "value": ["x"]}]),
            "invalidValue",
        ),
        (json!([{"op": "replace", "value": "x"}]), "invalidValue"),
        (
            json!([{"op": "replace", "path": "userName"}]),
            "invalidValue",
        ),
    ];
    for (o, want) in cases {
        let e = patch_user(o.clone()).expect_err(&o.to_string());
        assert_eq!(e.scim_type(), want, "{o}: {e}");
    }
}

/// Keys of a path-less value (or of an extension object) that no declared
/// schema defines are ignored, as POST and PUT ignore them; a `path` the
/// client wrote that names no declared attribute is `invalidPath`.
#[test]
fn undeclared_keys_in_values_are_ignored_and_undeclared_paths_refused() {
    let ignored = [
        json!([{"op": "replace", "value": {"favouriteColour": "x"}}]),
        json!([{"op": "add", "value": {"fooTop": "bar", "name.nick": "x"}}]),
        json!([{"op": "add", "value": {ENT: {"schemas": [ENT]}}}]),
        json!([{"op": "replace", "value": {"urn:example:unknown:2.0:User:x": 1}}]),
        json!([{"op": "add", "path": ENT, "value": {"schemas": [ENT], "vendorKey": 1}}]),
    ];
    for o in ignored {
        assert_eq!(patch_user(o.clone()).as_ref(), Ok(&user()), "{o}");
    }
    let applied = patch_user(json!([{"op": "add", "value": {
        "fooTop": "bar", "title": "Eng", ENT: {"schemas": [ENT], "department": "Ops"}}}]))
    .expect("applies");
    assert_eq!(applied["title"], json!("Eng"));
    assert_eq!(applied[ENT], json!({"department": "Ops"}));
    assert!(applied.get("fooTop").is_none());
    for (o, named) in [
        (
            json!([{"op": "add", "path": "fooTop", "value": "bar"}]),
            "fooTop",
        ),
        (
            json!([{"op": "add", "path": format!("{ENT}:schemas"), "value": [ENT]}]),
            "schemas",
        ),
    ] {
        let e = patch_user(o.clone()).expect_err(&o.to_string());
        assert_eq!(e.scim_type(), "invalidPath", "{o}");
        assert!(e.detail.contains(named), "{o}: {e}");
    }
}

#[test]
fn patch_is_atomic_when_a_later_operation_fails() {
    let before = user();
    let r = apply(
        &before,
        &ops(json!([
            {"op": "replace", "path": "userName", "value": "changed"},
            {"op": "replace", "path": "id", "value": "x"}
        ])),
        ResourceSchema::user(),
    );
    assert!(r.is_err());
    assert_eq!(before, user());
}

#[test]
fn patch_remove_whole_extension_drops_its_schema_urn() {
    let u = patch_user(json!([{"op": "add", "path": format!("{ENT}:department"), "value": "Ops"}]))
        .expect("ok");
    assert!(
        u["schemas"]
            .as_array()
            .is_some_and(|s| s.contains(&json!(ENT)))
    );
    let u = apply(
        &u,
        &ops(json!([{"op": "remove", "path": ENT}])),
        ResourceSchema::user(),
    )
    .expect("ok");
    assert!(u.get(ENT).is_none());
    assert_eq!(
        u["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User"])
    );
}

#[test]
fn patch_filter_error_position_is_within_the_whole_path() {
    let e = parse_path("emails[type xx \"work\"]").expect_err("bad op");
    assert_eq!(e.scim_type(), "invalidFilter");
    assert!(e.detail.contains("byte 12"), "{}", e.detail);
}

#[test]
fn patch_parse_path_shapes() {
    let p = parse_path("emails[type eq \"work\"].value").expect("parses");
    assert_eq!(p.attr.attr, "emails");
    assert_eq!(p.sub_after_filter.as_deref(), Some("value"));
    assert!(p.filter.is_some());
    let p = parse_path(&format!("{ENT}:manager.value")).expect("parses");
    assert_eq!(p.attr.urn.as_deref(), Some(ENT));
    assert_eq!(p.attr.sub.as_deref(), Some("value"));
    for bad in [
        "",
        "emails[",
        "emails[type eq \"x\"]x",
        "name.a.b",
        "emails[type eq \"x\"].a.b",
    ] {
        assert!(parse_path(bad).is_err(), "{bad}");
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-zA-Z0-9 ]{0,8}".prop_map(Value::String),
        Just(json!("True")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("value".to_owned()),
                    Just("type".to_owned()),
                    Just("active".to_owned()),
                    Just("name.givenName".to_owned()),
                    Just("emails".to_owned()),
                    Just("id".to_owned()),
                    Just(ENT.to_owned()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_path() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("members".to_owned())),
        Just(Some("emails[type eq \"work\"].value".to_owned())),
        Just(Some("emails[type eq \"work\"]".to_owned())),
        Just(Some("name.familyName".to_owned())),
        Just(Some("active".to_owned())),
        Just(Some(format!("{ENT}:manager"))),
        Just(Some(ENT.to_owned())),
        Just(Some("members[value eq \"2819c223\"]".to_owned())),
        "[a-zA-Z\\.\\[\\]\" :]{0,30}".prop_map(Some),
    ]
}

proptest! {
    #[test]
    fn patch_arbitrary_bodies_never_panic(
        operations in prop::collection::vec(
            (prop_oneof![Just("add"), Just("Replace"), Just("remove"), Just("x")], arb_path(), prop::option::of(arb_json())),
            0..5
        )
    ) {
        let ops_json: Vec<Value> = operations.into_iter().map(|(op, path, value)| {
            let mut o = serde_json::Map::new();
            o.insert("op".into(), json!(op));
            if let Some(p) = path { o.insert("path".into(), json!(p)); }
            if let Some(v) = value { o.insert("value".into(), v); }
            Value::Object(o)
        }).collect();
        let req = ops(Value::Array(ops_json));
        let _ = apply(&user(), &req, ResourceSchema::user());
        let _ = apply(&group(), &req, ResourceSchema::group());
    }
}
