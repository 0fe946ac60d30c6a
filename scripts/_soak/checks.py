"""The soak's verdict: each check with what was measured, printed as a table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

from scripts._soak.faults import Ledger
from scripts._soak.watch import EventLog, Samples

# A growth of memory or tasks beyond these, from the first to the last quarter of the
# samples, is a leak (Home Assistant itself moves by a few MiB and tasks).
MEMORY_GROWTH_LIMIT = 32 * 1024 * 1024
TASK_GROWTH_LIMIT = 10
VOICEMAIL_TASKS_LIMIT = 12
LOG_PROBLEMS = (
    "Traceback (most recent call last)",
    "Task exception was never retrieved",
    "Error doing job",
    "Unexpected error",
)


@dataclass(frozen=True)
class Check:
    """One line of the verdict."""

    name: str
    ok: bool
    measured: str


@dataclass(frozen=True)
class Outcome:
    """What the run ended with, as both sides tell it."""

    server: dict[str, bool]
    """Message id -> read, on the server."""
    home_assistant: dict[str, bool]
    """Message id -> read, as Home Assistant's `voicemail.list` answers."""
    initial: set[str]
    diagnostics: dict[str, Any]
    """The entry's diagnostics (`connection` section)."""
    logins_answered: int
    """Login requests the server answered with 201."""


def verdict(
    outcome: Outcome,
    ledger: Ledger,
    events: EventLog,
    samples: Samples,
    hass_log: Path,
) -> list[Check]:
    """Return every check of the run."""
    connection = outcome.diagnostics
    seen = outcome.initial | {
        message_id for (kind, message_id) in events.counts if kind == "received"
    }
    received_twice = [
        i for i in ledger.added | outcome.initial if events.count("received", i) > 1
    ]
    missed = [
        i
        for i in ledger.added
        if i in outcome.server and events.count("received", i) != 1
    ]
    deleted_wrong = [
        i
        for i in ledger.deleted
        if events.count("deleted", i) != (1 if i in seen else 0)
    ]
    deleted_kept = [i for i in outcome.server if events.count("deleted", i) != 0]
    logins = connection["logins"]
    bound = 1 + ledger.session_losses + connection["backoffs"]
    quarter = max(1, len(samples.rss) // 4)
    memory_growth = median(samples.rss[-quarter:]) - median(samples.rss[:quarter])
    task_growth = max(samples.tasks[-quarter:]) - max(samples.tasks[:quarter])
    log = hass_log.read_text(encoding="utf-8", errors="replace")
    problems = {text: log.count(text) for text in LOG_PROBLEMS if text in log}
    return [
        Check(
            "Home Assistant's mailbox is the server's (ids and read flags)",
            outcome.home_assistant == outcome.server,
            f"{len(outcome.server)} voicemails on the server, "
            f"{len(outcome.home_assistant)} in Home Assistant",
        ),
        Check(
            "one `received` per new voicemail, none twice",
            not received_twice and not missed,
            f"{len(ledger.added)} added; twice: {_some(received_twice)}, "
            f"missed: {_some(missed)}",
        ),
        Check(
            "one `deleted` per removal of a voicemail Home Assistant knew",
            not deleted_wrong and not deleted_kept,
            f"{len(ledger.deleted)} deleted; wrong: {_some(deleted_wrong)}, "
            f"deleted but still there: {_some(deleted_kept)}",
        ),
        Check(
            "logins: at most one per session loss plus one per backoff",
            logins <= bound
            and connection["immediate_relogins"] <= ledger.session_losses,
            f"{logins} logins ({outcome.logins_answered} answered 201), "
            f"{ledger.session_losses} sessions lost on purpose, "
            f"{connection['backoffs']} backoffs, "
            f"{connection['immediate_relogins']} immediate re-logins",
        ),
        Check(
            "at most one live session on the server at any time",
            max(samples.live_sessions, default=0) <= 1
            and samples.live_sessions[-1:] == [1],
            f"max {max(samples.live_sessions, default=0)} over "
            f"{len(samples.live_sessions)} samples, {samples.live_sessions[-1:]} at the end",
        ),
        Check(
            "no unhandled exception in Home Assistant's log",
            not problems,
            ", ".join(f"{count} x {text!r}" for text, count in problems.items())
            or "none",
        ),
        Check(
            "memory flat",
            memory_growth <= MEMORY_GROWTH_LIMIT,
            f"{memory_growth / 2**20:+.1f} MiB (first to last quarter, "
            f"limit {MEMORY_GROWTH_LIMIT / 2**20:.0f} MiB)",
        ),
        Check(
            "tasks flat",
            task_growth <= TASK_GROWTH_LIMIT
            and max(samples.voicemail_tasks, default=0) <= VOICEMAIL_TASKS_LIMIT,
            f"{task_growth:+d} tasks (first to last quarter), at most "
            f"{max(samples.voicemail_tasks, default=0)} of the integration",
        ),
    ]


def _some(ids: list[str]) -> str:
    """Count, and name the first few (for a failure to be looked into)."""
    if not ids:
        return "0"
    return f"{len(ids)} ({', '.join(sorted(ids)[:3])})"


def table(checks: list[Check]) -> str:
    """Return the verdict as a Markdown table."""
    lines = ["| check | result | measured |", "|---|---|---|"]
    lines += [
        f"| {check.name} | {'pass' if check.ok else 'FAIL'} | {check.measured} |"
        for check in checks
    ]
    return "\n".join(lines)
