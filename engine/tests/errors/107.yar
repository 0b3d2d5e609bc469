// NumberOutOfRange: constant arithmetic overflows
rule a {
  condition: 0x7fffffffffffffff + 1 > 0
}
