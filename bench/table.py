#!/usr/bin/python3
"""table.py - the ce_bench results table from Google Benchmark JSON.

Usage: table.py RESULTS.json [--time cpu|real] [--no-targets] [--help]

Reads the JSON that ce_bench writes with --benchmark_out (one run, with or
without --benchmark_repetitions) and prints:
  1. per packet: mode, size, direction, backend, ns/packet, MB/s, ratio to
     the baseline of that backend (OpenSSL EVP by hand, or intel-ipsec-mb
     by hand), ratio to the raw ipsec-mb GCM call, how many times faster
     than chanenc on OpenSSL, ratio to libsrtp (GCM modes), spread. A GCM
     mode has one row per backend when the default chose ipsec-mb, and
     SM4_128_ECB one row for sm4-simd and one for openssl when the default
     chose sm4-simd (its baseline: OpenSSL EVP SM4-ECB by hand);
  2. SM4_128_ECB against OpenSSL EVP SM4-ECB and libgcrypt, and SM4
     alone per implementation (sm4raw/);
  3. the channel pipeline against bare ce_protect/ce_unprotect;
  4. key setup;
  5. the targets of the benchmark issues, each PASS or FAIL.
With repetitions, every figure is the median of the repetitions (Google
Benchmark's "median" aggregate) and "spread" is its coefficient of
variation; without, the single run. Times are CPU time per packet unless
--time real is given. Ratios divide medians of the same run.
"""

import argparse
import json
import sys

MODES = ["AES_128_XTS", "AES_128_ECB", "AES_256_XTS", "SM4_128_ECB",
         "AES_128_GCM", "AES_256_GCM", "AES_128_GCM2", "AES_256_GCM2"]
# libsrtp peer of each GCM mode: same cipher and key length. GCM2 differs
# from GCM only in its key schedule, so per packet it has the same peer.
SRTP_PEER = {"AES_128_GCM": "AES_128_GCM", "AES_256_GCM": "AES_256_GCM",
             "AES_128_GCM2": "AES_128_GCM", "AES_256_GCM2": "AES_256_GCM"}
UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load(path, which):
    with open(path) as f:
        data = json.load(f)
    med, cv, single, errors = {}, {}, {}, {}
    for b in data.get("benchmarks", []):
        name = b.get("run_name", b["name"])
        if b.get("error_occurred"):
            errors[name] = b.get("error_message", "error")
            continue
        scale = UNIT_NS.get(b.get("time_unit", "ns"), 1.0)
        key = "cpu_time" if which == "cpu" else "real_time"
        agg = b.get("aggregate_name")
        if b.get("run_type") == "aggregate":
            if agg == "median":
                med[name] = b[key] * scale
            elif agg == "cv":
                cv[name] = b[key]  # a ratio, no unit
        else:
            single.setdefault(name, []).append(b[key] * scale)
    for name, vals in single.items():
        if name not in med:
            vals = sorted(vals)
            med[name] = vals[len(vals) // 2]
    return data.get("context", {}), med, cv, errors


def fmt_ns(v):
    if v is None:
        return "-"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.3f}"


def fmt_cv(v):
    return "-" if v is None else f"{100 * v:.1f}%"


def sizes_in(med):
    out = set()
    for name in med:
        parts = name.split("/")
        if len(parts) == 4 and parts[3].isdigit():
            out.add(int(parts[3]))
    return sorted(out)


def print_table(headers, rows, align):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows))
              if rows else len(h) for i, h in enumerate(headers)]

    def line(cells):
        out = []
        for c, w, a in zip(cells, widths, align):
            out.append(str(c).ljust(w) if a == "l" else str(c).rjust(w))
        return "  ".join(out).rstrip()

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


def backend_rows(g, ctx, m, n, d):
    """(backend, chanenc ns, baseline ns, raw ns, chanenc-on-OpenSSL ns,
    name) for each backend measured for mode m, size n, direction d."""
    rows = []
    ce = g(f"ce/{d}/{m}/{n}")
    if ce is None:
        return rows
    auto = ctx.get(f"backend_{m}", "openssl")
    ossl = g(f"ce-openssl/{d}/{m}/{n}")
    if auto == "openssl":
        rows.append(("openssl", ce, g(f"base/{d}/{m}/{n}"), None, None,
                     f"ce/{d}/{m}/{n}"))
    elif auto == "sm4-simd":
        # SM4_128_ECB on chanenc's vectorized SM4: its baseline is the same
        # frame by hand on OpenSSL EVP (the only library SM4-ECB baseline)
        rows.append((auto, ce, g(f"base/{d}/{m}/{n}"), None, ossl,
                     f"ce/{d}/{m}/{n}"))
        if ossl is not None:
            rows.append(("openssl", ossl, g(f"base/{d}/{m}/{n}"), None, None,
                         f"ce-openssl/{d}/{m}/{n}"))
    else:
        rows.append((auto, ce, g(f"base-imb/{d}/{m}/{n}"),
                     g(f"imb/{d}/{m}/{n}"), ossl, f"ce/{d}/{m}/{n}"))
        if ossl is not None:
            rows.append(("openssl", ossl, g(f"base/{d}/{m}/{n}"), None, None,
                         f"ce-openssl/{d}/{m}/{n}"))
    return rows


# Channel benchmark prefixes and the bare benchmarks they are compared with.
CHANNEL_PAIRS = (("chan", "ce"), ("chan-openssl", "ce-openssl"))


def channel_backend(ctx, prefix, mode):
    """The backend that serves a channel row: OpenSSL for chan-openssl/,
    otherwise the automatic choice the benchmark context records."""
    if prefix == "chan-openssl":
        return "openssl"
    return ctx.get(f"backend_{mode}", "auto")


def main(argv):
    ap = argparse.ArgumentParser(
        description="Print the ce_bench table from Google Benchmark JSON.")
    ap.add_argument("json", help="file written by ce_bench --benchmark_out")
    ap.add_argument("--time", choices=("cpu", "real"), default="cpu",
                    help="which time to report (default: cpu)")
    ap.add_argument("--no-targets", action="store_true",
                    help="do not print the target checks")
    opts = ap.parse_args(argv[1:])
    which = opts.time
    ctx, med, cv, errors = load(opts.json, which)
    g = med.get
    sizes = sizes_in(med)
    have_srtp = any(n.startswith("srtp/") for n in med)

    print(f"CPU: {ctx.get('cpu_model', '?')} ({ctx.get('num_cpus', '?')} "
          f"cpus, {ctx.get('mhz_per_cpu', '?')} MHz); "
          f"{ctx.get('openssl', '?')}; libsrtp: {ctx.get('libsrtp', '?')}; "
          f"libgcrypt: {ctx.get('libgcrypt', '?')}; "
          f"SM4 implementation: {ctx.get('sm4_impl', '?')}; "
          f"ipsec-mb: {ctx.get('ipsec_mb', '?')}; "
          f"{ctx.get('chanenc', '?')}")
    if ctx.get("skipped_modes"):
        print(f"Not provided by the linked OpenSSL, skipped: "
              f"{ctx['skipped_modes']}")
    print(f"Process: {ctx.get('threads', '?')}")
    print(f"Date: {ctx.get('date', '?')}; load average at start: "
          f"{', '.join(f'{x:.2f}' for x in ctx.get('load_avg', [])) or '?'}; "
          f"times: {which.upper()} time per packet, median of repetitions")
    print()

    # 1. per packet
    rows = []
    for m in MODES:
        for n in sizes:
            for d in ("protect", "unprotect"):
                for be, ce, base, raw, ossl, name in backend_rows(g, ctx, m,
                                                                  n, d):
                    peer = SRTP_PEER.get(m)
                    srtp = g(f"srtp/{d}/{peer}/{n}") if peer else None
                    mbs = n / ce * 1e3 if ce else None
                    gcry = g(f"gcry/{d}/{m}/{n}")
                    rows.append([m, n, d, be, fmt_ns(ce),
                                 f"{mbs:,.0f}" if mbs else "-",
                                 fmt_ns(base), fmt_ratio(ce, base),
                                 fmt_ns(raw) if raw else "",
                                 fmt_ratio(ce, raw) if raw else "",
                                 fmt_ratio(ossl, ce) if ossl else "",
                                 fmt_ns(srtp) if peer and have_srtp else
                                 ("n/a" if peer else ""),
                                 fmt_ratio(ce, srtp) if srtp else "",
                                 fmt_ns(gcry) if gcry else "",
                                 fmt_ratio(ce, gcry) if gcry else "",
                                 fmt_cv(cv.get(name))])
    print("Per packet (ce_protect / ce_unprotect, in place)")
    print_table(["mode", "size", "direction", "backend", "ns/pkt", "MB/s",
                 "base ns", "x base", "raw ns", "x raw", "openssl/x",
                 "srtp ns", "x srtp", "gcry ns", "x gcry", "spread"], rows,
                "llllrrrrrrrrrrrr")
    print("base: the same frame by hand on the row's backend (OpenSSL EVP, "
          "or intel-ipsec-mb; for sm4-simd OpenSSL EVP SM4-ECB); raw: the "
          "bare ipsec-mb GCM call; openssl/x: chanenc on OpenSSL over this "
          "row (times faster); gcry: libgcrypt's AES-GCM (or SM4) making the "
          "same frames")
    if not have_srtp:
        print("libsrtp: not compiled in (pkg-config libsrtp2 found nothing)")
    ring = [f"{n}: {fmt_ns(g(f'meta/ring/{n}'))}" for n in sizes
            if g(f"meta/ring/{n}") is not None]
    if ring:
        print("unprotect ring overhead in every unprotect figure (ns/pkt): "
              + ", ".join(ring))
    print()

    # 1b. SM4_128_ECB: chanenc vs OpenSSL EVP (the baseline) and libgcrypt
    rows = []
    for n in sizes:
        for d in ("protect", "unprotect"):
            ce = g(f"ce/{d}/SM4_128_ECB/{n}")
            if ce is None:
                continue
            base = g(f"base/{d}/SM4_128_ECB/{n}")
            gc = g(f"gcry/{d}/SM4_128_ECB/{n}")
            rows.append([n, d, fmt_ns(ce), fmt_ns(base), fmt_ratio(base, ce),
                         fmt_ns(gc), fmt_ratio(gc, ce),
                         fmt_cv(cv.get(f"ce/{d}/SM4_128_ECB/{n}"))])
    if rows:
        print(f"SM4_128_ECB, chanenc on "
              f"{ctx.get('backend_SM4_128_ECB', '?')} "
              f"({ctx.get('sm4_impl', '?')}) vs OpenSSL "
              f"EVP SM4-ECB (baseline.c) and libgcrypt (gcry_peer.c), same "
              f"frames; 'faster' = their ns / chanenc ns")
        print_table(["size", "direction", "ns/pkt", "openssl ns", "faster",
                     "libgcrypt ns", "faster", "spread"], rows, "llrrrrrr")
        print()

    # 1c. SM4 alone, per implementation
    impls = []
    for k in med:
        if k.startswith("sm4raw/"):
            impl = k.split("/")[1]
            if impl not in impls:
                impls.append(impl)
    order = ["gfni-avx512", "gfni-avx2", "vaes-avx2", "aesni-avx2",
             "portable", "openssl", "libgcrypt-ecb", "libgcrypt-ctr"]
    impls.sort(key=lambda i: order.index(i) if i in order else len(order))
    if impls:
        raw_sizes = sorted({int(k.split("/")[2]) for k in med
                            if k.startswith("sm4raw/")})
        rows = []
        for i in impls:
            row = [i]
            for n in raw_sizes:
                v = g(f"sm4raw/{i}/{n}")
                o = g(f"sm4raw/openssl/{n}")
                row.append("-" if v is None else
                           f"{fmt_ns(v)} ({v / (n + 16 - n % 16):.2f}"
                           f"{'; ' + format(o / v, '.1f') + 'x' if o else ''})")
            rows.append(row)
        print("SM4 alone over the padded body of an N-byte payload (encrypt, "
              "in place): ns (ns/byte; OpenSSL's ns / this ns)")
        print_table(["implementation"] + [f"N={n}" for n in raw_sizes], rows,
                    "l" + "r" * len(raw_sizes))
        print()

    # 2. channel, per backend: chan/ against ce/ (the automatic backend),
    # chan-openssl/ against ce-openssl/
    rows = []
    for m in MODES:
        for n in sizes:
            for d, bare_d in (("send", "protect"), ("receive", "unprotect")):
                for chp, bp in CHANNEL_PAIRS:
                    ch = g(f"{chp}/{d}/{m}/{n}")
                    if ch is None:
                        continue
                    bare = g(f"{bp}/{bare_d}/{m}/{n}")
                    rows.append([m, n, d, channel_backend(ctx, chp, m),
                                 fmt_ns(ch), fmt_ns(bare),
                                 fmt_ratio(ch, bare),
                                 fmt_cv(cv.get(f"{chp}/{d}/{m}/{n}"))])
    if rows:
        print("Channel (built-in encryption + no-op observer) vs bare "
              "ce_protect / ce_unprotect on the same backend")
        print_table(["mode", "size", "direction", "backend", "chan ns",
                     "bare ns", "x bare", "spread"], rows, "llllrrrr")
        print()

    # 2b. SFrame (RFC 9605) per suite, beside CE1 AES_128_GCM and libsrtp
    rows = []
    for name in sorted({k.split("/")[2] for k in med
                        if k.startswith("sframe/")}):
        for n in sizes:
            for d in ("protect", "unprotect"):
                sf = g(f"sframe/{d}/{name}/{n}")
                if sf is None:
                    continue
                ce = g(f"ce/{d}/AES_128_GCM/{n}")
                srtp = g(f"srtp/{d}/AES_128_GCM/{n}")
                rows.append([name, n, d, fmt_ns(sf), fmt_ns(ce),
                             fmt_ratio(sf, ce), fmt_ns(srtp),
                             fmt_ratio(sf, srtp) if srtp else "",
                             fmt_cv(cv.get(f"sframe/{d}/{name}/{n}"))])
    if rows:
        print("SFrame per suite (ce_sframe_protect / ce_sframe_unprotect) vs "
              "CE1 AES_128_GCM and libsrtp AES_128_GCM")
        print_table(["suite", "size", "direction", "ns/pkt", "CE1 ns",
                     "x CE1", "srtp ns", "x srtp", "spread"], rows,
                    "lllrrrrrr")
        print()

    # 3. setup
    rows = []
    for name in sorted(k for k in med if k.startswith("setup/")):
        _, what, m = name.split("/")
        if what == "ce_ctx_new":
            be = ctx.get(f"backend_{m}", "openssl")
        else:
            be = "openssl" if what == "ce_ctx_new_openssl" else "libsrtp"
        rows.append([m, what, be, f"{g(name) / 1e3:,.1f}"])
    if rows:
        print("Key setup (context creation, key schedule included)")
        print_table(["mode", "call", "backend", "us"], rows, "lllr")
        print()

    if errors:
        print("Skipped or failed:")
        for name, msg in sorted(errors.items()):
            print(f"  {name}: {msg}")
        print()

    if opts.no_targets:
        return 0

    # 4. targets
    results = []

    def check(label, ok, detail):
        results.append(ok)
        print(f"  {'PASS' if ok else 'FAIL'}  {label}: {detail}")

    print("Targets")
    for m in MODES:
        for d in ("protect", "unprotect"):
            for n, limit in ((64, 1.25), (1200, 1.10), (1500, 1.10)):
                # chanenc on OpenSSL against the OpenSSL baseline
                ce = g(f"ce-openssl/{d}/{m}/{n}") or (
                    g(f"ce/{d}/{m}/{n}")
                    if ctx.get(f"backend_{m}", "openssl") == "openssl"
                    else None)
                base = g(f"base/{d}/{m}/{n}")
                if ce is None or base is None:
                    continue
                r = ce / base
                check(f"{m} {d} {n} B (openssl) <= {limit:.2f}x baseline",
                      r <= limit, f"{r:.3f}x ({fmt_ns(ce)} vs "
                      f"{fmt_ns(base)} ns)")
    # issue 11: the ipsec-mb backend against the raw ipsec-mb call, and
    # against chanenc on OpenSSL
    for m in MODES:
        for d in ("protect", "unprotect"):
            ce, ossl = g(f"ce/{d}/{m}/1200"), g(f"ce-openssl/{d}/{m}/1200")
            for n, limit in ((64, 1.5), (1200, 1.3)):
                c, raw = g(f"ce/{d}/{m}/{n}"), g(f"imb/{d}/{m}/{n}")
                if c is None or raw is None:
                    continue
                r = c / raw
                check(f"{m} {d} {n} B (ipsec-mb) <= {limit:.2f}x raw call",
                      r <= limit, f"{r:.3f}x ({fmt_ns(c)} vs "
                      f"{fmt_ns(raw)} ns)")
            if ce is not None and ossl is not None and \
                    g(f"imb/{d}/{m}/1200") is not None:
                check(f"{m} {d} 1200 B (ipsec-mb) >= 3x faster than "
                      f"chanenc on OpenSSL", ossl / ce >= 3.0,
                      f"{ossl / ce:.2f}x ({fmt_ns(ce)} vs {fmt_ns(ossl)} ns)")
    for d in ("protect", "unprotect"):
        n = 1200
        ce = g(f"ce/{d}/SM4_128_ECB/{n}")
        base = g(f"base/{d}/SM4_128_ECB/{n}")
        if ce is not None and base is not None:
            check(f"SM4_128_ECB {d} {n} B >= 4x faster than OpenSSL SM4-ECB",
                  base >= 4 * ce, f"{base / ce:.1f}x ({fmt_ns(ce)} vs "
                  f"{fmt_ns(base)} ns)")
    for m in ("AES_128_GCM", "AES_256_GCM"):
        for d in ("protect", "unprotect"):
            for n in (160, 1200):
                ce, srtp = g(f"ce/{d}/{m}/{n}"), g(f"srtp/{d}/{m}/{n}")
                if ce is None:
                    continue
                if srtp is None:
                    print(f"  SKIP  {m} {d} {n} B faster than libsrtp: "
                          f"no libsrtp figure")
                    continue
                check(f"{m} {d} {n} B faster than libsrtp", ce < srtp,
                      f"{fmt_ns(ce)} vs {fmt_ns(srtp)} ns "
                      f"({ce / srtp:.3f}x)")
    for m in MODES:
        for d, bare_d in (("send", "protect"), ("receive", "unprotect")):
            for chp, bp in CHANNEL_PAIRS:
                ch = g(f"{chp}/{d}/{m}/1200")
                bare = g(f"{bp}/{bare_d}/{m}/1200")
                if ch is None or bare is None:
                    continue
                r = ch / bare
                check(f"channel {m} {d} 1200 B ({channel_backend(ctx, chp, m)})"
                      f" <= 1.10x bare", r <= 1.10,
                      f"{r:.3f}x ({fmt_ns(ch)} vs {fmt_ns(bare)} ns)")
    print(f"  {sum(results)} of {len(results)} targets hold")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
