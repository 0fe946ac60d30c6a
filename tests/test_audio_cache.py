"""The MP3 cache on disk: size cap, least recently used first, private, tidy."""

from __future__ import annotations

import os
from pathlib import Path

from custom_components.voicemail.audio_cache import AudioCache


def _file(cache: AudioCache, key: str, size: int, age: float) -> Path:
    part, fd = cache.open_part(key, "mp3")
    os.write(fd, bytes(size))
    os.close(fd)
    path = cache.commit(key, part)
    os.utime(path, (1_000_000 - age, 1_000_000 - age))
    return path


def test_over_the_cap_the_least_recently_used_go(tmp_path: Path) -> None:
    """Three files of 40 bytes under a 100-byte cap: the oldest goes, a used one stays."""
    cache = AudioCache(tmp_path / "cache", max_bytes=100)
    cache.prepare()
    _file(cache, "a", 40, age=30)
    _file(cache, "b", 40, age=20)
    assert cache.cached("a") is not None  # used now: the newest
    _file(cache, "c", 40, age=0)
    assert cache.keys() == {"a", "c"}
    assert (tmp_path / "cache").stat().st_mode & 0o777 == 0o700


def test_the_file_just_written_stays_even_over_the_cap(tmp_path: Path) -> None:
    """A single file larger than the cap is kept: it is the one being played."""
    cache = AudioCache(tmp_path / "cache", max_bytes=10)
    cache.prepare()
    path = _file(cache, "big", 50, age=0)
    assert path.exists()
    assert cache.path("big").stat().st_mode & 0o777 == 0o600


def test_prepare_removes_partial_files_and_trim_skips_vanished_ones(
    tmp_path: Path,
) -> None:
    """Leftovers of a crash go; a file removed meanwhile (a dangling link) is skipped."""
    cache = AudioCache(tmp_path / "cache", max_bytes=10)
    cache.directory.mkdir()
    (cache.directory / "x.download.part").write_bytes(b"half")
    (cache.directory / "gone.mp3").symlink_to(tmp_path / "nowhere")
    cache.prepare()
    assert sorted(p.name for p in cache.directory.iterdir()) == ["gone.mp3"]
    cache.trim()
    assert cache.cached("nope") is None


def test_a_cache_that_was_never_made(tmp_path: Path) -> None:
    """No directory: no keys, and clearing it is fine."""
    cache = AudioCache(tmp_path / "never", max_bytes=10)
    assert cache.keys() == set()
    cache.clear()
    assert not cache.directory.exists()
