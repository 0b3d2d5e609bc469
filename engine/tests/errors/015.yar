// DuplicateTag
rule a : tag1 tag2 tag1 {
  condition: true
}
