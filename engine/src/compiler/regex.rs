//! Regular expressions on the right of `matches`: YARA's dialect compiled
//! to a `regex-automata` matcher over bytes.

use regex_automata::meta::Regex;
use regex_automata::util::syntax;

use crate::syntax::ast;

/// Rewrites what `regex-syntax` reads differently from YARA: `\/` is a
/// slash, `{,n}` is `{0,n}`, and characters beyond ASCII stand for their
/// UTF-8 bytes.
fn translate(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('/') => out.push('/'),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '{' if chars.peek() == Some(&',') => out.push_str("{0"),
            c if !c.is_ascii() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\x{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Compiles `re`, or says why it is invalid.
pub(crate) fn compile(re: &ast::Regex) -> Result<Regex, String> {
    let config = syntax::Config::new()
        .unicode(false)
        .utf8(false)
        .case_insensitive(re.case_insensitive)
        .dot_matches_new_line(re.dot_matches_new_line);
    Regex::builder()
        .syntax(config)
        .configure(Regex::config().utf8_empty(false))
        .build(&translate(&re.source))
        .map_err(|e| e.to_string())
}
