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

/// Byte offset of the start of 1-based `line`.
pub(crate) fn line_offset(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
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
        assert_eq!(line_offset(t, 2), 11);
    }
}
