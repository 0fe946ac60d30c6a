"""Realistic, deterministic mailboxes for the fixtures, the demo and benchmarks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import random

from .simulator import IcwsSimulator

FIRST_NAMES = (
    "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory",
    "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Yvonne", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Jones", "Miller", "Garcia", "Martin", "Bernard", "Rossi", "Novak", "Keller", "Larsen",
)  # fmt: skip
COMPANIES = (
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella Insurance",
    "City Dental",
    "Northwind",
)


def seed_mailbox(
    sim: IcwsSimulator,
    user_id: str,
    count: int,
    *,
    seed: int = 1,
    faxes: int | None = None,
    now: datetime | None = None,
    unread_ratio: float = 0.4,
) -> None:
    """Add `count` messages (oldest first, dates spread over the past weeks).

    `faxes` of them (default: 1 per 8 messages, at least 1 when count >= 3) are faxes.
    The same seed gives the same senders, subjects, durations and order.
    """
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    if faxes is None:
        faxes = max(count // 8, 1 if count >= 3 else 0)
    fax_slots = set(rng.sample(range(count), min(faxes, count)))
    offsets = sorted((rng.uniform(0.02, 35.0) for _ in range(count)), reverse=True)
    for index, days_ago in enumerate(offsets):
        received = now - timedelta(days=days_ago)
        received = received.replace(second=rng.randrange(60))
        if rng.random() < 0.25:
            sender = f"+1555{rng.randrange(1000000, 9999999)}"
            name = sender
        elif rng.random() < 0.3:
            name = rng.choice(COMPANIES)
            sender = f"{name} <+1800{rng.randrange(1000000, 9999999)}>"
        else:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            sender = f"{name} <{rng.randrange(1000, 9999)}>"
        is_fax = index in fax_slots
        read = days_ago > 3 and rng.random() > unread_ratio
        if is_fax:
            sim.add_voicemail(
                user_id,
                sender=sender,
                subject=f"Fax from {name} ({rng.randrange(1, 6)} pages)",
                received=received,
                read=read,
                kind="fax",
                duration=0.0,
            )
        else:
            duration = float(rng.randrange(4, 95))
            sim.add_voicemail(
                user_id,
                sender=sender,
                subject=f"Voice mail from {name} ({int(duration)} s)",
                received=received,
                read=read,
                duration=duration,
            )


def demo_simulator(
    sim: IcwsSimulator,
    *,
    user: str = "alice",
    password: str = "secret",
    display_name: str = "Alice Example",
    voicemails: int = 12,
    seed: int = 1,
) -> None:
    """Add the demo user with a seeded mailbox and mark the baseline for `reset()`."""
    sim.add_user(user, password, display_name=display_name)
    seed_mailbox(sim, user, voicemails, seed=seed)
    sim.mark_baseline()
