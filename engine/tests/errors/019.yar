// InvalidModifier
rule a {
  strings:
    $hex = { 01 02 03 } nocase
    $re = /abc/ xor
    $short = "ab" base64
  condition:
    any of them
}
