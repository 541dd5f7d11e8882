"""The installed package: imports, exception hierarchy, command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import hackamore
import pytest
from hackamore import errors

from .conftest import event_lines


def test_all_names_exist_and_version_matches_cargo() -> None:
    for name in hackamore.__all__:
        assert hasattr(hackamore, name), name
    cargo = (Path(__file__).resolve().parents[2] / "Cargo.toml").read_text()
    assert f'version = "{hackamore.__version__}"' in cargo


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.ConnectError, ConnectionError),
        (errors.ConnectionLostError, ConnectionError),
        (errors.ResponseTimeoutError, TimeoutError),
        (errors.CaptureNotFoundError, FileNotFoundError),
        (errors.CaptureError, OSError),
        (errors.ActionRefusedError, ValueError),
    ],
)
def test_errors_share_one_root_and_match_builtins(
    cls: type[Exception], builtin: type[Exception]
) -> None:
    assert issubclass(cls, hackamore.Error)
    assert issubclass(cls, builtin)


def test_every_error_class_is_rooted_in_error() -> None:
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), hackamore.Error), name


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hackamore", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize("args", [["--help"], ["replay", "--help"], ["serve", "--help"]])
def test_help(args: list[str]) -> None:
    r = run_cli(*args)
    assert r.returncode == 0, r.stderr
    assert "usage: hackamore" in r.stdout


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).with_name("hackamore")
    r = subprocess.run(
        [str(exe), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert r.returncode == 0 and "replay" in r.stdout


def test_replay_with_no_capture_shows_the_bundled_one_live() -> None:
    r = run_cli("replay")
    assert r.returncode == 0, r.stderr
    bundled = Path(hackamore.bundled_capture())
    assert "bundled capture" in r.stderr
    names = event_lines(bundled)
    lines = r.stdout.splitlines()
    joins = [line for line in lines if " confbridgejoin " in line]
    assert len(joins) == names.count("ConfbridgeJoin") == 3
    # Each change shows the model's size after it: the room fills up, then empties.
    assert [line.rsplit("[", 1)[1] for line in joins][-1].startswith("channels")
    assert lines[0].split()[1:3] == ["pbx1", "newchannel"]
    [end] = [line for line in lines if line.split()[1:3] == ["pbx1", "end"]]
    assert end.endswith("[channels 0 calls 0 rooms 0]")  # the END emptied the model
    assert any(line.strip() == f"{names.count('Newchannel')}  newchannel" for line in lines)


def test_replay_events_and_table_views() -> None:
    bundled = Path(hackamore.bundled_capture())
    r = run_cli("replay", "--events", "--name", "pbx1", str(bundled))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(" ConfbridgeJoin ") == event_lines(bundled).count("ConfbridgeJoin")
    r = run_cli("replay", "--table", "--name", "pbx1", str(bundled))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("EVENT 0 Newchannel pbx1 ")
    assert r.stdout.count("VIEW SOURCE") == r.stdout.count("EVENT ") > 30


def test_replay_missing_file_is_a_clear_error() -> None:
    r = run_cli("replay", "/nonexistent/x.ami")
    assert r.returncode == 1
    assert "/nonexistent/x.ami" in r.stderr
    assert "Traceback" not in r.stderr
