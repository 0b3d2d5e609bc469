// WrongType: a struct used as a boolean
import "math"

rule a {
  condition: math
}
