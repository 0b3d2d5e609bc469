// UnusedPattern
rule a {
  strings:
    $used = "x"
    $unused = "y"
    $_ignored = "z"
  condition:
    $used
}
