// DuplicateRule: a rule named like an external variable or module
import "math"

rule math {
  condition: true
}
