"""Look at a file's first bytes before DuckDB does: is it text, which delimiter, which header.

An unusable file (empty, binary, not UTF-8, no recognisable header, another dataset's header)
must stop the whole load with one line naming the file and what is wrong, before anything is
written; this module raises `FileProblem` with exactly that line.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .base import Adapter, Vintage, norm_header

HEAD_BYTES = 64 * 1024
DELIMITERS = (",", "\t", ";", "|")


class FileProblem(ValueError):
    """The file cannot be loaded at all; str() is the one-line message."""


@dataclass(frozen=True)
class Inspected:
    path: Path
    delimiter: str
    header: list[str]          # as written (BOM stripped)
    normalised: list[str]
    vintage: Vintage
    positions: dict[str, int]  # field id -> column position
    sample: list[str]          # values of the first records (to order date formats)


def read_header(path: Path) -> tuple[str, list[str], list[str]]:
    """(delimiter, header fields, sample values) of a text file; FileProblem when it is not usable."""
    try:
        st = os.stat(path)  # before open: opening a FIFO would wait forever for a writer
    except FileNotFoundError:
        raise FileProblem(f"{path}: file not found") from None
    if stat.S_ISDIR(st.st_mode):
        raise FileProblem(f"{path}: is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        raise FileProblem(f"{path}: is {kind}, not a regular file: save the export to a file and load that")
    with open(path, "rb") as fh:  # unreadable, too-long name: OSError, one line in etl/errors.py
        head = fh.read(HEAD_BYTES)
    if not head.strip(b"\xef\xbb\xbf \r\n\t"):
        raise FileProblem(f"{path}: empty file (no header line)")
    if b"\x00" in head:
        raise FileProblem(f"{path}: not a text file (binary content in the first bytes)")
    # Only the header line must be UTF-8 here: a bad byte in a record is that record's reject, the
    # same in the first 64 KiB as after it (the reader reports it with its record number).
    end = head.find(b"\n")
    line = head if end < 0 else head[:end]
    try:
        codecs.getincrementaldecoder("utf-8")().decode(line, final=False)
    except UnicodeDecodeError as exc:
        raise FileProblem(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(head, final=False)
    text = text.lstrip("\ufeff")
    first = text.replace("\r\n", "\n").replace("\r", "\n").split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first.count)
    if first.count(delimiter) == 0:
        raise FileProblem(f"{path}: no delimited header line (first line: {first[:80]!r})")
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[1:-1][:200]
    try:
        sample = [v for rec in csv.reader(lines, delimiter=delimiter) for v in rec]
    except csv.Error:  # odd quoting in the first lines: DuckDB will report the rows themselves
        sample = []
    return delimiter, header, sample


def inspect(path: Path, adapter: Adapter, others: dict[str, Adapter]) -> Inspected:
    """Match the header to one of the adapter's vintages, or say which dataset it belongs to."""
    delimiter, header, sample = read_header(path)
    normalised = [norm_header(h) for h in header]
    vintage, score, missing = adapter.match(normalised)
    better = None
    for name, other in others.items():
        if name == adapter.name:
            continue
        ov, oscore, _ = other.match(normalised)
        if ov is not None and (vintage is None or oscore[0] > score[0]):
            better = (name, ov)
    if better:
        name, ov = better
        raise FileProblem(f"{path}: wrong dataset: the header is {name} ({ov.name}), not {adapter.name}")
    if vintage is None:
        raise FileProblem(
            f"{path}: unrecognised header for {adapter.name}: missing column(s) {', '.join(missing)}")
    return Inspected(path, delimiter, header, normalised, vintage, adapter.field_positions(normalised), sample)
