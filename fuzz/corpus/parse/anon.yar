rule b { condition: true }
rule c { strings: $ = "x" $ = "y" condition: all of them and for 2 of ($*) : (# > 1) }
