/*
 * test_fork_pn.c - packet numbers in a child process (chanenc.h, "fork()";
 * spec 7), for both detectors of fork.c:
 *  - fork(), seen by the atfork child handler;
 *  - the raw fork system call, which runs no atfork handler and is seen
 *    only through the MADV_WIPEONFORK page.
 * In the child, before its first ce_protect:
 *  - ce_ctx_next_pn answers the number the parent would have used;
 *  - ce_testing_protect_pn uses the number it is given and neither checks
 *    for the fork nor touches the context's number;
 *  - (fault-injection build) when drawing the fresh number fails,
 *    ce_protect returns CE_ERR_INTERNAL, leaves buf and *len as they were
 *    and draws again on the next call.
 * Then ce_protect uses a fresh random number P (never the parent's), the
 * next one uses P + 1, and the frames open. The parent's sequence goes on
 * undisturbed, and two children draw different numbers.
 *
 * The children end with exit(), not _exit(): stdio is flushed before each
 * fork so nothing is written twice, and a coverage build then records
 * what the child ran.
 */
#include "ce_test.h"

#include "chanenc.h"
#include "chanenc_testing.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <signal.h>

typedef struct {
  int ok;               /* every call in the child behaved */
  uint64_t next_before; /* ce_ctx_next_pn before the first protect */
  uint64_t explicit_pn; /* pn of the ce_testing_protect_pn frame */
  uint64_t next_after_explicit;
  int fault_checked;   /* the failed fresh draw was exercised */
  int fault_ok;        /* ... and behaved as documented */
  uint64_t p1, p2;     /* pns of the first two ce_protect frames */
  uint64_t next_after; /* ce_ctx_next_pn after them */
} child_report;

static uint64_t frame_pn(const uint8_t *f) {
  uint64_t pn = 0;
  for (int i = 0; i < 8; i++)
    pn = pn << 8 | f[2 + i];
  return pn;
}

static ce_ctx *ctx_for(int mode) {
  ce_config cfg;
  ce_config_init(&cfg);
  cfg.mode = mode;
  ce_config_set_key_str(&cfg, "fork key");
  memset(cfg.salt, 0x11, sizeof cfg.salt);
  ce_ctx *ctx = NULL;
  if (ce_ctx_new(&cfg, &ctx) != CE_OK) {
    fprintf(stderr, "ce_ctx_new(mode %d) failed\n", mode);
    exit(2);
  }
  return ctx;
}

/* Protects a 20-byte payload, checks that the frame opens to it, and
   returns its packet number (0 with *ok cleared on any failure). */
static uint64_t protect_one(ce_ctx *ctx, int *ok) {
  uint8_t buf[64], payload[20];
  for (int i = 0; i < 20; i++)
    payload[i] = (uint8_t)(i * 7);
  memcpy(buf, payload, sizeof payload);
  size_t len = sizeof payload;
  if (ce_protect(ctx, buf, &len, sizeof buf) != CE_OK) {
    *ok = 0;
    return 0;
  }
  uint64_t pn = frame_pn(buf);
  if (ce_unprotect(ctx, buf, &len) != CE_OK || len != sizeof payload ||
      memcmp(buf, payload, len) != 0)
    *ok = 0;
  return pn;
}

static void child_work(ce_ctx *ctx, child_report *r) {
  r->ok = 1;
  r->next_before = ce_ctx_next_pn(ctx);
  uint8_t buf[64] = {1, 2, 3};
  size_t len = 3;
  if (ce_testing_protect_pn(ctx, 5, buf, &len, sizeof buf) != CE_OK)
    r->ok = 0;
  r->explicit_pn = frame_pn(buf);
  r->next_after_explicit = ce_ctx_next_pn(ctx);
  if (ce_testing_fault_available()) {
    /* The fresh draw is the first fault site of a child's ce_protect. */
    uint8_t f[64], snap[64];
    memset(f, 0x42, sizeof f);
    memcpy(snap, f, sizeof f);
    size_t fl = 9;
    ce_testing_fault_arm(1);
    ce_status st = ce_protect(ctx, f, &fl, sizeof f);
    const char *site = ce_testing_fault_fired();
    ce_testing_fault_arm(0);
    r->fault_checked = 1;
    r->fault_ok = st == CE_ERR_INTERNAL && site != NULL &&
                  strcmp(site, "fork.random") == 0 && fl == 9 &&
                  memcmp(f, snap, sizeof f) == 0 &&
                  ce_ctx_next_pn(ctx) == r->next_before;
  }
  r->p1 = protect_one(ctx, &r->ok);
  r->p2 = protect_one(ctx, &r->ok);
  r->next_after = ce_ctx_next_pn(ctx);
}

/* Forks (raw: the fork system call itself), runs child_work in the child
   and returns its report; the parent protects meanwhile and checks that
   its own sequence went on. */
static child_report fork_child(ce_ctx *ctx, int raw, uint64_t *parent_pn) {
  child_report r;
  memset(&r, 0, sizeof r);
  int fds[2];
  if (pipe(fds) != 0)
    exit(2);
  fflush(NULL);
#ifdef SYS_fork
  pid_t pid = raw ? (pid_t)syscall(SYS_fork) : fork();
#else
  pid_t pid = raw ? (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0) : fork();
#endif
  if (pid < 0)
    exit(2);
  if (pid == 0) {
    close(fds[0]);
    child_work(ctx, &r);
    int wrote = write(fds[1], &r, sizeof r) == (ssize_t)sizeof r;
    close(fds[1]);
    exit(wrote ? 0 : 3);
  }
  close(fds[1]);
  int ok = 1;
  *parent_pn = protect_one(ctx, &ok);
  CE_CHECK(ok, "parent protect");
  int got = read(fds[0], &r, sizeof r) == (ssize_t)sizeof r;
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  CE_CHECK(got && WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "child reported (status %d)", status);
  return r;
}

static void check_fork(int mode, int raw) {
  const char *how = raw ? "raw fork" : "fork()";
  ce_ctx *ctx = ctx_for(mode);
  int ok = 1;
  protect_one(ctx, &ok); /* the parent has been protecting */
  uint64_t n = ce_ctx_next_pn(ctx), parent_pn = 0;
  child_report r = fork_child(ctx, raw, &parent_pn);
  CE_CHECK(r.ok, "m%d %s: child's calls succeeded", mode, how);
  CE_CHECK(parent_pn == n && ce_ctx_next_pn(ctx) == n + 1,
           "m%d %s: the parent's sequence goes on", mode, how);
  CE_CHECK(r.next_before == n,
           "m%d %s: before protecting, the child's next_pn is the parent's",
           mode, how);
  CE_CHECK(r.explicit_pn == 5 && r.next_after_explicit == n,
           "m%d %s: an explicit packet number neither checks for the fork "
           "nor touches the context's",
           mode, how);
  if (r.fault_checked)
    CE_CHECK(r.fault_ok,
             "m%d %s: a failed fresh draw is CE_ERR_INTERNAL, buffer and "
             "number unchanged",
             mode, how);
  else
    CE_SKIP(1);
  CE_CHECK(r.p1 != n && r.p1 != n + 1 && r.p1 != n - 1,
           "m%d %s: the child drew a fresh number (%llu; parent at %llu)", mode,
           how, (unsigned long long)r.p1, (unsigned long long)n);
  CE_CHECK(r.p2 == r.p1 + 1 && r.next_after == r.p1 + 2,
           "m%d %s: and continues from it", mode, how);
  /* A second child of the same context draws again. */
  uint64_t parent2 = 0;
  child_report r2 = fork_child(ctx, raw, &parent2);
  CE_CHECK(r2.ok && parent2 == n + 1, "m%d %s: second child", mode, how);
  CE_CHECK(r2.p1 != r.p1 && r2.p1 != n + 1,
           "m%d %s: two children drew different numbers", mode, how);
  ce_ctx_free(ctx);
}

int main(void) {
  static const int modes[] = {CE_MODE_AES_128_XTS, CE_MODE_AES_128_GCM,
                              CE_MODE_AES_256_GCM2};
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    check_fork(modes[i], 0);
    check_fork(modes[i], 1);
  }
  return ce_test_finish("test_fork_pn");
}
