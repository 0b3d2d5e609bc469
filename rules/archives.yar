// Self-extracting archives and other data appended to executables: a PE
// whose overlay (the bytes after its last section) is an archive, or
// looks encrypted or compressed.

import "pe"
import "math"

rule SFX_PE_Zip
{
    meta:
        description = "PE executable with a ZIP archive appended (self-extracting archive)"
        severity = "info"
        reference = "https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT"
    condition:
        pe.is_pe and pe.overlay.size > 30 and
        uint32(pe.overlay.offset) == 0x04034B50
}

rule SFX_PE_7z
{
    meta:
        description = "PE executable with a 7-Zip archive appended (self-extracting archive)"
        severity = "info"
        reference = "https://www.7-zip.org/recover.html"
    strings:
        $sig = { 37 7A BC AF 27 1C }
    condition:
        pe.is_pe and pe.overlay.size > 32 and $sig at pe.overlay.offset
}

rule SFX_PE_RAR
{
    meta:
        description = "PE executable with a RAR archive appended (self-extracting archive)"
        severity = "info"
        reference = "https://www.rarlab.com/technote.htm"
    strings:
        $sig = { 52 61 72 21 1A 07 }
    condition:
        pe.is_pe and pe.overlay.size > 20 and $sig at pe.overlay.offset
}

rule Overlay_PE_High_Entropy
{
    meta:
        description = "PE executable with at least 1 KiB of appended data that looks encrypted or compressed"
        severity = "low"
        reference = "https://attack.mitre.org/techniques/T1027/"
    condition:
        pe.is_pe and pe.overlay.size >= 1024 and
        math.entropy(pe.overlay.offset, pe.overlay.size) >= 7.5
}
