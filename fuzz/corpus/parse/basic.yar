import "math"
include "other.yar"
global private rule a : t1 t2 {
  meta:
    author = "x" n = -1 b = true
  strings:
    $a = "abc\x00\n" ascii wide nocase fullword private
    $b = { 4D 5A ?? [1-4] ( 01 | 02 03 ) ~00 4? ?5 [-] 00 }
    $c = /a(b|c)*d{1,3}\x41[^\n]+?$/is
    $d = "k" xor(1-3) $e = "q" base64("!@#$%^&*(){}[].,|ABCDEFGHIJ\x09LMNOPQRSTUVWXYZabcdefghijklmnopqrstu")
  condition:
    ($a or #b > 2 and @c[1] < 100 and !c[1] == 3) and
    for all i in (1..#a) : (@a[i] % 2 == 0) and
    for any of ($a, $b) : ($ at 0) and 2 of them and
    uint32be(0) == 0x4d5a9000 and filesize < 10MB and
    math.entropy(0, filesize) >= 7.0 and "ab" matches /b$/ and
    not defined (1 \ 0) and -1 << 3 == ~7 and a
}
