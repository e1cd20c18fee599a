"""8x8 SMS Engage: survey batches under `https://sms.8x8.com/api/v1` with a Bearer API key.

The reference documents one endpoint, POST
`subaccounts/{subAccountId}/surveys/{surveyId}/messages/batch`; the backend implements
`send_survey_batch` only, so its one capability is `Capability.SURVEY_BATCH`. Batches are
validated here first so a typo in an id or a template fails with a clear message before
anything is sent.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from backends.base import Backend, Connection
from backends.capabilities import SurveyBatchApi
from backends.eightbyeight.models import (
    SurveyBatch,
    SurveyBatchResult,
    SurveyRecipientResult,
)
from backends.eightbyeight.rules import (
    DESTINATION_RE,
    ENCODINGS,
    INVALID_MSISDN,
    MAX_MESSAGES,
    RULES,
    SUBACCOUNT_ID_RE,
    URL_VARIABLE_RE,
)
from backends.errors import MalformedResponse
from backends.http import HttpClient, path

# The reference gives no pattern for surveyId (a name 8x8 assigns). It is a path segment,
# so we accept the subAccountId alphabet, which needs no percent-encoding, 1-50 long; the
# sandbox applies the same rule.
SURVEY_ID_RE = re.compile(r"^[A-Za-z0-9\-._&]{1,50}$")
COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")
MAX_CLIENT_BATCH_ID = 20
MAX_SOURCE = 16
MAX_CLIENT_MESSAGE_ID = 350
QUEUED = "QUEUED"
REJECTED = "REJECTED"


def check_sub_account_id(value: str) -> str:
    """The subAccountId, or ValueError quoting the documented pattern."""
    if not SUBACCOUNT_ID_RE.match(value):
        raise ValueError(
            f"invalid 8x8 subAccountId {value!r}: 3-50 letters, digits or - . _ & "
            f"(pattern {SUBACCOUNT_ID_RE.pattern})"
        )
    return value


def check_survey_id(value: str) -> str:
    """The surveyId, or ValueError saying what it may contain."""
    if not SURVEY_ID_RE.match(value):
        raise ValueError(
            f"invalid 8x8 surveyId {value!r}: 1-50 letters, digits or - . _ & "
            "(the id 8x8 gave you for the survey)"
        )
    return value


def _check_common(where: str, source: str | None, encoding: str | None, url: str | None) -> None:
    if source is not None and len(source) > MAX_SOURCE:
        raise ValueError(f"{where}source: at most {MAX_SOURCE} characters")
    if encoding is not None and encoding not in ENCODINGS:
        raise ValueError(f"{where}encoding: one of {', '.join(ENCODINGS)}")
    if url is not None and not re.match(r"^https?://[^\s/]+\S*$", url):
        raise ValueError(f"{where}dlrCallbackUrl: must be an http(s) URL")


def validate_batch(batch: SurveyBatch, sub_account_id: str) -> None:
    """Raise ValueError naming the first problem the provider would refuse."""
    check_sub_account_id(sub_account_id)
    check_survey_id(batch.survey_id)
    count = len(batch.messages)
    if not 1 <= count <= MAX_MESSAGES:
        raise ValueError(f"a batch holds 1 to {MAX_MESSAGES:,} messages (got {count:,})")
    if batch.client_batch_id is not None and len(batch.client_batch_id) > MAX_CLIENT_BATCH_ID:
        raise ValueError(f"clientBatchId: at most {MAX_CLIENT_BATCH_ID} characters")
    template = batch.template
    if template is not None:
        if not URL_VARIABLE_RE.search(template.template_body):
            raise ValueError("template.templateBody must contain the {{url:}} survey link")
        _check_common("template.", template.source, template.encoding, template.dlr_callback_url)
    for i, m in enumerate(batch.messages):
        where = f"messages[{i}] ({m.destination}): "
        if not m.destination.strip():
            raise ValueError(f"messages[{i}]: destination is required")
        # "Value must match regular expression ^\+{0,1}[1-9]{1}[0-9]{6,14}$": no spaces,
        # no leading 0 (a national number goes without its trunk 0, with `country`).
        if not DESTINATION_RE.match(m.destination):
            raise ValueError(
                f"{where}{INVALID_MSISDN}: a number of 7-15 digits, an optional + "
                "and no leading 0 or spaces"
            )
        body = m.template_body
        if body is None and template is None:
            raise ValueError(f"{where}templateBody is required without a batch template")
        if body is not None and not URL_VARIABLE_RE.search(body):
            raise ValueError(where + "templateBody must contain the {{url:}} survey link")
        if m.country is not None and not COUNTRY_RE.match(m.country):
            raise ValueError(f"{where}country: a two-letter ISO 3166-1 code")
        if m.client_message_id is not None and len(m.client_message_id) > MAX_CLIENT_MESSAGE_ID:
            raise ValueError(f"{where}clientMessageId: at most {MAX_CLIENT_MESSAGE_ID} characters")
        _check_common(where, m.source, m.encoding, m.dlr_callback_url)


def _when(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("scheduled and expiry times must carry a time zone")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    # Unset fields stay out of the body so 8x8's defaults (and the template's) apply.
    if value is None:
        return
    out[key] = _when(value) if isinstance(value, datetime) else value


def batch_body(batch: SurveyBatch) -> dict[str, Any]:
    """The JSON body of the batch request."""
    messages = []
    for m in batch.messages:
        item: dict[str, Any] = {"destination": m.destination}
        _put(item, "country", m.country)
        _put(item, "templateBody", m.template_body)
        if m.template_variables:
            item["templateVariables"] = dict(m.template_variables)
        _put(item, "source", m.source)
        _put(item, "clientMessageId", m.client_message_id)
        _put(item, "encoding", m.encoding)
        _put(item, "scheduled", m.scheduled)
        _put(item, "expiry", m.expiry)
        _put(item, "dlrCallbackUrl", m.dlr_callback_url)
        messages.append(item)
    body: dict[str, Any] = {}
    _put(body, "clientBatchId", batch.client_batch_id)
    body["messages"] = messages
    if batch.template is not None:
        t = batch.template
        template: dict[str, Any] = {"templateBody": t.template_body}
        _put(template, "source", t.source)
        _put(template, "encoding", t.encoding)
        _put(template, "scheduled", t.scheduled)
        _put(template, "expiry", t.expiry)
        _put(template, "dlrCallbackUrl", t.dlr_callback_url)
        body["template"] = template
    body["includeMessagesInResponse"] = batch.include_messages
    return body


def error_parser(response: httpx.Response, body: Any) -> tuple[int | str | None, str]:
    """(code, message) of an 8x8 error body; the errorId is kept for support enquiries."""
    if isinstance(body, dict):
        code = body.get("code")
        message = body.get("message")
        text = message if isinstance(message, str) and message else response.reason_phrase
        error_id = body.get("errorId")
        if isinstance(error_id, str) and error_id:
            text = f"{text} (errorId {error_id})"
        return (code if isinstance(code, int | str) else None), text
    return None, response.reason_phrase or f"HTTP {response.status_code}"


def _malformed(message: str) -> MalformedResponse:
    return MalformedResponse(message, status=200, provider="8x8")


def _result(item: Any) -> SurveyRecipientResult:
    if not isinstance(item, dict):
        raise _malformed("a batch message result is not an object")
    status = item.get("status")
    code = status.get("code") if isinstance(status, dict) else None
    destination = item.get("destination")
    if not isinstance(code, str) or not isinstance(destination, str):
        raise _malformed("a batch message result has no destination or status code")
    description = status.get("description") if isinstance(status, dict) else None
    umid = item.get("umid")
    accepted = code == QUEUED
    client_id = item.get("clientMessageId")
    encoding = item.get("encoding")
    return SurveyRecipientResult(
        to=destination,
        accepted=accepted,
        id=umid if isinstance(umid, str) else None,
        error_code=None if accepted else code,
        error=None if accepted else (description if isinstance(description, str) else code),
        status=code,
        encoding=encoding if isinstance(encoding, str) else None,
        client_message_id=client_id if isinstance(client_id, str) else None,
    )


def _aligned(
    batch: SurveyBatch, results: list[SurveyRecipientResult]
) -> tuple[SurveyRecipientResult, ...]:
    """Results in request order, matched by clientMessageId when every message has one."""
    if len(results) != len(batch.messages):
        raise _malformed(
            f"8x8 answered {len(results)} message results for {len(batch.messages)} messages"
        )
    ids = [m.client_message_id for m in batch.messages]
    if all(ids) and len(set(ids)) == len(ids):
        by_id = {r.client_message_id: r for r in results}
        if set(by_id) == set(ids):
            return tuple(by_id[i] for i in ids)
    # 8x8 lists results in submission order, as its examples show.
    return tuple(results)


def parse_batch_result(batch: SurveyBatch, body: Any) -> SurveyBatchResult:
    """Map the batch answer; MalformedResponse if it cannot be trusted per message."""
    if not isinstance(body, dict):
        raise _malformed("the batch answer is not an object")
    batch_id = body.get("batchId")
    accepted = body.get("acceptedCount")
    rejected = body.get("rejectedCount")
    if not isinstance(batch_id, str) or not isinstance(accepted, int):
        raise _malformed("the batch answer has no batchId or acceptedCount")
    if not isinstance(rejected, int):
        raise _malformed("the batch answer has no rejectedCount")
    raw = body.get("messages")
    results: tuple[SurveyRecipientResult, ...] = ()
    if batch.include_messages:
        if not isinstance(raw, list):
            raise _malformed("the batch answer has no per-message results")
        results = _aligned(batch, [_result(item) for item in raw])
    client_batch_id = body.get("clientBatchId")
    return SurveyBatchResult(
        results=results,
        batch_id=batch_id,
        client_batch_id=client_batch_id if isinstance(client_batch_id, str) else None,
        accepted_count=accepted,
        rejected_count=rejected,
    )


class EightByEightBackend(Backend, SurveyBatchApi):
    """8x8 SMS Engage survey batches."""

    provider: ClassVar[str] = "8x8"
    # Its label, default URL, secret and settings: backends.providers.
    #: The most messages one batch request may carry.
    max_batch_size: ClassVar[int] = MAX_MESSAGES

    def _make_http(
        self, connection: Connection, transport: httpx.AsyncBaseTransport | None
    ) -> HttpClient:
        return HttpClient(
            provider=self.provider,
            base_url=connection.base_url,
            headers={
                "Authorization": f"Bearer {connection.secret}",
                "Accept": "application/json",
            },
            transport=transport,
            error_parser=error_parser,
            secrets=(connection.secret,),
            rules=RULES,
        )

    def sub_account_id(self, batch: SurveyBatch | None = None) -> str:
        """The subAccountId a batch goes to: its own, else the account's option."""
        value = batch.sub_account_id if batch and batch.sub_account_id else None
        value = value or self.connection.options.get("subaccount_id", "")
        if not value:
            raise ValueError("no 8x8 subaccount id: set the account's subaccount_id option")
        return value

    async def send_survey_batch(self, batch: SurveyBatch) -> SurveyBatchResult:
        sub_account = self.sub_account_id(batch)
        validate_batch(batch, sub_account)
        where = path("subaccounts", sub_account, "surveys", batch.survey_id, "messages", "batch")
        body = await self.http.json("POST", where, json=batch_body(batch))
        return parse_batch_result(batch, body)
