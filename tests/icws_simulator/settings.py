"""Settings of the ICWS simulator: every behaviour PROTOCOL.md leaves open."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

type DateFormat = Literal["compact", "iso"]
type ErrorVariant = Literal["invalidProperty", "missingRequiredParameter", "malformed"]
type MessageIdStyle = Literal["opaque", "imap"]
type AttachmentUriStyle = Literal[
    "relative", "session_relative", "absolute", "absolute_own_host", "foreign"
]
type RepeatedPut = Literal["snapshot", "nothing", "error"]
type FaultedPut = Literal["state_message", "error"]
type CredentialsIn = Literal["both", "headers", "body"]
type EmptyPoll = Literal["array", "empty_200", "204"]


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
    session_credentials_in: CredentialsIn = "both"
    """Where the 201 carries the session id and CSRF token: headers and body, or one of them."""
    supported_languages: tuple[str, ...] | None = None
    """Lowercase `ll-rr` tags the server accepts in Accept-Language; None = any. Others: 400
    invalidProperty `Accept-Language`."""
    require_region_in_language: bool = False
    """A bare language (`en`) is refused with the same 400."""
    lockout_after_failures: int | None = None
    """Lock the account after this many consecutive failed logins; None = never."""
    login_error: tuple[int, str, str] | None = None
    """(status, errorId, message): refuse every login with correct credentials this way."""
    extra_login_cookies: tuple[str, ...] = ()
    """More `Set-Cookie` values of the 201 (after the `icws_` cookie), e.g. a proxy's."""

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

    # --- Proxies, load balancers, restarts ------------------------------------------------
    base_path: str = ""
    """Behind a reverse proxy: ICWS is served at `{base_path}/icws/...` (e.g.
    `/api/icserver1`); other paths answer a proxy's 404 HTML page. `/_simulator/` stays."""
    base_path_rewrites_cookie_path: bool = True
    """The proxy rewrites the `icws_` cookie's Path and `Location` to include `base_path`."""
    base_path_in_file_uri: bool = False
    """`relative`/`absolute_own_host` fileUris include `base_path` (the server knows its proxy)."""
    normalize_dot_segments: bool = False
    """Like a proxy, resolve literal `.`/`..` path segments before routing (`%2E` stays)."""
    affinity_cookie: str | None = None
    """A load balancer's affinity cookie name (e.g. `SERVERID`); None = no balancer."""
    affinity_cookie_rotate_every: int | None = None
    """Every N responses the balancer moves to a new node value (a new Set-Cookie)."""

    # --- Success statuses (§10.1) -----------------------------------------------------
    subscription_put_status: int = 200
    subscription_delete_status: int = 204
    play_start_status: int = 204
    delete_status: int = 204
    logout_status: int = 200
    count_refresh_status: int = 204
    heartbeat_status: int = 204
    station_put_status: int = 200

    repeated_subscription_put: RepeatedPut = "snapshot"
    """A PUT on an active voicemail/fax/mwi subscription: resend the snapshot (count), send
    nothing, or answer 400 (open question 13)."""
    mwi_subscription_status: int | None = None
    """The messages-waiting-indicator PUT answers this error status; None = it works."""
    faulted_subscription_put: FaultedPut = "state_message"
    """While a store is faulted (`fault_mailbox_store`, `fault_mwi`), a PUT answers 200 and
    pushes the faulted state message again, or answers 500 with the fault's message."""
    empty_poll_answer: EmptyPoll = "array"
    """A short poll with nothing queued: `[]`, 200 with an empty body, or 204."""

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
    attachment_uri_style: AttachmentUriStyle = "relative"
    """`fileUri` form (§10.7): `relative` `/icws/unified-messaging/attachments/<id>/<file>`,
    `session_relative` `unified-messaging/attachments/<id>/<file>` (against
    `/icws/<sessionId>/`), `absolute` `https://<ic_server>:8019/icws/...`,
    `absolute_own_host` the URL of the host and port the session logged in to, `foreign`
    an absolute URL on another host (`https://media.example.net/...`)."""
    attachment_requires_csrf: bool = False
    """Downloading an attachment needs the CSRF header too (the cookie always)."""
    attachment_delay: float = 0.0
    """Seconds an attachment download takes (sent slowly in chunks)."""
    attachment_content_length: bool = True
    """Downloads carry `Content-Length`; False sends them chunked, without a length."""
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
    stream_status: int | None = None
    """Refuse every event-stream request with this status (plain polls still work): 401 with
    the cookie-expected body, other statuses a reverse proxy's HTML page (502, 504)."""
    stream_header_delay: float | None = None
    """Send the stream's headers only after this many seconds (`inf` = never)."""
    stream_max_events: int | None = None
    """Close a stream cleanly after it delivered this many `data:` events."""
    stream_max_seconds: float | None = None
    """Cut a stream after this long (a proxy's maximum duration)."""
    stream_cut_abort: bool = False
    """`stream_max_seconds` aborts the connection instead of ending the stream cleanly."""
    stream_content_type: str | None = None
    """Answer event-stream requests with this content type: `text/event-stream...` keeps
    the stream, anything else answers the JSON array of a short poll (Accept ignored)."""

    # --- Paths --------------------------------------------------------------------------
    encoded_slash_status: int | None = None
    """None decodes `%2F` inside a path segment; a status (e.g. 404) refuses such paths."""

    # --- Ids ----------------------------------------------------------------------------
    message_id_style: MessageIdStyle = "opaque"
    """Generated voicemail ids: opaque hex, or IMAP URIs containing `/ ; : @ =`."""
