"""Request rules written from the provider references, checked on both sides of the wire.

Each provider has one module of rules (`backends/<provider>/rules.py`) built on this one:
the endpoints its reference documents (method and path), and for each a list of checks
(required and allowed fields, limits, encodings), every check citing the reference
sentence it comes from. The same `Rules` object is used three times:

- the client's HTTP layer runs it on every request before it leaves, so a request the
  reference forbids is refused locally as `InvalidInput` (a usage error, exit 2);
- the sandbox runs it on every request it receives and answers the provider's documented
  error for the first violation, so the sandbox refuses what the provider refuses;
- the tests collect every violation any sandbox saw (`SEEN`) and fail on one, so a test
  cannot pass on a request the real provider would refuse.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

import orjson

__all__ = [
    "SEEN",
    "Check",
    "Endpoint",
    "Outgoing",
    "Rules",
    "Violation",
    "ViolationLog",
]


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: a one-line message for the user and what the provider answers."""

    message: str
    status: int = 400
    code: int | str | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One request as the rules see it, the same whether built by the client or received.

    `path` holds the decoded segments below the API root (a `/` inside a percent-encoded
    segment stays inside it). `query` and a form `body` are multi-valued string fields;
    a JSON body is the decoded value; any other body is None.
    """

    method: str
    path: tuple[str, ...]
    query: Mapping[str, Sequence[str]] = field(default_factory=dict)
    body: Any = None
    form: bool = False

    @classmethod
    def from_wire(
        cls,
        method: str,
        raw_path: str,
        *,
        root: str = "",
        query_string: str = "",
        content_type: str = "",
        body: bytes = b"",
    ) -> Outgoing:
        """A request as bytes on the wire: its raw (still percent-encoded) path below `root`."""
        rel = raw_path[len(root) :] if root and raw_path.startswith(root) else raw_path
        segments = tuple(unquote(s) for s in rel.strip("/").split("/") if s)
        query = parse_qs(query_string, keep_blank_values=True)
        decoded: Any = None
        form = False
        ctype = content_type.split(";")[0].strip().lower()
        if body and ctype == "application/x-www-form-urlencoded":
            decoded = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            form = True
        elif body and (ctype == "application/json" or ctype.endswith("+json")):
            try:
                decoded = orjson.loads(body)
            except orjson.JSONDecodeError:
                decoded = _UNPARSABLE
        return cls(method.upper(), segments, query, decoded, form)

    def field(self, name: str) -> Any:
        """A body field: the JSON value, or a form field's single value (a list if repeated)."""
        if self.form:
            values = self.body.get(name) if isinstance(self.body, dict) else None
            if not values:
                return None
            return values[0] if len(values) == 1 else list(values)
        return self.body.get(name) if isinstance(self.body, dict) else None

    def param(self, name: str) -> str | None:
        """A query parameter's (first) value."""
        values = self.query.get(name)
        return values[0] if values else None


# A JSON body that was not JSON: the checks see it as this sentinel, not as "no body".
_UNPARSABLE: Any = object()

# A check gets the request and the path parameters of the endpoint it matched.
Check = Callable[[Outgoing, Mapping[str, str]], Violation | None]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A documented method and path template (`{name}` matches one segment)."""

    method: str
    template: tuple[str, ...]
    checks: tuple[Check, ...]

    def match(self, path: Sequence[str]) -> dict[str, str] | None:
        """The path parameters if `path` fits the template."""
        if len(path) != len(self.template):
            return None
        params: dict[str, str] = {}
        for want, got in zip(self.template, path, strict=True):
            if want.startswith("{") and want.endswith("}"):
                if not got:
                    return None
                params[want[1:-1]] = got
            elif want != got:
                return None
        return params

    @property
    def literals(self) -> int:
        """How many segments are fixed words (a more literal template wins a tie)."""
        return sum(1 for s in self.template if not s.startswith("{"))


class Rules:
    """A provider's documented endpoints and the checks of each."""

    def __init__(
        self,
        provider: str,
        *,
        unknown: Violation | None = None,
        wrong_method: Violation | None = None,
    ) -> None:
        self.provider = provider
        self._endpoints: list[Endpoint] = []
        self._unknown = unknown or Violation("is not an endpoint the reference documents", 404)
        self._wrong_method = wrong_method or Violation(
            "uses a method the reference does not document for this path", 405
        )

    def endpoint(self, method: str, template: str, *checks: Check) -> None:
        """Declare a documented endpoint, e.g. `("GET", "/sms/{ids}", check, ...)`."""
        segments = tuple(s for s in template.strip("/").split("/") if s)
        self._endpoints.append(Endpoint(method.upper(), segments, tuple(checks)))

    @property
    def endpoints(self) -> tuple[Endpoint, ...]:
        """Every declared endpoint, in declaration order."""
        return tuple(self._endpoints)

    def find(self, method: str, path: Sequence[str]) -> tuple[Endpoint, dict[str, str]] | None:
        """The endpoint a request goes to, and its path parameters."""
        best: tuple[Endpoint, dict[str, str]] | None = None
        for ep in self._endpoints:
            if ep.method != method.upper():
                continue
            params = ep.match(path)
            if params is not None and (best is None or ep.literals > best[0].literals):
                best = (ep, params)
        return best

    def check(self, out: Outgoing) -> list[Violation]:
        """Every rule `out` breaks (empty: the reference accepts it)."""
        where = f"{out.method} /{'/'.join(out.path)}"
        found = self.find(out.method, out.path)
        if found is None:
            if any(ep.match(out.path) is not None for ep in self._endpoints):
                bad = self._wrong_method
            else:
                bad = self._unknown
            return [Violation(f"{where} {bad.message}", bad.status, bad.code)]
        endpoint, params = found
        if out.body is _UNPARSABLE:
            return [Violation(f"{where}: the body is not valid JSON", 400)]
        violations: list[Violation] = []
        for rule in endpoint.checks:
            v = rule(out, params)
            if v is not None:
                violations.append(v)
        return violations


class ViolationLog:
    """Violations the sandboxes saw, process-wide, for the tests to fail on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: list[tuple[str, str, Violation]] = []

    def add(self, provider: str, where: str, violations: Iterable[Violation]) -> None:
        """Remember violations of one received request."""
        with self._lock:
            self._seen.extend((provider, where, v) for v in violations)

    def take(self) -> list[tuple[str, str, Violation]]:
        """Every violation since the last call, oldest first; forgets them."""
        with self._lock:
            seen, self._seen = self._seen, []
        return seen


SEEN = ViolationLog()


# --- building blocks for the provider modules ---------------------------------------------


def fail(message: str, status: int = 400, code: int | str | None = None) -> Violation:
    """A violation (a short name for the rule modules)."""
    return Violation(message, status, code)


def is_int(value: Any) -> bool:
    """An integer that is not a bool (JSON true is not a number)."""
    return isinstance(value, int) and not isinstance(value, bool)


def as_int(value: Any) -> int | None:
    """An integer from JSON or a form/query string, or None."""
    if is_int(value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None
