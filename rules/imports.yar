// Suspicious combinations of imported functions: each function is common
// alone, together they are the steps of a known technique.

import "pe"

rule Imports_Process_Injection
{
    meta:
        description = "PE importing what it takes to write code into another process and run it there"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1055/002/"
    condition:
        pe.is_pe and
        (pe.imports("kernel32.dll", "VirtualAllocEx") or
         pe.imports("kernel32.dll", "VirtualAlloc")) and
        pe.imports("kernel32.dll", "WriteProcessMemory") and
        (pe.imports("kernel32.dll", "CreateRemoteThread") or
         pe.imports("kernel32.dll", "CreateRemoteThreadEx") or
         pe.imports("ntdll.dll", "NtCreateThreadEx") or
         pe.imports("ntdll.dll", "RtlCreateUserThread"))
}

rule Imports_Process_Hollowing
{
    meta:
        description = "PE importing what it takes to replace the image of a process it starts"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1055/012/"
    condition:
        pe.is_pe and
        (pe.imports("kernel32.dll", "CreateProcessA") or
         pe.imports("kernel32.dll", "CreateProcessW")) and
        (pe.imports("ntdll.dll", "NtUnmapViewOfSection") or
         pe.imports("ntdll.dll", "ZwUnmapViewOfSection")) and
        (pe.imports("kernel32.dll", "SetThreadContext") or
         pe.imports("kernel32.dll", "Wow64SetThreadContext")) and
        pe.imports("kernel32.dll", "ResumeThread")
}
