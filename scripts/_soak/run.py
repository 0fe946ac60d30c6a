"""One soak run: faults for a while, then settle, then compare both sides."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import random
import time
from typing import Any

import aiohttp

from scripts._dev.hass_api import HassApi
from scripts._soak.checks import Check, Outcome, verdict
from scripts._soak.faults import Ledger, Soaker
from scripts._soak.stack import USER, SoakStack, ready
from scripts._soak.watch import EventLog, Samples, stop

DOMAIN = "voicemail"
STEP_INTERVAL = (0.5, 3.0)
"""Seconds between two steps (uniform)."""
SETTLE_TIMEOUT = 420.0
"""At the end, how long both sides may take to agree: the longest backoff (5 min) and
a resync, with room to spare on a loaded 2-core machine."""


@dataclass
class Report:
    """What a run did and found."""

    seed: int
    seconds: float
    steps: dict[str, int]
    checks: list[Check]
    settle_seconds: float

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return all(check.ok for check in self.checks)


async def run(stack: SoakStack, *, seconds: float, seed: int) -> Report:
    """Run the soak against the stack's processes (already spawned)."""
    rng = random.Random(seed)
    async with aiohttp.ClientSession() as session:
        api, entry_id = await ready(stack, session)
        control = stack.sim.control(session)
        event_entity = await _event_entity(api, entry_id)
        initial = {vm["message_id"] for vm in await control.voicemails(USER)}
        events, samples, ledger = EventLog(event_entity), Samples(), Ledger(initial)
        watchers = [
            asyncio.ensure_future(events.follow(api)),
            asyncio.ensure_future(samples.follow(api, control)),
        ]
        soaker = Soaker(control, rng, ledger, lambda: _fix_repairs(api))
        try:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                await asyncio.sleep(rng.uniform(*STEP_INTERVAL))
                await soaker.step()
            await soaker.settle()
            started = time.monotonic()
            outcome = await _settled(api, control, entry_id, initial)
            settle_seconds = time.monotonic() - started
            await asyncio.sleep(2)  # the last samples and events
        finally:
            await stop(*watchers)
    return Report(
        seed=seed,
        seconds=seconds,
        steps=dict(sorted(ledger.faults.items())),
        checks=verdict(outcome, ledger, events, samples, stack.hass_log),
        settle_seconds=settle_seconds,
    )


async def _event_entity(api: HassApi, entry_id: str) -> str:
    async with await api.websocket() as ws:
        entities = await ws.command("config/entity_registry/list")
    return next(
        str(e["entity_id"])
        for e in entities
        if e.get("config_entry_id") == entry_id and e["entity_id"].startswith("event.")
    )


async def _fix_repairs(api: HassApi) -> int:
    """Do what a user does with our fixable repair issues: confirm their fix flows."""
    async with await api.websocket() as ws:
        issues = (await ws.command("repairs/list_issues"))["issues"]
    fixed = 0
    for issue in issues:
        if issue["domain"] != DOMAIN or not issue["is_fixable"] or issue["ignored"]:
            continue
        flow = await api.post(
            "/api/repairs/issues/fix",
            {"handler": DOMAIN, "issue_id": issue["issue_id"]},
        )
        if flow.get("type") == "form":
            await api.post(f"/api/repairs/issues/fix/{flow['flow_id']}", {})
            fixed += 1
    return fixed


async def _settled(
    api: HassApi, control: Any, entry_id: str, initial: set[str]
) -> Outcome:
    """Wait until Home Assistant's mailbox is the server's; return both sides."""
    async with asyncio.timeout(SETTLE_TIMEOUT):
        while True:
            server = {
                vm["message_id"]: vm["read"] for vm in await control.voicemails(USER)
            }
            status, answer = await api.call_service(
                DOMAIN,
                "list?return_response",
                {"config_entry_id": entry_id},
                expect=None,
            )
            if status == 200:
                listed = {
                    vm["message_id"]: vm["read"]
                    for vm in answer["service_response"]["voicemails"]
                }
                diagnostics = await api.get(f"/api/diagnostics/config_entry/{entry_id}")
                connection = diagnostics["data"]["connection"]
                if listed == server and connection["phase"] in ("streaming", "polling"):
                    return Outcome(
                        server=server,
                        home_assistant=listed,
                        initial=initial,
                        diagnostics=connection,
                        logins_answered=sum(
                            1
                            for r in await control.requests()
                            if r["path"] == "/icws/connection" and r["status"] == 201
                        ),
                    )
            await asyncio.sleep(1)
