"""Errors the library raises; the CLI turns each into one line that says what to do."""


class ThreatwatchError(Exception):
    """Base class: the message is a complete sentence a user can act on."""


class InputRejected(ThreatwatchError):
    """An input file (or one record in it) cannot be read; `reason` says why and what to do."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StoreError(ThreatwatchError):
    """The store file cannot be opened or is from a newer threatwatch."""
