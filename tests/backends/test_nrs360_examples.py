# The examples are verbatim, long URLs included.
# ruff: noqa: E501
"""The 360nrs client parses the reference's own example answers, endpoint by endpoint.

Each example below is copied from /work/shared/reference/360nrs-api.txt as printed there
(spacing included), and served by a MockTransport for the documented method and path. A
parser that needs a field the reference does not show, or refuses a shape it shows (a
207, an empty 204, no answer at all where none is documented), fails here.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from backends.models.common import (
    ContactInput,
    CustomField,
    GroupRef,
    MessageEvent,
    SmsRequest,
)
from backends.models.lists import FormElement, FormInput
from backends.models.reports import ImageUpload
from backends.models.send import (
    LandingRequest,
    MailingRequest,
    VoiceAudioRequest,
    VoiceRequest,
    WhatsAppTemplateMessage,
    WhatsAppTemplateRequest,
)
from backends.nrs360.client import Nrs360Backend
from tests.backends.conftest import API, mocked

# --- the reference's examples, verbatim ------------------------------------------------------

SMS_202 = """{
"campaignId" : 100000 ,
"sendingId" : 100001 ,
"result" : [
{
"accepted" : true ,
"to" : "34666555444" ,
"id" : "XXXXXXXXXXXXX" ,
"parts" : 1 ,
"scheduledAt" : null ,
"expiresAt" : null
}
]
}"""

SMS_207 = """{
"campaignId" : 100000 ,
"sendingId" : 100001 ,
"result" : [
{
"accepted" : true ,
"to" : "34666555444" ,
"id" : "XXXXXXXXXXXXX" ,
"parts" : 1 ,
"scheduledAt" : null ,
"expiresAt" : null
},
{
"accepted" : false ,
"to" : "34" ,
"error" : {
"code" : 102 ,
"description" : "No valid recipients"
}
}
]
}"""

SMS_STATUS = """{
"data" : [
{
"id" : "XXXXXXXXXXXXX" ,
"from" : "SAMPLE" ,
"to" : "34666555444" ,
"message" : "SMS text message" ,
"campaignId" : 123456 ,
"sendingId" : 234567 ,
"isDelivered" : true ,
"isClicked" : false ,
"events" : [
{
"type" : "sent" ,
"date" : "2021-07-19T15:00:33+00:00" ,
"isMobile" : false ,
"browser" : "" ,
"os" : ""
},
{
"type" : "delivered" ,
"date" : "2021-07-19T15:00:33+00:00" ,
"isMobile" : false ,
"browser" : "" ,
"os" : ""
}
],
"customFields" : {
"email" : "test@test.com" ,
"phone" : "34666555444" ,
"name" : "Name"
},
"links" : {
"self" : "{{DASHBOARD_HOST}}/api/rest/sms/XXXXXXXXXXXXX"
}
}
]
}"""

MAIL_207 = """{
"campaignId" : 100000 ,
"sendingId" : 100001 ,
"result" : [
{
"accepted" : true ,
"to" : "test@example.com" ,
"id" : "XXXXXXXXXXXXX" ,
"scheduledAt" : null
},
{
"accepted" : false ,
"to" : "invalidEmail" ,
"error" : {
"code" : 102 ,
"description" : "No valid recipients"
}
}
]
}"""

VOICE_207 = """{
"campaignId" : 100000 ,
"sendingId" : 100001 ,
"result" : [
{
"accepted" : true ,
"to" : "34666666666" ,
"id" : "XXXXXXXXXXXXX" ,
"scheduledAt" : null ,
"expiresAt" : null
},
{
"accepted" : false ,
"to" : "34" ,
"error" : {
"code" : 102 ,
"description" : "No valid recipients"
}
}
]
}"""

VOICE_AUDIO_202 = """{
"campaignId" : 100000 ,
"sendingId" : 100001 ,
"result" : [
{
"accepted" : true ,
"to" : "34666666666" ,
"id" : "XXXXXXXXXXXXX" ,
"scheduledAt" : null ,
"expiresAt" : null
}
]
}"""

WHATSAPP_207 = """{
"campaignId" : 100000 ,
"sendingId" : 100001 ,
"result" : [
{
"accepted" : true ,
"to" : "34666555444" ,
"id" : "8b4e5d35-dc16-4e2e-8a9c-c222db81f5ba"
},
{
"accepted" : false ,
"to" : "34" ,
"error" : {
"code" : 102 ,
"description" : "The messages.1.to field does not contain a valid phone number"
}
}
]
}"""

CONVERSATION = """{
"from" : "34666777555" ,
"to" : "34666555444" ,
"totalMessages" : 10 ,
"status" : "OPEN" ,
"isSessionActive" : true ,
"sessionExpiresAt" : "2024-01-02T10:00:00+00:00" ,
"createdAt" : "2024-01-01T10:00:00+00:00" ,
"updatedAt" : "2024-01-01T10:00:00+00:00" ,
"links" : {
"messages" : "{{DASHBOARD_HOST}}/api/rest/whatsapp/conversations/34666777555/34666555444/messages"
},
"contact" : {
"data" : {
"msisdn" : "34666555444" ,
"firstName" : "First" ,
"lastName" : "Last" ,
"email" : "email@example.com" ,
"interest" : "Interest example" ,
"comment" : "Comment example" ,
"country" : "ES"
}
}
}"""

CONVERSATIONS = (
    '{\n"data" : [\n'
    + CONVERSATION
    + """
],
"meta" : {
"pagination" : {
"total" : 500 ,
"count" : 100 ,
"per_page" : 100 ,
"current_page" : 1 ,
"total_pages" : 5 ,
"links" : {
"next" : "{{DASHBOARD_HOST}}/api/rest/whatsapp/conversations&page=2"
}
}
}
}"""
)

MESSAGES = """{
"data" : [
{
"id" : "f564433e-7cd1-47fa-af98-1bd632411b26" ,
"type" : "text" ,
"msisdn" : "34666555444" ,
"content" : "User response" ,
"reactions" : [],
"sentAt" : "2024-01-01T11:00:00+00:00" ,
"deliveredAt" : "2024-01-01T11:00:00+00:00" ,
"readAt" : "2024-01-01T11:01:00+00:00" ,
"failedAt" : null
},
{
"id" : "a8249e62-55a8-4f17-bf6c-c7ad2d844374" ,
"type" : "template" ,
"msisdn" : "34666777555" ,
"content" : "Template content" ,
"reactions" : [ "👍" ],
"sentAt" : "2024-01-01T10:00:00+00:00" ,
"deliveredAt" : "2024-01-01T10:00:00+00:00" ,
"readAt" : "2024-01-01T10:01:00+00:00" ,
"failedAt" : null
}
],
"meta" : {
"status" : "OPEN" ,
"isSessionActive" : true ,
"sessionExpiresAt" : "2024-01-02T10:00:00+00:00" ,
"pagination" : {
"total" : 500 ,
"count" : 100 ,
"per_page" : 100 ,
"current_page" : 1 ,
"total_pages" : 5 ,
"links" : {
"next" : "{{DASHBOARD_HOST}}/api/rest/whatsapp/conversations/34666777555/34666555444/messages&page=2"
}
}
}
}"""

SCHEDULED_MULTI = """{
"result" : [
{
"guid" : "100" ,
"type" : "SMS" ,
"sending_id" : 123 ,
"updated_at" : "2017-09-18 10:49:12" ,
"scheduled_at" : "2017-11-11 10:10:10"
},
{
"guid" : "101" ,
"type" : "SMS" ,
"sending_id" : 123 ,
"created_at" : "2017-09-18 10:49:12" ,
"updated_at" : "2017-09-18 10:49:12" ,
"scheduled_at" : "2017-11-11 10:10:10"
},
{
"guid" : "102" ,
"type" : "SMS" ,
"sending_id" : 123 ,
"created_at" : "2017-09-18 10:49:12" ,
"updated_at" : "2017-09-18 10:49:12" ,
"scheduled_at" : "2017-11-11 10:10:10"
}
],
"total" : 3
}"""

SCHEDULED_SINGLE = """{
"result" : {
"guid" : "100" ,
"type" : "SMS" ,
"content" : {
"to" : "34666555444" ,
"from" : "SAMPLE" ,
"encoding" : "gsm" ,
"message" : "This is a test" ,
"campaignId" : 456 ,
"sendingId" : 123
},
"created_at" : "2017-09-18 10:49:12" ,
"updated_at" : "2017-09-18 10:49:12" ,
"scheduled_at" : "2017-11-11 10:10:10"
},
"total" : 1
}"""

SCHEDULED_UPDATE = """{
"result" : true ,
"updated" : 2
}"""

SCHEDULED_DELETE = """{
"result" : true ,
"deleted" : 2
}"""

CAMPAIGNS = """{
"data" : [
{
"id" : 1 ,
"name" : "My campaign" ,
"type" : "basic" ,
"createdAt" : "2018-12-27T11:31:16+00:00" ,
"updatedAt" : "2018-12-27T11:31:16+00:00" ,
"links" : {
"self" : "{{DASHBOARD_HOST}}/api/rest/campaigns/1" ,
"sendings" : "{{DASHBOARD_HOST}}/api/rest/campaigns/1/sendings"
},
"sendings" : {
"data" : [
{
"id" : 1 ,
"campaignName" : "My campaign" ,
"status" : "OPENED" ,
"channel" : "sms" ,
"total" : 2 ,
"processed" : 2 ,
"totalSmsParts" : 4 ,
"cost" : 0.02 ,
"currency" : "EUR" ,
"tags" : [],
"scheduledAt" : null ,
"expiresAt" : null ,
"startedAt" : null ,
"finishedAt" : null ,
"createdAt" : "2018-12-27T11:31:16+00:00" ,
"updatedAt" : "2018-12-27T11:31:22+00:00" ,
"events" : {
"delivered" : 2 ,
"opened" : 0 ,
"opened_unique" : 0 ,
"clicked" : 0 ,
"clicked_unique" : 0 ,
"unsubscribed" : 0 ,
"hard_bounced" : 0 ,
"complaint" : 0 ,
"sent" : 2 ,
"soft_bounced" : 0 ,
"undelivered" : 0 ,
"rejected" : 0 ,
"expired" : 0 ,
"unsubscribed_landing" : 0
},
"links" : {
"self" : "{{DASHBOARD_HOST}}/api/rest/sendings/1" ,
"eventsReport" : "{{DASHBOARD_HOST}}/api/rest/sendings/1/reports/events"
}
}
]
}
}
]
}"""

CONTACTS = """{
"data" : [
{
"id" : 1 ,
"email" : "email@example.com" ,
"phone" : "34666666666" ,
"countryIso" : "ES" ,
"landline" : "900222222" ,
"name" : "Name" ,
"surname" : "Last name" ,
"createdAt" : "2018-03-13T14:32:25+00:00" ,
"updatedAt" : "2018-07-04T13:57:09+00:00" ,
"customFields" : {
"data" : [
{
"key" : "color" ,
"type" : "string" ,
"value" : "green"
}
]
},
"groups" : {
"data" : [
{
"id" : 1 ,
"name" : "My Contact List"
}
]
}
}
],
"meta" : {
"pagination" : {
"total" : 500 ,
"count" : 100 ,
"per_page" : 100 ,
"current_page" : 1 ,
"total_pages" : 5 ,
"links" : {
"next" : "{{DASHBOARD_HOST}}/api/rest/contacts?include=customFields%2Cgroups&page=2"
}
}
}
}"""

CONTACT = """{
"data" : {
"id" : 1 ,
"email" : "email@example.com" ,
"phone" : "34666666666" ,
"countryIso" : "ES" ,
"landline" : "900222222" ,
"name" : "Name" ,
"surname" : "Last name" ,
"createdAt" : "2018-03-13T14:32:25+00:00" ,
"updatedAt" : "2018-07-04T13:57:09+00:00" ,
"customFields" : {
"data" : [
{
"key" : "color" ,
"type" : "string" ,
"value" : "green"
}
]
},
"groups" : {
"data" : [
{
"id" : 1 ,
"name" : "My Contact List"
}
]
}
}
}"""

CONTACT_SAVED = """{
"data" : {
"id" : 1 ,
"email" : "new.contact@example.com" ,
"phone" : "3466666666" ,
"countryIso" : "ES" ,
"landline" : null ,
"name" : null ,
"surname" : null ,
"createdAt" : "2018-03-13T14:32:25+00:00" ,
"updatedAt" : "2018-03-13T14:32:25+00:00" ,
"links" : {
"self" : "{{DASHBOARD_HOST}}/api/rest/contacts/1"
}
}
}"""

NOT_FOUND = """{
"error" : {
"code" : 404 ,
"description" : "Resource not found"
}
}"""

GROUPS = """{
"data" : [
{
"id" : 1 ,
"name" : "My contact list"
}
],
"meta" : {
"pagination" : {
"total" : 500 ,
"count" : 100 ,
"per_page" : 100 ,
"current_page" : 1 ,
"total_pages" : 5 ,
"links" : {
"next" : "{{DASHBOARD_HOST}}/api/rest/groups?page=2"
}
}
}
}"""

GROUP = """{
"data" : {
"id" : 1 ,
"name" : "My new contact list"
}
}"""

VALIDATIONS = """{
"data" : [
{
"id" : 1 ,
"status" : "finished" ,
"total" : 10 ,
"processed" : 10 ,
"valid" : 9 ,
"estimatedCost" : 0.03 ,
"cost" : 0.03 ,
"currency" : "EUR" ,
"createdAt" : "2018-09-20T08:30:54+00:00" ,
"updatedAt" : "2018-09-20T08:31:00+00:00" ,
"finishedAt" : "2018-09-20T08:31:00+00:00" ,
"resultUrl" : "{{DASHBOARD_HOST}}/api/rest/validation/emails/1/result"
}
],
"meta" : {
"pagination" : {
"total" : 500 ,
"count" : 100 ,
"per_page" : 100 ,
"current_page" : 1 ,
"total_pages" : 5 ,
"links" : {
"next" : "{{DASHBOARD_HOST}}/api/rest/validation/emails?page=2"
}
}
}
}"""

VALIDATION_CREATED = """{
"data" : {
"id" : 2 ,
"status" : "pending" ,
"total" : 1 ,
"processed" : 0 ,
"valid" : 0 ,
"estimatedCost" : 0.0035 ,
"cost" : 0 ,
"currency" : "EUR" ,
"createdAt" : "2018-09-20T10:03:22+00:00" ,
"updatedAt" : "2018-09-20T10:03:22+00:00" ,
"finishedAt" : null ,
"resultUrl" : null
}
}"""

VALIDATION_CSV = """email;result
valid@example.com;deliverable
notvalid@example.com;undeliverable
unknown@example.com;risky
"""

BLACKLIST = """{
"data" : [
{
"type" : "sms" ,
"recipient" : "99000000000" ,
"isDefinitive" : false ,
"sendingId" : 123 ,
"campaignName" : "TEST_CAMPAIGN" ,
"createdAt" : "2020-01-01T00:00:00+00:00"
}
],
"meta" : {
"pagination" : {
"total" : 500 ,
"count" : 100 ,
"per_page" : 100 ,
"current_page" : 1 ,
"total_pages" : 5 ,
"links" : {
"next" : "{{DASHBOARD_HOST}}/api/rest/v2/blacklist/sms?page=2"
}
}
}
}"""

BLACKLIST_ADDED = """{
"data" : {
"type" : "sms" ,
"recipient" : "99000000000" ,
"isDefinitive" : false ,
"campaignName" : null ,
"createdAt" : "2020-01-01T00:00:00+00:00"
}
}"""

TEMPLATES = """{
"data" : [
{
"id" : 1 ,
"name" : "Template 1" ,
"html" : "<h1>Hello world</h1>" ,
"createdAt" : "2018-08-17T12:31:10+00:00" ,
"updatedAt" : null
}
],
"meta" : {
"pagination" : {
"total" : 1 ,
"count" : 1 ,
"per_page" : 100 ,
"current_page" : 1 ,
"total_pages" : 1 ,
"links" : []
}
}
}"""

TEMPLATE_SAVED = """{
"data" : {
"id" : 1 ,
"name" : "New Template" ,
"html" : "<h1>Hello world</h1>" ,
"createdAt" : "2020-01-00T00:00:00+00:00" ,
"updatedAt" : "2020-01-00T00:00:00+00:00" ,
"links" : {
"self" : "{{DASHBOARD_HOST}}/api/rest/templates/1" ,
"preview" : "{{DASHBOARD_HOST}}/api/rest/templates/1/preview"
}
}
}"""

TEMPLATES_V2 = """{
"data" : [
{
"id" : 1 ,
"name" : "Template 1" ,
"type" : "HTML" ,
"createdAt" : "2018-08-17T12:31:10+00:00" ,
"updatedAt" : null
}
],
"meta" : {
"pagination" : {
"total" : 1 ,
"count" : 1 ,
"per_page" : 100 ,
"current_page" : 1 ,
"total_pages" : 1 ,
"links" : []
}
}
}"""

TEMPLATE_V2 = """{
"data" : {
"id" : 1 ,
"name" : "Template 1" ,
"type" : "HTML" ,
"html" : "<h1>Hello world</h1>" ,
"createdAt" : "2018-08-17T12:31:10+00:00" ,
"updatedAt" : null
}
}"""

FORMS = """{
"data" : [
{
"id" : 1 ,
"name" : "Form 1" ,
"placeholder" : "{FORM_1}" ,
"createdAt" : "2018-08-21T11:51:33+00:00" ,
"updatedAt" : null
}
],
"meta" : {
"pagination" : {
"total" : 1 ,
"count" : 1 ,
"per_page" : 100 ,
"current_page" : 1 ,
"total_pages" : 1 ,
"links" : []
}
}
}"""

FORM = """{
"data" : {
"id" : 1 ,
"name" : "Form 1" ,
"placeholder" : "{FORM_1}" ,
"createdAt" : "2018-08-21T11:51:33+00:00" ,
"updatedAt" : null
}
}"""

SHORTENED = """{
"data" : [
{
"longUrl" : "https://example.com/test1" ,
"shortUrl" : "https://sms.tl/dvRINN" ,
"error" : false
},
{
"longUrl" : "https://example.com/test2" ,
"shortUrl" : "https://sms.tl/GFA6Fm" ,
"error" : false
},
{
"longUrl" : "invalidUrl" ,
"shortUrl" : null ,
"error" : true
}
]
}"""

IMAGES = """{
"data" : [
{
"externalId" : "test1" ,
"imageUrl" : "{{DASHBOARD_HOST}}/uploads/UCuh4pdOsW58ZEXX/1b4f0e9851971998e732078544c96b36c3d01cedf7caa332359d6f1d83567014.jpg" ,
"error" : false
},
{
"externalId" : "test2" ,
"imageUrl" : "{{DASHBOARD_HOST}}/uploads/UCuh4pdOsW58ZEXX/60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752.jpg" ,
"error" : false
}
]
}"""

OTP = """{
"data" : {
"recipient" : "34666555444" ,
"code" : "1234" ,
"attempts" : 0 ,
"maxAttempts" : 3 ,
"maxSecondsValidity" : 60 ,
"appId" : "" ,
"createdAt" : "2020-01-01T12:00:00+00:00" ,
"updatedAt" : "2020-01-01T12:00:00+00:00" ,
"expiresAt" : "2020-01-01T12:01:00+00:00"
}
}"""

OTP_EXPIRED = """{
"data" : {
"valid" : false ,
"reason" : "Expired" ,
"otp" : {
"data" : {
"recipient" : "34666555444" ,
"code" : "1234" ,
"attempts" : 1 ,
"maxAttempts" : 3 ,
"maxSecondsValidity" : 60 ,
"appId" : "" ,
"createdAt" : "2020-01-01T12:00:00+00:00" ,
"updatedAt" : "2020-01-01T12:00:00+00:00" ,
"expiresAt" : "2020-01-01T12:01:00+00:00"
}
}
}
}"""

COVERAGE = """{
"data" : [
{
"countryIso" : "AD" ,
"countryName" : "Andorra" ,
"networkName" : "Default" ,
"mcc" : "213" ,
"mnc" : null ,
"cost" : 0.065 ,
"currencyCode" : "EUR" ,
"currencySymbol" : "€"
},
{
"countryIso" : "AD" ,
"countryName" : "Andorra" ,
"networkName" : "Servei De Tele. DAndorra" ,
"mcc" : "213" ,
"mnc" : "003" ,
"cost" : 0.065 ,
"currencyCode" : "EUR" ,
"currencySymbol" : "€"
}
]
}"""

COVERAGE_BY_COUNTRY = """{
"data" : [
{
"countryIso" : "AE" ,
"countryName" : "United Arab Emirates" ,
"networks" : [
"DU" ,
"Etisalat"
],
"minCost" : 0.0868 ,
"maxCost" : 0.0868 ,
"currencyCode" : "EUR" ,
"currencySymbol" : "€"
}
]
}"""

# The events report documents its columns, not a sample: a header and one row of them.
EVENTS_CSV = (
    "campaignName,campaignId,sendingId,contactId,event,phone,email,landline,countryIso,"
    "browser,os,url,createdAt\n"
    "My campaign,1,1,7,delivered,34666555444,,,ES,,,,2019-01-15T10:00:00+00:00\n"
)
KEYS_CSV = "phonenumber,key,message\n34666555444,1,Press 1 to confirm\n"

# --- serving them -----------------------------------------------------------------------------

#: An answer: status, body (None: no body at all), content type.
Answer = tuple[int, str | None, str]


def js(status: int, text: str | None) -> Answer:
    return status, text, "application/json"


@dataclass(frozen=True)
class Case:
    """One endpoint: what the client is asked, the answers it gets, what it must make of them."""

    name: str
    answers: dict[tuple[str, str], Answer]
    call: Callable[[Nrs360Backend], Awaitable[Any]]
    check: Callable[[Any], object]


def served(answers: dict[tuple[str, str], Answer], asked: list[tuple[str, str]]) -> Nrs360Backend:
    def handler(request: httpx.Request) -> httpx.Response:
        where = request.url.path.removeprefix(API)
        asked.append((request.method, where))
        found = answers.get((request.method, where))
        assert found is not None, f"undocumented request {request.method} {where}"
        status, text, ctype = found
        if text is None:
            return httpx.Response(status)
        return httpx.Response(status, content=text.encode(), headers={"content-type": ctype})

    return mocked(handler)


def sms_results(result: Any) -> object:
    assert [(r.to, r.accepted, r.id, r.parts) for r in result.results][:1] == [
        ("34666555444", True, "XXXXXXXXXXXXX", 1)
    ]
    return (result.campaign_id, result.sending_id) == (100000, 100001)


def rejected_second(result: Any) -> object:
    second = result.results[1]
    return (second.accepted, second.error_code, second.id) == (False, 102, None)


AT = datetime(2024, 1, 1, 10, tzinfo=UTC)
FORM_INPUT = FormInput(name="Form 1", fields=(FormElement(type="h3", label="Your opinion"),))

CASES = [
    Case(
        "sms 202",
        {("POST", "/sms"): js(202, SMS_202)},
        lambda b: b.send_sms(SmsRequest(to=("34666555444",), sender="TEST", message="Hi")),
        sms_results,
    ),
    Case(
        "sms 207",
        {("POST", "/sms"): js(207, SMS_207)},
        lambda b: b.send_sms(SmsRequest(to=("34666555444", "34"), sender="TEST", message="Hi")),
        lambda r: sms_results(r) and rejected_second(r),
    ),
    Case(
        "sms status",
        {("GET", "/sms/XXXXXXXXXXXXX"): js(200, SMS_STATUS)},
        lambda b: b.sms_status(["XXXXXXXXXXXXX"]),
        lambda r: (
            r[0].delivered
            and not r[0].clicked
            and r[0].events[1]
            == MessageEvent("delivered", datetime(2021, 7, 19, 15, 0, 33, tzinfo=UTC))
            and r[0].custom_fields["name"] == "Name"
            and (r[0].campaign_id, r[0].sending_id) == (123456, 234567)
        ),
    ),
    Case(
        "mailing 207",
        {("POST", "/mailing"): js(207, MAIL_207)},
        lambda b: b.send_mailing(
            MailingRequest(
                to=("test@example.com", "invalidEmail"),
                sender_email="info@sample.com",
                subject="TEST",
                reply_to="replyto@example.com",
                body="<p>Hi</p>",
            )
        ),
        lambda r: (
            r.results[0].parts is None and r.results[0].expires_at is None and rejected_second(r)
        ),
    ),
    Case(
        "voice 207",
        {("POST", "/voice"): js(207, VOICE_207)},
        lambda b: b.send_voice(
            VoiceRequest(to=("34666666666", "34"), message="Test", language="es_ES", gender="F")
        ),
        lambda r: r.results[0].id == "XXXXXXXXXXXXX" and rejected_second(r),
    ),
    Case(
        "voiceAudio 202",
        {("POST", "/voiceAudio"): js(202, VOICE_AUDIO_202)},
        lambda b: b.send_voice_audio(
            VoiceAudioRequest(to=("34666666666",), audio_url="https://example.com/audio.mp3")
        ),
        lambda r: [x.accepted for x in r.results] == [True],
    ),
    Case(
        "landingsms 207",
        {("POST", "/landingsms"): js(207, SMS_207)},
        lambda b: b.send_landing(
            LandingRequest(
                to=("34666555444", "34"),
                sender="LANDINGAPI",
                message="TEST {LAND_URL}",
                template_body="<h1>HELLO</h1>",
            )
        ),
        lambda r: sms_results(r) and rejected_second(r),
    ),
    Case(
        "whatsapp template 207",
        {("POST", "/whatsapp"): js(207, WHATSAPP_207)},
        lambda b: b.send_whatsapp_template(
            WhatsAppTemplateRequest(
                template_id=123,
                sender="34666777555",
                messages=(WhatsAppTemplateMessage("34666555444"), WhatsAppTemplateMessage("34")),
            )
        ),
        lambda r: (
            r.results[0].parts is None and r.results[0].scheduled_at is None and rejected_second(r)
        ),
    ),
    Case(
        "conversations",
        {("GET", "/whatsapp/conversations"): js(200, CONVERSATIONS)},
        lambda b: b.conversations_page(),
        lambda p: (
            (p.page, p.total, p.total_pages) == (1, 500, 5)
            and p.items[0].contact.first_name == "First"
            and p.items[0].session_active
        ),
    ),
    Case(
        "conversation",
        {
            ("GET", "/whatsapp/conversations/34666777555/34666555444"): js(
                200, '{\n"data" : ' + CONVERSATION + "\n}"
            )
        },
        lambda b: b.conversation("34666777555", "34666555444"),
        lambda c: (
            (c.sender, c.recipient, c.total_messages, c.status)
            == ("34666777555", "34666555444", 10, "OPEN")
        ),
    ),
    Case(
        "conversation messages",
        {("GET", "/whatsapp/conversations/34666777555/34666555444/messages"): js(200, MESSAGES)},
        lambda b: b.conversation_messages("34666777555", "34666555444"),
        lambda m: (
            m.session_active
            and (m.page, m.total_pages) == (1, 5)
            and m.messages[1].reactions == ("👍",)
            and m.messages[0].state == "read"
        ),
    ),
    Case(
        # "Send a message to a conversation" documents no answer at all.
        "conversation reply",
        {("POST", "/whatsapp/conversations/34666777555/34666555444/messages"): js(201, None)},
        lambda b: b.reply("34666777555", "34666555444", "Message content"),
        lambda m: m is None,
    ),
    Case(
        # Whatever body a 2xx brings here, the 2xx is the success.
        "conversation reply, another body",
        {
            ("POST", "/whatsapp/conversations/34666777555/34666555444/messages"): (
                200,
                "<html>OK</html>",
                "text/html",
            )
        },
        lambda b: b.reply("34666777555", "34666555444", "Message content"),
        lambda m: m is None,
    ),
    Case(
        "scheduled, several",
        {("GET", "/scheduled"): js(200, SCHEDULED_MULTI)},
        lambda b: b.scheduled_list(),
        lambda s: (
            [m.guid for m in s.items] == ["100", "101", "102"]
            and s.items[0].created_at is None
            and s.total == 3
        ),
    ),
    Case(
        "scheduled, one",
        {("GET", "/scheduled"): js(200, SCHEDULED_SINGLE)},
        lambda b: b.scheduled_list(["100"]),
        lambda s: s.items[0].content["message"] == "This is a test",
    ),
    Case(
        "scheduled update",
        {("PUT", "/scheduled"): js(200, SCHEDULED_UPDATE)},
        lambda b: b.scheduled_update([100, 101], datetime(2017, 10, 11, 9, 30, tzinfo=UTC)),
        lambda c: (c.result, c.count) == (True, 2),
    ),
    Case(
        "scheduled delete",
        {("DELETE", "/scheduled"): js(200, SCHEDULED_DELETE)},
        lambda b: b.scheduled_delete([100, 101]),
        lambda c: (c.result, c.count) == (True, 2),
    ),
    Case(
        "campaigns (no pagination block)",
        {("GET", "/campaigns"): js(200, CAMPAIGNS)},
        lambda b: b.campaigns(),
        lambda c: (
            c[0].sendings[0].total_sms_parts == 4
            and c[0].sendings[0].events.delivered == 2
            and c[0].sendings[0].cost == 0.02
        ),
    ),
    Case(
        "contacts",
        {("GET", "/contacts"): js(200, CONTACTS)},
        lambda b: b.contacts_page(include_details=True),
        lambda p: (
            p.total == 500
            and p.items[0].groups == (GroupRef(1, "My Contact List"),)
            and p.items[0].custom_fields == (CustomField("color", "green", "string"),)
            and p.items[0].external_id is None
        ),
    ),
    Case(
        "contact",
        {("GET", "/contacts/1"): js(200, CONTACT)},
        lambda b: b.contact(1),
        lambda c: (c.landline, c.country) == ("900222222", "ES"),
    ),
    Case(
        # The 201 shows no groups: the contact is read back with them.
        "contact create",
        {("POST", "/contacts"): js(201, CONTACT_SAVED), ("GET", "/contacts/1"): js(200, CONTACT)},
        lambda b: b.create_contact(
            ContactInput(
                email="new.contact@example.com",
                phone="3466666666",
                country="ES",
                group_names=("My contact list",),
                custom_fields=(CustomField("company", "ACME inc."),),
            )
        ),
        lambda c: c.id == 1 and c.groups == (GroupRef(1, "My Contact List"),),
    ),
    Case(
        # A read that lags behind the write does not turn a saved contact into a failure.
        "contact create, not readable yet",
        {
            ("POST", "/contacts"): js(201, CONTACT_SAVED),
            ("GET", "/contacts/1"): js(404, NOT_FOUND),
        },
        lambda b: b.create_contact(ContactInput(email="new.contact@example.com", group_ids=(1,))),
        lambda c: (c.id, c.email, c.groups) == (1, "new.contact@example.com", ()),
    ),
    Case(
        "contact update",
        {("PUT", "/contacts/1"): js(200, CONTACT_SAVED), ("GET", "/contacts/1"): js(200, CONTACT)},
        lambda b: b.update_contact(
            1, ContactInput(email="new.contact@example.com", group_ids=(1,))
        ),
        lambda c: c.id == 1 and len(c.custom_fields) == 1,
    ),
    Case(
        "contact delete (204)",
        {("DELETE", "/contacts/1"): js(204, None)},
        lambda b: b.delete_contact(1),
        lambda r: r is None,
    ),
    Case(
        "groups",
        {("GET", "/groups"): js(200, GROUPS)},
        lambda b: b.groups_page(),
        lambda p: [(g.id, g.name) for g in p.items] == [(1, "My contact list")] and p.has_next,
    ),
    Case(
        "group create",
        {("POST", "/groups"): js(201, GROUP)},
        lambda b: b.create_group("My new contact list"),
        lambda g: (g.id, g.name) == (1, "My new contact list"),
    ),
    Case(
        "group update",
        {("PUT", "/groups/1"): js(200, GROUP)},
        lambda b: b.update_group(1, "My new contact list"),
        lambda g: g.id == 1,
    ),
    Case(
        "group delete (204)",
        {("DELETE", "/groups/1"): js(204, None)},
        lambda b: b.delete_group(1),
        lambda r: r is None,
    ),
    Case(
        "validations",
        {("GET", "/validation/emails"): js(200, VALIDATIONS)},
        lambda b: b.validations_list(),
        lambda p: p.items[0].valid == 9 and p.items[0].error == "" and p.total_pages == 5,
    ),
    Case(
        "validation create",
        {("POST", "/validation/emails"): js(200, VALIDATION_CREATED)},
        lambda b: b.validation_create(group_ids=[1111], force=False),
        lambda v: (v.status, v.finished_at, v.result_url) == ("pending", None, None),
    ),
    Case(
        "validation result (CSV)",
        {("GET", "/validation/emails/123/result"): (200, VALIDATION_CSV, "text/csv")},
        lambda b: b.validation_result(123),
        lambda r: [v.result for v in r.rows] == ["deliverable", "undeliverable", "risky"],
    ),
    Case(
        "validation delete (204)",
        {("DELETE", "/validation/emails/123"): js(204, None)},
        lambda b: b.validation_delete(123),
        lambda r: r is None,
    ),
    Case(
        "blacklist",
        {("GET", "/v2/blacklist/sms"): js(200, BLACKLIST)},
        lambda b: b.blacklist_list("sms"),
        lambda p: (p.items[0].sending_id, p.items[0].campaign_name) == (123, "TEST_CAMPAIGN"),
    ),
    Case(
        "blacklist add (no sendingId)",
        {("PUT", "/v2/blacklist/sms"): js(200, BLACKLIST_ADDED)},
        lambda b: b.blacklist_add("sms", "99000000000"),
        lambda e: (e.recipient, e.sending_id, e.campaign_name) == ("99000000000", None, None),
    ),
    Case(
        "blacklist remove (204)",
        {("DELETE", "/v2/blacklist/sms"): js(204, None)},
        lambda b: b.blacklist_remove("sms", "99000000000"),
        lambda r: r is None,
    ),
    Case(
        "templates (links: [])",
        {("GET", "/templates"): js(200, TEMPLATES)},
        lambda b: b.templates_list(),
        lambda p: p.items[0].html == "<h1>Hello world</h1>" and p.items[0].updated_at is None,
    ),
    Case(
        # The reference's dates here are "2020-01-00": unreadable, so unknown, not a failure.
        "template create",
        {("POST", "/templates"): js(201, TEMPLATE_SAVED)},
        lambda b: b.template_create("New Template", "<h1>Hello world</h1>"),
        lambda t: (t.id, t.name, t.created_at) == (1, "New Template", None),
    ),
    Case(
        "template update (201)",
        {("PUT", "/templates/1"): js(201, TEMPLATE_SAVED)},
        lambda b: b.template_update(1, "New Template", "<h1>Hello world</h1>"),
        lambda t: t.id == 1,
    ),
    Case(
        "template preview (HTML)",
        {("GET", "/templates/1/preview"): (200, "<h1>Hello world</h1>", "text/html")},
        lambda b: b.template_preview(1),
        lambda h: h == "<h1>Hello world</h1>",
    ),
    Case(
        "templates v2 (no html in the list)",
        {("GET", "/v2/templates"): js(200, TEMPLATES_V2)},
        lambda b: b.templates_list(v2=True),
        lambda p: (p.items[0].type, p.items[0].html, p.items[0].version) == ("HTML", None, 2),
    ),
    Case(
        "template v2",
        {("GET", "/v2/templates/1"): js(200, TEMPLATE_V2)},
        lambda b: b.template(1, v2=True),
        lambda t: t.html == "<h1>Hello world</h1>",
    ),
    Case(
        "template v2 delete (204)",
        {("DELETE", "/v2/templates/1"): js(204, None)},
        lambda b: b.template_delete(1, v2=True),
        lambda r: r is None,
    ),
    Case(
        "forms",
        {("GET", "/forms"): js(200, FORMS)},
        lambda b: b.forms_list(),
        lambda p: p.items[0].placeholder == "{FORM_1}",
    ),
    Case(
        # POST /forms documents no answer: the form is found by its unique name.
        "form create",
        {("POST", "/forms"): js(201, None), ("GET", "/forms"): js(200, FORMS)},
        lambda b: b.form_create(FORM_INPUT),
        lambda f: (f.id, f.name, f.placeholder) == (1, "Form 1", "{FORM_1}"),
    ),
    Case(
        # PUT /forms/<ID> documents no answer either: the form is read back.
        "form update",
        {("PUT", "/forms/1"): js(200, None), ("GET", "/forms/1"): js(200, FORM)},
        lambda b: b.form_update(1, FORM_INPUT),
        lambda f: (f.id, f.name) == (1, "Form 1"),
    ),
    Case(
        "form delete (204)",
        {("DELETE", "/forms/1"): js(204, None)},
        lambda b: b.form_delete(1),
        lambda r: r is None,
    ),
    Case(
        "shortener",
        {("POST", "/shortener/shorten"): js(200, SHORTENED)},
        lambda b: b.shorten(
            ["https://example.com/test1", "https://example.com/test2", "invalidUrl"]
        ),
        lambda s: (
            [x.error for x in s] == [False, False, True]
            and s[0].short_url == "https://sms.tl/dvRINN"
        ),
    ),
    Case(
        "images",
        {("POST", "/images/generate"): js(200, IMAGES)},
        lambda b: b.image_generate(
            [ImageUpload("test1", "jpg", b"\xff\xd8\xff"), ImageUpload("test2", "png", b"\x89PNG")]
        ),
        lambda i: [(x.external_id, x.error) for x in i] == [("test1", False), ("test2", False)],
    ),
    Case(
        "events report (CSV)",
        {("GET", "/sendings/1/reports/events"): (200, EVENTS_CSV, "text/csv")},
        lambda b: b.sending_events(1),
        lambda r: r.rows[0].event == "delivered" and r.rows[0].contact_id == 7,
    ),
    Case(
        "keys report (CSV)",
        {("GET", "/sendings/1/reports/keys"): (200, KEYS_CSV, "text/csv")},
        lambda b: b.sending_keys(1),
        lambda r: (r.rows[0].phone, r.rows[0].key) == ("34666555444", "1"),
    ),
    Case(
        "otp generate",
        {("POST", "/otp/generate"): js(200, OTP)},
        lambda b: b.otp_generate("34666555444"),
        lambda o: (o.code, o.max_attempts, o.app_id) == ("1234", 3, ""),
    ),
    Case(
        "otp check, expired",
        {("POST", "/otp/check"): js(200, OTP_EXPIRED)},
        lambda b: b.otp_check("34666555444", "1234"),
        lambda c: not c.valid and c.reason == "Expired" and c.otp.attempts == 1,
    ),
    Case(
        "coverage",
        {("GET", "/sms/coverage"): js(200, COVERAGE)},
        lambda b: b.coverage(),
        lambda c: [x.mnc for x in c] == [None, "003"] and c[0].currency_symbol == "€",
    ),
    Case(
        "coverage by country",
        {("GET", "/sms/coverageByCountry"): js(200, COVERAGE_BY_COUNTRY)},
        lambda b: b.coverage_by_country(),
        lambda c: c[0].networks == ("DU", "Etisalat") and c[0].min_cost == 0.0868,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_reference_example_is_parsed(case: Case) -> None:
    asked: list[tuple[str, str]] = []
    client = served(case.answers, asked)
    async with client:
        result = await case.call(client)
    assert case.check(result), result
    # Every documented answer of the case was asked for: none was skipped or guessed.
    assert set(asked) == set(case.answers)


def test_examples_are_json() -> None:
    # A typo while copying would otherwise show up as a parser failure.
    for case in CASES:
        for _status, text, ctype in case.answers.values():
            if text is not None and ctype == "application/json":
                json.loads(text)
