// InvalidRange: lower bound above upper bound
rule a {
  condition: for any i in (10..1) : (i == 5)
}
