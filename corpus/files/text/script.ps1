# sigscan corpus PowerShell sample: harmless, never run.
$u = 'http://example.invalid/a.ps1'
Write-Output "powershell -nop -w hidden -enc would fetch $u"
[System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('Y29ycHVz'))
