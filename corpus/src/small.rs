//! The small committed corpus: what each file is, and its bytes.

use crate::elf::{self, ElfSpec};
use crate::pe::{self, PeSpec};
use crate::tar;

/// x86 `push ebp; mov ebp, esp; xor eax, eax; pop ebp; ret`, then
/// `int3` padding.
const CODE32: &[u8] =
    b"\x55\x89\xe5\x31\xc0\x5d\xc3\xcc\xcc\xcc\xcc\xcc\xcc\xcc\xcc\xcc";
/// x86-64 `sub rsp, 40; xor ecx, ecx; add rsp, 40; ret`, then `int3`.
const CODE64: &[u8] =
    b"\x48\x83\xec\x28\x31\xc9\x48\x83\xc4\x28\xc3\xcc\xcc\xcc\xcc\xcc";
/// Linux x86-64 `exit(0)`: `mov eax, 60; xor edi, edi; syscall`.
const EXIT64: &[u8] = b"\xb8\x3c\x00\x00\x00\x31\xff\x0f\x05";
/// Linux i386 `exit(0)`: `mov eax, 1; xor ebx, ebx; int 0x80`.
const EXIT32: &[u8] = b"\xb8\x01\x00\x00\x00\x31\xdb\xcd\x80";

const README_TXT: &str = "\
sigscan corpus text sample.
This file is plain ASCII text with a few words rules look for:
password, invoice, http://example.invalid/payload.bin
";

const SCRIPT_SH: &str = "\
#!/bin/sh
# sigscan corpus shell script sample: harmless, never run.
set -eu
url=\"http://example.invalid/stage2.sh\"
echo \"would fetch $url\"
echo 'Y29ycHVzIHNhbXBsZQ==' | base64 -d
";

const SCRIPT_PS1: &str = "\
# sigscan corpus PowerShell sample: harmless, never run.
$u = 'http://example.invalid/a.ps1'
Write-Output \"powershell -nop -w hidden -enc would fetch $u\"
[System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('Y29ycHVz'))
";

const SCRIPT_PY: &str = "\
#!/usr/bin/env python3
\"\"\"sigscan corpus Python sample: harmless, never run.\"\"\"
import base64

print(base64.b64decode(b'Y29ycHVzIHNhbXBsZQ==').decode())
";

const PAGE_HTML: &str = "\
<!DOCTYPE html>
<html><head><title>sigscan corpus</title></head>
<body><p>corpus page</p>
<script>var u = \"http://example.invalid/x.js\"; console.log(u);</script>
</body></html>
";

/// `text` in UTF-16LE with a byte-order mark, as Windows tools write it.
fn utf16le(text: &str) -> Vec<u8> {
    let mut out = vec![0xff, 0xfe];
    for u in text.encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// 32-bit console executable: imports from two DLLs, no exports, a
/// 512-byte overlay.
fn pe32_exe() -> Vec<u8> {
    let mut overlay = b"SIGSCAN-OVERLAY-".repeat(32);
    overlay.truncate(512);
    pe::write(&PeSpec {
        is_64: false,
        is_dll: false,
        code: CODE32.to_vec(),
        data: b"SIGSCAN-CORPUS-PE32\0".to_vec(),
        imports: vec![
            (
                "kernel32.dll".into(),
                strings(&["ExitProcess", "GetProcAddress"]),
            ),
            ("user32.dll".into(), strings(&["MessageBoxA"])),
        ],
        dll_name: String::new(),
        exports: Vec::new(),
        resources: Vec::new(),
        overlay,
        timestamp: 0x5f00_0000,
    })
}

/// 64-bit DLL: three exports, one import, one RT_RCDATA resource, no
/// overlay.
fn pe64_dll() -> Vec<u8> {
    pe::write(&PeSpec {
        is_64: true,
        is_dll: true,
        code: CODE64.to_vec(),
        data: b"SIGSCAN-CORPUS-PE64\0".to_vec(),
        imports: vec![("kernel32.dll".into(), strings(&["GetTickCount"]))],
        dll_name: "corpus64.dll".into(),
        exports: strings(&["sigscan_gamma", "sigscan_alpha", "sigscan_beta"]),
        resources: vec![(10, 1, 0x409, b"SIGSCAN-RESOURCE".to_vec())],
        overlay: Vec::new(),
        timestamp: 0x6000_0000,
    })
}

fn elf(is_64: bool) -> Vec<u8> {
    elf::write(&ElfSpec {
        is_64,
        code: if is_64 { EXIT64 } else { EXIT32 }.to_vec(),
        data: if is_64 {
            b"SIGSCAN-CORPUS-ELF64\0".to_vec()
        } else {
            b"SIGSCAN-CORPUS-ELF32\0".to_vec()
        },
    })
}

/// Every file of the small corpus as `(path under corpus/files, bytes)`,
/// in a fixed order.
pub fn small() -> Vec<(String, Vec<u8>)> {
    let texts: [(&str, &str); 5] = [
        ("text/readme.txt", README_TXT),
        ("text/script.sh", SCRIPT_SH),
        ("text/script.ps1", SCRIPT_PS1),
        ("text/script.py", SCRIPT_PY),
        ("text/page.html", PAGE_HTML),
    ];
    let mut out: Vec<(String, Vec<u8>)> = vec![
        ("pe/pe32-imports-overlay.exe".into(), pe32_exe()),
        ("pe/pe64-exports-resource.dll".into(), pe64_dll()),
        ("elf/elf64-exec".into(), elf(true)),
        ("elf/elf32-exec".into(), elf(false)),
    ];
    for (name, text) in texts {
        out.push((name.into(), text.as_bytes().to_vec()));
    }
    out.push(("text/readme-utf16.txt".into(), utf16le(README_TXT)));
    let entries: Vec<(&str, &[u8])> = texts
        .iter()
        .map(|(n, t)| (n.trim_start_matches("text/"), t.as_bytes()))
        .collect();
    out.push(("archive/texts.tar".into(), tar::write(&entries)));
    out
}
