// InvalidUtf8
rule a {
  strings:
    $a = "café"
  condition:
    $a
}
