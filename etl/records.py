"""Record boundaries of a delimited text file, found independently of DuckDB's CSV reader.

Why: the loader's accounting (read = loaded + rejected + duplicate) is only worth something if
"read" is checked against a count that does not come from the parser being checked. A file with
mixed line endings, or an unterminated quote, makes DuckDB's reader merge or drop records while
its own counts still balance (issue 14: 60 officer-involved-shooting records with a CRLF header
and an LF body read as 1). `scan` walks the bytes once with numpy: a line ending is a record
terminator when an even number of quote characters precede it (RFC 4180 doubled quotes keep the
parity), an empty record (blank line) is skipped as DuckDB skips it. It also yields each record's
first byte, which maps a parser error (DuckDB reports the byte where the line starts) to the
record number that `source_row` and `rejects.line` use.

Cost: two vectorised passes (quotes, line feeds) per 16 MiB chunk, a third for carriage returns
only when the chunk has one; about 0.1-0.2 s per million 180-byte records.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CHUNK = 16 * 1024 * 1024
LF, CR = 10, 13


@dataclass
class Scan:
    """What the bytes say: the header record, then `records` data records."""
    records: int                       # data records (header and blank lines excluded)
    endings: dict[str, int]            # terminator kind ('\\n', '\\r\\n', '\\r') -> how many, outside quotes
    starts: np.ndarray = field(repr=False)  # first byte of each data record, ascending
    open_quote_at: int | None = None   # byte offset of a quote still open at the end of the file

    @property
    def mixed(self) -> bool:
        """More than one kind of line ending between records: DuckDB's reader cannot split such a file."""
        return sum(1 for n in self.endings.values() if n) > 1

    def record_of(self, byte_positions) -> np.ndarray:
        """Record number (1 = first data record) holding each byte position; 0 = the header."""
        return np.searchsorted(self.starts, np.asarray(byte_positions, dtype=np.int64), side="right")


def scan(path: Path, quote: str = '"') -> Scan:
    """Scan the file once; see the module docstring."""
    q = ord(quote)
    starts_parts: list[np.ndarray] = []  # first byte of each non-empty record (header included)
    rec_begin = 0                    # where the record being read began (just past the last terminator)
    kinds = {"\n": 0, "\r\n": 0, "\r": 0}
    parity = 0                       # quotes seen so far, mod 2
    last_quote = -1
    offset = 0                       # file offset of buf[0]
    prev_last = -1                   # the byte before buf[0]
    held = b""
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            eof = not chunk
            buf = held + chunk
            if not buf:
                break
            # hold the last byte back (a CR there may be the first half of a CRLF) unless at the end
            work, held = (buf, b"") if eof else (buf[:-1], buf[-1:])
            a = np.frombuffer(work, dtype=np.uint8)
            quotes = np.flatnonzero(a == q)
            lfs = np.flatnonzero(a == LF)
            outside = (np.searchsorted(quotes, lfs) + parity) % 2 == 0
            lfs = lfs[outside]
            after_cr = np.zeros(len(lfs), dtype=bool)
            if len(lfs):
                before = a[np.maximum(lfs - 1, 0)]
                after_cr = before == CR
                if lfs[0] == 0:
                    after_cr[0] = prev_last == CR
            starts = lfs - after_cr
            kinds["\r\n"] += int(after_cr.sum())
            kinds["\n"] += int(len(lfs) - after_cr.sum())
            t_start, t_end = starts, lfs + 1
            if CR in work:
                crs = np.flatnonzero(a == CR)
                crs = crs[(np.searchsorted(quotes, crs) + parity) % 2 == 0]
                nxt = np.append(a, held[0] if held else 0)[crs + 1] if len(crs) else crs
                lone = crs[nxt != LF]
                if len(lone):
                    kinds["\r"] += len(lone)
                    t_start = np.concatenate([t_start, lone])
                    t_end = np.concatenate([t_end, lone + 1])
                    order = np.argsort(t_start, kind="stable")
                    t_start, t_end = t_start[order], t_end[order]
            # record j of this chunk spans [end of terminator j-1, start of terminator j); keep the
            # starts of non-empty ones only (a blank line is no record), one small array per chunk
            begins = np.concatenate([[rec_begin], t_end[:-1] + offset]).astype(np.int64) if len(t_end) else None
            if begins is not None:
                starts_parts.append(begins[(t_start + offset) > begins])
                rec_begin = int(t_end[-1]) + offset
            if len(quotes):
                last_quote = int(quotes[-1]) + offset
            parity = (parity + len(quotes)) % 2
            prev_last = int(a[-1]) if len(a) else prev_last
            offset += len(work)
            if eof:
                break
    if offset > rec_begin:  # a last record without a line ending
        starts_parts.append(np.asarray([rec_begin], dtype=np.int64))
    rec_start = np.concatenate(starts_parts) if starts_parts else np.zeros(0, np.int64)
    data_starts = rec_start[1:]  # the first non-empty record is the header
    return Scan(records=len(data_starts), endings=kinds, starts=data_starts,
                open_quote_at=last_quote if parity else None)


def scan_exact(path: Path, delimiter: str = ",", quote: str = '"') -> Scan:
    """The same scan with the quoting rule DuckDB applies: a quote opens a quoted field only at
    the start of a field, so `5'10"` in an unquoted field is text.

    A state machine over the quotes and line endings only (per-event Python, several times the
    cost of `scan`), so it runs only when the fast parity scan and the reader disagree.
    """
    n = Path(path).stat().st_size
    data = np.memmap(path, dtype=np.uint8, mode="r") if n else np.zeros(0, np.uint8)  # pages on demand
    q, d = ord(quote), ord(delimiter)
    events = np.concatenate([np.zeros(0, np.int64)] + [
        np.flatnonzero((part == q) | (part == LF) | (part == CR)) + lo
        for lo in range(0, n, CHUNK) for part in [data[lo:lo + CHUNK]]])
    inside = False
    skip_to = -1
    opened_at = None
    term_start: list[int] = []
    term_end: list[int] = []
    kinds = {"\n": 0, "\r\n": 0, "\r": 0}
    for i in events.tolist():
        if i < skip_to:
            continue
        b = data[i]
        if b == q:
            if inside:
                if i + 1 < n and data[i + 1] == q:
                    skip_to = i + 2  # an escaped quote
                else:
                    inside = False
            elif i == 0 or data[i - 1] in (d, LF, CR):
                inside, opened_at = True, i
        elif not inside:
            if b == CR and i + 1 < n and data[i + 1] == LF:
                term_start.append(i), term_end.append(i + 2)
                kinds["\r\n"] += 1
                skip_to = i + 2
            else:
                term_start.append(i), term_end.append(i + 1)
                kinds["\r" if b == CR else "\n"] += 1
    starts = np.concatenate([[0], np.asarray(term_end, dtype=np.int64)])
    stops = np.concatenate([np.asarray(term_start, dtype=np.int64), [n]])
    starts = starts[stops > starts]
    return Scan(records=max(len(starts) - 1, 0), endings=kinds, starts=starts[1:],
                open_quote_at=opened_at if inside else None)


def normalise_endings(src: Path, dest: Path) -> Path:
    """Copy `src` to `dest` with every CRLF and lone CR made LF (streamed; quoted text included).

    Used only for a file whose records end in more than one way: one kind of ending is what
    DuckDB's reader needs. A CRLF inside a quoted free-text field becomes LF as well; the
    characters of the text are otherwise unchanged.
    """
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        carry = b""
        while True:
            chunk = fin.read(CHUNK)
            buf = carry + chunk
            if not chunk:
                fout.write(buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
                break
            carry = b"\r" if buf.endswith(b"\r") else b""
            buf = buf[:-1] if carry else buf
            fout.write(buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
    return dest


def prepare(path: Path, tmpdir: Path) -> tuple[Path, Scan]:
    """The file DuckDB should read (a normalised copy in `tmpdir` when its endings are mixed) and its scan."""
    found = scan(path)
    if not found.mixed:
        return path, found
    copy = normalise_endings(path, Path(tmpdir) / "normalised.csv")
    return copy, scan(copy)


def disagreement(path: Path, found: Scan, split: int, malformed: int) -> str:
    """The one-line error when the parser's records and the independent count differ."""
    where = ""
    if found.open_quote_at is not None:
        where = f"; a quote opened in record {int(found.record_of([found.open_quote_at])[0])} is never closed"
    return (f"{path}: the file has {found.records} records but the CSV reader split {split} and could not "
            f"split {malformed}{where}; nothing was loaded: fix the file's quoting or line endings and load it again")
