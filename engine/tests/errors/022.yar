// InvalidHexPattern
rule a {
  strings:
    $a = { 01 ~?? 02 }
  condition:
    $a
}
