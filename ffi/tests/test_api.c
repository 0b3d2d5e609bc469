/* The C API, one thread: compile, scan bytes and files, callbacks,
 * accessors, errors and their messages, NULL arguments, limits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "sigscan.h"
#include "check.h"

static const char RULES[] =
    "rule first : tag1 tag2 {\n"
    "  meta:\n"
    "    author = \"me\"\n"
    "    level = 3\n"
    "    neg = -7\n"
    "    ok = true\n"
    "    ratio = 1.5\n"
    "  strings:\n"
    "    $a = \"abc\"\n"
    "    $b = { 64 65 66 }\n"
    "  condition:\n"
    "    $a or $b\n"
    "}\n"
    "rule second { strings: $ = \"xyz\" condition: all of them }\n"
    "private rule hidden { condition: true }\n"
    "rule third { condition: hidden and filesize > 3 }\n";

/* What a callback saw. */
struct seen {
  int calls;
  int stop_after; /* stop when calls reaches this; 0 = never */
  char rules[8][32];
};

static int collect(const sigscan_match *m, void *user_data) {
  struct seen *s = user_data;
  const char *p;
  size_t n;
  sigscan_match_rule(m, &p, &n);
  if (s->calls < 8 && n < 32) {
    memcpy(s->rules[s->calls], p, n);
    s->rules[s->calls][n] = '\0';
  }
  s->calls++;
  return s->stop_after != 0 && s->calls >= s->stop_after;
}

/* Checks every accessor on rule `first` scanned over DATA below. */
static int check_first(const sigscan_match *m, void *user_data) {
  int *visited = user_data;
  const char *p;
  size_t n;
  sigscan_match_rule(m, &p, &n);
  if (!str_eq(p, n, "first")) return 0;
  (*visited)++;

  sigscan_match_namespace(m, &p, &n);
  CHECK(str_eq(p, n, "default"));

  CHECK(sigscan_match_tag_count(m) == 2);
  sigscan_match_tag(m, 0, &p, &n);
  CHECK(str_eq(p, n, "tag1"));
  sigscan_match_tag(m, 1, &p, &n);
  CHECK(str_eq(p, n, "tag2"));
  sigscan_match_tag(m, 2, &p, &n);
  CHECK(p == NULL && n == 0);

  /* "abc" at 2 and 10, "def" at 5. */
  CHECK(sigscan_match_pattern_count(m) == 3);
  uint64_t off, len;
  sigscan_match_pattern(m, 0, &p, &n, &off, &len);
  CHECK(str_eq(p, n, "$a") && off == 2 && len == 3);
  sigscan_match_pattern(m, 1, &p, &n, &off, &len);
  CHECK(str_eq(p, n, "$a") && off == 10 && len == 3);
  sigscan_match_pattern(m, 2, &p, &n, &off, &len);
  CHECK(str_eq(p, n, "$b") && off == 5 && len == 3);
  sigscan_match_pattern(m, 3, &p, &n, &off, &len);
  CHECK(p == NULL && n == 0 && off == 0 && len == 0);
  /* NULL out-pointers are skipped. */
  sigscan_match_pattern(m, 0, NULL, NULL, NULL, &len);
  CHECK(len == 3);

  CHECK(sigscan_match_meta_count(m) == 5);
  sigscan_meta meta;
  CHECK_OK(sigscan_match_meta(m, 0, &meta));
  CHECK(str_eq(meta.identifier, meta.identifier_len, "author"));
  CHECK(meta.value_type == SIGSCAN_META_STRING);
  CHECK(str_eq((const char *)meta.string, meta.string_len, "me"));
  CHECK_OK(sigscan_match_meta(m, 1, &meta));
  CHECK(meta.value_type == SIGSCAN_META_INTEGER && meta.integer == 3);
  CHECK_OK(sigscan_match_meta(m, 2, &meta));
  CHECK(meta.value_type == SIGSCAN_META_INTEGER && meta.integer == -7);
  CHECK_OK(sigscan_match_meta(m, 3, &meta));
  CHECK(meta.value_type == SIGSCAN_META_BOOLEAN && meta.integer == 1);
  CHECK_OK(sigscan_match_meta(m, 4, &meta));
  CHECK(meta.value_type == SIGSCAN_META_FLOAT && meta.float_value == 1.5);
  CHECK_RESULT(sigscan_match_meta(m, 5, &meta), SIGSCAN_INVALID_ARGUMENT);
  CHECK_RESULT(sigscan_match_meta(m, 0, NULL), SIGSCAN_INVALID_ARGUMENT);
  return 0;
}

static const char DATA[] = "xxabcdefxxabc xyz";

static void test_compile_and_scan(void) {
  sigscan_rules *rules = NULL;
  CHECK_OK(sigscan_compile(RULES, strlen(RULES), &rules));
  CHECK(rules != NULL);
  CHECK(sigscan_rules_count(rules) == 4);

  sigscan_scanner *s = NULL;
  CHECK_OK(sigscan_scanner_new(rules, &s));
  CHECK(s != NULL);

  struct seen seen = {0};
  CHECK_OK(sigscan_scanner_scan_bytes(s, (const uint8_t *)DATA,
                                      strlen(DATA), collect, &seen));
  CHECK(seen.calls == 3);
  CHECK(strcmp(seen.rules[0], "first") == 0);
  CHECK(strcmp(seen.rules[1], "second") == 0);
  CHECK(strcmp(seen.rules[2], "third") == 0);

  int visited = 0;
  CHECK_OK(sigscan_scanner_scan_bytes(s, (const uint8_t *)DATA,
                                      strlen(DATA), check_first, &visited));
  CHECK(visited == 1);

  /* The scanner is reusable; NULL data with length 0 is empty data. */
  memset(&seen, 0, sizeof seen);
  CHECK_OK(sigscan_scanner_scan_bytes(s, NULL, 0, collect, &seen));
  CHECK(seen.calls == 0);
  CHECK_OK(sigscan_scanner_scan_bytes(s, (const uint8_t *)"abcd", 4,
                                      collect, &seen));
  CHECK(seen.calls == 2); /* first, third */

  /* A callback returning non-zero stops the scan cleanly. */
  memset(&seen, 0, sizeof seen);
  seen.stop_after = 1;
  CHECK_OK(sigscan_scanner_scan_bytes(s, (const uint8_t *)DATA,
                                      strlen(DATA), collect, &seen));
  CHECK(seen.calls == 1);
  CHECK(strcmp(seen.rules[0], "first") == 0);

  /* Rules may be freed before their scanners. */
  sigscan_rules_free(rules);
  memset(&seen, 0, sizeof seen);
  CHECK_OK(sigscan_scanner_scan_bytes(s, (const uint8_t *)DATA,
                                      strlen(DATA), collect, &seen));
  CHECK(seen.calls == 3);
  sigscan_scanner_free(s);
}

static void test_scan_file(void) {
  char dir[] = "/tmp/sigscan-test-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char rules_path[256], data_path[256], big_path[256];
  snprintf(rules_path, sizeof rules_path, "%s/rules.yar", dir);
  snprintf(data_path, sizeof data_path, "%s/data.bin", dir);
  snprintf(big_path, sizeof big_path, "%s/big.bin", dir);

  FILE *f = fopen(rules_path, "w");
  fputs(RULES, f);
  fclose(f);
  f = fopen(data_path, "w");
  fputs(DATA, f);
  fclose(f);
  /* Large enough to be mapped rather than read. */
  f = fopen(big_path, "w");
  for (int i = 0; i < 100000; i++) fputc('.', f);
  fputs("xyz", f);
  fclose(f);

  sigscan_rules *rules = NULL;
  CHECK_OK(sigscan_compile_file(rules_path, &rules));
  sigscan_scanner *s = NULL;
  CHECK_OK(sigscan_scanner_new(rules, &s));

  struct seen seen = {0};
  CHECK_OK(sigscan_scanner_scan_file(s, data_path, collect, &seen));
  CHECK(seen.calls == 3);
  memset(&seen, 0, sizeof seen);
  CHECK_OK(sigscan_scanner_scan_file(s, big_path, collect, &seen));
  CHECK(seen.calls == 2); /* second, third */
  CHECK(strcmp(seen.rules[0], "second") == 0);

  /* Open descriptors: scanned from offset 0, left open, offset kept. */
  int fd = open(data_path, O_RDONLY);
  CHECK(fd >= 0);
  CHECK(lseek(fd, 4, SEEK_SET) == 4);
  memset(&seen, 0, sizeof seen);
  CHECK_OK(sigscan_scanner_scan_fd(s, fd, collect, &seen));
  CHECK(seen.calls == 3);
  CHECK(lseek(fd, 0, SEEK_CUR) == 4);
  int big = open(big_path, O_RDONLY);
  memset(&seen, 0, sizeof seen);
  CHECK_OK(sigscan_scanner_scan_fd(s, big, collect, &seen));
  CHECK(seen.calls == 2);
  CHECK_RESULT(sigscan_scanner_scan_fd(s, -1, collect, &seen),
               SIGSCAN_INVALID_ARGUMENT);
  CHECK_RESULT(sigscan_scanner_scan_fd(NULL, fd, collect, &seen),
               SIGSCAN_INVALID_ARGUMENT);
  CHECK_RESULT(sigscan_scanner_scan_fd(s, fd, NULL, &seen),
               SIGSCAN_INVALID_ARGUMENT);
  int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
  CHECK_RESULT(sigscan_scanner_scan_fd(s, dirfd, collect, &seen),
               SIGSCAN_IO_ERROR);
  close(dirfd);

  /* Missing files. */
  char missing[300];
  snprintf(missing, sizeof missing, "%s/missing", dir);
  CHECK_RESULT(sigscan_scanner_scan_file(s, missing, collect, &seen),
               SIGSCAN_IO_ERROR);
  CHECK(strstr(sigscan_last_error(), "missing") != NULL);
  sigscan_rules *none = (sigscan_rules *)1;
  CHECK_RESULT(sigscan_compile_file(missing, &none), SIGSCAN_IO_ERROR);
  CHECK(none == NULL);

  /* Maximum size. */
  CHECK_OK(sigscan_scanner_set_max_file_size(s, 1000));
  CHECK_RESULT(sigscan_scanner_scan_file(s, big_path, collect, &seen),
               SIGSCAN_FILE_TOO_LARGE);
  CHECK_OK(sigscan_scanner_scan_file(s, data_path, collect, &seen));
  CHECK_RESULT(sigscan_scanner_scan_fd(s, big, collect, &seen),
               SIGSCAN_FILE_TOO_LARGE);
  CHECK_OK(sigscan_scanner_scan_fd(s, fd, collect, &seen));
  close(big);
  close(fd);

  /* Syntax errors in a file name the file, line and column. */
  f = fopen(rules_path, "w");
  fputs("rule ok { condition: true }\nrule bad { condition: $x }\n", f);
  fclose(f);
  CHECK_RESULT(sigscan_compile_file(rules_path, &none),
               SIGSCAN_SYNTAX_ERROR);
  CHECK(strstr(sigscan_last_error(), "rules.yar:2:") != NULL);

  sigscan_scanner_free(s);
  sigscan_rules_free(rules);
  unlink(rules_path);
  unlink(data_path);
  unlink(big_path);
  rmdir(dir);
}

static void test_errors(void) {
  const char bad[] = "rule a {\n  condition: foo\n}\n";
  sigscan_rules *rules = (sigscan_rules *)1;
  CHECK_RESULT(sigscan_compile(bad, strlen(bad), &rules),
               SIGSCAN_SYNTAX_ERROR);
  CHECK(rules == NULL);
  const char *msg = sigscan_last_error();
  CHECK(msg != NULL && strlen(msg) > 0);
  /* The rendered diagnostic: origin, line and column, and a caret. */
  CHECK(strstr(msg, "line:2:") != NULL);
  CHECK(strstr(msg, "foo") != NULL);
  CHECK(strstr(msg, "^") != NULL);

  /* Source need not be NUL-terminated: only `len` bytes are read. */
  const char src[] = "rule a { condition: true }GARBAGE";
  CHECK_OK(sigscan_compile(src, strlen("rule a { condition: true }"),
                           &rules));
  sigscan_rules_free(rules);

  /* Invalid UTF-8 is a diagnostic, not a crash. */
  const char latin1[] = "rule \xe9 { condition: true }";
  CHECK_RESULT(sigscan_compile(latin1, strlen(latin1), &rules),
               SIGSCAN_SYNTAX_ERROR);

  /* Messages of every code, and of unknown numbers. */
  for (unsigned i = 0; i <= SIGSCAN_FILE_TOO_LARGE; i++) {
    CHECK(sigscan_result_message(i) != NULL);
    CHECK(strlen(sigscan_result_message(i)) > 0);
  }
  CHECK(strcmp(sigscan_result_message(SIGSCAN_OK), "ok") == 0);
  CHECK(strcmp(sigscan_result_message(12345), "unknown result") == 0);
  CHECK(sigscan_version() != NULL && strlen(sigscan_version()) > 0);
}

static void test_nulls(void) {
  sigscan_rules *rules = NULL;
  const char src[] = "rule a { condition: true }";
  CHECK_OK(sigscan_compile(src, strlen(src), &rules));
  sigscan_scanner *s = NULL;
  CHECK_OK(sigscan_scanner_new(rules, &s));
  sigscan_compiler *c = NULL;
  CHECK_OK(sigscan_compiler_new(&c));
  sigscan_rules *out = NULL;
  struct seen seen = {0};
  uint8_t *buf = NULL;
  size_t len = 0;

  const sigscan_result E = SIGSCAN_INVALID_ARGUMENT;
  CHECK_RESULT(sigscan_compile(NULL, 0, &out), E);
  CHECK_RESULT(sigscan_compile(src, strlen(src), NULL), E);
  CHECK(strstr(sigscan_last_error(), "out") != NULL);
  CHECK_RESULT(sigscan_compile_file(NULL, &out), E);
  CHECK_RESULT(sigscan_compile_file("x.yar", NULL), E);
  CHECK_RESULT(sigscan_rules_serialize(NULL, &buf, &len), E);
  CHECK_RESULT(sigscan_rules_serialize(rules, NULL, &len), E);
  CHECK_RESULT(sigscan_rules_serialize(rules, &buf, NULL), E);
  CHECK_RESULT(sigscan_rules_load(NULL, 4, &out), E);
  CHECK_RESULT(sigscan_rules_load((const uint8_t *)"abcd", 4, NULL), E);
  CHECK_RESULT(sigscan_rules_load_file(NULL, NULL, &out), E);
  CHECK_RESULT(sigscan_rules_load_file("x.db", NULL, NULL), E);
  CHECK(sigscan_rules_count(NULL) == 0);

  sigscan_scanner *s2 = (sigscan_scanner *)1;
  CHECK_RESULT(sigscan_scanner_new(NULL, &s2), E);
  CHECK(s2 == NULL); /* out-pointers are cleared on failure */
  CHECK_RESULT(sigscan_scanner_new(rules, NULL), E);
  CHECK_RESULT(sigscan_scanner_set_timeout(NULL, 10), E);
  CHECK_RESULT(sigscan_scanner_set_max_file_size(NULL, 10), E);
  CHECK_RESULT(sigscan_scanner_set_max_matches_per_pattern(NULL, 10), E);
  CHECK_RESULT(sigscan_scanner_define_int(NULL, "x", 1), E);
  CHECK_RESULT(sigscan_scanner_define_int(s, NULL, 1), E);
  CHECK_RESULT(sigscan_scanner_define_bool(NULL, "x", 1), E);
  CHECK_RESULT(sigscan_scanner_define_float(NULL, "x", 1.0), E);
  CHECK_RESULT(sigscan_scanner_define_str(NULL, "x", "v"), E);
  CHECK_RESULT(sigscan_scanner_define_str(s, NULL, "v"), E);
  CHECK_RESULT(sigscan_scanner_define_str(s, "x", NULL), E);
  CHECK_RESULT(sigscan_scanner_scan_bytes(NULL, (const uint8_t *)"a", 1,
                                          collect, &seen), E);
  CHECK_RESULT(sigscan_scanner_scan_bytes(s, NULL, 1, collect, &seen), E);
  CHECK_RESULT(sigscan_scanner_scan_bytes(s, (const uint8_t *)"a", 1,
                                          NULL, &seen), E);
  CHECK_RESULT(sigscan_scanner_scan_file(NULL, "x", collect, &seen), E);
  CHECK_RESULT(sigscan_scanner_scan_file(s, NULL, collect, &seen), E);
  CHECK_RESULT(sigscan_scanner_scan_file(s, "x", NULL, &seen), E);
  /* user_data may be NULL. */
  CHECK_OK(sigscan_scanner_scan_bytes(s, (const uint8_t *)"a", 1,
                                      check_first, NULL));

  CHECK_RESULT(sigscan_compiler_new(NULL), E);
  CHECK_RESULT(sigscan_compiler_new_namespace(NULL, "ns"), E);
  CHECK_RESULT(sigscan_compiler_new_namespace(c, NULL), E);
  CHECK_RESULT(sigscan_compiler_define_int(NULL, "x", 1), E);
  CHECK_RESULT(sigscan_compiler_define_int(c, NULL, 1), E);
  CHECK_RESULT(sigscan_compiler_define_bool(NULL, "x", 1), E);
  CHECK_RESULT(sigscan_compiler_define_float(NULL, "x", 1.0), E);
  CHECK_RESULT(sigscan_compiler_define_str(NULL, "x", "v"), E);
  CHECK_RESULT(sigscan_compiler_define_str(c, "x", NULL), E);
  CHECK_RESULT(sigscan_compiler_add_source(NULL, src, strlen(src), NULL), E);
  CHECK_RESULT(sigscan_compiler_add_source(c, NULL, 0, NULL), E);
  CHECK_RESULT(sigscan_compiler_add_file(NULL, "x.yar"), E);
  CHECK_RESULT(sigscan_compiler_add_file(c, NULL), E);
  CHECK_RESULT(sigscan_compiler_build(NULL, &out), E);
  CHECK_RESULT(sigscan_compiler_build(c, NULL), E);

  /* Accessors on NULL give NULL / 0 and write what they can. */
  const char *p = "x";
  size_t n = 9;
  uint64_t off = 9, plen = 9;
  sigscan_match_rule(NULL, &p, &n);
  CHECK(p == NULL && n == 0);
  sigscan_match_rule(NULL, NULL, NULL);
  sigscan_match_namespace(NULL, &p, &n);
  CHECK(p == NULL && n == 0);
  CHECK(sigscan_match_tag_count(NULL) == 0);
  sigscan_match_tag(NULL, 0, &p, &n);
  CHECK(p == NULL && n == 0);
  CHECK(sigscan_match_pattern_count(NULL) == 0);
  sigscan_match_pattern(NULL, 0, &p, &n, &off, &plen);
  CHECK(p == NULL && n == 0 && off == 0 && plen == 0);
  CHECK(sigscan_match_meta_count(NULL) == 0);
  sigscan_meta meta;
  CHECK_RESULT(sigscan_match_meta(NULL, 0, &meta), E);

  /* Freeing NULL does nothing. */
  sigscan_rules_free(NULL);
  sigscan_scanner_free(NULL);
  sigscan_compiler_free(NULL);
  sigscan_buffer_free(NULL, 0);

  sigscan_compiler_free(c);
  sigscan_scanner_free(s);
  sigscan_rules_free(rules);
}

static void test_compiler_and_externals(void) {
  sigscan_compiler *c = NULL;
  CHECK_OK(sigscan_compiler_new(&c));
  CHECK_OK(sigscan_compiler_define_int(c, "size_limit", 10));
  CHECK_OK(sigscan_compiler_define_str(c, "os", "linux"));
  CHECK_OK(sigscan_compiler_define_bool(c, "strict", 0));
  CHECK_OK(sigscan_compiler_define_float(c, "ratio", 0.5));
  /* Invalid and duplicate names. */
  CHECK_RESULT(sigscan_compiler_define_int(c, "size_limit", 1),
               SIGSCAN_INVALID_ARGUMENT);
  CHECK(strstr(sigscan_last_error(), "size_limit") != NULL);
  CHECK_RESULT(sigscan_compiler_define_int(c, "1x", 1),
               SIGSCAN_INVALID_ARGUMENT);

  const char a[] =
      "rule small { condition: filesize < size_limit and os == \"linux\" }";
  CHECK_OK(sigscan_compiler_add_source(c, a, strlen(a), "a.yar"));
  CHECK_OK(sigscan_compiler_new_namespace(c, "other"));
  const char b[] = "rule small { condition: not strict and ratio < 1.0 }";
  CHECK_OK(sigscan_compiler_add_source(c, b, strlen(b), NULL));
  const char bad[] = "rule broken { condition: nope }";
  CHECK_RESULT(sigscan_compiler_add_source(c, bad, strlen(bad), "bad.yar"),
               SIGSCAN_SYNTAX_ERROR);
  CHECK(strstr(sigscan_last_error(), "bad.yar:1:") != NULL);

  /* Warnings are rendered and kept, also after the build. */
  size_t before = sigscan_compiler_warning_count(c);
  const char warn[] = "rule w { condition: filesize }";
  CHECK_OK(sigscan_compiler_add_source(c, warn, strlen(warn), "w.yar"));
  CHECK(sigscan_compiler_warning_count(c) == before + 1);
  CHECK(sigscan_compiler_warning(c, before + 1) == NULL);
  CHECK(sigscan_compiler_warning(NULL, 0) == NULL);
  CHECK(sigscan_compiler_warning_count(NULL) == 0);

  sigscan_rules *rules = NULL;
  CHECK_OK(sigscan_compiler_build(c, &rules));
  CHECK(sigscan_rules_count(rules) == 3);
  const char *w = sigscan_compiler_warning(c, before);
  CHECK(w != NULL && strstr(w, "w.yar:1:21") != NULL);
  CHECK(w != NULL && strstr(w, "warning") != NULL);
  /* A built compiler is spent, but must still be freed. */
  sigscan_rules *again = NULL;
  CHECK_RESULT(sigscan_compiler_build(c, &again), SIGSCAN_INVALID_ARGUMENT);
  CHECK_RESULT(sigscan_compiler_add_source(c, a, strlen(a), NULL),
               SIGSCAN_INVALID_ARGUMENT);
  sigscan_compiler_free(c);

  sigscan_scanner *s = NULL;
  CHECK_OK(sigscan_scanner_new(rules, &s));
  struct seen seen = {0};
  CHECK_OK(sigscan_scanner_scan_bytes(s, (const uint8_t *)"12345", 5,
                                      collect, &seen));
  CHECK(seen.calls == 3);

  CHECK_OK(sigscan_scanner_define_int(s, "size_limit", 3));
  CHECK_OK(sigscan_scanner_define_bool(s, "strict", 1));
  memset(&seen, 0, sizeof seen);
  CHECK_OK(sigscan_scanner_scan_bytes(s, (const uint8_t *)"12345", 5,
                                      collect, &seen));
  CHECK(seen.calls == 1); /* w */

  CHECK_OK(sigscan_scanner_define_int(s, "size_limit", 100));
  CHECK_OK(sigscan_scanner_define_str(s, "os", "windows"));
  CHECK_OK(sigscan_scanner_define_float(s, "ratio", 0.25));
  CHECK_OK(sigscan_scanner_define_bool(s, "strict", 0));
  memset(&seen, 0, sizeof seen);
  CHECK_OK(sigscan_scanner_scan_bytes(s, (const uint8_t *)"12345", 5,
                                      collect, &seen));
  CHECK(seen.calls == 2); /* other:small, w */

  /* Unknown names and wrong types. */
  CHECK_RESULT(sigscan_scanner_define_int(s, "nope", 1),
               SIGSCAN_INVALID_ARGUMENT);
  CHECK(strstr(sigscan_last_error(), "nope") != NULL);
  CHECK_RESULT(sigscan_scanner_define_str(s, "size_limit", "x"),
               SIGSCAN_INVALID_ARGUMENT);
  CHECK(strstr(sigscan_last_error(), "integer") != NULL);

  sigscan_scanner_free(s);
  sigscan_rules_free(rules);
}

static void test_includes(void) {
  char dir[] = "/tmp/sigscan-inc-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char inc_path[256];
  snprintf(inc_path, sizeof inc_path, "%s/inc.yar", dir);
  FILE *f = fopen(inc_path, "w");
  fputs("rule included { condition: true }\n", f);
  fclose(f);
  const char src[] = "include \"inc.yar\"\nrule main { condition: included }";

  /* Found through an include folder. */
  sigscan_compiler *c = NULL;
  CHECK_OK(sigscan_compiler_new(&c));
  CHECK_OK(sigscan_compiler_add_include_dir(c, dir));
  CHECK_OK(sigscan_compiler_relaxed_re_syntax(c, 1));
  CHECK_OK(sigscan_compiler_error_on_slow_pattern(c, 0));
  CHECK_OK(sigscan_compiler_add_source(c, src, strlen(src), NULL));
  sigscan_rules *rules = NULL;
  CHECK_OK(sigscan_compiler_build(c, &rules));
  CHECK(sigscan_rules_count(rules) == 2);
  sigscan_rules_free(rules);
  sigscan_compiler_free(c);

  /* Refused when includes are off. */
  CHECK_OK(sigscan_compiler_new(&c));
  CHECK_OK(sigscan_compiler_enable_includes(c, 0));
  CHECK_OK(sigscan_compiler_add_include_dir(c, dir));
  CHECK_RESULT(sigscan_compiler_add_source(c, src, strlen(src), NULL),
               SIGSCAN_SYNTAX_ERROR);
  CHECK(strstr(sigscan_last_error(), "include") != NULL);
  sigscan_compiler_free(c);

  const sigscan_result E = SIGSCAN_INVALID_ARGUMENT;
  CHECK_RESULT(sigscan_compiler_enable_includes(NULL, 1), E);
  CHECK_RESULT(sigscan_compiler_add_include_dir(NULL, dir), E);
  CHECK_RESULT(sigscan_compiler_relaxed_re_syntax(NULL, 1), E);
  CHECK_RESULT(sigscan_compiler_error_on_slow_pattern(NULL, 1), E);
  unlink(inc_path);
  rmdir(dir);
}

/* Tries to use the scanner from its own callback: refused. */
static int reenter(const sigscan_match *m, void *user_data) {
  (void)m;
  sigscan_scanner *s = user_data;
  CHECK_RESULT(sigscan_scanner_set_timeout(s, 5), SIGSCAN_INVALID_ARGUMENT);
  CHECK_RESULT(sigscan_scanner_scan_bytes(s, NULL, 0, reenter, s),
               SIGSCAN_INVALID_ARGUMENT);
  sigscan_scanner_free(s); /* refused too: the scan goes on */
  return 0;
}

static void test_reentrancy(void) {
  const char src[] = "rule a { condition: true }";
  sigscan_rules *rules = NULL;
  CHECK_OK(sigscan_compile(src, strlen(src), &rules));
  sigscan_scanner *s = NULL;
  CHECK_OK(sigscan_scanner_new(rules, &s));
  CHECK_OK(sigscan_scanner_scan_bytes(s, NULL, 0, reenter, s));
  /* Usable again after the scan. */
  CHECK_OK(sigscan_scanner_set_timeout(s, 0));
  sigscan_scanner_free(s);
  sigscan_rules_free(rules);
}

static void test_timeout(void) {
  const char src[] =
      "rule slow { condition: for all i in (0..0x7fffffffffffffff) : "
      "(i >= 0) }\n"
      "rule fast { condition: true }";
  sigscan_rules *rules = NULL;
  CHECK_OK(sigscan_compile(src, strlen(src), &rules));
  sigscan_scanner *s = NULL;
  CHECK_OK(sigscan_scanner_new(rules, &s));
  CHECK_OK(sigscan_scanner_set_timeout(s, 50));
  struct seen seen = {0};
  CHECK_RESULT(sigscan_scanner_scan_bytes(s, NULL, 0, collect, &seen),
               SIGSCAN_TIMEOUT);
  CHECK(seen.calls == 0);
  CHECK(strstr(sigscan_last_error(), "timeout") != NULL);
  sigscan_scanner_free(s);
  sigscan_rules_free(rules);
}

/* Writes `len` bytes to `path`. */
static void write_file(const char *path, const uint8_t *buf, size_t len) {
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  if (f == NULL) return;
  CHECK(fwrite(buf, 1, len, f) == len);
  fclose(f);
}

static void test_database(void) {
  const char src[] =
      "rule a { strings: $a = \"abc\" condition: $a }\n"
      "rule b { strings: $h = { 61 ?? 63 } condition: #h == 1 }";
  sigscan_rules *rules = NULL;
  CHECK_OK(sigscan_compile(src, strlen(src), &rules));
  uint8_t *buf = (uint8_t *)1;
  size_t len = 1;
  CHECK_OK(sigscan_rules_serialize(rules, &buf, &len));
  CHECK(buf != NULL && len > 40);
  CHECK(memcmp(buf, "SIGSCNDB", 8) == 0);
  /* Round trip: same rules, same matches. */
  sigscan_rules *loaded = NULL;
  CHECK_OK(sigscan_rules_load(buf, len, &loaded));
  CHECK(sigscan_rules_count(loaded) == 2);
  sigscan_scanner *s = NULL;
  CHECK_OK(sigscan_scanner_new(loaded, &s));
  struct seen seen = {0};
  const char data[] = "xxabcxx";
  CHECK_OK(sigscan_scanner_scan_bytes(s, (const uint8_t *)data,
                                      strlen(data), collect, &seen));
  CHECK(seen.calls == 2);
  sigscan_scanner_free(s);
  sigscan_rules_free(loaded);
  /* The same rules serialize to the same bytes. */
  uint8_t *again = NULL;
  size_t again_len = 0;
  CHECK_OK(sigscan_rules_serialize(rules, &again, &again_len));
  CHECK(again_len == len && memcmp(again, buf, len) == 0);
  sigscan_buffer_free(again, again_len);
  /* Every truncation and a flipped byte are refused. */
  for (size_t n = 0; n < len; n += 7) {
    loaded = (sigscan_rules *)1;
    CHECK_RESULT(sigscan_rules_load(buf, n, &loaded),
                 SIGSCAN_INVALID_DATABASE);
    CHECK(loaded == NULL);
  }
  buf[len / 2] ^= 0x10;
  CHECK_RESULT(sigscan_rules_load(buf, len, &loaded),
               SIGSCAN_INVALID_DATABASE);
  CHECK(strstr(sigscan_last_error(), "digest") != NULL);
  buf[len / 2] ^= 0x10;
  /* From a file: unsigned is accepted without a key, refused with one. */
  const char *path = "test_api_rules.sdb";
  write_file(path, buf, len);
  CHECK_OK(sigscan_rules_load_file(path, NULL, &loaded));
  CHECK(sigscan_rules_count(loaded) == 2);
  sigscan_rules_free(loaded);
  uint8_t key[32] = {0};
  key[0] = 0x3b; /* any point on the curve will do to be refused */
  sigscan_result r = sigscan_rules_load_file(path, key, &loaded);
  CHECK(r == SIGSCAN_SIGNATURE_ERROR);
  CHECK(loaded == NULL);
  remove(path);
  sigscan_buffer_free(buf, len);
  /* Garbage is never accepted. */
  CHECK_RESULT(sigscan_rules_load((const uint8_t *)"garbage", 7, &loaded),
               SIGSCAN_INVALID_DATABASE);
  CHECK(loaded == NULL);
  CHECK_RESULT(sigscan_rules_load_file("/nonexistent/db", key, &loaded),
               SIGSCAN_IO_ERROR);
  sigscan_buffer_free(NULL, 0);
  sigscan_rules_free(rules);
}

int main(void) {
  test_compile_and_scan();
  test_scan_file();
  test_errors();
  test_nulls();
  test_compiler_and_externals();
  test_includes();
  test_reentrancy();
  test_timeout();
  test_database();
  return done("test_api");
}
