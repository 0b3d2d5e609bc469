// SyntaxError: missing operand, and recovery to the next rules
rule first {
  condition:
    filesize > 
}

rule second {
  condition: true
}

rule third {
  condition: true and and false
}
