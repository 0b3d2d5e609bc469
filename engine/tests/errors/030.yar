// SyntaxError: patterns: is not accepted by YARA-X 1.22
rule a {
  patterns:
    $a = "x"
  condition:
    $a
}
