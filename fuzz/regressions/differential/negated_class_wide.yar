rule r1 {
  strings:
    $p3 = /[^a]/ ascii wide
  condition:
    #p3 != 1000000
}
