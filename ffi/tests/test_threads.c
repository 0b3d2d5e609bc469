/* One sigscan_rules shared by several threads, one scanner per thread;
 * and a scanner used by two threads at once is refused, not corrupted. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sigscan.h"
#include "check.h"

#define THREADS 4
#define ROUNDS 50

static const char RULES[] =
    "rule a { strings: $a = \"needle\" condition: #a == 2 }\n"
    "rule b { strings: $b = { 00 01 02 03 } condition: $b at 100 }\n"
    "rule c { condition: filesize > 1000 }\n";

struct job {
  const sigscan_rules *rules;
  int id;
  int failures;
  int matches;
};

static int count(const sigscan_match *m, void *user_data) {
  (void)m;
  (*(int *)user_data)++;
  return 0;
}

static void *worker(void *arg) {
  struct job *job = arg;
  sigscan_scanner *s = NULL;
  if (sigscan_scanner_new(job->rules, &s) != SIGSCAN_OK) {
    job->failures++;
    return NULL;
  }
  uint8_t data[2000];
  for (int round = 0; round < ROUNDS; round++) {
    memset(data, 'x', sizeof data);
    memcpy(data + 10, "needle", 6);
    size_t len = sizeof data;
    int want;
    /* Threads scan different data: each expects its own answer. */
    switch ((job->id + round) % 3) {
      case 0: /* a, b, c */
        memcpy(data + 500, "needle", 6);
        memcpy(data + 100, "\x00\x01\x02\x03", 4);
        want = 3;
        break;
      case 1: /* c only */
        want = 1;
        break;
      default: /* a, small */
        memcpy(data + 50, "needle", 6);
        len = 100;
        want = 1;
        break;
    }
    int got = 0;
    if (sigscan_scanner_scan_bytes(s, data, len, count, &got) !=
            SIGSCAN_OK ||
        got != want) {
      fprintf(stderr, "thread %d round %d: %d matches, want %d\n", job->id,
              round, got, want);
      job->failures++;
    }
    job->matches += got;
  }
  sigscan_scanner_free(s);
  return NULL;
}

/* A callback that lingers, so that another thread tries the scanner. */
struct shared {
  sigscan_scanner *s;
  atomic_int in_callback;
  atomic_int other_done;
  sigscan_result other_result;
};

static int linger(const sigscan_match *m, void *user_data) {
  (void)m;
  struct shared *sh = user_data;
  atomic_store(&sh->in_callback, 1);
  while (!atomic_load(&sh->other_done)) {
    sched_yield();
  }
  return 0;
}

static void *intruder(void *arg) {
  struct shared *sh = arg;
  while (!atomic_load(&sh->in_callback)) {
    sched_yield();
  }
  int got = 0;
  sh->other_result = sigscan_scanner_scan_bytes(sh->s, NULL, 0, count, &got);
  atomic_store(&sh->other_done, 1);
  return NULL;
}

int main(void) {
  sigscan_rules *rules = NULL;
  CHECK_OK(sigscan_compile(RULES, strlen(RULES), &rules));

  pthread_t threads[THREADS];
  struct job jobs[THREADS];
  for (int i = 0; i < THREADS; i++) {
    jobs[i] = (struct job){.rules = rules, .id = i};
    CHECK(pthread_create(&threads[i], NULL, worker, &jobs[i]) == 0);
  }
  for (int i = 0; i < THREADS; i++) {
    CHECK(pthread_join(threads[i], NULL) == 0);
    CHECK(jobs[i].failures == 0);
    CHECK(jobs[i].matches > 0);
  }

  /* Errors are per thread: a failure here is not seen there. */
  sigscan_rules *none = NULL;
  CHECK_RESULT(sigscan_compile("rule", 4, &none), SIGSCAN_SYNTAX_ERROR);
  CHECK(strlen(sigscan_last_error()) > 0);

  /* One scanner, two threads at once: the second call is refused. */
  struct shared sh = {.s = NULL};
  atomic_init(&sh.in_callback, 0);
  atomic_init(&sh.other_done, 0);
  const char always[] = "rule t { condition: true }";
  sigscan_rules *r2 = NULL;
  CHECK_OK(sigscan_compile(always, strlen(always), &r2));
  CHECK_OK(sigscan_scanner_new(r2, &sh.s));
  pthread_t t;
  CHECK(pthread_create(&t, NULL, intruder, &sh) == 0);
  CHECK_OK(sigscan_scanner_scan_bytes(sh.s, NULL, 0, linger, &sh));
  CHECK(pthread_join(t, NULL) == 0);
  CHECK(sh.other_result == SIGSCAN_INVALID_ARGUMENT);
  sigscan_scanner_free(sh.s);
  sigscan_rules_free(r2);

  sigscan_rules_free(rules);
  return done("test_threads");
}
