"""Reading the platforms' documented payloads and checking their signatures, without a server."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from firstcontact.contacts.social_model import (
    NARRATIVE_FULL,
    Platform,
    grow_narrative,
    hub_signature,
    inert_text,
    meta_handshake,
    meta_signature_valid,
    read_meta,
    read_x,
    x_crc_answer,
    x_signature_valid,
)
from firstcontact.platform.model import MARKUP, ValidationError
from tests.contacts.social_support import payload


def test_a_messenger_message_is_read_with_its_ids_and_time() -> None:
    [message] = read_meta(payload("messenger_text"))
    assert message.platform is Platform.MESSENGER
    assert message.message_id == "m_1457764197618:41d102a3e1ae206a38"
    assert message.sender_id == "6783291740163512"
    assert message.account_id == "106540352242922"
    assert message.text.startswith("Someone has been following me")
    assert message.sent_at == datetime(2026, 3, 14, 9, 30, 0, 123000, tzinfo=UTC)


def test_echoes_and_delivery_receipts_are_passed_over_and_an_image_is_noted() -> None:
    [message] = read_meta(payload("messenger_echo_and_delivery"))
    assert message.message_id == "m_attachment_1"
    assert message.text == "[image sent, no text]"


def test_an_instagram_message_is_read_as_instagram() -> None:
    [message] = read_meta(payload("instagram_text"))
    assert message.platform is Platform.INSTAGRAM
    assert message.account_id == "17841405822304914"


def test_a_whatsapp_message_carries_the_senders_profile_name() -> None:
    [message] = read_meta(payload("whatsapp_text"))
    assert message.platform is Platform.WHATSAPP
    assert message.sender_id == "447700900123"
    assert message.account_id == "106540352242922"
    assert message.sender_name == "Sheena Nelson"
    assert message.sent_at == datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def test_whatsapp_delivery_statuses_hold_no_message() -> None:
    assert read_meta(payload("whatsapp_status")) == []


def test_an_x_direct_message_is_read_and_our_own_are_passed_over() -> None:
    body = payload("x_direct_message")
    [message] = read_x(body)
    assert (message.platform, message.sender_id, message.account_id) == (
        Platform.X, "3001969357", "4337869213")
    assert message.sender_name == "Jordan Brinks"
    assert message.text == "I want to report a stolen bike"
    body["direct_message_events"][0]["message_create"]["sender_id"] = "4337869213"
    assert read_x(body) == []


def test_a_payload_in_the_wrong_shape_names_the_field() -> None:
    body = payload("messenger_text")
    del body["entry"][0]["messaging"][0]["sender"]
    with pytest.raises(ValidationError) as error:
        read_meta(body)
    assert error.value.field == "entry[0].messaging[0].sender"
    body = payload("whatsapp_text")
    body["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = "soon"
    with pytest.raises(ValidationError) as error:
        read_meta(body)
    assert error.value.field == "entry[0].changes[0].value.messages[0].timestamp"
    with pytest.raises(ValidationError) as error:
        read_x({"for_user_id": "1", "direct_message_events": "none"})
    assert error.value.field == "direct_message_events"


def test_meta_signature_is_the_hex_hmac_of_the_raw_body() -> None:
    body = b'{"object":"page","entry":[]}'
    expected = "sha256=" + hmac.new(b"secret", body, hashlib.sha256).hexdigest()
    assert hub_signature("secret", body) == expected
    assert meta_signature_valid("secret", body, expected)
    assert not meta_signature_valid("secret", body + b" ", expected)
    assert not meta_signature_valid("secret", body, None)
    assert not meta_signature_valid("", body, hub_signature("", body))


def test_x_crc_answer_is_the_base64_hmac_of_the_token() -> None:
    digest = hmac.new(b"consumer", b"crc-123", hashlib.sha256).digest()
    assert x_crc_answer("consumer", "crc-123") == {
        "response_token": "sha256=" + base64.b64encode(digest).decode()}
    body = b"{}"
    signed = "sha256=" + base64.b64encode(
        hmac.new(b"consumer", body, hashlib.sha256).digest()).decode()
    assert x_signature_valid("consumer", body, signed)
    assert not x_signature_valid("consumer", body, signed.replace("sha256=", "sha256=A"))


def test_the_meta_handshake_echoes_the_challenge_only_for_our_token() -> None:
    assert meta_handshake("ours", "subscribe", "ours", "1158201444") == "1158201444"
    assert meta_handshake("ours", "subscribe", "theirs", "1158201444") is None
    assert meta_handshake("ours", "unsubscribe", "ours", "1158201444") is None
    assert meta_handshake("", "subscribe", "", "1158201444") is None


def test_script_is_kept_as_text_that_no_browser_runs() -> None:
    text = inert_text('<script>alert("x")</script> <a href="javascript:steal()">me</a>\x07')
    assert "<" not in text and ">" not in text and "\x07" not in text
    assert MARKUP.search(text) is None
    assert "script" in text and "alert" in text


def test_the_narrative_grows_until_full_then_points_to_the_record() -> None:
    narrative = grow_narrative("", "first", 40)
    narrative = grow_narrative(narrative, "second", 40)
    assert narrative == "first\nsecond"
    full = grow_narrative(narrative, "x" * 100, 60)
    assert full.endswith(NARRATIVE_FULL) and len(full) <= 60
    assert grow_narrative(full, "more", 60) == full


def test_script_in_a_senders_profile_name_is_made_inert_too() -> None:
    body = payload("whatsapp_text")
    body["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = (
        "<img src=x onerror=alert(1)>")
    [message] = read_meta(body)
    assert "<" not in message.sender_name and "onerror" in message.sender_name
    body = payload("x_direct_message")
    body["users"]["3001969357"]["name"] = "<script>x</script>"
    [message] = read_x(body)
    assert MARKUP.search(message.sender_name) is None
