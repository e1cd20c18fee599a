"""The options the CLI's send commands share: argument types (dates, delivery windows,
caller ids), --sub-file variables, campaign and OTP options, and an SMS send's options
(`sms send`; `landing send` takes most of them)."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from backends.models.common import AvailableTime, OtpConfig
from tui.cli.common import UsageError
from tui.dates import parse_when

_WINDOW_RE = re.compile(r"^(?:([1-7]):)?(\d{2}:\d{2})-(\d{2}:\d{2})$")

# --- argument types -------------------------------------------------------------------------


def when_arg(text: str) -> datetime:
    """An argument type for tui.dates' rule (ISO 8601; local time without an offset)."""
    try:
        return parse_when(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def schedule_arg(text: str) -> datetime:
    """`when_arg` for a send time; a moment already past is sent at once by the provider,
    so it is allowed but said on stderr (a resent script's old date is usually a slip)."""
    moment = when_arg(text)
    if moment <= datetime.now(UTC):
        print(
            f"switchboard: warning: {text.strip()} has already passed; the provider sends at once",
            file=sys.stderr,
        )
    return moment


def parse_window(text: str) -> AvailableTime:
    """`DAY:HH:MM-HH:MM` (day 1 = Monday ... 7) or `HH:MM-HH:MM` for every day, in UTC."""
    match = _WINDOW_RE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(
            f"expected DAY:HH:MM-HH:MM or HH:MM-HH:MM (UTC), got {text!r}"
        )
    day, start, end = match.groups()
    return AvailableTime(start, end, int(day) if day else None)


def parse_caller(text: str) -> tuple[str, str]:
    """`CC=NUMBER`: the caller id to use for one country."""
    country, sep, number = text.partition("=")
    if not sep or not country or not number:
        raise argparse.ArgumentTypeError(f"expected COUNTRY=NUMBER (e.g. ES=6123456789): {text!r}")
    return country.strip().upper(), number.strip()


def load_subs(path: str | None) -> tuple[Mapping[str, str], ...]:
    """A JSON file holding an array with one object of variables per recipient."""
    if path is None:
        return ()
    try:
        data = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise UsageError(f"cannot read substitutions from {path}: {exc}") from None
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise UsageError(f"{path} must hold a JSON array of objects, one per recipient")
    return tuple({str(k): str(v) for k, v in d.items()} for d in data)


def read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None


def flag_option(value: bool) -> bool | None:
    """A store_true flag as a request option: given means True, absent means the default."""
    return True if value else None


# --- options shared with `sms send` ---------------------------------------------------------


def add_campaign_args(parser: argparse.ArgumentParser) -> None:
    """--campaign and --tag."""
    parser.add_argument("--campaign", help="campaign name (created or reused)")
    parser.add_argument(
        "--tag", action="append", default=[], help="campaign tag (repeatable; needs --campaign)"
    )


def add_otp_args(parser: argparse.ArgumentParser) -> None:
    """How an {OTP_CODE} in the text is generated."""
    parser.add_argument("--otp-length", type=int, help="{OTP_CODE} length (3-10)")
    parser.add_argument("--otp-alpha", action="store_true", help="alphanumeric {OTP_CODE}")
    parser.add_argument("--otp-max-attempts", type=int, help="checks allowed (1-10)")
    parser.add_argument("--otp-validity", type=int, help="seconds the code is valid (30-600)")
    parser.add_argument("--otp-app-id", help="separate codes per application")
    parser.add_argument(
        "--otp-reject-if-pending", action="store_true", help="no new code while one is pending"
    )


def otp_config(args: argparse.Namespace) -> OtpConfig | None:
    """The OtpConfig the --otp-* options describe (None when none was given)."""
    cfg = OtpConfig(
        alpha=flag_option(args.otp_alpha),
        length=args.otp_length,
        max_attempts=args.otp_max_attempts,
        max_seconds_validity=args.otp_validity,
        app_id=args.otp_app_id,
        reject_if_pending=flag_option(args.otp_reject_if_pending),
    )
    return None if cfg == OtpConfig() else cfg


def add_sms_options(parser: argparse.ArgumentParser, *, landing: bool = False) -> None:
    """The options of an SMS send (`sms send`; `landing send` takes all but the last few)."""
    parser.add_argument(
        "--encoding",
        choices=("gsm", "gsm-pt", "utf-16"),
        help="default: gsm, or utf-16 when a recipient's text needs it",
    )
    limit = 8 if landing else 15
    parser.add_argument(
        "--parts",
        type=int,
        help=f"parts allowed per message (1-{limit}; default: what the longest text needs)",
    )
    parser.add_argument(
        "--trans",
        action=argparse.BooleanOptionalAction,
        help="replace common characters missing from GSM7 (á -> a)",
    )
    parser.add_argument("--schedule", type=schedule_arg, help="send at (ISO 8601; local if naive)")
    parser.add_argument("--expires", type=when_arg, help="expire at (ISO 8601; local if naive)")
    add_campaign_args(parser)
    parser.add_argument("--certified", action="store_true", help="send as certified (costs more)")
    parser.add_argument("--split-parts", action="store_true", help="separate SMS, not concatenated")
    parser.add_argument("--flash", action="store_true", help="flash SMS")
    parser.add_argument(
        "--sub-file", help="JSON array of variables, one object per recipient (in --to order)"
    )
    if landing:
        # Appended so a second one is refused (sms_options), not silently dropped.
        parser.add_argument(
            "--notification-url", action="append", default=[], help="delivery notification URL"
        )
        return
    parser.add_argument(
        "--notification-url",
        action="append",
        default=[],
        help="delivery notification URL (once for all, or once per recipient in --to order)",
    )
    parser.add_argument(
        "--notification-url-column",
        metavar="COL",
        help="with --csv: the column holding each recipient's own notification URL",
    )
    parser.add_argument(
        "--available",
        type=parse_window,
        action="append",
        default=[],
        metavar="[DAY:]HH:MM-HH:MM",
        help="UTC delivery window, day 1=Monday..7 (repeatable)",
    )
    add_otp_args(parser)


def sms_options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments of SmsRequest (or, without the SMS-only ones, LandingRequest)."""
    options: dict[str, Any] = {
        "encoding": args.encoding,
        "parts": args.parts,
        "trans": args.trans,
        "schedule_date": args.schedule,
        "expiration_date": args.expires,
        "campaign_name": args.campaign,
        "tags": tuple(args.tag),
        "certified": flag_option(args.certified),
        "sub": load_subs(args.sub_file),
        "split_parts": flag_option(args.split_parts),
        "flash": flag_option(args.flash),
    }
    urls = tuple(args.notification_url)
    if not hasattr(args, "available"):
        # POST /landingsms documents `notificationUrl` as "string": one URL for the send.
        if len(urls) > 1:
            raise UsageError(
                "a landing SMS takes one --notification-url (its reference has no list)"
            )
        options["notification_url"] = urls[0] if urls else None
        return options
    # POST /sms: "It is possible to specify a different notification url per recipient ...
    # The array must contain as many elements as the send recipients."
    if len(urls) > 1 and len(urls) != len(args.to or ()):
        raise UsageError("give one --notification-url, or exactly one per --to")
    options["notification_url"] = urls if len(urls) > 1 else (urls[0] if urls else None)
    options["available_times"] = tuple(args.available)
    options["otp_config"] = otp_config(args)
    return options
