// UnknownModule
import "nonexistent"

rule a {
  condition: true
}
