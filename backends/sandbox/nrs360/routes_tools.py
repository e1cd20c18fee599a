"""360nrs emulator: URL shortener, image hosting and SMS coverage/prices.

Malformed requests (a missing list, an item without its mandatory keys, an extension other
than jpg/png) fail as a whole with Laravel's 422; a well-formed item that cannot be served
(an invalid URL, bytes that are not a JPEG or PNG image) comes back with `"error": true`,
as the reference's shortener example shows for "invalidUrl".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import string
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..core import parse_basic_auth
from .common import JsonObject, base_url, invalid, is_blank, ok, read_json
from .coverage import country_rows, network_rows

SHORT_DOMAIN = "https://sms.tl/"
IMAGE_EXTENSIONS = ("jpg", "png")
_ALPHABET = string.ascii_letters + string.digits
_MAGIC = {b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png"}


def _list_field(body: JsonObject, key: str) -> list[Any]:
    value = body.get(key)
    if is_blank(value):
        raise invalid(f"The {key} field is required.")
    if not isinstance(value, list):
        raise invalid(f"The {key} must be an array.")
    return value


def _item_str(item: Any, path: str, key: str) -> str:
    value = item.get(key) if isinstance(item, dict) else None
    if is_blank(value):
        raise invalid(f"The {path}.{key} field is required.")
    if not isinstance(value, str):
        raise invalid(f"The {path}.{key} must be a string.")
    return value


def short_code(long_url: str) -> str:
    """Six base-62 characters derived from the URL: the same URL always gets the same code."""
    number = int.from_bytes(hashlib.sha256(long_url.encode()).digest()[:8], "big")
    chars = []
    for _ in range(6):
        number, digit = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[digit])
    return "".join(chars)


def valid_url(text: str) -> bool:
    """An absolute http(s) URL with a dotted host and no whitespace."""
    if any(ch.isspace() for ch in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and "." in host.strip(".")


async def shorten(request: Request) -> Response:
    """POST /shortener/shorten: one short URL per long URL, in order."""
    body = await read_json(request)
    urls = _list_field(body, "urls")
    data = []
    for index, item in enumerate(urls):
        long_url = _item_str(item, f"urls.{index}", "longUrl")
        good = valid_url(long_url)
        data.append(
            {
                "longUrl": long_url,
                "shortUrl": SHORT_DOMAIN + short_code(long_url) if good else None,
                "error": not good,
            }
        )
    return ok({"data": data})


def decode_image(text: str) -> bytes | None:
    """The bytes of a base64 JPEG or PNG (a `data:` URI prefix is tolerated), else None."""
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if any(raw.startswith(magic) for magic in _MAGIC) else None


def _account_folder(request: Request) -> str:
    """The account's upload folder: 16 letters and digits fixed by the username."""
    credentials = parse_basic_auth(request.headers.get("authorization"))
    user = credentials[0] if credentials else ""
    return short_code("uploads|" + user) + short_code("folder|" + user) + short_code(user)[:4]


async def generate_images(request: Request) -> Response:
    """POST /images/generate: host base64 images and answer their public URLs."""
    body = await read_json(request)
    images = _list_field(body, "images")
    items = []
    for index, item in enumerate(images):
        path = f"images.{index}"
        external_id = _item_str(item, path, "externalId")
        extension = _item_str(item, path, "extension")
        if extension not in IMAGE_EXTENSIONS:
            raise invalid(f"The selected {path}.extension is invalid.")
        items.append((external_id, extension, _item_str(item, path, "base64")))
    folder = f"{base_url(request)}/uploads/{_account_folder(request)}"
    data = []
    for external_id, extension, encoded in items:
        raw = decode_image(encoded)
        # Stored under the content's hash, so uploading the same image twice costs nothing.
        url = f"{folder}/{hashlib.sha256(raw).hexdigest()}.{extension}" if raw else None
        data.append({"externalId": external_id, "imageUrl": url, "error": raw is None})
    return ok({"data": data})


async def coverage(request: Request) -> Response:
    """GET /sms/coverage: the price of an SMS to every network."""
    return ok({"data": network_rows()})


async def coverage_by_country(request: Request) -> Response:
    """GET /sms/coverageByCountry: networks and price range per country."""
    return ok({"data": country_rows()})


ROUTES = [
    Route("/shortener/shorten", shorten, methods=["POST"]),
    Route("/images/generate", generate_images, methods=["POST"]),
    Route("/sms/coverage", coverage, methods=["GET"]),
    Route("/sms/coverageByCountry", coverage_by_country, methods=["GET"]),
]
