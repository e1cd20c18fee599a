"""Per-capability interfaces (ABCs) a provider implements or not.

A provider class inherits the interfaces of what it offers and implements their abstract
methods; its capabilities are derived from them (`Backend.supports`), so nothing is
declared twice and no method is a stub. Callers narrow a `Backend` with
`backend.capability(SmsApi)` (NotSupported naming the capability when it is missing) or
`isinstance`.
"""

from __future__ import annotations

from backends.capabilities.contacts import (
    BlacklistApi,
    ContactsApi,
    ContactsListingApi,
    EmailValidationApi,
    GroupsApi,
)
from backends.capabilities.content import (
    FormsApi,
    ImagesApi,
    ShortenerApi,
    TemplatesApi,
)
from backends.capabilities.kinds import Capability
from backends.capabilities.messaging import (
    AccountApi,
    ConversationsApi,
    LandingApi,
    MailApi,
    OtpApi,
    ScheduledApi,
    SmsApi,
    SmsStatusApi,
    VoiceApi,
    VoiceAudioApi,
    WhatsAppTemplatesApi,
)
from backends.capabilities.reports import (
    CampaignsApi,
    CertificatesApi,
    CoverageApi,
    ReportsApi,
)
from backends.capabilities.surveys import (
    DocumentRequestsApi,
    FlowsApi,
    LabelsApi,
    SubscribersApi,
    SurveyBatchApi,
    SurveysApi,
    UsersApi,
)

INTERFACES: dict[Capability, type] = {
    api.offers: api
    for api in (
        AccountApi,
        SmsApi,
        SmsStatusApi,
        OtpApi,
        MailApi,
        VoiceApi,
        VoiceAudioApi,
        LandingApi,
        WhatsAppTemplatesApi,
        ScheduledApi,
        ConversationsApi,
        ContactsApi,
        GroupsApi,
        ContactsListingApi,
        BlacklistApi,
        EmailValidationApi,
        TemplatesApi,
        FormsApi,
        ShortenerApi,
        ImagesApi,
        CampaignsApi,
        ReportsApi,
        CertificatesApi,
        CoverageApi,
        SurveysApi,
        DocumentRequestsApi,
        SurveyBatchApi,
        FlowsApi,
        LabelsApi,
        SubscribersApi,
        UsersApi,
    )
}

__all__ = [
    "INTERFACES",
    "AccountApi",
    "BlacklistApi",
    "CampaignsApi",
    "Capability",
    "CertificatesApi",
    "ContactsApi",
    "ContactsListingApi",
    "ConversationsApi",
    "CoverageApi",
    "DocumentRequestsApi",
    "EmailValidationApi",
    "FlowsApi",
    "FormsApi",
    "GroupsApi",
    "ImagesApi",
    "LabelsApi",
    "LandingApi",
    "MailApi",
    "OtpApi",
    "ReportsApi",
    "ScheduledApi",
    "ShortenerApi",
    "SmsApi",
    "SmsStatusApi",
    "SubscribersApi",
    "SurveyBatchApi",
    "SurveysApi",
    "TemplatesApi",
    "UsersApi",
    "VoiceApi",
    "VoiceAudioApi",
    "WhatsAppTemplatesApi",
]
