"""The one email address check, offline, for the clients' request rules and the senders.

email-validator reads the address as RFC 5321/5322 and IDNA do: an internationalised
domain (`user@bücher.de`) is an address, a dot before the @ (`a.@b.com`) or a reserved
domain (`.invalid`, `.test`, `localhost`) is not, nor a part before the @ longer than RFC
5321's 64 octets (`strict`, email-validator 2.3+). No DNS is asked (`check_deliverability`
off): checking is offline and takes about as long as parsing a phone number.
"""

from __future__ import annotations


def check_email(text: str) -> tuple[str | None, str]:
    """(the address normalised, "") or (None, why it cannot be an email address).

    Normalised: surrounding spaces dropped, the domain lower-cased (and in Unicode form);
    the part before the @ is kept as typed, since some mail servers tell cases apart.
    """
    value = text.strip()
    if not value:
        return None, "empty"
    # Imported on first use: email-validator compiles its patterns on import (65-70 ms
    # measured on a busy 2-core machine), and most commands never check an address.
    from email_validator import EmailNotValidError, validate_email

    try:
        got = validate_email(value, check_deliverability=False, strict=True)
    except EmailNotValidError as exc:
        # Its messages are one sentence ("An email address cannot have two periods in
        # a row."): shown as a reason, without the final period.
        return None, str(exc).rstrip(".")
    return got.normalized, ""


def normalise_email(text: str) -> str | None:
    """The address normalised (see check_email), or None when it cannot be one."""
    return check_email(text)[0]


def email_problem(text: str) -> str | None:
    """Why `text` cannot be an email address, or None when it can."""
    return check_email(text)[1] or None
