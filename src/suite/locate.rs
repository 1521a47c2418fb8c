//! Finding lines and columns in suite text, for errors the parser cannot place.

/// 1-based line and column of a byte offset in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
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
    let mut pos = from.min(text.len());
    while let Some(rel) = text.get(pos..)?.find(key) {
        let at = pos + rel;
        let before_ok = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'));
        let after = text[at + key.len()..].trim_start_matches([' ', '"', '\'']);
        if before_ok && after.starts_with(':') {
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
    text.get(from.min(text.len())..)?
        .find(needle)
        .map(|rel| from + rel)
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
                let value = text[at + 4..]
                    .trim_start_matches([' ', ':'])
                    .trim_start_matches(['"', '\'']);
                if value.starts_with(name) {
                    found = Some(at);
                    break;
                }
                pos = at + 4;
            }
            let start = found.unwrap_or(from);
            case_starts.push(start);
            from = start + 1;
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
        let inner = text[at + 2..].trim_start();
        let end_ok = inner[name.len().min(inner.len())..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'));
        if inner.starts_with(name) && end_ok {
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
}
