"""The secrets a simulator handed out, to check that none of them leaks."""

from __future__ import annotations

from tests.icws_simulator.simulator import IcwsSimulator


def simulator_secrets(sim: IcwsSimulator) -> set[str]:
    """Return the passwords, session ids, CSRF tokens and cookies the simulator knows."""
    secrets = {user.password for user in sim.users.values()}
    for session in sim.sessions.values():
        cookie = session.cookie_value
        secrets |= {session.session_id, session.csrf_token, cookie}
        secrets.add(cookie.partition("|")[0])
    return secrets
