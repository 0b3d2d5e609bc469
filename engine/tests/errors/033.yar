// Several independent errors in one file
rule a : t t {
  strings:
    $a = "x" wide wide
    $b = "y"
  condition:
    $a
}

rule a { condition: true }

rule c { condition: 1 + }
