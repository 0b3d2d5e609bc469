// DuplicatePattern
rule a {
  strings:
    $a = "x"
    $b = "y"
    $a = "z"
  condition:
    $a and $b
}
