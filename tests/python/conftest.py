from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "asterisk"
LEGACY = ROOT.parent / "shared" / "fixtures" / "legacy"

USER = "hackamore"
SECRET = "py-s3cret-0451"


def legacy(name: str) -> Path:
    """A capture from ../shared/fixtures/legacy (read there, never copied into the repo).
    Missing is a failure on CI and a skip elsewhere."""
    path = LEGACY / name
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have {path}")
        pytest.skip(f"{path} not found")
    return path


def event_lines(path: Path) -> list[str]:
    """Event names read straight from the text, independently of the decoder."""
    names = []
    for line in path.read_bytes().split(b"\n"):
        line = line.rstrip(b"\r")
        if line.startswith(b"Event: "):
            names.append(line[len(b"Event: ") :].decode())
    return names
