//! Text for humans: the one rule for cutting a long string down for display
//! (failure messages, report excerpts, transcripts, console lines).
//!
//! A leaf: it imports no other module of the crate, so every module (the
//! server included) may use it. It must not do I/O, and it only shortens:
//! collapsing whitespace, quoting or escaping stay with the caller.

/// How [`clip`] marks a cut after the characters it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// `…`
    Ellipsis,
    /// `… (1234 chars)`: the text's whole length, in characters.
    Length,
    /// `… (truncated)`
    Truncated,
}

/// `text` itself when it has at most `max_chars` characters; otherwise its
/// first `max_chars` characters followed by `mark`.
///
/// Counts characters (Unicode scalar values), not bytes, so a cut never falls
/// inside a UTF-8 sequence. A text of exactly `max_chars` characters is kept
/// whole and unmarked.
///
/// ```
/// use scimulator::text::{Mark, clip};
///
/// assert_eq!(clip("prénom", 10, Mark::Ellipsis), "prénom");
/// assert_eq!(clip("prénom", 3, Mark::Ellipsis), "pré…");
/// assert_eq!(clip("prénom", 3, Mark::Length), "pré… (6 chars)");
/// assert_eq!(clip("prénom", 3, Mark::Truncated), "pré… (truncated)");
/// ```
pub fn clip(text: &str, max_chars: usize, mark: Mark) -> String {
    let Some((end, _)) = text.char_indices().nth(max_chars) else {
        return text.to_owned();
    };
    let (kept, rest) = text.split_at(end);
    match mark {
        Mark::Ellipsis => format!("{kept}…"),
        Mark::Length => format!("{kept}… ({} chars)", max_chars + rest.chars().count()),
        Mark::Truncated => format!("{kept}… (truncated)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_and_text_of_exactly_the_limit_are_kept_whole() {
        assert_eq!(clip("", 0, Mark::Ellipsis), "");
        assert_eq!(clip("abc", 5, Mark::Length), "abc");
        assert_eq!(clip("abc", 3, Mark::Truncated), "abc");
        // Three characters, six bytes: within a limit of 3.
        assert_eq!(clip("ééé", 3, Mark::Ellipsis), "ééé");
    }

    #[test]
    fn long_text_keeps_max_chars_characters_and_marks_the_cut() {
        assert_eq!(clip("abcd", 3, Mark::Ellipsis), "abc…");
        assert_eq!(clip("abcd", 0, Mark::Ellipsis), "…");
        assert_eq!(clip("abcd", 3, Mark::Truncated), "abc… (truncated)");
        let long = "x".repeat(1000);
        let cut = clip(&long, 300, Mark::Length);
        assert_eq!(cut, format!("{}… (1000 chars)", "x".repeat(300)));
    }

    #[test]
    fn the_cut_counts_characters_and_never_splits_one() {
        // Multi-byte characters everywhere: 2-byte é, 3-byte €, 4-byte 🦀.
        let text = "é€🦀".repeat(50);
        for max in 0..20 {
            let cut = clip(&text, max, Mark::Ellipsis);
            let kept = cut.strip_suffix('…').expect("the cut is marked");
            assert_eq!(kept.chars().count(), max);
            assert!(text.starts_with(kept));
        }
        assert_eq!(clip("🦀🦀🦀", 2, Mark::Length), "🦀🦀… (3 chars)");
    }
}
