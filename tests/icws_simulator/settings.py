"""Settings of the ICWS simulator: every behaviour PROTOCOL.md leaves open."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

type DateFormat = Literal["compact", "iso"]
type ErrorVariant = Literal["invalidProperty", "missingRequiredParameter", "malformed"]
type MessageIdStyle = Literal["opaque", "imap"]


@dataclass(slots=True)
class SimulatorSettings:
    """How the simulated server behaves.

    Defaults follow what PROTOCOL.md states or suggests; each field that answers an
    open question of PROTOCOL.md section 10 says which one in its comment.
    """

    # --- Features and identity -------------------------------------------------------
    messaging_version: int = 2
    """`messaging` feature version; server-sent events only when >= 2 (§10.6)."""
    unified_messaging_version: int | None = 2
    """`unified-messaging` feature version; None leaves the feature out (§10.11)."""
    connection_version: int = 11
    extra_features: Mapping[str, int] = field(default_factory=dict)
    """More `{featureId: version}` entries for the feature list."""
    um_v1_unsupported_status: int = 404
    """Status of play/stop/update on a unified-messaging 1 server (§10.11)."""
    ic_server: str = "CIC-ICWS"
    alternate_host_list: tuple[str, ...] = ()
    """`alternateHostList` of a successful login (the observed server sent `["cic-icws"]`)."""
    server_version: Mapping[str, str] = field(
        default_factory=lambda: {
            "majorVersion": "15",
            "minorVersion": "1",
            "su": "3",
            "build": "15.1.3.10",
            "productId": "CIC",
            "codebaseId": "15.1.3.10",
            "productReleaseDisplayString": "2015 R1",
            "productPatchDisplayString": "Patch 3",
        }
    )
    first_session_id: int = 1731001
    """Session ids are numeric strings counting up from here in steps of 1000."""

    # --- Login --------------------------------------------------------------------------
    refusing_hosts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Host names (Host header, no port) that answer a login with 503 and this alternateHostList."""
    sdk_license_error_status: int | None = None
    """Login fails with this status and a licensing error body (§10.9); None = licensed."""
    max_sessions_per_user: int | None = None
    """Concurrent-session limit per user (§10.10); None = unlimited."""
    session_limit_evicts_oldest: bool = True
    """At the limit: end the oldest session (reason AnotherLogOn) or refuse the login (400)."""
    login_redirect_status: int | None = None
    """Answer logins with this 3xx status (§10.12) pointing to `login_redirect_host`."""
    login_redirect_host: str = "backup.test"

    # --- Session checks -----------------------------------------------------------------
    accept_quoted_cookie: bool = False
    """Accept `icws_1="...|languageId=en-us"`; by default a quoted value counts as missing."""
    session_idle_timeout: float | None = None
    """Seconds without a request before a session expires (§10.5); None = never."""
    sse_keeps_session_alive: bool = True
    """An open event stream counts as activity for the idle timeout (§10.5)."""
    previous_connection_state_visible: bool = True
    """`GET /icws/{id}/connection` on an ended session answers 200 connectionState 2 (else 401)."""
    deliver_queue_after_down: bool = True
    """A session ended by the server still hands out its queued messages once (e.g. the
    connectionStateChangeMessage of a switchover) before answering 401."""

    # --- Success statuses (§10.1) -----------------------------------------------------
    subscription_put_status: int = 200
    subscription_delete_status: int = 204
    play_start_status: int = 204
    delete_status: int = 204
    logout_status: int = 200
    count_refresh_status: int = 204
    heartbeat_status: int = 204
    station_put_status: int = 200

    # --- Playback (§10.2, §10.3, §10.4) ---------------------------------------------
    stop_when_idle_status: int = 204
    """Stop when nothing is playing (that message): 204 (+ playStatus 1) or 400."""
    unknown_message_status: int = 400
    """Any message operation on an unknown or deleted id: 400 or 404."""
    stop_across_sessions: bool = True
    """A session may stop a playback started by another session of the same user."""
    play_status_on_natural_end: bool = True
    """Queue `playStatus: 1` when playback ends by itself after the message's duration."""
    play_status_to_all_sessions: bool = True
    """Play-status messages go to every subscribed session of the user (else only the starter)."""
    play_applies_state: bool = True
    """Play start sets the message state to the request's `state` (Changed delta + mwi)."""
    default_play_target: Literal["current_station", "reject"] = "current_station"
    """What a play start without `playTarget` means (§10.3)."""
    require_station_for_current_station: bool = True
    """Playing to `currentStation` needs `PUT /connection/station` first (400 -2147221496)."""
    valid_play_targets: tuple[str, ...] | None = None
    """Targets `voicemailPlayTarget` accepts; None = any non-empty string."""
    fax_error_variant: ErrorVariant = "invalidProperty"
    """Which documented 400 body play/stop on a fax answers."""

    # --- Messages ----------------------------------------------------------------------
    date_format: DateFormat = "compact"
    """`dateReceived` as `YYYYMMDDThhmmssZ` or `YYYY-MM-DDThh:mm:ssZ` (§10.8)."""
    attachment_uri_style: Literal["relative", "absolute"] = "relative"
    """`fileUri` as an `/icws/...` path or an absolute URL (§10.7)."""
    voicemail_mime_type: str | None = "audio/wav"
    """mimeType of voicemail attachments; None leaves the optional field out (§10.7)."""
    fax_mime_type: str | None = "image/tiff"
    faxes_in_voicemail_list: bool = True
    """Fax messages also appear in the voicemail subscription (so fax errors can be tested)."""
    include_empty_delta_arrays: bool = False
    """Deltas and snapshots carry all three arrays, empty ones included."""
    changed_delta_when_unchanged: bool = True
    """Setting a message to the state it already has still sends a Changed delta."""

    # --- Server-sent events (§10.6) ---------------------------------------------------
    sse_ping_interval: float = 15.0
    """Seconds between `:ping` comments."""
    sse_retry_ms: int | None = None
    """Send `retry: <ms>` when a stream opens; None = never."""
    sse_event_ids: bool = False
    """Give events an `id:` line (a per-session counter)."""
    sse_replay_queued: bool = True
    """A new stream first delivers messages queued while no stream was open (else they are dropped)."""

    # --- Paths --------------------------------------------------------------------------
    encoded_slash_status: int | None = None
    """None decodes `%2F` inside a path segment; a status (e.g. 404) refuses such paths."""

    # --- Ids ----------------------------------------------------------------------------
    message_id_style: MessageIdStyle = "opaque"
    """Generated voicemail ids: opaque hex, or IMAP URIs containing `/ ; : @ =`."""
