// The fixed rule set of the `scan` fuzz target: every module the engine
// parses lazily, and literal, hex and regex patterns with modifiers.
import "pe"
import "elf"
import "dotnet"
import "math"
import "hash"

rule literals {
  strings:
    $a = "This program cannot be run in DOS mode" nocase
    $b = "kernel32.dll" ascii wide nocase
    $c = "http" fullword
    $d = "cmd.exe" xor(1-255)
    $e = "powershell" base64 base64wide
  condition:
    any of them
}

rule hex_patterns {
  strings:
    $a = { 4D 5A [2-200] 50 45 00 00 }
    $b = { E8 ?? ?? ?? ?? 5? C3 }
    $c = { 7F 45 4C 46 ( 01 | 02 ) ( 01 | 02 ) ~00 }
    $d = { 68 [4] E8 [-] C3 }
  condition:
    2 of them or for any i in (1..#a) : (@a[i] < 0x100)
}

rule regexes {
  strings:
    $a = /[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,6}/ nocase
    $b = /https?:\/\/[^\x00-\x20"]{4,64}/ ascii wide
    $c = /\b(eval|exec)\s*\(/
  condition:
    any of them
}

rule pe_all {
  condition:
    pe.is_pe and (
      pe.number_of_sections > 0 and
      for any s in pe.sections : (s.name == ".text" and s.raw_data_size > 0)
      or pe.imports("kernel32.dll", "CreateFileA")
      or pe.imports(/kernel32/i, /^Create/)
      or pe.imports(pe.IMPORT_DELAYED, "user32.dll")
      or pe.exports("DllMain") or pe.exports(/^Dll/) or pe.exports(1)
      or pe.imphash() == "d41d8cd98f00b204e9800998ecf8427e"
      or pe.is_dll() or pe.is_32bit() or pe.is_64bit()
      or pe.rva_to_offset(pe.entry_point) > 0
      or pe.section_index(".text") >= 0
      or pe.section_index(pe.entry_point) >= 0
      or pe.number_of_signatures > 0
      or for any sig in pe.signatures : (
        sig.issuer contains "Microsoft" or sig.valid_on(1600000000)
      )
      or pe.rich_signature.toolid(0x5d) > 0
      or pe.rich_signature.version(0x7809) > 0
      or pe.version_info["CompanyName"] contains "Micro"
      or for any r in pe.resources : (r.type == pe.RESOURCE_TYPE_ICON)
      or pe.locale(0x0409) or pe.language(0x09)
      or pe.calculate_checksum() == pe.checksum
      or pe.pdb_path contains "pdb"
      or pe.number_of_imported_functions > 10
    )
}

rule elf_all {
  condition:
    elf.type == elf.ET_EXEC or elf.machine == elf.EM_X86_64
    or elf.entry_point > 0
    or for any s in elf.sections : (s.name == ".text" and s.size > 0)
    or for any g in elf.segments : (g.type == elf.PT_LOAD)
    or for any d in elf.dynamic : (d.type == elf.DT_NEEDED)
    or for any y in elf.symtab : (y.name == "main")
    or for any y in elf.dynsym : (y.name == "printf")
    or elf.telfhash() == "" or elf.import_md5() == ""
}

rule dotnet_all {
  condition:
    dotnet.is_dotnet and (
      dotnet.module_name == "x.dll" or dotnet.version == "v4.0.30319"
      or dotnet.number_of_streams > 3
      or for any s in dotnet.streams : (s.name == "#~")
      or for any g in dotnet.guids : (g != "")
      or for any r in dotnet.resources : (r.length > 0)
      or dotnet.assembly.name == "x"
      or for any a in dotnet.assembly_refs : (a.name == "mscorlib")
      or for any c in dotnet.classes : (c.name == "Program")
      or for any u in dotnet.user_strings : (u contains "http")
    )
}

rule math_hash {
  condition:
    math.entropy(0, filesize) > 7.5
    or math.mean(0, filesize) > 127.0
    or math.serial_correlation(0, filesize) < 0.1
    or math.monte_carlo_pi(0, filesize) < 0.5
    or math.count(0x00, 0, filesize) > 100
    or math.percentage(0xff) > 0.5
    or math.mode() == 0
    or hash.md5(0, filesize) == "d41d8cd98f00b204e9800998ecf8427e"
    or hash.sha1(0, 64) == "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    or hash.sha256(0, filesize) == hash.sha256("")
    or hash.crc32(0, filesize) == 0
    or hash.checksum32(0, 16) == 0
}
