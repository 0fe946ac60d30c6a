"""Serve an IcwsSimulator on a TCP port (used by the fixtures and the command line)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import ssl

from aiohttp import web

from .simulator import IcwsSimulator
from .tls import SelfSignedCertificate


@dataclass(slots=True)
class RunningSimulator:
    """A simulator listening on `host:port` (what the `icws_simulator` fixture yields)."""

    sim: IcwsSimulator
    host: str
    port: int
    tls: bool = False
    certificate: SelfSignedCertificate | None = None
    """The self-signed certificate in TLS mode (trust it with `certificate.client_context()`)."""
    certificates: dict[str, SelfSignedCertificate] = field(default_factory=dict)
    """Host name (SNI) -> the certificate presented for it, when some hosts have their own
    (`sni_certificates`); `certificate` serves every other name."""
    _runner: web.AppRunner | None = field(default=None, repr=False)

    @property
    def scheme(self) -> str:
        """`https` in TLS mode, else `http`."""
        return "https" if self.tls else "http"

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:41234`."""
        return self.url_for(self.host)

    def url_for(self, host: str) -> str:
        """Return the base URL with another host name (e.g. `primary.test`)."""
        return f"{self.scheme}://{host}:{self.port}"

    async def stop(self) -> None:
        """Close the listener, end open streams and playback timers."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        self.sim.close()


async def start_simulator(
    sim: IcwsSimulator,
    host: str = "127.0.0.1",
    port: int = 0,
    ssl_context: ssl.SSLContext | None = None,
    certificate: SelfSignedCertificate | None = None,
    *,
    sni_certificates: Mapping[str, SelfSignedCertificate] | None = None,
) -> RunningSimulator:
    """Start serving `sim`; port 0 picks a free port.

    HTTPS with `ssl_context`, or with `certificate` (its server context is used);
    `sni_certificates` presents another certificate to a client naming that host (SNI).
    """
    if ssl_context is None and certificate is not None:
        ssl_context = certificate.server_context()
    certificates = dict(sni_certificates or {})
    if ssl_context is not None and certificates:
        contexts = {
            name.lower(): other.server_context() for name, other in certificates.items()
        }

        def choose(
            connection: ssl.SSLObject, server_name: str | None, _: ssl.SSLContext
        ) -> None:
            if server_name is not None and server_name.lower() in contexts:
                connection.context = contexts[server_name.lower()]

        ssl_context.sni_callback = choose
    runner = web.AppRunner(sim.app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=ssl_context)
    await site.start()
    bound_port = port
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            bound_port = int(address[1])
            break
    return RunningSimulator(
        sim,
        host,
        bound_port,
        tls=ssl_context is not None,
        certificate=certificate,
        certificates=certificates,
        _runner=runner,
    )
