// SyntaxError: boolean used as a value
rule a {
  condition:
    (1 == 1) + 2 == 3 or true == true
}
