// options: includes_disabled
// IncludesDisabled
include "inc/ok.yar"

rule a { condition: true }
