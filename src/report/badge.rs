//! The badge (`--report badge=FILE`): a shields-style SVG showing how many
//! required cases passed of those that ran (`SCIM required | 12/14`), green
//! when all passed, yellow when every failure is a known (baseline) one, red
//! otherwise, grey when none ran. Self-made: no network.

use crate::report::gate::Gate;
use crate::report::html::escape;
use crate::runner::Severity;

/// Approximate width of one character of 11px Verdana, in pixels.
const CHAR_WIDTH: f64 = 6.6;

fn text_width(s: &str) -> u32 {
    // Whole pixels are enough for a badge; counts are tiny.
    (s.chars().count() as f64 * CHAR_WIDTH).ceil() as u32 + 10
}

/// The badge's right-hand text and colour for `gate`.
pub fn badge_value(gate: &Gate) -> (String, &'static str) {
    let required = gate
        .counts()
        .iter()
        .find(|(s, _)| *s == Severity::Required)
        .map(|(_, c)| *c)
        .unwrap_or_default();
    let ran = required.ran();
    let colour = if ran == 0 {
        "#9f9f9f"
    } else if required.failed == 0 {
        "#4c1"
    } else if required.failed == required.known {
        "#dfb317"
    } else {
        "#e05d44"
    };
    let text = if ran == 0 {
        "no checks".to_owned()
    } else {
        format!("{}/{} passed", required.passed, ran)
    };
    (text, colour)
}

/// Renders the SVG badge.
pub fn to_badge(gate: &Gate) -> String {
    let label = "SCIM required";
    let (value, colour) = badge_value(gate);
    let lw = text_width(label);
    let vw = text_width(&value);
    let total = lw + vw;
    let (label, value) = (escape(label), escape(&value));
    let lx = lw * 5;
    let vx = lw * 10 + vw * 5;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{label}: {value}">
<title>{label}: {value}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{vw}" height="20" fill="{colour}"/><rect width="{total}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="110">
<text x="{lx}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)">{label}</text><text x="{lx}" y="140" transform="scale(.1)">{label}</text>
<text x="{vx}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)">{value}</text><text x="{vx}" y="140" transform="scale(.1)">{value}</text>
</g>
</svg>
"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::{CaseResult, Outcome};
    use time::macros::date;

    fn case(outcome: Outcome, severity: Severity) -> CaseResult {
        CaseResult {
            suite: "s".into(),
            name: "c".into(),
            severity,
            why: String::new(),
            tags: vec![],
            outcome,
            steps: vec![],
            cleanup: vec![],
            warnings: vec![],
            duration_ms: 0,
        }
    }

    #[test]
    fn the_badge_counts_required_cases_only_and_colours_by_result() {
        let today = date!(2026 - 11 - 24);
        let table = [
            (
                vec![case(Outcome::Passed, Severity::Required)],
                "1/1 passed",
                "#4c1",
            ),
            (
                vec![
                    case(Outcome::Passed, Severity::Required),
                    case(Outcome::Failed(vec![]), Severity::Required),
                    case(Outcome::Failed(vec![]), Severity::Advisory),
                ],
                "1/2 passed",
                "#e05d44",
            ),
            (
                vec![case(Outcome::Passed, Severity::Advisory)],
                "no checks",
                "#9f9f9f",
            ),
        ];
        for (cases, text, colour) in table {
            let gate = Gate::new(cases.iter(), Severity::Required, None, today);
            assert_eq!(badge_value(&gate), (text.to_owned(), colour));
            let svg = to_badge(&gate);
            assert!(
                svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
                "{svg}"
            );
            assert!(svg.contains(&format!(">{text}</text>")), "{svg}");
            assert!(svg.contains(&format!("fill=\"{colour}\"")), "{svg}");
        }
    }
}
