"""The channel pipeline and packet observers (spec section 11)."""

from __future__ import annotations

import enum

from . import _core
from .config import Config
from .errors import ObserverError, error_class, InvalidArgument, \
    NotSupported, Internal
from .sframe import SFrameObserver

__all__ = ["Channel", "PacketKind", "PacketObserver", "EncryptionErrorType",
           "Counters"]


class PacketKind(enum.IntEnum):
    """Kind of a packet on a channel."""

    AUDIO = 0
    VIDEO = 1
    DATA = 2
    """Data stream: never seen by the observer; protected only when the
    config's ``datastream`` flag is set."""


class EncryptionErrorType(enum.IntEnum):
    """The SDK's ``ENCRYPTION_ERROR_TYPE``, passed to the error callback."""

    INTERNAL_FAILURE = 0
    DECRYPTION_FAILURE = 1
    ENCRYPTION_FAILURE = 2
    DATASTREAM_DECRYPTION_FAILURE = 3
    DATASTREAM_ENCRYPTION_FAILURE = 4


class PacketObserver:
    """Optional base class of a packet observer (the SDK's IPacketObserver).

    Any object with one or more of these four methods can be registered
    with :meth:`Channel.register_packet_observer`; a method that is missing
    lets that kind of packet through unchanged. Each method gets the packet
    as ``bytes`` and returns:

    * ``None`` or ``False``: drop the packet (send/receive return None);
    * ``True``: keep it unchanged;
    * bytes-like: replace the packet with these bytes.

    An exception raised by a method fails that packet:
    :meth:`Channel.send` / :meth:`Channel.receive` raise
    :class:`chanenc.ObserverError` chained to it (status OBSERVER).

    The methods run on the thread that called send or receive; send-side
    and receive-side methods may run concurrently on different threads.
    They must not call control methods of the same channel (those raise
    InvalidArgument there).

    The defaults here keep every packet.
    """

    def on_send_audio(self, packet: bytes):
        """An outgoing audio packet, after built-in protection."""
        return True

    def on_send_video(self, packet: bytes):
        """An outgoing video packet, after built-in protection."""
        return True

    def on_receive_audio(self, packet: bytes):
        """An incoming audio packet, before built-in unprotection."""
        return True

    def on_receive_video(self, packet: bytes):
        """An incoming video packet, before built-in unprotection."""
        return True


#: {kind name: {"sent", "received", "send_dropped", "receive_dropped",
#: "send_failed": {STATUS: n}, "receive_failed": {STATUS: n}}}
Counters = dict


def _kind(kind) -> int:
    if isinstance(kind, str):
        try:
            return int(PacketKind[kind.upper()])
        except KeyError:
            raise ValueError(f"unknown packet kind {kind!r}") from None
    if isinstance(kind, bool) or not isinstance(kind, int):
        raise TypeError(f"kind must be a PacketKind, not {type(kind).__name__}")
    try:
        return int(PacketKind(kind))
    except ValueError:
        raise ValueError(f"unknown packet kind {kind!r}") from None


_SDK_ERRORS = {-1: Internal, -2: InvalidArgument, -4: NotSupported}


class Channel:
    """One user's end of a real-time channel (spec 11)::

        send:    payload -> built-in protect (if enabled) -> observer -> wire
        receive: wire -> observer -> built-in unprotect (if enabled) -> payload

    Typical use::

        ch = chanenc.Channel()
        ch.enable_encryption(True, chanenc.Config("AES_128_GCM2", key=k, salt=s))
        ch.join()
        wire = ch.send(chanenc.PacketKind.AUDIO, b"payload")
        payload = peer.receive(chanenc.PacketKind.AUDIO, wire)

    :meth:`send` and :meth:`receive` return the resulting bytes, or None when
    the observer dropped the packet, and raise a :class:`chanenc.Error`
    subclass on failure (the error callback, if set, is called first with
    the SDK's error type and the status code).

    Args:
        observer_headroom: how many bytes a send-side observer may add to
            a packet (default 65536); a larger packet fails with
            BufferTooSmall.
    """

    def __init__(self, *, observer_headroom: int = 65536) -> None:
        if isinstance(observer_headroom, bool) or not isinstance(
                observer_headroom, int) or observer_headroom < 0:
            raise ValueError("observer_headroom must be an int >= 0")
        self._h = None
        self._h = _core.channel_new()
        self._headroom = observer_headroom
        self._observer = None
        self._error_callback = None

    def _handle(self):
        h = self._h
        if h is None:
            raise ValueError("operation on a closed chanenc.Channel")
        return h

    def enable_encryption(self, enabled: bool, config: Config | None = None) -> None:
        """The SDK's ``enableEncryption(enabled, config)``.

        With ``enabled`` true, validates ``config`` and derives keys for both
        directions, once (GCM2 runs PBKDF2 once; the GIL is released). With
        ``enabled`` false, disables built-in encryption (``config`` ignored).

        Raises:
            InvalidArgument: SDK code -2 (bad config).
            NotSupported: SDK code -4 (cipher missing, e.g. SM4, or a
                backend that cannot serve the mode).
            Internal: SDK code -1.
        """
        h = self._handle()
        if enabled:
            if not isinstance(config, Config):
                raise TypeError("enable_encryption(True, config) needs a "
                                "chanenc.Config")
            # Refused here, naming the problem, as C would refuse it with
            # SDK code -2 (the channel stays as it was either way).
            config._validate("enable_encryption: SDK code -2")
            args = config._args()
        else:
            args = (0, b"", bytes(32), 0, 0)
        rc = _core.channel_enable_encryption(h, int(bool(enabled)), *args)
        if rc != 0:
            cls = _SDK_ERRORS.get(rc, Internal)
            raise cls(f"enable_encryption: SDK code {rc}")

    def disable_encryption(self) -> None:
        """Same as ``enable_encryption(False)``."""
        self.enable_encryption(False)

    def register_packet_observer(self, observer) -> None:
        """Registers ``observer``, replacing any previous one; None
        unregisters. Once this returns the previous observer is no longer
        called.

        ``observer`` is either a Python observer (see
        :class:`PacketObserver`), called through the GIL for each packet,
        or a :class:`chanenc.sframe.SFrameObserver`, whose C callbacks the
        channel calls directly (no Python code per packet). The channel
        keeps a reference to the observer while it is registered.

        Raises:
            InvalidArgument: the SFrameObserver is registered on another
                channel, or called from one of this channel's callbacks.
            TypeError: an object with none of the observer methods.
        """
        h = self._handle()
        if isinstance(observer, SFrameObserver):
            observer._check_free_for(self)
            _core.channel_set_sframe_observer(h, observer._handle())
        else:
            _core.channel_set_observer(h, observer)
        old, self._observer = self._observer, observer
        if isinstance(old, SFrameObserver) and old is not observer:
            old._detach(self)
        if isinstance(observer, SFrameObserver):
            observer._attach(self)

    @property
    def packet_observer(self):
        """The registered observer, or None."""
        return self._observer

    def set_error_callback(self, callback) -> None:
        """Sets ``callback(error_type, status)`` (ints:
        :class:`EncryptionErrorType` and the negative status code), called
        once per failed packet before send/receive raises. None clears it.
        Exceptions raised by the callback are reported as unraisable and
        otherwise ignored."""
        _core.channel_set_error_callback(self._handle(), callback)
        self._error_callback = callback

    def set_max_wire_size(self, size: int) -> None:
        """Limits the size of every packet put on or taken from the wire
        (0: no limit); larger packets fail with TooLarge."""
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError("size must be an int")
        if size < 0:
            raise ValueError("size must be >= 0")
        _core.channel_control(self._handle(), 3, size)

    def join(self) -> None:
        """Joins the channel: send and receive carry packets from now on."""
        _core.channel_control(self._handle(), 1, 0)

    def leave(self) -> None:
        """Leaves the channel and disables built-in encryption (keys wiped),
        as the SDK does; enable encryption again before rejoining."""
        _core.channel_control(self._handle(), 2, 0)

    def _transfer(self, send: int, kind, data) -> bytes | None:
        status, out, exc = _core.channel_transfer(
            self._handle(), send, _kind(kind), data, self._headroom)
        if status == 0:
            return out
        if status == _core.CE_DROPPED:
            return None
        what = "send" if send else "receive"
        if exc is not None and not isinstance(exc, Exception):
            raise exc  # KeyboardInterrupt, SystemExit: not the packet's fault
        cls = error_class(status)
        msg = f"{what}: {_core.ce_status_str(status)} [{_core.ce_status_name(status)}]"
        obs = self._observer
        if exc is None and status == _core.CE_ERR_OBSERVER and \
                isinstance(obs, SFrameObserver):
            # The SFrame status of this packet (the observer keeps it per
            # direction; one thread per direction, as the channel).
            exc = obs._sframe_exception(bool(send))
            if exc is not None:
                err = cls(f"{msg}: SFrame {exc.status} "
                          f"({_core.ce_status_str(exc.code)})")
                err.observer_exception = exc
                raise err from exc
        if exc is not None:
            err = cls(f"{msg}: the packet observer raised "
                      f"{type(exc).__name__}: {exc}")
            if isinstance(err, ObserverError):
                err.observer_exception = exc
            raise err from exc
        raise cls(msg)

    def send(self, kind: PacketKind, payload) -> bytes | None:
        """Sends one packet through the send pipeline; returns the wire
        packet, or None when the observer dropped it.

        Raises:
            InvalidArgument: not joined, bad kind, or called from one of
                this channel's callbacks.
            TooLarge: payload over 65,535 bytes or over the max wire size.
            ObserverError: the observer raised or returned something invalid.
            BufferTooSmall: the observer enlarged the packet by more than
                ``observer_headroom`` bytes.
        """
        return self._transfer(1, kind, payload)

    def receive(self, kind: PacketKind, packet) -> bytes | None:
        """Receives one wire packet through the receive pipeline; returns
        the payload, or None when the observer dropped it. Raises the
        unprotect errors (AuthFailed, KeyMismatch, ...) and those of
        :meth:`send`."""
        return self._transfer(0, kind, packet)

    def counters(self) -> Counters:
        """A consistent snapshot of the packet counters, by packet kind name:
        ``{"AUDIO": {"sent": 1, "received": 0, "send_dropped": 0,
        "receive_dropped": 0, "send_failed": {}, "receive_failed":
        {"AUTH_FAILED": 2}}, "VIDEO": ..., "DATA": ...}`` (failure dicts
        list only nonzero counts)."""
        raw = _core.channel_counters(self._handle())
        out = {}
        for kind, (sent, received, sd, rd, sf, rf) in zip(PacketKind, raw):
            out[kind.name] = {
                "sent": sent, "received": received,
                "send_dropped": sd, "receive_dropped": rd,
                "send_failed": {_core.ce_status_name(-i): n
                                for i, n in enumerate(sf) if i and n},
                "receive_failed": {_core.ce_status_name(-i): n
                                   for i, n in enumerate(rf) if i and n},
            }
        return out

    def close(self) -> None:
        """Disables encryption, wipes and frees the channel now."""
        self._h = None
        if isinstance(self._observer, SFrameObserver):
            self._observer._detach(self)
        self._observer = None
        self._error_callback = None

    def __enter__(self) -> "Channel":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<chanenc.Channel {'closed' if self._h is None else 'open'}>"
