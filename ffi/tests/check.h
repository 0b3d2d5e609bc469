/* A tiny test harness for the C tests: CHECK counts, DONE reports. */
#ifndef SIGSCAN_TEST_CHECK_H
#define SIGSCAN_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int checks_passed = 0;
static int checks_failed = 0;

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (cond) {                                                            \
      checks_passed++;                                                     \
    } else {                                                               \
      checks_failed++;                                                     \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,     \
              #cond);                                                      \
    }                                                                      \
  } while (0)

#define CHECK_RESULT(expr, expected)                                       \
  do {                                                                     \
    sigscan_result r_ = (expr);                                            \
    if (r_ == (expected)) {                                                \
      checks_passed++;                                                     \
    } else {                                                               \
      checks_failed++;                                                     \
      fprintf(stderr, "%s:%d: %s gave %d (%s), expected %s; last: %s\n",   \
              __FILE__, __LINE__, #expr, (int)r_,                          \
              sigscan_result_message(r_), #expected,                       \
              sigscan_last_error());                                       \
    }                                                                      \
  } while (0)

#define CHECK_OK(expr) CHECK_RESULT(expr, SIGSCAN_OK)

/* Compares a (pointer, length) string with a C string. */
static inline int str_eq(const char *p, size_t len, const char *want) {
  return p != NULL && len == strlen(want) && memcmp(p, want, len) == 0;
}

static inline int done(const char *name) {
  printf("%s: %d passed, %d failed\n", name, checks_passed, checks_failed);
  return checks_failed == 0 ? 0 : 1;
}

#endif
