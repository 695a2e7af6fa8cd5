"""Errors a user can cause: they end in one line on stderr and exit code 2."""


class InputError(Exception):
    """A file or option the user gave is unusable; the message is the whole story."""


def read_user_bytes(path: object) -> bytes:
    """A file the user named; unreadable is one line naming it."""
    from pathlib import Path

    name = str(path)
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None


def read_user_text(path: object, what: str) -> str:
    """A file the user named, as text; unreadable or not UTF-8 is one line naming it."""
    name = str(path)
    data = read_user_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{name}: not valid {what} (not UTF-8 text)") from None


def write_user_text(path: object, text: str) -> None:
    """A file the user named, written; a failure is one line naming it."""
    try:
        with open(str(path), "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
