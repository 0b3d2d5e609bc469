#!/usr/bin/env python3
"""Writes the small generated PE seeds of the `pe`, `dotnet` and `scan`
fuzz targets (no copies of real files): a PE32 DLL and a PE32+ EXE with a
rich header, imports (by name and ordinal), exports and a version-less
resource tree, and a PE32 with a CLI header and .NET metadata streams.

    python3 fuzz/seeds/gen_pe.py fuzz/corpus
"""
import struct
import sys
from pathlib import Path

FILE_ALIGN = 0x200
SECT_ALIGN = 0x1000


def align(n, a):
    return (n + a - 1) // a * a


def rich_header(key=0x1234ABCD):
    entries = [(0x5D, 0x7809, 3), (0x104, 0x6B74, 12)]
    words = [0x536E6144 ^ key, key, key, key]  # "DanS" + 3 pads
    for tid, ver, cnt in entries:
        words += [((tid << 16) | ver) ^ key, cnt ^ key]
    body = b"".join(struct.pack("<I", w) for w in words)
    return body + b"Rich" + struct.pack("<I", key)


def build_text(rva, plus, dotnet):
    """The .text section: code, imports, exports, optional CLR data."""
    out = bytearray(b"\x55\x89\xe5\xe8\x00\x00\x00\x00\x5d\xc3")
    out += b"\x00" * (0x40 - len(out))

    def here():
        return rva + len(out)

    def put(b):
        off = here()
        out.extend(b)
        while len(out) % 4:
            out.append(0)
        return off

    dll = put(b"kernel32.dll\x00")
    hint = put(struct.pack("<H", 0) + b"CreateFileA\x00")
    fmt = "<Q" if plus else "<I"
    ord_flag = (1 << 63) if plus else (1 << 31)
    thunks = struct.pack(fmt, hint) + struct.pack(fmt, ord_flag | 17)
    thunks += struct.pack(fmt, 0)
    ilt = put(thunks)
    iat = put(thunks)
    imp = put(
        struct.pack("<5I", ilt, 0, 0, dll, iat) + b"\x00" * 20
    )
    # Exports: one named function.
    name = put(b"seed.dll\x00")
    fname = put(b"DllMain\x00")
    funcs = put(struct.pack("<I", rva))
    names = put(struct.pack("<I", fname))
    ords = put(struct.pack("<H", 0))
    exp = put(
        struct.pack("<2I2H7I", 0, 0, 0, 0, name, 1, 1, 1, funcs, names, ords)
    )
    dirs = {1: (imp, 40), 0: (exp, 40), 12: (iat, len(thunks))}
    if dotnet:
        meta = metadata()
        meta_rva = put(meta)
        cli = put(
            struct.pack("<IHHII", 72, 2, 5, meta_rva, len(meta))
            + struct.pack("<II", 1, 0x06000001)
            + b"\x00" * 48
        )
        dirs[14] = (cli, 72)
    return bytes(out), dirs


def metadata():
    """A metadata root with #~, #Strings, #US, #GUID and #Blob."""
    strings = b"\x00seed.dll\x00Seed\x00Program\x00mscorlib\x00"
    us = b"\x00\x0bh\x00t\x00t\x00p\x00:\x00\x00"
    guid = bytes(range(16))
    blob = b"\x00\x03abc"
    # Tables: Module (0x00), TypeDef (0x02), Assembly (0x20),
    # AssemblyRef (0x23); heaps small (2-byte indexes).
    valid = (1 << 0x00) | (1 << 0x02) | (1 << 0x20) | (1 << 0x23)
    tables = struct.pack("<IBBBBQQ", 0, 2, 0, 0, 1, valid, 0)
    tables += struct.pack("<4I", 1, 1, 1, 1)
    tables += struct.pack("<HHHHH", 0, 1, 1, 0, 0)  # Module
    tables += struct.pack("<IHHHHH", 0, 15, 10, 0, 1, 1)  # TypeDef
    tables += struct.pack("<IHHHHIHHH", 0x8004, 1, 0, 0, 0, 0, 0, 10, 0)
    tables += struct.pack("<HHHHIHHHH", 4, 0, 0, 0, 0, 0, 23, 0, 0)
    while len(tables) % 4:
        tables += b"\x00"
    streams = [
        (b"#~", tables),
        (b"#Strings", strings + b"\x00" * (-len(strings) % 4)),
        (b"#US", us + b"\x00" * (-len(us) % 4)),
        (b"#GUID", guid),
        (b"#Blob", blob + b"\x00" * (-len(blob) % 4)),
    ]
    version = b"v4.0.30319\x00\x00"
    head_len = 16 + len(version) + 4
    for name, _ in streams:
        head_len += 8 + align(len(name) + 1, 4)
    out = struct.pack("<IHHII", 0x424A5342, 1, 1, 0, len(version)) + version
    out += struct.pack("<HH", 0, len(streams))
    off = head_len
    body = b""
    for name, data in streams:
        out += struct.pack("<II", off, len(data))
        out += name + b"\x00" * (align(len(name) + 1, 4) - len(name))
        off += len(data)
        body += data
    return out + body


def pe(plus=False, dll=False, dotnet=False):
    dos = bytearray(b"MZ" + b"\x00" * 0x3A)
    stub = b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21"
    stub += b"This program cannot be run in DOS mode.\r\r\n$\x00"
    rich = rich_header()
    e_lfanew = align(0x40 + len(stub) + len(rich), 8)
    dos += struct.pack("<I", e_lfanew)
    dos += stub + rich
    dos += b"\x00" * (e_lfanew - len(dos))
    text_rva = SECT_ALIGN
    text, dirs = build_text(text_rva, plus, dotnet)
    nsec = 2
    opt_size = 240 if plus else 224
    headers_size = align(e_lfanew + 24 + opt_size + 40 * nsec, FILE_ALIGN)
    text_raw = align(len(text), FILE_ALIGN)
    data = b"seed data\x00" + b"\xcc" * 16
    data_raw = align(len(data), FILE_ALIGN)
    image = SECT_ALIGN * 3
    chars = 0x0102 | (0x2000 if dll else 0) | (0x0020 if plus else 0)
    fh = struct.pack(
        "<HHIIIHH",
        0x8664 if plus else 0x14C,
        nsec,
        0x5F5E100,
        0,
        0,
        opt_size,
        chars,
    )
    magic = 0x20B if plus else 0x10B
    opt = struct.pack(
        "<HBBIIIII", magic, 14, 0, text_raw, data_raw, 0, text_rva,
        text_rva,
    )
    if not plus:
        opt += struct.pack("<II", 2 * SECT_ALIGN, 0x400000)
    else:
        opt += struct.pack("<Q", 0x140000000)
    opt += struct.pack(
        "<IIHHHHHHIIIIHH",
        SECT_ALIGN, FILE_ALIGN, 6, 0, 0, 0, 6, 0, 0, image, headers_size,
        0, 2 if not dll else 3, 0x8140,
    )
    sizes = "<QQQQ" if plus else "<IIII"
    opt += struct.pack(sizes, 0x100000, 0x1000, 0x100000, 0x1000)
    opt += struct.pack("<II", 0, 16)
    for i in range(16):
        opt += struct.pack("<II", *dirs.get(i, (0, 0)))
    assert len(opt) == opt_size, (len(opt), opt_size)

    def sec(name, vsize, rva, raw_size, raw_off, ch):
        return struct.pack(
            "<8sIIIIIIHHI", name, vsize, rva, raw_size, raw_off, 0, 0, 0, 0,
            ch,
        )

    secs = sec(b".text", len(text), text_rva, text_raw, headers_size,
               0x60000020)
    secs += sec(b".data", len(data), 2 * SECT_ALIGN, data_raw,
                headers_size + text_raw, 0xC0000040)
    head = bytes(dos) + b"PE\x00\x00" + fh + opt + secs
    head += b"\x00" * (headers_size - len(head))
    body = text + b"\x00" * (text_raw - len(text))
    body += data + b"\x00" * (data_raw - len(data))
    return head + body


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    files = {
        "pe/pe32_dll": pe(plus=False, dll=True),
        "pe/pe64_exe": pe(plus=True),
        "pe/dotnet": pe(dotnet=True),
        "dotnet/dotnet": pe(dotnet=True),
        "dotnet/pe32_dll": pe(plus=False, dll=True),
        "scan/pe32_dll": pe(plus=False, dll=True),
        "scan/dotnet": pe(dotnet=True),
    }
    for name, data in files.items():
        p = out / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


if __name__ == "__main__":
    main()
