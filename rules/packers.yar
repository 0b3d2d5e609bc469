// Executables packed with common packers. A packer is not malicious by
// itself, but unpacked-looking software rarely ships packed.

import "pe"

rule Packer_UPX_PE
{
    meta:
        description = "PE executable packed with UPX"
        severity = "low"
        reference = "https://upx.github.io/"
    strings:
        $upx0 = "UPX0\x00"
        $upx1 = "UPX1\x00"
        $magic = "UPX!"
    condition:
        uint16(0) == 0x5A4D and
        uint32(uint32(0x3C)) == 0x00004550 and
        $upx0 in (0..1024) and $upx1 in (0..1024) and $magic
}

rule Packer_UPX_ELF
{
    meta:
        description = "ELF executable packed with UPX"
        severity = "low"
        reference = "https://upx.github.io/"
    strings:
        $magic = "UPX!"
        $banner = "$Info: This file is packed with the UPX executable packer"
    condition:
        uint32(0) == 0x464C457F and $magic in (0..1024) and
        (#magic >= 2 or $banner)
}

rule Packer_MPRESS_PE
{
    meta:
        description = "PE executable packed with MPRESS"
        severity = "low"
        reference = "https://www.matcode.com/mpress.htm"
    strings:
        $s1 = ".MPRESS1"
        $s2 = ".MPRESS2"
    condition:
        uint16(0) == 0x5A4D and all of them
}

rule Packer_ASPack_PE
{
    meta:
        description = "PE executable packed with ASPack: its section or its entry-point code"
        severity = "low"
        reference = "http://www.aspack.com/aspack.html"
    strings:
        // pushad; call $+8; jmp …: ASPack 2.x's unpacking stub.
        $ep = { 60 E8 03 00 00 00 E9 EB 04 5D 45 55 C3 E8 01 }
    condition:
        pe.is_pe and
        (for any s in pe.sections : (s.name == ".aspack" or s.name == ".adata") or
         $ep at pe.entry_point)
}

rule Packer_Themida_PE
{
    meta:
        description = "PE executable protected with Themida or WinLicense"
        severity = "low"
        reference = "https://www.oreans.com/themida.php"
    condition:
        pe.is_pe and
        for any s in pe.sections : (s.name == ".themida" or s.name == ".winlice")
}

rule Packer_VMProtect_PE
{
    meta:
        description = "PE executable protected with VMProtect"
        severity = "low"
        reference = "https://vmpsoft.com/"
    condition:
        pe.is_pe and
        for 2 s in pe.sections : (s.name == ".vmp0" or s.name == ".vmp1" or s.name == ".vmp2")
}

rule Packer_Enigma_PE
{
    meta:
        description = "PE executable protected with the Enigma Protector"
        severity = "low"
        reference = "https://enigmaprotector.com/"
    condition:
        pe.is_pe and
        for any s in pe.sections : (s.name == ".enigma1" or s.name == ".enigma2")
}
