// NumberOutOfRange: negative shift (a condition stops at its first error)
rule a {
  strings:
    $a = "abc"
  condition:
    (1 << -1) == 0 or @a[0] == 0
}
