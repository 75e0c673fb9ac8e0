"""The hidden-harm JSON routes: read the prompts, decide one, re-scan grown text."""

from __future__ import annotations

from fastapi.testclient import TestClient

from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.risk.flow import new_contact
from tests.staff import api_headers

NARRATIVE = "My husband hit me again and I'm scared of him, he says he will kill me."


def test_prompts_are_read_and_decided_through_the_api(client: TestClient,
                                                      runtime: Runtime) -> None:
    headers = api_headers(client, runtime, Role.CALL_HANDLER)
    contact_id = new_contact(client, headers, narrative=NARRATIVE)
    [prompt] = client.get(f"/api/contacts/{contact_id}/harms", headers=headers).json()
    assert (prompt["type"], prompt["level"], prompt["status"]) == (
        "domestic_abuse", "likely", "pending")
    for e in prompt["evidence"]:
        assert NARRATIVE[e["start"]:e["end"]] == e["text"]
    url = f"/api/contacts/{contact_id}/harms/{prompt['id']}/decision"
    refused = client.post(url, json={"decision": "dismissed"}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "reason"
    assert client.post(url, json={"decision": "maybe"}, headers=headers).status_code == 422
    done = client.post(url, json={"decision": "confirmed"}, headers=headers)
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    assert client.post(url, json={"decision": "confirmed"}, headers=headers).status_code == 409
    wrong = f"/api/contacts/{contact_id + 1}/harms/{prompt['id']}/decision"
    assert client.post(wrong, json={"decision": "confirmed"}, headers=headers).status_code == 404


def test_a_reviewer_reads_but_does_not_decide_and_a_partner_sees_nothing(
        client: TestClient, runtime: Runtime) -> None:
    contact_id = new_contact(client, api_headers(client, runtime, Role.CALL_HANDLER),
                             narrative=NARRATIVE)
    reviewer = api_headers(client, runtime, Role.QA_REVIEWER)
    [prompt] = client.get(f"/api/contacts/{contact_id}/harms", headers=reviewer).json()
    url = f"/api/contacts/{contact_id}/harms/{prompt['id']}/decision"
    assert client.post(url, json={"decision": "confirmed"}, headers=reviewer).status_code == 403
    partner = api_headers(client, runtime, Role.PARTNER_AGENCY)
    assert client.get(f"/api/contacts/{contact_id}/harms", headers=partner).status_code == 403


def test_a_channel_rescans_a_contact_whose_text_has_grown(client: TestClient,
                                                          runtime: Runtime) -> None:
    headers = api_headers(client, runtime, Role.DIGITAL_DESK)
    contact_id = new_contact(client, headers, narrative="Hello, I need to ask something.")
    assert client.get(f"/api/contacts/{contact_id}/harms", headers=headers).json() == []
    grown = "Hello, I need to ask something.\nMy daughter is 14 and gets into cars with older men."
    found = client.post(f"/api/contacts/{contact_id}/harms/scan", json={"text": grown},
                        headers=headers)
    assert found.status_code == 200
    assert [f["type"] for f in found.json()] == ["child_exploitation"]
    too_long = client.post(f"/api/contacts/{contact_id}/harms/scan",
                           json={"text": "x" * 200_001}, headers=headers)
    assert too_long.status_code == 422
    missing = client.post("/api/contacts/999999/harms/scan", json={"text": "hi"},
                          headers=headers)
    assert missing.status_code == 404
