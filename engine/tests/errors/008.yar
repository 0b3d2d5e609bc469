// InvalidUtf8: raw bytes are only accepted in strings and comments
rule café {
  strings:
    $a = "café"
  condition:
    $a
}
