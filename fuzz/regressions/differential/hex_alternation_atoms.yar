rule r0 {
  condition:
    (for any x in (1..3) : (x + 8 > 2) and (for none x in (1..3) : (x + 1 > 2) and (filesize >= 0 or not filesize >= 0)))
}
rule r1 : tag1 tag2 {
  strings:
    $p0 = { 20 00 ( 41 | 00 FF ) 4? [3-5] FF }
    $p1 = /\bc\w?[^a]?c*(a|bc)/is 
    $p2 = "B" fullword wide ascii
    $p3 = { 42 00 20 63 31 31 } private
  condition:
    #p3 != 1000000 and (#p2 != 1000000 and (#p1 != 1000000 and (#p0 != 1000000 and (not (uint8(2) == 177 and not #p0 >= 1)))))
}
