// WrongArguments: no overload takes one integer
import "math"

rule a {
  condition: math.entropy(0) > 7
}
