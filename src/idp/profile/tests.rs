use super::*;
use crate::suite::model::Profile;

#[test]
fn every_bundled_profile_loads_and_every_data_profile_has_a_file() {
    let all = bundled().expect("bundled profiles load");
    for p in Profile::ALL.into_iter().filter(|p| p.is_data()) {
        let spec = all
            .iter()
            .find(|s| s.name == p.name())
            .unwrap_or_else(|| panic!("no profiles/{}.yaml", p.name()));
        assert!(!spec.imitates.is_empty(), "{}", spec.name);
        assert!(!spec.sources.is_empty(), "{} names its sources", spec.name);
    }
    assert_eq!(
        all.len(),
        Profile::ALL.iter().filter(|p| p.is_data()).count()
    );
}

#[test]
fn code_profiles_are_described_in_the_same_vocabulary() {
    let entra = describe(Profile::Entra).expect("entra");
    assert_eq!(entra.booleans, Booleans::Capitalised);
    assert_eq!(entra.op_case, OpCase::Capitalised);
    let aiw = describe(Profile::OktaAiw).expect("aiw");
    assert_eq!(aiw.users.deactivate, Deactivate::Put);
    assert_eq!(
        describe(Profile::OneLogin).expect("onelogin").name,
        "onelogin"
    );
}

#[test]
fn a_malformed_profile_gets_a_located_error() {
    let text = "name: mine\nimitates: an in-house connector\nusers:\n  update: pacth\n";
    let err = load_str("my.yaml", text).expect_err("`pacth` is not an update style");
    let shown = err.to_string();
    assert!(shown.starts_with("my.yaml:4:"), "{shown}");
    assert!(shown.contains("users.update"), "{shown}");
    let err = load_str(
        "my.yaml",
        "name: x\nimitates: y\npaging: { page_size: 0 }\n",
    )
    .expect_err("a page of 0");
    assert!(err.to_string().starts_with("my.yaml:3:"), "{err}");
    let err = load_str("my.yaml", "name: x\nimitates: y\nheadrs: {}\n").expect_err("typo");
    assert!(err.to_string().contains("did you mean `headers`"), "{err}");
}

fn expand_one(
    profile: &str,
    action: &str,
    with: serde_json::Value,
) -> Vec<crate::suite::model::RequestStep> {
    let spec = bundled_profile(profile).expect("bundled");
    let action = crate::suite::model::ActionStep {
        name: None,
        action: crate::suite::model::ActionName::parse(&format!("idp.{action}"))
            .expect("an action name"),
        with: serde_json::from_value(with).expect("map"),
        expect: crate::suite::model::Expect::default(),
        capture: indexmap::IndexMap::new(),
    };
    let args = crate::idp::request::Args {
        suite: "s.yaml",
        case: "c",
        action: &action,
    };
    expand(spec, &action.action.verb, &args)
        .expect("expands")
        .expect("known action")
}

#[test]
fn each_profile_sends_its_own_habits() {
    // OneLogin: GET + full PUT, `+` lookups, empty User-Agent, 404 probe.
    let update = expand_one(
        "onelogin",
        "update_user",
        serde_json::json!({"id": "1", "familyName": "X"}),
    );
    assert_eq!(
        update
            .iter()
            .map(|s| s.request.method.name())
            .collect::<Vec<_>>(),
        ["GET", "PUT"]
    );
    assert_eq!(
        update[0]
            .request
            .headers
            .get("User-Agent")
            .map(String::as_str),
        Some("")
    );
    let probe = expand_one("onelogin", "test_connection", serde_json::json!({}));
    assert_eq!(
        probe[0].request.encoding,
        crate::suite::model::QueryEncoding::Plus
    );
    assert!(format!("{:?}", probe[0].expect.status).contains("404"));
    // PingFederate: groups by listing all, users by `emails eq`.
    let lookup = expand_one(
        "pingfederate",
        "lookup_group",
        serde_json::json!({"displayName": "G"}),
    );
    assert!(lookup[0].request.paginate.is_some());
    assert!(lookup[0].request.query.is_empty());
    let create = expand_one(
        "pingfederate",
        "create_user",
        serde_json::json!({"userName": "u", "email": "e@x", "match": "emails"}),
    );
    assert_eq!(
        create[0].request.query[0].1,
        serde_json::json!("emails eq \"e@x\"")
    );
    // JumpCloud: the test creates and deletes; removal is a value array.
    let test = expand_one("jumpcloud", "test_connection", serde_json::json!({}));
    assert_eq!(
        test.iter()
            .map(|s| s.request.method.name())
            .collect::<Vec<_>>(),
        ["POST", "DELETE", "POST", "DELETE"]
    );
    let remove = expand_one(
        "jumpcloud",
        "remove_member",
        serde_json::json!({"id": "g", "members": ["a"]}),
    );
    let body = remove[0].request.body.as_ref().expect("body");
    assert_eq!(body["Operations"][0]["path"], "members");
    // SailPoint: one PATCH per member.
    let add = expand_one(
        "sailpoint",
        "add_member",
        serde_json::json!({"id": "g", "members": ["a", "b"]}),
    );
    assert_eq!(add.len(), 2);
    // Rippling: reads /ServiceProviderConfig in its test, declares the rest.
    let test = expand_one("rippling", "test_connection", serde_json::json!({}));
    assert_eq!(test[0].request.path, "/ServiceProviderConfig");
    // Google: GET /Users?count=1.
    let test = expand_one("google", "test_connection", serde_json::json!({}));
    assert_eq!(
        test[0].request.query,
        vec![("count".to_owned(), serde_json::json!(1))]
    );
}

#[test]
fn a_declared_capability_switch_changes_what_is_sent() {
    let mut spec = bundled_profile("rippling").expect("rippling").clone();
    let lookup = |spec: &ProfileSpec| {
        let action = crate::suite::model::ActionStep {
            name: None,
            action: crate::suite::model::ActionName::parse("idp.lookup_group")
                .expect("an action name"),
            with: serde_json::from_value(serde_json::json!({"displayName": "G"})).expect("map"),
            expect: crate::suite::model::Expect::default(),
            capture: indexmap::IndexMap::new(),
        };
        let args = crate::idp::request::Args {
            suite: "s.yaml",
            case: "c",
            action: &action,
        };
        expand(spec, "lookup_group", &args)
            .expect("expands")
            .expect("known")[0]
            .request
            .query
            .len()
    };
    assert_eq!(
        lookup(&spec),
        3,
        "Supports Pagination on: filter, startIndex, count"
    );
    spec.capabilities
        .declared
        .insert("pagination".into(), false);
    assert_eq!(
        lookup(&spec),
        1,
        "Supports Pagination off: the filter alone"
    );
}
