"""Login variants: where the credentials travel, languages, lockout, refusals, cookies."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.server import RunningSimulator
from tests.icws_simulator.settings import CredentialsIn

from .helpers import login, login_body, post_connection

AUTH_FAILURE = {
    "errorId": "error.request.connection.authenticationFailure",
    "errorCode": -2147221503,
    "message": "The authentication process failed.",
}


async def _post(
    client_session: aiohttp.ClientSession,
    base: str,
    *,
    password: str = "secret",
    language: str = "en-us",
) -> tuple[int, Any, aiohttp.ClientResponse]:
    async with post_connection(
        client_session,
        base,
        json=login_body(password=password),
        headers={"Accept-Language": language},
    ) as resp:
        return resp.status, await resp.json(content_type=None), resp


@pytest.mark.parametrize(
    ("where", "in_headers", "in_body"),
    [("both", True, True), ("headers", True, False), ("body", False, True)],
)
async def test_session_credentials_in(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    where: CredentialsIn,
    in_headers: bool,
    in_body: bool,
) -> None:
    """Session id and CSRF token in the 201's headers, body, or both."""
    icws_simulator.sim.settings.session_credentials_in = where
    status, body, resp = await _post(client_session, icws_simulator.url)
    assert status == 201
    assert ("ININ-ICWS-Session-ID" in resp.headers) is in_headers
    assert ("ININ-ICWS-CSRF-Token" in resp.headers) is in_headers
    assert ("sessionId" in body) is in_body
    assert ("csrfToken" in body) is in_body
    assert resp.headers["Set-Cookie"].startswith("icws_")
    assert resp.headers["Location"].startswith("/icws/")


@pytest.mark.parametrize(
    "icws_settings",
    [
        SimulatorSettings(
            supported_languages=("en-us", "de-de"), require_region_in_language=True
        )
    ],
)
@pytest.mark.parametrize(
    ("language", "accepted"),
    [
        ("en-us", True),
        ("de-DE", True),
        ("de-de,en;q=0.5", True),
        ("fr-fr", False),
        ("en", False),
    ],
)
async def test_supported_languages(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    language: str,
    accepted: bool,
) -> None:
    """Only listed languages (first tag, case-insensitive); others 400 invalidProperty."""
    status, body, _ = await _post(client_session, icws_simulator.url, language=language)
    if accepted:
        assert status == 201
        return
    assert status == 400
    assert body["__type"] == "urn:inin.com:common:invalidPropertyError"
    assert body["errorId"] == "error.request.invalidRepresentation.invalidProperty"
    assert body["propertyName"] == "Accept-Language"


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(require_region_in_language=True)]
)
async def test_bare_language_refused_without_a_list(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """`require_region_in_language` alone: `en` is refused, any `ll-rr` accepted."""
    assert (await _post(client_session, icws_simulator.url, language="en"))[0] == 400
    assert (await _post(client_session, icws_simulator.url, language="pt-br"))[0] == 201


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(lockout_after_failures=3)])
async def test_lockout_after_failures(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Counted per user, reset by success; locked: the same 400 with the right password."""
    sim = icws_simulator.sim
    for expected in (1, 2):
        assert (await _post(client_session, icws_simulator.url, password="x"))[1] == (
            AUTH_FAILURE
        )
        assert sim.failed_logins("alice") == expected
    await login(client_session, icws_simulator.url)
    assert sim.failed_logins("alice") == 0
    for _ in range(3):
        await _post(client_session, icws_simulator.url, password="x")
    status, body, _ = await _post(client_session, icws_simulator.url)
    assert (status, body) == (400, AUTH_FAILURE)
    assert sim.users["alice"].locked
    # An administrator unlocks (and may change the password) with add_user.
    sim.add_user("alice", "new secret")
    assert sim.failed_logins("alice") == 0
    assert (await _post(client_session, icws_simulator.url))[0] == 400
    status, _, _ = await _post(
        client_session, icws_simulator.url, password="new secret"
    )
    assert status == 201


async def test_no_lockout_by_default(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Without the setting failures are counted but never lock the account."""
    for _ in range(5):
        await _post(client_session, icws_simulator.url, password="x")
    assert icws_simulator.sim.failed_logins("alice") == 5
    await login(client_session, icws_simulator.url)


@pytest.mark.parametrize(
    "icws_settings",
    [
        SimulatorSettings(
            login_error=(
                403,
                "error.request.connection.passwordExpired",
                "The password has expired.",
            )
        )
    ],
)
async def test_login_error_refuses_correct_credentials(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """`login_error`: any refusal after the credentials check (a wrong password: 400)."""
    status, body, _ = await _post(client_session, icws_simulator.url)
    assert status == 403
    assert body == {
        "errorId": "error.request.connection.passwordExpired",
        "message": "The password has expired.",
    }
    assert (await _post(client_session, icws_simulator.url, password="x"))[1] == (
        AUTH_FAILURE
    )


@pytest.mark.parametrize(
    ("settings", "status", "error_id"),
    [
        (
            SimulatorSettings(sdk_license_error_status=400),
            400,
            "error.request.connection.licenseNotAvailable",
        ),
        (
            SimulatorSettings(
                max_sessions_per_user=0, session_limit_evicts_oldest=False
            ),
            400,
            "error.request.connection.sessionLimitReached",
        ),
    ],
)
async def test_permanent_refusals_have_distinct_error_ids(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    settings: SimulatorSettings,
    status: int,
    error_id: str,
) -> None:
    """Licence and session-limit refusals are told apart by their errorId."""
    icws_simulator.sim.settings = settings
    got, body, _ = await _post(client_session, icws_simulator.url)
    assert (got, body["errorId"]) == (status, error_id)
    assert body["errorId"] != AUTH_FAILURE["errorId"]


@pytest.mark.parametrize(
    "icws_settings",
    [
        SimulatorSettings(
            extra_login_cookies=(
                "BIGipServerpool=123.456.0000; Path=/; HttpOnly",
                "other=1; Path=/icws",
            )
        )
    ],
)
async def test_extra_login_cookies(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """The 201 carries the `icws_` cookie first, then the extra ones as given."""
    status, _, resp = await _post(client_session, icws_simulator.url)
    assert status == 201
    cookies = resp.headers.getall("Set-Cookie")
    assert cookies[0].startswith("icws_")
    assert cookies[1:] == [
        "BIGipServerpool=123.456.0000; Path=/; HttpOnly",
        "other=1; Path=/icws",
    ]
    # Failed logins carry none of them.
    assert (
        "Set-Cookie"
        not in (await _post(client_session, icws_simulator.url, password="x"))[
            2
        ].headers
    )
