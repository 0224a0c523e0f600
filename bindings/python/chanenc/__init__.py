"""chanenc: CE1 media channel encryption (Python bindings).

The reference implementation of the CE1 wire format, on OpenSSL 3. The
pieces:

* :class:`Config` - mode, key, salt (the SDK's EncryptionConfig), and the
  cipher backend (:mod:`chanenc.backends`: ``"auto"``, ``"openssl"``,
  ``"ipsec-mb"``, ``"sm4-simd"``; :attr:`Context.backend` says which one
  runs);
* :class:`Context` - protect/unprotect packets (copying, into a buffer, or
  in place without copies);
* :func:`derive` - the key schedule's outputs;
* :class:`Channel` - the SDK pipeline with packet observers in Python;
* :mod:`chanenc.sframe` - SFrame (RFC 9605) end-to-end encryption: a
  context with keys by KID, the header codec, key derivation, and
  :class:`~chanenc.sframe.SFrameObserver` for a :class:`Channel`;
* primitives - :func:`ecb_encrypt`, :func:`xts_encrypt`,
  :func:`gcm_encrypt`, :func:`hkdf_sha256`, :func:`pbkdf2_sha256`, ...;
* :mod:`chanenc.conform` - the conformance runner
  (``python3 -m chanenc.conform``);
* :mod:`chanenc.testing` - protect with a chosen packet number, for
  known-answer vectors only, never live traffic (import it explicitly).

Every failure raises a subclass of :class:`Error` (``.status``, ``.code``).

Quick start::

    import chanenc
    cfg = chanenc.Config("AES_128_GCM2", key="my key string",
                         salt="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
    tx, rx = chanenc.Context(cfg), chanenc.Context(cfg)
    assert rx.unprotect(tx.protect(b"hello")) == b"hello"
"""

from . import _core
from .errors import (Error, Malformed, BadVersion, ModeMismatch, KeyMismatch,
                     BadPadding, AuthFailed, InvalidArgument, NotSupported,
                     BufferTooSmall, TooLarge, Internal, ObserverError,
                     UnknownKid, Replayed, CounterExhausted, error_class, status_name, status_code,
                     status_description)
from .modes import (Mode, Family, ModeInfo, MODES, mode_id, mode_info,
                    overhead, mode_supported, MAX_PAYLOAD, MAX_FRAME,
                    MAX_OVERHEAD, SALT_LEN, PBKDF2_ITERATIONS)
from .backends import BACKENDS, backend_for
from .config import Config, Derived, derive
from .context import Context
from .primitives import (ecb_encrypt, ecb_decrypt, ecb_iterate, xts_encrypt,
                         xts_decrypt, gcm_encrypt, gcm_decrypt, hkdf_sha256,
                         hkdf_sha256_extract, hkdf_sha256_expand,
                         pbkdf2_sha256)
from .channel import (Channel, PacketKind, PacketObserver,
                      EncryptionErrorType)
from . import sframe

try:
    from ._buildinfo import VERSION as __version__
except ImportError:  # pragma: no cover - not built by CMake
    __version__ = "0"


def version() -> str:
    """Version of the C library with its backends, e.g.
    ``"chanenc 0.2.0 (OpenSSL 3.0.x; backends: openssl, ipsec-mb 1.3.0,
    sm4-simd)"``."""
    return _core.ce_version()


__all__ = [
    "Error", "Malformed", "BadVersion", "ModeMismatch", "KeyMismatch",
    "BadPadding", "AuthFailed", "InvalidArgument", "NotSupported",
    "BufferTooSmall", "TooLarge", "Internal", "ObserverError",
    "UnknownKid", "Replayed", "CounterExhausted", "error_class",
    "status_name", "status_code", "status_description",
    "Mode", "Family", "ModeInfo", "MODES", "mode_id", "mode_info", "overhead",
    "mode_supported", "MAX_PAYLOAD", "MAX_FRAME", "MAX_OVERHEAD", "SALT_LEN",
    "PBKDF2_ITERATIONS",
    "Config", "Derived", "derive", "Context", "BACKENDS", "backend_for",
    "ecb_encrypt", "ecb_decrypt", "ecb_iterate", "xts_encrypt", "xts_decrypt",
    "gcm_encrypt", "gcm_decrypt", "hkdf_sha256", "hkdf_sha256_extract",
    "hkdf_sha256_expand", "pbkdf2_sha256",
    "Channel", "PacketKind", "PacketObserver", "EncryptionErrorType",
    "sframe", "version", "__version__",
]
