"""Messages as the server sends them, and what they parse to (shared by the parser tests)."""

from __future__ import annotations

from datetime import UTC, datetime

from custom_components.voicemail.icws import Attachment, MessageState, Voicemail

UM = "urn:inin.com:unifiedMessaging"
VOICEMAIL_MESSAGES = f"{UM}:voicemailMessagesMessage"
PLAY_STATUS_MESSAGE = f"{UM}:voicemailPlayStatusMessage"
CONNECTION_STATE_MESSAGE = "urn:inin.com:connection:connectionStateChangeMessage"
MWI_MESSAGE = f"{UM}:mwiMessage"
VOICEMAIL_SUBSCRIPTION_STATE = f"{UM}:voicemailMessageSubscriptionStateMessage"
MWI_SUBSCRIPTION_STATE = f"{UM}:mwiSubscriptionStateMessage"

ATTACHMENT = {
    "__type": f"{UM}:attachment",
    "fileUri": "/icws/1/unified-messaging/x/attachments/0",
    "fileName": "VoiceMail.wav",
    "mimeType": "audio/wav",
}
ADDED = {
    "__type": f"{UM}:voicemailMessageAdded",
    "unifiedMessageId": "imap://alice@voicestore:993/INBOX;uid=574/;section=1",
    "state": 0,
    "dateReceived": "20201029T082018Z",
    "from": "Bob Example <+15551234>",
    "subject": "Voice mail from Bob",
    "attachments": [ATTACHMENT],
}
SNAPSHOT = {
    "__type": VOICEMAIL_MESSAGES,
    "isDelta": False,
    "voicemailMessagesAdded": [ADDED],
}
DELTA = {
    "__type": VOICEMAIL_MESSAGES,
    "isDelta": True,
    "voicemailMessagesAdded": [ADDED],
    "voicemailMessagesChanged": [
        {"__type": f"{UM}:voicemailMessage", "unifiedMessageId": "m2", "state": 1}
    ],
    "voicemailMessagesRemoved": ["m3"],
}
PLAY_STATUS = {
    "__type": PLAY_STATUS_MESSAGE,
    "isDelta": False,
    "unifiedMessageId": "m1",
    "playStatus": 1,
}
CONNECTION_DOWN = {
    "__type": CONNECTION_STATE_MESSAGE,
    "isDelta": False,
    "previousConnectionState": 1,
    "newConnectionState": 2,
    "reason": "Switchover",
    "shouldReconnect": True,
}
MWI = {"__type": MWI_MESSAGE, "isDelta": False, "messagesWaiting": 3}
SUBSCRIPTION_FAULTED = {
    "__type": VOICEMAIL_SUBSCRIPTION_STATE,
    "isDelta": True,
    "state": 3,
    "error": {"message": "The mailbox store is unavailable."},
}
MWI_SUBSCRIPTION_NORMAL = {
    "__type": MWI_SUBSCRIPTION_STATE,
    "isDelta": True,
    "state": 1,
}
LOGIN = {
    "csrfToken": "WAhhbGljZQ==",
    "sessionId": "1731001",
    "alternateHostList": ["cic-icws", "", 5],
    "userID": "alice",
    "userDisplayName": "Alice Example",
    "icServer": "CIC-ICWS",
    "features": [
        {"featureId": "unified-messaging", "version": 2},
        {"featureId": "messaging", "version": "3"},
        {"featureId": "connection", "version": True},
        {"featureId": 7, "version": 1},
        "junk",
    ],
    "version": {
        "majorVersion": "15",
        "minorVersion": "1",
        "su": "3",
        "productReleaseDisplayString": "2015 R1",
    },
}
VALID_MESSAGES = [
    SNAPSHOT,
    DELTA,
    PLAY_STATUS,
    CONNECTION_DOWN,
    MWI,
    SUBSCRIPTION_FAULTED,
    MWI_SUBSCRIPTION_NORMAL,
]

# Every date form of the official library (`_util.js`), and the ISO forms with offsets.
LIBRARY_DATES = [
    "20201029T082018Z",
    "20201029082018Z",
    "20201029T0820Z",
    "202010290820Z",
    "20201029T082018.25Z",
    "2020-10-29T08:20:18Z",
    "2020-10-29T08:20Z",
    "2020-10-29T08:20:18.250Z",
    "2020-10-29T08:20:18.2500001Z",
    "2020-10-29T10:20:18+02:00",
]

EXPECTED_VOICEMAIL = Voicemail(
    message_id="imap://alice@voicestore:993/INBOX;uid=574/;section=1",
    state=MessageState.UNREAD,
    received=datetime(2020, 10, 29, 8, 20, 18, tzinfo=UTC),
    sender="Bob Example <+15551234>",
    subject="Voice mail from Bob",
    attachments=(
        Attachment(
            file_uri="/icws/1/unified-messaging/x/attachments/0",
            file_name="VoiceMail.wav",
            mime_type="audio/wav",
        ),
    ),
)
