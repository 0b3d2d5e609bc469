// NotCallable and NotIndexable on a module field
import "math"

rule a {
  condition: math.MEAN_BYTES(1) == 0
}

rule b {
  condition: math.MEAN_BYTES[0] == 0
}
