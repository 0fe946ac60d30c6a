"""scripts/simulate: poke the ICWS simulator of a running scripts/develop (or any simulator).

Calls the simulator's control API (POST /_simulator/<command>, tests/icws_simulator/control.py).
The simulator's address comes from --url, $VOICEMAIL_SIMULATOR_URL, or .dev/develop.json, which
scripts/develop writes while it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Any

import aiohttp

from scripts._dev.develop import STATE_FILE
from scripts._dev.simulator import SIM_USER, SimulatorControl, SimulatorControlError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/simulate",
        description="Make things happen on the ICWS simulator of scripts/develop.",
    )
    parser.add_argument(
        "--url", help="simulator base URL (default: from scripts/develop)"
    )
    parser.add_argument("--user", default=None, help="mailbox (default: alice)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    new = commands.add_parser(
        "new-voicemail", help="a new message arrives (pushed at once)"
    )
    new.add_argument("--from", dest="sender", help="e.g. 'Bob Example <+15551234>'")
    new.add_argument("--subject")
    new.add_argument("--duration", type=float, help="seconds")
    new.add_argument("--fax", action="store_true", help="a fax instead of a voicemail")
    new.add_argument("--read", action="store_true", help="already read")

    commands.add_parser("list", help="the mailbox: id, read, sender, received")
    commands.add_parser("state", help="users, sessions, faults (JSON)")
    commands.add_parser(
        "expire-session", help="expire the live sessions: the next request gets 401"
    )
    switch = commands.add_parser(
        "switchover",
        help="the server switches over: sessions go down, logins must move to --to",
    )
    switch.add_argument(
        "--to",
        action="append",
        help="alternate host (repeatable; default localhost, the same simulator)",
    )
    commands.add_parser(
        "switch-back", help="end the switchover: every host logs in again"
    )
    fault = commands.add_parser(
        "fault", help="answer the next matching request(s) with STATUS"
    )
    fault.add_argument("status", type=int, help="HTTP status, e.g. 500, 410, 503")
    fault.add_argument("--path", default=".*", help="regular expression of the path")
    fault.add_argument("--method", help="only this method, e.g. POST")
    fault.add_argument(
        "--count",
        type=int,
        default=1,
        help="how many requests (0 = until clear-faults)",
    )
    fault.add_argument("--delay", type=float, default=0.0, help="answer after seconds")
    commands.add_parser("clear-faults", help="remove every injected fault")
    commands.add_parser(
        "drop-streams", help="end the open event streams (the client reopens them)"
    )
    restart = commands.add_parser(
        "restart",
        help="the server restarts: sessions end silently, 503 during --downtime",
    )
    restart.add_argument("--downtime", type=float, default=0.0, help="seconds of 503")
    commands.add_parser(
        "logon-elsewhere",
        help="another logon of the user ends its sessions (shouldReconnect false)",
    )
    store = commands.add_parser(
        "fault-store", help="the mailbox store faults (subscription state message)"
    )
    store.add_argument("--message", default="The mailbox store is unavailable.")
    store.add_argument(
        "--suspend", action="store_true", help="state 2 (suspended) instead of 3"
    )
    commands.add_parser(
        "restore-store", help="the mailbox store is back: state 1 and a fresh snapshot"
    )
    read = commands.add_parser("mark-read", help="mark a message read on the server")
    read.add_argument("message_id")
    unread = commands.add_parser(
        "mark-unread", help="mark a message unread on the server"
    )
    unread.add_argument("message_id")
    delete = commands.add_parser("delete", help="delete a message on the server")
    delete.add_argument("message_id")
    requests = commands.add_parser(
        "requests", help="the last requests the server answered"
    )
    requests.add_argument("--last", type=int, default=20)
    return parser.parse_args(argv)


def simulator_url(args: argparse.Namespace) -> str:
    """Find the simulator: --url, $VOICEMAIL_SIMULATOR_URL, or scripts/develop's state file."""
    if args.url:
        return str(args.url)
    if url := os.environ.get("VOICEMAIL_SIMULATOR_URL"):
        return url
    try:
        state = json.loads(STATE_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SystemExit(
            "scripts/simulate: no running scripts/develop found (.dev/develop.json); "
            "start scripts/develop, or give --url https://127.0.0.1:8019"
        ) from None
    if "simulator_url" not in state:
        raise SystemExit("scripts/simulate: scripts/develop runs against a real server")
    return str(state["simulator_url"])


async def run(args: argparse.Namespace) -> None:
    """Send the command and print its answer."""
    user = args.user or SIM_USER
    async with aiohttp.ClientSession() as session:
        control = SimulatorControl(session, simulator_url(args))
        command: str = args.command
        if command == "new-voicemail":
            fields: dict[str, Any] = {"user": user, "read": args.read}
            if args.sender:
                fields["sender"] = args.sender
            if args.subject:
                fields["subject"] = args.subject
            if args.duration is not None:
                fields["duration"] = args.duration
            if args.fax:
                fields["kind"] = "fax"
            vm = await control.command("add-voicemail", **fields)
            print(f"new {vm['kind']} {vm['message_id']} from {vm['sender']}")
        elif command == "list":
            _print_mailbox(await control.voicemails(user))
        elif command == "state":
            print(json.dumps(await control.state(), indent=2))
        elif command == "expire-session":
            answer = await control.command("expire-sessions", user=user)
            print(f"expired {answer['expired']} session(s)")
        elif command == "switchover":
            hosts = args.to or ["localhost"]
            answer = await control.command("switchover", alternate_hosts=hosts)
            print(
                f"switched over to {', '.join(hosts)}: {answer['disconnected']} session(s) "
                "told the connection is down; scripts/simulate switch-back ends it"
            )
        elif command == "switch-back":
            await control.command("switch-back")
            print("switched back: logins are accepted on every host")
        elif command == "fault":
            answer = await control.command(
                "inject-fault",
                path_regex=args.path,
                status=args.status,
                count=args.count or None,
                method=args.method,
                delay=args.delay,
            )
            times = f"{args.count} time(s)" if args.count else "until clear-faults"
            print(
                f"next {args.method or 'any'} request on {args.path!r} answers "
                f"{args.status}, {times} ({answer['faults']} fault(s) armed)"
            )
        elif command == "clear-faults":
            await control.command("clear-faults")
            print("faults cleared")
        elif command == "drop-streams":
            answer = await control.command("drop-streams")
            print(f"dropped {answer['dropped']} event stream(s)")
        elif command in {"restart", "logon-elsewhere", "fault-store", "restore-store"}:
            await _session_event(control, args, user)
        elif command in {"mark-read", "mark-unread"}:
            await control.command(
                "set-read",
                user=user,
                message_id=args.message_id,
                read=command == "mark-read",
            )
            print(f"{args.message_id}: {command.removeprefix('mark-')}")
        elif command == "delete":
            await control.command(
                "remove-voicemail", user=user, message_id=args.message_id
            )
            print(f"{args.message_id}: deleted")
        elif command == "requests":
            for request in (await control.requests())[-args.last :]:
                print(f"{request['status']} {request['method']} {request['path']}")


async def _session_event(
    control: SimulatorControl, args: argparse.Namespace, user: str
) -> None:
    """Restart, logon elsewhere, fault or restore the mailbox store."""
    command: str = args.command
    if command == "restart":
        answer = await control.command("restart", downtime=args.downtime)
        print(
            f"restarted: {answer['ended']} session(s) ended, {args.downtime} s of 503"
        )
    elif command == "logon-elsewhere":
        answer = await control.command("logon-elsewhere", user=user)
        print(f"{answer['disconnected']} session(s) ended by another logon")
    elif command == "fault-store":
        answer = await control.command(
            "fault-mailbox-store",
            user=user,
            message=args.message,
            state=2 if args.suspend else 3,
        )
        print(f"mailbox store faulted: {answer['sessions']} session(s) told")
    else:
        answer = await control.command("restore-mailbox-store", user=user)
        print(f"mailbox store restored: {answer['sessions']} session(s) got a snapshot")


def _print_mailbox(voicemails: list[dict[str, Any]]) -> None:
    for vm in voicemails:
        flag = " " if vm["read"] else "*"
        print(
            f"{flag} {vm['message_id']:<28} {vm['received'][:16]}  {vm['kind']:<9} "
            f"{vm['sender']}"
        )
    unread = sum(not vm["read"] for vm in voicemails)
    print(f"{len(voicemails)} message(s), {unread} unread (*)")


def main(argv: list[str] | None = None) -> int:
    """Entry point of scripts/simulate."""
    args = parse_args(argv)
    try:
        asyncio.run(run(args))
    except SimulatorControlError as err:
        print(f"scripts/simulate: {err}", file=sys.stderr)
        return 1
    except aiohttp.ClientError as err:
        print(f"scripts/simulate: cannot reach the simulator: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
