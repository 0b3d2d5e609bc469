rule deep {
  condition:
    1 +
}
