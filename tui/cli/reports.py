"""`switchboard campaigns, report, certificate, shorten, image, coverage`."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from backends.base import Backend
from backends.capabilities import (
    CampaignsApi,
    CertificatesApi,
    CoverageApi,
    ImagesApi,
    ReportsApi,
    ShortenerApi,
)
from backends.errors import SwitchboardError
from backends.models.reports import (
    CAMPAIGN_CHANNELS,
    Campaign,
    CountryPrice,
    EventsReport,
    ImageUpload,
    NetworkPrice,
    ReportEvent,
)
from tui.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    Context,
    UsageError,
    add_account_arg,
    check_writable,
    table,
    with_backend,
)
from tui.csvin import csv_table
from tui.csvout import csv_text
from tui.dates import fmt_time, parse_when
from tui.files import write_atomic

_IMAGE_SUFFIXES = {".jpg": "jpg", ".jpeg": "jpg", ".png": "png"}


def _parser(actions: Any, name: str, common: argparse.ArgumentParser, helptext: str) -> Any:
    p = actions.add_parser(name, parents=[common], help=helptext)
    add_account_arg(p)
    return p


def _dates(p: argparse.ArgumentParser) -> None:
    p.add_argument("--after", type=parse_date, help="ISO 8601 date; local time without an offset")
    p.add_argument("--before", type=parse_date, help="ISO 8601 date; local time without an offset")


def _output(p: argparse.ArgumentParser, *, required: bool = False) -> None:
    p.add_argument("-o", "--output", type=Path, required=required, help="file to write")
    p.add_argument("--force", action="store_true", help="overwrite the file if it exists")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the commands of this area."""
    c = _parser(sub, "campaigns", common, "list campaigns and their sendings' totals")
    c.add_argument("--name", metavar="PATTERN", help="campaign name; * matches any text")
    c.add_argument("--channel", choices=CAMPAIGN_CHANNELS)
    _dates(c)
    c.set_defaults(handler=cmd_campaigns)

    r = sub.add_parser("report", help="per-recipient reports of a sending (CSV)")
    rs = r.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    ev = _parser(rs, "events", common, "events of each recipient (sent, delivered, clicked...)")
    ev.add_argument("sending_id", type=int, metavar="SENDING_ID")
    ev.add_argument("--custom-fields", action="store_true", help="add the custom field columns")
    _dates(ev)
    _output(ev)
    ev.set_defaults(handler=cmd_report_events)
    keys = _parser(rs, "keys", common, "keys pressed in a voice-interactive sending")
    keys.add_argument("sending_id", type=int, metavar="SENDING_ID")
    _dates(keys)
    _output(keys)
    keys.set_defaults(handler=cmd_report_keys)

    cert = _parser(sub, "certificate", common, "download a certified message's certificate")
    cert.add_argument("kind", choices=("sms", "mail"), metavar="sms|mail")
    cert.add_argument("id", metavar="ID", help="message id returned when it was sent")
    _output(cert, required=True)
    cert.set_defaults(handler=cmd_certificate)

    short = _parser(sub, "shorten", common, "short links (https://sms.tl/...) for long URLs")
    short.add_argument("urls", nargs="+", metavar="URL")
    short.set_defaults(handler=cmd_shorten)

    img = sub.add_parser("image", help="images hosted by the provider")
    imgs = img.add_subparsers(dest="image_command", metavar="ACTION", required=True)
    up = _parser(imgs, "upload", common, "host JPEG/PNG files and print their public URLs")
    up.add_argument("files", nargs="+", type=Path, metavar="FILE")
    up.add_argument(
        "--external-id",
        action="append",
        default=[],
        help="id to tell the image apart in the answer: once per file, in order "
        "(default: the file name, numbered when two files share one)",
    )
    up.set_defaults(handler=cmd_image_upload)

    cov = _parser(sub, "coverage", common, "SMS prices per country, or per network of one")
    cov.add_argument("--country", metavar="XX", help="two-letter ISO code: list its networks")
    cov.set_defaults(handler=cmd_coverage)


# --- helpers ------------------------------------------------------------------------------


def parse_date(text: str) -> datetime:
    """An ISO 8601 date or datetime from the command line (tui.dates: local without offset)."""
    try:
        return parse_when(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def safe_csv(text: str) -> bytes:
    """A provider's CSV report as the file to save: the same table through the one
    formula-safe writer (its cells hold what recipients and forms typed)."""
    header, rows = csv_table(text)
    return csv_text(header, rows)[0].encode("utf-8") if header else b""


def write_file(path: Path, data: bytes, force: bool) -> None:
    """Write `data` to `path` atomically: readers never see half a document."""
    check_writable(path, force)
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _recipient(row: ReportEvent) -> str:
    return row.phone or row.email or row.landline


def _detail(row: ReportEvent) -> str:
    if row.call_duration_seconds is not None and row.event == "delivered":
        return f"{row.call_duration_seconds} s"
    return row.url or " ".join(p for p in (row.browser, row.os) if p)


def _print_events(ctx: Context, report: EventsReport, custom: bool) -> None:
    keys = sorted({k for row in report.rows for k in row.custom_fields}) if custom else []
    rows = [
        (
            fmt_time(r.created_at),
            r.event,
            _recipient(r),
            r.country_iso,
            _detail(r),
            *(r.custom_fields.get(k, "") for k in keys),
        )
        for r in report.rows
    ]
    table(ctx, ("AT", "EVENT", "RECIPIENT", "COUNTRY", "DETAIL", *keys), rows)


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "no events"


def _campaign_rows(campaigns: list[Campaign]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for c in campaigns:
        for s in c.sendings or ():
            ev = s.events
            rows.append(
                (
                    c.id,
                    c.name,
                    s.id,
                    s.channel,
                    s.status,
                    f"{s.processed}/{s.total}",
                    ev.delivered,
                    ev.clicked,
                    f"{s.cost:.2f} {s.currency}" if s.cost is not None else "",
                    fmt_time(s.created_at),
                )
            )
        if not c.sendings:
            rows.append((c.id, c.name, "", "", "", "", "", "", "", fmt_time(c.created_at)))
    return rows


CAMPAIGN_HEADERS = (
    "ID",
    "NAME",
    "SENDING",
    "CHANNEL",
    "STATUS",
    "SENT",
    "DELIVERED",
    "CLICKED",
    "COST",
    "CREATED",
)


# --- commands -----------------------------------------------------------------------------


async def cmd_campaigns(ctx: Context, args: argparse.Namespace) -> int:
    """List campaigns with server-side filters."""

    async def run(backend: Backend) -> int:
        campaigns = await backend.capability(CampaignsApi).campaigns(
            name=args.name, channel=args.channel, before=args.before, after=args.after
        )
        headers = CAMPAIGN_HEADERS
        ctx.emit_list(campaigns, lambda: table(ctx, headers, _campaign_rows(campaigns)))
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_report_events(ctx: Context, args: argparse.Namespace) -> int:
    """Print or save a sending's events report."""
    if args.output is not None:
        check_writable(args.output, args.force)

    async def run(backend: Backend) -> int:
        report = await backend.capability(ReportsApi).sending_events(
            args.sending_id, after=args.after, before=args.before, custom_fields=args.custom_fields
        )
        if args.output is not None:
            write_file(args.output, safe_csv(report.csv), args.force)
        counts = report.counts()

        def show() -> None:
            if args.output is None:
                _print_events(ctx, report, args.custom_fields)
            else:
                ctx.print(f"Wrote {len(report.rows)} events to {args.output}.")
            ctx.print(_summary(counts))

        data = {"columns": report.columns, "rows": report.rows, "counts": counts}
        ctx.emit({**data, "output": args.output}, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_report_keys(ctx: Context, args: argparse.Namespace) -> int:
    """Print or save a voice-interactive sending's keystroke report."""
    if args.output is not None:
        check_writable(args.output, args.force)

    async def run(backend: Backend) -> int:
        report = await backend.capability(ReportsApi).sending_keys(
            args.sending_id, after=args.after, before=args.before
        )
        if args.output is not None:
            write_file(args.output, safe_csv(report.csv), args.force)

        def show() -> None:
            if args.output is None:
                rows = [(k.phone, k.key, k.message) for k in report.rows]
                table(ctx, ("PHONE", "KEY", "MESSAGE"), rows)
            else:
                ctx.print(f"Wrote {len(report.rows)} key presses to {args.output}.")

        ctx.emit({"rows": report.rows, "output": args.output}, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_certificate(ctx: Context, args: argparse.Namespace) -> int:
    """Download a certificate to the file the user named."""
    # Refuse before asking the provider: a download that cannot be saved is wasted.
    check_writable(args.output, args.force)

    async def run(backend: Backend) -> int:
        cert = await backend.capability(CertificatesApi).certificate(args.kind, args.id)
        write_file(args.output, cert.content, args.force)
        data = {
            "id": args.id,
            "output": args.output,
            "bytes": len(cert.content),
            "content_type": cert.content_type,
            "filename": cert.filename,
        }
        ctx.emit(
            data,
            lambda: ctx.print(
                f"Saved the certificate of {args.id} to {args.output} "
                f"({len(cert.content)} bytes, {cert.content_type})."
            ),
        )
        return EXIT_OK

    return await with_backend(ctx, args.account, run)


async def cmd_shorten(ctx: Context, args: argparse.Namespace) -> int:
    """Shorten URLs; exit 3 when the provider refused some."""

    async def run(backend: Backend) -> int:
        links = await backend.capability(ShortenerApi).shorten(args.urls)
        rows = [(s.short_url or "(refused)", s.long_url) for s in links]
        ctx.emit(links, lambda: table(ctx, ("SHORT", "LONG"), rows))
        return EXIT_REJECTED if any(s.error for s in links) else EXIT_OK

    return await with_backend(ctx, args.account, run)


def image_ids(files: list[Path], given: list[str]) -> list[str]:
    """One external id per file, each its own: the reference's externalId is there "to
    identify the image in the response", which two equal ids could not do."""
    if given:
        if len(given) != len(files):
            raise UsageError(
                f"give --external-id once per file ({len(files)} files, {len(given)} ids)"
            )
        if len(set(given)) != len(given):
            raise UsageError("each --external-id must differ from the others")
        return list(given)
    ids: list[str] = []
    for file in files:
        candidate, number = file.stem, 1
        while candidate in ids:
            number += 1
            candidate = f"{file.stem}-{number}"
        ids.append(candidate)
    return ids


def _image(path: Path, external_id: str) -> ImageUpload:
    extension = _IMAGE_SUFFIXES.get(path.suffix.lower())
    if extension is None:
        raise UsageError(f"{path}: only .jpg, .jpeg and .png files can be uploaded")
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    return ImageUpload(external_id=external_id, extension=extension, content=content)


async def cmd_image_upload(ctx: Context, args: argparse.Namespace) -> int:
    """Host images (POST /images/generate); exit 3 when the provider refused some."""
    ids = image_ids(args.files, args.external_id)
    images = [_image(path, external_id) for path, external_id in zip(args.files, ids, strict=True)]

    async def run(backend: Backend) -> int:
        hosted = await backend.capability(ImagesApi).image_generate(images)
        rows = [(h.external_id, h.image_url or "(refused)") for h in hosted]
        ctx.emit(hosted, lambda: table(ctx, ("ID", "URL"), rows))
        return EXIT_REJECTED if any(h.error for h in hosted) else EXIT_OK

    return await with_backend(ctx, args.account, run)


def _country_rows(prices: list[CountryPrice]) -> list[tuple[object, ...]]:
    return [
        (
            p.country_iso,
            p.country_name,
            f"{p.min_cost:.4f}",
            f"{p.max_cost:.4f}",
            p.currency,
            ", ".join(p.networks),
        )
        for p in prices
    ]


def _network_rows(prices: list[NetworkPrice]) -> list[tuple[object, ...]]:
    return [(p.network, p.mcc, p.mnc or "", f"{p.cost:.4f}", p.currency) for p in prices]


async def cmd_coverage(ctx: Context, args: argparse.Namespace) -> int:
    """SMS prices: per country, or per network of one country."""
    country = args.country.strip().upper() if args.country else None
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise UsageError(f"--country expects a two-letter ISO code, not {args.country!r}")

    async def run(backend: Backend) -> int:
        if country is None:
            prices = await backend.capability(CoverageApi).coverage_by_country()
            columns = ("ISO", "COUNTRY", "MIN", "MAX", "CUR", "NETWORKS")
            ctx.emit_list(prices, lambda: table(ctx, columns, _country_rows(prices)))
            return EXIT_OK
        networks = await backend.capability(CoverageApi).coverage(country)
        if not networks:
            raise SwitchboardError(f"{backend.label} lists no SMS coverage for {country}")
        headers = ("NETWORK", "MCC", "MNC", "COST", "CUR")

        def show() -> None:
            ctx.print(f"{networks[0].country_name} ({country})")
            table(ctx, headers, _network_rows(networks))

        ctx.emit_list(networks, show)
        return EXIT_OK

    return await with_backend(ctx, args.account, run)
