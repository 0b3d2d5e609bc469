// IncludeNotFound
include "inc/does_not_exist.yar"

rule a { condition: true }
