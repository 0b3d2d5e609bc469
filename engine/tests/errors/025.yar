// InvalidXorRange
rule a {
  strings:
    $a = "abc" xor(200-100)
  condition:
    $a
}
