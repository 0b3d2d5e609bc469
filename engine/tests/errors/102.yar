// UnknownIdentifier: a rule declared later is not visible
rule a {
  condition: b
}

rule b {
  condition: true
}
