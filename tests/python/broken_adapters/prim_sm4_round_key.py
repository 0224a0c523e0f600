#!/usr/bin/python3
"""Broken primitive adapter: tools/adapters/pyca_adapter.py with SM4 done
by the pure-Python SM4 below (GB/T 32907-2016), whose key schedule has
one round key wrong: the CK table's last entry is a copy of the one
before it (an off-by-one in a hand-typed table), so rk[31] is wrong and
rk[0..30] are right. Encryption and decryption share the schedule, so it
agrees with itself and with nothing else. AES, HKDF and PBKDF2 are the
library's.

sm4_ecb_pure(..., ck=CK) is the SM4 of the standard (checked against its
example 1 and against OpenSSL by tests/python/test_lang_adapters.py)."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3]
                       / "tools" / "adapters"))
import pyca_adapter  # noqa: E402

SBOX = bytes.fromhex(
    "d690e9fecce13db716b614c228fb2c052b679a762abe04c3aa44132649860699"
    "9c4250f491ef987a33540b43edcfac62e4b31ca9c908e89580df94fa758f3fa6"
    "4707a7fcf37317ba83593c19e6854fa8686b81b27164da8bf8eb0f4b70569d35"
    "1e240e5e6358d1a225227c3b01217887d40046579fd327524c3602e7a0c4c89e"
    "eabf8ad240c738b5a3f7f2cef96115a1e0ae5da49b341a55ad933230f58cb1e3"
    "1df6e22e8266ca60c02923ab0d534e6fd5db3745defd8e2f03ff6a726d6c5b51"
    "8d1baf92bbddbc7f11d95c411f105ad80ac13188a5cd7bbd2d74d012b8e5b4b0"
    "8969974a0c96777e65b9f109c56ec68418f07dec3adc4d2079ee5f3ed7cb3948")
FK = (0xA3B1BAC6, 0x56AA3350, 0x677D9197, 0xB27022DC)
# CK[i] is the bytes (4i + j) * 7 mod 256, j = 0..3.
CK = tuple(int.from_bytes(bytes((4 * i + j) * 7 % 256 for j in range(4)),
                          "big") for i in range(32))
CK_BROKEN = CK[:31] + CK[30:31]  # the bug: CK[31] is CK[30]

M32 = 0xFFFFFFFF


def _rotl(x, n):
    return ((x << n) | (x >> (32 - n))) & M32


def _tau(x):
    return int.from_bytes(bytes(SBOX[b] for b in x.to_bytes(4, "big")),
                          "big")


def _t(x):  # the round function's T = L(tau)
    b = _tau(x)
    return b ^ _rotl(b, 2) ^ _rotl(b, 10) ^ _rotl(b, 18) ^ _rotl(b, 24)


def _t_key(x):  # the key schedule's T' = L'(tau)
    b = _tau(x)
    return b ^ _rotl(b, 13) ^ _rotl(b, 23)


def round_keys(key, ck=CK):
    k = [int.from_bytes(key[4 * i:4 * i + 4], "big") ^ FK[i]
         for i in range(4)]
    for i in range(32):
        k.append(k[i] ^ _t_key(k[i + 1] ^ k[i + 2] ^ k[i + 3] ^ ck[i]))
    return k[4:]


def crypt_block(rks, block):
    x = [int.from_bytes(block[4 * i:4 * i + 4], "big") for i in range(4)]
    for i in range(32):
        x.append(x[i] ^ _t(x[i + 1] ^ x[i + 2] ^ x[i + 3] ^ rks[i]))
    return b"".join(v.to_bytes(4, "big") for v in reversed(x[32:]))


def sm4_ecb_pure(encrypt, key, data, ck=CK):
    rks = round_keys(key, ck)
    if not encrypt:
        rks = rks[::-1]
    return b"".join(crypt_block(rks, data[i:i + 16])
                    for i in range(0, len(data), 16))


def sm4_ecb(encrypt, key, data):
    return sm4_ecb_pure(encrypt, key, data, CK_BROKEN)


pyca_adapter.sm4_ecb = sm4_ecb

if __name__ == "__main__":
    sys.exit(pyca_adapter.main())
