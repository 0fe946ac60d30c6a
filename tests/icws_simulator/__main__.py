"""Run the simulator on its own: `python -m tests.icws_simulator --port 8019 --tls`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path
import shutil
import signal
import sys

from .seed import demo_simulator
from .server import start_simulator
from .settings import SimulatorSettings
from .simulator import IcwsSimulator
from .tls import generate_self_signed


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.icws_simulator",
        description="A simulated Genesys PureConnect ICWS server with seeded voicemails.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help="port (default 8019 with --tls, else 8018; 0 = any)",
    )
    parser.add_argument(
        "--tls", action="store_true", help="HTTPS with a self-signed certificate"
    )
    parser.add_argument("--voicemails", type=int, default=12, help="seeded messages")
    parser.add_argument(
        "--seed", type=int, default=1, help="random seed of the mailbox"
    )
    parser.add_argument(
        "--tone",
        action="store_true",
        help="random callers and a generated tone instead of the spoken tests/audio files",
    )
    parser.add_argument("--messaging-version", type=int, choices=(1, 2), default=2)
    parser.add_argument("--user", default="alice")
    parser.add_argument("--password", default="secret")
    parser.add_argument(
        "--imap-ids",
        action="store_true",
        help="IMAP-URI-like message ids (contain / ; : @ =)",
    )
    parser.add_argument(
        "--ping-interval", type=float, default=15.0, help="SSE :ping seconds"
    )
    parser.add_argument(
        "--cert-name",
        action="append",
        default=[],
        help="extra DNS name for the certificate (repeatable)",
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Start the simulator, print where it is, serve until cancelled."""
    settings = SimulatorSettings(
        messaging_version=args.messaging_version,
        sse_ping_interval=args.ping_interval,
        message_id_style="imap" if args.imap_ids else "opaque",
    )
    sim = IcwsSimulator(settings, tls=args.tls)
    demo_simulator(
        sim,
        user=args.user,
        password=args.password,
        voicemails=args.voicemails,
        seed=args.seed,
        audio="tone" if args.tone else "speech",
    )
    port = args.port if args.port is not None else (8019 if args.tls else 8018)
    certificate = None
    ssl_context = None
    if args.tls:
        names = ["localhost", *args.cert_name]
        if args.host not in {"127.0.0.1", "0.0.0.0", "::"}:
            names.append(args.host)
        certificate = generate_self_signed(names)
        ssl_context = certificate.server_context()
    running = await start_simulator(sim, args.host, port, ssl_context)
    lines = [
        f"ICWS simulator listening on {running.url}",
        f"  user: {args.user}  password: {args.password}",
        (
            f"  voicemails: {args.voicemails} (seed {args.seed}, "
            f"{'a tone' if args.tone else 'spoken'} recordings), "
            f"messaging {args.messaging_version}"
        ),
        f"  control API: POST {running.url}/_simulator/<command> (see tests/icws_simulator/README.md)",
    ]
    if certificate is not None:
        lines.append(f"  self-signed certificate: {certificate.cert_path}")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await running.stop()
        if certificate is not None:
            shutil.rmtree(Path(certificate.cert_path).parent, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    args = parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
