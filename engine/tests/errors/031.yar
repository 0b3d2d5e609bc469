// Errors inside an included file carry the include chain
include "inc/broken.yar"

rule a { condition: true }
