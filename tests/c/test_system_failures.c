/*
 * test_system_failures.c - what ref/ does when the system refuses: lock
 * initialisation and locking (pthreads), the fork-detection setup (atfork
 * handler, its lock, the wipe-on-fork page: mmap, madvise) and the child's
 * fresh packet number (getrandom).
 *
 * The executable is linked with -Wl,--wrap for each of those functions
 * (test_system_failures.cmake): every call the library makes lands in a
 * __wrap_ function here that forwards to the real one, or, when armed,
 * fails the n-th call as that function can fail. test_faults.c fails the
 * library's fault sites before the real call; this test makes the real
 * call itself report the failure, so the library's reading of the result
 * (and the paths no fault site reaches, such as the channel's mutex locks)
 * are checked too. Checked each time: the documented status, the caller's
 * buffers, lengths and the channel's state unchanged, nothing counted or
 * reported that the header says is not, and (LeakSanitizer, in the ASan
 * build) nothing leaked.
 *
 * The fork setup is made by a process's first ce_ctx_new, so each of its
 * cases runs in a child process of its own, forked before this process
 * uses the library.
 */
#include "ce_test.h"

#include "chanenc.h"
#include "chanenc_channel.h"
#include "chanenc_testing.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the wrapped functions ------------------------------------------- */

enum {
  W_MUTEX_INIT,
  W_MUTEX_LOCK,
  W_MUTEX_DESTROY, /* counted only */
  W_ATFORK,
  W_MMAP,
  W_MADVISE,
  W_MUNMAP, /* counted only */
  W_GETRANDOM,
  W_COUNT
};

static unsigned long w_nth[W_COUNT];   /* fail the n-th call; 0: never */
static unsigned long w_calls[W_COUNT]; /* calls since the last arm */
static int w_fired[W_COUNT];
static int w_short_read; /* getrandom: answer 4 bytes instead of failing */
static int w_madvise_errno = EINVAL;

static void w_arm(int w, unsigned long nth) {
  w_nth[w] = nth;
  w_calls[w] = 0;
  w_fired[w] = 0;
}

static int w_fail(int w) {
  w_calls[w]++;
  if (w_nth[w] == 0 || w_calls[w] != w_nth[w])
    return 0;
  w_fired[w] = 1;
  return 1;
}

int __real_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a);
int __real_pthread_mutex_lock(pthread_mutex_t *m);
int __real_pthread_mutex_destroy(pthread_mutex_t *m);
int __real_pthread_atfork(void (*prepare)(void), void (*parent)(void),
                          void (*child)(void));
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
                  off_t off);
int __real_madvise(void *addr, size_t len, int advice);
int __real_munmap(void *addr, size_t len);
ssize_t __real_getrandom(void *buf, size_t len, unsigned flags);

int __wrap_pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a);
int __wrap_pthread_mutex_lock(pthread_mutex_t *m);
int __wrap_pthread_mutex_destroy(pthread_mutex_t *m);
int __wrap_pthread_atfork(void (*prepare)(void), void (*parent)(void),
                          void (*child)(void));
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
                  off_t off);
int __wrap_madvise(void *addr, size_t len, int advice);
int __wrap_munmap(void *addr, size_t len);
ssize_t __wrap_getrandom(void *buf, size_t len, unsigned flags);

int __wrap_pthread_mutex_init(pthread_mutex_t *m,
                              const pthread_mutexattr_t *a) {
  return w_fail(W_MUTEX_INIT) ? ENOMEM : __real_pthread_mutex_init(m, a);
}

int __wrap_pthread_mutex_lock(pthread_mutex_t *m) {
  return w_fail(W_MUTEX_LOCK) ? EAGAIN : __real_pthread_mutex_lock(m);
}

int __wrap_pthread_mutex_destroy(pthread_mutex_t *m) {
  w_calls[W_MUTEX_DESTROY]++;
  return __real_pthread_mutex_destroy(m);
}

int __wrap_pthread_atfork(void (*prepare)(void), void (*parent)(void),
                          void (*child)(void)) {
  return w_fail(W_ATFORK) ? ENOMEM
                          : __real_pthread_atfork(prepare, parent, child);
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
                  off_t off) {
  if (w_fail(W_MMAP)) {
    errno = ENOMEM;
    return MAP_FAILED;
  }
  return __real_mmap(addr, len, prot, flags, fd, off);
}

int __wrap_madvise(void *addr, size_t len, int advice) {
  if (w_fail(W_MADVISE)) {
    errno = w_madvise_errno; /* EINVAL: a kernel before 4.14 */
    return -1;
  }
  return __real_madvise(addr, len, advice);
}

int __wrap_munmap(void *addr, size_t len) {
  w_calls[W_MUNMAP]++;
  return __real_munmap(addr, len);
}

ssize_t __wrap_getrandom(void *buf, size_t len, unsigned flags) {
  if (w_fail(W_GETRANDOM)) {
    if (w_short_read && len > 4)
      return __real_getrandom(buf, 4, flags);
    errno = ENOSYS; /* e.g. a seccomp filter that forbids the call */
    return -1;
  }
  return __real_getrandom(buf, len, flags);
}

/* ---- helpers ----------------------------------------------------------- */

static void cfg_for(ce_config *cfg, int mode) {
  ce_config_init(cfg);
  cfg->mode = mode;
  ce_config_set_key_str(cfg, "system failures");
  memset(cfg->salt, 0x21, sizeof cfg->salt);
}

static ce_ctx *ctx_for(int mode) {
  ce_config cfg;
  cfg_for(&cfg, mode);
  ce_ctx *ctx = NULL;
  CE_CHECK_STATUS(ce_ctx_new(&cfg, &ctx), CE_OK, "ce_ctx_new(%d)", mode);
  if (ctx == NULL)
    exit(2);
  return ctx;
}

static uint64_t frame_pn(const uint8_t *f) {
  uint64_t pn = 0;
  for (int i = 0; i < 8; i++)
    pn = pn << 8 | f[2 + i];
  return pn;
}

/* Runs fn in a child process and adds the child's check counts to this
   process's. The child ends with exit() so that stdio (flushed before the
   fork) and a coverage build's counters are written once. */
typedef struct {
  unsigned long passed, failed, skipped;
  char note[64]; /* child_note, passed back */
} counts;

static char child_note[64];

static void in_child(const char *name, void (*fn)(void)) {
  int fds[2];
  if (pipe(fds) != 0)
    exit(2);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0)
    exit(2);
  if (pid == 0) {
    close(fds[0]);
    ce_test_passed = ce_test_failed = ce_test_skipped = 0;
    fn();
    counts c = {ce_test_passed, ce_test_failed, ce_test_skipped, {0}};
    memcpy(c.note, child_note, sizeof c.note);
    int wrote = write(fds[1], &c, sizeof c) == (ssize_t)sizeof c;
    close(fds[1]);
    exit(wrote ? 0 : 3);
  }
  close(fds[1]);
  counts c = {0, 0, 0, {0}};
  int got = read(fds[0], &c, sizeof c) == (ssize_t)sizeof c;
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  CE_CHECK(got && WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "%s: child process (status %d)", name, status);
  ce_test_passed += c.passed;
  ce_test_failed += c.failed;
  ce_test_skipped += c.skipped;
  memcpy(child_note, c.note, sizeof child_note);
}

/* Forks; the child protects once with ctx and reports the frame's packet
   number (0 when protect failed). */
static uint64_t child_protect_pn(ce_ctx *ctx) {
  int fds[2];
  if (pipe(fds) != 0)
    exit(2);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0)
    exit(2);
  if (pid == 0) {
    close(fds[0]);
    uint8_t f[64] = {0};
    size_t len = 8;
    uint64_t pn = ce_protect(ctx, f, &len, sizeof f) == CE_OK ? frame_pn(f) : 0;
    int wrote = write(fds[1], &pn, sizeof pn) == (ssize_t)sizeof pn;
    close(fds[1]);
    exit(wrote ? 0 : 3);
  }
  close(fds[1]);
  uint64_t pn = 0;
  if (read(fds[0], &pn, sizeof pn) != (ssize_t)sizeof pn)
    pn = 0;
  close(fds[0]);
  waitpid(pid, NULL, 0);
  return pn;
}

/* ---- the fork setup (each case in a fresh process) -------------------- */

/* The first ce_ctx_new of a process sets up fork detection (fork.c): the
   atfork child handler and, on Linux 4.14+, the wipe-on-fork page. A
   system call of that setup that fails makes ce_ctx_new fail with
   CE_ERR_INTERNAL and *out NULL, and the next ce_ctx_new tries again and,
   with the call working, succeeds with a context that keeps the fork
   promise (a fork() child draws a fresh packet number, the parent's
   sequence goes on). The one failure that is not an error: madvise's
   EINVAL, a kernel without MADV_WIPEONFORK; then ce_ctx_new succeeds, the
   page is given back and the atfork handler alone sees forks. */
enum { MUST_FAIL, MUST_WORK };

static int setup_w;      /* the function made to fail */
static int setup_errno;  /* madvise's errno */
static int setup_expect; /* MUST_FAIL or MUST_WORK */
static const char *setup_name;

static void check_fork_promise(ce_ctx *ctx, const char *what) {
  uint64_t next = ce_ctx_next_pn(ctx);
  uint64_t child = child_protect_pn(ctx);
  CE_CHECK(child != 0 && child != next,
           "%s: a fork() child draws a fresh packet number", what);
  uint8_t f[64] = {0};
  size_t len = 8;
  CE_CHECK_STATUS(ce_protect(ctx, f, &len, sizeof f), CE_OK, "parent");
  CE_CHECK(frame_pn(f) == next, "%s: the parent's sequence goes on", what);
}

static void case_fork_setup(void) {
  ce_config cfg;
  cfg_for(&cfg, CE_MODE_AES_128_GCM);
  ce_ctx *ctx = (ce_ctx *)&cfg;
  w_madvise_errno = setup_errno;
  w_arm(W_MUNMAP, 0);
  w_arm(setup_w, 1);
  ce_status st = ce_ctx_new(&cfg, &ctx);
  CE_CHECK(w_fired[setup_w], "%s: the setup makes the call", setup_name);
  w_arm(setup_w, 0);
  if (setup_expect == MUST_WORK) {
    CE_CHECK_STATUS(st, CE_OK, "%s", setup_name);
    if (setup_w == W_MADVISE)
      CE_CHECK(w_calls[W_MUNMAP] == 1, "%s: the unusable page given back",
               setup_name);
    if (st == CE_OK) {
      check_fork_promise(ctx, setup_name);
      ce_ctx_free(ctx);
    }
    return;
  }
  CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "%s", setup_name);
  CE_CHECK(ctx == NULL, "%s: *out NULL", setup_name);
  if (st == CE_OK)
    ce_ctx_free(ctx);
  ctx = (ce_ctx *)&cfg;
  st = ce_ctx_new(&cfg, &ctx);
  CE_CHECK_STATUS(st, CE_OK, "%s, then working again: tried again", setup_name);
  if (st == CE_OK) {
    check_fork_promise(ctx, setup_name);
    ce_ctx_free(ctx);
  }
}

static void fork_setup(const char *name, int w, int err, int expect) {
  setup_name = name;
  setup_w = w;
  setup_errno = err;
  setup_expect = expect;
  in_child(name, case_fork_setup);
}

/* In a fault-injection build: the setup's own fault sites (fork.*), each
   fired in a fresh process (the k-th site of a process's first ce_ctx_new
   for k = 1, 2, ...): CE_ERR_INTERNAL and *out NULL, then, disarmed, the
   next ce_ctx_new succeeds and keeps the fork promise. */
static unsigned long site_nth;

static void case_fork_fault_site(void) {
  ce_config cfg;
  cfg_for(&cfg, CE_MODE_AES_128_GCM); /* a mode with packet numbers */
  ce_ctx *ctx = (ce_ctx *)&cfg;
  ce_testing_fault_arm(site_nth);
  ce_status st = ce_ctx_new(&cfg, &ctx);
  const char *site = ce_testing_fault_fired();
  ce_testing_fault_arm(0);
  snprintf(child_note, sizeof child_note, "%s", site ? site : "");
  if (st == CE_OK)
    ce_ctx_free(ctx);
  if (site == NULL || strncmp(site, "fork.", 5) != 0)
    return;
  CE_CHECK_STATUS(st, CE_ERR_INTERNAL, "fault at %s", site);
  CE_CHECK(ctx == NULL, "fault at %s: *out NULL", site);
  ctx = (ce_ctx *)&cfg;
  st = ce_ctx_new(&cfg, &ctx);
  CE_CHECK_STATUS(st, CE_OK, "after a fault at %s: tried again", site);
  if (st == CE_OK) {
    check_fork_promise(ctx, child_note);
    ce_ctx_free(ctx);
  }
}

static void test_fork_fault_sites(void) {
  if (!ce_testing_fault_available()) {
    printf("skipped: the fork setup's fault sites need a build with "
           "-DCE_FAULT_INJECTION=ON (scripts/test.sh's fault stage runs "
           "this test there)\n");
    CE_SKIP(1);
    return;
  }
  int fork_sites = 0;
  for (site_nth = 1; site_nth <= 500; site_nth++) {
    child_note[0] = 0;
    in_child("fork fault site", case_fork_fault_site);
    if (child_note[0] == 0)
      break; /* the k-th site is past ce_ctx_new: every site was armed */
    fork_sites += strncmp(child_note, "fork.", 5) == 0;
  }
  CE_CHECK(fork_sites > 0, "the fork setup has fault sites");
}

/* ---- getrandom in a child -------------------------------------------- */

/* A context made by this process, used by a child after fork(). */
static ce_ctx *parent_ctx;

/* The child's fresh packet number comes from getrandom. When that fails
   (ENOSYS) or answers short, ce_protect is CE_ERR_INTERNAL with the
   buffer, length and packet number unchanged, and the next call draws
   again. */
static void case_getrandom_fails_in_child(void) {
  ce_ctx *ctx = parent_ctx;
  uint64_t parent_next = ce_ctx_next_pn(ctx);
  for (int shortread = 0; shortread <= 1; shortread++) {
    w_short_read = shortread;
    uint8_t f[64], snap[64];
    memset(f, 0x6b, sizeof f);
    memcpy(snap, f, sizeof f);
    size_t len = 12;
    w_arm(W_GETRANDOM, 1);
    CE_CHECK_STATUS(ce_protect(ctx, f, &len, sizeof f), CE_ERR_INTERNAL,
                    "getrandom %s", shortread ? "short" : "fails");
    CE_CHECK(w_fired[W_GETRANDOM] && len == 12 &&
                 memcmp(f, snap, sizeof f) == 0 &&
                 ce_ctx_next_pn(ctx) == parent_next,
             "getrandom %s: buffer, length and number unchanged",
             shortread ? "short" : "fails");
  }
  w_arm(W_GETRANDOM, 0);
  w_short_read = 0;
  uint8_t f[64] = {0};
  size_t len = 12;
  CE_CHECK_STATUS(ce_protect(ctx, f, &len, sizeof f), CE_OK, "then it draws");
  CE_CHECK(w_calls[W_GETRANDOM] == 1 && frame_pn(f) != parent_next,
           "a fresh number");
}

static void test_getrandom_fails(void) {
  parent_ctx = ctx_for(CE_MODE_AES_256_GCM);
  w_arm(W_GETRANDOM, 0);
  in_child("getrandom", case_getrandom_fails_in_child);
  CE_CHECK(w_calls[W_GETRANDOM] == 0,
           "the parent itself never needed getrandom");
  ce_ctx_free(parent_ctx);
}

/* ---- channel: mutex initialisation and locking ------------------------ */

static void test_channel_new_init_fails(void) {
  /* One mutex: the control calls' (the packet path has none). */
  ce_channel *ch = (ce_channel *)&ch;
  w_arm(W_MUTEX_DESTROY, 0);
  w_arm(W_MUTEX_INIT, 1);
  CE_CHECK_STATUS(ce_channel_new(&ch), CE_ERR_INTERNAL,
                  "the mutex fails to initialise");
  CE_CHECK(w_fired[W_MUTEX_INIT] && ch == NULL, "fired; *out NULL");
  CE_CHECK(w_calls[W_MUTEX_DESTROY] == 0, "nothing to destroy");
  w_arm(W_MUTEX_INIT, 0);
  ch = NULL;
  CE_CHECK_STATUS(ce_channel_new(&ch), CE_OK, "then it works");
  CE_CHECK(w_calls[W_MUTEX_INIT] == 1, "one mutex per channel, not %lu",
           w_calls[W_MUTEX_INIT]);
  ce_channel_free(ch);
}

typedef struct {
  int errors, observed;
} chan_log;

static void on_error(void *user, int type, int status) {
  (void)type;
  (void)status;
  ((chan_log *)user)->errors++;
}

static int on_send(void *user, ce_packet *pkt) {
  (void)pkt;
  ((chan_log *)user)->observed++;
  return 1;
}

static const ce_packet_observer observer = {on_send, on_send, NULL, NULL};

static int send_len(ce_channel *ch, size_t n, size_t *out_len) {
  uint8_t buf[256] = {0};
  size_t len = n;
  ce_status st = ce_channel_send(ch, CE_PACKET_AUDIO, buf, &len, sizeof buf);
  *out_len = len;
  return st;
}

/* Each control function with its lock (the control calls' mutex) failing:
   CE_ERR_INTERNAL (enable_encryption: CE_SDK_ERR_FAILED), and the channel
   exactly as before. Then: send, receive and get_counters take no lock at
   all (channel.c: the packet path claims its direction with an atomic). */
static void test_channel_lock_fails(void) {
  ce_config gcm, xts;
  cfg_for(&gcm, CE_MODE_AES_128_GCM);
  cfg_for(&xts, CE_MODE_AES_256_XTS);
  {
    const unsigned long nth = 1;
    chan_log log = {0, 0};
    ce_channel *ch = NULL;
    CE_CHECK_STATUS(ce_channel_new(&ch), CE_OK, "new");
    if (ch == NULL)
      exit(2);
    size_t len = 0;

    w_arm(W_MUTEX_LOCK, nth);
    CE_CHECK_STATUS(ce_channel_join(ch), CE_ERR_INTERNAL, "join, lock %lu",
                    nth);
    CE_CHECK(w_fired[W_MUTEX_LOCK], "fired");
    w_arm(W_MUTEX_LOCK, 0);
    CE_CHECK_STATUS(send_len(ch, 10, &len), CE_ERR_INVALID_ARGUMENT,
                    "still not joined");
    CE_CHECK_STATUS(ce_channel_join(ch), CE_OK, "join");

    w_arm(W_MUTEX_LOCK, nth);
    CE_CHECK(ce_channel_enable_encryption(ch, 1, &gcm) == CE_SDK_ERR_FAILED,
             "enable, lock %lu", nth);
    w_arm(W_MUTEX_LOCK, 0);
    CE_CHECK_STATUS(send_len(ch, 10, &len), CE_OK, "send");
    CE_CHECK(len == 10, "still unencrypted");
    CE_CHECK(ce_channel_enable_encryption(ch, 1, &gcm) == CE_SDK_OK, "enable");
    w_arm(W_MUTEX_LOCK, nth);
    CE_CHECK(ce_channel_enable_encryption(ch, 1, &xts) == CE_SDK_ERR_FAILED,
             "re-enable, lock %lu", nth);
    w_arm(W_MUTEX_LOCK, 0);
    CE_CHECK_STATUS(send_len(ch, 10, &len), CE_OK, "send");
    CE_CHECK(len == 36, "still GCM");

    w_arm(W_MUTEX_LOCK, nth);
    CE_CHECK_STATUS(ce_channel_register_packet_observer(ch, &observer, &log),
                    CE_ERR_INTERNAL, "register, lock %lu", nth);
    w_arm(W_MUTEX_LOCK, nth);
    CE_CHECK_STATUS(ce_channel_set_error_callback(ch, on_error, &log),
                    CE_ERR_INTERNAL, "error callback, lock %lu", nth);
    w_arm(W_MUTEX_LOCK, nth);
    CE_CHECK_STATUS(ce_channel_set_max_wire_size(ch, 20), CE_ERR_INTERNAL,
                    "max wire size, lock %lu", nth);
    w_arm(W_MUTEX_LOCK, 0);
    CE_CHECK_STATUS(send_len(ch, 10, &len), CE_OK,
                    "36 bytes on the wire: no limit of 20 was set");
    CE_CHECK(log.observed == 0, "no observer was registered");
    uint8_t big[256] = {0};
    size_t blen = 200;
    CE_CHECK_STATUS(ce_channel_receive(ch, CE_PACKET_AUDIO, big, &blen, 256),
                    CE_ERR_BAD_VERSION, "a failure to report");
    CE_CHECK(log.errors == 0, "no error callback was set");

    w_arm(W_MUTEX_LOCK, nth);
    CE_CHECK_STATUS(ce_channel_leave(ch), CE_ERR_INTERNAL, "leave, lock %lu",
                    nth);
    w_arm(W_MUTEX_LOCK, 0);
    CE_CHECK_STATUS(send_len(ch, 10, &len), CE_OK, "still joined");
    CE_CHECK(len == 36, "and still encrypted");

    ce_channel_counters before, c;
    CE_CHECK_STATUS(ce_channel_set_error_callback(ch, on_error, &log), CE_OK,
                    "error callback");
    w_arm(W_MUTEX_LOCK, 0);
    CE_CHECK_STATUS(ce_channel_get_counters(ch, &before), CE_OK, "counters");
    uint8_t buf[64];
    memset(buf, 0x19, sizeof buf);
    size_t l = 16;
    CE_CHECK_STATUS(ce_channel_send(ch, CE_PACKET_VIDEO, buf, &l, sizeof buf),
                    CE_OK, "send");
    CE_CHECK_STATUS(
        ce_channel_receive(ch, CE_PACKET_VIDEO, buf, &l, sizeof buf), CE_OK,
        "receive");
    CE_CHECK_STATUS(ce_channel_get_counters(ch, &c), CE_OK, "counters");
    CE_CHECK(w_calls[W_MUTEX_LOCK] == 0,
             "send, receive and get_counters took %lu locks",
             w_calls[W_MUTEX_LOCK]);
    CE_CHECK(c.kind[CE_PACKET_VIDEO].sent ==
                     before.kind[CE_PACKET_VIDEO].sent + 1 &&
                 c.kind[CE_PACKET_VIDEO].received ==
                     before.kind[CE_PACKET_VIDEO].received + 1,
             "counted");
    ce_channel_free(ch);
  }
}

int main(void) {
  /* First, while this process has not used the library: the fork setup
     cases, each in a fresh child. */
  fork_setup("pthread_atfork fails", W_ATFORK, 0, MUST_FAIL);
  fork_setup("the setup's lock fails", W_MUTEX_LOCK, 0, MUST_FAIL);
  fork_setup("mmap fails", W_MMAP, 0, MUST_FAIL);
  fork_setup("madvise fails (ENOMEM)", W_MADVISE, ENOMEM, MUST_FAIL);
  fork_setup("madvise: no MADV_WIPEONFORK (EINVAL)", W_MADVISE, EINVAL,
             MUST_WORK);
  test_fork_fault_sites();
  test_getrandom_fails();
  test_channel_new_init_fails();
  test_channel_lock_fails();
  return ce_test_finish("test_system_failures");
}
