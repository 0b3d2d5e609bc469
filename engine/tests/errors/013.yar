// DuplicateRule
rule a { condition: true }
rule b { condition: true }
rule a { condition: false }
