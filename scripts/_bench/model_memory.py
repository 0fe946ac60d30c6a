"""Live memory of the mailbox as the integration holds it, measured with tracemalloc.

RSS says how much the `hass` process took from the system, including what the allocator
keeps after the snapshot's transient objects (the event's bytes, the decoded JSON) are
freed, which depends on timing. This measures, in a fresh process, what stays alive: the
simulator's snapshot event for N messages is parsed with the integration's own SSE parser,
JSON decoding and message parser, and indexed with `VoicemailData.build` as the mailbox
does. Run as `python -m scripts._bench.model_memory 10 1000 10000`; prints JSON.
"""

from __future__ import annotations

import gc
import json
import sys
import tracemalloc
from typing import Any

from custom_components.voicemail.icws.channel import _decode_event_data
from custom_components.voicemail.icws.messages import parse_batch
from custom_components.voicemail.icws.models import VoicemailSnapshot
from custom_components.voicemail.icws.sse import SseParser
from custom_components.voicemail.mailbox import VoicemailData
from tests.icws_simulator.seed import seed_mailbox
from tests.icws_simulator.settings import SimulatorSettings
from tests.icws_simulator.simulator import IcwsSimulator


def snapshot_event(count: int) -> bytes:
    """Return the SSE bytes of the simulator's snapshot for a mailbox of `count`."""
    sim = IcwsSimulator(SimulatorSettings())
    user = sim.add_user("alice", "secret")
    seed_mailbox(sim, "alice", count)
    payload = sim.snapshot_json(user)
    return b"data: " + payload.encode() + b"\n\n"


def measure(count: int) -> dict[str, Any]:
    """Live and peak bytes of parsing and holding a snapshot of `count` messages."""
    event = snapshot_event(count)
    gc.collect()
    tracemalloc.start()
    parser = SseParser()
    (sse,) = parser.feed(event)
    snapshot = next(iter(parse_batch(_decode_event_data(sse.data))))
    assert isinstance(snapshot, VoicemailSnapshot)
    held = {vm.message_id: vm for vm in snapshot.voicemails}
    data = VoicemailData.build(held.values(), None, None)
    del sse, parser, snapshot
    gc.collect()
    live, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(data.voicemails) == count
    return {"voicemails": count, "event_bytes": len(event), "live": live, "peak": peak}


def main() -> None:
    """Print one JSON line per size given on the command line."""
    for arg in sys.argv[1:]:
        print(json.dumps(measure(int(arg))), flush=True)


if __name__ == "__main__":
    main()
