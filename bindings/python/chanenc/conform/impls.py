"""Implementations the conformance runner can test.

All speak CE1 at the level of the process adapter protocol (stateless:
every call carries mode, key and salt; protect takes an explicit packet
number) and return :class:`Outcome` objects:

* :class:`Reference` - chanenc itself, through the Python bindings; the
  only one that also runs the standard primitive vectors;
* :class:`ProcessAdapter` - any program speaking JSON lines
  (conformance.md section 3), with timeouts and restarts;
* :func:`lib_adapter` - a shared library with the C ABI of section 4, run
  in a worker process (a crash is then a failed case), or
  :class:`InProcessLib` to load it into the runner;
* :class:`PythonCE1` - the independent pure-Python implementation
  (:mod:`chanenc.conform.pyce1`), used as a second oracle.

:class:`Recorder` wraps any of them and keeps the requests a check made,
as the JSON lines a process adapter would be sent, so that every failure
can be reproduced outside the runner.
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
           "InProcessLib", "PythonCE1", "lib_adapter", "Recorder",
           "AdapterCannotStart", "parse_hex", "request_line"]


class Outcome:
    """Result of one call to an implementation.

    Exactly one of: success (``value`` set), a CE1 status (``status``, a
    status name), or a transport failure (``transport``: "timeout",
    "crashed", "garbage", "bad_answer", "out_of_step", "unusable";
    ``detail`` says more).
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
    #: True when requests can be sent as raw lines (:meth:`raw_request`):
    #: the request-level checks of conformance.md 3.4 apply.
    requests = False
    #: False where a salt is a fixed 32-byte array (the C ABI), so that a
    #: salt of another length cannot be passed at all.
    salt_any_length = True

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

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


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
        self._derived: collections.OrderedDict = collections.OrderedDict()

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
        k = (mode, key, salt)
        hit = self._derived.get(k)
        if hit is None:
            try:
                d = self._ce.derive(self._ce.Config(mode, key=key, salt=salt))
                hit = Outcome((d.enc_key, d.iv_base, d.check))
            except self._ce.Error as e:
                hit = Outcome(status=e.status)
            self._derived[k] = hit   # GCM2: 100,000 PBKDF2 iterations once
            if len(self._derived) > 128:
                self._derived.popitem(last=False)
        return hit


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

_PN_MASK = 0xFFFFFFFFFFFFFFFF
#: Success member of each op's answer (conformance.md section 3.3).
ANSWER_FIELD = {"protect": "frame", "unprotect": "payload", "derive": "enc_key"}


class AdapterCannotStart(Exception):
    """The adapter never answered: its command cannot be run, or every
    process exits before answering anything. The run cannot go on."""


def parse_hex(v) -> bytes:
    """The bytes of a hex string of conformance.md section 3.2: an even
    number of hex digits in either case and nothing else. ValueError for
    anything else, including the separators and whitespace that
    ``bytes.fromhex`` accepts."""
    if not isinstance(v, str):
        raise ValueError("not a string")
    b = bytes.fromhex(v)          # ValueError: odd length, a non-digit
    if 2 * len(b) != len(v):      # fromhex skipped whitespace
        raise ValueError("whitespace between the digits")
    return b


def _hex_field(ans: dict, name: str, nullable: bool = False):
    v = ans.get(name, ...)
    if v is ...:
        raise ValueError(f'answer has no "{name}" member')
    if v is None and nullable:
        return None
    if not isinstance(v, str):
        raise ValueError(f'"{name}" is a {_json_type(v)}, not a hex string')
    try:
        return parse_hex(v)
    except ValueError as e:
        raise ValueError(f'"{name}" is not a hex string ({e}; conformance.md '
                         '3.2: hex digits only, two per byte, no separators '
                         'or whitespace)') from None


def _json_type(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "string"


def _short(data: bytes | str, n: int = 120) -> str:
    s = data if isinstance(data, str) else data.decode("utf-8", "replace")
    s = s.rstrip("\n")
    return s if len(s) <= n else s[:n] + f"... ({len(s)} chars)"


def request_line(op: str, mode: int, key: bytes, salt: bytes, pn: int = 0,
                 data: bytes = b"") -> bytes:
    """The JSON line (without its newline) of a well-formed request:
    ``data`` is the payload of a protect, the frame of an unprotect."""
    req = {"op": op, "mode": mode, "key": key.hex(), "salt": salt.hex()}
    if op == "protect":
        req["pn"] = f"{pn & _PN_MASK:016x}"
        req["payload"] = data.hex()
    elif op == "unprotect":
        req["frame"] = data.hex()
    return json.dumps(req, separators=(",", ":")).encode()


def line_op(line: bytes) -> str | None:
    """The op a request line names when it is a JSON object whose "op" is
    one of the three operations; None otherwise."""
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    op = obj.get("op") if isinstance(obj, dict) else None
    return op if isinstance(op, str) and op in ANSWER_FIELD else None


def _load_object(line: bytes):
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


def _answers(obj: dict) -> str | None:
    """The op whose well-formed success answer ``obj`` is, "error" for an
    error answer, None for neither."""
    if "error" in obj:
        return "error"
    for op, field in ANSWER_FIELD.items():
        if field in obj:
            try:
                _hex_field(obj, field)
            except ValueError:
                return None
            return op
    return None


def _fits(line: bytes, op: str | None) -> bool:
    """Whether a line can be the answer to a request of ``op`` (None: a
    request whose op is unknown, which any JSON object may answer)."""
    obj = _load_object(line)
    if obj is None:
        return False
    return op is None or "error" in obj or ANSWER_FIELD[op] in obj


def head_tail(text: str, head: int = 5, tail: int = 3, width: int = 200,
              omitted: int = 0) -> str:
    """The first ``head`` and the last ``tail`` non-blank lines of
    ``text``, joined with " | " (a crash's message is usually at the top
    of its output, where it names the file and line, and its end at the
    bottom)."""
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
    lines = [ln if len(ln) <= width else ln[:width] + "..." for ln in lines]
    if len(lines) > head + tail:
        omitted += len(lines) - head - tail
        lines = lines[:head] + lines[-tail:]
    if omitted:
        lines.insert(min(head, len(lines)), f"[{omitted} more lines]")
    return " | ".join(lines)


class ProcessAdapter(Implementation):
    """A CE1 implementation behind the JSON-lines protocol of
    conformance.md section 3.

    Every request waits at most ``timeout`` seconds for its answer. An
    adapter that times out or dies is killed; the case fails and the next
    request starts a fresh process. After ``give_up`` consecutive timeouts
    (or ten times as many consecutive transport failures of any kind) the
    adapter is declared unusable and the remaining requests fail at once,
    so a hanging adapter cannot stall the run.

    Answers must stay in step with requests (one line each, in order).
    The adapter's output is watched for lines that are no answer: a line a
    fresh process writes before its first answer (a banner) is recognised
    and skipped; output between an answer and the next request, or an
    answer that fits another operation than its request's, is reported and
    the process restarted, so that one stray line cannot shift every later
    answer. :meth:`protocol_events` lists what was seen, once per kind.

    :class:`AdapterCannotStart` is raised when the command cannot be run,
    or when every process exits before answering anything.
    """

    kind = "adapter"
    #: Request-level checks apply (malformed requests, conformance.md 3.4).
    requests = True

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
        self._stderr_mark = 0
        self._rbuf = b""
        self._fresh = False
        self._consecutive = 0
        self._timeouts = 0
        self.unusable = None  # reason once given up
        self.restarts = 0
        self.requests_sent = 0
        self.answers = 0      # JSON objects received, over all processes
        self.has_derive = None
        self.banner = None    # the line each fresh process writes first
        self._banner_count = 0
        self._probed = False
        self._events: dict = {}

    # ---- process management ---------------------------------------------

    def _start(self) -> None:
        self._stderr = tempfile.TemporaryFile()
        self._stderr_mark = 0
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, bufsize=0, env=self.env,
            start_new_session=True)
        os.set_blocking(self.proc.stdin.fileno(), False)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self._rbuf = b""
        self._fresh = True

    def _stderr_excerpt(self) -> str:
        """What the process wrote to stderr while the current request ran
        (all of it when that is nothing): its first and its last lines."""
        f = self._stderr
        if f is None:
            return ""
        try:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            start = self._stderr_mark if self._stderr_mark < size else 0
            span = 1 << 14
            if size - start <= 4 * span:
                f.seek(start)
                return head_tail(f.read().decode("utf-8", "replace"))
            f.seek(start)
            first = f.read(span).decode("utf-8", "replace")
            f.seek(size - span)
            last = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        # cut at line ends: partial lines would mislead
        first = first[:first.rfind("\n") + 1] or first
        last = last[last.find("\n") + 1:] or last
        return " | ".join(x for x in (head_tail(first, tail=0),
                                      "[more lines]",
                                      head_tail(last, head=0)) if x)

    def _kill(self) -> None:
        p, self.proc = self.proc, None
        self._fresh = False
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

    # ---- protocol events ---------------------------------------------------

    def _note(self, kind: str, detail: str) -> None:
        ev = self._events.get(kind)
        if ev is None:
            self._events[kind] = [1, detail]
        else:
            ev[0] += 1

    def protocol_events(self) -> list:
        """(kind, count, detail of the first occurrence) of every way the
        adapter's output got out of step with its requests: "banner" (a
        fresh process writes a line before its first answer; the runner
        skips it), "extra_output" (lines beyond one answer per request),
        "out_of_step" (an answer that fits another request)."""
        events = [(k, n, d) for k, (n, d) in self._events.items()]
        if self.banner is not None:
            events.insert(0, ("banner", self._banner_count, _short(self.banner)))
        return events

    # ---- one request -------------------------------------------------------

    def _io(self, out: bytes, deadline: float) -> tuple:
        """Writes ``out`` (may be empty) and returns the next line of
        output: (line, None, "") or (None, transport error, detail)."""
        p = self.proc
        out = memoryview(out)
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
                            err = self._stderr_excerpt()
                            return None, "crashed", (f"adapter {how} before answering"
                                                     + (f"; stderr: {err}" if err else ""))
                        self._rbuf += chunk
        finally:
            sel.close()

    def _pending_output(self) -> bytes:
        """Output the live process wrote since its last answer (it should
        have written nothing)."""
        got = self._rbuf
        fd = self.proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                break
            except OSError:
                break
            if not chunk:     # end of output: the request will say so
                break
            got += chunk
        self._rbuf = got
        return got

    def _exchange(self, line: bytes, op: str | None) -> tuple:
        """Sends a line and returns (answer line, None, "") or (None,
        transport error, detail)."""
        if self.proc is not None and self._pending_output():
            self._note("extra_output", (
                f"{_short(self._rbuf, 80)!r} arrived after the answer to "
                "an earlier request"))
            self._kill()
        if self.proc is None:
            try:
                self._start()
            except OSError as e:
                return None, "unusable", f"cannot run {self.argv[0]!r}: {e}"
            if self.requests_sent > 1:
                self.restarts += 1
        fresh, self._fresh = self._fresh, False
        if self._stderr is not None:
            try:
                self._stderr_mark = os.fstat(self._stderr.fileno()).st_size
            except OSError:
                pass
        deadline = time.monotonic() + self.timeout
        ans, err, detail = self._io(line + b"\n", deadline)
        if err is not None or not fresh or _fits(ans, op):
            return ans, err, detail
        # The first line of a fresh process is no answer to its first
        # request: a banner, when an answer follows (within the request's
        # timeout: the first request may take long, GCM2 runs PBKDF2).
        ans2, err2, detail2 = self._io(b"", deadline)
        if ans2 is not None and _fits(ans2, op):
            if self.banner is None:
                self.banner = ans
                self._banner_count = 0
            self._banner_count += 1
            return ans2, None, ""
        if err2 == "crashed":
            return None, err2, f"{detail2}; its only output: {_short(ans)!r}"
        if ans2 is not None:
            self._rbuf = ans2 + b"\n" + self._rbuf
        return ans, None, ""

    def request(self, line: bytes, op: str | None = None,
                step_check: bool = True) -> tuple:
        """Sends one request line (without newline) of operation ``op``;
        returns (answer object, None) or (None, a failed Outcome).
        ``step_check``: an answer that fits another operation means the
        answers are out of step (not for requests the runner built
        malformed on purpose)."""
        if self.unusable:
            return None, Outcome(transport="unusable", detail=self.unusable)
        self.requests_sent += 1
        ans, err, detail = self._exchange(line, op)
        if err is not None:
            # No answer: the process is dead or stuck. Kill it; the next
            # request starts a fresh one.
            self._kill()
            if self.answers == 0 and err in ("unusable", "crashed"):
                self._cannot_start(err, detail)
            self._consecutive += 1
            self._timeouts = self._timeouts + 1 if err == "timeout" else 0
            if (err == "unusable" or self._timeouts >= self.give_up
                    or self._consecutive >= 10 * self.give_up):
                self.unusable = (f"gave up after {self._consecutive} consecutive "
                                 f"failures; last: {err}: {detail}")
            return None, Outcome(transport=err, detail=detail)
        self._consecutive = self._timeouts = 0
        if self._rbuf:
            # More than one line for one request. When the first is no
            # answer and a later one is, the later one is the answer.
            extra = self._rbuf.split(b"\n")
            if not _fits(ans, op):
                for i, later in enumerate(extra[:-1]):
                    if _fits(later, op):
                        ans, extra = later, [ans] + extra[:i] + extra[i + 1:]
                        break
            self._note("extra_output", (
                f"{_short(b' / '.join(x for x in extra if x), 80)!r} came with "
                "the answer to one request"))
            self._kill()
        obj = _load_object(ans)
        if obj is None:
            try:
                json.loads(ans)
                what = "not a JSON object"
            except (ValueError, UnicodeDecodeError, RecursionError) as e:
                what = f"not JSON ({e})"
            return None, Outcome(transport="garbage",
                                 detail=f"answer is {what}: {_short(ans)!r}")
        self.answers += 1
        if (step_check and op is not None and "error" not in obj
                and ANSWER_FIELD[op] not in obj):
            other = _answers(obj)
            if other not in (None, "error", op):
                self._kill()
                what = (f"{'an' if op[0] == 'u' else 'a'} {op} request got an answer with "
                        f"\"{ANSWER_FIELD[other]}\", which answers {other}")
                self._note("out_of_step", (
                    f"{what}: the adapter's answers are out of step with the "
                    "requests (it wrote a line that answered no request), or "
                    "it names the answer's member wrongly (conformance.md "
                    "3.3); the adapter was restarted"))
                return None, Outcome(transport="out_of_step", detail=(
                    f"{what}: answers out of step with requests; adapter "
                    "restarted"))
        return obj, None

    def _cannot_start(self, err: str, detail: str) -> None:
        """Called when no process has answered anything yet and the last
        one could not be run or exited. Raises AdapterCannotStart unless a
        plain request gets an answer (the first request may have been
        what made it exit)."""
        if err != "crashed":
            raise AdapterCannotStart(detail)
        if not self._probed:
            self._probed = True
            probe = request_line("protect", 2, b"0123456789abcdef",
                                 bytes(range(32)), 0, b"")
            ans, err, _ = self._exchange(probe, "protect")
            if err is None and _load_object(ans) is not None:
                self.answers += 1
                return
            self._kill()
            detail += " (and so it did on a plain protect request)"
        raise AdapterCannotStart(f"{self.command}: {detail}")

    # ---- CE1 operations ----------------------------------------------------

    def _outcome(self, ans: dict, op: str | None) -> Outcome:
        """The Outcome of an answer object to a request of ``op``."""
        if "error" in ans:
            st = ans["error"]
            if not isinstance(st, str):
                return Outcome(transport="bad_answer",
                               detail=f'"error" is not a string: {_short(json.dumps(ans))}')
            return Outcome(status=st, buffer_modified=bool(ans.get("out_modified")))
        try:
            if op == "derive":
                enc_key = _hex_field(ans, "enc_key")
                iv_base = _hex_field(ans, "iv_base", nullable=True)
                check = _hex_field(ans, "check")
                if len(check) != 1:
                    raise ValueError('"check" is not one byte')
                return Outcome((enc_key, iv_base, check[0]))
            if op in ANSWER_FIELD:
                return Outcome(_hex_field(ans, ANSWER_FIELD[op]))
        except ValueError as e:
            return Outcome(transport="bad_answer", detail=f"{e}: {_short(json.dumps(ans))}")
        return Outcome(f"answer {_short(json.dumps(ans))}")

    def _call(self, op: str, line: bytes) -> Outcome:
        ans, fail = self.request(line, op)
        return fail if fail else self._outcome(ans, op)

    def protect(self, mode, key, salt, pn, payload):
        return self._call("protect", request_line("protect", mode, key, salt, pn, payload))

    def unprotect(self, mode, key, salt, frame):
        return self._call("unprotect", request_line("unprotect", mode, key, salt, data=frame))

    def derive(self, mode, key, salt):
        if self.has_derive is False:
            return Outcome(status="UNSUPPORTED_OP")
        out = self._call("derive", request_line("derive", mode, key, salt))
        if out.status == "UNSUPPORTED_OP":
            self.has_derive = False
        elif out.ok:
            self.has_derive = True
        return out

    def raw_request(self, line: bytes) -> Outcome:
        """Sends any line (one the runner made malformed on purpose, say)
        and returns the answer as an Outcome; a success answer is read as
        the answer to the op the line names, if any."""
        op = line_op(line)
        ans, fail = self.request(line, op, step_check=False)
        return fail if fail else self._outcome(ans, op)


def lib_adapter(path: str, timeout: float = 10.0) -> ProcessAdapter:
    """A shared-library implementation (C ABI) run in a worker process that
    serves it over JSON lines (:mod:`chanenc.conform.libserve`)."""
    server = os.path.join(os.path.dirname(os.path.abspath(__file__)), "libserve.py")
    ad = ProcessAdapter([sys.executable, server, os.path.abspath(path)],
                        timeout=timeout,
                        label=f"shared library (C ABI, worker process): {path}")
    ad.kind = "lib"
    ad.lib_path = path
    ad.has_derive = False
    # The worker's request parsing is the runner's, not the library's; and
    # the C ABI's salt is salt[32].
    ad.requests = False
    ad.salt_any_length = False
    return ad


class InProcessLib(Implementation):
    """A shared-library implementation loaded into the runner with ctypes
    (faster; a crash of the library ends the runner)."""

    kind = "lib"
    salt_any_length = False
    has_derive = False

    def __init__(self, path: str) -> None:
        self._lib = LibImpl(path)
        self.lib_path = path
        self.description = f"shared library (C ABI, in process): {path}"

    def protect(self, mode, key, salt, pn, payload):
        st, out, mod = self._lib.protect(mode, key, salt, pn, payload)
        return Outcome(out) if st is None else Outcome(status=st, buffer_modified=mod)

    def unprotect(self, mode, key, salt, frame):
        st, out, mod = self._lib.unprotect(mode, key, salt, frame)
        return Outcome(out) if st is None else Outcome(status=st, buffer_modified=mod)


# --------------------------------------------------------------------------
# Recording the requests of a check
# --------------------------------------------------------------------------

class Recorder:
    """Wraps an implementation (any attribute not defined here is the
    wrapped one's) and keeps the calls made through it, so that a failed
    check can show its requests in full: as the JSON lines of
    conformance.md section 3 that a process adapter is (or would be)
    sent, whatever the implementation. Recording costs nothing until
    :meth:`take` formats the calls."""

    def __init__(self, impl) -> None:
        self.impl = impl
        self._calls: list = []

    def __getattr__(self, name):
        return getattr(self.impl, name)

    def protect(self, mode, key, salt, pn, payload):
        self._calls.append(("protect", mode, key, salt, pn, payload))
        return self.impl.protect(mode, key, salt, pn, payload)

    def unprotect(self, mode, key, salt, frame):
        self._calls.append(("unprotect", mode, key, salt, 0, frame))
        return self.impl.unprotect(mode, key, salt, frame)

    def derive(self, mode, key, salt):
        if getattr(self.impl, "has_derive", None) is not False:
            self._calls.append(("derive", mode, key, salt, 0, b""))
        return self.impl.derive(mode, key, salt)

    def raw_request(self, line: bytes):
        self._calls.append(("raw", line))
        return self.impl.raw_request(line)

    def clear(self) -> None:
        self._calls = []

    def take(self) -> list:
        """The request lines (str, no newline) recorded since the last
        take or clear, and forget them. Bytes of a line that are not
        UTF-8 (sent so on purpose) appear as \\xNN escapes."""
        calls, self._calls = self._calls, []
        return [c[1].decode("utf-8", "backslashreplace") if c[0] == "raw"
                else request_line(*c).decode() for c in calls]
