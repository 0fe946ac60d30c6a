"""The benchmark's own pieces still run against the code they measure.

`scripts/bench` is not part of `scripts/test` (it takes minutes and wants a quiet
machine), so a rename in the integration could break it unnoticed until the next run.
This runs its in-process part (the mailbox's live memory, model_memory.py) on a small
mailbox; the numbers themselves are the benchmark's, not asserted here.
"""

from __future__ import annotations

from scripts._bench.model_memory import measure


def test_model_memory_measures_a_small_mailbox() -> None:
    """Ten messages are parsed and indexed; live memory is some bytes, below the peak."""
    result = measure(10)
    assert result["voicemails"] == 10
    assert 0 < result["live"] <= result["peak"]
    assert result["event_bytes"] > 10 * 100
