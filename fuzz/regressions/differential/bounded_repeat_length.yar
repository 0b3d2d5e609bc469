rule r1 {
  strings:
    $p2 = /.{2,3}/
  condition:
    #p2 != 1000000
}
