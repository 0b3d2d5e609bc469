//! The `dotnet` module as rules see it: YARA-X's schema over the parsed
//! [`Dotnet`].

use super::super::shape::{Shape, struct_type};
use super::super::{Format, StructType, Type, Value};
use super::classes::{Class, Method, Param};
use super::{Assembly, AssemblyRef, Dotnet, Resource, Stream, Version};

pub(crate) fn schema() -> StructType {
    struct_type(root)
}

pub(crate) fn main(data: &[u8]) -> Value {
    let d = super::parse(data);
    let mut s = Shape::values();
    root(&mut s, d.as_ref());
    s.into_value()
}

fn version(s: &mut Shape, v: Option<&Version>) {
    s.int("major", v.map(|v| v.major));
    s.int("minor", v.map(|v| v.minor));
    s.int("build_number", v.map(|v| v.build_number));
    s.int("revision_number", v.map(|v| v.revision_number));
}

fn assembly(s: &mut Shape, v: Option<&Assembly>) {
    s.str("name", v.and_then(|v| v.name.as_ref()));
    s.str("culture", v.and_then(|v| v.culture.as_ref()));
    s.strct("version", v.map(|v| &v.version), version);
}

fn assembly_ref(s: &mut Shape, v: Option<&AssemblyRef>) {
    s.str("name", v.and_then(|v| v.name.as_ref()));
    s.bytes(
        "public_key_or_token",
        v.and_then(|v| v.public_key_or_token.as_ref()),
    );
    s.strct("version", v.map(|v| &v.version), version);
}

fn stream(s: &mut Shape, v: Option<&Stream>) {
    s.str("name", v.and_then(|v| v.name.as_ref()));
    s.int("offset", v.map(|v| v.offset));
    s.int("size", v.map(|v| v.size));
}

fn resource(s: &mut Shape, v: Option<&Resource>) {
    s.int("offset", v.and_then(|v| v.offset));
    s.int("length", v.and_then(|v| v.length));
    s.str("name", v.and_then(|v| v.name.as_ref()));
}

fn param(s: &mut Shape, v: Option<&Param>) {
    s.str("name", v.map(|v| &v.name));
    s.str("type", v.map(|v| &v.type_));
}

fn method(s: &mut Shape, v: Option<&Method>) {
    s.str("name", v.map(|v| &v.name));
    s.str("visibility", v.map(|v| v.visibility));
    s.bool("abstract", v.map(|v| v.is_abstract));
    s.bool("static", v.map(|v| v.is_static));
    s.bool("virtual", v.map(|v| v.is_virtual));
    s.bool("final", v.map(|v| v.is_final));
    s.str("return_type", v.and_then(|v| v.return_type.as_ref()));
    s.int(
        "number_of_generic_parameters",
        v.map(|v| v.generic_parameters.len()),
    );
    s.int("number_of_parameters", v.map(|v| v.parameters.len()));
    s.scalars(
        "generic_parameters",
        Type::Str,
        strs(
            v.into_iter().flat_map(|v| {
                v.generic_parameters.iter().map(|g| g.as_bytes())
            }),
        ),
    );
    s.array("parameters", v.map_or(&[], |v| &v.parameters), param);
}

fn class(s: &mut Shape, v: Option<&Class>) {
    s.str("fullname", v.and_then(|v| v.fullname.as_ref()));
    s.str("name", v.and_then(|v| v.name()));
    s.str("namespace", v.and_then(|v| v.namespace()));
    s.str("visibility", v.map(|v| v.visibility));
    s.str("type", v.map(|v| if v.interface { "interface" } else { "class" }));
    s.bool("abstract", v.map(|v| v.is_abstract));
    s.bool("sealed", v.map(|v| v.sealed));
    s.int("number_of_base_types", v.map(|v| v.base_types.len()));
    s.int(
        "number_of_generic_parameters",
        v.map(|v| v.generic_parameters.len()),
    );
    s.int("number_of_methods", v.map(|v| v.methods.len()));
    s.scalars(
        "base_types",
        Type::Str,
        strs(
            v.into_iter()
                .flat_map(|v| v.base_types.iter().map(|b| b.as_bytes())),
        ),
    );
    s.scalars(
        "generic_parameters",
        Type::Str,
        strs(
            v.into_iter().flat_map(|v| {
                v.generic_parameters.iter().map(|g| g.as_bytes())
            }),
        ),
    );
    s.array("methods", v.map_or(&[], |v| &v.methods), method);
}

fn strs<'a>(
    items: impl IntoIterator<Item = &'a [u8]> + 'a,
) -> impl FnOnce() -> Vec<Value> + 'a {
    move || items.into_iter().map(|s| Value::Str(s.to_vec())).collect()
}

fn root(s: &mut Shape, d: Option<&Dotnet>) {
    s.bool("is_dotnet", Some(d.is_some()));
    s.str("module_name", d.and_then(|d| d.module_name.as_ref()));
    s.str("version", d.map(|d| &d.version));
    s.int("number_of_streams", d.map(|d| d.number_of_streams()));
    s.int("number_of_guids", d.map(|d| d.number_of_guids()));
    s.int("number_of_resources", d.map(|d| d.number_of_resources()));
    s.int("number_of_generic_parameters", None::<i64>);
    s.int("number_of_classes", d.map(|d| d.classes.len()));
    s.int("number_of_assembly_refs", d.map(|d| d.number_of_assembly_refs()));
    s.int("number_of_modulerefs", d.map(|d| d.number_of_modulerefs()));
    s.int("number_of_user_strings", d.map(|d| d.number_of_user_strings()));
    s.int("number_of_constants", d.map(|d| d.number_of_constants()));
    s.int("number_of_field_offsets", d.map(|d| d.number_of_field_offsets()));
    s.str("typelib", d.and_then(|d| d.typelib.as_ref()));
    s.array("streams", d.map_or(&[], |d| &d.streams), stream);
    s.scalars(
        "guids",
        Type::Str,
        strs(d.into_iter().flat_map(|d| d.guids.iter().map(|g| g.as_bytes()))),
    );
    s.scalars(
        "constants",
        Type::Str,
        strs(d.into_iter().flat_map(|d| d.constants.iter().map(|c| &c[..]))),
    );
    s.format(Format::Bytes);
    s.strct("assembly", d.and_then(|d| d.assembly.as_ref()), assembly);
    s.array(
        "assembly_refs",
        d.map_or(&[], |d| &d.assembly_refs),
        assembly_ref,
    );
    s.array("resources", d.map_or(&[], |d| &d.resources), resource);
    s.array("classes", d.map_or(&[], |d| &d.classes), class);
    s.scalars("field_offsets", Type::Int, || {
        d.into_iter()
            .flat_map(|d| d.field_offsets.iter())
            .map(|&o| Value::Int(i64::from(o)))
            .collect::<Vec<_>>()
    });
    s.scalars(
        "user_strings",
        Type::Str,
        strs(
            d.into_iter().flat_map(|d| d.user_strings.iter().map(|u| &u[..])),
        ),
    );
    s.format(Format::Bytes);
    s.scalars(
        "modulerefs",
        Type::Str,
        strs(
            d.into_iter()
                .flat_map(|d| d.modulerefs.iter().map(|m| m.as_bytes())),
        ),
    );
}
