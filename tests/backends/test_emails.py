"""The one email check (email-validator, offline) and the request rules that use it."""

from __future__ import annotations

import pytest

from backends.emails import check_email, email_problem, normalise_email
from backends.models.surveys import (
    DocumentRequest,
    NewRequestContact,
    address_problem,
    check_document_request,
)


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("user@bücher.de", "user@bücher.de"),  # an internationalised domain
        (" Ana@Example.COM ", "Ana@example.com"),  # the part before @ kept as typed
        ("josé.núñez@ejemplo.es", "josé.núñez@ejemplo.es"),
    ],
)
def test_addresses_accepted_and_normalised(text: str, normalised: str) -> None:
    assert check_email(text) == (normalised, "")
    assert normalise_email(text) == normalised and email_problem(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a.@b.com", "period immediately before the @-sign"),
        ("a..b@x.com", "two periods in a row"),
        ("a@b", "should have a period"),
        ("a@x.invalid", "special-use or reserved name"),
        ("x" * 65 + "@x.com", "too long before the @-sign"),
        ("no-at.example.com", "must have an @-sign"),
        ("  ", "empty"),
    ],
)
def test_addresses_refused_with_the_reason(text: str, reason: str) -> None:
    normalised, problem = check_email(text)
    assert normalised is None and reason in problem and not problem.endswith(".")


def test_survey_and_request_checks_use_it() -> None:
    assert address_problem("email", "user@bücher.de") is None
    assert address_problem("email", "a.@b.com") == "'a.@b.com' is not an email address"
    check_document_request(DocumentRequest("c", NewRequestContact(email="user@bücher.de")))
    with pytest.raises(ValueError, match=r"'a.@b.com' is not an email address"):
        check_document_request(DocumentRequest("c", NewRequestContact(email="a.@b.com")))
