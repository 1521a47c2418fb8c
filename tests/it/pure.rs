//! The pure layer through its public API, as the server uses it: normalise
//! and validate a create body, PATCH it, look it up by filter, project it.

use scimulator::scim::message::PatchRequest;
use scimulator::scim::schema::{
    ResourceSchema, check_mutability, normalize_booleans, project, validate,
};
use scimulator::server::filter;
use scimulator::server::patch;
use serde_json::json;

#[test]
fn entra_user_lifecycle_through_the_pure_layer() {
    let schema = ResourceSchema::user();
    let mut created = json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ],
        "id": "u1",
        "externalId": "jdoe",
        "userName": "JDoe@example.com",
        "active": "True",
        "password": "secret",
        "emails": [{"primary": "true", "type": "work", "value": "jdoe@example.com"}],
        "name": {"givenName": "Jane", "familyName": "Doe"}
    });
    normalize_booleans(&mut created, schema);
    validate(&created, schema).expect("valid after normalisation");

    let f = filter::parse(r#"userName eq "jdoe@example.com""#).expect("parses");
    assert!(f.matches(&created, schema), "userName is caseExact=false");
    let lookup = f.equality_lookups().expect("index lookup");
    assert_eq!(lookup.value, "jdoe@example.com");
    assert!(!schema.case_exact(&lookup.path.to_string()));

    let req: PatchRequest = serde_json::from_value(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "jane@example.com"}
        ]
    }))
    .expect("PatchOp");
    let patched = patch::apply(&created, &req, schema).expect("applies");
    validate(&patched, schema).expect("still valid");
    check_mutability(&created, &patched, schema).expect("no immutable change");
    let inactive =
        filter::parse(r#"active eq false and emails[value ew "@example.com"]"#).expect("parses");
    assert!(inactive.matches(&patched, schema));

    let shown = project(patched, schema, &[], &["emails".to_owned()]);
    assert_eq!(shown.get("active"), Some(&json!(false)));
    assert!(
        shown.get("password").is_none(),
        "password is returned never"
    );
    assert!(shown.get("emails").is_none());
    assert_eq!(shown.get("id"), Some(&json!("u1")));
}

#[test]
fn bad_filter_and_bad_patch_map_to_scim_types() {
    let err = filter::parse(r#"userName eq "unterminated"#).expect_err("fails");
    assert_eq!(err.scim_type(), "invalidFilter");
    let req: PatchRequest = serde_json::from_value(json!({
        "Operations": [{"op": "remove"}]
    }))
    .expect("PatchOp");
    let err = patch::apply(&json!({"id": "g"}), &req, ResourceSchema::group()).expect_err("fails");
    assert_eq!(err.scim_type(), "noTarget");
}
