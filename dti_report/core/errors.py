"""One base for every error a user can cause: it carries a Vietnamese message,
and the command line has one handler for it."""

from __future__ import annotations


class DtiError(Exception):
    """An error the user can act on; `str()` is the Vietnamese message shown to them."""
