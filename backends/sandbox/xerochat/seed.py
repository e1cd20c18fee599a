"""Demo data: an admin and two members, packages, a bot page with subscribers and labels,
contact groups with contacts, and flow campaigns with answers (deterministic per seed)."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from .state import (
    BotPage,
    ContactGroup,
    ContactRec,
    Flow,
    LabelRec,
    Package,
    Subscriber,
    User,
    XeroChatState,
)

DEMO_API_KEY = "demo-xerochat-api-key"
MEMBER_API_KEY = "demo-xerochat-member-key"
EXPIRED_API_KEY = "demo-xerochat-expired-key"
DEMO_PAGE_ID = "1123123123123"
NO_BOT_PAGE_ID = "2233445566778"
DEMO_FLOW_ID = 1
_BASE = datetime(2025, 1, 6, 9, 0, 0, tzinfo=UTC)

_FIRST = ("Ana", "Bruno", "Chloé", "Dmitri", "Eva", "Farid", "Grace", "Hiro", "Inés", "Jon")
_LAST = ("García", "Silva", "Martin", "Ivanov", "Novak", "Haddad", "Okafor", "Tanaka", "Ruiz")


class Several(tuple[str, ...]):
    """The options of a multiple-choice question: a respondent picks one or more, answered
    as one text joined by ", " in the options' order, as the reference's example shows
    ("Reading, Traveling, Watching Movies", "Traveling, Watching Movies")."""


def _pick(rng: random.Random, pool: Sequence[str]) -> str:
    """One respondent's answer from a question's pool."""
    if isinstance(pool, Several):
        picked = rng.sample(range(len(pool)), rng.randint(1, len(pool)))
        return ", ".join(pool[i] for i in sorted(picked))
    return rng.choice(pool)


# The reference's example flow, with plausible answer pools for the sandbox.
_SERIAL_CHECK = [
    (
        "45",
        "What do you like to do?",
        Several(("Reading", "Traveling", "Watching Movies")),
    ),
    ("46", "What is your favorite pet?", ["Dog", "Cat", "Fish", "Dog"]),
    ("47", "What is your favorite color?", ["Black", "Blue", "Green", "Blue"]),
    ("48", "Who is your favorite author?", ["Sigmund Freud", "William Shakespeare", "Jane Austen"]),
    ("49", "Which country do you love to live in?", ["France", "Germany", "Japan", "Canada"]),
]
_FEEDBACK = [
    ("61", "How likely are you to recommend us? (0-10)", ["10", "9", "8", "7", "5", "10", "9"]),
    (
        "62",
        "What should we improve?",
        ["Delivery time", "Prices", "Nothing, all good", "Support hours"],
    ),
]


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def populate(state: XeroChatState, seed: int, api_key: str = DEMO_API_KEY) -> None:
    """Fill an empty state with the demo data."""
    rng = random.Random(seed)
    for p in (
        Package(1, "Trial", "251,80,79,263,65", "0", 0, visible=False),
        Package(16, "everything", "251,80,202,201,88,206,79,263,65", "112.35", 700),
        Package(17, "Starter", "251,80,65", "19.00", 30, highlight=True),
    ):
        state.packages[p.id] = p
    state.users[1] = User(
        id=1,
        name="Demo Admin",
        email="admin@xerochat.test",
        password="admin-pass",
        api_key=api_key,
        mobile="01234567890",
        address="1 Sandbox Street",
        user_type="Admin",
        package_id=16,
        add_date=_BASE - timedelta(days=400),
        last_login_at=_BASE,
        last_login_ip="127.0.0.1",
    )
    state.users[39] = User(
        id=39,
        name="test_username",
        email="test_user@test.com",
        password="member-pass",
        api_key=MEMBER_API_KEY,
        mobile="01234567891",
        address="Heaven 21",
        package_id=16,
        add_date=datetime(2020, 9, 27, 8, 13, 1, tzinfo=UTC),
        expired_date=datetime(2099, 12, 31, tzinfo=UTC),
    )
    # Its validity ended: its key gets the documented "Member Validity Expired" error.
    state.users[40] = User(
        id=40,
        name="lapsed_member",
        email="lapsed@test.com",
        password="lapsed-pass",
        api_key=EXPIRED_API_KEY,
        package_id=1,
        add_date=datetime(2020, 9, 27, tzinfo=UTC),
        expired_date=datetime(2020, 10, 27, tzinfo=UTC),
    )

    state.pages[DEMO_PAGE_ID] = BotPage(DEMO_PAGE_ID, "XeroDevs", 1)
    state.pages[NO_BOT_PAGE_ID] = BotPage(NO_BOT_PAGE_ID, "Old Shop", 1, bot_enabled=False)
    important = LabelRec("2472856209402188", "Important", DEMO_PAGE_ID)
    product = LabelRec("2328660457215897", "Product", DEMO_PAGE_ID)
    state.labels = {important.label_id: important, product.label_id: product}

    psids = [str(2499454673490220 + i * 250_993_827_419) for i in range(8)]
    for i, psid in enumerate(psids):
        first, last = _FIRST[i % len(_FIRST)], _LAST[i % len(_LAST)]
        state.subscribers[psid] = Subscriber(
            subscriber_id=psid,
            page_id=DEMO_PAGE_ID,
            user_id=1,
            first_name=first,
            last_name=last,
            gender=rng.choice(("male", "female", "")),
            locale=rng.choice(("en_US", "es_ES", "fr_FR")),
            timezone=rng.choice(("0", "1", "-5")),
            email=f"{_ascii(first)}.{i}@example.com" if i % 3 else "",
            phone_number=f"0123456{7800 + i}" if i % 2 else "",
            subscribed_at=_BASE + timedelta(days=i, hours=rng.randrange(24)),
            last_interaction_at=_BASE + timedelta(days=30 + i),
            label_ids=[important.label_id] if i % 4 == 0 else [],
        )

    for gid, name in ((67, "Customers"), (68, "Newsletter")):
        state.groups[gid] = ContactGroup(gid, 1, name, _BASE - timedelta(days=gid))
    for n in range(6):
        cid = 233 + n
        first, last = _FIRST[(n + 3) % len(_FIRST)], _LAST[(n + 2) % len(_LAST)]
        state.contacts[cid] = ContactRec(
            id=cid,
            user_id=1,
            contact_type_id=67 if n < 4 else 68,
            first_name=first,
            last_name=last,
            phone_number=f"0123456{7890 + n}" if n != 2 else "",
            email=f"{_ascii(first)}@example.com" if n != 3 else "",
            notes="VIP" if n == 0 else "",
            unsubscribed=n == 5,
        )

    flows = (
        (1, "serial check", _SERIAL_CHECK, 6),
        (2, "Customer feedback", _FEEDBACK, 7),
        (3, "Flow Campaign 3", [("71", "Which size do you wear?", ["S"])], 0),
        (6, "Flow Campaign 4", [("81", "When should we call you?", ["Morning"])], 0),
    )
    for fid, name, questions, respondents in flows:
        flow = Flow(fid, 1, name, [(qid, text) for qid, text, _ in questions])
        for psid in psids[:respondents]:
            # About one in four stops part-way, as people do in a chat flow.
            stop = rng.randint(1, len(questions)) if rng.random() < 0.25 else len(questions)
            answered = questions[:stop]
            flow.answers[psid] = {qid: _pick(rng, pool) for qid, _, pool in answered}
        state.flows[fid] = flow
