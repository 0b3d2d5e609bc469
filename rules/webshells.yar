// One-line web shells: request data passed straight to an evaluator.

rule Webshell_PHP_Eval_Request
{
    meta:
        description = "PHP evaluating request data"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $php = "<?php" nocase
        $eval = /(eval|assert|system|passthru|shell_exec)\s*\(\s*(base64_decode\s*\(\s*)?\$_(GET|POST|REQUEST|COOKIE)\[/ nocase
    condition:
        $php in (0..1024) and $eval and filesize < 1MB
}

rule Webshell_ASPX_Eval_Request
{
    meta:
        description = "ASP.NET page evaluating request data"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $page = "<%@ Page" nocase
        $eval = /eval\s*\(\s*Request(\.Item)?\s*\[/ nocase
    condition:
        $page and $eval and filesize < 1MB
}
