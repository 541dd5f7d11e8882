"""The ``hackamore`` command line (``hackamore --help``)."""

from hackamore.cli.main import main
from hackamore.cli.view import LiveView

__all__ = ["LiveView", "main"]
