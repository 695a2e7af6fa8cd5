"""Errors a user can cause: they end in one line on stderr and exit code 2."""


class InputError(Exception):
    """A file or option the user gave is unusable; the message is the whole story."""
