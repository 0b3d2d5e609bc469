//! The abstract syntax tree of the YARA language.
//!
//! Every node carries the [`Span`] of the source text it came from, so that
//! later stages (type checking, compilation) can point diagnostics at the
//! exact bytes. The tree is plain data: building it never touches the
//! compiler or the scanner.

/// A range of bytes in one source file.
///
/// `source` indexes the [`SourceMap`](super::SourceMap) that the parser
/// filled; `start..end` are byte offsets into that file's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub source: u32,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span covering both `self` and `other` (same source assumed).
    pub fn join(self, other: Span) -> Span {
        Span {
            source: self.source,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// An identifier with its span: a rule name, a tag, a meta key, a pattern
/// identifier (`$a`, or `$` for an anonymous one, stored with the `$`), a
/// module field or a variable.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// One parsed source (a file or a string), with its includes spliced in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceFile {
    /// `import "pe"` statements, in order (including those of included
    /// files).
    pub imports: Vec<Import>,
    /// Rules, in source order (those of an included file stand where the
    /// `include` stood).
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub module: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub is_private: bool,
    pub is_global: bool,
    pub name: Ident,
    pub tags: Vec<Ident>,
    pub meta: Vec<Meta>,
    pub patterns: Vec<Pattern>,
    pub condition: Expr,
    /// From the first modifier (or `rule`) to the closing brace.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Meta {
    pub key: Ident,
    pub value: MetaValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MetaValue {
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A text string with escapes already resolved.
    Str(Vec<u8>),
}

/// `$name = <kind> <modifiers>`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    /// `$a`, or `$` for an anonymous pattern.
    pub ident: Ident,
    pub kind: PatternKind,
    pub modifiers: Vec<Modifier>,
    pub span: Span,
}

impl Pattern {
    /// The modifier of the given kind, if present.
    pub fn modifier(
        &self,
        f: impl Fn(&ModifierKind) -> bool,
    ) -> Option<&Modifier> {
        self.modifiers.iter().find(|m| f(&m.kind))
    }

    pub fn has(&self, kind: &ModifierKind) -> bool {
        self.modifiers.iter().any(|m| {
            std::mem::discriminant(&m.kind) == std::mem::discriminant(kind)
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum PatternKind {
    /// A text string with escapes already resolved.
    Text(Vec<u8>),
    Hex(HexPattern),
    Regex(Regex),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Modifier {
    pub kind: ModifierKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ModifierKind {
    Nocase,
    Wide,
    Ascii,
    Fullword,
    Private,
    /// `xor` is `Xor { min: 0, max: 255 }`; `xor(n)` is `min == max == n`.
    Xor {
        min: u8,
        max: u8,
    },
    /// `base64` or `base64("64-char alphabet")`.
    Base64 {
        alphabet: Option<Vec<u8>>,
    },
    Base64Wide {
        alphabet: Option<Vec<u8>>,
    },
}

/// A regular expression as written between the slashes, with its flags.
///
/// The source is kept as text: the compiler parses it with YARA's dialect
/// (the parser only checks that it is well formed).
#[derive(Clone, Debug, PartialEq)]
pub struct Regex {
    /// The text between the slashes, escapes untouched (`\/` stays `\/`).
    pub source: String,
    /// The `i` flag.
    pub case_insensitive: bool,
    /// The `s` flag.
    pub dot_matches_new_line: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct HexPattern {
    pub tokens: Vec<HexToken>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum HexToken {
    /// A byte that matches when `byte & mask == value & mask` (or does not,
    /// when `negated`). `??` is mask 0x00, `?A` is mask 0x0F, `A?` is mask
    /// 0xF0, `AB` is mask 0xFF.
    Byte { value: u8, mask: u8, negated: bool, span: Span },
    /// `[n]` is `{start: n, end: Some(n)}`, `[n-m]` is `{n, Some(m)}`,
    /// `[n-]` is `{n, None}` and `[-]` is `{0, None}`. Adjacent jumps are
    /// merged by the parser (`[1] [2-3]` is one `[3-4]`), so a jump is
    /// never next to another jump, and never first or last.
    Jump { start: u32, end: Option<u32>, span: Span },
    /// `( a | b | … )`: each alternative is a token sequence.
    Alternatives { alternatives: Vec<Vec<HexToken>>, span: Span },
}

/// A condition expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    True,
    False,
    Int(i64),
    Float(f64),
    /// A text string with escapes already resolved.
    Str(Vec<u8>),
    /// A regular expression, as the right operand of `matches`.
    Regex(Regex),
    Filesize,
    Entrypoint,
    /// A bare identifier: a rule, an external variable, a module, a loop or
    /// `with` variable. Resolved by the compiler.
    Ident(Ident),
    /// `expr.field`
    Field {
        object: Box<Expr>,
        field: Ident,
    },
    /// `expr[index]`
    Index {
        object: Box<Expr>,
        index: Box<Expr>,
    },
    /// `expr(args…)` (module functions).
    Call {
        callee: Box<Expr>,
        args: Vec<Expr>,
    },
    /// `uint32(offset)` and friends.
    ReadInt {
        ty: IntType,
        offset: Box<Expr>,
    },
    /// `$a`, `$a at e`, `$a in (lo..hi)`; `$` inside `for … of`.
    PatternMatch {
        pattern: Ident,
        anchor: Option<Anchor>,
    },
    /// `#a`, `#a in (lo..hi)`; the identifier is stored as `$a`.
    PatternCount {
        pattern: Ident,
        range: Option<Range>,
    },
    /// `@a`, `@a[i]` (without an index: the first match); stored as `$a`.
    PatternOffset {
        pattern: Ident,
        index: Option<Box<Expr>>,
    },
    /// `!a`, `!a[i]` (without an index: the first match); stored as `$a`.
    PatternLength {
        pattern: Ident,
        index: Option<Box<Expr>>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `<quantifier> of <set> [at e | in (lo..hi)]`.
    Of {
        quantifier: Quantifier,
        set: OfSet,
        anchor: Option<Anchor>,
    },
    /// `for <quantifier> of <patterns> : ( body )`.
    ForOf {
        quantifier: Quantifier,
        set: PatternSet,
        body: Box<Expr>,
    },
    /// `for <quantifier> <vars> in <iterable> : ( body )`.
    ForIn {
        quantifier: Quantifier,
        vars: Vec<Ident>,
        iterable: Iterable,
        body: Box<Expr>,
    },
    /// `with a = e, b = f : ( body )`.
    With {
        decls: Vec<(Ident, Expr)>,
        body: Box<Expr>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntType {
    /// 8, 16 or 32.
    pub bits: u8,
    pub signed: bool,
    pub big_endian: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Anchor {
    At(Box<Expr>),
    In(Range),
}

/// `(lo..hi)`, both ends inclusive.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    pub lo: Box<Expr>,
    pub hi: Box<Expr>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `not`
    Not,
    /// `defined`
    Defined,
    /// `-`
    Neg,
    /// `~`
    BitNot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    IContains,
    StartsWith,
    IStartsWith,
    EndsWith,
    IEndsWith,
    IEquals,
    Matches,
    BitOr,
    BitXor,
    BitAnd,
    Shl,
    Shr,
    Add,
    Sub,
    Mul,
    /// `\`
    Div,
    Mod,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Quantifier {
    All,
    Any,
    None,
    /// `N of …`
    Count(Box<Expr>),
    /// `N% of …`
    Percent(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum OfSet {
    Patterns(PatternSet),
    /// `(rule_a, rule_b*, …)`: every item a bare identifier, optionally
    /// followed by `*`.
    Rules(Vec<RuleSetItem>),
    /// `(bool_expr, bool_expr, …)`.
    Exprs(Vec<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum PatternSet {
    /// `them`
    Them { span: Span },
    /// `($a, $b*, $)`.
    List(Vec<PatternSetItem>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct PatternSetItem {
    /// `$a` (the `*` is not part of the name).
    pub name: String,
    /// `$a*`: every pattern whose identifier starts with `$a`.
    pub wildcard: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RuleSetItem {
    pub name: String,
    pub wildcard: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Iterable {
    /// `(lo..hi)`
    Range(Range),
    /// An array or dictionary expression (module fields).
    Expr(Box<Expr>),
    /// `(e1, e2, …)`
    Tuple(Vec<Expr>),
}
