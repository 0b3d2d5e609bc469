rule r0 {
  strings:
    $p0 = { 61 ( 63 | 61 31 ) 62 00 00 }
    $p1 = /.[^a][^a]/ private
    $p2 = /[^a][^a][^a][^a]/ private
    $p3 = /[^a][^a][^a][^a]/ private
  condition:
    #p3 != 1000000 and (#p2 != 1000000 and (#p1 != 1000000 and (#p0 != 1000000 and (((((int32be(6) == 188 or (int32be(6) == 188 or (int32be(6) == 188 or (int32be(6) == 188 or (#p0 >= 2 or #p0 >= 2))))) or (filesize < ((((1 * (1 * (1 * (1 * (1 * (1 * (1 + (1 * (1 * (1 * (1 * (1 * (1 * (2 * 253)))))))))))))) * (((((((((((((((1 * (1 * (1 * (1 * (1 * (1 * (2 * 253))))))) * 253) * 253) * 253) * 253) * 253) * 253) * 253) * 253) * 253) * 253) * 253) * 253) * 253) * int8(8))) * @p3[3]) * (filesize & filesize)) and ($p0 or $p0))) or $p0) or $p0)))))
}
rule r1 : tag1 tag2 {
  meta:
    a = "x"
    b = 1
    c = true
  condition:
    filesize >= 0
}
rule r2 : tag1 tag2 {
  meta:
    a = "x"
    b = 1
    c = true
  condition:
    filesize >= 0
}

