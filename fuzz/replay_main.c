/*
 * replay_main.c - runs a fuzz harness over files, without libFuzzer.
 *
 * Linked with every harness in the replay build (any compiler, CMake
 * option CE_BUILD_FUZZ_REPLAY), so that the committed corpora are
 * regression tests on every build, the gcc ASan/UBSan one included, and
 * so that the coverage build can replay them.
 *
 * usage: <harness>_replay PATH...
 * Each PATH is a file or a directory; directories are read one level deep
 * (as libFuzzer reads a corpus) in sorted order, so runs are repeatable.
 * Every input is handed to LLVMFuzzerTestOneInput exactly as libFuzzer
 * would: in a malloc'd buffer of exactly its size, so ASan sees reads past
 * the end. A harness signals a failure by aborting; this driver exits 1
 * when no input was found at all (an empty corpus would otherwise pass
 * silently), 0 when every input ran.
 */
#define _POSIX_C_SOURCE 200809L

#include "fuzz_common.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Harnesses may define LLVMFuzzerInitialize; replay calls it when they do.
   Weak, so a harness without one still links. */
#if defined(__GNUC__)
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);
#endif

static unsigned long fz_replayed;

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
    return -1;
  }
  size_t cap = 4096, n = 0;
  uint8_t *buf = malloc(cap);
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    if (got == 0)
      break;
    n += got;
  }
  int err = ferror(f);
  fclose(f);
  if (err) {
    fprintf(stderr, "replay: read error on %s\n", path);
    free(buf);
    return -1;
  }
  /* Exactly n bytes, like libFuzzer's copy of the unit. */
  uint8_t *exact = malloc(n ? n : 1);
  if (n)
    memcpy(exact, buf, n);
  free(buf);
  if (getenv("FZ_REPLAY_VERBOSE") != NULL)
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
  LLVMFuzzerTestOneInput(exact, n);
  free(exact);
  fz_replayed++;
  return 0;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int run_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    fprintf(stderr, "replay: cannot open %s: %s\n", dir, strerror(errno));
    return -1;
  }
  size_t n = 0, cap = 64;
  char **names = malloc(cap * sizeof *names);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    if (n == cap) {
      cap *= 2;
      names = realloc(names, cap * sizeof *names);
    }
    size_t len = strlen(dir) + strlen(e->d_name) + 2;
    names[n] = malloc(len);
    snprintf(names[n], len, "%s/%s", dir, e->d_name);
    n++;
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp_names);
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode) && run_file(names[i]))
      rc = -1;
    free(names[i]);
  }
  free(names);
  return rc;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize(&argc, &argv);
  int rc = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
      rc = 1;
    } else if (S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i])) {
      rc = 1;
    }
  }
  printf("replay: %lu inputs ran\n", fz_replayed);
  if (fz_replayed == 0) {
    fprintf(stderr, "replay: no inputs found\n");
    rc = 1;
  }
  return rc;
}
