#!/usr/bin/python3
"""sm4_constants.py - derives the constants of chanenc's vectorized SM4
(ref/src/sm4_fast_gfni.c, ref/src/sm4_fast_aesni.c) and checks them, and
the S-box table of ref/src/sm4_fast.c, against the algebraic S-box.

SM4's S-box (GB/T 32907-2016) is S(x) = A * inv(A * x + 0xd3) + 0xd3, with
inv the inverse in GF(2^8) modulo x^8+x^7+x^6+x^5+x^4+x^2+1 (0 -> 0) and A
the circulant matrix whose row i (output bit i) is 0xa7 rotated left by i.
With phi the field isomorphism x -> beta (beta a root of that polynomial in
AES's field, modulo x^8+x^4+x^3+x+1):

  S(x) = (A phi^-1) * inv_AES((phi A) * x + phi(0xd3)) + 0xd3

  GFNI:    GF2P8AFFINEQB(x, phi A, phi(0xd3)), then
           GF2P8AFFINEINVQB(., A phi^-1, 0xd3)
  AES-NI:  inv_AES(y) = Aaes^-1 (SubBytes(y) + 0x63), so
           S(x) = P * SubBytes(M1 x + c1) + (P 0x63 + 0xd3),
           P = A phi^-1 Aaes^-1, M1 = phi A, c1 = phi(0xd3); each affine map
           as two 16-entry nibble tables (constant in the low one).

Usage: sm4_constants.py           print the constants
       sm4_constants.py --check   also check the C sources (exit 1 when a
                                  constant there differs); CTest runs this
"""
import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "ref" / "src"
SM4_POLY, AES_POLY = 0x1F5, 0x11B


def gmul(a, b, poly):
    r = 0
    while b:
        if b & 1:
            r ^= a
        b >>= 1
        a <<= 1
        if a & 0x100:
            a ^= poly
    return r


def ginv(a, poly):
    if a == 0:
        return 0
    return next(b for b in range(1, 256) if gmul(a, b, poly) == 1)


def rotl8(v, n):
    return ((v << n) | (v >> (8 - n))) & 0xFF


# A matrix is 8 row bytes: output bit i = parity(row[i] & x).
def apply(rows, x):
    return sum((bin(rows[i] & x).count("1") & 1) << i for i in range(8))


def from_cols(cols):
    return [sum(((cols[j] >> i) & 1) << j for j in range(8)) for i in range(8)]


def mul(r1, r2):
    return from_cols([apply(r1, apply(r2, 1 << j)) for j in range(8)])


def inverse(rows):
    back = {apply(rows, x): x for x in range(256)}
    assert len(back) == 256, "singular matrix"
    return from_cols([back[1 << j] for j in range(8)])


def qword(rows):
    """The GF2P8AFFINE(INV)QB layout: byte 7 - i is the row of bit i."""
    return sum(rows[i] << (8 * (7 - i)) for i in range(8))


def gf2p8affine(x, q, b):
    """GF2P8AFFINEQB on one byte, as Intel's pseudo-code."""
    return sum(((bin(((q >> (8 * (7 - i))) & 0xFF) & x).count("1") & 1)
                ^ ((b >> i) & 1)) << i for i in range(8))


def derive():
    a = [rotl8(0xA7, i) for i in range(8)]
    c = 0xD3
    sbox = [apply(a, ginv(apply(a, x) ^ c, SM4_POLY)) ^ c for x in range(256)]

    def poly_at(b):  # the SM4 field polynomial evaluated in AES's field
        r, p = 0, 1
        for i in range(9):
            if (SM4_POLY >> i) & 1:
                r ^= p
            p = gmul(p, b, AES_POLY)
        return r

    beta = next(b for b in range(2, 256) if poly_at(b) == 0)
    cols, p = [], 1
    for _ in range(8):
        cols.append(p)
        p = gmul(p, beta, AES_POLY)
    phi = from_cols(cols)
    for y in range(256):
        assert apply(phi, ginv(y, SM4_POLY)) == ginv(apply(phi, y), AES_POLY)
    m1, c1 = mul(phi, a), apply(phi, c)
    m2, c2 = mul(a, inverse(phi)), c
    q1, q2 = qword(m1), qword(m2)
    for x in range(256):
        assert sbox[x] == gf2p8affine(ginv(gf2p8affine(x, q1, c1), AES_POLY),
                                      q2, c2)
    aaes = [rotl8(0xF1, i) for i in range(8)]
    subbytes = [apply(aaes, ginv(y, AES_POLY)) ^ 0x63 for y in range(256)]
    assert subbytes[0x00] == 0x63 and subbytes[0x53] == 0xED
    pm = mul(m2, inverse(aaes))
    pc = apply(pm, 0x63) ^ c2
    tables = {
        "PRE_LO": [apply(m1, n) ^ c1 for n in range(16)],
        "PRE_HI": [apply(m1, n << 4) for n in range(16)],
        "POST_LO": [apply(pm, n) ^ pc for n in range(16)],
        "POST_HI": [apply(pm, n << 4) for n in range(16)],
    }
    t = tables
    for x in range(256):
        y = t["PRE_LO"][x & 15] ^ t["PRE_HI"][x >> 4]
        s = subbytes[y]
        assert sbox[x] == t["POST_LO"][s & 15] ^ t["POST_HI"][s >> 4]
    return {"sbox": sbox, "beta": beta, "GFNI_PRE": q1, "GFNI_PRE_C": c1,
            "GFNI_POST": q2, "GFNI_POST_C": c2, "tables": tables}


def hexes(text):
    return [int(h, 16) for h in re.findall(r"0x([0-9a-fA-F]+)", text)]


def check(d):
    bad = []
    c = (SRC / "sm4_fast.c").read_text()
    m = re.search(r"ce__sm4_sbox\[256\] = \{(.*?)\};", c, re.S)
    if not m or hexes(m.group(1)) != d["sbox"]:
        bad.append("sm4_fast.c: ce__sm4_sbox is not the algebraic S-box")
    g = (SRC / "sm4_fast_gfni.c").read_text()
    for name in ("GFNI_PRE", "GFNI_PRE_C", "GFNI_POST", "GFNI_POST_C"):
        m = re.search(r"#define CE__%s (0x[0-9a-fA-F]+)" % name, g)
        if not m or int(m.group(1), 16) != d[name]:
            bad.append(f"sm4_fast_gfni.c: CE__{name}")
    a = (SRC / "sm4_fast_aesni.c").read_text()
    for name, want in d["tables"].items():
        m = re.search(r"#define CE__AES_%s\s*\\?\s*_mm256_setr_epi8\((.*?)\)\n"
                      % name, a, re.S)
        if not m or hexes(m.group(1)) != want * 2:
            bad.append(f"sm4_fast_aesni.c: CE__AES_{name}")
    return bad


def main(argv):
    d = derive()
    print(f"S-box: all 256 entries from S(x) = A inv(A x + 0xd3) + 0xd3; "
          f"beta = {d['beta']:#04x}")
    print(f"GFNI: affine {d['GFNI_PRE']:#018x}, {d['GFNI_PRE_C']:#04x}; "
          f"affine-inverse {d['GFNI_POST']:#018x}, {d['GFNI_POST_C']:#04x}")
    for name, t in d["tables"].items():
        print(f"AES-NI {name}: " + ", ".join(f"{v:#04x}" for v in t))
    if "--check" in argv[1:]:
        bad = check(d)
        for b in bad:
            print(f"sm4_constants.py: MISMATCH: {b}", file=sys.stderr)
        if bad:
            return 1
        print("sm4_constants.py: the C sources hold these constants")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
