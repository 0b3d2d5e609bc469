//! The compiler: rule sources to immutable, shareable [`Rules`].
//!
//! - [`Compiler`] takes sources one at a time (each parsed by `syntax`,
//!   includes resolved there), in the current namespace, with the
//!   external variables declared so far.
//! - Each rule's patterns go to the `patterns` builder (one automaton for
//!   all rules); its condition is resolved, type-checked and lowered by
//!   `cond` to the flat node arena of `code`; `regex` compiles the
//!   operands of `matches`.
//! - [`Compiler::build`] seals everything into [`Rules`].

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

pub(crate) mod code;
mod cond;
// Owned by the patterns work; its not-yet-used helpers are allowed here
// until it trims them.
#[allow(dead_code, unused_imports)]
pub(crate) mod patterns;
pub(crate) mod regex;

pub(crate) use patterns::PatternId;

use self::code::{Code, NodeId};
use self::cond::{Env, Lowerer, PatSym, RuleSym, Ty};
use self::patterns::{PatternOptions, PatternSet, PatternSetBuilder};
use crate::modules::{self, StructType};
use crate::syntax::ast::{self, MetaValue};
use crate::syntax::{
    Diagnostic, DiagnosticKind, ParseOptions, SourceMap, Span, parse_bytes,
};

/// Module name to (index in `modules::MODULES`, schema).
type ModuleMap = HashMap<String, (u32, Arc<StructType>)>;

/// The value of an external variable (`define_global`, `set_global`).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl Value {
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Bool(_) => "bool",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
        }
    }

    pub(crate) fn same_type(&self, other: &Value) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Value {
        Value::Int(i64::from(v))
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Str(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Str(v)
    }
}

/// Errors found while compiling: every diagnostic of the failing step,
/// rendered with file, line, column and a caret by `Display`.
#[derive(Clone, Debug)]
pub struct CompileError {
    diagnostics: Vec<Diagnostic>,
    rendered: String,
}

impl CompileError {
    fn new(diagnostics: Vec<Diagnostic>, sources: &SourceMap) -> Self {
        let rendered = diagnostics
            .iter()
            .map(|d| d.render(sources))
            .collect::<Vec<_>>()
            .join("\n");
        CompileError { diagnostics, rendered }
    }

    /// The diagnostics of the failing step (its errors, and the warnings
    /// found along), in the order they were found.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rendered.trim_end())
    }
}

impl std::error::Error for CompileError {}

/// One compiled rule.
#[derive(Debug)]
pub(crate) struct RuleData {
    pub namespace: u32,
    pub name: String,
    pub tags: Vec<String>,
    pub meta: Vec<(String, MetaValue)>,
    pub is_private: bool,
    pub is_global: bool,
    pub condition: NodeId,
    /// Whether the condition reads pattern matches (or other rules).
    pub uses_matches: bool,
    /// Conjuncts of the condition decidable before the search.
    pub guards: Vec<NodeId>,
    /// Patterns of which one must match for the condition to be true
    /// (`Code::required_patterns`; derived, not stored in databases).
    pub required: Option<Vec<PatternId>>,
    /// `(identifier, id, private)` of each pattern, in declaration order.
    pub patterns: Vec<(String, PatternId, bool)>,
    /// Kind and modifiers of each pattern, in the same order.
    pub pattern_kinds: Vec<(PatternKind, Vec<ast::ModifierKind>)>,
}

/// What a pattern is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PatternKind {
    /// A text string (`"…"`).
    Text,
    /// A hex string (`{ … }`).
    Hex,
    /// A regular expression (`/…/`).
    Regex,
}

/// Compiles rule sources into [`Rules`].
pub struct Compiler {
    parse_options: ParseOptions,
    pattern_options: PatternOptions,
    sources: SourceMap,
    builder: Option<PatternSetBuilder>,
    code: Code,
    rules: Vec<RuleData>,
    namespaces: Vec<String>,
    namespace: u32,
    /// Rule names per namespace, in declaration order.
    ns_rules: Vec<Vec<RuleSym>>,
    /// Modules imported so far per namespace.
    ns_modules: Vec<ModuleMap>,
    globals: Vec<(String, Value)>,
    global_types: HashMap<String, (u32, Ty)>,
    imports: Vec<String>,
    schemas: HashMap<usize, Arc<StructType>>,
    warnings: Vec<Diagnostic>,
    /// `(origin, SHA-256)` of each source added without errors.
    source_digests: Vec<(String, [u8; 32])>,
}

impl Default for Compiler {
    fn default() -> Self {
        Compiler::new()
    }
}

impl fmt::Debug for Compiler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compiler")
            .field("rules", &self.rules.len())
            .field("namespace", &self.namespaces[self.namespace as usize])
            .finish_non_exhaustive()
    }
}

impl Compiler {
    pub fn new() -> Compiler {
        Compiler {
            parse_options: ParseOptions::default(),
            pattern_options: PatternOptions::default(),
            sources: SourceMap::new(),
            builder: None,
            code: Code::default(),
            rules: Vec::new(),
            namespaces: vec!["default".to_string()],
            namespace: 0,
            ns_rules: vec![Vec::new()],
            ns_modules: vec![ModuleMap::new()],
            globals: Vec::new(),
            global_types: HashMap::new(),
            imports: Vec::new(),
            schemas: HashMap::new(),
            warnings: Vec::new(),
            source_digests: Vec::new(),
        }
    }

    /// Accept what YARA-X accepts with `--relaxed-re-syntax`. Set before
    /// adding sources.
    pub fn relaxed_re_syntax(&mut self, yes: bool) -> &mut Self {
        self.parse_options.relaxed_re_syntax = yes;
        self.pattern_options.relaxed_re_syntax = yes;
        self
    }

    /// Make slow patterns an error instead of a warning. Set before adding
    /// sources.
    pub fn error_on_slow_pattern(&mut self, yes: bool) -> &mut Self {
        self.pattern_options.error_on_slow_pattern = yes;
        self
    }

    /// A folder searched for included files.
    pub fn add_include_dir(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.parse_options.include_dirs.push(dir.as_ref().to_path_buf());
        self
    }

    /// Rules added from now on go to namespace `name` (created if new).
    /// The first namespace is `default`.
    pub fn new_namespace(&mut self, name: &str) -> &mut Self {
        match self.namespaces.iter().position(|n| n == name) {
            Some(i) => self.namespace = i as u32,
            None => {
                self.namespaces.push(name.to_string());
                self.ns_rules.push(Vec::new());
                self.ns_modules.push(ModuleMap::new());
                self.namespace = (self.namespaces.len() - 1) as u32;
            }
        }
        self
    }

    /// Declares an external variable and its default value; its type is
    /// fixed from now on.
    pub fn define_global(
        &mut self,
        name: &str,
        value: impl Into<Value>,
    ) -> Result<&mut Self, CompileError> {
        let value = value.into();
        let valid = !name.is_empty()
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid || self.global_types.contains_key(name) {
            let msg = if valid {
                format!("global `{name}` already defined")
            } else {
                format!("invalid global name `{name}`")
            };
            let d = Diagnostic::error(
                DiagnosticKind::DuplicateRule,
                msg,
                Span::default(),
            );
            return Err(CompileError::new(vec![d], &SourceMap::new()));
        }
        let ty = match &value {
            Value::Bool(_) => Ty::Bool,
            Value::Int(_) => Ty::Int,
            Value::Float(_) => Ty::Float,
            Value::Str(_) => Ty::Str,
        };
        let idx = self.globals.len() as u32;
        self.global_types.insert(name.to_string(), (idx, ty));
        self.globals.push((name.to_string(), value));
        Ok(self)
    }

    /// Adds a source whose origin (in diagnostics) is `line`.
    pub fn add_source(
        &mut self,
        text: &str,
    ) -> Result<&mut Self, CompileError> {
        self.add_source_with_origin(text, "line")
    }

    /// Adds a source with an origin (a file name, …) for diagnostics and
    /// relative includes.
    pub fn add_source_with_origin(
        &mut self,
        text: &str,
        origin: &str,
    ) -> Result<&mut Self, CompileError> {
        self.compile_source(text.as_bytes(), origin)?;
        Ok(self)
    }

    /// Reads and adds a file; includes resolve relative to its folder.
    pub fn add_file(
        &mut self,
        path: impl AsRef<Path>,
    ) -> Result<&mut Self, CompileError> {
        let path = path.as_ref();
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                let d = Diagnostic::error(
                    DiagnosticKind::IncludeNotFound,
                    format!("can not read `{}`: {e}", path.display()),
                    Span::default(),
                );
                return Err(CompileError::new(vec![d], &self.sources));
            }
        };
        let origin = path.to_string_lossy().into_owned();
        self.compile_source(&bytes, &origin)?;
        Ok(self)
    }

    /// Adds a source given as bytes (it must be UTF-8; anything else is
    /// reported as a diagnostic pointing at the first invalid byte).
    pub fn add_source_bytes_with_origin(
        &mut self,
        bytes: &[u8],
        origin: &str,
    ) -> Result<&mut Self, CompileError> {
        self.compile_source(bytes, origin)?;
        Ok(self)
    }

    /// Whether `include` directives are allowed (they are by default).
    pub fn enable_includes(&mut self, yes: bool) -> &mut Self {
        self.parse_options.includes_enabled = yes;
        self
    }

    /// Renders a diagnostic of this compiler's sources (e.g. one of
    /// [`Compiler::warnings`]) with file, line, column and caret.
    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        diagnostic.render(&self.sources)
    }

    /// Warnings of every source added so far.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Seals the compiled rules.
    pub fn build(mut self) -> Result<Rules, CompileError> {
        let builder = self.builder.take().unwrap_or_else(|| {
            PatternSetBuilder::new(self.pattern_options.clone())
        });
        let patterns = match builder.build() {
            Ok(p) => p,
            Err(d) => return Err(CompileError::new(vec![d], &self.sources)),
        };
        let index = RuleIndex::new(&self.rules, &self.code, patterns.len());
        Ok(Rules {
            index,
            rules: self.rules,
            namespaces: self.namespaces,
            code: self.code,
            patterns,
            globals: self.globals,
            imports: self.imports,
            source_digests: self.source_digests,
        })
    }

    fn compile_source(
        &mut self,
        bytes: &[u8],
        origin: &str,
    ) -> Result<(), CompileError> {
        let parsed =
            parse_bytes(bytes, origin, &self.parse_options, &mut self.sources);
        if parsed.has_errors() {
            self.warnings.extend(
                parsed.diagnostics.iter().filter(|d| !d.is_error()).cloned(),
            );
            return Err(CompileError::new(parsed.diagnostics, &self.sources));
        }
        // Parse warnings come first in this step's diagnostics.
        let mut diags = parsed.diagnostics;
        // Imports of this source.
        // Imports of earlier sources of this namespace stay visible.
        let mut modules_here =
            self.ns_modules[self.namespace as usize].clone();
        for imp in &parsed.file.imports {
            match modules::find(&imp.module) {
                Some(i) => {
                    let schema = self
                        .schemas
                        .entry(i)
                        .or_insert_with(|| {
                            Arc::new((modules::MODULES[i].schema)())
                        })
                        .clone();
                    modules_here
                        .insert(imp.module.clone(), (i as u32, schema));
                }
                None => diags.push(
                    Diagnostic::error(
                        DiagnosticKind::UnknownModule,
                        format!("unknown module `{}`", imp.module),
                        imp.span,
                    )
                    .with_label(format!("module `{}` not found", imp.module)),
                ),
            }
        }
        if diags.iter().any(|d| d.is_error()) {
            self.warnings
                .extend(diags.iter().filter(|d| !d.is_error()).cloned());
            return Err(CompileError::new(diags, &self.sources));
        }
        // Compile into scratch state, committed only without errors.
        let ns = self.namespace;
        let first_new = self.rules.len();
        let ns_len = self.ns_rules[ns as usize].len();
        let code_len = (
            self.code.nodes.len(),
            self.code.lists.len(),
            self.code.strings.len(),
            self.code.regexes.len(),
        );
        let mut builder = self.builder.take().unwrap_or_else(|| {
            PatternSetBuilder::new(self.pattern_options.clone())
        });
        // Conditions are lowered recursively: give that work a stack
        // deep enough for the deepest tree the parser lets through.
        let done = crate::stack::deep("sigscan-compile", || {
            self.compile_rules(
                &parsed.file.rules,
                &mut builder,
                &modules_here,
                &mut diags,
            )
        });
        let done = matches!(done, Some(Ok(())));
        if !done {
            diags.push(Diagnostic::error(
                DiagnosticKind::TooDeep,
                "internal error while compiling conditions",
                Span::default(),
            ));
        }
        self.builder = Some(builder);
        self.warnings.extend(diags.iter().filter(|d| !d.is_error()).cloned());
        if diags.iter().any(|d| d.is_error()) {
            // Roll back this source's rules and code.
            self.rules.truncate(first_new);
            self.ns_rules[ns as usize].truncate(ns_len);
            self.code.nodes.truncate(code_len.0);
            self.code.lists.truncate(code_len.1);
            self.code.strings.truncate(code_len.2);
            self.code.regexes.truncate(code_len.3);
            self.code.regex_src.truncate(code_len.3);
            return Err(CompileError::new(diags, &self.sources));
        }
        self.ns_modules[ns as usize] = modules_here;
        self.source_digests.push((digest_origin(origin), sha256(bytes)));
        for imp in parsed.file.imports {
            if !self.imports.contains(&imp.module) {
                self.imports.push(imp.module);
            }
        }
        Ok(())
    }

    /// Compiles the rules of one source into `self` (rolled back by the
    /// caller on errors).
    fn compile_rules(
        &mut self,
        rules: &[ast::Rule],
        builder: &mut PatternSetBuilder,
        modules_here: &ModuleMap,
        diags: &mut Vec<Diagnostic>,
    ) {
        let ns = self.namespace;
        let mut seen: HashSet<&str> = HashSet::new();
        for rule in rules {
            let dup = self.ns_rules[ns as usize]
                .iter()
                .any(|r| r.name == rule.name.name)
                || !seen.insert(rule.name.name.as_str());
            if dup {
                diags.push(
                    Diagnostic::error(
                        DiagnosticKind::DuplicateRule,
                        format!("duplicate rule `{}`", rule.name.name),
                        rule.name.span,
                    )
                    .with_label("this rule name is already in use"),
                );
                continue;
            }
            let name = rule.name.name.as_str();
            if self.global_types.contains_key(name)
                || modules_here.contains_key(name)
            {
                diags.push(
                    Diagnostic::error(
                        DiagnosticKind::DuplicateRule,
                        format!(
                            "rule `{name}` conflicts with an existing \
                             identifier"
                        ),
                        rule.name.span,
                    )
                    .with_label(
                        "identifier already in use by a module or a global",
                    ),
                );
                continue;
            }
            let index = self.rules.len() as u32;
            if let Ok(data) =
                self.compile_rule(rule, builder, modules_here, diags)
            {
                self.rules.push(RuleData { namespace: ns, ..data });
            }
            self.ns_rules[ns as usize]
                .push(RuleSym { name: rule.name.name.clone(), index });
        }
    }

    fn compile_rule(
        &mut self,
        rule: &ast::Rule,
        builder: &mut PatternSetBuilder,
        modules_here: &ModuleMap,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<RuleData, ()> {
        let mut syms = Vec::new();
        let mut pats = Vec::new();
        let mut kinds = Vec::new();
        let mut failed = false;
        builder.begin_rule();
        for p in &rule.patterns {
            match builder.add(p, diags) {
                Ok(id) => {
                    let private = p.has(&ast::ModifierKind::Private);
                    syms.push(PatSym {
                        name: p.ident.name.clone(),
                        id,
                        span: p.ident.span,
                        used: false,
                    });
                    pats.push((p.ident.name.clone(), id, private));
                    let kind = match p.kind {
                        ast::PatternKind::Text(_) => PatternKind::Text,
                        ast::PatternKind::Hex(_) => PatternKind::Hex,
                        ast::PatternKind::Regex(_) => PatternKind::Regex,
                    };
                    let mods = p.modifiers.iter().map(|m| m.kind.clone());
                    kinds.push((kind, mods.collect()));
                }
                Err(d) => {
                    failed = true;
                    if !diags.contains(&d) {
                        diags.push(d);
                    }
                }
            }
        }
        if failed {
            return Err(());
        }
        let ns = self.namespace as usize;
        let env = Env {
            rules: &self.ns_rules[ns],
            globals: &self.global_types,
            modules: modules_here,
        };
        let mut lowerer = Lowerer::new(&mut self.code, env, syms, diags);
        let condition = lowerer.condition(&rule.condition)?;
        let anchors = self.code.anchors(condition);
        let referenced = self.code.referenced_patterns(condition);
        if let Err(d) = builder.finish_rule(&anchors, &referenced, diags) {
            diags.push(d);
            return Err(());
        }
        Ok(RuleData {
            namespace: self.namespace,
            name: rule.name.name.clone(),
            tags: rule.tags.iter().map(|t| t.name.clone()).collect(),
            meta: rule
                .meta
                .iter()
                .map(|m| (m.key.name.clone(), m.value.clone()))
                .collect(),
            is_private: rule.is_private,
            is_global: rule.is_global,
            uses_matches: self.code.needs(condition).matches,
            guards: self.code.guards(condition),
            required: self.code.required_patterns(condition),
            condition,
            patterns: pats,
            pattern_kinds: kinds,
        })
    }
}

/// Compiled rules: immutable, `Send + Sync`, shared by any number of
/// scanners.
pub struct Rules {
    pub(crate) rules: Vec<RuleData>,
    pub(crate) namespaces: Vec<String>,
    pub(crate) code: Code,
    pub(crate) patterns: PatternSet,
    pub(crate) globals: Vec<(String, Value)>,
    pub(crate) imports: Vec<String>,
    /// `(origin, SHA-256)` of each source compiled in, in order.
    pub(crate) source_digests: Vec<(String, [u8; 32])>,
    /// Which rules a scan evaluates (derived from `rules`).
    pub(crate) index: RuleIndex,
}

/// Which rules a scan must evaluate: those needing one of the matched
/// patterns ([`RuleData::required`]), and the rest always; and the
/// guards those share.
#[derive(Debug, Default)]
pub(crate) struct RuleIndex {
    /// Rules evaluated on every scan: no required patterns, or global
    /// (a global rule's failure silences its namespace).
    pub always: Vec<u32>,
    /// Guards ([`RuleData::guards`]) of the rules in `always` that
    /// compute the same value ([`Code::shape_key`]), one node for each:
    /// a scan evaluates each once, not once per rule, and skips the
    /// rules of a guard that does not hold.
    pub shared_guards: Vec<NodeId>,
    /// For rule `r`, `guard_ids[rule_guards[r].0..rule_guards[r].1]`
    /// index its guards in `shared_guards` (none for rules not in
    /// `always`).
    rule_guards: Vec<(u32, u32)>,
    guard_ids: Vec<u32>,
    /// Some rule reading pattern matches has no guards: every scan needs
    /// the search.
    pub search_always: bool,
    /// For pattern `p`, `by_pattern[ranges[p].0..ranges[p].1]` are the
    /// rules requiring it.
    ranges: Vec<(u32, u32)>,
    by_pattern: Vec<u32>,
}

impl RuleIndex {
    pub(crate) fn new(
        rules: &[RuleData],
        code: &Code,
        num_patterns: usize,
    ) -> RuleIndex {
        let mut lists = vec![Vec::new(); num_patterns];
        let mut always = Vec::new();
        let mut shared: HashMap<Vec<u8>, u32> = HashMap::new();
        let mut shared_guards = Vec::new();
        let (mut rule_guards, mut guard_ids) = (Vec::new(), Vec::new());
        for (i, r) in rules.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            let start = u32::try_from(guard_ids.len()).unwrap_or(u32::MAX);
            match &r.required {
                Some(req) if !r.is_global => {
                    for &p in req {
                        if let Some(l) = lists.get_mut(p as usize) {
                            l.push(i);
                        }
                    }
                }
                _ => {
                    always.push(i);
                    for &g in &r.guards {
                        let Some(key) = code.shape_key(g) else { continue };
                        let next = shared_guards.len() as u32;
                        let id = *shared.entry(key).or_insert(next);
                        if id == next {
                            shared_guards.push(g);
                        }
                        guard_ids.push(id);
                    }
                }
            }
            let end = u32::try_from(guard_ids.len()).unwrap_or(u32::MAX);
            rule_guards.push((start, end));
        }
        let (mut ranges, mut by_pattern) = (Vec::new(), Vec::new());
        for l in lists {
            let start = u32::try_from(by_pattern.len()).unwrap_or(u32::MAX);
            by_pattern.extend(l);
            let end = u32::try_from(by_pattern.len()).unwrap_or(u32::MAX);
            ranges.push((start, end));
        }
        let search_always =
            rules.iter().any(|r| r.uses_matches && r.guards.is_empty());
        RuleIndex {
            always,
            search_always,
            shared_guards,
            rule_guards,
            guard_ids,
            ranges,
            by_pattern,
        }
    }

    /// Rule `r`'s guards, as indexes into `shared_guards`.
    pub(crate) fn guards_of(&self, r: u32) -> &[u32] {
        let Some(&(a, b)) = self.rule_guards.get(r as usize) else {
            return &[];
        };
        self.guard_ids.get(a as usize..b as usize).unwrap_or(&[])
    }

    /// The rules requiring pattern `p`.
    pub(crate) fn rules_of(&self, p: PatternId) -> &[u32] {
        let Some(&(a, b)) = self.ranges.get(p as usize) else { return &[] };
        self.by_pattern.get(a as usize..b as usize).unwrap_or(&[])
    }
}

/// The SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

/// A source's origin as recorded in the database: an absolute path is
/// cut to its file name so no machine's layout leaks into the bytes.
fn digest_origin(origin: &str) -> String {
    let p = Path::new(origin);
    if p.is_absolute() {
        if let Some(name) = p.file_name() {
            return name.to_string_lossy().into_owned();
        }
    }
    origin.replace('\\', "/")
}

impl fmt::Debug for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rules")
            .field("rules", &self.rules.len())
            .field("patterns", &self.patterns.len())
            .field("nodes", &self.code.nodes.len())
            .field("imports", &self.imports)
            .finish_non_exhaustive()
    }
}

impl Rules {
    /// The number of rules (private ones included).
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Every rule, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = RuleInfo<'_>> {
        (0..self.rules.len()).map(move |i| RuleInfo { rules: self, index: i })
    }

    /// The modules imported by any source.
    pub fn imports(&self) -> impl Iterator<Item = &str> {
        self.imports.iter().map(|s| s.as_str())
    }

    pub(crate) fn global_index(&self, name: &str) -> Option<usize> {
        self.globals.iter().position(|(n, _)| n == name)
    }
}

/// A rule's declaration: names, tags, metadata, modifiers.
#[derive(Clone, Copy)]
pub struct RuleInfo<'r> {
    pub(crate) rules: &'r Rules,
    pub(crate) index: usize,
}

impl fmt::Debug for RuleInfo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleInfo")
            .field("namespace", &self.namespace())
            .field("identifier", &self.identifier())
            .finish_non_exhaustive()
    }
}

impl<'r> RuleInfo<'r> {
    fn data(&self) -> &'r RuleData {
        &self.rules.rules[self.index]
    }

    pub fn identifier(&self) -> &'r str {
        &self.data().name
    }

    pub fn namespace(&self) -> &'r str {
        self.rules
            .namespaces
            .get(self.data().namespace as usize)
            .map_or("default", |s| s.as_str())
    }

    pub fn tags(&self) -> impl ExactSizeIterator<Item = &'r str> + use<'r> {
        self.data().tags.iter().map(|s| s.as_str())
    }

    pub fn metadata(
        &self,
    ) -> impl ExactSizeIterator<Item = (&'r str, &'r MetaValue)> + use<'r>
    {
        self.data().meta.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn is_private(&self) -> bool {
        self.data().is_private
    }

    pub fn is_global(&self) -> bool {
        self.data().is_global
    }
}
