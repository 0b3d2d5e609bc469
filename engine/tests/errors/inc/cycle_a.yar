include "cycle_b.yar"

rule in_a { condition: true }
