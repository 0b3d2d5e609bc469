// WrongType: a tuple of mixed types
rule a {
  condition: for any x in (1, "two") : (true)
}
