// UnknownField: a module field that does not exist
import "math"

rule a {
  condition: math.entropy_of(0, filesize) > 7
}
