"""Credentials: a keyword's value from the environment, else from ``~/.com_diag_hackamore``
(lines ``KEY=value``, ``#`` comments, whitespace trimmed), else a default. The native
configuration reader does the work, so the engines and this module agree."""

from __future__ import annotations

import os

from hackamore import _native

DOTFILE = ".com_diag_hackamore"


def credentialfile(path: str, keyword: str, default: str | None = None) -> str | None:
    return _native.credential(keyword, default, path)


def credentialhome(filename: str, keyword: str, default: str | None = None) -> str | None:
    return credentialfile(os.path.join(os.path.expanduser("~"), filename), keyword, default)


def credential(keyword: str, default: str | None = None) -> str | None:
    return _native.credential(keyword, default)
