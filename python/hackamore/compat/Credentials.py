"""Credentials: a keyword's value from the environment, else from ``~/.com_diag_hackamore``
(lines ``KEY=value``, ``#`` comments, whitespace trimmed), else a default."""

from __future__ import annotations

import os

DOTFILE = ".com_diag_hackamore"


def credentialfile(path: str, keyword: str, default: str | None = None) -> str | None:
    value = os.environ.get(keyword)
    if value is not None:
        return value.strip()
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.split("#", 1)[0]
                key, sep, value = line.partition("=")
                if sep and key.strip() == keyword:
                    return value.strip()
    except OSError:
        pass
    return default


def credentialhome(filename: str, keyword: str, default: str | None = None) -> str | None:
    return credentialfile(os.path.join(os.path.expanduser("~"), filename), keyword, default)


def credential(keyword: str, default: str | None = None) -> str | None:
    return credentialhome(DOTFILE, keyword, default)
