// WrongType: mismatching types in a comparison
rule a {
  condition: filesize == "big"
}
