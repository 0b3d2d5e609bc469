rule r1 {
  strings:
    $p2 = " B"
  condition:
    ($p2 at 11 or false) or ((true or not false)) or #p2 == 1000
}
rule r2 {
  strings:
    $p2 = " B"
  condition:
    ($p2 in (0..11) or false) or true or #p2 == 1000
}
