"""The printable PDF letter: its text read back out of the PDF, in English and Welsh, and its
SHA-256 kept as the evidence when it is posted."""

from __future__ import annotations

import hashlib
import io

from fastapi.testclient import TestClient
from pypdf import PdfReader

from firstcontact.platform.model import Role
from firstcontact.platform.runtime import Runtime
from firstcontact.victims.letter import printable
from tests.staff import sign_in
from tests.victims.conftest import record_crime, victim_of


def choose_letter(client: TestClient, care: dict[str, str], victim_id: int,
                  language: str = "English", name_address: str = "1 Mill Lane, Anytown") -> None:
    response = client.put(f"/api/victims/{victim_id}/details", headers=care, json={
        "contact_preference": "letter", "postal_address": name_address, "language": language})
    assert response.status_code == 200, response.text


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_letter_carries_the_reference_the_date_and_the_address(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    choose_letter(client, care, victim["id"])
    sign_in(client, runtime, Role.VICTIM_CARE)
    response = client.get(f"/victims/{victim['id']}/letter.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert victim["crime_reference"] in text and "14 March 2026" in text
    assert "Burglary (dwelling)" in text and "Call 101" in text
    assert "1 Mill Lane" in text and "Anytown" in text
    assert client.get(f"/victims/{victim['id']}/letter").text.count("letter.pdf") == 1


def test_the_welsh_pdf_letter(client: TestClient, runtime: Runtime, handler: dict[str, str],
                              care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    choose_letter(client, care, victim["id"], language="Cymraeg")
    sign_in(client, runtime, Role.VICTIM_CARE)
    text = pdf_text(client.get(f"/victims/{victim['id']}/letter.pdf").content)
    assert f"Cyfeirnod y drosedd: {victim['crime_reference']}" in text
    assert "Annwyl Sam Patel," in text and "14 March 2026" in text


def test_the_posted_letters_evidence_is_the_sha256_of_the_pdf_printed(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    choose_letter(client, care, victim["id"])
    csrf = sign_in(client, runtime, Role.VICTIM_CARE)
    printed = client.get(f"/victims/{victim['id']}/letter.pdf").content
    assert client.get(f"/victims/{victim['id']}/letter.pdf").content == printed
    posted = client.post(f"/victims/{victim['id']}/letter", data={"csrf_token": csrf},
                         follow_redirects=False)
    assert posted.status_code == 303
    given = client.get(f"/api/victims/{victim['id']}", headers=care).json()["entitlements"]
    acknowledgement = next(e for e in given if e["code"] == "written_acknowledgement")
    assert acknowledgement["evidence"] == "sha256:" + hashlib.sha256(printed).hexdigest()


def test_staff_without_victim_access_cannot_print_the_letter(
        client: TestClient, runtime: Runtime, handler: dict[str, str],
        care: dict[str, str]) -> None:
    victim = victim_of(client, care, record_crime(client, handler))
    sign_in(client, runtime, Role.CALL_HANDLER)
    assert client.get(f"/victims/{victim['id']}/letter.pdf").status_code == 403
    sign_in(client, runtime, Role.VICTIM_CARE)
    assert client.get("/victims/999999/letter.pdf").status_code == 404


def test_welsh_and_european_letters_print_and_others_lose_their_accent() -> None:
    assert printable("Dafydd Wójcik ŵ ŷ ẁ ỳ Ł Ș") == "Dafydd Wójcik ŵ ŷ ẁ ỳ Ł Ș"
    assert printable("Ǹ Ȁ 李") == "N A ?"
