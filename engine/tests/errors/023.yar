// InvalidJump
rule a {
  strings:
    $a = { 01 [5-2] 02 }
    $b = { 01 [0] 02 }
    $c = { [2] 01 02 }
    $d = { 01 ( 02 | 03 [1] ) 04 }
  condition:
    any of them
}
