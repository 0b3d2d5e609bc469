// InvalidRegex: a repetition whose bounds are reversed
rule a {
  condition: "abc" matches /b{3,1}/
}
