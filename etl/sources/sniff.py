"""Look at a file's first bytes before DuckDB does: is it text, which delimiter, which header.

An unusable file (empty, binary, not UTF-8, no recognisable header, another dataset's header)
must stop the whole load with one line naming the file and what is wrong, before anything is
written; this module raises `FileProblem` with exactly that line.

Column subsets: a file that lacks some of a vintage's published columns (the portal's export
dialog lets a user pick them; the API leaves out a field that is null in every record) still
loads when it has an event date: every dataset feeds at least one measure that needs nothing
else (the catalog's freshness measure, and plain counts). It is matched to the vintage it
shares most published columns with; what it lacks is `absent` (shown by `etl load`,
`etl status --json` and /data) and loads as NULL. A file with no usable event date column is
refused, naming the columns that could have given one.
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
    source: Path | None = None  # what DuckDB reads (the CSV made from a JSON file); None = path
    kind: str = "csv"          # etl/formats.py: csv, json, ndjson, geojson
    absent: tuple[str, ...] = ()  # the vintage's published columns this file lacks

    @property
    def read_path(self) -> Path:
        return self.source or self.path


def read_header(path: Path, label: Path | None = None) -> tuple[str, list[str], list[str]]:
    """(delimiter, header fields, sample values) of a text file; FileProblem when it is not usable.

    `label` is the file named in messages when `path` is a CSV made from it (etl/formats.py)."""
    src, path = path, (label or path)
    try:
        st = os.stat(src)  # before open: opening a FIFO would wait forever for a writer
    except FileNotFoundError:
        raise FileProblem(f"{path}: file not found") from None
    if stat.S_ISDIR(st.st_mode):
        raise FileProblem(f"{path}: is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        raise FileProblem(f"{path}: is {kind}, not a regular file: save the export to a file and load that")
    with open(src, "rb") as fh:  # unreadable, too-long name: OSError, one line in etl/errors.py
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


def inspect(path: Path, adapter: Adapter, others: dict[str, Adapter], workdir: Path | None = None) -> Inspected:
    """Match the header to one of the adapter's vintages, or say which dataset it belongs to.

    `workdir` receives the CSV made from a JSON / GeoJSON file (etl/formats.py); without one a
    JSON file is refused."""
    from etl import formats

    kind, source = "csv", None
    if workdir is not None:
        try:
            r = formats.readable(Path(path), workdir)
        except formats.FormatProblem as exc:
            raise FileProblem(str(exc)) from None
        kind, source = r.kind, (r.path if r.path != Path(path) else None)
    delimiter, header, sample = read_header(source or path, label=path)
    raw_names = [norm_header(h) for h in header]
    normalised = adapter.spelled(raw_names)
    vintage, score, missing = adapter.match(normalised)
    better = None
    for name, other in others.items():
        if name == adapter.name:
            continue
        ov, oscore, _ = other.match(other.spelled(raw_names))
        if ov is not None and (vintage is None or oscore[0] > score[0]):
            better = (name, ov)
    if better:
        name, ov = better
        raise FileProblem(f"{path}: wrong dataset: the header is {name} ({ov.name}), not {adapter.name}")
    positions = adapter.field_positions(normalised)
    if vintage is None or absent_columns(adapter, vintage, normalised, positions):
        vintage = subset_vintage(adapter, normalised, positions) or vintage
    if vintage is None or not set(adapter.date_fields(vintage)) & set(positions):
        wanted = ", ".join(adapter.display_name(f) for f in adapter.date_fields())
        raise FileProblem(f"{path}: unrecognised header for {adapter.name}: missing column(s) for an event "
                          f"date (one of {wanted}); the file has {', '.join(header[:12])}"
                          + (" ..." if len(header) > 12 else ""))
    return Inspected(path, delimiter, header, normalised, vintage, positions, sample, source, kind,
                     absent_columns(adapter, vintage, normalised, positions))


def subset_vintage(adapter: Adapter, normalised: list[str], positions: dict[str, int]) -> Vintage | None:
    """The vintage a column subset was cut from: among those whose event date it has, the one
    sharing most fields with it, then most headers spelled as that vintage spells them, then
    the fewest absent columns (an early, narrower schema over a later superset of it)."""
    best, best_score = None, None
    present = set(normalised)
    for v in adapter.vintages:
        if not set(adapter.date_fields(v)) & set(positions):
            continue
        fields = {adapter.field_of(norm_header(c)) for c in v.columns} - {None}
        literal = len({norm_header(c) for c in v.columns} & present)
        score = (len(fields & set(positions)), literal, -len(absent_columns(adapter, v, normalised, positions)))
        if best_score is None or score > best_score:
            best, best_score = v, score
    return best


def absent_columns(adapter: Adapter, vintage: Vintage, normalised: list[str],
                   positions: dict[str, int]) -> tuple[str, ...]:
    """The vintage's published columns (as written there) that this file does not have."""
    present = set(normalised)
    out = []
    for col in vintage.columns:
        n = norm_header(col)
        fid = adapter.field_of(n)
        if n not in present and (fid is None or fid not in positions):
            out.append(col)
    return tuple(out)
