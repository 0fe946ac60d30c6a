"""Which hosts a login tries: switchover hops, redirects, unreachable and invalid hosts."""

from __future__ import annotations

import pytest

from custom_components.voicemail.icws import IcwsConnectionError, IcwsServerError
from tests.icws_simulator import IcwsSimulator, SimulatorSettings
from tests.icws_simulator.server import RunningSimulator

from .conftest import ClientFactory, Secrets

LOGIN = "^/icws/connection$"


def login_hosts(sim: IcwsSimulator) -> list[str]:
    """Return the host (no port) of each login request, in order."""
    return [r.host.partition(":")[0] for r in sim.requests_to(LOGIN, "POST")]


@pytest.mark.parametrize(
    "icws_settings",
    [
        SimulatorSettings(
            refusing_hosts={"primary.test": ("primary.test", "backup.test")}
        )
    ],
)
async def test_login_follows_503_to_an_alternate_host(
    icws_simulator: RunningSimulator, make_client: ClientFactory
) -> None:
    """503 with alternateHostList: the same POST on those hosts, same scheme and port."""
    sim = icws_simulator.sim
    client = make_client(host="primary.test")
    session = await client.login()
    assert client.host == session.host == session.info.host == "backup.test"
    port = icws_simulator.port
    assert [(r.host, r.status) for r in sim.requests] == [
        (f"primary.test:{port}", 503),
        (f"backup.test:{port}", 201),
    ]
    assert sim.requests[0].body == sim.requests[1].body
    assert sim.requests[1].query == "include=features%2Cversion"
    # The session lives on the new host; the next login starts there.
    await session.stop(sim.voicemails("alice")[-1].message_id)
    assert sim.requests[-1].host == f"backup.test:{port}"
    await session.logout()
    await client.login()
    assert login_hosts(sim) == ["primary.test", "backup.test", "backup.test"]


@pytest.mark.parametrize(
    "icws_settings",
    [
        SimulatorSettings(
            refusing_hosts={
                f"h{i}.test": (f"h{i + 1}.test", "h0.test") for i in range(12)
            }
        )
    ],
)
async def test_switchover_hops_are_bounded(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """Refusing hosts naming each other: each host once, at most 8, then the 503 error."""
    with pytest.raises(IcwsServerError) as caught:
        await make_client(host="h0.test").login()
    assert caught.value.status == 503
    assert login_hosts(sim) == [f"h{i}.test" for i in range(8)]
    assert len(sim.requests) == 8


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(refusing_hosts={"primary.test": ()})]
)
async def test_503_without_alternates(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A 503 naming no other host is a server error, after one login."""
    with pytest.raises(IcwsServerError) as caught:
        await make_client(host="primary.test").login()
    assert caught.value.error_id == "error.server.notAcceptingConnections"
    assert login_hosts(sim) == ["primary.test"]


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(login_redirect_status=302, login_redirect_host="backup.test")],
)
async def test_login_redirect_is_followed_like_a_503(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A 3xx at login (ruby-ic's reading): try the hosts it names."""
    client = make_client(host="primary.test")
    await client.login()
    assert client.host == "backup.test"
    assert [r.status for r in sim.requests] == [302, 201]
    assert login_hosts(sim) == ["primary.test", "backup.test"]


async def test_switchover_moves_the_next_login(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """After `switchover`, the old session is rejected and a login lands on the new host."""
    client = make_client(host="primary.test")
    first = await client.login()
    sim.switchover(["backup.test"])
    second = await client.login()
    assert (first.host, second.host, client.host) == (
        "primary.test",
        "backup.test",
        "backup.test",
    )
    assert login_hosts(sim) == ["primary.test", "primary.test", "backup.test"]
    await second.stop(sim.voicemails("alice")[-1].message_id)
    assert sim.requests[-1].status == 204


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(alternate_host_list=("primary.test", "backup.test"))],
)
async def test_unreachable_server_login_tries_remembered_hosts(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """The alternateHostList of the last login is tried when the host cannot be reached."""
    client = make_client(host="primary.test")
    session = await client.login()
    assert client.alternate_hosts == ("primary.test", "backup.test")
    await session.logout()
    sim.inject_fault(LOGIN, None, count=None, drop=True, host="primary.test")
    await client.login()
    assert client.host == "backup.test"
    assert login_hosts(sim) == ["primary.test", "primary.test", "backup.test"]


async def test_unreachable_server(
    icws_simulator: RunningSimulator, make_client: ClientFactory, secrets: Secrets
) -> None:
    """No server, no alternates: IcwsConnectionError (also from an operation)."""
    client = make_client()
    session = await client.login()
    await icws_simulator.stop()
    with pytest.raises(IcwsConnectionError) as caught:
        await client.login()
    assert "Cannot reach the ICWS server at 127.0.0.1" in str(caught.value)
    secrets.assert_absent(str(caught.value))
    with pytest.raises(IcwsConnectionError) as caught:
        await session.stop("m1")
    secrets.assert_absent(str(caught.value))


async def test_unresolvable_alternate_and_invalid_host(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A host name that is not one is a connection error, not a crash."""
    with pytest.raises(IcwsConnectionError):
        await make_client(host="bad host").login()
    with pytest.raises(IcwsConnectionError):
        await make_client(host="unknown.invalid").login()
    assert sim.requests == []


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(refusing_hosts={"primary.test": ("bad host", "backup.test")})],
)
async def test_an_alternate_that_is_no_host_name_is_skipped(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """A 503 naming something that is not a host: the next alternate is tried."""
    client = make_client(host="primary.test")
    await client.login()
    assert client.host == "backup.test"
    assert login_hosts(sim) == ["primary.test", "backup.test"]
