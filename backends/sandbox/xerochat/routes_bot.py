"""Subscribers, labels and flow campaigns of the user's bot pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import Params, XcError, endpoint, int_id, required, success
from .state import BotPage, Flow, LabelRec, Subscriber, User, XeroChatState, stamp

# Documented with the leading space; reproduced as the API prints it.
NO_SUBSCRIBER = " No Matching Subscriber Found"
NO_BOT = "No Enabled Bot Found"
NO_FLOW = "The flow campaign ID does not exist"


def subscriber_json(state: XeroChatState, s: Subscriber) -> dict[str, str]:
    """The `subscriber_info` object."""
    page = state.pages[s.page_id]
    return {
        "subscriber_id": s.subscriber_id,
        "labels": ",".join(s.label_ids),
        "first_name": s.first_name,
        "last_name": s.last_name,
        "full_name": f"{s.first_name} {s.last_name}".strip(),
        "gender": s.gender,
        "locale": s.locale,
        "timezone": s.timezone,
        "page_name": page.page_name,
        "page_id": page.page_id,
        "unavailable": "0",
        "last_error_message": "",
        "last_error_message_conversation_broadcast": "",
        "refferer_source": "",
        "subscribed_at": stamp(s.subscribed_at),
        "email": s.email,
        "phone_number": s.phone_number,
        "birthdate": s.birthdate,
        "last_subscriber_interaction_time": stamp(s.last_interaction_at),
    }


def _subscriber(state: XeroChatState, me: User, psid: str) -> Subscriber:
    s = state.subscribers.get(psid)
    if s is None or s.user_id != me.id:
        raise XcError(NO_SUBSCRIBER)
    return s


def _bot_page(state: XeroChatState, me: User, p: Params) -> BotPage:
    page = state.pages.get(required(p, "page_id"))
    if page is None or page.user_id != me.id or not page.bot_enabled:
        raise XcError(NO_BOT)
    return page


def _flow(state: XeroChatState, me: User, p: Params) -> Flow:
    fid = int_id(required(p, "flow_campaign_id"))
    flow = state.flows.get(fid) if fid is not None else None
    if flow is None or flow.user_id != me.id:
        raise XcError(NO_FLOW)
    return flow


def _answers(flow: Flow, psid: str) -> list[dict[str, str]]:
    given = flow.answers.get(psid, {})
    return [
        {"question_id": qid, "question": text, "answer": given[qid]}
        for qid, text in flow.questions
        if qid in given
    ]


def subscriber_information(
    state: XeroChatState, me: User, p: Params, path: Mapping[str, str]
) -> Any:
    """GET /subscriber_information."""
    s = _subscriber(state, me, required(p, "subscriber_id"))
    return success(subscriber_info=subscriber_json(state, s))


def get_all_labels(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """GET /get_all_labels: a page without labels is the documented error."""
    page = _bot_page(state, me, p)
    labels = [lb for lb in state.labels.values() if lb.page_id == page.page_id]
    if not labels:
        raise XcError("No Matching Label Found")
    return success(
        label_info=[{"label_id": lb.label_id, "label_name": lb.label_name} for lb in labels]
    )


def create_label(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """POST /create_label."""
    name = required(p, "label_name")
    page = _bot_page(state, me, p)
    label = LabelRec(state.new_label_id(), name, page.page_id)
    state.labels[label.label_id] = label
    return success(label_id=label.label_id)


def assign_label(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """POST /assign_label: comma-separated label ids onto one subscriber of the page."""
    ids = [i.strip() for i in required(p, "label_ids").split(",") if i.strip()]
    page = _bot_page(state, me, p)
    s = state.subscribers.get(required(p, "subscriber_id"))
    # Facebook's Graph API answers for the page; XeroChat passes its message through.
    if s is None or s.page_id != page.page_id:
        raise XcError("(#100) The user ID is not valid.")
    for label_id in ids:
        label = state.labels.get(label_id)
        if label is None or label.page_id != page.page_id:
            raise XcError("(#100) The label ID is not valid.")
    s.label_ids.extend(i for i in ids if i not in s.label_ids)
    return {"success": True, "status": "success"}


def get_flow_campaigns(state: XeroChatState, me: User, p: Params, path: Mapping[str, str]) -> Any:
    """GET /get_flow_campaigns: a bare list."""
    return [
        {"id": str(f.id), "flow_name": f.name} for f in state.flows.values() if f.user_id == me.id
    ]


def get_flow_campaign_info(
    state: XeroChatState, me: User, p: Params, path: Mapping[str, str]
) -> Any:
    """GET /get_flow_campaign_info."""
    flow = _flow(state, me, p)
    return {"id": str(flow.id), "flow_name": flow.name, "questions": [q for _, q in flow.questions]}


def get_single_subscriber_flow_info(
    state: XeroChatState, me: User, p: Params, path: Mapping[str, str]
) -> Any:
    """GET /get_single_subscriber_flow_info."""
    flow = _flow(state, me, p)
    s = _subscriber(state, me, required(p, "subscriber_id"))
    return {"id": str(flow.id), "flow_name": flow.name, "data": _answers(flow, s.subscriber_id)}


def get_all_subscriber_flow_info(
    state: XeroChatState, me: User, p: Params, path: Mapping[str, str]
) -> Any:
    """GET /get_all_subscriber_flow_info: answers keyed by subscriber id."""
    flow = _flow(state, me, p)
    data = {psid: _answers(flow, psid) for psid in flow.answers}
    # PHP's json_encode prints an empty array as [], not {}.
    return {"id": str(flow.id), "flow_name": flow.name, "data": data or []}


ROUTES = [
    *endpoint("GET", "/subscriber_information", subscriber_information),
    *endpoint("GET", "/get_all_labels", get_all_labels),
    *endpoint("POST", "/create_label", create_label),
    *endpoint("POST", "/assign_label", assign_label),
    *endpoint("GET", "/get_flow_campaigns", get_flow_campaigns),
    # Its prose says GET, its curl POSTs with the query: both documented (xerochat_rules).
    *endpoint(("GET", "POST"), "/get_flow_campaign_info", get_flow_campaign_info),
    *endpoint("GET", "/get_single_subscriber_flow_info", get_single_subscriber_flow_info),
    *endpoint("GET", "/get_all_subscriber_flow_info", get_all_subscriber_flow_info),
]
