include "cycle_a.yar"

rule in_b { condition: true }
