// The EICAR anti-malware test file: 68 printable bytes, optionally
// followed by white space, at the very start of the file.
rule Test_EICAR
{
    meta:
        description = "EICAR anti-malware test file"
        severity = "info"
        reference = "https://www.eicar.org/download-anti-malware-testfile/"
    strings:
        $eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    condition:
        $eicar at 0 and filesize < 128
}
