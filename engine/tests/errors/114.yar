// Warnings only: non-boolean as boolean, invariant, ambiguous,
// unsatisfiable
rule a {
  strings:
    $a = "abc"
  condition:
    filesize and 0 of them and uint8(0) == 256
}

rule b {
  condition: true
}

rule c {
  strings:
    $c = "xyz"
  condition: 2 of ($c)
}
