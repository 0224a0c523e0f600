"""Diagnosis: the likely cause of every mismatch.

A failed check is turned into an :class:`Observation` (the call that
failed, as its request line has it, and the implementation's actual
answer). The generic :class:`Engine` replays it through *variants*, each a
named deviation from the spec, and keeps those that reproduce the actual
answer exactly while the spec gives something else: "try variants, first
exact match wins". Over the failures of one file and mode it picks, by a
greedy cover, the variant that explains the most of them (ties: catalogue
order), then the next for the rest, so that one root cause gives one name;
the failures nothing explains are said to be unexplained, together with
what can be established (header identical, derived keys identical per
the derive op, only the tag differs...).

The engine knows nothing about CE1: a variant is anything with ``name``,
``phrase``, ``section``, and the engine takes ``evaluate(variant, obs)``
(the variant's outcome, or :data:`NOT_APPLICABLE`) and ``spec(obs)``
(the spec's outcome). The CE1 catalogue is
:data:`chanenc.conform.pyce1.DEVIATIONS`; the primitive layer or SFrame
can plug in their own.

The primitive layer is diagnosed differently (:func:`diagnose_primitives`):
its failures are not replayed but characterised, by what the failing
vectors of a primitive have in common that the passing ones do not (data
lengths 17..31, an output length over 32, the tag cut short...), and
linked to the CE1 modes that use the primitive (:data:`MODE_PRIMITIVES`,
from docs/spec.md): when such a mode's frame checks fail too, the summary
says that they likely follow from the primitive failure.

The cost is bounded: only ``sample`` failures per file and mode are
replayed (the runner's ``--diagnose-sample N``, default 20); the rest of a
file and mode are attributed by that sample when it is explained by one
deviation, and said to be unexamined otherwise. A run without failures
does no work at all.
"""

from __future__ import annotations

import collections
import json
from dataclasses import dataclass, field

__all__ = ["Engine", "Observation", "Diagnosis", "NOT_APPLICABLE",
           "observation", "diagnose_failures", "summary_lines",
           "summary_map", "DEFAULT_SAMPLE", "CE1Diagnoser",
           "diagnose_primitives", "primitive_summary_lines",
           "PrimitiveFinding", "MODE_PRIMITIVES", "characterise",
           "PrimDiagnoser", "PrimObservation", "prim_observation",
           "catalogue", "SFrameDiagnoser", "SFrameObservation",
           "sframe_observation", "diagnose_sframe"]

DEFAULT_SAMPLE = 20
NOT_APPLICABLE = object()

#: Failure kinds that carry an answer to compare (the rest are transport
#: faults, request-shape checks and the like).
_COMPARABLE = {"frame_mismatch", "payload_mismatch", "derive_mismatch",
               "wrong_status", "missing_error", "unexpected_error"}


@dataclass
class Observation:
    """One failed call: ``op`` (protect, unprotect, derive), its inputs,
    and ``actual``: ("ok", bytes), ("status", name) or, for derive,
    ("derive", field, bytes)."""

    op: str
    mode: int
    key: bytes
    salt: bytes
    pn: int
    data: bytes
    actual: tuple


@dataclass
class Diagnosis:
    """The verdict on one failure. ``basis``: "exact" (replayed: the
    deviation reproduces the answer), "sample" (not replayed; its file
    and mode's sample is explained by the deviation), "unexplained"
    (replayed, nothing reproduces it), "not_examined" (beyond the sample
    of a file and mode that is not explained by one deviation),
    "not_comparable" (no answer to compare: a timeout, a request check),
    "primitive" (a primitive vector's failure, characterised with the
    others of its primitive: :func:`diagnose_primitives`), "consistent"
    (a refusal, a status, that named deviations also give: ``candidates``
    names them; a status alone does not tell a deviation from any other
    fault that refuses, so it is never "exact" and no deviation is
    credited with it)."""

    basis: str
    deviation: str | None = None
    text: str = ""
    established: list = field(default_factory=list)
    candidates: list = field(default_factory=list)

    def to_dict(self) -> dict:
        d = {"deviation": self.deviation, "basis": self.basis,
             "text": self.text, "established": list(self.established)}
        if self.candidates:
            d["candidates"] = list(self.candidates)
        return d


# --------------------------------------------------------------------------
# The generic engine
# --------------------------------------------------------------------------

class Engine:
    """Try variants, first exact match wins.

    ``variants``: ordered; ``evaluate(variant, obs)``: the variant's
    outcome for the observation (comparable with ``obs.actual``) or
    NOT_APPLICABLE; ``spec(obs)``: the spec's outcome. A variant explains
    an observation when its outcome equals the actual one and differs
    from the spec's (so a variant never explains correct output)."""

    def __init__(self, variants, evaluate, spec) -> None:
        self.variants = list(variants)
        self.evaluate, self.spec = evaluate, spec

    def matches(self, obs, actual, variants=None) -> list:
        """Every variant (in order) that explains ``obs``."""
        want = self.spec(obs)
        if want == actual:
            return []
        out = []
        for v in (self.variants if variants is None else variants):
            try:
                got = self.evaluate(v, obs)
            except Exception:       # a variant that cannot run this case
                continue
            if got is not NOT_APPLICABLE and got == actual and got != want:
                out.append(v)
        return out

    def first(self, obs, actual):
        """The first variant that explains ``obs``, or None."""
        want = self.spec(obs)
        if want == actual:
            return None
        for v in self.variants:
            try:
                got = self.evaluate(v, obs)
            except Exception:
                continue
            if got is not NOT_APPLICABLE and got == actual and got != want:
                return v
        return None

    @staticmethod
    def cover(match_sets: list, weight=None) -> list:
        """Greedy cover: for each index, the variant assigned (or None).
        The variant explaining most still-unassigned items is taken first;
        ties go to the one with the higher ``weight`` (a dict: name ->
        number, e.g. the wrong answers it reproduces elsewhere in the run),
        then to the earlier (catalogue order)."""
        weight = weight or {}
        assigned = [None] * len(match_sets)
        left = {i for i, m in enumerate(match_sets) if m}
        while left:
            count = collections.Counter()
            order = {}
            for i in left:
                for rank, v in enumerate(match_sets[i]):
                    count[v.name] += 1
                    order.setdefault(v.name, (rank, v))
            if not count:
                break
            best = max(count, key=lambda n: (count[n], weight.get(n, 0),
                                             -_rank(n, match_sets)))
            for i in list(left):
                for v in match_sets[i]:
                    if v.name == best:
                        assigned[i] = v
                        left.discard(i)
                        break
        return assigned


def _rank(name, match_sets):
    # Catalogue order is the order within any match set (all are ordered
    # alike); the position in the first set that holds the name.
    for m in match_sets:
        for k, v in enumerate(m):
            if v.name == name:
                return getattr(v, "order", k)
    return 1 << 30


# --------------------------------------------------------------------------
# CE1
# --------------------------------------------------------------------------

def observation(case, failure, requests):
    """The :class:`Observation` of a failed CE1 check, or None when it has
    no answer to compare or its call cannot be told from its requests."""
    if failure.kind not in _COMPARABLE or case.mode is None:
        return None
    want_op = (failure.extra or {}).get("operation")
    req = None
    for line in reversed(list(requests)):
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if not isinstance(obj, dict) or obj.get("op") not in (
                "protect", "unprotect", "derive"):
            continue
        if want_op and obj["op"] != want_op:
            continue
        req = obj
        break
    if req is None:
        return None
    try:
        op, mode = req["op"], req["mode"]
        key, salt = bytes.fromhex(req["key"]), bytes.fromhex(req["salt"])
        pn = int(req.get("pn") or "0", 16)
        data = bytes.fromhex(req.get("payload") or req.get("frame") or "")
    except (KeyError, ValueError, TypeError):
        return None
    if type(mode) is not int:
        return None
    a = failure.actual
    if failure.kind == "derive_mismatch":
        fld = failure.extra.get("field")
        actual = ("derive", fld, bytes(a)) if fld and isinstance(a, (bytes, bytearray)) else None
    elif isinstance(a, (bytes, bytearray)):
        actual = ("ok", bytes(a))
    elif isinstance(a, str):
        actual = ("status", a)
    else:
        actual = None
    if actual is None or (op == "derive") != (actual[0] == "derive") and \
            actual[0] != "status":
        return None
    return Observation(op, mode, key, salt, pn, data, actual)


def _outcome(impl, obs: Observation, field_name=None):
    from .pyce1 import CE1Error
    try:
        if obs.op == "protect":
            return ("ok", impl.protect(obs.mode, obs.key, obs.salt, obs.pn, obs.data))
        if obs.op == "unprotect":
            return ("ok", impl.unprotect(obs.mode, obs.key, obs.salt, obs.data))
        d = impl.derive(obs.mode, obs.key, obs.salt)
    except CE1Error as e:
        return ("status", e.status)
    if field_name is None:
        return ("derive", None, d)
    i = ("enc_key", "iv_base", "check").index(field_name)
    v = d[i]
    return ("derive", field_name, bytes([v]) if field_name == "check"
            else (v or b""))


class CE1Diagnoser:
    """The CE1 catalogue on the generic engine. ``impl``: the
    implementation under test, asked for derive when a failure is
    unexplained (None: not asked)."""

    def __init__(self, impl=None, deviations=None) -> None:
        from .pyce1 import DEVIATIONS, PyCE1
        devs = [d for d in DEVIATIONS.values() if d.diagnostic] \
            if deviations is None else [DEVIATIONS[n] for n in deviations]
        self._impls = {d.name: PyCE1({d.name}) for d in devs}
        self._order = {d.name: i for i, d in enumerate(devs)}
        self._spec = PyCE1()
        self.impl = impl
        self._derived: dict = {}
        self.engine = Engine([_Ordered(d, i) for i, d in enumerate(devs)],
                             self._evaluate, self._spec_outcome)

    def _field(self, obs):
        return obs.actual[1] if obs.actual[0] == "derive" else None

    def _evaluate(self, v, obs):
        if obs.mode not in v.modes:
            return NOT_APPLICABLE
        return _outcome(self._impls[v.name], obs, self._field(obs))

    def _spec_outcome(self, obs):
        return _outcome(self._spec, obs, self._field(obs))

    def matches(self, obs) -> list:
        return self.engine.matches(obs, obs.actual)

    def first(self, obs):
        return self.engine.first(obs, obs.actual)

    # ---- what is established when nothing explains a failure ----------------

    def established(self, obs) -> list:
        spec = self._spec_outcome(obs)
        act = obs.actual
        out = []
        if act[0] == "status" and spec[0] == "status":
            return [f"the spec's status is {spec[1]}, yours {act[1]}; no "
                    "catalogued deviation reports "
                    f"{act[1]} here"]
        if act[0] != spec[0]:
            what = spec[1] if spec[0] == "status" else "success"
            yours = act[1] if act[0] == "status" else "success"
            out.append(f"the spec answers {what}, you answered {yours}")
        elif obs.op == "protect" and act[0] == "ok":
            out += self._frame_facts(obs, spec[1], act[1])
        elif act[0] == "ok":
            e, a = spec[1], act[1]
            out.append("payload length identical" if len(e) == len(a)
                       else f"payload length {len(a)}, spec {len(e)}")
        if obs.op in ("protect", "unprotect") and (
                act[0] != "status" or act[1] != "NOT_SUPPORTED"):
            out += self._derive_facts(obs)
        return out

    def _frame_facts(self, obs, e: bytes, a: bytes) -> list:
        fam = {1: "xts", 3: "xts", 2: "ecb", 4: "ecb"}.get(obs.mode, "gcm")
        hl = 2 if fam == "ecb" else 10
        facts = []
        if len(e) != len(a):
            facts.append(f"frame length {len(a)}, spec {len(e)}")
        if e[:hl] == a[:hl]:
            facts.append("header identical")
        else:
            parts = [n for n, sl in (("flags", slice(0, 1)),
                                     ("check byte", slice(1, 2)),
                                     ("packet number", slice(2, hl)))
                     if e[sl] != a[sl]]
            facts.append("header differs in: " + ", ".join(parts))
            if "check byte" in parts:
                facts.append("a different check byte: the key schedule "
                             "differs (spec 4)")
        if fam == "gcm" and len(e) == len(a) and e[hl:-16] == a[hl:-16] \
                and e[-16:] != a[-16:]:
            facts.append("ciphertext identical, the tag only differs: "
                         "associated data or tag computation (spec 6.3)")
        return facts

    def _derive_facts(self, obs) -> list:
        impl = self.impl
        if impl is None or getattr(impl, "has_derive", None) is False:
            return []
        k = (obs.mode, obs.key, obs.salt)
        if k not in self._derived:
            try:
                self._derived[k] = impl.derive(*k)
            except Exception:
                self._derived[k] = None
        got = self._derived[k]
        if got is None or not getattr(got, "ok", False):
            return []
        from .pyce1 import CE1Error
        try:
            want = self._spec.derive(*k)
        except CE1Error:
            return []
        bad = [n for n, x, y in zip(("enc_key", "iv_base", "check"), want,
                                    got.value) if x != y]
        if not bad:
            return ["derived keys identical per the derive op, so the fault "
                    "is in the frame (spec 5, 6)"]
        return [f"the derive op gives a different {', '.join(bad)}: the fault "
                "is in the key schedule (spec 3, 4)"]


class _Ordered:
    """A Deviation with its catalogue position (for the greedy cover)."""

    def __init__(self, d, order) -> None:
        self.d, self.order = d, order
        self.name, self.phrase, self.section = d.name, d.phrase, d.section
        self.modes = getattr(d, "modes", None)
        self.ops = getattr(d, "ops", None)
        self.suites = getattr(d, "suites", None)
        self.cite = getattr(d, "cite", None) or f"spec section {d.section}"


# --------------------------------------------------------------------------
# The primitive layer's catalogue (chanenc.conform.pyprim)
# --------------------------------------------------------------------------

@dataclass
class PrimObservation:
    """One failed primitive call: ``op``, its request members ``fields``
    (bytes; int for tag_len, length, iterations), ``actual`` (("ok",
    member or None for the joined answer, bytes) or ("status", name)) and
    the vector's ``expected`` answer as the failure has it."""

    op: str
    fields: dict
    actual: tuple
    expected: object = None


def prim_observation(case, failure, requests):
    """The :class:`PrimObservation` of a failed primitive check, or None
    when it has no answer to compare (a transport fault, a capability
    check) or its request cannot be read back."""
    from .impls import INT_MEMBERS, PRIMITIVE_OPS
    extra = failure.extra or {}
    op = extra.get("operation")
    if op not in PRIMITIVE_OPS or failure.kind not in (
            "output_mismatch", "missing_error", "wrong_status",
            "unexpected_error"):
        return None
    req = None
    for line in reversed(list(requests)):
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("op") == op:
            req = obj
            break
    if req is None:
        return None
    fields = {}
    try:
        for name in PRIMITIVE_OPS[op][0]:
            v = req[name]
            fields[name] = v if name in INT_MEMBERS else bytes.fromhex(v)
    except (KeyError, ValueError, TypeError):
        return None
    a = failure.actual
    if failure.kind == "output_mismatch":
        fld = extra.get("field")
        if not fld or not isinstance(a, (bytes, bytearray)):
            return None
        actual = ("ok", fld, bytes(a))
    elif failure.kind == "missing_error":
        if not isinstance(a, (bytes, bytearray)):
            return None
        actual = ("ok", None, bytes(a))
    elif isinstance(a, str):
        actual = ("status", a)
    else:
        return None
    return PrimObservation(op, fields, actual, failure.expected)


def _prim_outcome(impl, obs: PrimObservation):
    from .pyprim import ANSWER_MEMBERS, PrimError
    try:
        ans = impl.call(obs.op, obs.fields)
    except PrimError as e:
        return ("status", e.status)
    if obs.actual[0] == "ok" and obs.actual[1]:
        return ("ok", obs.actual[1], ans.get(obs.actual[1]))
    return ("ok", None, b"".join(ans[m] for m in ANSWER_MEMBERS[obs.op]))


class _ModelDiagnoser:
    """A catalogue on the generic engine, through one of the runner's own
    implementations (a *model*): a failed check is replayed with each
    deviation switched on, and the replay is trusted only where the model
    without deviation gives the check's expected answer (else the model
    does not cover the case and nothing is explained). Subclasses give
    the catalogue, the model, how to replay an observation
    (``_outcome``), where a deviation applies (``_applies``) and when the
    model's answer is the expected one (``_gives_expected``)."""

    def __init__(self, catalogue: dict, model, deviations=None) -> None:
        devs = [d for d in catalogue.values() if d.diagnostic] \
            if deviations is None else [catalogue[n] for n in deviations]
        self._impls = {d.name: model({d.name}) for d in devs}
        self._spec = model()
        self.engine = Engine([_Ordered(d, i) for i, d in enumerate(devs)],
                             self._evaluate, self._spec_outcome)

    def _evaluate(self, v, obs):
        if not self._applies(v, obs):
            return NOT_APPLICABLE
        return self._outcome(self._impls[v.name], obs)

    def _spec_outcome(self, obs):
        return self._outcome(self._spec, obs)

    def trusted(self, obs) -> bool:
        """Whether the model without deviation gives the expected answer."""
        try:
            want = self._spec_outcome(obs)
        except Exception:
            return False
        return self._gives_expected(want, obs.expected)

    def matches(self, obs) -> list:
        if not self.trusted(obs):
            return []
        return self.engine.matches(obs, obs.actual)

    def first(self, obs):
        return self.engine.first(obs, obs.actual) if self.trusted(obs) else None


class PrimDiagnoser(_ModelDiagnoser):
    """The primitive catalogue (:data:`chanenc.conform.pyprim.PRIM_DEVIATIONS`)
    replayed through the runner's own primitives
    (:class:`~chanenc.conform.pyprim.PyPrim`)."""

    def __init__(self, deviations=None) -> None:
        from .pyprim import PRIM_DEVIATIONS, PyPrim
        super().__init__(PRIM_DEVIATIONS, PyPrim, deviations)

    @staticmethod
    def _applies(v, obs) -> bool:
        return obs.op in v.ops

    @staticmethod
    def _outcome(impl, obs):
        return _prim_outcome(impl, obs)

    @staticmethod
    def _gives_expected(want, exp) -> bool:
        if want[0] == "status":
            return isinstance(exp, str) and (exp == want[1] or exp.startswith("any "))
        return isinstance(exp, (bytes, bytearray)) and want[2] == bytes(exp)


def catalogue() -> dict:
    """Every named deviation of every layer: name -> deviation (CE1's,
    the primitives', SFrame's)."""
    from .pyce1 import DEVIATIONS
    from .pyprim import PRIM_DEVIATIONS
    out = dict(DEVIATIONS)
    out.update(PRIM_DEVIATIONS)
    try:
        from .pysframe import SFRAME_DEVIATIONS
        out.update(SFRAME_DEVIATIONS)
    except ImportError:   # pragma: no cover
        pass
    return out


# --------------------------------------------------------------------------
# SFrame's catalogue (chanenc.conform.pysframe)
# --------------------------------------------------------------------------

#: Failure kinds of the SFrame layer with an answer to compare.
_SFRAME_COMPARABLE = {"frame_mismatch", "payload_mismatch", "wrong_status",
                      "missing_error", "unexpected_error"}


@dataclass
class SFrameObservation:
    """One failed SFrame check: ``op`` ("protect" or "unprotect"), its
    arguments ``args`` as the SFrame cases have them (protect: suite, kid,
    ctr, base_key, metadata, payload; unprotect: suite, keys, window,
    accepted, metadata, frame), ``actual`` (("ok", frame or payload) or
    ("status", name)) and the case's ``expected`` answer (bytes or a
    status name)."""

    op: str
    args: tuple
    actual: tuple
    expected: object = None

    @property
    def suite(self):
        return self.args[0]


def sframe_observation(failure, op=None, args=None):
    """The :class:`SFrameObservation` of a failed SFrame check, or None
    when it has no answer to compare (a transport fault, a KID or CTR
    that differs with the payload right). ``op``/``args``: the check's
    call; by default the failure's extra "_call" (set by
    sframe_runner.sframe_result)."""
    if op is None:
        call = (failure.extra or {}).get("_call")
        if not call:
            return None
        op, args = call
    if failure.kind not in _SFRAME_COMPARABLE or op not in ("protect", "unprotect"):
        return None
    a = failure.actual
    if isinstance(a, (bytes, bytearray)):
        actual = ("ok", bytes(a))
    elif isinstance(a, str):
        actual = ("status", a)
    else:
        return None
    e = failure.expected
    return SFrameObservation(op, tuple(args), actual,
                             bytes(e) if isinstance(e, (bytes, bytearray)) else e)


def _sframe_outcome(impl, obs: SFrameObservation):
    from .pysframe import SFrameError
    try:
        if obs.op == "protect":
            return ("ok", impl.protect(*obs.args))
        return ("ok", impl.unprotect(*obs.args)[0])
    except SFrameError as e:
        return ("status", e.status)


class SFrameDiagnoser(_ModelDiagnoser):
    """SFrame's catalogue (:data:`chanenc.conform.pysframe.SFRAME_DEVIATIONS`)
    replayed through the runner's own SFrame
    (:func:`~chanenc.conform.pysframe.PySFrame`)."""

    def __init__(self, deviations=None) -> None:
        from .pysframe import SFRAME_DEVIATIONS, PySFrame
        super().__init__(SFRAME_DEVIATIONS, PySFrame, deviations)

    @staticmethod
    def _applies(v, obs) -> bool:
        return obs.op in v.ops and obs.suite in v.suites

    @staticmethod
    def _outcome(impl, obs):
        return _sframe_outcome(impl, obs)

    @staticmethod
    def _gives_expected(want, exp) -> bool:
        if want[0] == "status":
            return want[1] == exp
        return isinstance(exp, bytes) and want[1] == exp

    def established(self, obs) -> list:
        """What can be said when no deviation reproduces the answer."""
        if not self.trusted(obs):
            return ["the runner's own SFrame does not give this case's expected "
                    "answer, so nothing was replayed"]
        spec, act = self._spec_outcome(obs), obs.actual
        if act[0] == "status" and spec[0] == "status":
            return [f"the expected status is {spec[1]}, yours {act[1]}; no "
                    f"catalogued deviation reports {act[1]} here"]
        if act[0] != spec[0]:
            what = spec[1] if spec[0] == "status" else "success"
            yours = act[1] if act[0] == "status" else "success"
            return [f"the expected answer is {what}, you answered {yours}"]
        if obs.op == "unprotect":
            e, a = spec[1], act[1]
            return ["payload length identical" if len(e) == len(a)
                    else f"payload length {len(a)}, expected {len(e)}"]
        from .pysframe import frame_facts
        return frame_facts(obs.args, spec[1], act[1])


def diagnose_sframe(items, sample: int = DEFAULT_SAMPLE) -> list:
    """A :class:`Diagnosis` for each of ``items`` ((group key,
    :class:`SFrameObservation` or None)), replaying at most ``sample`` per
    group: the SFrame runner's (sframe_runner) counterpart of
    :func:`diagnose_failures`."""
    out = [None] * len(items)
    groups, obs_of = collections.OrderedDict(), {}
    for i, (key, o) in enumerate(items):
        if o is None:
            out[i] = Diagnosis("not_comparable", text="no diagnosis: nothing "
                               "to compare")
            continue
        obs_of[i] = o
        groups.setdefault((key, o.op), []).append(i)
    if groups:
        _diagnose_groups(out, groups, obs_of, SFrameDiagnoser(), sample,
                         evidence=True)
    return out


# --------------------------------------------------------------------------
# A run's failures
# --------------------------------------------------------------------------

def _noun(obs) -> str:
    if isinstance(obs, PrimObservation):
        if obs.actual[0] == "status":
            return f"your answer ({obs.actual[1]})"
        return f"your {obs.actual[1]}" if obs.actual[1] else "your answer"
    if obs.actual[0] == "status":
        return f"your answer ({obs.actual[1]})"
    if obs.actual[0] == "derive":
        return f"your {obs.actual[1]}"
    return {"protect": "your frame", "unprotect": "your payload"}.get(
        obs.op, "your answer")


def _cite(v) -> str:
    return getattr(v, "cite", None) or f"spec section {v.section}"


def explained_text(obs, v) -> str:
    return (f"{_noun(obs)} equals the reference's with {v.phrase} "
            f"({_cite(v)}) [{v.name}]")


def _spread(items: list, n: int) -> list:
    """``n`` items spread evenly over ``items`` (all when fewer)."""
    if len(items) <= n:
        return list(items)
    return [items[(i * len(items)) // n] for i in range(n)]


def diagnose_failures(failures, impl=None, sample: int = DEFAULT_SAMPLE,
                      diagnoser: CE1Diagnoser | None = None) -> list:
    """A :class:`Diagnosis` for each of ``failures`` ((case, Failure,
    request lines), as the runner keeps them), replaying at most
    ``sample`` per file and mode."""
    out = [None] * len(failures)
    if not failures:
        return out
    dx = diagnoser or CE1Diagnoser(impl)
    groups = collections.OrderedDict()
    pgroups = collections.OrderedDict()
    sgroups = collections.OrderedDict()
    obs_of = {}
    for i, (case, fl, reqs) in enumerate(failures):
        if getattr(case, "layer", None) == "sframe":
            so = sframe_observation(fl)
            if so is None:
                out[i] = Diagnosis("not_comparable", text=(
                    "no diagnosis: nothing to compare (" + str(fl.kind) + ")"))
                continue
            obs_of[i] = so
            sgroups.setdefault((case.file, case.algo, so.op), []).append(i)
            continue
        if getattr(case, "primitive", False):
            po = prim_observation(case, fl, reqs)
            if po is None:
                out[i] = Diagnosis("primitive", text=_PRIM_PLACEHOLDER)
                continue
            obs_of[i] = po
            pgroups.setdefault((case.file, case.algo, po.op), []).append(i)
            continue
        if getattr(case, "op", None) == "request":
            # A request-handling check (conformance.md 3.2-3.4): replaying
            # a malformed request through the catalogue would read it
            # leniently and blame the frame.
            out[i] = Diagnosis("not_comparable", text=(
                "no diagnosis: a request check (" + str(fl.kind) + "), "
                "about how the adapter reads requests (conformance.md 3.2 "
                "to 3.4), not about CE1's computations"))
            continue
        o = observation(case, fl, reqs) if case.mode is not None else None
        if o is None:
            out[i] = Diagnosis("not_comparable", text=(
                "no diagnosis: nothing to compare (" + str(fl.kind) + ")"))
            continue
        obs_of[i] = o
        groups.setdefault((case.file, case.algo), []).append(i)
    if pgroups:
        _diagnose_groups(out, pgroups, obs_of, PrimDiagnoser(), sample,
                         primitive=True)
    if sgroups:
        _diagnose_groups(out, sgroups, obs_of, SFrameDiagnoser(), sample,
                         evidence=True)
    _diagnose_groups(out, groups, obs_of, dx, sample)
    return out


_PRIM_PLACEHOLDER = ("a primitive vector: characterised with the others of its "
                     "primitive by diagnose_primitives (the runner's summary)")


def _names(vs, limit: int = 4) -> str:
    names = [v.name for v in vs]
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" (and {len(names) - limit} more)"
    return ", ".join(names)


def consistent_text(obs, vs) -> str:
    """The diagnosis text of a status that the deviations ``vs`` give
    too."""
    return (f"consistent with {_names(vs)}: {_noun(obs)} is what "
            f"{'it gives' if len(vs) == 1 else 'each of them gives'} here, "
            "but a status alone does not tell a deviation from any other "
            "fault that gives it (not reproduced exactly)")


def _refusal(dx, obs) -> bool:
    """Whether ``obs`` is a status (a refusal, or another status than the
    spec's): every deviation that spoils a tag, a key or a header gives
    the same AUTH_FAILED (or MALFORMED...) there, so a deviation that
    does is only consistent with it, never reproduces it exactly."""
    return obs.actual[0] == "status"


def _diagnose_groups(out, groups, obs_of, dx, sample, primitive=False,
                     evidence=None):
    """Replays ``sample`` failures of each group (file and algorithm; for
    the primitive and SFrame layers, file, algorithm and operation: two
    code paths may have two bugs) through ``dx`` and assigns a Diagnosis to every failure of the
    group. A wrong answer (bytes) that a deviation reproduces is "exact";
    a refusal (a status) that deviations give too is only "consistent"
    with them, and credited to none. For the primitive layer, what was
    replayed and no named deviation explains is left to
    :func:`diagnose_primitives` (basis "primitive"). The failures beyond
    the sample are "sample" when every replayed failure of the group was
    reproduced exactly by one deviation, else "not examined".
    ``evidence`` (default: ``primitive``): the deviations a refusal is
    consistent with are narrowed to those with byte-exact evidence in the
    same operation (seal for seal, open for open), when there are any."""
    if evidence is None:
        evidence = primitive
    plan = []
    for _key, idx in groups.items():
        chosen = _spread(idx, max(0, sample))
        plan.append((idx, chosen, [dx.matches(obs_of[i]) for i in chosen]))
    if evidence:
        # A refusal (AUTH_FAILED) is given by every deviation that spoils a
        # tag; a wrong byte by one. Where the run has byte-exact evidence
        # for some deviations in the same operation, a status is said to
        # be consistent with those. Evidence from another operation (the
        # seal's bug for the open's refusals) says nothing: two code paths
        # may have two bugs.
        seen = collections.defaultdict(set)
        for _, chosen, sets in plan:
            for i, m in zip(chosen, sets):
                if obs_of[i].actual[0] == "ok":
                    seen[obs_of[i].op].update(v.name for v in m)
        for _, chosen, sets in plan:
            for k, i in enumerate(chosen):
                if obs_of[i].actual[0] == "status":
                    own = seen.get(obs_of[i].op, set())
                    sets[k] = [v for v in sets[k] if v.name in own] or sets[k]
    # The wrong answers (not statuses) each deviation reproduces over the
    # whole run: a tie within a group (two deviations giving the same
    # bytes) goes to the one reproducing more elsewhere, and a status's
    # candidates are listed in that order.
    weight = collections.Counter()
    for _, chosen, sets in plan:
        for i, m in zip(chosen, sets):
            if not _refusal(dx, obs_of[i]):
                weight.update(v.name for v in m)

    def by_weight(m):
        return sorted(m, key=lambda v: -weight.get(v.name, 0))
    for idx, chosen, sets in plan:
        refusal = {i: _refusal(dx, obs_of[i]) for i in chosen}
        byte_sets = [m if not refusal[i] else []
                     for i, m in zip(chosen, sets)]
        assigned = Engine.cover(byte_sets, weight)
        exact_names = set()
        for i, v, m in zip(chosen, assigned, sets):
            o = obs_of[i]
            if v is not None:
                out[i] = Diagnosis("exact", v.name, explained_text(o, v))
                exact_names.add(v.name)
            elif m and refusal[i]:
                m = by_weight(m)
                out[i] = Diagnosis("consistent", None, consistent_text(o, m),
                                   candidates=[x.name for x in m])
            elif primitive:
                out[i] = Diagnosis("primitive", text=_PRIM_PLACEHOLDER)
            else:
                facts = dx.established(o)
                out[i] = Diagnosis("unexplained", None,
                                   "no catalogued deviation reproduces this; "
                                   "established: " + ("; ".join(facts) or
                                                      "nothing more"), facts)
        rest = [i for i in idx if out[i] is None]
        if not rest:
            continue
        whole = (len(exact_names) == 1 and
                 all(v is not None for i, v in zip(chosen, assigned)
                     if not refusal[i]))
        if whole:
            v = next(v for v in assigned if v is not None)
            for i in rest:
                if _refusal(dx, obs_of[i]):
                    # a refusal: no deviation is credited with one unreplayed
                    out[i] = Diagnosis(
                        "not_examined", None,
                        f"not examined (a refusal beyond --diagnose-sample "
                        f"{sample} of its group)")
                    continue
                out[i] = Diagnosis(
                    "sample", v.name,
                    f"probably {v.phrase} ({_cite(v)}) "
                    f"[{v.name}]: not replayed; every replayed wrong answer "
                    f"of its group ({len(chosen)} replayed) is explained "
                    "by it")
        else:
            for i in rest:
                out[i] = Diagnosis(
                    "not_examined", None,
                    f"not examined (beyond --diagnose-sample {sample} of "
                    "its group, whose sample has no single cause reproduced "
                    "exactly)")
    return out


def summary_map(diagnoses) -> dict:
    """{deviation name or "unexplained"/"not_examined"/"not_comparable":
    count}, most frequent first."""
    c = collections.Counter()
    for d in diagnoses:
        if d is None:
            continue
        c[d.deviation if d.deviation else d.basis] += 1
    return dict(c.most_common())


def summary_lines(diagnoses, sample: int) -> list:
    """The text summary: one line for the run, one per root cause."""
    DEVIATIONS = catalogue()
    ds = [d for d in diagnoses if d is not None]
    if not ds:
        return []
    m = summary_map(ds)
    named = [(k, n) for k, n in m.items() if k in DEVIATIONS]
    other = {k: n for k, n in m.items() if k not in DEVIATIONS}
    parts = [f"{n} explained by {k}" for k, n in named]
    labels = {"consistent": "consistent with a named deviation (statuses: "
              "not reproduced exactly, credited to none)",
              "unexplained": "unexplained", "not_examined": "not examined",
              "not_comparable": "not comparable (no answer to compare, or a "
              "request check)",
              "primitive": "primitive, no named deviation (characterised "
              "below)"}
    parts += [f"{other[k]} {labels[k]}" for k in labels if k in other]
    lines = [f"diagnosis (up to {sample} failures replayed per file and mode, "
             "and operation for primitives and SFrame; --no-diagnose turns it "
             "off):",
             f"  {len(ds)} failure{'s' if len(ds) != 1 else ''}"
             + (", partly explained" if named and any(
                 k in other for k in ("unexplained", "not_examined",
                                      "primitive", "consistent")) else "")
             + ": " + ", ".join(parts)]
    for k, n in named:
        exact = sum(1 for d in ds if d.deviation == k and d.basis == "exact")
        d = DEVIATIONS[k]
        lines.append(f"  {n:>6}  {k}: {d.phrase} ({_cite(d)}); "
                     f"{exact} reproduced exactly")
    for k in labels:
        if k in other:
            lines.append(f"  {other[k]:>6}  {labels[k]}")
            if k == "consistent":
                sets = collections.Counter(
                    ", ".join(d.candidates[:4]) + (
                        f" (and {len(d.candidates) - 4} more)"
                        if len(d.candidates) > 4 else "")
                    for d in ds if d.basis == "consistent")
                for names, c in sets.most_common(5):
                    lines.append(f"  {'':>6}  {c:>6}  consistent with {names}")
    return lines


# --------------------------------------------------------------------------
# The primitive layer: what the failing vectors have in common, and the
# frame failures it explains
# --------------------------------------------------------------------------

#: The primitives' names in reports.
PRIMITIVE_NAMES = {"aes_ecb": "aes_ecb", "sm4_ecb": "sm4_ecb",
                   "aes_xts": "aes_xts", "aes_gcm": "aes_gcm",
                   "hkdf_sha256": "hkdf_sha256",
                   "pbkdf2_sha256": "pbkdf2_sha256"}

#: What each CE1 mode uses of each primitive (docs/spec.md sections 2, 4
#: and 6), as the parameters of those uses: the key schedule's HKDF
#: (modes 1 to 6: Extract with a salt of 32 zero bytes, then Expand; 7
#: and 8: Expand only, its PRK from PBKDF2 with the 32-byte salt and
#: 100,000 iterations) to key_bytes, 12 (GCM iv_base) and 1 (check)
#: bytes; the frame cipher with its key size (XTS: K1 || K2; GCM: a
#: 12-byte nonce, the 10-byte header as AAD, a 16-byte tag).
MODE_PRIMITIVES = {
    1: {"hkdf_sha256": [{"length": 32, "salt_len": 32}, {"length": 1}],
        "aes_xts": [{"key_bits": 128}]},
    2: {"hkdf_sha256": [{"length": 16, "salt_len": 32}, {"length": 1}],
        "aes_ecb": [{"key_bits": 128}]},
    3: {"hkdf_sha256": [{"length": 64, "salt_len": 32}, {"length": 1}],
        "aes_xts": [{"key_bits": 256}]},
    4: {"hkdf_sha256": [{"length": 16, "salt_len": 32}, {"length": 1}],
        "sm4_ecb": [{"key_bits": 128}]},
    5: {"hkdf_sha256": [{"length": 16, "salt_len": 32}, {"length": 12},
                        {"length": 1}],
        "aes_gcm": [{"key_bits": 128, "iv_len": 12, "aad_len": 10,
                     "tag_len": 16}]},
    6: {"hkdf_sha256": [{"length": 32, "salt_len": 32}, {"length": 12},
                        {"length": 1}],
        "aes_gcm": [{"key_bits": 256, "iv_len": 12, "aad_len": 10,
                     "tag_len": 16}]},
    7: {"pbkdf2_sha256": [{"salt_len": 32, "iterations": 100000,
                           "length": 32}],
        "hkdf_sha256": [{"length": 16}, {"length": 12}, {"length": 1}],
        "aes_gcm": [{"key_bits": 128, "iv_len": 12, "aad_len": 10,
                     "tag_len": 16}]},
    8: {"pbkdf2_sha256": [{"salt_len": 32, "iterations": 100000,
                           "length": 32}],
        "hkdf_sha256": [{"length": 32}, {"length": 12}, {"length": 1}],
        "aes_gcm": [{"key_bits": 256, "iv_len": 12, "aad_len": 10,
                     "tag_len": 16}]},
}
_MODE_NAMES = {1: "AES_128_XTS", 2: "AES_128_ECB", 3: "AES_256_XTS",
               4: "SM4_128_ECB", 5: "AES_128_GCM", 6: "AES_256_GCM",
               7: "AES_128_GCM2", 8: "AES_256_GCM2"}

#: Parameters in the order they are tried, and how they read.
_PARAM_LABELS = {
    "tag_cut": "tag cut", "key1_eq_key2": "Key1 == Key2",
    "key_bits": "key bits", "data_len": "data lengths",
    "partial_block": "a partial last block",
    "length": "output length", "salt_len": "salt length",
    "iv_len": "IV length", "tag_len": "tag length", "aad_len": "AAD length",
    "pt_len": "plaintext length", "password_len": "password length",
    "ikm_len": "IKM length", "info_len": "info length",
    "iterations": "iterations"}
#: Parameters that name a kind of use (a mode uses one value) rather than
#: a size that varies with the input.
_CATEGORICAL = {"key_bits", "iv_len", "tag_len"}


@dataclass
class PrimitiveFinding:
    """The failures of one primitive: ``failed`` of ``total`` vectors
    (derived checks included), ``what`` (what distinguishes the failing
    vectors, or None), ``param``/``test`` (the predicate: (kind, values)),
    ``files`` ({file: [ids]}), ``modes`` ({CE1 mode name: (frame failures,
    payload lengths)}: modes that use the primitive where it fails and
    have frame failures too)."""

    prim: str
    failed: int
    total: int
    what: str | None
    param: str | None = None
    test: tuple | None = None
    files: dict = field(default_factory=dict)
    modes: dict = field(default_factory=dict)
    unaffected: list = field(default_factory=list)
    #: Modes that use the primitive there but whose frame checks did not
    #: run (not selected, or skipped: no frame operations announced).
    not_run: list = field(default_factory=list)
    #: {named deviation of the primitive catalogue: failures it explains}
    #: (chanenc.conform.pyprim), most first.
    explained: dict = field(default_factory=dict)
    #: {"consistent" / "not_examined": failures} of those not explained.
    other: dict = field(default_factory=dict)

    def sources(self, limit: int = 3) -> str:
        parts = []
        for f, ids in list(self.files.items())[:limit]:
            parts.append(f"{f} {_id_span(ids)}")
        if len(self.files) > limit:
            parts.append(f"{len(self.files) - limit} more files")
        return "; ".join(parts)

    def text(self) -> str:
        name = PRIMITIVE_NAMES.get(self.prim, self.prim)
        n = f"{self.failed:,} of {self.total:,} vectors"
        if self.what and self.param is None:
            head = f"{name} fails {n}: {self.what} ({self.sources()})"
        elif self.what:
            head = f"{name} fails {n}, those with {self.what} ({self.sources()})"
        else:
            head = (f"{name} fails {n} ({self.sources()}); no single parameter "
                    "tells them from the passing ones")
        follow = [f"frame failures in {m} ({k} failed, {_payloads(lens)}) "
                  "likely follow" for m, (k, lens) in self.modes.items()]
        if self.explained or self.other:
            k = sum(self.explained.values()) + sum(self.other.values())
            words = {"consistent": "consistent with a named deviation "
                     "(statuses)", "not_examined": "not examined"}
            parts = [f"{n:,} explained by {d}" for d, n in self.explained.items()]
            parts += [f"{n:,} {words[b]}" for b, n in self.other.items()]
            rest = self.failed - k
            head += (f"; diagnosis: {', '.join(parts)}" +
                     (f", {rest:,} by no named deviation" if rest else ""))
        return head + ("; " + "; ".join(follow) if follow else "")

    def to_dict(self) -> dict:
        return {"primitive": self.prim, "failed": self.failed,
                "total": self.total, "what": self.what, "param": self.param,
                "files": {f: list(ids) for f, ids in self.files.items()},
                "explained": dict(self.explained),
                "not_explained": dict(self.other),
                "frame_failures_that_follow": {
                    m: {"failed": k, "payload_lengths": lens}
                    for m, (k, lens) in self.modes.items()},
                "text": self.text()}


def _id_span(ids) -> str:
    ids = list(ids)
    if len(ids) == 1:
        return ids[0]
    if len(ids) <= 3:
        return ", ".join(ids)
    return f"{ids[0]} .. {ids[-1]} ({len(ids)})"


def _ranges(values) -> str:
    """Sorted integers as ranges: "17..31, 40"."""
    vs = sorted(set(values))
    out, start, prev = [], None, None
    for v in vs:
        if start is None:
            start = prev = v
        elif v == prev + 1:
            prev = v
        else:
            out.append((start, prev))
            start = prev = v
    if start is not None:
        out.append((start, prev))
    if len(out) > 4:
        return f"{vs[0]}..{vs[-1]}"
    return ", ".join(f"{a}" if a == b else f"{a}..{b}" for a, b in out)


def _payloads(lens) -> str:
    return f"payloads {_ranges(lens)}" if lens else "payload lengths unknown"


def characterise(failing: list, passing: list):
    """(param, test, text) of the first parameter (in
    :data:`_PARAM_LABELS` order) that tells every failing vector from every
    passing one: a value (a boolean, a key size), a range ("data lengths
    17..31"), or a bound ("output length over 32": no passing vector above
    it); (None, None, None) when none does. ``failing``/``passing``: the
    vectors' params dicts. Only passing vectors of the failing ones' kind
    of check are compared (``"check"``: "answer", a known answer, or
    "refuse", a vector that must be refused): a forgery that is refused
    says nothing about the known answers of the same parameters."""
    kinds = {d.get("check", "answer") for d in failing}
    passing = [d for d in passing if d.get("check", "answer") in kinds]
    if failing and not passing:
        return None, None, "every one of its vectors (none passes)"
    for p, label in _PARAM_LABELS.items():
        fv = [d.get(p) for d in failing]
        if not fv or any(v is None for v in fv):
            continue
        pv = [d[p] for d in passing if d.get(p) is not None]
        if all(isinstance(v, bool) for v in fv):
            vals = set(fv)
            if len(vals) == 1 and vals.pop() is True and True not in pv:
                return p, ("eq", True), label
            continue
        if not all(isinstance(v, int) for v in fv):
            continue
        if p == "tag_cut":
            if 0 not in fv and not any(v for v in pv):
                return p, ("ne", 0), (f"the tag cut to {_ranges(fv)} bytes "
                                      "while tag_len stays 16")
            continue
        lo, hi = min(fv), max(fv)
        if any(lo <= v <= hi for v in pv):
            if p in _CATEGORICAL and not set(fv) & set(pv):
                return p, ("in", tuple(sorted(set(fv)))), \
                    f"{label} {_ranges(fv)}"
            continue
        if p in _CATEGORICAL:
            return p, ("in", tuple(sorted(set(fv)))), f"{label} {_ranges(fv)}"
        below = [v for v in pv if v < lo]
        above = [v for v in pv if v > hi]
        if below and not above:
            b = max(below)
            return p, ("gt", b), f"{label} over {b} ({_ranges(fv)} fail)"
        if above and not below:
            a = min(above)
            return p, ("lt", a), f"{label} under {a} ({_ranges(fv)} fail)"
        return p, ("range", lo, hi), f"{label} {_ranges(fv)}"
    return None, None, None


def _holds(test, v) -> bool:
    kind = test[0]
    if kind == "eq":
        return v == test[1]
    if kind == "ne":
        return v != test[1]
    if kind == "in":
        return v in test[1]
    if kind == "gt":
        return v > test[1]
    if kind == "lt":
        return v < test[1]
    return test[1] <= v <= test[2]


def _mode_affected(uses, param, test, failing) -> bool:
    """Whether a mode's uses of a primitive meet the failing vectors: the
    predicate holds for a use (a parameter the use does not fix: it may),
    and the use's kind (key size, IV and tag length) is among the failing
    vectors' ones."""
    for use in uses:
        if param is not None and param in use and not _holds(test, use[param]):
            continue
        if any(k in use and k != param and
               all(d.get(k) is not None for d in failing) and
               use[k] not in {d[k] for d in failing}
               for k in _CATEGORICAL):
            continue
        return True
    return False


def _frame_payload_len(r):
    """The payload length of a failed frame check, from its request (a
    protect's payload) or its expected payload; None when unknown."""
    for line in reversed(r.requests or []):
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("op") == "protect" and \
                isinstance(obj.get("payload"), str):
            return len(obj["payload"]) // 2
    if r.op == "unprotect" and isinstance(r.expected, (bytes, bytearray)):
        return len(r.expected)
    return None


def diagnose_primitives(results, named=None) -> tuple:
    """([PrimitiveFinding], {id(Failure): Diagnosis}) over a run's
    :class:`~chanenc.conform.results.CaseResult` list: per primitive with
    failures, what tells its failing vectors from its passing ones, and
    the CE1 modes that use it there and fail too (their frame failures
    likely follow from it)."""
    by_prim = collections.OrderedDict()
    frame_fail = collections.defaultdict(list)
    frame_ran = set()      # modes some frame check of which ran
    for r in results:
        case = r.case
        if case is None:
            continue
        if r.layer == "frame" and not r.skipped and r.mode_id is not None:
            frame_ran.add(r.mode_id)
        if r.layer == "primitive" and case.params and not r.skipped:
            by_prim.setdefault(case.params["prim"], []).append(r)
        elif (r.layer == "frame" and r.failed and r.mode_id in MODE_PRIMITIVES
              and r.kind in _COMPARABLE and r.actual != "UNSUPPORTED_OP"):
            # a wrong answer: not a transport fault, not an adapter
            # without the frame operations (a primitive-only one)
            frame_fail[r.mode_id].append(r)
    findings, diags = [], {}
    for prim, rs in by_prim.items():
        bad = [r for r in rs if r.failed]
        if not bad:
            continue
        good = [r for r in rs if r.passed]
        failing = [r.case.params for r in bad]
        param, test, what = characterise(failing, [r.case.params for r in good])
        files = collections.OrderedDict()
        for r in bad:
            files.setdefault(r.file, []).append(
                f"line {r.line}" if r.line and not r.derived else r.id)
        fd = PrimitiveFinding(prim, len(bad), len(rs), what, param, test, files)
        named = named or {}
        ex = collections.Counter(
            named[id(r.failure)].deviation for r in bad
            if r.failure is not None and id(r.failure) in named
            and named[id(r.failure)].deviation)
        fd.explained = dict(ex.most_common())
        fd.other = dict(collections.Counter(
            named[id(r.failure)].basis for r in bad
            if r.failure is not None and id(r.failure) in named
            and named[id(r.failure)].basis in ("consistent", "not_examined")
        ).most_common())
        for m in sorted(MODE_PRIMITIVES):
            uses = MODE_PRIMITIVES[m].get(prim)
            if not uses or not _mode_affected(uses, param, test, failing):
                continue
            if frame_fail.get(m):
                lens = sorted({n for n in map(_frame_payload_len, frame_fail[m])
                               if n is not None})
                fd.modes[_MODE_NAMES[m]] = (len(frame_fail[m]), lens)
            elif m in frame_ran:
                fd.unaffected.append(_MODE_NAMES[m])
            else:
                fd.not_run.append(_MODE_NAMES[m])
        findings.append(fd)
        text = (f"{PRIMITIVE_NAMES.get(prim, prim)} fails "
                + (f"those vectors with {what}" if what else
                   "vectors no single parameter tells apart")
                + f" ({fd.failed} of {fd.total}; the primitive layer's summary)")
        for r in bad:
            if r.failure is None:
                continue
            d = named.get(id(r.failure))
            if d is None or d.basis == "primitive":
                # no named deviation: what the failing vectors share
                diags[id(r.failure)] = Diagnosis("primitive", None, text)
    return findings, diags


def primitive_summary_lines(findings) -> list:
    """The text summary of :func:`diagnose_primitives`."""
    if not findings:
        return []
    lines = ["primitive layer (what the failing vectors have in common, and the "
             "named deviations that reproduce them; a frame failure of a mode "
             "that uses the primitive likely follows from it):"]
    for fd in findings:
        lines.append(f"  {fd.text()}")
        if fd.unaffected and not fd.modes:
            lines.append(f"    (used by {', '.join(fd.unaffected)}, whose frame "
                         "checks gave no wrong answer)")
        if fd.not_run and not fd.modes:
            lines.append(f"    (used by {', '.join(fd.not_run)}, whose frame "
                         "checks did not run)")
    return lines
