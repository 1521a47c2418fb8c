//! Finding lines and columns in suite text, for errors the parser cannot place.
//!
//! Offsets here are byte offsets into the suite's text, some computed (one
//! past a match, a parser's mark). Suite text is arbitrary UTF-8, so every
//! function accepts any offset, rounds it to a character boundary and never
//! slices inside a character: locating an error must not panic.

/// The largest character boundary of `text` at or before `offset`.
fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest character boundary of `text` at or after `offset`
/// (`text.len()` past the end).
fn ceil_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Whether `c` continues an identifier (a YAML key or a template variable).
fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// 1-based line and column (in characters) of a byte offset in `text`; an
/// offset inside a character counts as that character's start.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..floor_boundary(text, offset)).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before
        .get(line_start..)
        .map_or(1, |s| s.chars().count() + 1);
    (line, column)
}

/// Offset of the first YAML key `key` (followed by optional spaces and a
/// colon, not preceded by an identifier character) at or after `from`.
pub(crate) fn find_key(text: &str, key: &str, from: usize) -> Option<usize> {
    if key.is_empty() {
        return None;
    }
    let mut pos = ceil_boundary(text, from);
    while let Some(rel) = text.get(pos..)?.find(key) {
        let at = pos + rel;
        let before_ok = text
            .get(..at)
            .and_then(|s| s.chars().next_back())
            .is_none_or(|c| !is_ident_char(c));
        let after_ok = text
            .get(at + key.len()..)
            .is_some_and(|s| s.trim_start_matches([' ', '"', '\'']).starts_with(':'));
        if before_ok && after_ok {
            return Some(at);
        }
        pos = at + key.len();
    }
    None
}

/// Offset of `needle` at or after `from`.
pub(crate) fn find_text(text: &str, needle: &str, from: usize) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    let start = ceil_boundary(text, from);
    text.get(start..)?.find(needle).map(|rel| start + rel)
}

/// Places lint errors in a suite's text: finds each case's `name:` line,
/// then the first occurrence of a needle after it.
pub(crate) struct Locator<'t> {
    text: &'t str,
    case_starts: Vec<usize>,
}

impl<'t> Locator<'t> {
    /// A locator for `text` whose cases are named `names`, in order.
    pub(crate) fn new(text: &'t str, names: &[&str]) -> Self {
        let mut case_starts = Vec::new();
        let mut from = find_key(text, "cases", 0).unwrap_or(0);
        for name in names {
            let mut pos = from;
            let mut found = None;
            while let Some(at) = find_key(text, "name", pos) {
                let value = text
                    .get(at + "name".len()..)
                    .unwrap_or_default()
                    .trim_start_matches([' ', ':'])
                    .trim_start_matches(['"', '\'']);
                if value.starts_with(name) {
                    found = Some(at);
                    break;
                }
                pos = at + "name".len();
            }
            let start = found.unwrap_or(from);
            case_starts.push(start);
            from = ceil_boundary(text, start + 1);
        }
        Self { text, case_starts }
    }

    /// Line and column of `needle` inside case `case` (or the case line).
    pub(crate) fn in_case(&self, case: usize, needle: &Needle<'_>) -> Option<(usize, usize)> {
        let from = self.case_starts.get(case).copied()?;
        let found = match needle {
            Needle::Key(k) => find_key(self.text, k, from),
            Needle::Text(t) => find_text(self.text, t, from),
            Needle::Var(v) => find_var(self.text, v, from),
        };
        Some(line_col(self.text, found.unwrap_or(from)))
    }

    /// Line and column of a top-level key.
    pub(crate) fn key(&self, key: &str) -> Option<(usize, usize)> {
        find_key(self.text, key, 0).map(|at| line_col(self.text, at))
    }
}

/// Where in a suite an error found after loading (an IdP expansion error)
/// is: a top-level key, or the first occurrence of some text inside a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place<'p> {
    /// A top-level key (`idp`, `okta_profile`).
    Key(&'p str),
    /// The first occurrence of `text` in the case at index `case`.
    InCase {
        /// Index of the case in `cases`.
        case: usize,
        /// Text to find (an `action:` value).
        text: &'p str,
    },
}

impl super::error::LoadError {
    /// A suite error at `field` of `suite`, with the line and column of
    /// `place` when the suite's text is known (suites built in code have none).
    pub fn at(
        suite: &super::model::Suite,
        place: Place<'_>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let at = suite.source_text.as_deref().and_then(|text| match place {
            Place::Key(key) => Locator::new(text, &[]).key(key),
            Place::InCase { case, text: needle } => {
                let names: Vec<&str> = suite.cases.iter().map(|c| c.name.as_str()).collect();
                Locator::new(text, &names).in_case(case, &Needle::Text(needle))
            }
        });
        let mut err = Self::lint(&suite.source, field, message);
        err.line = at.map(|a| a.0);
        err.column = at.map(|a| a.1);
        err
    }
}

/// What to look for inside a case.
pub(crate) enum Needle<'n> {
    /// A YAML key followed by a colon.
    Key(&'n str),
    /// Any text.
    Text(&'n str),
    /// A template use `{{ name` of a variable.
    Var(&'n str),
}

/// Offset of the first `{{ name` (spaces optional) at or after `from`.
fn find_var(text: &str, name: &str, from: usize) -> Option<usize> {
    let mut pos = from;
    while let Some(at) = find_text(text, "{{", pos) {
        let inner = text.get(at + 2..).unwrap_or_default().trim_start();
        let whole_name = inner
            .strip_prefix(name)
            .is_some_and(|rest| rest.chars().next().is_none_or(|c| !is_ident_char(c)));
        if whole_name {
            return Some(at);
        }
        pos = at + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let t = "a: 1\nbb: 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 5), (2, 1));
        assert_eq!(line_col(t, 7), (2, 3));
    }

    #[test]
    fn find_key_needs_a_colon_and_a_boundary() {
        let t = "status2: 1\n  xstatus: 2\n  status : 3\n";
        assert_eq!(
            find_key(t, "status", 0).map(|o| line_col(t, o)),
            Some((3, 3))
        );
    }

    #[test]
    fn locator_finds_needles_inside_the_right_case() {
        let t = "suite: s\ncases:\n  - name: a\n    why: x {{ id }}\n  - name: b\n    why: \"{{id}}\"\n";
        let l = Locator::new(t, &["a", "b"]);
        assert_eq!(l.in_case(1, &Needle::Key("name")), Some((5, 5)));
        assert_eq!(l.in_case(1, &Needle::Var("id")), Some((6, 11)));
        assert_eq!(l.in_case(0, &Needle::Key("why")), Some((4, 5)));
        assert_eq!(l.key("suite"), Some((1, 1)));
    }

    #[test]
    fn offsets_inside_a_character_round_to_its_boundaries() {
        let t = "a: é\nb: 1\n";
        // `é` is bytes 3..5: offset 4 is inside it.
        assert_eq!(line_col(t, 4), (1, 4));
        assert_eq!(line_col(t, 999), (3, 1));
        assert_eq!(find_key(t, "b", 4), Some(6));
        assert_eq!(find_text(t, "1", 4), Some(9));
        assert_eq!(find_var("{{ prénom }} {{ abc }}", "abc", 0), Some(14));
        assert_eq!(find_var("{{ prénom }}", "pr", 0), None);
        assert_eq!(find_var("{{ prénom }}", "prénom", 0), Some(0));
    }

    /// Text made mostly of the characters the locator looks at, plus
    /// multi-byte ones, so that matches land next to character boundaries.
    fn suite_like() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::string::string_regex("([ {}:\"'\n_a-z-]|é|ñ|日本|😀|name|cases|\\{\\{ ){0,60}")
            .expect("a valid regex")
    }

    proptest::proptest! {
        #[test]
        fn locating_never_panics_on_any_text_or_offset(
            text in suite_like(),
            needle in suite_like(),
            offset in 0usize..200,
        ) {
            let _ = line_col(&text, offset);
            let _ = find_key(&text, &needle, offset);
            let _ = find_text(&text, &needle, offset);
            let _ = find_var(&text, &needle, offset);
            let names: Vec<&str> = needle.split(' ').collect();
            let l = Locator::new(&text, &names);
            for case in 0..=names.len() {
                let _ = l.in_case(case, &Needle::Key(&needle));
                let _ = l.in_case(case, &Needle::Text(&needle));
                let _ = l.in_case(case, &Needle::Var(&needle));
            }
            let _ = l.key(&needle);
        }

        #[test]
        fn found_offsets_are_char_boundaries_inside_the_text(
            text in suite_like(),
            needle in suite_like(),
            offset in 0usize..200,
        ) {
            for found in [
                find_key(&text, &needle, offset),
                find_text(&text, &needle, offset),
                find_var(&text, &needle, offset),
            ]
            .into_iter()
            .flatten()
            {
                proptest::prop_assert!(text.is_char_boundary(found) && found < text.len());
            }
            let (line, column) = line_col(&text, offset);
            proptest::prop_assert!(line >= 1 && line <= text.matches('\n').count() + 1);
            proptest::prop_assert!(column >= 1 && column <= text.chars().count() + 1);
        }

        #[test]
        fn arbitrary_unicode_never_panics(text in "\\PC{0,40}", needle in "\\PC{0,6}", offset in 0usize..200) {
            let _ = line_col(&text, offset);
            let _ = find_key(&text, &needle, offset);
            let _ = find_text(&text, &needle, offset);
            let _ = find_var(&text, &needle, offset);
            let l = Locator::new(&text, &[needle.as_str()]);
            let _ = l.in_case(0, &Needle::Var(&needle));
        }
    }
}
