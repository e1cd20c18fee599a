"""Deterministic demo data: contacts, groups and WhatsApp conversations.

Everything derives from the seed and is placed relative to the clock's "now", so a demo
always shows fresh data (two sessions open, one just expired) and tests are reproducible.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from .state import Contact, Conversation, CustomField, Group, Nrs360State, WaContact, WaMessage
from .state_sending import SentItem

BUSINESS_NUMBER = "34666777555"
CONTACT_COUNT = 120
GROUP_NAMES = ("Customers", "VIP", "Newsletter", "Staff", "Leads")


@dataclass(frozen=True)
class _Country:
    iso: str
    weight: int
    mobile_prefix: str  # country code + first mobile digits
    mobile_digits: int  # random digits after the prefix
    landline_prefix: str  # national format, as the reference's "900222222"
    landline_length: int
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    cities: tuple[str, ...]


_COUNTRIES = (
    _Country(
        "ES", 50, "346", 8, "91", 9,
        ("Lucía", "Hugo", "Martina", "Mateo", "Sofía", "Pablo", "Carmen", "Javier", "Elena",
         "Daniel", "Paula", "Álvaro", "Laura", "Diego", "Marta", "Sergio"),
        ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
         "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Navarro", "Torres"),
        ("Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Castellón"),
    ),
    _Country(
        "PT", 12, "3519", 8, "21", 9,
        ("João", "Maria", "Tiago", "Beatriz", "Rodrigo", "Inês", "Duarte", "Leonor",
         "Afonso", "Carolina"),
        ("Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues",
         "Martins", "Sousa", "Almeida"),
        ("Lisboa", "Porto", "Braga"),
    ),
    _Country(
        "FR", 12, "336", 8, "01", 10,
        ("Camille", "Louis", "Chloé", "Gabriel", "Léa", "Arthur", "Manon", "Jules", "Inès",
         "Raphaël"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
         "Leroy", "Moreau"),
        ("Paris", "Lyon", "Marseille"),
    ),
    _Country(
        "GB", 13, "447", 9, "020", 11,
        ("Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Emily", "Noah",
         "Sophie"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
         "Evans", "Walker"),
        ("London", "Manchester", "Leeds"),
    ),
    _Country(
        "CO", 13, "573", 9, "601", 10,
        ("Santiago", "Valentina", "Sebastián", "Isabella", "Samuel", "Mariana", "Nicolás",
         "Gabriela", "Alejandro", "Daniela"),
        ("Rodríguez", "Gómez", "González", "Martínez", "Díaz", "Hernández", "Ramírez",
         "Vargas", "Castro", "Rojas"),
        ("Bogotá", "Medellín", "Cali"),
    ),
)  # fmt: skip

# Conversation scripts: (minutes before now, inbound?, type, content, outcome, reaction).
# Outcomes: "read", "delivered", "failed", "unread" (an inbound message not opened yet).
_Line = tuple[int, bool, str, str, str, str | None]
_SCRIPTS: tuple[tuple[_Line, ...], ...] = (
    (  # session active: last customer message 2 h ago
        (26 * 60, False, "template", "Hola {name}, tu pedido #48213 ha sido enviado. "
         "Responde a este mensaje si tienes cualquier duda.", "read", None),
        (180, True, "text", "Hola, ¿cuándo llegará exactamente?", "read", None),
        (170, False, "text", "Debería llegar mañana entre las 9:00 y las 14:00.", "read", "👍"),
        (120, True, "text", "Perfecto, ¡gracias!", "read", None),
        (115, False, "text", "¡A ti! Que tengas un buen día.", "delivered", None),
    ),
    (  # session active: last customer message 5 h ago
        (8 * 60, False, "template", "Hi {name}, your appointment is confirmed for tomorrow "
         "at 10:30. Reply CHANGE to reschedule.", "read", None),
        (6 * 60, True, "text", "CHANGE", "read", None),
        (6 * 60 - 5, False, "text", "No problem. Which day suits you better?", "read", None),
        (5 * 60, True, "text", "Thursday afternoon if possible", "read", "👍"),
    ),
    (  # session expired: last customer message 30 h ago
        (33 * 60, False, "template", "Olá {name}, a sua fatura de março está disponível.",
         "read", None),
        (31 * 60, True, "text", "Obrigado. Posso pagar por transferência?", "read", None),
        (30 * 60 + 30, False, "text", "Sim, os dados bancários estão no PDF da fatura.",
         "read", "❤️"),
        (30 * 60, True, "text", "Ótimo, obrigado!", "read", None),
        (29 * 60, False, "text", "Mais alguma questão?", "failed", None),
    ),
    (  # session active: last customer message 20 min ago, not read yet
        (50, False, "template", "Hola {name}, tu código de descuento VERANO15 caduca hoy.",
         "read", None),
        (40, True, "text", "¿Sirve también para la tienda física?", "read", "😊"),
        (35, False, "text", "Sí, solo muéstralo en caja.", "read", None),
        (20, True, "text", "Genial, voy esta tarde", "unread", None),
    ),
    (  # session long expired: a reminder template was sent afterwards
        (4 * 1440 + 120, False, "template", "Bonjour {name}, votre colis est prêt au point "
         "relais.", "read", None),
        (4 * 1440, True, "text", "Merci, je passe demain.", "read", None),
        (4 * 1440 - 60, False, "text", "Parfait, bonne journée !", "failed", None),
        (3 * 1440, False, "template", "Rappel : votre colis sera retourné dans 48 h.",
         "delivered", None),
    ),
)  # fmt: skip
_SCRIPT_COUNTRIES = ("ES", "GB", "PT", "CO", "FR")
_INTERESTS = ("Online orders", "Appointments", "Billing", "Promotions", "Deliveries")


def populate(state: Nrs360State, seed: int, *, history: bool = False) -> None:
    """Fill an empty state with the demo data for `seed` (and past campaigns if asked)."""
    rng = random.Random(seed)
    now = state.now()
    # Lists (blacklist, validations, templates, forms) use their own generator.
    state.lists.seed(random.Random(seed + 1), state.now)
    groups = [Group(id=state.new_group_id(), name=name) for name in GROUP_NAMES]
    state.groups.update({g.id: g for g in groups})
    customers, vip, newsletter, staff, leads = (g.id for g in groups)
    phones: set[str] = set()
    emails: set[str] = set()
    for index in range(CONTACT_COUNT):
        country = rng.choices(_COUNTRIES, weights=[c.weight for c in _COUNTRIES])[0]
        contact = _contact(rng, state, country, now, index, phones, emails)
        if index < 4:
            contact.group_ids = [staff, newsletter]
        elif rng.random() < 0.72:
            contact.group_ids = [customers]
            if rng.random() < 0.2:
                contact.group_ids.append(vip)
        else:
            contact.group_ids = [leads]
        if index >= 4 and rng.random() < 0.45:
            contact.group_ids.append(newsletter)
        state.contacts[contact.id] = contact
    _conversations(rng, state, now)
    if history:
        _history(state, now)


def _history(state: Nrs360State, now: datetime) -> None:
    """Two past campaigns, so reports have something to show before the first send."""
    contacts = sorted(state.contacts.values(), key=lambda c: c.id)
    sms_to = [c for c in contacts if c.phone][:40]
    mail_to = [c for c in contacts if c.email][:30]
    for name, channel, people, days_ago, content in (
        (
            "Spring sale",
            "sms",
            sms_to,
            9,
            {"from": "SHOP", "message": "Spring sale: 20% off today https://example.com/sale"},
        ),
        (
            "November newsletter",
            "mailing",
            mail_to,
            3,
            {"fromEmail": "news@example.com", "subject": "Our November news"},
        ),
    ):
        items = [
            SentItem(
                id=state.new_sms_id(),
                to=(c.phone if channel == "sms" else c.email) or "",
                custom_fields={"name": c.name or ""},
            )
            for c in people
        ]
        state.sending.record(
            campaign_id=state.campaign_id(name),
            campaign_name=name,
            channel=channel,
            tags=["demo"],
            sending_id=state.new_sending_id(),
            now=now - timedelta(days=days_ago),
            items=items,
            scheduled_at=None,
            content=content,
            cost_cents=5 * len(items) if channel == "sms" else len(items),
        )


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii()).lower().replace(" ", "")


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choices("0123456789", k=count))


def _contact(
    rng: random.Random,
    state: Nrs360State,
    country: _Country,
    now: datetime,
    index: int,
    phones: set[str],
    emails: set[str],
) -> Contact:
    first, last = rng.choice(country.first_names), rng.choice(country.surnames)
    phone = None
    if index < 4 or rng.random() > 0.05:  # a few contacts are email-only
        phone = country.mobile_prefix + _digits(rng, country.mobile_digits)
        while phone in phones:
            phone = country.mobile_prefix + _digits(rng, country.mobile_digits)
        phones.add(phone)
    email = None
    if phone is None or rng.random() > 0.1:
        domain = (
            "switchboard.example"
            if index < 4
            else rng.choice(("example.com", "example.org", "example.net"))
        )
        email = f"{_ascii(first)}.{_ascii(last)}@{domain}"
        if email in emails:
            email = f"{_ascii(first)}.{_ascii(last)}{index}@{domain}"
        emails.add(email)
    landline = None
    if rng.random() < 0.15:
        digits = country.landline_length - len(country.landline_prefix)
        landline = country.landline_prefix + _digits(rng, digits)
    created = now - timedelta(days=rng.randint(30, 700), minutes=rng.randint(0, 1439))
    updated = created + (now - created) * rng.random()
    contact = Contact(
        id=state.new_contact_id(),
        created_at=created,
        updated_at=updated.replace(microsecond=0),
        email=email,
        phone=phone,
        landline=landline,
        country_iso=country.iso,
        name=first,
        surname=last,
        external_id=f"CRM-{1000 + index}" if rng.random() < 0.3 else None,
    )
    if rng.random() < 0.6:
        contact.custom_fields.append(CustomField("city", "string", rng.choice(country.cities)))
    if rng.random() < 0.4:
        plan = rng.choice(("basic", "pro", "enterprise"))
        contact.custom_fields.append(CustomField("plan", "string", plan))
    if rng.random() < 0.2:
        bought = (now - timedelta(days=rng.randint(1, 90))).date().isoformat()
        contact.custom_fields.append(CustomField("lastPurchase", "date", bought))
    if rng.random() < 0.2:
        value = f"{rng.randint(10, 5000)}.{rng.randint(0, 99):02d}"
        contact.custom_fields.append(CustomField("lifetimeValue", "decimal", value))
    return contact


def _conversations(rng: random.Random, state: Nrs360State, now: datetime) -> None:
    # Only "OPEN" is documented as a status, so every seeded conversation uses it; the
    # session fields carry the 24 h window.
    used: set[int] = set()
    for country, script in zip(_SCRIPT_COUNTRIES, _SCRIPTS, strict=True):
        # A customer from the country whose language the script speaks (any if none).
        pool = [c for c in state.contacts.values() if c.phone and c.id not in used]
        contact = rng.choice([c for c in pool if c.country_iso == country] or pool)
        used.add(contact.id)
        assert contact.phone is not None
        # Shift each whole conversation a few minutes: keeps order and session windows.
        shift = timedelta(minutes=rng.randint(0, 10))
        conversation = Conversation(
            business=BUSINESS_NUMBER,
            customer=contact.phone,
            contact=WaContact(
                msisdn=contact.phone,
                first_name=contact.name,
                last_name=contact.surname,
                email=contact.email,
                interest=rng.choice(_INTERESTS),
                comment=None,
                country=contact.country_iso,
            ),
            created_at=now - timedelta(minutes=script[0][0]) - shift,
        )
        for minutes, inbound, kind, content, outcome, reaction in script:
            sent = now - timedelta(minutes=minutes) - shift
            message = WaMessage(
                id=state.new_uuid(),
                type=kind,
                msisdn=contact.phone if inbound else BUSINESS_NUMBER,
                content=content.format(name=contact.name),
                inbound=inbound,
                sent_at=sent,
                reactions=[reaction] if reaction else [],
            )
            if outcome == "failed":
                message.failed_at = sent + timedelta(seconds=5)
            else:
                message.delivered_at = sent + timedelta(seconds=0 if inbound else 3)
            if outcome == "read":
                message.read_at = sent + timedelta(minutes=rng.randint(1, 4))
            conversation.messages.append(message)
        state.conversations[(conversation.business, conversation.customer)] = conversation
