"""Every failure of `python -m etl` as ONE line naming the file or setting and what to do.

Why: the people who run loads are deployment scripts and analysts, not Python developers. A
traceback (15 kinds of them in issue 14: an unreadable file, a symlink loop, a too-long name,
a --db that is a directory / a text file / a truncated DuckDB file / under /proc, a full disk,
a bad SEASTAT_MODE) hides the one fact they need. `main` wraps a command: anything it raises
becomes `error: <what>` on stderr and a non-zero exit; `--debug` (anywhere on the line) shows
the traceback instead. `describe` turns an exception into that line; the loader's own errors
already are one line and pass through unchanged.
"""
from __future__ import annotations

import argparse
import errno
import sys

# errno -> what to do about it (the file / setting is named by the caller)
ADVICE = {
    errno.ENOSPC: "disk full: free space there (or point --db / TMPDIR elsewhere) and run again",
    errno.EDQUOT: "disk quota exceeded: free space there and run again",
    errno.EFBIG: "file too large for this file system or process limit (ulimit -f)",
    errno.ELOOP: "symbolic link loop: fix the link",
    errno.ENAMETOOLONG: "file name too long for the file system: use a shorter name",
    errno.EACCES: "permission denied: check the file's owner and mode",
    errno.EPERM: "operation not permitted here: choose another path",
    errno.EROFS: "read-only file system: choose a writable path",
    errno.ENOENT: "not found: check the path",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "is a folder, not a file",
    errno.EIO: "input/output error reading or writing the disk",
}


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one line (usage and error otherwise take two to four)."""

    def error(self, message):
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def iso_date(text: str):
    """argparse type for a YYYY-MM-DD option: '2021-02-30' is named as not a calendar date."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a calendar date (YYYY-MM-DD)") from None


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def describe(exc: BaseException) -> str:
    """The one line for an exception (no 'error: ' prefix)."""
    if isinstance(exc, OSError) and exc.errno in ADVICE:
        where = exc.filename or ""
        if exc.filename2:
            where = f"{where} -> {exc.filename2}"
        return f"{where + ': ' if where else ''}{ADVICE[exc.errno]}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror.lower()}"
    text = one_line(str(exc)) or type(exc).__name__
    duck = _duckdb_advice(text)
    return duck or text


def _duckdb_advice(text: str) -> str | None:
    """DuckDB reports disk and file problems as text (IOException); say what they mean."""
    low = text.lower()
    if "no space left on device" in low or "could not write all bytes" in low:
        return f"disk full ({_clip(text)}): free space and run again"
    if "file too large" in low:
        return f"file too large for this file system or process limit ({_clip(text)})"
    return None


def _clip(text: str, n: int = 160) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def run(command, argv: list[str]) -> int:
    """Run `command(argv)`; every exception becomes one line unless `--debug` is in argv."""
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    try:
        return command(argv)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        print("error: interrupted; the previous warehouse is still the one served", file=sys.stderr)
        return 130
    except BaseException as exc:  # noqa: BLE001 - the point is to catch everything
        if debug:
            raise
        print(f"error: {describe(exc)}", file=sys.stderr)
        return 1
