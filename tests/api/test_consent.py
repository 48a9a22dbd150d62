"""The privacy notice at first login, and accepting it."""

from __future__ import annotations

from typing import Any

from backend.accounts.models import PrivacyConsent
from backend.audit.models import AuditEntry
from tests.conftest import PASSWORD, client_for


def test_login_asks_for_consent_until_it_is_given(org: Any, api: Any) -> None:
    login = api.post(
        "/api/v1/auth/token/",
        {"username": org.alice.nip, "password": PASSWORD},
        format="json",
    ).json()
    assert login["consent_required"] is True
    assert login["privacy_notice"]["text"]
    assert login["privacy_notice"]["version"]

    alice = client_for(org.alice.user)
    assert alice.post("/api/v1/me/consent/", {"accept": False}).status_code == 400
    accepted = alice.post("/api/v1/me/consent/", {"accept": True})
    assert accepted.status_code == 200
    assert accepted.json()["consent_required"] is False
    alice.post("/api/v1/me/consent/", {"accept": True})
    assert PrivacyConsent.objects.filter(user=org.alice.user).count() == 1
    assert alice.get("/api/v1/me/").json()["consent_required"] is False
    assert AuditEntry.objects.filter(action="privacy.consent_accepted").count() == 1


def test_a_new_notice_version_asks_again(org: Any, settings: Any) -> None:
    alice = client_for(org.alice.user)
    alice.post("/api/v1/me/consent/", {"accept": True})
    settings.PRIVACY_NOTICE_VERSION = "2027-1"
    assert alice.get("/api/v1/me/").json()["consent_required"] is True


def test_the_notice_follows_the_language(org: Any) -> None:
    body = client_for(org.audi).get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert "Pantau records" in body["privacy_notice"]["text"]
