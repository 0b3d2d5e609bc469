// InvalidRegex: flags
rule a {
  strings:
    $a = /abc/im
  condition:
    $a
}
