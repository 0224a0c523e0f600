/*
 * ce_prof.c - one packet operation in a loop, for perf stat and callgrind.
 *
 *   ce_prof WHO OP MODE SIZE [COUNT]
 *     WHO   ce | ce-openssl | base | base-imb | chan
 *           (ce: the default backend; ce-openssl: chanenc on OpenSSL;
 *           base-imb: the frame by hand on intel-ipsec-mb, GCM modes, when
 *           built in)
 *     OP    protect | unprotect (ce, base); send | receive (chan)
 *     MODE  a mode name or id (AES_128_GCM, 5, ...)
 *     SIZE  payload bytes
 *     COUNT packets (default 1000000)
 *
 * Every packet goes through prof_op(), which does the operation and nothing
 * else, so `valgrind --tool=callgrind --toggle-collect=prof_op` counts
 * exactly the instructions of COUNT operations (bench/README.md). For
 * unprotect and receive the frame is restored from a pristine copy before
 * each call, outside prof_op.
 */
#include "baseline.h"
#ifdef CE_BENCH_HAVE_IPSECMB
#include "baseline_imb.h"
#endif
#include "chanenc.h"
#if __has_include("chanenc_channel.h")
#include "chanenc_channel.h"
#define PROF_HAVE_CHANNEL 1
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WHO_CE, WHO_BASE, WHO_CHAN, WHO_BASE_IMB };

typedef struct prof {
  int who, protect, mode;
  ce_ctx *ctx;
  bl_ctx *bl;
#ifdef CE_BENCH_HAVE_IPSECMB
  bi_ctx *bi;
#endif
#ifdef PROF_HAVE_CHANNEL
  ce_channel *ch;
#endif
  size_t cap;
} prof;

#ifdef PROF_HAVE_CHANNEL
static int prof_keep(void *user, ce_packet *pkt) {
  (void)user;
  (void)pkt;
  return 1;
}
#endif

__attribute__((noinline)) int prof_op(prof *p, uint8_t *buf, size_t *len);

__attribute__((noinline)) int prof_op(prof *p, uint8_t *buf, size_t *len) {
  switch (p->who) {
  case WHO_CE:
    return p->protect ? ce_protect(p->ctx, buf, len, p->cap)
                      : ce_unprotect(p->ctx, buf, len);
  case WHO_BASE:
    return p->protect ? bl_protect(p->bl, buf, len)
                      : bl_unprotect(p->bl, buf, len);
#ifdef CE_BENCH_HAVE_IPSECMB
  case WHO_BASE_IMB:
    return p->protect ? bi_protect(p->bi, buf, len)
                      : bi_unprotect(p->bi, buf, len);
#endif
#ifdef PROF_HAVE_CHANNEL
  default: {
    ce_packet_kind k = CE_PACKET_VIDEO;
    return p->protect ? ce_channel_send(p->ch, k, buf, len, p->cap)
                      : ce_channel_receive(p->ch, k, buf, len, p->cap);
  }
#else
  default:
    return -1;
#endif
  }
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: ce_prof ce|ce-openssl|base|base-imb|chan "
                    "protect|unprotect|send|receive MODE SIZE [COUNT]\n");
    return 2;
  }
  prof p;
  memset(&p, 0, sizeof p);
  int ossl = strcmp(argv[1], "ce-openssl") == 0;
  p.who = strcmp(argv[1], "ce") == 0 || ossl ? WHO_CE
          : strcmp(argv[1], "base") == 0     ? WHO_BASE
          : strcmp(argv[1], "base-imb") == 0 ? WHO_BASE_IMB
                                             : WHO_CHAN;
  p.protect = strcmp(argv[2], "protect") == 0 || strcmp(argv[2], "send") == 0;
  p.mode = ce_mode_from_name(argv[3]);
  size_t n = strtoul(argv[4], NULL, 10);
  unsigned long count = argc > 5 ? strtoul(argv[5], NULL, 10) : 1000000ul;
  if (p.mode == 0 || n > CE_MAX_PAYLOAD) {
    fprintf(stderr, "ce_prof: bad mode or size\n");
    return 2;
  }
  p.cap = n + CE_MAX_OVERHEAD + 64;

  ce_config cfg;
  ce_config_init(&cfg);
  cfg.mode = p.mode;
  ce_config_set_key_str(&cfg, "ce_prof key");
  memset(cfg.salt, 0x33, sizeof cfg.salt);
  ce_ctx *tx = NULL;
  ce_derived d;
  if (ce_ctx_new(&cfg, &tx) != CE_OK || ce_derive(&cfg, &d) != CE_OK) {
    fprintf(stderr, "ce_prof: setup failed\n");
    return 1;
  }
  cfg.backend = ossl ? CE_BACKEND_OPENSSL : CE_BACKEND_AUTO;
  if (p.who == WHO_CE && ce_ctx_new(&cfg, &p.ctx) != CE_OK)
    return 1;
  if (p.who == WHO_BASE_IMB) {
#ifdef CE_BENCH_HAVE_IPSECMB
    p.bi = bi_new(p.mode, d.enc_key, d.enc_key_len, d.iv_base, d.check, 1);
    if (p.bi == NULL)
#endif
    {
      fprintf(stderr, "ce_prof: base-imb needs a GCM mode and ipsec-mb\n");
      return 1;
    }
  }
  if (p.who == WHO_BASE) {
    p.bl = bl_new(p.mode, d.enc_key, d.enc_key_len, d.iv_base, d.check, 1);
    if (p.bl == NULL)
      return 1;
  }
#ifdef PROF_HAVE_CHANNEL
  if (p.who == WHO_CHAN) {
    ce_packet_observer keep = {prof_keep, prof_keep, prof_keep, prof_keep};
    if (ce_channel_new(&p.ch) != CE_OK || ce_channel_join(p.ch) != CE_OK ||
        ce_channel_enable_encryption(p.ch, 1, &cfg) != CE_SDK_OK ||
        ce_channel_register_packet_observer(p.ch, &keep, NULL) != CE_OK)
      return 1;
  }
#else
  if (p.who == WHO_CHAN) {
    fprintf(stderr, "ce_prof: no channel API in this tree\n");
    return 1;
  }
#endif

  uint8_t *buf = calloc(1, p.cap), *frame = calloc(1, p.cap);
  size_t flen = n;
  if (buf == NULL || frame == NULL ||
      ce_protect(tx, frame, &flen, p.cap) != CE_OK)
    return 1;
  unsigned long bad = 0;
  for (unsigned long i = 0; i < count; i++) {
    size_t len = n;
    if (!p.protect) {
      memcpy(buf, frame, flen);
      len = flen;
    }
    if (prof_op(&p, buf, &len) != 0)
      bad++;
  }
  printf("%s %s %s %zu: %lu packets, %lu failed\n", argv[1], argv[2],
         ce_mode_name(p.mode), n, count, bad);
  ce_wipe(&d, sizeof d);
  ce_ctx_free(tx);
  ce_ctx_free(p.ctx);
  bl_free(p.bl);
#ifdef CE_BENCH_HAVE_IPSECMB
  bi_free(p.bi);
#endif
#ifdef PROF_HAVE_CHANNEL
  ce_channel_free(p.ch);
#endif
  free(buf);
  free(frame);
  return bad != 0;
}
