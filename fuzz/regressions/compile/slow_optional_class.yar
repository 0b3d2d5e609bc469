import "pe"
import "dotnet"
import "math"
import "time"
private rule r0 {
  meta:
    a = "x"
    b = 1
    c = true
  strings:
    $p0 = /\w[^a]?c+\x00/ private
  condition:
    for none of ($p*) : ($ in (0..7)) or #p0 == 1000
}
rule r1 {
  strings:
    $p0 = { 00 00 62 }
    $p1 = { 41 62 63 63 [-] ?? [-] ?? [-] 00 } private
  condition:
    $p0 or #p0 == 1000 or #p1 == 1000
}

