// ce_bench.cc - Google Benchmark shim for chanenc.
//
// A thin C++17 driver: every chanenc figure is a call into the public C API
// (chanenc.h, chanenc_channel.h, both extern "C"), so what is measured is
// what a C user gets. The comparisons are C too: baseline.c (least work
// OpenSSL EVP needs for the same frame) and srtp_peer.c (libsrtp2 AEAD GCM).
//
// Benchmark names, parsed by table.py:
//   ce/<dir>/<MODE>/<size>        chanenc ce_protect / ce_unprotect, with the
//                                 backend a default config gets (auto: for
//                                 GCM ipsec-mb where built in and usable,
//                                 for SM4_128_ECB sm4-simd where usable)
//   ce-openssl/<dir>/<MODE>/<size> the same on the OpenSSL backend (GCM
//                                 modes and SM4_128_ECB, when auto chose
//                                 another backend)
//   base/<dir>/<MODE>/<size>      baseline.c, same frames (OpenSSL EVP)
//   base-imb/<dir>/<MODE>/<size>  baseline_imb.c: the same frames by hand on
//                                 intel-ipsec-mb (GCM modes)
//   imb/<dir>/<MODE>/<size>       baseline_imb.c: the raw ipsec-mb GCM call
//                                 alone (nonce, one encrypt/decrypt, tag)
//   srtp/<dir>/<MODE>/<size>      libsrtp2 AEAD_AES_{128,256}_GCM, RTP packet
//   chan/<dir>/<MODE>/<size>      ce_channel_send / ce_channel_receive with
//                                 built-in encryption and a no-op observer
//   chan-openssl/<dir>/<MODE>/<size>  the same on the OpenSSL backend (GCM
//                                 modes whose automatic backend is another)
//   sframe/<dir>/<SUITE>/<size>   ce_sframe_protect / ce_sframe_unprotect
//                                 (RFC 9605; KID 7, replay window off)
//   gcry/<dir>/<MODE>/<size>      libgcrypt (gcry_peer.c): SM4 for
//                                 SM4_128_ECB, AES-GCM for modes 5-8; same
//                                 frames
//   sm4raw/<impl>/<size>          SM4 alone over the padded body of a
//                                 <size>-byte payload (encrypt, in place):
//                                 each implementation of chanenc's SM4 block
//                                 layer this CPU runs (ref/src/sm4_fast.h,
//                                 internal; forced in turn), OpenSSL EVP
//                                 SM4-ECB ("openssl"), libgcrypt ECB and CTR
//   setup/<what>/<MODE>           context creation (key schedule included)
//   meta/ring/<size>              the unprotect ring's own cost per packet
// <dir> is protect or unprotect (send or receive for chan); <size> is the
// payload length in bytes.
//
// Unprotect method (all contenders alike): a ring of protected packets is
// made once; the timed loop unprotects them in order; when the ring is used
// up the timer is paused, the ring is restored from a pristine copy (and for
// libsrtp the receiving session is replaced, emptying its replay window),
// and the timer resumes. meta/ring measures what that costs per packet.

#include "chanenc.h"
#include "chanenc_sframe.h"
#include "chanenc_sframe_testing.h"
#include "chanenc_testing.h"
#if __has_include("chanenc_channel.h")
#include "chanenc_channel.h"
#define CE_BENCH_HAVE_CHANNEL 1
#endif

#include "baseline.h"
#ifdef CE_BENCH_HAVE_IPSECMB
#include "baseline_imb.h"
#endif
#ifdef CE_BENCH_HAVE_SRTP
#include "srtp_peer.h"
#endif
#ifdef CE_BENCH_HAVE_GCRYPT
#include "gcry_peer.h"
#endif
extern "C" {
#include "sm4_fast_impl.h" // internal: the sm4raw/ rows force implementations
}

#include <benchmark/benchmark.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

const size_t kSizes[] = {16, 64, 160, 1200, 1500, 16384};
const int kModes[] = {1, 2, 3, 4, 5, 6, 7, 8};
// A key as users get it: 64 ASCII characters, used as raw bytes (spec 3).
const char kKey[] =
    "7d3c2f1e0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d";
// Bytes of ring per unprotect benchmark: fits in L2, so ring refills are
// rare and cheap, and every contender reads packets from the same place.
const size_t kRingBytes = 192 * 1024;

ce_config make_config(int mode) {
  ce_config cfg;
  ce_config_init(&cfg);
  cfg.mode = mode;
  ce_config_set_key_str(&cfg, kKey);
  for (int i = 0; i < CE_SALT_LEN; i++)
    cfg.salt[i] = static_cast<uint8_t>(0xa5 ^ (i * 29));
  return cfg;
}

struct CtxDeleter {
  void operator()(ce_ctx *c) const {
    ce_ctx_free(c);
  }
};
using CtxPtr = std::unique_ptr<ce_ctx, CtxDeleter>;

struct BlDeleter {
  void operator()(bl_ctx *b) const {
    bl_free(b);
  }
};
using BlPtr = std::unique_ptr<bl_ctx, BlDeleter>;

CtxPtr new_ctx(int mode, int backend = CE_BACKEND_AUTO) {
  ce_config cfg = make_config(mode);
  cfg.backend = backend;
  ce_ctx *c = nullptr;
  if (ce_ctx_new(&cfg, &c) != CE_OK)
    return nullptr;
  return CtxPtr(c);
}

// Key schedules are made once per mode and kept: Google Benchmark calls a
// benchmark function several times (to size the iteration count, and once
// per repetition), and GCM2's PBKDF2 would otherwise dominate the run.
struct ModeKeys {
  bool derived = false;
  ce_derived d{};
  CtxPtr tx, rx; // sender (protect, ring filling) and receiver contexts
  CtxPtr tx_ossl, rx_ossl; // the same on the OpenSSL backend (GCM, SM4)
};

// Modes that a backend other than OpenSSL can serve: the GCM family
// (ipsec-mb) and SM4_128_ECB (sm4-simd).
bool has_other_backend(int mode) {
  return ce_mode_family(mode) == CE_FAMILY_GCM || mode == CE_MODE_SM4_128_ECB;
}

// Released explicitly at the end of main, before OpenSSL's exit handlers.
ModeKeys g_keys[9];

ModeKeys &keys(int mode) {
  ModeKeys &k = g_keys[mode];
  if (!k.derived) {
    ce_config cfg = make_config(mode);
    k.derived = ce_derive(&cfg, &k.d) == CE_OK;
    k.tx = new_ctx(mode);
    k.rx = new_ctx(mode);
    if (has_other_backend(mode)) {
      k.tx_ossl = new_ctx(mode, CE_BACKEND_OPENSSL);
      k.rx_ossl = new_ctx(mode, CE_BACKEND_OPENSSL);
    }
  }
  return k;
}

// ossl: the OpenSSL-backend contexts of a GCM or SM4 mode (ce-openssl/).
ce_ctx *tx_ctx(int mode, bool ossl = false) {
  return ossl ? keys(mode).tx_ossl.get() : keys(mode).tx.get();
}
ce_ctx *rx_ctx(int mode, bool ossl = false) {
  return ossl ? keys(mode).rx_ossl.get() : keys(mode).rx.get();
}

// Whether a default config's context of this mode runs on OpenSSL.
bool auto_is_openssl(int mode) {
  const char *b = ce_ctx_backend(tx_ctx(mode));
  return b != nullptr && std::strcmp(b, "openssl") == 0;
}

// The baseline with chanenc's key schedule, so both make the same frames.
BlPtr make_baseline(int mode, uint64_t first_pn) {
  const ce_derived &d = keys(mode).d;
  return BlPtr(
      bl_new(mode, d.enc_key, d.enc_key_len, d.iv_base, d.check, first_pn));
}

void fill_payload(uint8_t *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++)
    p[i] = static_cast<uint8_t>(seed + i * 131u);
}

// Room for any frame of an n-byte payload, and for an SRTP packet (header
// plus SRTP_MAX_TRAILER_LEN, which srtp_protect assumes it may write),
// rounded to a cache line.
size_t stride_for(size_t n) {
  return (n + 12 + 144 + 63) / 64 * 64;
}

void set_rates(benchmark::State &st, size_t n) {
  st.SetItemsProcessed(st.iterations());
  st.SetBytesProcessed(st.iterations() * static_cast<int64_t>(n));
}

// A ring of count packets of equal length, and a pristine copy to restore.
struct Ring {
  size_t stride = 0, count = 0, len = 0;
  std::vector<uint8_t> master, work;
  Ring(size_t payload, size_t frame_len) : stride(stride_for(payload)) {
    count = std::clamp<size_t>(kRingBytes / stride, 16, 1024);
    len = frame_len;
    master.assign(stride * count, 0);
    work.assign(stride * count, 0);
  }
  uint8_t *master_at(size_t i) {
    return master.data() + i * stride;
  }
  uint8_t *at(size_t i) {
    return work.data() + i * stride;
  }
  void restore() {
    std::memcpy(work.data(), master.data(), work.size());
  }
};

// The timed loop of every unprotect benchmark: op(packet, &len) on the ring
// in order; reset() runs (untimed) whenever the ring is restored.
template <typename Op, typename Reset>
void run_ring(benchmark::State &st, Ring &ring, size_t payload, Op op,
              Reset reset) {
  size_t i = ring.count;
  for (auto _ : st) {
    if (i == ring.count) {
      st.PauseTiming();
      ring.restore();
      reset();
      st.ResumeTiming();
      i = 0;
    }
    size_t len = ring.len;
    if (!op(ring.at(i), &len) || len != payload) {
      st.SkipWithError("unprotect failed");
      break;
    }
    i++;
  }
  set_rates(st, payload);
}

// ---- chanenc --------------------------------------------------------------

void bm_ce_protect(benchmark::State &st, int mode, size_t n, bool ossl) {
  ce_ctx *ctx = tx_ctx(mode, ossl);
  std::vector<uint8_t> buf(stride_for(n));
  fill_payload(buf.data(), n, 1);
  for (auto _ : st) {
    size_t len = n;
    if (ce_protect(ctx, buf.data(), &len, buf.size()) != CE_OK) {
      st.SkipWithError("ce_protect failed");
      break;
    }
  }
  set_rates(st, n);
}

// Fills a ring with frames of ctx (distinct packet numbers).
bool fill_ring_ce(Ring &ring, ce_ctx *ctx, size_t n) {
  for (size_t i = 0; i < ring.count; i++) {
    uint8_t *p = ring.master_at(i);
    fill_payload(p, n, static_cast<unsigned>(i));
    size_t len = n;
    if (ce_protect(ctx, p, &len, ring.stride) != CE_OK || len != ring.len)
      return false;
  }
  return true;
}

void bm_ce_unprotect(benchmark::State &st, int mode, size_t n, bool ossl) {
  ce_ctx *rx = rx_ctx(mode, ossl);
  Ring ring(n, n + ce_overhead(mode, n));
  if (!fill_ring_ce(ring, tx_ctx(mode, ossl), n)) {
    st.SkipWithError("setup failed");
    return;
  }
  run_ring(
      st, ring, n,
      [&](uint8_t *p, size_t *len) {
        return ce_unprotect(rx, p, len) == CE_OK;
      },
      [] {});
}

// ---- baseline -------------------------------------------------------------

// Times a peer's in-place protect of an n-byte payload; ok is false when
// the peer could not be set up. protect(buf, &len) returns true on success.
template <class Protect>
void time_protect(benchmark::State &st, size_t n, bool ok, Protect protect,
                  const char *what) {
  std::vector<uint8_t> buf(stride_for(n));
  fill_payload(buf.data(), n, 1);
  if (!ok) {
    st.SkipWithError("setup failed");
    return;
  }
  for (auto _ : st) {
    size_t len = n;
    if (!protect(buf.data(), &len)) {
      st.SkipWithError(what);
      break;
    }
  }
  set_rates(st, n);
}

// Times a peer's in-place unprotect of chanenc's frames from the ring.
template <class Unprotect>
void time_unprotect(benchmark::State &st, int mode, size_t n, bool ok,
                    Unprotect unprotect) {
  Ring ring(n, n + ce_overhead(mode, n));
  if (!ok || !fill_ring_ce(ring, tx_ctx(mode), n)) {
    st.SkipWithError("setup failed");
    return;
  }
  run_ring(st, ring, n, unprotect, [] {});
}

void bm_base_protect(benchmark::State &st, int mode, size_t n) {
  BlPtr b = make_baseline(mode, 1);
  time_protect(
      st, n, b != nullptr,
      [&](uint8_t *p, size_t *len) { return bl_protect(b.get(), p, len) == 0; },
      "bl_protect failed");
}

void bm_base_unprotect(benchmark::State &st, int mode, size_t n) {
  BlPtr b = make_baseline(mode, 1);
  time_unprotect(st, mode, n, b != nullptr, [&](uint8_t *p, size_t *len) {
    return bl_unprotect(b.get(), p, len) == 0;
  });
}

// ---- SM4: libgcrypt peer and the raw block layer ---------------------------

// PKCS#7 body of an n-byte payload: what every SM4_128_ECB frame encrypts.
size_t sm4_body(size_t n) {
  return n + 16 - n % 16;
}

#ifdef CE_BENCH_HAVE_GCRYPT
struct GpDeleter {
  void operator()(gp_ctx *g) const {
    gp_free(g);
  }
};
using GpPtr = std::unique_ptr<gp_ctx, GpDeleter>;

GpPtr make_gcry() {
  const ce_derived &d = keys(CE_MODE_SM4_128_ECB).d;
  return GpPtr(gp_new(d.enc_key, d.check));
}

void bm_gcry_protect(benchmark::State &st, size_t n) {
  GpPtr g = make_gcry();
  time_protect(
      st, n, g != nullptr,
      [&](uint8_t *p, size_t *len) { return gp_protect(g.get(), p, len) == 0; },
      "gp_protect failed");
}

void bm_gcry_unprotect(benchmark::State &st, size_t n) {
  GpPtr g = make_gcry();
  time_unprotect(st, CE_MODE_SM4_128_ECB, n, g != nullptr,
                 [&](uint8_t *p, size_t *len) {
                   return gp_unprotect(g.get(), p, len) == 0;
                 });
}

struct GgDeleter {
  void operator()(gp_gcm *g) const {
    gp_gcm_free(g);
  }
};
using GgPtr = std::unique_ptr<gp_gcm, GgDeleter>;

// libgcrypt's AES-GCM with chanenc's key schedule (the same frames).
GgPtr make_gcry_gcm(int mode, uint64_t first_pn) {
  const ce_derived &d = keys(mode).d;
  return GgPtr(
      gp_gcm_new(mode, d.enc_key, d.enc_key_len, d.iv_base, d.check, first_pn));
}

void bm_gcrygcm_protect(benchmark::State &st, int mode, size_t n) {
  GgPtr g = make_gcry_gcm(mode, 1);
  time_protect(
      st, n, g != nullptr,
      [&](uint8_t *p, size_t *len) {
        return gp_gcm_protect(g.get(), p, len) == 0;
      },
      "gp_gcm_protect failed");
}

void bm_gcrygcm_unprotect(benchmark::State &st, int mode, size_t n) {
  GgPtr g = make_gcry_gcm(mode, 1);
  time_unprotect(st, mode, n, g != nullptr, [&](uint8_t *p, size_t *len) {
    return gp_gcm_unprotect(g.get(), p, len) == 0;
  });
}
#endif

// impl: a name of ce__sm4_impl_at, "openssl", "libgcrypt-ecb" or
// "libgcrypt-ctr". A chanenc implementation is forced for the duration and
// the automatic choice restored after (benchmarks run one at a time).
void bm_sm4raw(benchmark::State &st, std::string impl, size_t n) {
  const ce_derived &d = keys(CE_MODE_SM4_128_ECB).d;
  size_t body = sm4_body(n);
  std::vector<uint8_t> buf(body);
  fill_payload(buf.data(), body, 3);
  if (impl == "openssl") {
    EVP_CIPHER *c = EVP_CIPHER_fetch(nullptr, "SM4-ECB", nullptr);
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int outl = 0;
    bool ok = c && x &&
              EVP_EncryptInit_ex2(x, c, d.enc_key, nullptr, nullptr) == 1 &&
              EVP_CIPHER_CTX_set_padding(x, 0) == 1;
    for (auto _ : st) {
      if (!ok || EVP_EncryptUpdate(x, buf.data(), &outl, buf.data(),
                                   static_cast<int>(body)) != 1) {
        st.SkipWithError("EVP SM4-ECB failed");
        break;
      }
    }
    EVP_CIPHER_CTX_free(x);
    EVP_CIPHER_free(c);
  } else if (impl.rfind("libgcrypt-", 0) == 0) {
#ifdef CE_BENCH_HAVE_GCRYPT
    GpPtr g = make_gcry();
    int ctr = impl == "libgcrypt-ctr";
    for (auto _ : st) {
      if (!g || gp_raw(g.get(), ctr, buf.data(), body) != 0) {
        st.SkipWithError("libgcrypt SM4 failed");
        break;
      }
    }
#endif
  } else {
    if (ce__sm4_force_impl(impl.c_str()) != 0) {
      st.SkipWithError("implementation not available");
      return;
    }
    ce__sm4_key k;
    ce__sm4_expand_key(d.enc_key, &k, nullptr);
    for (auto _ : st)
      ce__sm4_ecb(&k, buf.data(), buf.data(), body / 16);
    benchmark::DoNotOptimize(buf.data());
    ce__sm4_key_wipe(&k);
    ce__sm4_force_impl(nullptr);
  }
  st.SetItemsProcessed(st.iterations());
  st.SetBytesProcessed(st.iterations() * static_cast<int64_t>(body));
}

// ---- intel-ipsec-mb: the frame by hand, and the raw call -----------------

#ifdef CE_BENCH_HAVE_IPSECMB
struct BiDeleter {
  void operator()(bi_ctx *b) const {
    bi_free(b);
  }
};
using BiPtr = std::unique_ptr<bi_ctx, BiDeleter>;

BiPtr make_imb(int mode, uint64_t first_pn) {
  const ce_derived &d = keys(mode).d;
  return BiPtr(
      bi_new(mode, d.enc_key, d.enc_key_len, d.iv_base, d.check, first_pn));
}

void bm_bi_protect(benchmark::State &st, int mode, size_t n) {
  BiPtr b = make_imb(mode, 1);
  time_protect(
      st, n, b != nullptr,
      [&](uint8_t *p, size_t *len) { return bi_protect(b.get(), p, len) == 0; },
      "bi_protect failed");
}

void bm_bi_unprotect(benchmark::State &st, int mode, size_t n) {
  BiPtr b = make_imb(mode, 1);
  time_unprotect(st, mode, n, b != nullptr, [&](uint8_t *p, size_t *len) {
    return bi_unprotect(b.get(), p, len) == 0;
  });
}

// The raw call: the frame's header and payload are in place; per packet a
// new packet number (so a new nonce), one encrypt call writing the tag.
void bm_imb_protect(benchmark::State &st, int mode, size_t n) {
  BiPtr b = make_imb(mode, 1);
  std::vector<uint8_t> buf(stride_for(n));
  fill_payload(buf.data(), n + 10, 1);
  uint64_t pn = 1;
  if (!b) {
    st.SkipWithError("setup failed");
    return;
  }
  for (auto _ : st) {
    bi_seal_raw(b.get(), pn++, buf.data(), n);
    benchmark::ClobberMemory();
  }
  set_rates(st, n);
}

void bm_imb_unprotect(benchmark::State &st, int mode, size_t n) {
  BiPtr b = make_imb(mode, 1);
  time_unprotect(st, mode, n, b != nullptr, [&](uint8_t *p, size_t *len) {
    *len = n;
    return bi_open_raw(b.get(), p, n) == 0;
  });
}
#endif

// ---- ring overhead --------------------------------------------------------

void bm_ring(benchmark::State &st, size_t n) {
  Ring ring(n, n + CE_MAX_OVERHEAD);
  run_ring(
      st, ring, n,
      [&](uint8_t *p, size_t *len) {
        benchmark::DoNotOptimize(p);
        *len = n;
        return true;
      },
      [] {});
}

// ---- SFrame ---------------------------------------------------------------

struct SfDeleter {
  void operator()(ce_sframe_ctx *c) const {
    ce_sframe_ctx_free(c);
  }
};
using SfPtr = std::unique_ptr<ce_sframe_ctx, SfDeleter>;

SfPtr sf_ctx(int suite, int usage) {
  static const uint8_t base[16] = {7, 1, 7, 1};
  ce_sframe_ctx *c = nullptr;
  if (ce_sframe_ctx_new(suite, &c) != CE_OK ||
      ce_sframe_add_key(c, 7, usage, base, sizeof base) != CE_OK) {
    ce_sframe_ctx_free(c);
    return nullptr;
  }
  return SfPtr(c);
}

void bm_sframe_protect(benchmark::State &st, int suite, size_t n) {
  SfPtr tx = sf_ctx(suite, CE_SFRAME_SEND);
  std::vector<uint8_t> buf(stride_for(n));
  fill_payload(buf.data(), n, 1);
  if (!tx) {
    st.SkipWithError("setup failed");
    return;
  }
  for (auto _ : st) {
    size_t len = n;
    if (ce_sframe_protect(tx.get(), 7, nullptr, 0, buf.data(), &len,
                          buf.size()) != CE_OK) {
      st.SkipWithError("ce_sframe_protect failed");
      break;
    }
  }
  set_rates(st, n);
}

void bm_sframe_unprotect(benchmark::State &st, int suite, size_t n) {
  SfPtr tx = sf_ctx(suite, CE_SFRAME_SEND),
        rx = sf_ctx(suite, CE_SFRAME_RECEIVE);
  /* CTRs 1000.. give every frame the same 3-byte header, so the ring's
     frames have one length. */
  Ring ring(n, n + ce_sframe_overhead(suite, 7, 1000));
  for (size_t i = 0; tx && rx && i < ring.count; i++) {
    uint8_t *p = ring.master_at(i);
    fill_payload(p, n, static_cast<unsigned>(i));
    size_t len = n;
    if (ce_testing_sframe_protect_ctr(tx.get(), 7, 1000 + i, nullptr, 0, p,
                                      &len, ring.stride) != CE_OK ||
        len != ring.len) {
      st.SkipWithError("setup failed");
      return;
    }
  }
  if (!tx || !rx) {
    st.SkipWithError("setup failed");
    return;
  }
  run_ring(
      st, ring, n,
      [&](uint8_t *p, size_t *len) {
        return ce_sframe_unprotect(rx.get(), nullptr, 0, p, len, nullptr,
                                   nullptr) == CE_OK;
      },
      [] {});
}

// ---- libsrtp --------------------------------------------------------------

#ifdef CE_BENCH_HAVE_SRTP
struct SpDeleter {
  void operator()(sp_session *s) const {
    sp_free(s);
  }
};
using SpPtr = std::unique_ptr<sp_session, SpDeleter>;

void bm_srtp_protect(benchmark::State &st, int bits, size_t n) {
  SpPtr s(sp_new(bits, 1));
  std::vector<uint8_t> buf(stride_for(n));
  fill_payload(buf.data() + SP_RTP_HEADER, n, 1);
  uint16_t seq = 1;
  // A sender writes a new sequence number into every packet; srtp_protect
  // refuses a reused one (its replay check also runs on the sender).
  for (auto _ : st) {
    sp_write_header(buf.data(), seq++);
    size_t len = SP_RTP_HEADER + n;
    if (sp_protect(s.get(), buf.data(), &len) != 0) {
      st.SkipWithError("srtp_protect failed");
      break;
    }
  }
  set_rates(st, n);
}

void bm_srtp_unprotect(benchmark::State &st, int bits, size_t n) {
  SpPtr tx(sp_new(bits, 1)), rx(sp_new(bits, 0));
  Ring ring(n, SP_RTP_HEADER + n + SP_TAG);
  for (size_t i = 0; i < ring.count; i++) {
    uint8_t *p = ring.master_at(i);
    sp_write_header(p, static_cast<uint16_t>(i + 1));
    fill_payload(p + SP_RTP_HEADER, n, static_cast<unsigned>(i));
    size_t len = SP_RTP_HEADER + n;
    if (sp_protect(tx.get(), p, &len) != 0 || len != ring.len) {
      st.SkipWithError("setup failed");
      return;
    }
  }
  // Each ring pass replays sequence numbers 1..count into a fresh receiving
  // session (replaced while the timer is paused).
  run_ring(
      st, ring, SP_RTP_HEADER + n,
      [&](uint8_t *p, size_t *len) {
        return sp_unprotect(rx.get(), p, len) == 0;
      },
      [&] { sp_reset(rx.get()); });
  set_rates(st, n);
}

void bm_srtp_setup(benchmark::State &st, int bits) {
  for (auto _ : st) {
    sp_session *s = sp_new(bits, 1);
    if (s == nullptr) {
      st.SkipWithError("srtp_create failed");
      break;
    }
    sp_free(s);
  }
}
#endif

// ---- channel --------------------------------------------------------------

#ifdef CE_BENCH_HAVE_CHANNEL
int noop_cb(void *, ce_packet *) {
  return 1;
}
const ce_packet_observer kNoopObserver = {noop_cb, noop_cb, noop_cb, noop_cb};

struct ChDeleter {
  void operator()(ce_channel *c) const {
    ce_channel_free(c);
  }
};
using ChPtr = std::unique_ptr<ce_channel, ChDeleter>;

// One channel per mode and backend choice (automatic, or OpenSSL named),
// joined, encryption on, no-op observer; made once and used for both
// directions.
ChPtr g_channels[2][9];

ce_channel *channel(int mode, bool ossl) {
  ChPtr &slot = g_channels[ossl][mode];
  if (slot)
    return slot.get();
  ce_channel *ch = nullptr;
  if (ce_channel_new(&ch) != CE_OK)
    return nullptr;
  ChPtr p(ch);
  ce_config cfg = make_config(mode);
  if (ossl)
    cfg.backend = CE_BACKEND_OPENSSL;
  if (ce_channel_join(ch) != CE_OK ||
      ce_channel_enable_encryption(ch, 1, &cfg) != CE_SDK_OK ||
      ce_channel_register_packet_observer(ch, &kNoopObserver, nullptr) != CE_OK)
    return nullptr;
  slot = std::move(p);
  return ch;
}

// Audio-sized packets go as audio, the rest as video (only the observer
// callback differs).
ce_packet_kind kind_for(size_t n) {
  return n <= 160 ? CE_PACKET_AUDIO : CE_PACKET_VIDEO;
}

void bm_chan_send(benchmark::State &st, int mode, size_t n, bool ossl) {
  ce_channel *ch = channel(mode, ossl);
  if (ch == nullptr) {
    st.SkipWithError("channel setup failed");
    return;
  }
  std::vector<uint8_t> buf(stride_for(n));
  fill_payload(buf.data(), n, 1);
  ce_packet_kind kind = kind_for(n);
  for (auto _ : st) {
    size_t len = n;
    if (ce_channel_send(ch, kind, buf.data(), &len, buf.size()) != CE_OK) {
      st.SkipWithError("ce_channel_send failed");
      break;
    }
  }
  set_rates(st, n);
}

void bm_chan_receive(benchmark::State &st, int mode, size_t n, bool ossl) {
  ce_channel *ch = channel(mode, ossl);
  Ring ring(n, n + ce_overhead(mode, n));
  if (ch == nullptr || !fill_ring_ce(ring, tx_ctx(mode, ossl), n)) {
    st.SkipWithError("setup failed");
    return;
  }
  ce_packet_kind kind = kind_for(n);
  run_ring(
      st, ring, n,
      [&](uint8_t *p, size_t *len) {
        return ce_channel_receive(ch, kind, p, len, ring.stride) == CE_OK;
      },
      [] {});
}
#endif

// ---- key setup ------------------------------------------------------------

void bm_setup(benchmark::State &st, int mode, int backend) {
  ce_config cfg = make_config(mode);
  cfg.backend = backend;
  for (auto _ : st) {
    ce_ctx *c = nullptr;
    if (ce_ctx_new(&cfg, &c) != CE_OK) {
      st.SkipWithError("ce_ctx_new failed");
      break;
    }
    ce_ctx_free(c);
  }
}

// ---- self-check -----------------------------------------------------------

#ifdef CE_BENCH_HAVE_IPSECMB
// The ipsec-mb baselines make chanenc's frames: by hand and by the raw call.
bool verify_imb(int mode) {
  ce_ctx *ctx = tx_ctx(mode);
  const uint64_t pn = 0x1122334455667788ull;
  for (size_t n : {size_t{0}, size_t{1}, size_t{16}, size_t{64}, size_t{160},
                   size_t{1200}, size_t{16384}}) {
    // One spare byte: data() of an empty vector may be NULL (memcmp).
    std::vector<uint8_t> payload(n + 1), a(stride_for(n)), c(stride_for(n));
    fill_payload(payload.data(), n, static_cast<unsigned>(n));
    std::copy(payload.begin(), payload.begin() + n, a.begin());
    std::copy(payload.begin(), payload.begin() + n, c.begin());
    size_t la = n, lc = n;
    BiPtr b = make_imb(mode, pn);
    if (!b ||
        ce_testing_protect_pn(ctx, pn, a.data(), &la, a.size()) != CE_OK ||
        bi_protect(b.get(), c.data(), &lc) != 0 || la != lc ||
        std::memcmp(a.data(), c.data(), la) != 0)
      return false;
    // The raw call over the same header and payload gives the same frame.
    std::copy(a.begin(), a.begin() + 10, c.begin());
    std::copy(payload.begin(), payload.begin() + n, c.begin() + 10);
    bi_seal_raw(b.get(), pn, c.data(), n);
    if (std::memcmp(a.data(), c.data(), la) != 0 ||
        bi_open_raw(b.get(), c.data(), n) != 0 ||
        std::memcmp(c.data() + 10, payload.data(), n) != 0 ||
        bi_unprotect(b.get(), a.data(), &la) != 0 || la != n ||
        std::memcmp(a.data(), payload.data(), n) != 0)
      return false;
  }
  return true;
}
#endif

// Before anything is timed: the baseline must make byte-identical frames
// and each side must open the other's, so both do the same work. For the
// GCM modes this is checked with both backends' contexts.
bool verify(int mode, bool ossl = false) {
  ce_ctx *ctx = tx_ctx(mode, ossl);
  const uint64_t pn = 0x0123456789abcdefull;
  BlPtr b = make_baseline(mode, pn);
  if (!ctx || !b)
    return false;
  for (size_t n : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17},
                   size_t{64}, size_t{160}, size_t{1200}, size_t{16384}}) {
    // One spare byte: data() of an empty vector may be NULL (memcmp).
    std::vector<uint8_t> payload(n + 1), a(stride_for(n)), c(stride_for(n));
    fill_payload(payload.data(), n, static_cast<unsigned>(n));
    std::copy(payload.begin(), payload.begin() + n, a.begin());
    std::copy(payload.begin(), payload.begin() + n, c.begin());
    size_t la = n, lc = n;
    if (ce_testing_protect_pn(ctx, pn + n, a.data(), &la, a.size()) != CE_OK)
      return false;
    BlPtr bn = make_baseline(mode, pn + n);
    if (bl_protect(bn.get(), c.data(), &lc) != 0 || la != lc ||
        std::memcmp(a.data(), c.data(), la) != 0)
      return false;
    if (bl_unprotect(b.get(), a.data(), &la) != 0 ||
        ce_unprotect(ctx, c.data(), &lc) != CE_OK || la != n || lc != n ||
        std::memcmp(a.data(), payload.data(), n) != 0 ||
        std::memcmp(c.data(), payload.data(), n) != 0)
      return false;
  }
  return true;
}

#ifdef CE_BENCH_HAVE_GCRYPT
// libgcrypt's GCM frames must be chanenc's, and each side must open the
// other's.
bool verify_gcry_gcm(int mode) {
  ce_ctx *ctx = tx_ctx(mode);
  const uint64_t pn = 0x0fedcba987654321ull;
  for (size_t n : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17},
                   size_t{64}, size_t{160}, size_t{1200}, size_t{16384}}) {
    // One spare byte: data() of an empty vector may be NULL (memcmp).
    std::vector<uint8_t> payload(n + 1), a(stride_for(n)), c(stride_for(n));
    fill_payload(payload.data(), n, static_cast<unsigned>(n));
    std::copy(payload.begin(), payload.begin() + n, a.begin());
    std::copy(payload.begin(), payload.begin() + n, c.begin());
    size_t la = n, lc = n;
    GgPtr g = make_gcry_gcm(mode, pn + n);
    if (!g ||
        ce_testing_protect_pn(ctx, pn + n, a.data(), &la, a.size()) != CE_OK ||
        gp_gcm_protect(g.get(), c.data(), &lc) != 0 || la != lc ||
        std::memcmp(a.data(), c.data(), la) != 0)
      return false;
    if (gp_gcm_unprotect(g.get(), a.data(), &la) != 0 ||
        ce_unprotect(ctx, c.data(), &lc) != CE_OK || la != n || lc != n ||
        std::memcmp(a.data(), payload.data(), n) != 0 ||
        std::memcmp(c.data(), payload.data(), n) != 0)
      return false;
  }
  // A frame with one bit flipped in its tag is refused.
  std::vector<uint8_t> f(stride_for(64));
  size_t lf = 64;
  GgPtr g = make_gcry_gcm(mode, pn);
  if (!g || ce_protect(ctx, f.data(), &lf, f.size()) != CE_OK)
    return false;
  f[lf - 1] ^= 1;
  return gp_gcm_unprotect(g.get(), f.data(), &lf) != 0;
}

// libgcrypt's SM4 frames must be chanenc's, and each side must open the
// other's.
bool verify_gcry() {
  ce_ctx *ctx = tx_ctx(CE_MODE_SM4_128_ECB);
  GpPtr g = make_gcry();
  if (!ctx || !g)
    return false;
  for (size_t n : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17},
                   size_t{64}, size_t{160}, size_t{1200}, size_t{16384}}) {
    // One spare byte: data() of an empty vector may be NULL (memcmp).
    std::vector<uint8_t> payload(n + 1), a(stride_for(n)), c(stride_for(n));
    fill_payload(payload.data(), n, static_cast<unsigned>(n));
    std::copy(payload.begin(), payload.begin() + n, a.begin());
    std::copy(payload.begin(), payload.begin() + n, c.begin());
    size_t la = n, lc = n;
    if (ce_protect(ctx, a.data(), &la, a.size()) != CE_OK ||
        gp_protect(g.get(), c.data(), &lc) != 0 || la != lc ||
        std::memcmp(a.data(), c.data(), la) != 0)
      return false;
    if (gp_unprotect(g.get(), a.data(), &la) != 0 ||
        ce_unprotect(ctx, c.data(), &lc) != CE_OK || la != n || lc != n ||
        std::memcmp(a.data(), payload.data(), n) != 0 ||
        std::memcmp(c.data(), payload.data(), n) != 0)
      return false;
  }
  return true;
}
#endif

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) {
      size_t c = line.find(':');
      return c == std::string::npos ? line : line.substr(c + 2);
    }
  return "unknown";
}

// Modes the linked OpenSSL lacks, reported in the JSON context.
std::string g_skipped;

std::string dir_name(bool protect) {
  return protect ? "protect" : "unprotect";
}

void register_all() {
  for (int mode : kModes) {
    std::string m = ce_mode_name(mode);
    if (ce_mode_supported(mode) != CE_OK) {
      std::fprintf(stderr,
                   "ce_bench: %s is not provided by the linked OpenSSL: "
                   "skipped\n",
                   m.c_str());
      g_skipped += (g_skipped.empty() ? "" : ", ") + m;
      continue;
    }
    for (size_t n : kSizes) {
      std::string sz = "/" + m + "/" + std::to_string(n);
      for (bool p : {true, false}) {
        benchmark::RegisterBenchmark(("ce/" + dir_name(p) + sz).c_str(),
                                     p ? bm_ce_protect : bm_ce_unprotect, mode,
                                     n, false);
        benchmark::RegisterBenchmark(("base/" + dir_name(p) + sz).c_str(),
                                     p ? bm_base_protect : bm_base_unprotect,
                                     mode, n);
#ifdef CE_BENCH_HAVE_GCRYPT
        if (ce_mode_family(mode) == CE_FAMILY_GCM)
          benchmark::RegisterBenchmark(
              ("gcry/" + dir_name(p) + sz).c_str(),
              p ? bm_gcrygcm_protect : bm_gcrygcm_unprotect, mode, n);
#endif
        if (!has_other_backend(mode) || auto_is_openssl(mode))
          continue;
        benchmark::RegisterBenchmark(("ce-openssl/" + dir_name(p) + sz).c_str(),
                                     p ? bm_ce_protect : bm_ce_unprotect, mode,
                                     n, true);
        if (ce_mode_family(mode) != CE_FAMILY_GCM)
          continue; /* sm4-simd: no library baseline but OpenSSL's */
#ifdef CE_BENCH_HAVE_IPSECMB
        benchmark::RegisterBenchmark(("base-imb/" + dir_name(p) + sz).c_str(),
                                     p ? bm_bi_protect : bm_bi_unprotect, mode,
                                     n);
        benchmark::RegisterBenchmark(("imb/" + dir_name(p) + sz).c_str(),
                                     p ? bm_imb_protect : bm_imb_unprotect,
                                     mode, n);
#endif
      }
    }
  }
  if (ce_mode_supported(CE_MODE_SM4_128_ECB) == CE_OK) {
    std::vector<std::string> impls;
    for (size_t i = 0; ce__sm4_impl_at(i) != nullptr; i++)
      impls.push_back(ce__sm4_impl_at(i));
    impls.push_back("openssl");
#ifdef CE_BENCH_HAVE_GCRYPT
    impls.push_back("libgcrypt-ecb");
    impls.push_back("libgcrypt-ctr");
#endif
    for (size_t n : kSizes) {
      std::string sz = "/SM4_128_ECB/" + std::to_string(n);
#ifdef CE_BENCH_HAVE_GCRYPT
      benchmark::RegisterBenchmark(("gcry/protect" + sz).c_str(),
                                   bm_gcry_protect, n);
      benchmark::RegisterBenchmark(("gcry/unprotect" + sz).c_str(),
                                   bm_gcry_unprotect, n);
#endif
      for (const std::string &impl : impls) {
        // Implementations this CPU cannot run are not registered.
        bool ours = impl != "openssl" && impl.rfind("libgcrypt-", 0) != 0;
        if (ours && ce__sm4_force_impl(impl.c_str()) != 0)
          continue;
        benchmark::RegisterBenchmark(
            ("sm4raw/" + impl + "/" + std::to_string(n)).c_str(), bm_sm4raw,
            impl, n);
      }
      ce__sm4_force_impl(nullptr);
    }
  }
  for (int suite = 1; suite <= 8; suite++) {
    std::string m = ce_sframe_suite_get(suite)->name;
    for (size_t n : {size_t{160}, size_t{1200}}) {
      std::string sz = "/" + m + "/" + std::to_string(n);
      benchmark::RegisterBenchmark(("sframe/protect" + sz).c_str(),
                                   bm_sframe_protect, suite, n);
      benchmark::RegisterBenchmark(("sframe/unprotect" + sz).c_str(),
                                   bm_sframe_unprotect, suite, n);
    }
  }
#ifdef CE_BENCH_HAVE_SRTP
  for (int bits : {128, 256}) {
    std::string m = bits == 128 ? "AES_128_GCM" : "AES_256_GCM";
    for (size_t n : kSizes) {
      std::string sz = "/" + m + "/" + std::to_string(n);
      benchmark::RegisterBenchmark(("srtp/protect" + sz).c_str(),
                                   bm_srtp_protect, bits, n);
      benchmark::RegisterBenchmark(("srtp/unprotect" + sz).c_str(),
                                   bm_srtp_unprotect, bits, n);
    }
  }
#else
  std::fprintf(stderr, "ce_bench: libsrtp2 was not found at build time "
                       "(pkg-config libsrtp2): the libsrtp comparison is "
                       "skipped\n");
#endif
#ifdef CE_BENCH_HAVE_CHANNEL
  for (int mode : kModes) {
    if (ce_mode_supported(mode) != CE_OK)
      continue;
    std::string m = ce_mode_name(mode);
    for (size_t n : kSizes) {
      std::string sz = "/" + m + "/" + std::to_string(n);
      benchmark::RegisterBenchmark(("chan/send" + sz).c_str(), bm_chan_send,
                                   mode, n, false);
      benchmark::RegisterBenchmark(("chan/receive" + sz).c_str(),
                                   bm_chan_receive, mode, n, false);
      // The same on the OpenSSL backend where the automatic choice is
      // another one (compared with ce-openssl/).
      if (!has_other_backend(mode) || auto_is_openssl(mode))
        continue;
      benchmark::RegisterBenchmark(("chan-openssl/send" + sz).c_str(),
                                   bm_chan_send, mode, n, true);
      benchmark::RegisterBenchmark(("chan-openssl/receive" + sz).c_str(),
                                   bm_chan_receive, mode, n, true);
    }
  }
#endif
  for (size_t n : kSizes)
    benchmark::RegisterBenchmark(("meta/ring/" + std::to_string(n)).c_str(),
                                 bm_ring, n);
  for (int mode : kModes) {
    if (ce_mode_supported(mode) != CE_OK)
      continue;
    benchmark::RegisterBenchmark(
        ("setup/ce_ctx_new/" + std::string(ce_mode_name(mode))).c_str(),
        bm_setup, mode, CE_BACKEND_AUTO)
        ->Unit(benchmark::kMicrosecond);
    // The OpenSSL backend's setup where auto chose another (GCM2 is all
    // PBKDF2, so only the unsalted GCM modes; and SM4_128_ECB).
    if ((mode == 5 || mode == 6 || mode == 4) && !auto_is_openssl(mode))
      benchmark::RegisterBenchmark(
          ("setup/ce_ctx_new_openssl/" + std::string(ce_mode_name(mode)))
              .c_str(),
          bm_setup, mode, CE_BACKEND_OPENSSL)
          ->Unit(benchmark::kMicrosecond);
  }
#ifdef CE_BENCH_HAVE_SRTP
  benchmark::RegisterBenchmark("setup/srtp_create/AES_128_GCM", bm_srtp_setup,
                               128)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("setup/srtp_create/AES_256_GCM", bm_srtp_setup,
                               256)
      ->Unit(benchmark::kMicrosecond);
#endif
}

// A thread that only waits. In a process with a single thread glibc skips
// the atomic instructions of its locks (OpenSSL takes some per call), which
// makes them almost free (3 ns instead of 15 ns per lock/unlock pair here).
// Real users of chanenc are multi-threaded, so by default the benchmark is
// too. CE_BENCH_SINGLE_THREAD=1 leaves it single-threaded.
class IdleThread {
public:
  IdleThread()
      : t_([this] {
          std::unique_lock<std::mutex> l(m_);
          cv_.wait(l, [this] { return stop_; });
        }) {}
  ~IdleThread() {
    {
      std::lock_guard<std::mutex> l(m_);
      stop_ = true;
    }
    cv_.notify_one();
    t_.join();
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread t_;
};

} // namespace

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  const char *st = std::getenv("CE_BENCH_SINGLE_THREAD");
  bool single = st != nullptr && std::strcmp(st, "1") == 0;
  std::unique_ptr<IdleThread> idle;
  if (!single)
    idle = std::make_unique<IdleThread>();
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  for (int mode : kModes) {
    if (ce_mode_supported(mode) != CE_OK)
      continue;
    bool gcm = ce_mode_family(mode) == CE_FAMILY_GCM;
    bool ok = verify(mode) && (!has_other_backend(mode) || verify(mode, true));
#ifdef CE_BENCH_HAVE_IPSECMB
    if (gcm && !auto_is_openssl(mode))
      ok = ok && verify_imb(mode);
#endif
    if (!ok) {
      std::fprintf(stderr,
                   "ce_bench: self-check failed for %s: a baseline does "
                   "not make chanenc's frames\n",
                   ce_mode_name(mode));
      return 1;
    }
    // The backend of the ce/ rows, for table.py.
    benchmark::AddCustomContext(std::string("backend_") + ce_mode_name(mode),
                                ce_ctx_backend(tx_ctx(mode)));
  }
#ifdef CE_BENCH_HAVE_GCRYPT
  if (gp_init() != 0) {
    std::fprintf(stderr, "ce_bench: libgcrypt initialisation failed\n");
    return 1;
  }
  benchmark::AddCustomContext("libgcrypt", gp_version());
  if (ce_mode_supported(CE_MODE_SM4_128_ECB) == CE_OK && !verify_gcry()) {
    std::fprintf(stderr, "ce_bench: self-check failed for libgcrypt SM4: "
                         "its frames are not chanenc's\n");
    return 1;
  }
  for (int mode : kModes)
    if (ce_mode_family(mode) == CE_FAMILY_GCM && !verify_gcry_gcm(mode)) {
      std::fprintf(stderr,
                   "ce_bench: self-check failed for libgcrypt GCM, %s: its "
                   "frames are not chanenc's\n",
                   ce_mode_name(mode));
      return 1;
    }
#else
  benchmark::AddCustomContext("libgcrypt", "not found at build time");
#endif
  benchmark::AddCustomContext("sm4_impl", ce__sm4_impl_name());
  benchmark::AddCustomContext("chanenc", ce_version());
#ifdef CE_BENCH_HAVE_IPSECMB
  benchmark::AddCustomContext("ipsec_mb", bi_describe());
#else
  benchmark::AddCustomContext("ipsec_mb", "not built in");
#endif
  benchmark::AddCustomContext("threads",
                              single ? "single-threaded process"
                                     : "one idle extra thread (glibc locks "
                                       "use atomics)");
  benchmark::AddCustomContext("openssl", OpenSSL_version(OPENSSL_VERSION));
  benchmark::AddCustomContext("cpu_model", cpu_model());
#ifdef CE_BENCH_HAVE_SRTP
  if (sp_init() != 0) {
    std::fprintf(stderr, "ce_bench: srtp_init failed\n");
    return 1;
  }
  benchmark::AddCustomContext("libsrtp", sp_version());
#else
  benchmark::AddCustomContext("libsrtp", "not found at build time");
#endif
#ifdef CE_BENCH_HAVE_CHANNEL
  benchmark::AddCustomContext("channel", "yes");
#else
  benchmark::AddCustomContext("channel", "chanenc_channel.h not present");
#endif
  register_all();
  if (!g_skipped.empty())
    benchmark::AddCustomContext("skipped_modes", g_skipped);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
#ifdef CE_BENCH_HAVE_CHANNEL
  for (auto &row : g_channels)
    for (ChPtr &c : row)
      c.reset();
#endif
  for (ModeKeys &k : g_keys) {
    k.tx.reset();
    k.rx.reset();
    k.tx_ossl.reset();
    k.rx_ossl.reset();
    ce_wipe(&k.d, sizeof k.d);
  }
  return 0;
}
