// UnknownPattern
rule a {
  strings:
    $a = "x"
  condition:
    $a and #b > 0 and any of ($c*)
}
