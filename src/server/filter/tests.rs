//! Table tests of the filter parser and evaluator (RFC 7644 §3.4.2.2 examples).

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::scim::schema::ResourceSchema;

fn bjensen() -> Value {
    json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "701984",
        "userName": "bjensen@example.com",
        "name": {"familyName": "O'Malley", "givenName": "Barbara"},
        "title": "Tour Guide",
        "userType": "Employee",
        "active": true,
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "ims": [{"value": "someaimhandle", "type": "aim"}],
        "meta": {"lastModified": "2011-05-13T04:42:34Z", "created": "2010-01-23T04:56:22Z"},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "701984",
            "department": "Tour Operations",
            "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}
        }
    })
}

fn jsmith() -> Value {
    json!({
        "id": "c3a26dd3", "userName": "jsmith", "userType": "Intern",
        "emails": [{"value": "js@example.org", "type": "work"}],
        "ims": [{"value": "js@foo.com", "type": "xmpp"}],
        "meta": {"lastModified": "2011-05-13T04:42:35+00:00"}
    })
}

fn eval(filter: &str, resource: &Value) -> bool {
    parse(filter)
        .unwrap_or_else(|e| panic!("{filter}: {e}"))
        .matches(resource, ResourceSchema::user())
}

/// (filter, matches bjensen, matches jsmith)
const RFC_EXAMPLES: &[(&str, bool, bool)] = &[
    (r#"userName eq "bjensen@example.com""#, true, false),
    (r#"name.familyName co "O'Malley""#, true, false),
    (r#"userName sw "J""#, false, true),
    (
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
        false,
        true,
    ),
    ("title pr", true, false),
    (
        r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
        false,
        true,
    ),
    (r#"meta.lastModified ge "2011-05-13T04:42:34Z""#, true, true),
    (
        r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
        false,
        false,
    ),
    (
        r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
        true,
        false,
    ),
    (r#"title pr and userType eq "Employee""#, true, false),
    (r#"title pr or userType eq "Intern""#, true, true),
    (
        r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
        true,
        false,
    ),
    (
        r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
        true,
        false,
    ),
    (
        r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
        false,
        false,
    ),
    (
        r#"userType eq "Employee" and (emails.type eq "work")"#,
        true,
        false,
    ),
    (
        r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
        true,
        false,
    ),
    (
        r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
        true,
        true,
    ),
];

#[test]
fn filter_rfc_examples_parse_and_evaluate() {
    for (f, b, j) in RFC_EXAMPLES {
        assert_eq!(eval(f, &bjensen()), *b, "bjensen: {f}");
        assert_eq!(eval(f, &jsmith()), *j, "jsmith: {f}");
    }
}

#[test]
fn filter_keywords_and_names_are_case_insensitive() {
    assert!(eval(r#"USERNAME EQ "BJENSEN@example.com""#, &bjensen()));
    assert!(eval(
        r#"Title PR AND NOT (userType Eq "Intern")"#,
        &bjensen()
    ));
    assert!(eval(
        r#"EMAILS[TYPE eq "WORK"] Or userName eq "x""#,
        &bjensen()
    ));
}

#[test]
fn filter_case_exact_attributes_compare_exactly() {
    assert!(eval(
        r#"id eq "2819c223-7f76-453a-919d-413861904646""#,
        &bjensen()
    ));
    assert!(!eval(
        r#"id eq "2819C223-7F76-453A-919D-413861904646""#,
        &bjensen()
    ));
    let r = json!({"externalId": "abc"});
    assert!(eval(r#"externalId eq "abc""#, &r));
    assert!(!eval(r#"externalId eq "ABC""#, &r));
}

#[test]
fn filter_urn_qualified_extension_attributes() {
    let r = bjensen();
    assert!(eval(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#,
        &r
    ));
    assert!(eval(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d""#,
        &r
    ));
    // A complex attribute without sub-attribute compares its `value`.
    assert!(eval(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "26118915-6090-4610-87e4-49d8ca9f808d""#,
        &r
    ));
}

#[test]
fn filter_typed_comparisons() {
    let r = bjensen();
    assert!(eval("active eq true", &r));
    assert!(!eval("active eq false", &r));
    assert!(
        !eval("active gt false", &r),
        "ordering on booleans never matches"
    );
    assert!(eval("emails[primary eq true]", &r));
    assert!(eval("nickName eq null", &r));
    assert!(!eval("userName eq null", &r));
    assert!(eval("userName ne null", &r));
    assert!(
        eval(r#"nickName ne "x""#, &r),
        "ne matches an absent attribute"
    );
    let n = json!({"userName": "a", "x": 5, "d": 2.5});
    assert!(eval("x gt 4", &n));
    assert!(eval("x le 5", &n));
    assert!(!eval("x lt 5", &n));
    assert!(eval("d gt 2.25", &n));
    assert!(!eval(r#"x eq "5""#, &n), "a string never equals a number");
}

#[test]
fn filter_present_means_non_empty() {
    let r = json!({"userName": "a", "title": "", "emails": [], "nickName": null, "name": {}});
    for f in [
        "title pr",
        "emails pr",
        "nickName pr",
        "name pr",
        "name.givenName pr",
    ] {
        assert!(!eval(f, &r), "{f}");
    }
    assert!(eval("userName pr", &r));
}

#[test]
fn filter_precedence_not_and_or() {
    let r = json!({"userName": "a", "title": "t"});
    // `a or b and c` is `a or (b and c)`.
    assert!(eval(
        r#"userName eq "a" or title eq "x" and title eq "y""#,
        &r
    ));
    assert!(!eval(
        r#"(userName eq "a" or title eq "x") and title eq "y""#,
        &r
    ));
    assert!(eval(r#"not (title eq "x") and userName eq "a""#, &r));
}

#[test]
fn filter_string_literals_use_json_escapes() {
    let r = json!({"userName": "a\"b\\c\u{e9}"});
    assert!(eval(r#"userName eq "a\"b\\c\u00e9""#, &r));
    let f = parse(r#"displayName eq "Test SCIMv2""#).expect("parses");
    assert_eq!(
        f,
        Filter::Compare(
            AttrPath::new("displayName"),
            CompareOp::Eq,
            CompValue::Str("Test SCIMv2".into())
        )
    );
}

#[test]
fn filter_parse_errors_carry_positions() {
    let cases: &[(&str, usize)] = &[
        ("", 0),
        ("userName", 8),
        (r#"userName eq"#, 11),
        (r#"userName xx "a""#, 9),
        (r#"userName eq bjensen"#, 12),
        (r#"userName eq "a" and"#, 19),
        (r#"userName eq "a"#, 12),
        (r#"(userName eq "a""#, 16),
        (r#"emails[type eq "work""#, 21),
        (r#"userName eq "a" userName eq "b""#, 16),
        (r#"emails[value[type eq "x"] pr]"#, 12),
        ("1abc eq \"x\"", 0),
        ("userName eq \"a\" & x", 16),
    ];
    for (input, pos) in cases {
        let err = parse(input).expect_err(input);
        assert_eq!(err.position, *pos, "{input}: {err}");
        assert_eq!(err.scim_type(), "invalidFilter");
    }
}

#[test]
fn filter_rejects_too_long_and_too_deep_input() {
    let long = format!("userName eq \"{}\"", "a".repeat(MAX_LENGTH));
    assert!(parse(&long).is_err());
    let deep = format!(
        "{}userName pr{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert!(
        parse(&deep)
            .expect_err("too deep")
            .message
            .contains("nested")
    );
    let ok = format!(
        "{}userName pr{}",
        "(".repeat(MAX_DEPTH),
        ")".repeat(MAX_DEPTH)
    );
    assert!(parse(&ok).is_ok());
    let nots = format!("{}userName pr{}", "not (".repeat(1000), ")".repeat(1000));
    assert!(parse(&nots).is_err());
}

#[test]
fn filter_long_or_chains_parse_without_deep_recursion() {
    let chain = (0..150)
        .map(|i| format!("id eq \"{i}\""))
        .collect::<Vec<_>>()
        .join(" or ");
    let f = parse(&chain).expect("parses");
    assert!(f.matches(&json!({"id": "149"}), ResourceSchema::user()));
}

#[test]
fn filter_equality_lookup_for_index_planning() {
    let f = parse(r#"userName eq "bjensen""#).expect("parses");
    let l = f.equality_lookups().expect("lookup");
    assert_eq!(l.path, &AttrPath::new("userName"));
    assert_eq!(l.value, "bjensen");
    let f = parse(r#"active eq true and externalId eq "x""#).expect("parses");
    assert_eq!(f.equality_lookups().map(|l| l.value), Some("x"));
    for none in [
        r#"userName eq "a" or userName eq "b""#,
        r#"not (userName eq "a")"#,
        r#"emails[value eq "a"]"#,
        r#"userName co "a""#,
    ] {
        assert!(
            parse(none).expect("parses").equality_lookups().is_none(),
            "{none}"
        );
    }
}

#[test]
fn filter_group_members_and_display_name() {
    let g = json!({"id": "g", "displayName": "Test SCIMv2", "members": [{"value": "u1"}, {"value": "u2"}]});
    let s = ResourceSchema::group();
    assert!(
        parse(r#"displayName eq "test scimv2""#)
            .expect("p")
            .matches(&g, s)
    );
    assert!(
        parse(r#"members[value eq "u2"]"#)
            .expect("p")
            .matches(&g, s)
    );
    assert!(parse(r#"members eq "u1""#).expect("p").matches(&g, s));
    assert!(!parse(r#"members.value eq "u3""#).expect("p").matches(&g, s));
}

#[test]
fn filter_check_against_rejects_ordering_on_booleans() {
    let s = ResourceSchema::user();
    for bad in [
        "active gt true",
        "emails[primary lt false]",
        "emails.primary ge true",
    ] {
        let e = parse(bad).expect("parses").check_against(s).expect_err(bad);
        assert_eq!(e.scim_type(), "invalidFilter");
    }
    for ok in [
        "active eq true",
        r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
        r#"emails[type eq "work"]"#,
        "unknownAttr gt 3",
    ] {
        assert!(parse(ok).expect("parses").check_against(s).is_ok(), "{ok}");
    }
}

#[test]
fn filter_longest_flat_chain_evaluates_and_drops() {
    let mut s = String::from("title pr");
    while s.len() + 12 < MAX_LENGTH {
        s.push_str(" or title pr");
    }
    let f = parse(&s).expect("parses");
    assert!(f.matches(&bjensen(), ResourceSchema::user()));
    assert!(!f.matches(&jsmith(), ResourceSchema::user()));
    let mut s = String::from("title pr");
    while s.len() + 13 < MAX_LENGTH {
        s.push_str(" and title pr");
    }
    let f = parse(&s).expect("parses");
    assert!(f.matches(&bjensen(), ResourceSchema::user()));
}

proptest! {
    #[test]
    fn filter_parse_never_panics_on_arbitrary_strings(s in "\\PC{0,200}") {
        let _ = parse(&s);
    }

    #[test]
    fn filter_parse_never_panics_on_filter_like_strings(
        s in "[a-zA-Z\\. :\\[\\]()\"\\\\0-9$-]{0,120}"
    ) {
        if let Ok(f) = parse(&s) {
            let _ = f.matches(&bjensen(), ResourceSchema::user());
        }
    }

    #[test]
    fn filter_deep_nesting_errors_cleanly(depth in 33usize..3000, kind in 0usize..3) {
        let open = ["(", "not (", "emails["][kind];
        let close = [")", ")", "]"][kind];
        let s = format!("{}userName pr{}", open.repeat(depth), close.repeat(depth));
        prop_assert!(parse(&s).is_err());
    }
}
