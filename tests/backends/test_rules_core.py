"""The request-rules core: endpoint matching, wire decoding, and the client's local refusal."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
import pytest

from backends.errors import InvalidInput
from backends.http import HttpClient
from backends.rules import Outgoing, Rules, Violation


def _needs_to(out: Outgoing, params: Mapping[str, str]) -> Violation | None:
    return None if out.field("to") else Violation("to is required", 400, 102)


def _rules() -> Rules:
    rules = Rules("demo")
    rules.endpoint("GET", "/sms/{ids}")
    rules.endpoint("GET", "/sms/coverage")
    rules.endpoint("POST", "/sms", _needs_to)
    return rules


def test_a_literal_segment_wins_over_a_parameter() -> None:
    found = _rules().find("GET", ("sms", "coverage"))
    assert found is not None and found[0].template == ("sms", "coverage")
    found = _rules().find("GET", ("sms", "a/b"))
    assert found is not None and found[1] == {"ids": "a/b"}


def test_unknown_paths_and_wrong_methods_are_violations() -> None:
    rules = _rules()
    assert rules.check(Outgoing("DELETE", ("sms", "1")))[0].status == 405
    assert rules.check(Outgoing("GET", ("mail",)))[0].status == 404


def test_wire_decoding_keeps_an_encoded_slash_inside_its_segment() -> None:
    out = Outgoing.from_wire("get", "/api/rest/sms/a%2Fb", root="/api/rest", query_string="x=1")
    assert out.path == ("sms", "a/b") and out.param("x") == "1" and out.method == "GET"


def test_form_and_json_bodies_read_the_same_way() -> None:
    form = Outgoing.from_wire(
        "POST", "/sms", content_type="application/x-www-form-urlencoded", body=b"to=34&a=1&a=2"
    )
    assert form.field("to") == "34" and form.field("a") == ["1", "2"]
    js = Outgoing.from_wire("POST", "/sms", content_type="application/json", body=b'{"to":["34"]}')
    assert js.field("to") == ["34"]
    bad = Outgoing.from_wire("POST", "/sms", content_type="application/json", body=b"{")
    assert "not valid JSON" in _rules().check(bad)[0].message


async def test_the_client_refuses_locally_and_sends_nothing() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(202, json={})

    client = HttpClient(
        provider="demo",
        base_url="http://provider.test/api/rest",
        transport=httpx.MockTransport(handler),
        rules=_rules(),
    )
    with pytest.raises(InvalidInput, match="demo: to is required"):
        await client.request("POST", "sms", json={"to": []})
    assert sent == []
    await client.request("POST", "sms", json={"to": ["34600111333"]})
    assert len(sent) == 1
    await client.aclose()
