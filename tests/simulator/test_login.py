"""Login, features and version (PROTOCOL.md §2.1, §3; §9 points 1, 2, 9)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.server import RunningSimulator

from .helpers import IC_AUTH, ICWS_JSON, Login, login, login_body, post_connection


async def test_login_answers_201_with_the_observed_headers_and_body(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """201 with body, ININ headers, Location, Set-Cookie and the ICWS content type."""
    lg = await login(client_session, icws_simulator.url, include=None)
    body, headers = lg.body, lg.headers
    assert list(body) == [
        "csrfToken",
        "sessionId",
        "alternateHostList",
        "userID",
        "userDisplayName",
        "icServer",
    ]
    assert body["sessionId"].isdigit()
    assert body["userID"] == "alice"
    assert body["userDisplayName"] == "Alice Example"
    assert body["icServer"] == "CIC-ICWS"
    assert body["alternateHostList"] == []
    assert headers["ININ-ICWS-Session-ID"] == body["sessionId"]
    assert headers["ININ-ICWS-CSRF-Token"] == body["csrfToken"]
    assert headers["Location"] == f"/icws/{body['sessionId']}/connection"
    assert headers["Content-Type"] == ICWS_JSON
    sid = body["sessionId"]
    name, _, rest = headers["Set-Cookie"].partition("=")
    value, *attributes = rest.split("; ")
    assert name == f"icws_{sid}"
    assert value.endswith("|languageId=en-us")
    assert len(value.split("|")[0]) == 36  # a UUID
    assert attributes == [f"Path=/icws/{sid}", "HttpOnly"]


async def test_session_ids_are_distinct_numeric_strings(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Every login gets a new numeric session id, CSRF token and cookie."""
    first = await login(client_session, icws_simulator.url)
    second = await login(client_session, icws_simulator.url)
    assert first.session_id != second.session_id
    assert first.csrf != second.csrf
    assert first.cookie.split("=", 1)[1] != second.cookie.split("=", 1)[1]
    assert second.session_id.isdigit()


async def test_include_adds_features_version_and_more(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """`include=features,version,server-time,...` adds the extras."""
    lg = await login(
        client_session,
        icws_simulator.url,
        include="features,version,server-time,effective-station,default-workstation",
    )
    features = {f["featureId"]: f["version"] for f in lg.body["features"]}
    assert features["unified-messaging"] == 2
    assert features["messaging"] == 2
    assert isinstance(features["connection"], int)
    assert lg.body["version"]["majorVersion"] == "15"
    assert lg.body["version"]["productReleaseDisplayString"] == "2015 R1"
    assert len(lg.body["serverTimeInfo"]["serverUtcTime"]) == len("20261128T100000Z")
    assert lg.body["effectiveStation"] is None
    assert lg.body["defaultWorkstationId"] is None


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(messaging_version=1, unified_messaging_version=None)],
)
async def test_feature_versions_are_settings(lg: Login) -> None:
    """Messaging 1 and no unified-messaging feature at all."""
    features = {f["featureId"]: f["version"] for f in lg.body["features"]}
    assert features["messaging"] == 1
    assert "unified-messaging" not in features


@pytest.mark.parametrize(
    ("user", "password"),
    [("alice", "wrong"), ("nobody", "secret"), ("locked", "secret")],
    ids=["wrong-password", "unknown-user", "locked-user"],
)
async def test_bad_credentials_answer_the_same_400(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    user: str,
    password: str,
) -> None:
    """Unknown user, wrong password and locked user are indistinguishable."""
    icws_simulator.sim.add_user("locked", "secret", locked=True)
    async with post_connection(
        client_session, icws_simulator.url, json=login_body(user, password)
    ) as resp:
        assert resp.status == 400
        assert resp.headers["Content-Type"] == ICWS_JSON
        assert "Set-Cookie" not in resp.headers
        assert await resp.json(content_type=None) == {
            "errorId": "error.request.connection.authenticationFailure",
            "errorCode": -2147221503,
            "message": "The authentication process failed.",
        }


BAD_BODIES: list[tuple[Any, dict[str, Any]]] = [
    (
        "not json",
        {
            "__type": "urn:inin.com:common:error",
            "errorId": "error.request.invalidRepresentation.malformed",
        },
    ),
    (
        {"applicationName": "x", "userID": "alice", "password": "secret"},
        {
            "__type": "urn:inin.com:common:missingPropertyError",
            "errorId": "error.request.invalidRepresentation.missingRequiredParameter",
            "propertyName": "__type",
        },
    ),
    (
        {"__type": "urn:inin.com:connection:somethingElse", "applicationName": "x"},
        {
            "__type": "urn:inin.com:common:invalidPropertyError",
            "errorId": "error.request.invalidRepresentation.invalidProperty",
            "propertyName": "__type",
        },
    ),
    (
        {"__type": IC_AUTH, "userID": "alice", "password": "secret"},
        {
            "__type": "urn:inin.com:common:missingPropertyError",
            "errorId": "error.request.invalidRepresentation.missingRequiredParameter",
            "propertyName": "applicationName",
        },
    ),
    (
        {"__type": IC_AUTH, "applicationName": "x", "password": "secret"},
        {
            "__type": "urn:inin.com:common:missingPropertyError",
            "errorId": "error.request.invalidRepresentation.missingRequiredParameter",
            "propertyName": "userID",
        },
    ),
    (
        {"__type": IC_AUTH, "applicationName": "x", "userID": "alice", "password": 5},
        {
            "__type": "urn:inin.com:common:invalidPropertyError",
            "errorId": "error.request.invalidRepresentation.invalidProperty",
            "propertyName": "password",
        },
    ),
]


@pytest.mark.parametrize(("body", "expected"), BAD_BODIES)
async def test_representation_errors(
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    body: Any,
    expected: dict[str, Any],
) -> None:
    """Malformed, missing and invalid properties give the documented error shapes."""
    kwargs: dict[str, Any] = {"data": body} if isinstance(body, str) else {"json": body}
    async with post_connection(client_session, icws_simulator.url, **kwargs) as resp:
        assert resp.status == 400
        answer = await resp.json(content_type=None)
    assert {key: answer[key] for key in expected} == expected
    assert answer["message"]


async def test_missing_accept_language_is_a_400(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Accept-Language is required."""
    async with post_connection(
        client_session,
        icws_simulator.url,
        headers={},
        skip_auto_headers=["Accept-Language"],
    ) as resp:
        assert resp.status == 400
        answer = await resp.json(content_type=None)
    assert answer["errorId"].startswith("error.request.invalidRepresentation.")
    assert answer["propertyName"] == "Accept-Language"


async def test_language_goes_into_the_cookie(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """The cookie's languageId is the session language."""
    async with post_connection(
        client_session,
        icws_simulator.url,
        headers={"Accept-Language": "fr-FR,fr;q=0.9"},
    ) as resp:
        assert resp.status == 201
        assert "|languageId=fr-fr;" in resp.headers["Set-Cookie"]


async def test_plain_json_content_type_and_none_are_accepted(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Clients send application/json, the ICWS type, or nothing."""
    import json  # noqa: PLC0415

    for content_type in ("application/vnd.inin.icws+JSON;charset=utf-8", None):
        headers = {"Accept-Language": "en-us"}
        if content_type:
            headers["Content-Type"] = content_type
        async with post_connection(
            client_session,
            icws_simulator.url,
            data=json.dumps(login_body()).encode(),
            headers=headers,
        ) as resp:
            assert resp.status == 201


async def test_other_auth_types_fail_authentication(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Single sign-on and auth tokens are not simulated: authentication fails."""
    async with post_connection(
        client_session,
        icws_simulator.url,
        json={
            "__type": "urn:inin.com:connection:singleSignOnTokenConnectionRequestSettings",
            "applicationName": "x",
            "singleSignOnToken": "t",
        },
    ) as resp:
        assert resp.status == 400
        assert (await resp.json(content_type=None))["errorCode"] == -2147221503


async def test_features_and_version_need_no_session(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """`/icws/connection/features[/{id}]` and `/icws/connection/version`."""
    base = f"{icws_simulator.url}/icws/connection"
    async with client_session.get(f"{base}/features") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == ICWS_JSON
        listed = (await resp.json(content_type=None))["featureInfoList"]
    assert {"featureId": "unified-messaging", "version": 2} in listed
    async with client_session.get(f"{base}/features/messaging") as resp:
        assert resp.status == 200
        assert await resp.json(content_type=None) == {
            "featureId": "messaging",
            "version": 2,
        }
    async with client_session.get(f"{base}/features/no-such-feature") as resp:
        assert resp.status == 400
        assert (await resp.json(content_type=None))["errorId"] == (
            "error.request.invalidRepresentation.invalidProperty"
        )
    async with client_session.get(f"{base}/version") as resp:
        assert resp.status == 200
        version = await resp.json(content_type=None)
    assert all(isinstance(value, str) for value in version.values())
    assert version["su"] == "3"


async def test_unknown_paths_and_methods(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """404 for unknown paths, 405 for a known path with another verb."""
    async with client_session.get(f"{icws_simulator.url}/nothing") as resp:
        assert resp.status == 404
    async with client_session.get(f"{icws_simulator.url}/icws/connection") as resp:
        assert resp.status == 405
        assert resp.headers["Allow"] == "POST"
        assert (await resp.json(content_type=None))["errorId"] == (
            "error.request.accessDenied.httpMethodNotAllowed"
        )
    async with client_session.post(
        f"{icws_simulator.url}/icws/connection/version"
    ) as resp:
        assert resp.status == 405


async def test_paths_are_case_insensitive(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """`/ICWS/connection` (the WWW-Authenticate location) logs in too."""
    async with post_connection(
        client_session, icws_simulator.url, path="/ICWS/Connection"
    ) as resp:
        assert resp.status == 201
