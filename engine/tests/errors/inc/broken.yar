include "nested_broken.yar"

rule in_broken { condition: true }
