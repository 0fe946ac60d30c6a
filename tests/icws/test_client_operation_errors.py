"""Errors of session operations against the simulator: the typed error of each answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from custom_components.voicemail.icws import (
    IcwsGoneError,
    IcwsNotAllowedError,
    IcwsResponseError,
    IcwsServerError,
    IcwsSession,
    IcwsSessionRejectedError,
    IcwsTimeoutError,
)
from tests.icws_simulator import IcwsSimulator, SimulatorSettings

from .conftest import ClientFactory, Secrets, logins

STOP = "/voicemail-message/play/stop$"

type Operation = Callable[[IcwsSession, str], Awaitable[None]]


def newest_voicemail(sim: IcwsSimulator) -> str:
    """Return the id of alice's newest voicemail."""
    return next(
        vm.message_id
        for vm in reversed(sim.voicemails("alice"))
        if vm.kind == "voicemail"
    )


@pytest.mark.parametrize(
    ("variant", "error_id", "error_type", "property_name"),
    [
        (
            "invalidProperty",
            "error.request.invalidRepresentation.invalidProperty",
            "urn:inin.com:common:invalidPropertyError",
            "unifiedMessageId",
        ),
        (
            "missingRequiredParameter",
            "error.request.invalidRepresentation.missingRequiredParameter",
            "urn:inin.com:common:missingPropertyError",
            "unifiedMessageId",
        ),
        (
            "malformed",
            "error.request.invalidRepresentation.malformed",
            "urn:inin.com:common:error",
            None,
        ),
    ],
)
async def test_stop_400_variants(
    *,
    sim: IcwsSimulator,
    make_client: ClientFactory,
    secrets: Secrets,
    variant: str,
    error_id: str,
    error_type: str,
    property_name: str | None,
) -> None:
    """The three documented 400 bodies become IcwsNotAllowedError with their fields."""
    session = await make_client().login()
    sim.inject_fault(STOP, 400, error_variant=variant)
    with pytest.raises(IcwsNotAllowedError) as caught:
        await session.stop(newest_voicemail(sim))
    error = caught.value
    assert (error.status, error.error_id, error.error_type, error.property_name) == (
        400,
        error_id,
        error_type,
        property_name,
    )
    assert (
        error.server_message == "Stop is not allowed on a unified message of this type."
    )
    assert str(error) == f"Stop failed (400): {error.server_message}"
    secrets.assert_absent(str(error))


async def test_stop_on_a_fax_is_not_allowed(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """The simulator's own answer for a fax id (no fault injected)."""
    session = await make_client().login()
    fax = next(vm.message_id for vm in sim.voicemails("alice") if vm.kind == "fax")
    with pytest.raises(IcwsNotAllowedError) as caught:
        await session.stop(fax)
    assert caught.value.error_type == "urn:inin.com:common:invalidPropertyError"


@pytest.mark.parametrize(
    ("status", "error_class", "error_id", "error_code"),
    [
        (410, IcwsGoneError, "error.request.resourceGone", None),
        (500, IcwsServerError, None, -2147467259),
        (404, IcwsResponseError, "error.request.notFound", None),
    ],
)
async def test_stop_other_statuses(
    *,
    sim: IcwsSimulator,
    make_client: ClientFactory,
    secrets: Secrets,
    status: int,
    error_class: type[IcwsResponseError],
    error_id: str | None,
    error_code: int | None,
) -> None:
    """410, 500 and other statuses: their typed errors."""
    session = await make_client().login()
    body = {"errorId": error_id, "message": "Nope."} if status == 404 else None
    sim.inject_fault(STOP, status, body=body)
    with pytest.raises(error_class) as caught:
        await session.stop(newest_voicemail(sim))
    assert type(caught.value) is error_class
    assert caught.value.status == status
    assert caught.value.error_id == error_id
    assert caught.value.error_code == error_code
    secrets.assert_absent(str(caught.value))
    assert logins(sim) == 1


async def _play(session: IcwsSession, message_id: str) -> None:
    await session.play(message_id, "1234")


async def _stop(session: IcwsSession, message_id: str) -> None:
    await session.stop(message_id)


async def _mark_read(session: IcwsSession, message_id: str) -> None:
    await session.set_read(message_id, True)


async def _delete(session: IcwsSession, message_id: str) -> None:
    await session.delete(message_id)


OPERATIONS = [_play, _stop, _mark_read, _delete]


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_every_operation_on_an_unknown_message_is_not_allowed(
    sim: IcwsSimulator, make_client: ClientFactory, operation: Operation
) -> None:
    """The server's 400 for an unknown or deleted id: IcwsNotAllowedError, whatever the call."""
    session = await make_client().login()
    message_id = newest_voicemail(sim)
    sim.remove_voicemail("alice", message_id)
    with pytest.raises(IcwsNotAllowedError) as caught:
        await operation(session, message_id)
    assert caught.value.property_name == "unifiedMessageId"
    assert sim.requests[-1].status == 400


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(unknown_message_status=404)]
)
@pytest.mark.parametrize("operation", OPERATIONS)
async def test_a_404_for_an_unknown_message_is_a_response_error(
    sim: IcwsSimulator, make_client: ClientFactory, operation: Operation
) -> None:
    """A server that answers 404 instead: a plain IcwsResponseError with its status."""
    session = await make_client().login()
    with pytest.raises(IcwsResponseError) as caught:
        await operation(session, "no-such-message")
    assert type(caught.value) is IcwsResponseError
    assert caught.value.status == 404


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_a_401_on_any_operation_rejects_the_session(
    sim: IcwsSimulator,
    make_client: ClientFactory,
    secrets: Secrets,
    operation: Operation,
) -> None:
    """A 401 (WWW-Authenticate) raises IcwsSessionRejectedError; nothing else is sent."""
    session = await make_client().login()
    sim.inject_fault("/unified-messaging/", 401)
    with pytest.raises(IcwsSessionRejectedError) as caught:
        await operation(session, newest_voicemail(sim))
    secrets.assert_absent(str(caught.value))
    assert [r.status for r in sim.requests] == [201, 401]
    # The simulator kept the session alive: the same session works again.
    await session.stop(newest_voicemail(sim))
    assert sim.requests[-1].status == 204


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(mwi_subscription_status=403)]
)
async def test_a_refused_mwi_subscription(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """The messages-waiting subscription refused (403): its error; voicemail still works."""
    session = await make_client().login()
    with pytest.raises(IcwsResponseError) as caught:
        await session.subscribe_mwi()
    assert type(caught.value) is IcwsResponseError
    assert (caught.value.status, caught.value.error_id) == (
        403,
        "error.request.accessDenied",
    )
    await session.subscribe_voicemail()
    assert sim.requests[-1].status == 200


async def test_slow_server_times_out(
    sim: IcwsSimulator, make_client: ClientFactory
) -> None:
    """No answer within request_timeout: IcwsTimeoutError (a connection error)."""
    session = await make_client(request_timeout=0.5).login()
    sim.inject_fault(STOP, None, delay=2.0)
    with pytest.raises(IcwsTimeoutError):
        await session.stop(newest_voicemail(sim))
