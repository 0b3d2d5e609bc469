//! Regular expressions on the right of `matches`: YARA's dialect compiled
//! to a `regex-automata` matcher over bytes.

use regex_automata::meta::Regex;

use crate::syntax::ast;

/// Deepest group nesting accepted.
const NEST_LIMIT: u32 = 200;

/// Rewrites what `regex-syntax` reads differently from YARA: `\/` is a
/// slash and characters beyond ASCII stand for their UTF-8 bytes.
fn translate(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut chars = src.chars();
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

/// Compiles `re` (bytes, ASCII classes, `{,n}` allowed), or says why it
/// is invalid.
pub(crate) fn compile(re: &ast::Regex) -> Result<Regex, String> {
    let src = translate(&re.source);
    let parsed = regex_syntax::ast::parse::ParserBuilder::new()
        .empty_min_range(true)
        .nest_limit(NEST_LIMIT)
        .build()
        .parse(&src)
        .map_err(|e| e.kind().to_string())?;
    let hir = regex_syntax::hir::translate::TranslatorBuilder::new()
        .unicode(false)
        .utf8(false)
        .case_insensitive(re.case_insensitive)
        .dot_matches_new_line(re.dot_matches_new_line)
        .build()
        .translate(&src, &parsed)
        .map_err(|e| e.kind().to_string())?;
    Regex::builder()
        .configure(Regex::config().utf8_empty(false))
        .build_from_hir(&hir)
        .map_err(|e| e.to_string())
}
