// IntegerOverflow
rule a {
  condition:
    filesize > 18446744073709551616
}
