// IncludeCycle
include "inc/cycle_a.yar"

rule a { condition: true }
