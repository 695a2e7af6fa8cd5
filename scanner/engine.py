"""The check engine: metadata, discovery through entry points, selection and running."""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Callable, Iterable

from scanner import wire
from scanner.errors import InputError
from scanner.findings import MAX_AFFECTED, SEVERITIES, Finding, Result, Severity, fingerprint, fold_by_cause, ref
from scanner.parallel import run_indexed, shareable, worth_it

GROUP = "segaudit.checks"
BUILTIN_DIST = "segaudit"
BUILTIN_PREFIX = "SEG"
ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,9}\d{3}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckMeta:
    id: str  # SEG101; third parties use their own prefix
    name: str  # slug: admin-port-from-internet
    title: str
    severity: Severity
    rationale: str  # which principle of the seeds it enforces, and why
    remediation: str  # what to do, in prose
    fix_example: str = ""  # a snippet showing the fix (Terraform where one fits)
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    providers: tuple[str, ...] = ("aws", "gcp", "azure")
    params: dict[str, Any] = field(default_factory=dict)  # variants, not copies


CheckFn = Callable[..., Iterable[Result]]


@dataclass(frozen=True, slots=True)
class Check:
    meta: CheckMeta
    fn: CheckFn
    source: str  # the distribution that registered it


def check(meta: CheckMeta) -> Callable[[CheckFn], CheckFn]:
    """Attach metadata to a check function."""

    def wrap(fn: CheckFn) -> CheckFn:
        fn.meta = meta  # type: ignore[attr-defined]
        return fn

    return wrap


def meta_problems(meta: CheckMeta) -> list[str]:
    problems = []
    if not ID_PATTERN.match(meta.id):
        problems.append(f"id {meta.id!r} is not PREFIX plus three digits")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", meta.name or ""):
        problems.append("name is not a lower-case slug")
    if meta.severity not in SEVERITIES:
        problems.append(f"severity {meta.severity!r} is not one of {', '.join(SEVERITIES)}")
    for attr in ("title", "rationale", "remediation"):
        if not getattr(meta, attr).strip():
            problems.append(f"{attr} is empty")
    if not meta.references:
        problems.append("references are empty")
    if not meta.providers:
        problems.append("providers are empty")
    return problems


def discover() -> list[Check]:
    """Every check registered in the entry-point group, built-ins included."""
    found: dict[str, Check] = {}
    for ep in sorted(metadata.entry_points(group=GROUP), key=lambda e: (e.name, e.value)):
        dist = ep.dist.name if ep.dist else "?"
        try:
            fn = ep.load()
        except Exception as exc:  # a broken plugin is the plugin's problem, named once
            raise InputError(f"check plugin {ep.name} ({dist}) cannot be loaded: {exc}") from None
        found_check = _validate(ep.name, fn, dist)
        if found_check.meta.id in found:
            other = found[found_check.meta.id].source
            raise InputError(f"duplicate check id {found_check.meta.id}: registered by {other} and {dist}")
        found[found_check.meta.id] = found_check
    return sorted(found.values(), key=lambda c: c.meta.id)


def _validate(ep_name: str, fn: Any, dist: str) -> Check:
    meta = getattr(fn, "meta", None)
    if not isinstance(meta, CheckMeta):
        raise InputError(f"check plugin {ep_name} ({dist}) has no CheckMeta")
    if meta.id != ep_name:
        raise InputError(f"check plugin {ep_name} ({dist}) declares id {meta.id}")
    builtin = dist.lower() == BUILTIN_DIST
    if meta.id.startswith(BUILTIN_PREFIX) != builtin:
        why = "is reserved for segaudit's own checks" if not builtin else "is required for built-in checks"
        raise InputError(f"check {meta.id} from {dist}: the prefix {BUILTIN_PREFIX} {why}")
    problems = meta_problems(meta)
    if problems:
        raise InputError(f"check {meta.id} from {dist}: {'; '.join(problems)}")
    return Check(meta, fn, dist)


def select(checks: list[Check], include: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[Check]:
    """--checks / --skip-checks: ids or globs, comma-separated or repeated."""
    ids = [c.meta.id for c in checks]

    def expand(patterns: Iterable[str], option: str) -> set[str]:
        chosen: set[str] = set()
        for raw in patterns:
            for pattern in filter(None, (p.strip().upper() for p in raw.split(","))):
                hits = fnmatch.filter(ids, pattern)
                if not hits:
                    raise InputError(f"{option}: unknown check {pattern!r} (see 'segaudit checks')")
                chosen.update(hits)
        return chosen

    wanted = expand(include, "--checks") if include else set(ids)
    wanted -= expand(exclude, "--skip-checks")
    return [c for c in checks if c.meta.id in wanted]


@dataclass(frozen=True, slots=True)
class CheckError:
    check_id: str
    message: str


@dataclass(frozen=True, slots=True)
class RunResult:
    checks: tuple[Check, ...]
    findings: tuple[Finding, ...]
    errors: tuple[CheckError, ...]


def run(checks: list[Check], ctx: Any, parallel: bool | None = None) -> RunResult:
    """Run each check; one that raises becomes an error result and the rest still run.
    `parallel` (default: where it pays, scanner.parallel) runs them in two processes;
    the findings are the same either way."""
    asked = parallel
    if asked is None:
        parallel = len(checks) > 1 and worth_it(len(ctx.snapshot.workloads))
    if parallel:
        try:
            ctx.reach.live_rules()  # computed once, before the fork, rather than in both processes
        except Exception:  # noqa: BLE001 - each check meets the failure and reports it
            pass
        if asked is None:
            parallel = shareable()  # reachability is in memory now: is the heap small enough?
    refs: dict[int, tuple] = {}  # id(resource) -> (resource, its ref): findings name the same workloads

    def one(i: int) -> tuple[list[Finding], CheckError | None]:
        chk = checks[i]
        try:
            # Each result becomes its finding as it comes: a check's results (and whatever
            # they hold) are never all in memory at once beside their findings.
            # A check judges only the platforms it claims (and is tested on).
            return [to_finding(chk.meta, res, refs) for res in chk.fn(ctx, **chk.meta.params)
                    if res.resource.provider in chk.meta.providers], None
        except Exception as exc:  # noqa: BLE001 - isolate a faulty check
            return [], CheckError(chk.meta.id, f"{type(exc).__name__}: {exc}")

    findings: dict[str, Finding] = {}
    errors = []
    for found, error in run_indexed(len(checks), one, parallel, *wire.codec(CheckError)):
        if error is not None:
            errors.append(error)
        for finding in found:
            findings.setdefault(finding.fingerprint, finding)
    ordered = tuple(sorted(fold_by_cause(list(findings.values())), key=lambda f: f.sort_key))
    return RunResult(tuple(checks), ordered, tuple(errors))


def to_finding(meta: CheckMeta, res: Result, refs: dict[int, tuple] | None = None) -> Finding:
    refs = {} if refs is None else refs

    def ref_of(obj: Any) -> Any:
        found = refs.get(id(obj))
        if found is None or found[0] is not obj:
            found = refs[id(obj)] = (obj, ref(obj))
        return found[1]

    rref = ref_of(res.resource)
    affected = sorted({r.uri: r for r in map(ref_of, res.affected)}.values(), key=lambda r: r.uri)
    return Finding(
        check_id=meta.id,
        title=meta.title,
        severity=res.severity or meta.severity,
        resource=rref,
        message=res.message,
        evidence=tuple(sorted(set(res.evidence))),
        zones=tuple(res.zones),
        key=res.key,
        fingerprint=fingerprint(meta.id, rref.uri, res.key),
        cause=tuple(sorted(set(res.cause))),
        flows=res.flows,
        affected=tuple(affected[:MAX_AFFECTED]),
        affected_count=len(affected),
        state=res.state,
        state_reason=res.state_reason,
    )
