// InvalidBase64Alphabet
rule a {
  strings:
    $a = "abcdef" base64("0123456789")
  condition:
    $a
}
