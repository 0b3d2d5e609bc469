// UnterminatedComment
rule a {
  condition: true
}
/* this comment
   never ends
