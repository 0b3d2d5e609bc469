// NumberOutOfRange: xor key
rule a {
  strings:
    $a = "abc" xor(300)
  condition:
    $a
}
