//! The `pe` module as rules see it: YARA-X's schema (fields, functions
//! and constants) over the parsed [`Pe`].
//!
//! `main` parses once per scan and keeps the [`Pe`] in the root value's
//! native slot (see [`super::super::Ctx::native`]) for the functions.

use std::sync::{Arc, OnceLock};

use super::super::shape::{Shape, slot_of, struct_type};
use super::super::{Arg, Ctx, ModFn, Native, StructType, Type, Value, sig};
use super::consts::CONSTANTS;
use super::{
    Certificate, CounterSignature, DirEntry, Export, Function, Import, Match,
    Pe, Resource, RichSignature, RichTool, Section, SignerInfo, Version,
};

pub(crate) fn schema() -> StructType {
    struct_type(root)
}

pub(crate) fn main(data: &[u8]) -> Value {
    let pe = super::parse(data);
    let mut s = Shape::values();
    root(&mut s, pe.as_ref());
    let Value::Struct(mut slots) = s.into_value() else {
        return Value::Undef;
    };
    if let Some(pe) = pe {
        slots.push(Value::Native(Native(Arc::new(pe))));
    }
    Value::Struct(slots)
}

fn version(s: &mut Shape, v: Option<&Version>) {
    s.int("major", v.map(|v| v.major));
    s.int("minor", v.map(|v| v.minor));
}

fn key_value(s: &mut Shape, v: Option<&(String, String)>) {
    s.str("key", v.map(|v| &v.0));
    s.str("value", v.map(|v| &v.1));
}

fn section(s: &mut Shape, v: Option<&Section>) {
    s.bytes("name", v.map(|v| &v.name));
    s.bytes("full_name", v.map(|v| &v.full_name));
    s.int("characteristics", v.map(|v| v.characteristics));
    s.int("raw_data_size", v.map(|v| v.raw_data_size));
    s.int("raw_data_offset", v.map(|v| v.raw_data_offset));
    s.int("virtual_address", v.map(|v| v.virtual_address));
    s.int("virtual_size", v.map(|v| v.virtual_size));
    s.int("pointer_to_relocations", v.map(|v| v.pointer_to_relocations));
    s.int("pointer_to_line_numbers", v.map(|v| v.pointer_to_line_numbers));
    s.int("number_of_relocations", v.map(|v| v.number_of_relocations));
    s.int("number_of_line_numbers", v.map(|v| v.number_of_line_numbers));
}

fn dir_entry(s: &mut Shape, v: Option<&DirEntry>) {
    s.int("virtual_address", v.map(|v| v.virtual_address));
    s.int("size", v.map(|v| v.size));
}

fn resource(s: &mut Shape, v: Option<&Resource>) {
    s.int("length", v.map(|v| v.length));
    s.int("rva", v.map(|v| v.rva));
    s.int("offset", v.and_then(|v| v.offset));
    s.enumerated("type", v.and_then(|v| v.type_), CONSTANTS, "RESOURCE_TYPE_");
    s.int("id", v.and_then(|v| v.id));
    s.int("language", v.and_then(|v| v.language));
    s.bytes("type_string", v.and_then(|v| v.type_string.as_ref()));
    s.bytes("name_string", v.and_then(|v| v.name_string.as_ref()));
    s.bytes("language_string", v.and_then(|v| v.language_string.as_ref()));
}

fn function(s: &mut Shape, v: Option<&Function>) {
    s.str("name", v.and_then(|v| v.name.as_ref()));
    s.int("ordinal", v.and_then(|v| v.ordinal));
    s.int("rva", v.map(|v| v.rva));
}

fn import(s: &mut Shape, v: Option<&Import>) {
    s.str("library_name", v.map(|v| &v.library_name));
    s.int("number_of_functions", v.map(|v| v.functions.len()));
    s.array("functions", v.map_or(&[], |v| &v.functions), function);
}

fn export(s: &mut Shape, v: Option<&Export>) {
    s.str("name", v.and_then(|v| v.name.as_ref()));
    s.int("ordinal", v.map(|v| v.ordinal));
    s.int("rva", v.map(|v| v.rva));
    s.int("offset", v.and_then(|v| v.offset));
    s.str("forward_name", v.and_then(|v| v.forward_name.as_ref()));
}

/// The fields of a `Certificate`.
fn cert_fields(s: &mut Shape, v: Option<&Certificate>) {
    s.str("issuer", v.map(|v| &v.issuer));
    s.str("subject", v.map(|v| &v.subject));
    cert_rest(s, v);
}

/// The certificate fields after `issuer` and `subject`, shared by
/// `Certificate` and `Signature` (which has them in the other order).
fn cert_rest(s: &mut Shape, v: Option<&Certificate>) {
    s.str("thumbprint", v.map(|v| &v.thumbprint));
    s.int("version", v.map(|v| v.version));
    s.str("algorithm", v.map(|v| &v.algorithm));
    s.str("algorithm_oid", v.map(|v| &v.algorithm_oid));
    s.str("serial", v.map(|v| &v.serial));
    s.time("not_before", v.map(|v| v.not_before));
    s.time("not_after", v.map(|v| v.not_after));
}

fn signer_info(s: &mut Shape, v: Option<&SignerInfo>) {
    s.str("program_name", v.and_then(|v| v.program_name.as_ref()));
    s.str("more_info", v.and_then(|v| v.more_info.as_ref()));
    s.str("digest", v.and_then(|v| v.digest.as_ref()));
    s.str("digest_alg", v.and_then(|v| v.digest_alg.as_ref()));
    s.array("chain", v.map_or(&[], |v| &v.chain), cert_fields);
}

fn countersignature(s: &mut Shape, v: Option<&CounterSignature>) {
    s.bool("verified", v.map(|v| v.verified));
    s.time("sign_time", v.and_then(|v| v.sign_time));
    s.str("digest", v.and_then(|v| v.digest.as_ref()));
    s.str("digest_alg", v.and_then(|v| v.digest_alg.as_ref()));
    s.array("chain", v.map_or(&[], |v| &v.chain), cert_fields);
}

fn signature(s: &mut Shape, v: Option<&super::Signature>) {
    let cert = v.and_then(|v| v.cert.as_ref());
    s.str("subject", cert.map(|v| &v.subject));
    s.str("issuer", cert.map(|v| &v.issuer));
    cert_rest(s, cert);
    s.bool("verified", v.map(|v| v.verified));
    s.str("digest_alg", v.and_then(|v| v.digest_alg.as_ref()));
    s.str("digest", v.and_then(|v| v.digest.as_ref()));
    s.str("file_digest", v.and_then(|v| v.file_digest.as_ref()));
    s.int("number_of_certificates", v.map(|v| v.certificates.len()));
    s.int("number_of_countersignatures", v.map(|v| v.countersignatures.len()));
    s.strct(
        "signer_info",
        v.and_then(|v| v.signer_info.as_ref()),
        signer_info,
    );
    s.array("certificates", v.map_or(&[], |v| &v.certificates), cert_fields);
    s.array(
        "countersignatures",
        v.map_or(&[], |v| &v.countersignatures),
        countersignature,
    );
    s.func("valid_on", || vec![sig(&[Type::Int], Type::Bool, valid_on)]);
}

fn rich_tool(s: &mut Shape, v: Option<&RichTool>) {
    s.int("toolid", v.map(|v| v.toolid));
    s.int("version", v.map(|v| v.version));
    s.int("times", v.map(|v| v.times));
}

fn rich_signature(s: &mut Shape, v: Option<&RichSignature>) {
    use Type::Int as I;
    s.int("offset", v.map(|v| v.offset));
    s.int("length", v.map(|v| v.length));
    s.int("key", v.map(|v| v.key));
    s.bytes("raw_data", v.map(|v| &v.raw_data));
    s.bytes("clear_data", v.map(|v| &v.clear_data));
    s.array("tools", v.map_or(&[], |v| &v.tools), rich_tool);
    s.func("version", || {
        vec![sig(&[I], I, rich_version), sig(&[I, I], I, rich_version)]
    });
    s.func("toolid", || {
        vec![sig(&[I], I, rich_toolid), sig(&[I, I], I, rich_toolid)]
    });
}

fn overlay(s: &mut Shape, v: Option<&super::Overlay>) {
    s.int("offset", v.map(|v| v.offset));
    s.int("size", v.map(|v| v.size));
}

fn root(s: &mut Shape, pe: Option<&Pe>) {
    use Type::{Bool as B, Int as I, Regex as R, Str as S};
    let p = pe;
    s.bool("is_pe", Some(pe.is_some()));
    s.enumerated("machine", p.map(|p| p.machine), CONSTANTS, "MACHINE_");
    s.enumerated("subsystem", p.map(|p| p.subsystem), CONSTANTS, "SUBSYSTEM_");
    s.strct("os_version", p.map(|p| &p.os_version), version);
    s.strct("subsystem_version", p.map(|p| &p.subsystem_version), version);
    s.strct("image_version", p.map(|p| &p.image_version), version);
    s.strct("linker_version", p.map(|p| &p.linker_version), version);
    s.enumerated(
        "opthdr_magic",
        p.map(|p| p.opthdr_magic),
        CONSTANTS,
        "IMAGE_NT_OPTIONAL_HDR",
    );
    s.int("characteristics", p.map(|p| p.characteristics));
    s.int("dll_characteristics", p.map(|p| p.dll_characteristics));
    s.time("timestamp", p.map(|p| p.timestamp));
    s.int("image_base", p.map(|p| p.image_base));
    s.int("checksum", p.map(|p| p.checksum));
    s.int("base_of_code", p.map(|p| p.base_of_code));
    s.int("base_of_data", p.and_then(|p| p.base_of_data));
    s.int("entry_point", p.and_then(|p| p.entry_point));
    s.int("entry_point_raw", p.map(|p| p.entry_point_raw));
    s.str("dll_name", p.and_then(|p| p.dll_name.as_ref()));
    s.time("export_timestamp", p.and_then(|p| p.export_timestamp));
    s.int("section_alignment", p.map(|p| p.section_alignment));
    s.int("file_alignment", p.map(|p| p.file_alignment));
    s.int("loader_flags", p.map(|p| p.loader_flags));
    s.int("size_of_optional_header", p.map(|p| p.size_of_optional_header));
    s.int("size_of_code", p.map(|p| p.size_of_code));
    s.int("size_of_initialized_data", p.map(|p| p.size_of_initialized_data));
    s.int(
        "size_of_uninitialized_data",
        p.map(|p| p.size_of_uninitialized_data),
    );
    s.int("size_of_image", p.map(|p| p.size_of_image));
    s.int("size_of_headers", p.map(|p| p.size_of_headers));
    s.int("size_of_stack_reserve", p.map(|p| p.size_of_stack_reserve));
    s.int("size_of_stack_commit", p.map(|p| p.size_of_stack_commit));
    s.int("size_of_heap_reserve", p.map(|p| p.size_of_heap_reserve));
    s.int("size_of_heap_commit", p.map(|p| p.size_of_heap_commit));
    s.int("pointer_to_symbol_table", p.map(|p| p.pointer_to_symbol_table));
    s.int("win32_version_value", p.map(|p| p.win32_version_value));
    s.int("number_of_symbols", p.map(|p| p.number_of_symbols));
    s.int("number_of_rva_and_sizes", p.map(|p| p.number_of_rva_and_sizes));
    s.int("number_of_sections", p.map(|p| p.number_of_sections()));
    s.int(
        "number_of_imported_functions",
        p.map(|p| p.number_of_imported_functions()),
    );
    s.int(
        "number_of_delayed_imported_functions",
        p.map(|p| p.number_of_delayed_imported_functions()),
    );
    s.int("number_of_resources", p.map(|p| p.number_of_resources()));
    s.int("number_of_version_infos", p.map(|p| p.number_of_version_infos()));
    s.int("number_of_imports", p.map(|p| p.number_of_imports()));
    s.int(
        "number_of_delayed_imports",
        p.map(|p| p.number_of_delayed_imports()),
    );
    s.int("number_of_exports", p.map(|p| p.number_of_exports()));
    s.int("number_of_signatures", p.map(|p| p.number_of_signatures()));
    s.field("version_info", Type::Dict(Box::new(S)), || {
        let mut d = std::collections::BTreeMap::new();
        for (k, v) in p.map_or(&[][..], |p| &p.version_info_list) {
            d.insert(k.as_bytes().to_vec(), Value::Str(v.as_bytes().to_vec()));
        }
        Value::Dict(d)
    });
    s.array(
        "version_info_list",
        p.map_or(&[], |p| &p.version_info_list),
        key_value,
    );
    s.strct_always(
        "rich_signature",
        p.and_then(|p| p.rich_signature.as_ref()),
        rich_signature,
    );
    s.bytes("pdb_path", p.and_then(|p| p.pdb_path.as_ref()));
    s.array("sections", p.map_or(&[], |p| &p.sections), section);
    s.array(
        "data_directories",
        p.map_or(&[], |p| &p.data_directories),
        dir_entry,
    );
    s.time("resource_timestamp", p.and_then(|p| p.resource_timestamp));
    s.strct(
        "resource_version",
        p.and_then(|p| p.resource_version.as_ref()),
        version,
    );
    s.array("resources", p.map_or(&[], |p| &p.resources), resource);
    s.array("import_details", p.map_or(&[], |p| &p.import_details), import);
    s.array(
        "delayed_import_details",
        p.map_or(&[], |p| &p.delayed_import_details),
        import,
    );
    s.array("export_details", p.map_or(&[], |p| &p.export_details), export);
    s.bool("is_signed", p.map(|p| p.is_signed()));
    s.array("signatures", p.map_or(&[], |p| &p.signatures), signature);
    s.strct("overlay", p.map(|p| &p.overlay), overlay);

    // Functions.
    s.func("is_dll", || vec![sig(&[], B, is_dll)]);
    s.func("is_32bit", || vec![sig(&[], B, is_32bit)]);
    s.func("is_64bit", || vec![sig(&[], B, is_64bit)]);
    s.func("calculate_checksum", || vec![sig(&[], I, calculate_checksum)]);
    s.func("imphash", || vec![sig(&[], S, imphash)]);
    s.func("section_index", || {
        vec![sig(&[S], I, section_index), sig(&[I], I, section_index)]
    });
    s.func("exports", || {
        vec![
            sig(&[S], B, exports),
            sig(&[I], B, exports),
            sig(&[R], B, exports),
        ]
    });
    s.func("exports_index", || {
        vec![
            sig(&[S], I, exports_index),
            sig(&[I], I, exports_index),
            sig(&[R], I, exports_index),
        ]
    });
    s.func("imports", || {
        let f: ModFn = imports;
        vec![
            sig(&[S, S], B, f),
            sig(&[S, I], B, f),
            sig(&[S], I, f),
            sig(&[R, R], I, f),
            sig(&[I, S, S], B, f),
            sig(&[I, S, I], B, f),
            sig(&[I, S], I, f),
            sig(&[I, R, R], I, f),
        ]
    });
    s.func("import_rva", || {
        vec![sig(&[S, S], I, import_rva), sig(&[S, I], I, import_rva)]
    });
    s.func("delayed_import_rva", || {
        vec![
            sig(&[S, S], I, delayed_import_rva),
            sig(&[S, I], I, delayed_import_rva),
        ]
    });
    s.func("locale", || vec![sig(&[I], B, locale)]);
    s.func("language", || vec![sig(&[I], B, language)]);
    s.func("rva_to_offset", || vec![sig(&[I], I, rva_to_offset)]);
    s.func("offset_to_rva", || vec![sig(&[I], I, offset_to_rva)]);

    s.consts(CONSTANTS);
}

// ---- functions

fn pe<'a>(ctx: &Ctx<'a>) -> Option<&'a Pe> {
    ctx.native::<Pe>()
}

/// The parsed PE, or an empty one for data that is not PE: YARA-X's
/// `imports`, `exports`, `locale`, `language` and the rich signature
/// functions are false or zero there, not undefined.
fn pe_or_empty<'a>(ctx: &Ctx<'a>) -> &'a Pe {
    static EMPTY: OnceLock<Pe> = OnceLock::new();
    pe(ctx).unwrap_or_else(|| EMPTY.get_or_init(Pe::default))
}

fn is_dll(ctx: &Ctx<'_>, _: &[Arg<'_>]) -> Option<Value> {
    Some(Value::Bool(pe(ctx)?.is_dll()))
}

fn is_32bit(ctx: &Ctx<'_>, _: &[Arg<'_>]) -> Option<Value> {
    Some(Value::Bool(pe(ctx)?.is_32bit()))
}

fn is_64bit(ctx: &Ctx<'_>, _: &[Arg<'_>]) -> Option<Value> {
    Some(Value::Bool(pe(ctx)?.is_64bit()))
}

fn calculate_checksum(ctx: &Ctx<'_>, _: &[Arg<'_>]) -> Option<Value> {
    Some(Value::Int(pe(ctx)?.calculate_checksum(ctx.data)))
}

fn imphash(ctx: &Ctx<'_>, _: &[Arg<'_>]) -> Option<Value> {
    Some(Value::Str(pe(ctx)?.imphash().into_bytes()))
}

fn section_index(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let pe = pe(ctx)?;
    let i = match a.first()? {
        Arg::Str(name) => pe.section_index_by_name(name),
        Arg::Int(off) => pe.section_index_by_offset(*off),
        _ => None,
    };
    i.map(Value::Int)
}

/// Calls `f` with the [`Match`] an argument stands for.
fn with_match<R>(a: &Arg<'_>, f: impl FnOnce(&Match) -> R) -> R {
    match *a {
        Arg::Str(s) => f(&Match::Name(s)),
        Arg::Int(o) => f(&Match::Ordinal(o)),
        Arg::Regex(re) => f(&Match::Regex(&|s: &[u8]| re.is_match(s))),
        _ => f(&Match::Any),
    }
}

fn exports(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let pe = pe_or_empty(ctx);
    Some(Value::Bool(with_match(a.first()?, |m| pe.exports(m))))
}

fn exports_index(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let pe = pe(ctx)?;
    with_match(a.first()?, |m| pe.exports_index(m)).map(Value::Int)
}

/// Every overload of `pe.imports`: an optional leading flags argument,
/// then a DLL and an optional function. The overloads with a named
/// function or an ordinal are booleans, the others counts.
fn imports(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let pe = pe_or_empty(ctx);
    let (flags, rest) = match a {
        [Arg::Int(f), rest @ ..] => (*f, rest),
        _ => (super::IMPORT_STANDARD, a),
    };
    let dll = rest.first()?;
    let func = rest.get(1).copied();
    let boolean = matches!(func, Some(Arg::Str(_) | Arg::Int(_)));
    let n = with_match(dll, |d| match &func {
        Some(f) => with_match(f, |f| pe.imports(flags, d, f)),
        None => pe.imports(flags, d, &Match::Any),
    });
    Some(if boolean { Value::Bool(n > 0) } else { Value::Int(n) })
}

fn import_rva_in(ctx: &Ctx<'_>, a: &[Arg<'_>], delayed: bool) -> Option<i64> {
    let pe = pe(ctx)?;
    let dll = a.first()?.str()?;
    with_match(a.get(1)?, |f| pe.import_rva(delayed, dll, f))
}

fn import_rva(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    import_rva_in(ctx, a, false).map(Value::Int)
}

fn delayed_import_rva(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    import_rva_in(ctx, a, true).map(Value::Int)
}

fn locale(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    Some(Value::Bool(pe_or_empty(ctx).locale(a.first()?.int()?)))
}

fn language(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    Some(Value::Bool(pe_or_empty(ctx).language(a.first()?.int()?)))
}

fn rva_to_offset(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    pe(ctx)?.rva_to_offset(a.first()?.int()?).map(Value::Int)
}

fn offset_to_rva(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    pe(ctx)?.offset_to_rva(a.first()?.int()?).map(Value::Int)
}

fn rich_version(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let toolid = a.get(1).and_then(Arg::int);
    let v = a.first()?.int()?;
    let rich = pe_or_empty(ctx).rich_signature.as_ref();
    Some(Value::Int(rich.map_or(0, |r| r.version(v, toolid))))
}

fn rich_toolid(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    let version = a.get(1).and_then(Arg::int);
    let id = a.first()?.int()?;
    let rich = pe_or_empty(ctx).rich_signature.as_ref();
    Some(Value::Int(rich.map_or(0, |r| r.toolid(id, version))))
}

/// `signatures[i].valid_on(t)`: read from the signature's own slots.
fn valid_on(ctx: &Ctx<'_>, a: &[Arg<'_>]) -> Option<Value> {
    static SLOTS: OnceLock<Option<(usize, usize)>> = OnceLock::new();
    let (nb, na) = (*SLOTS.get_or_init(|| {
        let ty = struct_type(signature);
        Some((slot_of(&ty, "not_before")?, slot_of(&ty, "not_after")?))
    }))?;
    let Value::Struct(slots) = ctx.this else { return None };
    let (Value::Int(nb), Value::Int(na)) = (slots.get(nb)?, slots.get(na)?)
    else {
        return None;
    };
    let t = a.first()?.int()?;
    Some(Value::Bool(*nb <= t && t <= *na))
}
