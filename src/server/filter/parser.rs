//! Hand-written lexer and recursive-descent parser for the filter grammar
//! documented in the module root. Recursion is bounded by [`MAX_DEPTH`]; the
//! input by [`MAX_LENGTH`].

use serde_json::Number;

use super::ast::{AttrPath, CompValue, CompareOp, Filter};
use super::error::FilterError;

/// Maximum filter length in bytes.
pub const MAX_LENGTH: usize = 4096;
/// Maximum nesting depth of `(`, `[` and `not`.
pub const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    LParen,
    RParen,
    LBracket,
    RBracket,
    /// A bare word: attribute path, keyword, operator, `true`/`false`/`null`
    /// or a number, borrowed from the input (the lexer allocates only for
    /// string literals, which need unescaping).
    Word(&'a str),
    /// A string literal, already unescaped.
    Str(String),
}

#[derive(Debug, Clone)]
struct Token<'a> {
    tok: Tok<'a>,
    pos: usize,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.' | '$' | '+')
}

fn lex(input: &str) -> Result<Vec<Token<'_>>, FilterError> {
    let mut out = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(pos, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | '[' | ']' => {
                chars.next();
                let tok = match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    '[' => Tok::LBracket,
                    _ => Tok::RBracket,
                };
                out.push(Token { tok, pos });
            }
            '"' => {
                chars.next();
                let mut end = None;
                let mut escaped = false;
                for (i, ch) in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if ch == '\\' {
                        escaped = true;
                    } else if ch == '"' {
                        end = Some(i);
                        break;
                    }
                }
                let end =
                    end.ok_or_else(|| FilterError::new(pos, "unterminated string literal"))?;
                let raw = input.get(pos..=end).unwrap_or_default();
                let s: String = serde_json::from_str(raw)
                    .map_err(|e| FilterError::new(pos, format!("invalid string literal: {e}")))?;
                out.push(Token {
                    tok: Tok::Str(s),
                    pos,
                });
            }
            c if is_word_char(c) => {
                let mut end = pos;
                while let Some(&(i, ch)) = chars.peek() {
                    if !is_word_char(ch) {
                        break;
                    }
                    end = i + ch.len_utf8();
                    chars.next();
                }
                out.push(Token {
                    tok: Tok::Word(input.get(pos..end).unwrap_or_default()),
                    pos,
                });
            }
            other => {
                return Err(FilterError::new(
                    pos,
                    format!("unexpected character {other:?}"),
                ));
            }
        }
    }
    Ok(out)
}

/// Parses an attribute path word: `attr`, `attr.sub`, `urn:…:attr[.sub]`.
pub(crate) fn parse_attr_path(word: &str, pos: usize) -> Result<AttrPath, FilterError> {
    let is_urn = word
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("urn:"));
    let (urn, rest) = if is_urn {
        match word.rfind(':') {
            Some(i) => (
                Some(word.get(..i).unwrap_or_default().to_owned()),
                word.get(i + 1..).unwrap_or_default(),
            ),
            None => (None, word),
        }
    } else {
        (None, word)
    };
    let (attr, sub) = match rest.split_once('.') {
        Some((a, s)) => (a, Some(s)),
        None => (rest, None),
    };
    let valid = |name: &str| {
        let mut cs = name.chars();
        let first_ok = match cs.next() {
            Some('$') => true,
            Some(c) => c.is_ascii_alphabetic(),
            None => false,
        };
        first_ok && cs.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    if !valid(attr) || !sub.is_none_or(valid) {
        return Err(FilterError::new(
            pos,
            format!("invalid attribute path {word:?}"),
        ));
    }
    Ok(AttrPath {
        urn,
        attr: attr.to_owned(),
        sub: sub.map(str::to_owned),
    })
}

struct Parser<'a> {
    toks: &'a [Token<'a>],
    idx: usize,
    depth: usize,
    end: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Token<'a>> {
        self.toks.get(self.idx)
    }

    fn pos(&self) -> usize {
        self.peek().map_or(self.end, |t| t.pos)
    }

    fn next(&mut self) -> Option<Token<'a>> {
        let t = self.toks.get(self.idx).cloned();
        self.idx += 1;
        t
    }

    fn peek_keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Word(w), .. }) if w.eq_ignore_ascii_case(kw))
    }

    fn expect(&mut self, want: &Tok<'_>, what: &str) -> Result<(), FilterError> {
        let pos = self.pos();
        match self.next() {
            Some(t) if t.tok == *want => Ok(()),
            _ => Err(FilterError::new(pos, format!("expected {what}"))),
        }
    }

    fn enter(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError::new(
                self.pos(),
                format!("filter nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn or_expr(&mut self, in_value_path: bool) -> Result<Filter, FilterError> {
        let mut left = self.and_expr(in_value_path)?;
        while self.peek_keyword("or") {
            self.next();
            let right = self.and_expr(in_value_path)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self, in_value_path: bool) -> Result<Filter, FilterError> {
        let mut left = self.unary(in_value_path)?;
        while self.peek_keyword("and") {
            self.next();
            let right = self.unary(in_value_path)?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, in_value_path: bool) -> Result<Filter, FilterError> {
        let pos = self.pos();
        let Some(tok) = self.next() else {
            return Err(FilterError::new(pos, "unexpected end of filter"));
        };
        match tok.tok {
            Tok::LParen => {
                self.enter()?;
                let f = self.or_expr(in_value_path)?;
                self.expect(&Tok::RParen, "')'")?;
                self.depth -= 1;
                Ok(f)
            }
            Tok::Word(w)
                if w.eq_ignore_ascii_case("not")
                    && matches!(
                        self.peek(),
                        Some(Token {
                            tok: Tok::LParen,
                            ..
                        })
                    ) =>
            {
                self.next();
                self.enter()?;
                let f = self.or_expr(in_value_path)?;
                self.expect(&Tok::RParen, "')' closing 'not ('")?;
                self.depth -= 1;
                Ok(Filter::Not(Box::new(f)))
            }
            Tok::Word(w) => {
                let path = parse_attr_path(w, tok.pos)?;
                self.after_path(path, tok.pos, in_value_path)
            }
            Tok::Str(_) => Err(FilterError::new(
                pos,
                "expected an attribute path, found a string",
            )),
            Tok::RParen | Tok::RBracket | Tok::LBracket => {
                Err(FilterError::new(pos, "expected an attribute path or '('"))
            }
        }
    }

    fn after_path(
        &mut self,
        path: AttrPath,
        path_pos: usize,
        in_value_path: bool,
    ) -> Result<Filter, FilterError> {
        let pos = self.pos();
        match self.next() {
            Some(Token {
                tok: Tok::LBracket,
                pos: bpos,
            }) => {
                if in_value_path {
                    return Err(FilterError::new(bpos, "value paths cannot be nested"));
                }
                if path.sub.is_some() {
                    return Err(FilterError::new(
                        path_pos,
                        "a value path must name an attribute, not a sub-attribute",
                    ));
                }
                self.enter()?;
                let inner = self.or_expr(true)?;
                self.expect(&Tok::RBracket, "']'")?;
                self.depth -= 1;
                Ok(Filter::ValuePath(path, Box::new(inner)))
            }
            Some(Token {
                tok: Tok::Word(op), ..
            }) => {
                if op.eq_ignore_ascii_case("pr") {
                    return Ok(Filter::Present(path));
                }
                let op = CompareOp::from_keyword(op).ok_or_else(|| {
                    FilterError::new(
                        pos,
                        format!("unknown operator {op:?} (expected eq ne co sw ew gt ge lt le pr)"),
                    )
                })?;
                let value = self.comp_value()?;
                Ok(Filter::Compare(path, op, value))
            }
            _ => Err(FilterError::new(
                pos,
                "expected an operator after the attribute path",
            )),
        }
    }

    fn comp_value(&mut self) -> Result<CompValue, FilterError> {
        let pos = self.pos();
        match self.next() {
            Some(Token {
                tok: Tok::Str(s), ..
            }) => Ok(CompValue::Str(s)),
            Some(Token {
                tok: Tok::Word(w), ..
            }) => {
                if w.eq_ignore_ascii_case("true") {
                    Ok(CompValue::Bool(true))
                } else if w.eq_ignore_ascii_case("false") {
                    Ok(CompValue::Bool(false))
                } else if w.eq_ignore_ascii_case("null") {
                    Ok(CompValue::Null)
                } else {
                    serde_json::from_str::<Number>(w)
                        .map(CompValue::Number)
                        .map_err(|_| {
                            FilterError::new(
                                pos,
                                format!(
                                    "invalid comparison value {w:?} (strings must be double-quoted)"
                                ),
                            )
                        })
                }
            }
            _ => Err(FilterError::new(pos, "expected a comparison value")),
        }
    }
}

/// Parses a filter (see the grammar in the module documentation).
pub fn parse(input: &str) -> Result<Filter, FilterError> {
    if input.len() > MAX_LENGTH {
        return Err(FilterError::new(
            MAX_LENGTH,
            format!("filter longer than {MAX_LENGTH} bytes"),
        ));
    }
    let toks = lex(input)?;
    if toks.is_empty() {
        return Err(FilterError::new(0, "empty filter"));
    }
    let mut p = Parser {
        toks: &toks,
        idx: 0,
        depth: 0,
        end: input.len(),
    };
    let f = p.or_expr(false)?;
    if let Some(t) = p.peek() {
        return Err(FilterError::new(
            t.pos,
            "unexpected input after the end of the filter (missing 'and'/'or'?)",
        ));
    }
    Ok(f)
}
