// EmptyPattern
rule a {
  strings:
    $a = ""
    $b = { }
  condition:
    $a and $b
}
