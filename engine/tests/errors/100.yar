// WrongType: arithmetic on a string
rule a {
  condition: "a" + 1 == 2
}
