"""Secrets kept out of every text a user or a file sees: messages, logs, journal, exports.

A provider may echo what it received: the Authorization header (`Basic` base64 of
`user:secret`, a bearer token), the query string or the form body (the secret
percent-encoded, `+` for spaces). A `Scrubber` is built once from an account's credentials
with every form the secret can take on the wire, and replaces each with ***.

Every scrubber made in this process is also known to `scrub_known`, which the log file's
filter and the command line's error output use: text that did not pass through an account's
client (a traceback, an error raised after the client closed) is scrubbed of every
account's secret.
"""

from __future__ import annotations

import binascii
import logging
import re
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:  # only a type here: logging starts without loading httpx
    import httpx

MASK = "***"
# Query and form fields whose values are secrets wherever they appear.
SECRET_FIELDS = frozenset(
    {"api_key", "apikey", "key", "token", "access_token", "password", "secret", "x-api-key"}
)
_URLSAFE = str.maketrans("+/", "-_")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


def _b64(raw: bytes) -> list[str]:
    """The standard and URL-safe base64 of `raw`, without padding.

    Without padding the form is a prefix of the padded one, so both are matched.
    """
    std = binascii.b2a_base64(raw, newline=False).decode("ascii").rstrip("=")
    safe = std.translate(_URLSAFE)
    return [std] if std == safe else [std, safe]


def secret_forms(secret: str, username: str = "") -> set[str]:
    """Every form `secret` can take in a request or in an echo of one."""
    if not secret:
        return set()
    # Here, not at the top: logging (this module's filter) starts on the console's way
    # to its first frame, which reads no secret.
    import json

    raw = secret.encode("utf-8")
    forms = {
        secret,
        quote(secret, safe=""),  # a query value or a path segment
        quote(secret),  # percent-encoding that keeps '/'
        quote_plus(secret),  # a form body or query string: spaces as '+'
        json.dumps(secret)[1:-1],  # inside a JSON string: quotes and backslashes escaped
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    forms.update(_b64(raw))  # the secret alone, base64 (some APIs send it so)
    # HTTP Basic: base64 of "user:secret"; the username alone is not a secret.
    forms.update(_b64(f"{username}:{secret}".encode()))
    return {f for f in forms if f}


def _pattern(form: str) -> str:
    """A regex for one form; percent-escapes match in either case of hex digit."""
    out: list[str] = []
    pos = 0
    for m in _PERCENT.finditer(form):
        out.append(re.escape(form[pos : m.start()]))
        hi, lo = m.group()[1], m.group()[2]
        out.append(f"%[{hi.upper()}{hi.lower()}][{lo.upper()}{lo.lower()}]")
        pos = m.end()
    out.append(re.escape(form[pos:]))
    return "".join(out)


def _compile(forms: Iterable[str]) -> re.Pattern[str] | None:
    # Longest first: the Basic token wins over any shorter form it might contain.
    ordered = sorted(set(forms), key=lambda f: (-len(f), f))
    if not ordered:
        return None
    return re.compile("|".join(_pattern(f) for f in ordered))


class Scrubber:
    """Replaces every form of an account's secrets with ***."""

    def __init__(self, secrets: Iterable[str] = (), *, username: str = "") -> None:
        forms: set[str] = set()
        for secret in secrets:
            forms |= secret_forms(secret, username)
        self.forms = frozenset(forms)
        self._regex = _compile(self.forms)
        _register(self.forms)

    def __call__(self, text: str) -> str:
        if self._regex is None or not text:
            return text
        return self._regex.sub(MASK, text)


# Every form of every secret a scrubber was made for in this process: text that reaches a
# file or the screen by another way (a traceback, an error raised after its client closed)
# is scrubbed of them all. Shorter forms are left to the account's own scrubber: a test's
# one-letter secret would otherwise star every such letter of every later log line.
MIN_KNOWN = 6
_LOCK = threading.Lock()
_known_forms: set[str] = set()
_known: tuple[int, re.Pattern[str] | None] = (0, None)


def _register(forms: Iterable[str]) -> None:
    with _LOCK:
        _known_forms.update(f for f in forms if len(f) >= MIN_KNOWN)


def scrub_known(text: str) -> str:
    """Text with every form of every account secret seen by this process replaced."""
    global _known
    if not text:
        return text
    with _LOCK:
        if _known[0] != len(_known_forms):
            _known = (len(_known_forms), _compile(_known_forms))
        regex = _known[1]
    return regex.sub(MASK, text) if regex is not None else text


def redact_url(url: str | httpx.URL) -> str:
    """The URL with secret query values replaced by ***."""
    parts = urlsplit(str(url))
    if not parts.query:
        return str(url)
    query = [
        (k, MASK if k.lower() in SECRET_FIELDS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


class ScrubFilter(logging.Filter):
    """A log handler's filter: the formatted message, scrubbed of every known secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        clean = scrub_known(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_text:
            record.exc_text = scrub_known(record.exc_text)
        return True
