"""Property tests for free text as staff and the public type it (platform.model.plain_text):
whatever comes in, what is kept can be stored by every database and holds no markup."""

from __future__ import annotations

from fastapi.testclient import TestClient
from hypothesis import example, given

from firstcontact.platform.model import MARKUP, Role, ValidationError, plain_text
from firstcontact.platform.runtime import Runtime
from tests.properties import ANY_TEXT, PURE
from tests.risk.flow import CONTACT
from tests.staff import api_headers


@PURE
@given(ANY_TEXT)
@example("a lone surrogate \ud800 from a JSON \\u escape")
def test_any_text_is_kept_storable_and_inert_or_refused_naming_the_field(raw: str) -> None:
    try:
        kept = plain_text("narrative", raw, max_chars=50)
    except ValidationError as error:
        assert error.field == "narrative" and error.message
        return
    kept.encode("utf-8")
    assert "\x00" not in kept and not MARKUP.search(kept) and len(kept) <= 50


def test_a_lone_surrogate_in_json_is_refused_by_field_not_a_500(
        client: TestClient, runtime: Runtime) -> None:
    """JSON allows "\\ud800"; UTF-8, and so every database, does not."""
    headers = {**api_headers(client, runtime, Role.CALL_HANDLER),
               "content-type": "application/json"}
    body = ('{"channel": "phone_101", "caller": {"name": "Sam", "relationship": "victim"}, '
            '"location": {"address": "1 High Street"}, "narrative": "Help \\ud800 me"}')
    response = client.post("/api/contacts", content=body.encode(), headers=headers)
    assert response.status_code == 422, response.text
    assert "narrative" in response.text
    assert client.post("/api/contacts", json=CONTACT, headers=headers).status_code == 201
