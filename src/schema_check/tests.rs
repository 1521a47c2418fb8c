//! Schema tests: RFC examples pass, RFC violations fail with their path.

use serde_json::{Value, json};

use super::SchemaName;
use super::validate;

fn messages(name: SchemaName, body: &Value) -> Vec<String> {
    validate(name, body)
        .into_iter()
        .map(|f| f.message)
        .collect()
}

/// RFC 7643 §8.2 full user representation (trimmed of nothing but x509).
fn rfc_full_user() -> Value {
    json!({
      "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
      "id": "2819c223-7f76-453a-919d-413861904646",
      "externalId": "701984",
      "userName": "bjensen@example.com",
      "name": {
        "formatted": "Ms. Barbara J Jensen, III",
        "familyName": "Jensen",
        "givenName": "Barbara",
        "middleName": "Jane",
        "honorificPrefix": "Ms.",
        "honorificSuffix": "III"
      },
      "displayName": "Babs Jensen",
      "nickName": "Babs",
      "profileUrl": "https://login.example.com/bjensen",
      "emails": [
        {"value": "bjensen@example.com", "type": "work", "primary": true},
        {"value": "babs@jensen.org", "type": "home"}
      ],
      "addresses": [
        {"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood",
         "region": "CA", "postalCode": "91608", "country": "USA",
         "formatted": "100 Universal City Plaza\nHollywood, CA 91608 USA", "primary": true},
        {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood",
         "region": "CA", "postalCode": "91608", "country": "USA",
         "formatted": "456 Hollywood Blvd\nHollywood, CA 91608 USA"}
      ],
      "phoneNumbers": [
        {"value": "555-555-5555", "type": "work"},
        {"value": "555-555-4444", "type": "mobile"}
      ],
      "ims": [{"value": "someaimhandle", "type": "aim"}],
      "photos": [{"value": "https://photos.example.com/profilephoto/72930000000Ccne/F", "type": "photo"}],
      "userType": "Employee",
      "title": "Tour Guide",
      "preferredLanguage": "en-US",
      "locale": "en-US",
      "timezone": "America/Los_Angeles",
      "active": true,
      "groups": [
        {"value": "e9e30dba-f08f-4109-8486-d5c6a331660a",
         "$ref": "https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a",
         "display": "Tour Guides"}
      ],
      "meta": {
        "resourceType": "User",
        "created": "2010-01-23T04:56:22Z",
        "lastModified": "2011-05-13T04:42:34Z",
        "version": "W/\"a330bc54f0671c9\"",
        "location": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"
      }
    })
}

#[test]
fn rfc_examples_validate() {
    let mut enterprise = rfc_full_user();
    enterprise["schemas"] = json!([
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    ]);
    enterprise["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] = json!({
        "employeeNumber": "701984", "costCenter": "4130", "organization": "Universal Studios",
        "division": "Theme Park", "department": "Tour Operations",
        "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d",
                    "$ref": "../Users/26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"}
    });
    let cases: Vec<(SchemaName, Value)> = vec![
        (SchemaName::User, rfc_full_user()),
        (
            SchemaName::User,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "2819c223", "userName": "bjensen"}),
        ),
        (SchemaName::EnterpriseUser, enterprise),
        (
            SchemaName::Group,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "e9e30dba",
                   "displayName": "Tour Guides",
                   "members": [{"value": "2819c223", "$ref": "https://example.com/v2/Users/2819c223", "display": "Babs Jensen"}],
                   "meta": {"resourceType": "Group", "version": "W/\"3694e05e9dff592\""}}),
        ),
        (
            SchemaName::Group,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g", "displayName": "Empty"}),
        ),
        (
            SchemaName::ListResponse,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 2,
                   "itemsPerPage": 10, "startIndex": 1,
                   "Resources": [{"id": "2819c223", "title": "Assistant VP"}, {"id": "c8596b90", "title": "VP"}]}),
        ),
        (
            SchemaName::ListResponse,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0}),
        ),
        (
            SchemaName::Error,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "scimType": "mutability",
                   "detail": "Attribute 'id' is readOnly", "status": "400"}),
        ),
        (
            SchemaName::PatchOp,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
              {"op": "add", "path": "members", "value": [{"display": "Babs Jensen", "value": "2819c223"}]},
              {"op": "remove", "path": "members[value eq \"2819c223\"]"},
              {"op": "Replace", "value": {"active": false}}
            ]}),
        ),
        (
            SchemaName::ServiceProviderConfig,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                   "documentationUri": "http://example.com/help/scim.html",
                   "patch": {"supported": true},
                   "bulk": {"supported": true, "maxOperations": 1000, "maxPayloadSize": 1048576},
                   "filter": {"supported": true, "maxResults": 200},
                   "changePassword": {"supported": true}, "sort": {"supported": true},
                   "etag": {"supported": true},
                   "authenticationSchemes": [{"name": "OAuth Bearer Token",
                     "description": "Authentication scheme using the OAuth Bearer Token Standard",
                     "specUri": "http://www.rfc-editor.org/info/rfc6750",
                     "documentationUri": "http://example.com/help/oauth.html",
                     "type": "oauthbearertoken", "primary": true}],
                   "meta": {"location": "https://example.com/v2/ServiceProviderConfig", "resourceType": "ServiceProviderConfig"}}),
        ),
        (
            SchemaName::ResourceType,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "User",
                   "name": "User", "endpoint": "/Users", "description": "User Account",
                   "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
                   "schemaExtensions": [{"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "required": true}]}),
        ),
        (
            SchemaName::ResourceType,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 1,
                   "Resources": [{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
                     "name": "Group", "endpoint": "/Groups", "schema": "urn:ietf:params:scim:schemas:core:2.0:Group"}]}),
        ),
        (
            SchemaName::Schema,
            json!({"id": "urn:ietf:params:scim:schemas:core:2.0:Group", "name": "Group", "description": "Group",
            "attributes": [
              {"name": "displayName", "type": "string", "multiValued": false, "required": false,
               "caseExact": false, "mutability": "readWrite", "returned": "default", "uniqueness": "none"},
              {"name": "members", "type": "complex", "multiValued": true, "required": false,
               "subAttributes": [{"name": "value", "type": "string", "multiValued": false,
                 "mutability": "immutable", "returned": "default", "uniqueness": "none"},
                 {"name": "$ref", "type": "reference", "referenceTypes": ["User", "Group"], "multiValued": false}],
               "mutability": "readWrite", "returned": "default"}
            ]}),
        ),
    ];
    for (name, body) in cases {
        assert_eq!(messages(name, &body), Vec::<String>::new(), "{name:?}");
    }
}

#[test]
fn rfc_violations_fail_with_their_instance_path() {
    let core = "urn:ietf:params:scim:schemas:core:2.0:User";
    let cases: Vec<(SchemaName, Value, &str)> = vec![
        (
            SchemaName::Error,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": 404}),
            "Error schema: /status: 404 is not of type \"string\"",
        ),
        (
            SchemaName::Error,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "404", "scimType": "notFound"}),
            "Error schema: /scimType:",
        ),
        (
            SchemaName::ListResponse,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": "1", "Resources": []}),
            "ListResponse schema: /totalResults: \"1\" is not of type \"integer\"",
        ),
        (
            SchemaName::ListResponse,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 3}),
            "ListResponse schema: (root): \"Resources\" is a required property",
        ),
        (
            SchemaName::ListResponse,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 3,
                   "Resources": [{"id": "a"}]}),
            "ListResponse schema: (root): `startIndex` is required on a partial page (1 of 3 results) (rule RFC 7644 §3.4.2 pagination)",
        ),
        (
            SchemaName::ListResponse,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0,
                   "Resources": [{"id": "a"}]}),
            "ListResponse schema: (root): `Resources` has 1 entries but `totalResults` is 0",
        ),
        (
            SchemaName::User,
            json!({"schemas": [core], "userName": "x"}),
            "User schema: (root): \"id\" is a required property",
        ),
        (
            SchemaName::User,
            json!({"schemas": ["urn:example:User"], "id": "1", "userName": "x"}),
            "User schema: /schemas: `schemas` does not contain `urn:ietf:params:scim:schemas:core:2.0:User` (rule /properties/schemas/contains)",
        ),
        (
            SchemaName::User,
            json!({"schemas": [core], "id": "1", "userName": "x", "active": "true"}),
            "User schema: /active: \"true\" is not of type \"boolean\"",
        ),
        (
            SchemaName::User,
            json!({"schemas": [core], "id": "1", "userName": "x", "password": "hunter2"}),
            "User schema: /password: `password` is returned, but RFC 7643 §4.1.1 says it is never returned",
        ),
        (
            SchemaName::User,
            json!({"schemas": [core], "id": "1", "userName": "x",
                   "emails": [{"value": "a", "primary": true}, {"value": "b", "primary": true}]}),
            "User schema: /emails: more than one element has `primary: true` (at most one may)",
        ),
        (
            SchemaName::EnterpriseUser,
            json!({"schemas": [core], "id": "1", "userName": "x"}),
            "EnterpriseUser schema: (root): \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\" is a required property",
        ),
        (
            SchemaName::Group,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g", "displayName": "G",
                   "members": [{"display": "no value"}]}),
            "Group schema: /members/0: \"value\" is a required property",
        ),
        (
            SchemaName::PatchOp,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove"}]}),
            "PatchOp schema: /Operations/0: \"path\" is a required property",
        ),
        (
            SchemaName::PatchOp,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "merge", "value": 1}]}),
            "PatchOp schema: /Operations/0/op:",
        ),
        (
            SchemaName::ServiceProviderConfig,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                   "patch": {"supported": "yes"}, "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
                   "filter": {"supported": true, "maxResults": 10}, "changePassword": {"supported": false},
                   "sort": {"supported": false}, "etag": {"supported": false}, "authenticationSchemes": []}),
            "ServiceProviderConfig schema: /patch/supported: \"yes\" is not of type \"boolean\"",
        ),
        (
            SchemaName::ResourceType,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 1,
                   "Resources": [{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "name": "User", "schema": "x"}]}),
            "ResourceType schema: /Resources/0: \"endpoint\" is a required property",
        ),
        (
            SchemaName::Schema,
            json!({"id": "urn:x", "attributes": [{"name": "a", "type": "text", "multiValued": false}]}),
            "Schema schema: /attributes/0/type:",
        ),
    ];
    for (name, body, want) in cases {
        let got = messages(name, &body);
        assert!(
            got.iter().any(|m| m.starts_with(want)),
            "{name:?}: {got:#?}\n  has no message starting with\n{want}"
        );
    }
}

#[test]
fn failures_are_schema_kind_with_the_schema_name_as_subject() {
    let f = validate(SchemaName::Error, &json!({"status": 404}));
    assert!(!f.is_empty());
    assert!(f.iter().all(|f| f.subject == "Error"));
    assert!(f.iter().all(|f| f.message.contains("(rule /")));
}

#[test]
fn null_attributes_are_unassigned_in_resource_schemas() {
    // RFC 7643 §2.5: null is the same state as absent.
    let user = json!({"schemas": [crate::scim::USER_SCHEMA], "id": "1", "userName": "a",
                      "title": null, "name": {"givenName": null}});
    assert!(validate(SchemaName::User, &user).is_empty());
    let bad = json!({"schemas": [crate::scim::USER_SCHEMA], "id": "1", "userName": null});
    assert!(!validate(SchemaName::User, &bad).is_empty());
}
