rule r0 {
  condition:
    (for any x in (1..3) : (x + 8 > 2) and (for none x in (1..3) : (x + (9 + (4 - (7 | 4))) > 2) and uint32(11) == 250))
}
rule r1 {
  strings:
    $p0 = "\x00" ascii wide
  condition:
    #p0 != 1000000 and (#p0 >= 2)
}

