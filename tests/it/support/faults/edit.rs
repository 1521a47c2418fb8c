//! List and filter helpers shared by the fault catalogue's sections.

use serde_json::{Value, json};

use super::super::proxy::{Req, Resp};

/// Keeps the list resources for which `keep` holds, fixing the counts.
pub(super) fn edit_list(resp: &mut Resp, keep: impl Fn(&Value) -> bool) {
    let Some(mut body) = resp.json() else { return };
    let Some(Value::Array(list)) = body.get_mut("Resources") else {
        return;
    };
    let before = list.len();
    list.retain(|r| keep(r));
    let removed = before - list.len();
    let total = body["totalResults"]
        .as_u64()
        .unwrap_or(0)
        .saturating_sub(removed as u64);
    let items = body["Resources"].as_array().map_or(0, Vec::len);
    body["totalResults"] = json!(total);
    body["itemsPerPage"] = json!(items);
    resp.set_json(&body);
}

/// The value of an `attr eq "v"` filter in the query, decoded.
pub(super) fn filter_value(req: &Req, attr: &str) -> Option<String> {
    let (_, raw) = req.query_pairs().into_iter().find(|(k, _)| k == "filter")?;
    let decoded = percent_encoding::percent_decode_str(&raw.replace('+', " "))
        .decode_utf8()
        .ok()?
        .into_owned();
    let rest = decoded.strip_prefix(attr)?.trim_start();
    let rest = rest.strip_prefix("eq")?.trim_start();
    serde_json::from_str::<String>(rest.split_once(" and ").map_or(rest, |(a, _)| a).trim()).ok()
}
