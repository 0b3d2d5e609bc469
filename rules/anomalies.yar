// Structural anomalies of executables: things compilers and linkers do
// not produce, but packers, protectors and hand-made loaders do.

import "pe"
import "elf"

rule Anomaly_PE_EntryPoint_Outside_Sections
{
    meta:
        description = "PE whose entry point lies in no section"
        severity = "low"
        reference = "https://learn.microsoft.com/en-us/windows/win32/debug/pe-format#optional-header-standard-fields-image-only"
    condition:
        pe.is_pe and pe.entry_point_raw != 0 and
        not for any s in pe.sections : (
            pe.entry_point_raw >= s.virtual_address and
            pe.entry_point_raw < s.virtual_address + s.virtual_size
        )
}

rule Anomaly_PE_Writable_Executable_Section
{
    meta:
        description = "PE with a section that is both writable and executable"
        severity = "low"
        reference = "https://learn.microsoft.com/en-us/windows/win32/debug/pe-format#section-flags"
    condition:
        pe.is_pe and
        for any s in pe.sections : (
            s.characteristics & pe.SECTION_MEM_WRITE != 0 and
            s.characteristics & pe.SECTION_MEM_EXECUTE != 0
        )
}

rule Anomaly_ELF_Writable_Executable_Segment
{
    meta:
        description = "ELF with a loadable segment that is both writable and executable"
        severity = "low"
        reference = "https://refspecs.linuxfoundation.org/elf/gabi4+/ch5.pheader.html"
    condition:
        uint32(0) == 0x464C457F and
        for any s in elf.segments : (
            s.type == elf.PT_LOAD and s.flags & elf.PF_W != 0 and
            s.flags & elf.PF_X != 0
        )
}

rule Anomaly_ELF_EntryPoint_Outside_Segments
{
    meta:
        description = "64-bit ELF executable whose entry point lies in no loadable segment"
        severity = "low"
        reference = "https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.eheader.html"
    condition:
        // Little-endian ELF64, an executable or a position-independent
        // one, with an entry point (e_entry, read from the header).
        uint32(0) == 0x464C457F and uint8(4) == 2 and uint8(5) == 1 and
        (uint16(16) == 2 or uint16(16) == 3) and
        (uint32(24) | (uint32(28) << 32)) != 0 and
        not for any s in elf.segments : (
            s.type == elf.PT_LOAD and
            (uint32(24) | (uint32(28) << 32)) >= s.virtual_address and
            (uint32(24) | (uint32(28) << 32)) < s.virtual_address + s.memory_size
        )
}
