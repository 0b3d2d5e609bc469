// DuplicateModifier
rule a {
  strings:
    $a = "abc" wide ascii wide
    $b = "abc" xor xor(1-2)
  condition:
    $a and $b
}
