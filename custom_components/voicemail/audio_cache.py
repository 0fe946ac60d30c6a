"""The MP3 files of one account on disk: private, size-capped, never half-written.

`<config>/.cache/voicemail/<entry_id>/<key>.mp3`, where the key is the message's digest
(`helpers.message_digest`: ids are opaque and may hold any character). The directory is private to
Home Assistant's user (0700). A file is written as `<key>.*.part` and renamed when
complete, so a reader never sees a partial file; leftovers of a crash are removed at
start. Over the cap, the least recently used files go first. All of it runs in the
executor (file I/O never blocks the event loop).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

MP3: Final = ".mp3"
PART: Final = ".part"


class AudioCache:
    """One directory of MP3 files (every method is blocking: call it in the executor)."""

    def __init__(self, directory: Path, max_bytes: int) -> None:
        """Use `directory` (made on first use) with at most `max_bytes` of files."""
        self.directory = directory
        self.max_bytes = max_bytes

    def path(self, key: str) -> Path:
        """Return where the MP3 of a key is (or would be)."""
        return self.directory / f"{key}{MP3}"

    def part(self, key: str, kind: str) -> Path:
        """Return a temporary file of a key (`download`, `mp3`)."""
        return self.directory / f"{key}.{kind}{PART}"

    def prepare(self) -> None:
        """Make the private directory; remove partial files a crash left behind."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.directory.chmod(0o700)
        for leftover in self.directory.glob(f"*{PART}"):
            leftover.unlink(missing_ok=True)

    def cached(self, key: str) -> Path | None:
        """Return the MP3 of a key if it is there (and mark it used)."""
        path = self.path(key)
        try:
            os.utime(path)
        except FileNotFoundError:
            return None
        return path

    def open_part(self, key: str, kind: str) -> tuple[Path, int]:
        """Create an empty private temporary file; return its path and descriptor."""
        path = self.part(key, kind)
        return path, os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)

    def commit(self, key: str, part: Path) -> Path:
        """Move a finished temporary file in place; then keep the cache under its cap."""
        part.chmod(0o600)
        path = self.path(key)
        part.replace(path)
        self.trim(keep=path)
        return path

    def discard(self, *paths: Path) -> None:
        """Remove temporary files (missing ones are fine)."""
        for path in paths:
            path.unlink(missing_ok=True)

    def remove(self, key: str) -> None:
        """Remove the MP3 of a key."""
        self.path(key).unlink(missing_ok=True)

    def keys(self) -> set[str]:
        """Return the keys of the MP3 files there."""
        if not self.directory.is_dir():
            return set()
        return {path.stem for path in self.directory.glob(f"*{MP3}")}

    def trim(self, keep: Path | None = None) -> None:
        """Remove the least recently used files until the rest fits the cap."""
        files = []
        for path in self.directory.glob(f"*{MP3}"):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            files.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            if path != keep:
                path.unlink(missing_ok=True)
                total -= size

    def clear(self) -> None:
        """Remove every file and the directory (the account was removed)."""
        if not self.directory.is_dir():
            return
        for path in self.directory.iterdir():
            path.unlink(missing_ok=True)
        self.directory.rmdir()
