"""360nrs: campaigns, event and key reports, certificates, tools and coverage."""

from __future__ import annotations

import base64
import csv
import io
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from backends.base import Backend
from backends.capabilities import (
    CampaignsApi,
    CertificatesApi,
    CoverageApi,
    ImagesApi,
    ReportsApi,
    ShortenerApi,
)
from backends.errors import InvalidInput, MalformedResponse
from backends.http import parse_datetime, path
from backends.models.reports import (
    CAMPAIGN_CHANNELS,
    IMAGE_EXTENSIONS,
    Campaign,
    Certificate,
    CertificateKind,
    CountryPrice,
    EventsReport,
    HostedImage,
    ImageUpload,
    KeyPress,
    KeysReport,
    NetworkPrice,
    ReportEvent,
    SendingEvents,
    SendingSummary,
    ShortUrl,
)
from backends.nrs360.common import _int, _rows, _str

#: Columns of the events report for voice sendings, then for every other channel.
_HEAD = (
    "campaignName",
    "campaignId",
    "sendingId",
    "contactId",
    "event",
    "phone",
    "email",
    "landline",
    "countryIso",
)
VOICE_COLUMNS = (*_HEAD, "callDurationSeconds", "createdAt")
OTHER_COLUMNS = (*_HEAD, "browser", "os", "url", "createdAt")
KNOWN_COLUMNS = frozenset(VOICE_COLUMNS) | frozenset(OTHER_COLUMNS)
KEYS_COLUMNS = ("phonenumber", "key", "message")
CSV_ACCEPT = "text/csv, application/json;q=0.5"
PDF_ACCEPT = "application/pdf, application/json;q=0.5"
_CERTIFICATE_PATHS: dict[str, str] = {"sms": "sms", "mail": "mailing"}
_FILENAME_RE = re.compile(r"""filename\*?=(?:UTF-8'')?"?([^";]+)"?""", re.IGNORECASE)


def rfc3986_query(params: Mapping[str, str | None]) -> str:
    """A query string with every reserved character percent-encoded (RFC 3986).

    The reference insists on RFC 3986 encoding: `+` in a date must travel as %2B, or the
    server reads it as a space. httpx's form-style encoding writes spaces as `+`, so the
    query is built here instead, as PHP's `http_build_query(..., PHP_QUERY_RFC3986)` does.
    """
    return "&".join(
        f"{quote(key, safe='')}={quote(value, safe='')}"
        for key, value in params.items()
        if value is not None
    )


def date_param(when: datetime | None) -> str | None:
    """An aware datetime as the ISO 8601 string the filters take, in UTC."""
    if when is None:
        return None
    if when.tzinfo is None:
        raise ValueError("report and campaign date filters must carry a time zone")
    return when.astimezone(UTC).isoformat(timespec="seconds")


def _with_query(path: str, params: Mapping[str, str | None]) -> str:
    query = rfc3986_query(params)
    return f"{path}?{query}" if query else path


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def parse_sending(d: Mapping[str, Any]) -> SendingSummary:
    """One sending of a campaign."""
    ev = d.get("events")
    counts = ev if isinstance(ev, dict) else {}
    tags = d.get("tags")
    return SendingSummary(
        id=_int(d.get("id")) or 0,
        campaign_name=str(d.get("campaignName") or ""),
        status=str(d.get("status") or ""),
        channel=str(d.get("channel") or ""),
        total=_int(d.get("total")) or 0,
        processed=_int(d.get("processed")) or 0,
        total_sms_parts=_int(d.get("totalSmsParts")),
        cost=_float(d.get("cost")),
        currency=str(d.get("currency") or ""),
        tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
        scheduled_at=parse_datetime(d.get("scheduledAt")),
        expires_at=parse_datetime(d.get("expiresAt")),
        started_at=parse_datetime(d.get("startedAt")),
        finished_at=parse_datetime(d.get("finishedAt")),
        created_at=parse_datetime(d.get("createdAt")),
        updated_at=parse_datetime(d.get("updatedAt")),
        events=SendingEvents(
            **{name: _int(counts.get(name)) or 0 for name in SendingEvents.__dataclass_fields__}
        ),
    )


def parse_campaign(d: Mapping[str, Any]) -> Campaign:
    """A campaign with its sendings."""
    sendings = d.get("sendings")
    rows = sendings.get("data") if isinstance(sendings, dict) else None
    return Campaign(
        id=_int(d.get("id")) or 0,
        name=str(d.get("name") or ""),
        type=str(d.get("type") or ""),
        created_at=parse_datetime(d.get("createdAt")),
        updated_at=parse_datetime(d.get("updatedAt")),
        sendings=tuple(parse_sending(s) for s in rows or () if isinstance(s, dict)),
    )


def _csv_rows(text: str) -> list[list[str]]:
    """Rows of a CSV answer: comma-separated, or semicolons if the header uses them."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]


def _opt_int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.lstrip("-").isdigit() else None


def parse_events_csv(text: str) -> EventsReport:
    """An events report in either documented layout; extra columns are custom fields."""
    rows = _csv_rows(text)
    if not rows:
        return EventsReport(csv=text, columns=(), rows=())
    columns = tuple(c.strip() for c in rows[0])
    if "event" not in columns:
        raise MalformedResponse(
            "the events report has no 'event' column", status=200, provider="360nrs"
        )
    extra = [c for c in columns if c not in KNOWN_COLUMNS]
    events = []
    for number, raw in enumerate(rows[1:], start=2):
        if len(raw) != len(columns):
            raise MalformedResponse(
                f"events report line {number} has {len(raw)} columns, not {len(columns)}",
                status=200,
                provider="360nrs",
            )
        row = dict(zip(columns, raw, strict=True))
        duration = row.get("callDurationSeconds")
        events.append(
            ReportEvent(
                campaign_name=row.get("campaignName", ""),
                campaign_id=_opt_int(row.get("campaignId", "")),
                sending_id=_opt_int(row.get("sendingId", "")),
                contact_id=_opt_int(row.get("contactId", "")),
                event=row["event"],
                phone=row.get("phone", ""),
                email=row.get("email", ""),
                landline=row.get("landline", ""),
                country_iso=row.get("countryIso", ""),
                browser=row.get("browser", ""),
                os=row.get("os", ""),
                url=row.get("url", ""),
                call_duration_seconds=_opt_int(duration) if duration is not None else None,
                created_at=parse_datetime(row.get("createdAt")),
                custom_fields={key: row[key] for key in extra},
            )
        )
    return EventsReport(csv=text, columns=columns, rows=tuple(events))


def parse_keys_csv(text: str) -> KeysReport:
    """A keystroke report: `phonenumber,key,message`, header first."""
    rows = _csv_rows(text)
    if rows and tuple(c.strip().lower() for c in rows[0]) == KEYS_COLUMNS:
        rows = rows[1:]
    presses = []
    for number, row in enumerate(rows, start=2):
        if len(row) < 2:
            raise MalformedResponse(
                f"keys report line {number} has no key column", status=200, provider="360nrs"
            )
        message = row[2] if len(row) > 2 else ""
        presses.append(KeyPress(phone=row[0].strip(), key=row[1].strip(), message=message))
    return KeysReport(csv=text, rows=tuple(presses))


def parse_network_price(d: Mapping[str, Any]) -> NetworkPrice:
    """One row of GET /sms/coverage."""
    return NetworkPrice(
        country_iso=str(d.get("countryIso") or ""),
        country_name=str(d.get("countryName") or ""),
        network=str(d.get("networkName") or ""),
        mcc=str(d.get("mcc") or ""),
        mnc=_str(d.get("mnc")),
        cost=_float(d.get("cost")) or 0.0,
        currency=str(d.get("currencyCode") or ""),
        currency_symbol=str(d.get("currencySymbol") or ""),
    )


def parse_country_price(d: Mapping[str, Any]) -> CountryPrice:
    """One row of GET /sms/coverageByCountry."""
    networks = d.get("networks")
    return CountryPrice(
        country_iso=str(d.get("countryIso") or ""),
        country_name=str(d.get("countryName") or ""),
        networks=tuple(str(n) for n in networks) if isinstance(networks, list) else (),
        min_cost=_float(d.get("minCost")) or 0.0,
        max_cost=_float(d.get("maxCost")) or 0.0,
        currency=str(d.get("currencyCode") or ""),
        currency_symbol=str(d.get("currencySymbol") or ""),
    )


def _filename(response: httpx.Response) -> str | None:
    match = _FILENAME_RE.search(response.headers.get("content-disposition", ""))
    return match.group(1).strip() if match else None


def _same_country(country: str | None, iso: str) -> bool:
    return country is None or iso.upper() == country.strip().upper()


class Nrs360Reports(
    Backend, CampaignsApi, ReportsApi, CertificatesApi, ShortenerApi, ImagesApi, CoverageApi
):
    """360nrs implementation of `ReportsApi` (mixed into Nrs360Backend)."""

    async def campaigns(
        self,
        *,
        name: str | None = None,
        channel: str | None = None,
        before: datetime | None = None,
        after: datetime | None = None,
    ) -> list[Campaign]:
        if channel is not None and channel not in CAMPAIGN_CHANNELS:
            raise ValueError(
                f"campaign channel must be one of {', '.join(CAMPAIGN_CHANNELS)}, not {channel!r}"
            )
        where = _with_query(
            "campaigns",
            {
                "name": name,
                "channel": channel,
                "beforeDate": date_param(before),
                "afterDate": date_param(after),
            },
        )
        return [parse_campaign(d) for d in _rows(await self.http.json("GET", where))]

    async def _csv(self, where: str) -> str:
        response = await self.http.request("GET", where, headers={"Accept": CSV_ACCEPT})
        return response.text

    async def sending_events(
        self,
        sending_id: int,
        *,
        after: datetime | None = None,
        before: datetime | None = None,
        custom_fields: bool = False,
    ) -> EventsReport:
        where = _with_query(
            path("sendings", sending_id, "reports", "events"),
            {
                "afterDate": date_param(after),
                "beforeDate": date_param(before),
                "showCustomFields": "1" if custom_fields else None,
            },
        )
        return parse_events_csv(await self._csv(where))

    async def sending_keys(
        self,
        sending_id: int,
        *,
        after: datetime | None = None,
        before: datetime | None = None,
    ) -> KeysReport:
        where = _with_query(
            path("sendings", sending_id, "reports", "keys"),
            {"afterDate": date_param(after), "beforeDate": date_param(before)},
        )
        return parse_keys_csv(await self._csv(where))

    async def certificate(self, kind: CertificateKind, message_id: str) -> Certificate:
        if kind not in _CERTIFICATE_PATHS:
            raise ValueError(f"certificate kind must be sms or mail, not {kind!r}")
        if not message_id:
            raise ValueError("no message id")
        where = path(_CERTIFICATE_PATHS[kind], "certificates", message_id)
        response = await self.http.request("GET", where, headers={"Accept": PDF_ACCEPT})
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        # A JSON body with a 2xx status would be saved as a "certificate" nobody can open.
        if content_type == "application/json" or not response.content:
            raise MalformedResponse(
                "the certificate answer is not a document",
                status=response.status_code,
                provider=self.provider,
            )
        return Certificate(
            content=response.content,
            content_type=content_type or "application/octet-stream",
            filename=_filename(response),
        )

    async def shorten(self, urls: Sequence[str]) -> list[ShortUrl]:
        body = {"urls": [{"longUrl": url} for url in urls]}
        rows = _rows(await self.http.json("POST", "shortener/shorten", json=body))
        return [
            ShortUrl(
                long_url=str(d.get("longUrl") or ""),
                short_url=_str(d.get("shortUrl")),
                error=d.get("error") is not False or not _str(d.get("shortUrl")),
            )
            for d in rows
        ]

    async def image_generate(self, images: Sequence[ImageUpload]) -> list[HostedImage]:
        # "externalId ... External ID to identify the image in the response": two images
        # with one id could not be told apart in the answer.
        seen: set[str] = set()
        for image in images:
            if image.external_id in seen:
                raise InvalidInput(
                    f"360nrs: two images have the external id {image.external_id!r}; "
                    "each needs its own"
                )
            seen.add(image.external_id)
            if image.extension not in IMAGE_EXTENSIONS:
                raise ValueError(
                    f"image {image.external_id!r}: extension must be jpg or png, "
                    f"not {image.extension!r}"
                )
        body = {
            "images": [
                {
                    "externalId": image.external_id,
                    "extension": image.extension,
                    "base64": base64.b64encode(image.content).decode("ascii"),
                }
                for image in images
            ]
        }
        rows = _rows(await self.http.json("POST", "images/generate", json=body))
        return [
            HostedImage(
                external_id=str(d.get("externalId") or ""),
                image_url=_str(d.get("imageUrl")),
                error=d.get("error") is not False or not _str(d.get("imageUrl")),
            )
            for d in rows
        ]

    # The coverage endpoints document no filter: a country is picked out client-side.
    async def coverage(self, country: str | None = None) -> list[NetworkPrice]:
        rows = _rows(await self.http.json("GET", "sms/coverage"))
        prices = [parse_network_price(d) for d in rows]
        return [p for p in prices if _same_country(country, p.country_iso)]

    async def coverage_by_country(self, country: str | None = None) -> list[CountryPrice]:
        rows = _rows(await self.http.json("GET", "sms/coverageByCountry"))
        prices = [parse_country_price(d) for d in rows]
        return [p for p in prices if _same_country(country, p.country_iso)]
