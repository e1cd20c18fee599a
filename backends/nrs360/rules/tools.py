"""360nrs request rules: the URL shortener, hosted images, OTP and the account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backends.nrs360.rules.checks import (
    _allowed,
    _blank,
    _body,
    _booleans,
    _invalid,
    _json_object,
    _required,
    _string,
)
from backends.nrs360.rules.options import (
    _OTP_KEYS,
    _otp_fields,
)
from backends.rules import Outgoing, Rules, Violation

# --- tools ----------------------------------------------------------------------------------


def _item_str(item: Any, path: str, key: str) -> Violation | None:
    """A required string inside one element of an array parameter."""
    value = item.get(key) if isinstance(item, Mapping) else None
    if _blank(value):
        return _invalid(f"The {path}.{key} field is required.")
    if not isinstance(value, str):
        return _invalid(f"The {path}.{key} must be a string.")
    return None


def _urls(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "urls": [{"longUrl": "https://example.com/test1"}, ...]; an invalid URL is answered
    # per item ("error": true), so only the shape is a rule.
    urls = _body(out).get("urls")
    if _blank(urls):
        return _invalid("The urls field is required.")
    if not isinstance(urls, list):
        return _invalid("The urls must be an array.")
    for i, item in enumerate(urls):
        bad = _item_str(item, f"urls.{i}", "longUrl")
        if bad is not None:
            return bad
        if set(item) - {"longUrl"}:
            return _invalid(f"urls[{i}] takes only longUrl")
    return None


def _images(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    # "externalId | string | Yes | External ID to identify the image in the response.",
    # "extension | string | Yes | Image extension. Allowed extensions: jpg, png.",
    # "base64 | string | Yes | Base64 encoded image." Two images with one externalId could
    # not be told apart in the response, so each must have its own.
    images = _body(out).get("images")
    if _blank(images):
        return _invalid("The images field is required.")
    if not isinstance(images, list):
        return _invalid("The images must be an array.")
    seen: set[str] = set()
    for i, item in enumerate(images):
        if not isinstance(item, Mapping):
            return _invalid(f"The images.{i} must be an object.")
        for key in ("externalId", "extension", "base64"):
            bad = _item_str(item, f"images.{i}", key)
            if bad is not None:
                return bad
        if item["extension"] not in ("jpg", "png"):
            return _invalid(f"The selected images.{i}.extension is invalid.")
        if item["externalId"] in seen:
            return _invalid(
                f"images[{i}]: externalId {item['externalId']!r} is used twice; "
                "each image needs its own to be found in the answer"
            )
        seen.add(item["externalId"])
        if set(item) - {"externalId", "extension", "base64"}:
            return _invalid(f"images[{i}] takes only externalId, extension and base64")
    return None


# --- OTP --------------------------------------------------------------------------------------


def _otp_generate(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    return _otp_fields(_body(out), "")


# --- account ----------------------------------------------------------------------------------


def add(rules: Rules) -> None:
    """Declare this area's endpoints."""
    rules.endpoint("POST", "/shortener/shorten", _json_object, _urls, _allowed("urls"))
    rules.endpoint("POST", "/images/generate", _json_object, _images, _allowed("images"))
    rules.endpoint(
        "POST",
        "/otp/generate",
        _json_object,
        # recipient: "string | Yes | User's phone number or email."
        _required("recipient"),
        _string("recipient"),
        _otp_generate,
        _allowed("recipient", *_OTP_KEYS),
    )
    rules.endpoint(
        "POST",
        "/otp/check",
        _json_object,
        # recipient and code: "Yes".
        _required("recipient"),
        _string("recipient"),
        _required("code"),
        _string("code"),
        _booleans("caseSensitive"),
        _string("appId"),
        _allowed("recipient", "code", "caseSensitive", "appId"),
    )
    rules.endpoint("GET", "/account")
