// Unsupported: `entrypoint`
rule a {
  condition: entrypoint == 0
}
