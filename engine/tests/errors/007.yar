// InvalidNumber
rule a {
  condition:
    filesize > 0xZZ
}
