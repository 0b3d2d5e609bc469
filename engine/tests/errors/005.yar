// InvalidEscape
rule a {
  strings:
    $a = "bad \q escape"
    $b = "short \x4 hex"
  condition:
    $a and $b
}
