// UnterminatedString
rule a {
  strings:
    $a = "no closing quote
  condition:
    $a
}
