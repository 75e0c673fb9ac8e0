"""The dispatcher's lifecycle pages: status buttons, finalise with a closing code, reopen."""

from __future__ import annotations

from fastapi.testclient import TestClient

from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from tests.demand.test_service import open_incident
from tests.staff import api_headers, sign_in


def test_a_dispatcher_resources_finalises_and_reopens_an_incident_through_the_pages(
        client: TestClient, runtime: Runtime) -> None:
    incident_id = open_incident(client, api_headers(client, runtime, Role.CALL_HANDLER),
                                "priority")
    csrf = sign_in(client, runtime, Role.DISPATCHER)
    page = client.get(f"/incidents/{incident_id}").text
    assert 'name="status" value="resourced"' in page and 'id="finalise"' in page
    moved = client.post(f"/incidents/{incident_id}/status", follow_redirects=True, data={
        "csrf_token": csrf, "version": "1", "status": "resourced"})
    assert moved.status_code == 200 and "Resourced" in moved.text

    form = client.get(f"/incidents/{incident_id}/finalise")
    assert 'value="PS-C-WEL"' in form.text and 'name="version" value="2"' in form.text
    refused = client.post(f"/incidents/{incident_id}/finalise", data={
        "csrf_token": csrf, "version": "2", "closing_code": "", "result": ""})
    assert refused.status_code == 422
    assert 'href="#closing_code"' in refused.text and 'href="#result"' in refused.text
    done = client.post(f"/incidents/{incident_id}/finalise", follow_redirects=True, data={
        "csrf_token": csrf, "version": "2", "closing_code": "PS-C-WEL",
        "result": "words_of_advice", "closing_note": "Found at a friend's house"})
    assert done.status_code == 200
    assert 'id="closing">Finalised: PS-C-WEL' in done.text and 'id="reopen"' in done.text
    assert 'id="rethrive"' not in done.text

    stale = client.post(f"/incidents/{incident_id}/reopen", data={
        "csrf_token": csrf, "version": "2", "reason": "Missing again"})
    assert stale.status_code == 409 and "Someone else changed this incident" in stale.text
    reopened = client.post(f"/incidents/{incident_id}/reopen", follow_redirects=True, data={
        "csrf_token": csrf, "version": "3", "reason": "Missing again"})
    assert reopened.status_code == 200
    assert "Reason: Missing again" in reopened.text and "Closing code PS-C-WEL" in reopened.text
    assert "Review due" in reopened.text


def test_a_form_without_its_version_is_treated_as_stale(client: TestClient,
                                                        runtime: Runtime) -> None:
    incident_id = open_incident(client, api_headers(client, runtime, Role.CALL_HANDLER),
                                "priority")
    csrf = sign_in(client, runtime, Role.DISPATCHER)
    response = client.post(f"/incidents/{incident_id}/status",
                           data={"csrf_token": csrf, "status": "resourced"})
    assert response.status_code == 409 and "out of date" in response.text


def test_a_call_handler_has_no_lifecycle_buttons_and_is_refused(client: TestClient,
                                                                runtime: Runtime) -> None:
    incident_id = open_incident(client, api_headers(client, runtime, Role.CALL_HANDLER),
                                "priority")
    csrf = sign_in(client, runtime, Role.CALL_HANDLER)
    assert 'id="finalise"' not in client.get(f"/incidents/{incident_id}").text
    assert client.get(f"/incidents/{incident_id}/finalise").status_code == 403
    assert client.post(f"/incidents/{incident_id}/status", data={
        "csrf_token": csrf, "version": "1", "status": "resourced"}).status_code == 403
