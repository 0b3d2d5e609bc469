// UnterminatedRegex
rule a {
  condition:
    "abc" matches /ab[c
}
