// Executables packed with common packers. A packer is not malicious by
// itself, but unpacked-looking software rarely ships packed.

rule Packer_UPX_PE
{
    meta:
        description = "PE executable packed with UPX"
        severity = "low"
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
    strings:
        $s1 = ".MPRESS1"
        $s2 = ".MPRESS2"
    condition:
        uint16(0) == 0x5A4D and all of them
}
