#!/usr/bin/python3
"""Broken primitive adapter: tools/adapters/pyca_adapter.py with XTS
ciphertext stealing wrong for data of 17 to 31 bytes (one full block and a
partial one): it steals the last b bytes of CC instead of the first b
(IEEE 1619-2007 5.3.2: C_m = first b bytes of CC, the rest of CC pads
P_m). Its decryption mirrors the mistake, so it agrees with itself; all
other lengths are the library's."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3]
                       / "tools" / "adapters"))
import pyca_adapter  # noqa: E402

_xts = pyca_adapter.aes_xts


def _block(encrypt, key, tweak, j, block):
    """XTS of one full block at block index j (0 or 1) of the data unit.
    Full blocks are independent of each other, so it is the library's
    XTS of two blocks, one of them this one."""
    two = block + bytes(16) if j == 0 else bytes(16) + block
    return _xts(encrypt, key, tweak, two)[16 * j:16 * j + 16]


def aes_xts(encrypt, key, tweak, data):
    if not 16 < len(data) < 32:
        return _xts(encrypt, key, tweak, data)
    b = len(data) - 16
    if encrypt:
        cc = _block(True, key, tweak, 0, data[:16])
        # Right: C_m = cc[:b], PP = P_m || cc[b:].
        pp = data[16:] + cc[:16 - b]
        return _block(True, key, tweak, 1, pp) + cc[16 - b:]
    pp = _block(False, key, tweak, 1, data[:16])
    cc = pp[b:] + data[16:]
    return _block(False, key, tweak, 0, cc) + pp[:b]


pyca_adapter.aes_xts = aes_xts

if __name__ == "__main__":
    sys.exit(pyca_adapter.main())
