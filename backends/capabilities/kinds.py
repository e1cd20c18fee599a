"""The capabilities a provider may offer."""

from __future__ import annotations

from enum import StrEnum


class Capability(StrEnum):
    """Things a provider can do; the UI shows only what a backend implements."""

    ACCOUNT = "account"
    SMS = "sms"
    SMS_STATUS = "sms-status"
    OTP = "otp"
    CONTACTS = "contacts"
    GROUPS = "groups"
    # Listing pages of contacts/groups; some providers (XeroChat) only create/update/delete.
    CONTACTS_LISTING = "contacts-listing"
    WHATSAPP_CONVERSATIONS = "whatsapp-conversations"
    MAILING = "mailing"
    VOICE = "voice"
    VOICE_AUDIO = "voice-audio"
    LANDING_SMS = "landing-sms"
    WHATSAPP_TEMPLATES = "whatsapp-templates"
    SCHEDULED = "scheduled"
    CAMPAIGNS = "campaigns"
    REPORTS = "reports"
    CERTIFICATES = "certificates"
    BLACKLIST = "blacklist"
    EMAIL_VALIDATION = "email-validation"
    TEMPLATES = "templates"
    FORMS = "forms"
    SHORTENER = "shortener"
    IMAGES = "images"
    COVERAGE = "coverage"
    SURVEYS = "surveys"
    DOCUMENT_REQUESTS = "document-requests"
    SURVEY_BATCH = "survey-batch"
    FLOWS = "flows"
    LABELS = "labels"
    SUBSCRIBERS = "subscribers"
    USERS = "users"
