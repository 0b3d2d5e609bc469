// Script droppers: PowerShell launched with an encoded command or used as
// a download cradle.

rule Script_PowerShell_EncodedCommand
{
    meta:
        description = "PowerShell started with a Base64-encoded command"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1059/001/"
    strings:
        $ps = "powershell" nocase
        $enc = /\s-(e|en|enc|enco|encod|encode|encodedcommand)\s+[A-Za-z0-9+\/]{40,}={0,2}/ nocase
    condition:
        $ps and $enc
}

rule Script_PowerShell_DownloadCradle
{
    meta:
        description = "PowerShell downloads and runs code in one line"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1105/"
    strings:
        $dl1 = "DownloadString(" nocase ascii wide
        $dl2 = "DownloadData(" nocase ascii wide
        $dl3 = "Invoke-WebRequest" nocase ascii wide
        $run1 = "IEX" fullword nocase ascii wide
        $run2 = "Invoke-Expression" nocase ascii wide
    condition:
        any of ($dl*) and any of ($run*)
}
