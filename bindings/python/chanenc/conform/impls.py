"""Implementations the conformance runner can test.

All speak CE1 at the level of the process adapter protocol (stateless:
every call carries mode, key and salt; protect takes an explicit packet
number) and return :class:`Outcome` objects:

* :class:`Reference` - chanenc itself, through the Python bindings; the
  only one that also runs the standard primitive vectors;
* :class:`ProcessAdapter` - any program speaking JSON lines
  (conformance.md section 2), with timeouts and restarts;
* :func:`lib_adapter` - a shared library with the C ABI of section 3, run
  in a worker process (a crash is then a failed case), or
  :class:`InProcessLib` to load it into the runner;
* :class:`PythonCE1` - the independent pure-Python implementation
  (:mod:`chanenc.conform.pyce1`), used as a second oracle.
"""

from __future__ import annotations

import collections
import json
import os
import selectors
import shlex
import signal
import subprocess
import sys
import tempfile
import time

from .libserve import LibImpl

__all__ = ["Outcome", "Implementation", "Reference", "ProcessAdapter",
           "InProcessLib", "PythonCE1", "lib_adapter"]


class Outcome:
    """Result of one call to an implementation.

    Exactly one of: success (``value`` set), a CE1 status (``status``, a
    status name), or a transport failure (``transport``: "timeout",
    "crashed", "garbage", "bad_answer", "unusable"; ``detail`` says more).
    ``buffer_modified`` flags a failure that wrote to the caller's buffer.
    """

    __slots__ = ("value", "status", "transport", "detail", "buffer_modified")

    def __init__(self, value=None, status=None, transport=None, detail="",
                 buffer_modified=False):
        self.value = value
        self.status = status
        self.transport = transport
        self.detail = detail
        self.buffer_modified = buffer_modified

    @property
    def ok(self) -> bool:
        return self.status is None and self.transport is None

    def describe(self) -> str:
        if self.transport:
            return f"{self.transport}: {self.detail}" if self.detail else self.transport
        if self.status:
            return f"error {self.status}"
        if isinstance(self.value, (bytes, bytearray)):
            return f"success ({len(self.value)} bytes)"
        return "success"

    def __repr__(self) -> str:
        return f"Outcome({self.describe()})"


class Implementation:
    """Interface of an implementation under test."""

    #: "reference", "adapter", "lib" or "python".
    kind = "?"
    #: One line for the report header.
    description = "?"
    #: True when the standard primitive vectors can run (the reference).
    primitives = False

    def protect(self, mode: int, key: bytes, salt: bytes, pn: int,
                payload: bytes) -> Outcome:
        raise NotImplementedError

    def unprotect(self, mode: int, key: bytes, salt: bytes,
                  frame: bytes) -> Outcome:
        raise NotImplementedError

    def derive(self, mode: int, key: bytes, salt: bytes) -> Outcome:
        """Outcome value: (enc_key, iv_base or None, check int). An
        implementation without a derive operation answers status
        UNSUPPORTED_OP."""
        return Outcome(status="UNSUPPORTED_OP")

    def close(self) -> None:
        pass


# --------------------------------------------------------------------------
# The reference, through the bindings
# --------------------------------------------------------------------------

class Reference(Implementation):
    """chanenc through its Python bindings. Uses the in-place paths (and
    checks that the copying paths agree), and checks that a failing
    unprotect leaves the caller's buffer unchanged."""

    kind = "reference"
    primitives = True

    def __init__(self) -> None:
        import chanenc
        import chanenc.testing  # vectors need a chosen packet number
        self._ce = chanenc
        self._testing = chanenc.testing
        self.description = (f"reference {chanenc.version()} "
                            f"(Python bindings {chanenc.__version__})")
        self._ctxs: collections.OrderedDict = collections.OrderedDict()

    def _ctx(self, mode, key, salt):
        k = (mode, key, salt)
        hit = self._ctxs.get(k)
        if hit is not None:
            self._ctxs.move_to_end(k)
            return hit
        try:
            hit = self._ce.Context(self._ce.Config(mode, key=key, salt=salt))
        except self._ce.Error as e:
            hit = e
        self._ctxs[k] = hit
        if len(self._ctxs) > 128:
            self._ctxs.popitem(last=False)
        return hit

    def protect(self, mode, key, salt, pn, payload):
        ctx = self._ctx(mode, key, salt)
        if isinstance(ctx, Exception):
            return Outcome(status=ctx.status)
        buf = bytearray(len(payload) + ctx.overhead(min(len(payload), 65535)))
        buf[:len(payload)] = payload
        try:
            n = self._testing.protect_inplace_with_pn(ctx, buf, len(payload),
                                                      pn)
        except self._ce.Error as e:
            return Outcome(status=e.status)
        frame = bytes(buf[:n])
        try:
            copy = self._testing.protect_with_pn(ctx, payload, pn)
        except self._ce.Error as e:
            copy = e.status
        if copy != frame:
            return Outcome(transport="bad_answer",
                           detail="in-place and copying protect disagree")
        return Outcome(frame)

    def unprotect(self, mode, key, salt, frame):
        ctx = self._ctx(mode, key, salt)
        if isinstance(ctx, Exception):
            return Outcome(status=ctx.status)
        buf = bytearray(frame)
        try:
            n = ctx.unprotect_inplace(buf)
            out = Outcome(bytes(buf[:n]))
        except self._ce.Error as e:
            out = Outcome(status=e.status, buffer_modified=bytes(buf) != frame)
        try:
            copy = Outcome(ctx.unprotect(frame))
        except self._ce.Error as e:
            copy = Outcome(status=e.status)
        if (copy.value, copy.status) != (out.value, out.status):
            return Outcome(transport="bad_answer",
                           detail="in-place and copying unprotect disagree")
        return out

    def derive(self, mode, key, salt):
        try:
            d = self._ce.derive(self._ce.Config(mode, key=key, salt=salt))
        except self._ce.Error as e:
            return Outcome(status=e.status)
        return Outcome((d.enc_key, d.iv_base, d.check))


# --------------------------------------------------------------------------
# The independent Python implementation
# --------------------------------------------------------------------------

class PythonCE1(Implementation):
    """:class:`chanenc.conform.pyce1.PyCE1` as an implementation."""

    kind = "python"

    def __init__(self, bugs=()) -> None:
        from .pyce1 import PyCE1, CE1Error
        self._impl = PyCE1(bugs)
        self._err = CE1Error
        self.description = "pyce1 (independent pure-Python CE1 on python3-cryptography)"

    def _run(self, fn, *args):
        try:
            return Outcome(fn(*args))
        except self._err as e:
            return Outcome(status=e.status)

    def protect(self, mode, key, salt, pn, payload):
        return self._run(self._impl.protect, mode, key, salt, pn, payload)

    def unprotect(self, mode, key, salt, frame):
        return self._run(self._impl.unprotect, mode, key, salt, frame)

    def derive(self, mode, key, salt):
        return self._run(self._impl.derive, mode, key, salt)


# --------------------------------------------------------------------------
# Process adapters
# --------------------------------------------------------------------------

def _hex_field(ans: dict, name: str, nullable: bool = False):
    v = ans.get(name, ...)
    if v is ...:
        raise ValueError(f'answer has no "{name}" field')
    if v is None and nullable:
        return None
    if not isinstance(v, str):
        raise ValueError(f'"{name}" is not a hex string')
    try:
        return bytes.fromhex(v)
    except ValueError:
        raise ValueError(f'"{name}" is not valid hex') from None


def _short(data: bytes | str, n: int = 120) -> str:
    s = data if isinstance(data, str) else data.decode("utf-8", "replace")
    s = s.rstrip("\n")
    return s if len(s) <= n else s[:n] + f"... ({len(s)} chars)"


class ProcessAdapter(Implementation):
    """A CE1 implementation behind the JSON-lines protocol of
    conformance.md section 2.

    Every request waits at most ``timeout`` seconds for its answer. An
    adapter that times out, dies, or writes something that is not a JSON
    object on a line is killed; the case fails and the next request starts
    a fresh process. After ``give_up`` consecutive timeouts (or ten times
    as many consecutive transport failures of any kind) the adapter is
    declared unusable and the remaining requests fail at once, so a hanging
    adapter cannot stall the run.
    """

    kind = "adapter"

    def __init__(self, command, timeout: float = 10.0, give_up: int = 5,
                 env=None, label: str | None = None) -> None:
        self.argv = shlex.split(command) if isinstance(command, str) else list(command)
        if not self.argv:
            raise ValueError("empty adapter command")
        self.command = command if isinstance(command, str) else shlex.join(command)
        self.timeout = float(timeout)
        self.give_up = give_up
        self.env = env
        self.description = label or f"process adapter: {self.command}"
        self.proc = None
        self._stderr = None
        self._rbuf = b""
        self._consecutive = 0
        self._timeouts = 0
        self.unusable = None  # reason once given up
        self.restarts = 0
        self.requests = 0
        self.has_derive = None

    # ---- process management ---------------------------------------------

    def _start(self) -> None:
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, bufsize=0, env=self.env,
            start_new_session=True)
        os.set_blocking(self.proc.stdin.fileno(), False)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self._rbuf = b""

    def _stderr_tail(self, n: int = 400) -> str:
        if self._stderr is None:
            return ""
        try:
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - n))
            tail = self._stderr.read().decode("utf-8", "replace").strip()
        except OSError:
            return ""
        return tail.replace("\n", " | ")

    def _kill(self) -> None:
        p, self.proc = self.proc, None
        if p is None:
            return
        for f in (p.stdin, p.stdout):
            try:
                f.close()
            except OSError:
                pass
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                try:
                    p.kill()
                except ProcessLookupError:
                    pass
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def close(self) -> None:
        p = self.proc
        if p is None:
            return
        try:
            p.stdin.close()
        except OSError:
            pass
        try:
            p.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        self._kill()

    # ---- one request -------------------------------------------------------

    def _exchange(self, line: bytes) -> tuple[bytes | None, str | None, str]:
        """Sends a line, returns (answer line, transport error, detail)."""
        if self.proc is None:
            try:
                self._start()
            except OSError as e:
                return None, "unusable", f"cannot start {self.argv[0]!r}: {e}"
            if self.requests:
                self.restarts += 1
        p = self.proc
        deadline = time.monotonic() + self.timeout
        out = memoryview(line)
        sel = selectors.DefaultSelector()
        try:
            sel.register(p.stdout, selectors.EVENT_READ)
            if out:
                sel.register(p.stdin, selectors.EVENT_WRITE)
            while True:
                nl = self._rbuf.find(b"\n")
                if nl >= 0:
                    ans, self._rbuf = self._rbuf[:nl], self._rbuf[nl + 1:]
                    return ans, None, ""
                left = deadline - time.monotonic()
                if left <= 0:
                    return None, "timeout", (f"no answer within {self.timeout:g} s"
                                             + (f" (partial: {_short(self._rbuf, 60)!r})"
                                                if self._rbuf else ""))
                for key, _ in sel.select(left):
                    if key.fileobj is p.stdin:
                        try:
                            n = os.write(p.stdin.fileno(), out)
                            out = out[n:]
                        except BlockingIOError:
                            continue
                        except (BrokenPipeError, OSError):
                            out = out[:0]
                        if not out:
                            sel.unregister(p.stdin)
                    else:
                        try:
                            chunk = os.read(p.stdout.fileno(), 1 << 16)
                        except BlockingIOError:
                            continue
                        if not chunk:
                            try:
                                rc = p.wait(timeout=1)
                            except subprocess.TimeoutExpired:
                                rc = None
                            how = (f"exited with status {rc}" if rc is not None and rc >= 0
                                   else f"killed by signal {-rc}" if rc is not None
                                   else "closed its output")
                            tail = self._stderr_tail()
                            return None, "crashed", (f"adapter {how} before answering"
                                                     + (f"; stderr: {tail}" if tail else ""))
                        self._rbuf += chunk
        finally:
            sel.close()

    def request(self, req: dict) -> tuple[dict | None, Outcome | None]:
        """Sends one request; returns (answer object, None) or (None, a
        failed Outcome)."""
        if self.unusable:
            return None, Outcome(transport="unusable", detail=self.unusable)
        self.requests += 1
        line = (json.dumps(req, separators=(",", ":")) + "\n").encode()
        ans, err, detail = self._exchange(line)
        if err is not None:
            # No answer: the process is dead or stuck. Kill it; the next
            # request starts a fresh one.
            self._kill()
            self._consecutive += 1
            self._timeouts = self._timeouts + 1 if err == "timeout" else 0
            if (err == "unusable" or self._timeouts >= self.give_up
                    or self._consecutive >= 10 * self.give_up):
                self.unusable = (f"gave up after {self._consecutive} consecutive "
                                 f"failures; last: {err}: {detail}")
            return None, Outcome(transport=err, detail=detail)
        self._consecutive = self._timeouts = 0
        extra = self._rbuf
        if extra:
            # More output than one line per request: later answers would be
            # misattributed, so start over with a fresh process.
            self._kill()
        try:
            obj = json.loads(ans)
        except ValueError as e:
            return None, Outcome(transport="garbage",
                                 detail=f"answer is not JSON ({e}): {_short(ans)!r}")
        if not isinstance(obj, dict):
            return None, Outcome(transport="garbage",
                                 detail=f"answer is not a JSON object: {_short(ans)!r}")
        if extra:
            return None, Outcome(transport="garbage", detail=(
                f"more than one line of output for one request (extra: "
                f"{_short(extra, 60)!r}); adapter restarted"))
        return obj, None

    # ---- CE1 operations ----------------------------------------------------

    @staticmethod
    def _cfg(op, mode, key, salt) -> dict:
        return {"op": op, "mode": mode, "key": key.hex(), "salt": salt.hex()}

    def _simple(self, req: dict, field: str) -> Outcome:
        ans, fail = self.request(req)
        if fail:
            return fail
        if "error" in ans:
            st = ans["error"]
            if not isinstance(st, str):
                return Outcome(transport="bad_answer",
                               detail=f'"error" is not a string: {json.dumps(ans)[:120]}')
            return Outcome(status=st, buffer_modified=bool(ans.get("out_modified")))
        try:
            return Outcome(_hex_field(ans, field))
        except ValueError as e:
            return Outcome(transport="bad_answer", detail=f"{e}: {json.dumps(ans)[:120]}")

    def protect(self, mode, key, salt, pn, payload):
        req = self._cfg("protect", mode, key, salt)
        req["pn"] = f"{pn & 0xFFFFFFFFFFFFFFFF:016x}"
        req["payload"] = payload.hex()
        return self._simple(req, "frame")

    def unprotect(self, mode, key, salt, frame):
        req = self._cfg("unprotect", mode, key, salt)
        req["frame"] = frame.hex()
        return self._simple(req, "payload")

    def derive(self, mode, key, salt):
        if self.has_derive is False:
            return Outcome(status="UNSUPPORTED_OP")
        ans, fail = self.request(self._cfg("derive", mode, key, salt))
        if fail:
            return fail
        if "error" in ans:
            if ans["error"] == "UNSUPPORTED_OP":
                self.has_derive = False
            return Outcome(status=str(ans["error"]))
        try:
            enc_key = _hex_field(ans, "enc_key")
            iv_base = _hex_field(ans, "iv_base", nullable=True)
            check = _hex_field(ans, "check")
            if len(check) != 1:
                raise ValueError('"check" is not one byte')
        except ValueError as e:
            return Outcome(transport="bad_answer", detail=f"{e}: {json.dumps(ans)[:120]}")
        self.has_derive = True
        return Outcome((enc_key, iv_base, check[0]))


def lib_adapter(path: str, timeout: float = 10.0) -> ProcessAdapter:
    """A shared-library implementation (C ABI) run in a worker process that
    serves it over JSON lines (:mod:`chanenc.conform.libserve`)."""
    server = os.path.join(os.path.dirname(os.path.abspath(__file__)), "libserve.py")
    ad = ProcessAdapter([sys.executable, server, os.path.abspath(path)],
                        timeout=timeout,
                        label=f"shared library (C ABI, worker process): {path}")
    ad.kind = "lib"
    ad.has_derive = False
    return ad


class InProcessLib(Implementation):
    """A shared-library implementation loaded into the runner with ctypes
    (faster; a crash of the library ends the runner)."""

    kind = "lib"

    def __init__(self, path: str) -> None:
        self._lib = LibImpl(path)
        self.description = f"shared library (C ABI, in process): {path}"

    def protect(self, mode, key, salt, pn, payload):
        st, out, mod = self._lib.protect(mode, key, salt, pn, payload)
        return Outcome(out) if st is None else Outcome(status=st, buffer_modified=mod)

    def unprotect(self, mode, key, salt, frame):
        st, out, mod = self._lib.unprotect(mode, key, salt, frame)
        return Outcome(out) if st is None else Outcome(status=st, buffer_modified=mod)
