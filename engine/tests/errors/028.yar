// PatternOutsideFor
rule a {
  strings:
    $a = "x"
  condition:
    $a and # > 0 and for any of them : ($ at 0)
}
