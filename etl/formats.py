"""What kind of file a user handed us, decided by its CONTENT (never its extension), and the
non-CSV kinds turned into a CSV the loader reads like any export.

Why: people download the same dataset as a portal CSV, as the Socrata API's JSON (an array of
objects) or GeoJSON (a FeatureCollection whose features' `properties` hold the fields), or
re-save a CSV in a spreadsheet (tab-separated, CR-only lines, BOM). The API's field names are
the snake_case names the adapters already accept as header aliases (`etl fetch` reads the same
API as CSV), so a JSON key is simply a header: one mapping, kept as adapter data
(etl/sources/<dataset>.py), for every format.

JSON / GeoJSON become one temporary CSV (header = every key, in order of first appearance; a
missing key or a JSON null is an empty field; strings as sent, so `2022-01-03T14:05:00.000`
stays as the API wrote it). Nested values: a GeoJSON Point becomes `POINT (lon lat)` (the WKT
the adapters read), a Socrata location object `{latitude, longitude, ...}` becomes
`(lat, lon)`; a feature's Point geometry also fills `geometry_longitude` / `geometry_latitude`
(adapter aliases of longitude / latitude, used when the properties carry none). Delimited text
(any delimiter, line ending or BOM) is read as it is: DuckDB splits it directly.

Cost: Python's json module reads the whole document: per 100k records of the 17-field crime
dataset, 0.7 CPU-s (JSON array, 45 MB) / 1.4 CPU-s (GeoJSON, 55 MB), measured on the shared
2-core machine, and memory of several times the file's size. For millions of rows the portal's
CSV (or `etl fetch`, which pages the API as CSV) stays the fast path.
"""
from __future__ import annotations

import contextlib
import csv
import json
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from etl import warehouse

SNIFF_BYTES = 4096


class FormatProblem(ValueError):
    """The file cannot be read in the format its content claims; str() is the one-line message."""


@dataclass(frozen=True)
class Readable:
    kind: str     # 'csv' (any delimited text), 'json' (array of objects), 'ndjson', 'geojson'
    path: Path    # what the loader reads: the file itself, or the CSV made from it


class Scratch:
    """A folder beside the (real) warehouse file for the CSVs made from JSON files, made only when a
    JSON file needs one (a CSV load creates nothing) and removed however the load ends. It is made
    before the load takes its lock, so it is not named like the load's own temp folders (which the
    next load removes as a killed load's left-overs)."""

    def __init__(self, db_path: Path):
        self.real = warehouse.real_path(Path(db_path))
        self._dir: tempfile.TemporaryDirectory | None = None

    def folder(self) -> Path:
        if self._dir is None:
            try:
                self.real.parent.mkdir(parents=True, exist_ok=True)
                self._dir = tempfile.TemporaryDirectory(prefix="seastat-formats-", dir=self.real.parent)
            except OSError as exc:
                raise FormatProblem(f"{self.real}: cannot write beside the warehouse ({exc.strerror}); "
                                    "choose a writable folder for --db") from None
        return Path(self._dir.name)

    def cleanup(self) -> None:
        if self._dir is not None:
            self._dir.cleanup()


@contextlib.contextmanager
def scratch(db_path: Path):
    """Scratch(db_path) for the length of a load."""
    work = Scratch(db_path)
    try:
        yield work
    finally:
        work.cleanup()


def detect(path: Path) -> str:
    """'json', 'ndjson', 'geojson' or 'csv', from the first bytes (BOM and blanks skipped)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return "csv"  # a FIFO would block open(): the CSV path refuses special files in one line
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return "csv"  # the CSV path says what is wrong with it (missing, directory, ...)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        flat = text.replace(b" ", b"").replace(b"\n", b"").replace(b"\r", b"").replace(b"\t", b"")
        if b'"type":"FeatureCollection"' in flat or b'"features":' in flat:
            return "geojson"
        return "ndjson"
    return "csv"


def readable(path: Path, workdir) -> Readable:
    """The file as something the CSV loader reads; JSON kinds are converted into workdir (a folder,
    or a Scratch that makes its folder on first use)."""
    kind = detect(path)
    if kind == "csv":
        return Readable(kind, path)
    records = _records(path, kind)
    folder = workdir.folder() if isinstance(workdir, Scratch) else Path(workdir)
    out = folder / f"{len(list(folder.iterdir()))}-{path.stem}.csv"
    _write_csv(records, out, path)
    return Readable(kind, out)


def _load_json(path: Path):
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except UnicodeDecodeError as exc:
        raise FormatProblem(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise FormatProblem(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None


def _records(path: Path, kind: str) -> list[dict]:
    if kind == "ndjson":
        out = []
        with open(path, encoding="utf-8-sig", errors="strict") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    if n == 1:  # one object spread over lines: a JSON document, not JSON lines
                        return _records_of(_load_json(path), path)
                    raise FormatProblem(f"{path}: line {n} is not a JSON object ({exc.msg})") from None
                if not isinstance(obj, dict):
                    raise FormatProblem(f"{path}: line {n} is not a JSON object")
                out.append(obj)
        return out
    return _records_of(_load_json(path), path)


def _records_of(doc, path: Path) -> list[dict]:
    if isinstance(doc, list):
        bad = next((i for i, r in enumerate(doc) if not isinstance(r, dict)), None)
        if bad is not None:
            raise FormatProblem(f"{path}: JSON array item {bad + 1} is not an object (expected the API's records)")
        return doc
    if isinstance(doc, dict) and isinstance(doc.get("features"), list):
        out = []
        for i, feat in enumerate(doc["features"]):
            if not isinstance(feat, dict):
                raise FormatProblem(f"{path}: GeoJSON feature {i + 1} is not an object")
            rec = dict(feat.get("properties") or {})
            point = _point(feat.get("geometry"))
            if point is not None:
                rec["geometry_longitude"], rec["geometry_latitude"] = point
            out.append(rec)
        return out
    if isinstance(doc, dict):
        return [doc]
    raise FormatProblem(f"{path}: JSON holds a {type(doc).__name__}, not records (an array of objects or a FeatureCollection)")


def _point(geom) -> tuple[str, str] | None:
    if isinstance(geom, dict) and geom.get("type") == "Point":
        c = geom.get("coordinates")
        if isinstance(c, list) and len(c) >= 2 and all(isinstance(v, (int, float)) for v in c[:2]):
            return repr(c[0]), repr(c[1])
    return None


def text_of(value) -> str:
    """One JSON value as the text a CSV export would hold (empty for null)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        point = _point(value)
        if point is not None:
            return f"POINT ({point[0]} {point[1]})"
        if "latitude" in value and "longitude" in value:
            lat, lon = text_of(value["latitude"]), text_of(value["longitude"])
            return f"({lat}, {lon})" if lat and lon else ""
    return json.dumps(value, ensure_ascii=False)


def _write_csv(records: list[dict], out: Path, source: Path) -> None:
    if not records:
        raise FormatProblem(f"{source}: JSON holds no records")
    header: dict[str, None] = {}
    for rec in records:
        for k in rec:
            header.setdefault(str(k), None)
    names = list(header)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(names)
        for rec in records:
            w.writerow([text_of(rec.get(k)) for k in names])
