import "pe"
import "elf"
import "dotnet"
import "math"
import "hash"
private rule r0 {
  strings:
    $p0 = "cb" fullword
    $p1 = /a{1,3}/ 
    $p2 = { 2E ~?1 } private
    $p3 = /.?c{,2}\w{1,3}/ private
  condition:
    "abc" contains "b" or #p0 == 1000 or #p1 == 1000 or #p2 == 1000 or #p3 == 1000
}
rule r1 {
  strings:
    $p0 = ".acc" 
  condition:
    for none of ($p*) : ($ in (0..73)) or #p0 == 1000
}
rule r2 {
  meta:
    a = "x"
    b = 1
    c = true
  strings:
    $p0 = { 61 31 42 [-] ~?E ( 31 | ( 2E | ?? ) [1-2] 62 ) 20 }
    $p1 = { ~?1 ~?F }
  condition:
    (2MB \ !p1[3]) > filesize or #p0 == 1000 or #p1 == 1000
}
rule r3 {
  strings:
    $p0 = /$+\w[^a]b/ 
    $p1 = { 2? 00 }
    $p2 = { 00 ?1 }
    $p3 = " " wide
  condition:
    not (for 2 of them : (# >= 0) and #p3 >= 207) or #p0 == 1000 or #p1 == 1000 or #p2 == 1000 or #p3 == 1000
}

