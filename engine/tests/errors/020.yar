// InvalidModifierCombination
rule a {
  strings:
    $a = "abc" nocase xor
    $b = "abc" fullword base64
    $c = "abc" xor base64wide
  condition:
    any of them
}
