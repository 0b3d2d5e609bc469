rule r0 {
  condition:
    (for any x in (1..3) : (x + 6 > 2) and for none x in (1..3) : (x + 5 > 2))
}
rule r1 {
  meta:
    a = "x"
    b = 1
    c = true
  strings:
    $p0 = { FF 42 ?1 }
    $p1 = /ba*\w\w/is nocase
  condition:
    #p1 != 1000000 and (#p0 != 1000000 and (for any k in (1..#p1) : (@p1[k] % 2 == 0)))
}
