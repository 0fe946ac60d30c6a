"""Cookies: kept per host, sent back verbatim, replaced, removed, never shown."""

from __future__ import annotations

import pytest

from custom_components.voicemail.icws import IcwsLoginRefusedError, IcwsNotAllowedError
from custom_components.voicemail.icws.cookies import CookieJar
from tests.icws_simulator import IcwsSimulator, RecordedRequest, SimulatorSettings

from .conftest import ClientFactory, Connector, Secrets, logins

STOP = "/voicemail-message/play/stop$"
AFFINITY = SimulatorSettings(affinity_cookie="SERVERID")
ROTATING = SimulatorSettings(affinity_cookie="SERVERID", affinity_cookie_rotate_every=3)
POOL = "BIGipServerpool=cic-pool-8019.17.2.0"
TRACK = "TRACKER=t-6f1c9e2a"
EXTRA_COOKIES = (f"{POOL}; Path=/", f"{TRACK}; Path=/; HttpOnly")


@pytest.fixture(autouse=True)
def cookie_secrets(secrets: Secrets) -> None:
    """Add the balancer's and the proxies' cookie values to the secrets."""
    secrets.values.update(f"node{n}" for n in range(1, 100))
    secrets.values.update(
        {"cic-pool-8019.17.2.0", "t-6f1c9e2a", "backup-pool-value", "t-replaced"}
    )


def after_login(sim: IcwsSimulator) -> list[RecordedRequest]:
    """Return the requests after the first login's."""
    return sim.requests[1:]


def newest(sim: IcwsSimulator) -> str:
    """Return the id of alice's newest message (a voicemail)."""
    return sim.voicemails("alice")[-1].message_id


async def test_session_cookie_sent_verbatim_to_an_ip_host(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """With host 127.0.0.1 the `icws_<id>` cookie still goes out, verbatim, with the CSRF token."""
    session = await make_client(host="127.0.0.1").login()
    [stored] = sim.sessions.values()
    assert "|languageId=en-us" in stored.cookie_value
    await session.stop(newest(sim))
    stop = sim.requests[-1]
    assert (
        stop.path
        == f"/icws/{stored.session_id}/unified-messaging/{newest(sim)}/voicemail-message/play/stop"
    )
    assert stop.headers["Cookie"] == f"icws_{stored.session_id}={stored.cookie_value}"
    assert stop.headers["ININ-ICWS-CSRF-Token"] == stored.csrf_token
    assert stop.status == 204


@pytest.mark.parametrize("icws_settings", [AFFINITY])
async def test_the_affinity_cookie_goes_back_on_every_request(
    sim: IcwsSimulator, connect: Connector
) -> None:
    """The balancer's cookie of the login comes back on every session request and the stream."""
    run = await connect()
    await run.session.set_read(newest(sim), True)
    await run.session.stop(newest(sim))
    [stored] = sim.sessions.values()
    assert "SERVERID" not in sim.requests[0].cookies
    later = after_login(sim)
    assert {r.path.removeprefix(f"/icws/{stored.session_id}") for r in later} >= {
        "/messaging/messages",
        "/messaging/subscriptions/unified-messaging/voicemail-messages",
        f"/unified-messaging/{newest(sim)}",
    }
    for request in later:
        assert request.cookies == {
            f"icws_{stored.session_id}": stored.cookie_value,
            "SERVERID": "node1",
        }
        assert request.status is not None and 200 <= request.status < 300
    stream = sim.requests_to("/messaging/messages$")[0]
    assert stream.headers["Accept"] == "text/event-stream"


@pytest.mark.parametrize("icws_settings", [ROTATING])
async def test_a_rotated_affinity_cookie_replaces_the_old_one(
    sim: IcwsSimulator, connect: Connector
) -> None:
    """The balancer moves to a new node: its new value is sent, the old one no more."""
    run = await connect()
    for read in (True, False) * 5:
        await run.session.set_read(newest(sim), read)
    later = after_login(sim)
    assert all(r.status is not None and 200 <= r.status < 300 for r in later)
    sent = [r.cookies["SERVERID"] for r in later]
    assert all(r.headers["Cookie"].count("SERVERID=") == 1 for r in later)
    assert len(set(sent)) >= 3
    # Once replaced, a value never comes back.
    changes = [value for i, value in enumerate(sent) if i == 0 or sent[i - 1] != value]
    assert len(changes) == len(set(changes))


async def test_extra_cookies_go_back_to_their_host_only(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A proxy's cookies of primary.test never go to backup.test after a switchover."""
    sim.settings.extra_login_cookies = EXTRA_COOKIES
    client = make_client(host="primary.test")
    first = await client.login()
    await first.stop(newest(sim))
    on_primary = sim.requests[-1]
    assert on_primary.cookies == {
        f"icws_{first.session_id}": sim.sessions[first.session_id].cookie_value,
        "BIGipServerpool": "cic-pool-8019.17.2.0",
        "TRACKER": "t-6f1c9e2a",
    }
    sim.settings.extra_login_cookies = ("BIGipServerpool=backup-pool-value; Path=/",)
    sim.switchover(["backup.test"])
    sim.clear_requests()
    second = await client.login()
    await second.stop(newest(sim))
    assert second.host == "backup.test"
    refused, login, stop = sim.requests
    # The login to primary.test (refused) still carries primary's cookies, but not
    # the old session's, which a new login replaces.
    assert refused.host.startswith("primary.test:")
    assert refused.cookies == {
        "BIGipServerpool": "cic-pool-8019.17.2.0",
        "TRACKER": "t-6f1c9e2a",
    }
    assert login.host.startswith("backup.test:")
    assert "Cookie" not in login.headers
    assert stop.host.startswith("backup.test:")
    assert stop.cookies == {
        f"icws_{second.session_id}": sim.sessions[second.session_id].cookie_value,
        "BIGipServerpool": "backup-pool-value",
    }
    for request in (login, stop):
        for value in (*on_primary.cookies.values(), "t-6f1c9e2a"):
            assert value not in request.headers.get("Cookie", "")


@pytest.mark.parametrize(
    ("set_cookies", "expected"),
    [
        (("TRACKER=; Max-Age=0; Path=/",), None),
        (("TRACKER=gone; Max-Age=-1",), None),
        (("TRACKER=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",), None),
        (("TRACKER=t-replaced; Path=/",), "t-replaced"),
        (("TRACKER=t-replaced; Expires=Fri, 01 Jan 2100 00:00:00 GMT",), "t-replaced"),
        (
            ("TRACKER=t-replaced; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT",),
            "t-replaced",
        ),
    ],
)
async def test_later_set_cookie_headers_replace_or_remove(
    sim: IcwsSimulator,
    make_client: ClientFactory,
    set_cookies: tuple[str, ...],
    expected: str | None,
) -> None:
    """A later Set-Cookie replaces the value; Max-Age=0 or a past Expires removes it."""
    sim.settings.extra_login_cookies = EXTRA_COOKIES
    client = make_client()
    first = await client.login()
    await first.logout()
    sim.settings.extra_login_cookies = set_cookies
    second = await client.login()
    await second.stop(newest(sim))
    cookies = sim.requests[-1].cookies
    assert cookies.get("TRACKER") == expected
    # The other cookies are untouched, and the new session's cookie replaced the old.
    assert cookies["BIGipServerpool"] == "cic-pool-8019.17.2.0"
    assert f"icws_{first.session_id}" not in cookies
    assert f"icws_{second.session_id}" in cookies
    assert sim.requests[-1].status == 204


@pytest.mark.parametrize(
    "icws_settings",
    [
        SimulatorSettings(
            affinity_cookie="SERVERID", extra_login_cookies=(f"{POOL}; Path=/",)
        )
    ],
)
async def test_cookie_values_never_reach_error_messages(
    sim: IcwsSimulator, make_client: ClientFactory, secrets: Secrets
) -> None:
    """A server that echoes cookies in its error texts: the values are masked."""
    client = make_client()
    session = await client.login()
    [stored] = sim.sessions.values()
    echo = f"Cookies node1, cic-pool-8019.17.2.0 and {stored.cookie_value} refused."
    sim.inject_fault(STOP, 400, body={"message": echo, "errorId": "error.node1"})
    with pytest.raises(IcwsNotAllowedError) as caught:
        await session.stop(newest(sim))
    assert caught.value.server_message == "Cookies ***, *** and *** refused."
    assert caught.value.error_id == "error.***"
    secrets.assert_absent(str(caught.value))
    # A refused login echoing the cookies the client holds: masked too.
    await session.logout()
    echo = "Balancer node1 (cic-pool-8019.17.2.0) refused the login."
    sim.settings.login_error = (403, "error.request.accessDenied", echo)
    with pytest.raises(IcwsLoginRefusedError) as refused:
        await client.login()
    assert logins(sim) == 2
    secrets.assert_absent(str(refused.value))
    assert str(refused.value).endswith("Balancer *** (***) refused the login.")


# --- The jar itself --------------------------------------------------------------------


def test_the_jar_keeps_cookies_per_host_verbatim() -> None:
    """Values verbatim (quotes, `|`, `=`), per host (case-insensitive), in first-set order."""
    jar = CookieJar()
    jar.update("Primary.Test", ["icws_1=u|languageId=en-us; Path=/icws/1", 'Q="a b"'])
    jar.update("backup.test", ["SERVERID=node2; Path=/", "x=1=2"])
    assert jar.header("primary.test") == 'icws_1=u|languageId=en-us; Q="a b"'
    assert jar.header("BACKUP.TEST") == "SERVERID=node2; x=1=2"
    assert jar.header("other.test") is None
    jar.update("primary.test", ["Q=new"])
    assert jar.header("primary.test") == "icws_1=u|languageId=en-us; Q=new"
    assert set(jar.values()) == {"u|languageId=en-us", "new", "node2", "1=2"}


def test_the_jar_ignores_what_is_not_a_cookie() -> None:
    """No `=`, no name, unreadable attributes: nothing breaks."""
    jar = CookieJar()
    jar.update(
        "h", ["novalue", "=x; Path=/", " ; ", "a=1; Max-Age=soon", "b=2; Expires=never"]
    )
    assert jar.header("h") == "a=1; b=2"


def test_the_jar_forgets_only_session_cookies_before_a_login() -> None:
    """`forget_sessions` drops the host's `icws_` cookies and keeps the rest."""
    jar = CookieJar()
    jar.update("h", ["icws_1=a", "SERVERID=n1", "icws_2=b"])
    jar.update("g", ["icws_9=c"])
    assert jar.session_cookie("h", "2") == "icws_2"
    assert jar.session_cookie("h", "7") == "icws_1"
    jar.forget_sessions("H")
    assert jar.header("h") == "SERVERID=n1"
    assert jar.session_cookie("h", "1") is None
    assert jar.header("g") == "icws_9=c"
    jar.forget_sessions("unknown.test")
    jar.update("h", ["SERVERID=gone; Max-Age=0"])
    assert jar.header("h") is None


def test_an_expiry_without_a_zone_is_read_as_utc() -> None:
    """`Expires` with `-0000` (no zone): a past date removes, a future one keeps."""
    jar = CookieJar()
    jar.update("h", ["a=1", "b=2"])
    jar.update(
        "h",
        [
            "a=gone; Expires=Thu, 01 Jan 1970 00:00:00 -0000",
            "b=kept; Expires=Fri, 31 Dec 9999 23:59:59 -0000",
        ],
    )
    assert jar.header("h") == "b=kept"
