from __future__ import annotations

from typing import Any

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.conftest import PASSWORD, client_for

URL = "/api/v1/auth/token/"


def test_it_issues_a_token_for_a_nip_and_password(org: Any, api: APIClient) -> None:
    response = api.post(URL, {"username": org.alice.nip, "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token"]
    assert body["employee"]["nip"] == org.alice.nip
    assert body["employee"]["supervisor"] == {"nip": org.bob.nip, "name": org.bob.name}
    assert AuthToken.objects.filter(user=org.alice.user).count() == 1

    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert api.get("/api/v1/me/").status_code == 200


def test_it_accepts_a_nip_typed_with_spaces(org: Any, api: APIClient) -> None:
    spaced = (
        f"{org.alice.nip[:8]} {org.alice.nip[8:14]} {org.alice.nip[14]} "
        f"{org.alice.nip[15:]}"
    )
    response = api.post(URL, {"username": spaced, "password": PASSWORD})
    assert response.status_code == 200


def test_it_logs_in_an_account_without_nip_by_username(
    org: Any, api: APIClient
) -> None:
    response = api.post(URL, {"username": "audi", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["employee"] is None


def test_it_refuses_a_wrong_password_with_a_clear_message(
    org: Any, api: APIClient
) -> None:
    response = api.post(URL, {"username": org.alice.nip, "password": "salah"})
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "invalid_credentials"
    assert "password" in body["message"].lower() or "sandi" in body["message"].lower()
    assert not AuthToken.objects.exists()


def test_it_refuses_an_unknown_account_the_same_way(org: Any, api: APIClient) -> None:
    response = api.post(URL, {"username": "999999999999999999", "password": "x"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_it_refuses_an_inactive_account(org: Any, api: APIClient) -> None:
    org.alice.user.is_active = False
    org.alice.user.save()
    response = api.post(URL, {"username": org.alice.nip, "password": PASSWORD})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"password": "x"}, "username"),
        ({"username": "x"}, "password"),
        ({"username": "", "password": "x"}, "username"),
    ],
)
def test_it_names_the_missing_field(
    api: APIClient, db: Any, payload: dict[str, str], field: str
) -> None:
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["fields"]
    assert field in body["message"]


def test_malformed_json_is_a_400_not_a_500(api: APIClient, db: Any) -> None:
    response = api.generic("POST", URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_repeated_failures_lock_the_account_even_with_the_right_password(
    org: Any, api: APIClient, settings: Any
) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert (
            api.post(URL, {"username": org.alice.nip, "password": "x"}).status_code
            == 401
        )
    response = api.post(URL, {"username": org.alice.nip, "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["code"] == "locked"
    assert "Retry-After" in response.headers
    # Another account is not affected.
    assert (
        api.post(URL, {"username": org.bob.nip, "password": PASSWORD}).status_code
        == 200
    )


def test_a_successful_login_resets_the_failure_count(
    org: Any, api: APIClient, settings: Any
) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(2):
        api.post(URL, {"username": org.alice.nip, "password": "x"})
    assert (
        api.post(URL, {"username": org.alice.nip, "password": PASSWORD}).status_code
        == 200
    )
    for _ in range(2):
        api.post(URL, {"username": org.alice.nip, "password": "x"})
    assert (
        api.post(URL, {"username": org.alice.nip, "password": PASSWORD}).status_code
        == 200
    )


def test_one_address_is_rate_limited_across_accounts(
    org: Any, api: APIClient, settings: Any
) -> None:
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "login": "3/min"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [
            api.post(URL, {"username": f"nobody{i}", "password": "x"}).status_code
            for i in range(4)
        ]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert codes == [401, 401, 401, 429]


def test_logout_revokes_only_that_token(org: Any) -> None:
    phone = client_for(org.alice.user)
    tablet = client_for(org.alice.user)
    assert phone.post("/api/v1/auth/logout/").status_code == 204
    assert phone.get("/api/v1/me/").status_code == 401
    assert tablet.get("/api/v1/me/").status_code == 200


def test_logging_in_on_many_devices_keeps_only_the_newest_tokens(
    org: Any, api: APIClient, settings: Any
) -> None:
    settings.API_TOKENS_PER_USER = 2
    tokens = [
        api.post(URL, {"username": org.alice.nip, "password": PASSWORD}).json()["token"]
        for _ in range(3)
    ]
    assert AuthToken.objects.filter(user=org.alice.user).count() == 2
    old = APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    assert old.get("/api/v1/me/").status_code == 401


def test_a_bad_token_is_a_401_json_error(db: Any) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nonsense")
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_me_describes_the_caller(org: Any) -> None:
    from backend.attendance.models import Workplace

    office = Workplace.objects.create(
        name="Kantor BKD",
        unit=org.bkd,
        latitude="0.507930",
        longitude="101.449550",
        radius_m=80,
    )
    Workplace.objects.create(
        name="Kantor Dinkes",
        unit=org.dinkes,
        latitude="0.5",
        longitude="101.4",
        radius_m=80,
    )
    extra = Workplace.objects.create(
        name="Posko", unit=org.dinkes, latitude="0.51", longitude="101.41"
    )
    extra.employees.add(org.bob)

    body = client_for(org.bob.user).get("/api/v1/me/").json()
    assert body["nip"] == org.bob.nip
    assert body["unit"]["code"] == "BKD-MUT"
    assert body["supervisor"]["nip"] == org.dina.nip
    assert body["roles"] == ["employee", "supervisor"]
    # The office of the OPD above his bidang, plus the one he is assigned to.
    assert [w["name"] for w in body["workplaces"]] == ["Kantor BKD", "Posko"]
    assert body["workplaces"][0]["latitude"] == pytest.approx(0.50793)
    assert office.pk == body["workplaces"][0]["id"]


def test_me_for_an_account_without_employee_record(org: Any) -> None:
    body = client_for(org.audi).get("/api/v1/me/").json()
    assert body["username"] == "audi" and body["roles"] == ["auditor"]
    assert set(body) == {"username", "roles", "consent_required", "privacy_notice"}


def test_unknown_api_path_is_a_json_404(db: Any, api: APIClient) -> None:
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_error_messages_are_indonesian_by_default_and_english_on_request(
    org: Any, api: APIClient
) -> None:
    payload = {"username": org.alice.nip, "password": "x"}
    indonesian = api.post(URL, payload).json()["message"]
    english = api.post(URL, payload, HTTP_ACCEPT_LANGUAGE="en").json()["message"]
    assert english == "The NIP/username or password is wrong."
    assert indonesian != english
