"""The committed voicemails are what tests/audio/manifest.json says, as ffmpeg decodes them."""

from __future__ import annotations

import struct

import pytest

from scripts._dev.ffmpeg import FfmpegError, decode_pcm, decoded_seconds, probe
from tests.audio import AUDIO_DIR, BROKEN, VOICEMAILS, Voicemail, path

# WAVE format tags (mmreg.h) and the .au encoding of 8-bit G.711 mu-law.
WAVE_TAGS = {
    "pcm_s16le": 0x0001,
    "pcm_alaw": 0x0006,
    "pcm_mulaw": 0x0007,
    "gsm_ms": 0x0031,
}
AU_MULAW = 1


def _ids(voicemail: Voicemail) -> str:
    return voicemail.name


@pytest.mark.parametrize("voicemail", VOICEMAILS, ids=_ids)
def test_ffmpeg_reports_codec_rate_and_duration(voicemail: Voicemail) -> None:
    """What ffmpeg's demuxer and decoder report agrees with the manifest."""
    info = probe(voicemail.path)
    assert info.codec == voicemail.codec
    assert info.sample_rate == voicemail.sample_rate == 8000
    assert info.channel_layout == "mono"
    assert voicemail.channels == 1
    assert info.seconds == pytest.approx(voicemail.seconds, abs=0.05)
    assert decoded_seconds(voicemail.path) == pytest.approx(voicemail.seconds, abs=0.05)
    assert 5 < voicemail.seconds < 10


@pytest.mark.parametrize("voicemail", VOICEMAILS, ids=_ids)
def test_headers_are_what_pureconnect_writes(voicemail: Voicemail) -> None:
    """Read independently of ffmpeg: the WAVE format tag or the .au encoding, rate, mono."""
    data = voicemail.path.read_bytes()
    if voicemail.name.endswith(".au"):
        assert voicemail.mime_type == "audio/basic"
        magic, offset, _size, encoding, rate, channels = struct.unpack_from(
            ">4s5I", data
        )
        assert (magic, encoding, rate, channels) == (b".snd", AU_MULAW, 8000, 1)
        # The shortest annotation (4 zero bytes): no "Processed by SoX".
        assert (offset, data[24:28]) == (28, bytes(4))
        return
    assert voicemail.mime_type == "audio/wav"
    assert data[:4] == b"RIFF" and data[8:16] == b"WAVEfmt "
    tag, channels, rate = struct.unpack_from("<HHI", data, 20)
    assert (tag, channels, rate) == (WAVE_TAGS[voicemail.codec], 1, 8000)
    assert probe(voicemail.path).format_tag == tag


def test_the_set_is_small_and_listed() -> None:
    """Every file in tests/audio is in the manifest; tens of KB each, well under 1 MB in all."""
    listed = {vm.name for vm in VOICEMAILS} | {broken.name for broken in BROKEN}
    on_disk = {
        file.name for file in AUDIO_DIR.iterdir() if file.suffix in {".wav", ".au"}
    }
    assert on_disk == listed
    sizes = {name: path(name).stat().st_size for name in listed}
    assert max(sizes.values()) < 120_000
    assert sum(sizes.values()) < 500_000
    assert {vm.codec for vm in VOICEMAILS} == set(WAVE_TAGS)


def test_truncated_header_is_refused() -> None:
    """A WAV whose header stops inside the fmt chunk cannot be opened."""
    truncated = path("corrupt_truncated_header.wav")
    assert truncated.stat().st_size < 44
    with pytest.raises(FfmpegError, match="no audio stream"):
        probe(truncated)
    with pytest.raises(FfmpegError, match="Invalid data"):
        decode_pcm(truncated)


def test_unknown_encoding_is_refused() -> None:
    """The WAV opens, but no codec has tag 0xBEEF: nothing decodes."""
    unknown = path("unknown_encoding.wav")
    info = probe(unknown)
    assert (info.codec, info.format_tag, info.sample_rate) == ("none", 0xBEEF, 8000)
    with pytest.raises(FfmpegError):
        decode_pcm(unknown)


def test_path_of_a_missing_file() -> None:
    """path() names only committed files."""
    with pytest.raises(FileNotFoundError):
        path("nothing.wav")
