// SyntaxError: hex pattern
rule a {
  strings:
    $a = { 01 0 2 }
  condition:
    $a
}

rule b {
  strings:
    $a = { 01 ( 02 | ) }
  condition:
    $a
}
