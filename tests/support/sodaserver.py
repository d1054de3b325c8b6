"""A small, real SODA 2.x look-alike HTTP server for the fetch tests (no internet here).

Why: the fetch client must be tested against real HTTP (paging, retries, dropped connections,
resume), not against a mocked urlopen. This server serves the real Seattle sample files the way
data.seattle.gov serves a dataset at `/resource/<4x4>.csv` and `/resource/<4x4>.json`:

* the sample's display headers become API field names (`Offense ID` -> `offense_id`,
  `GO / SC Num` -> `go_sc_num`; a name starting with a digit gets a leading `_`, as Socrata does);
* values are passed through as they are in the sample, unless `portal_dates=True`: then
  date columns are rewritten the way the real portal serves floating timestamps
  (`02/05/2020 09:39:33 AM` -> `2020-02-05T09:39:33.000`, `2015-03-15T00:00:00Z` ->
  `2015-03-15T00:00:00.000`), so the loaders are tested against both forms;
* bodies are gzip-compressed when the client sends `Accept-Encoding: gzip`, as the portal does;
* CSV has a header line on every page and every field quoted; JSON is a list of objects that
  omit empty fields;
* `$limit`, `$offset`, `$order` (`:id` = file order, or one field with ASC/DESC),
  `$where` (`field OP 'literal'` joined by AND; OP one of >= > <= < = !=; dates compare as dates)
  and `$select=count(*)` are honoured; an unknown field gives 400 `query.soql.no-such-column`,
  an unknown dataset 404, as Socrata does.

Test hooks (set on the server object; requests are numbered from 1 in arrival order):
* `fail = {n: status}` answers request n with that status;
* `drop = {n, ...}` sends the headers and half of the body of request n, then closes the socket;
* `drop_from = n` does that for request n and every later one (the portal went away);
* `garbage = {n: bytes}` answers request n with 200 and those bytes as text/html (a proxy's page);
* `last_modified` is sent as X-SODA2-Truth-Last-Modified and Last-Modified (change it to
  play a portal that updated the dataset between pages);
* `replace(resource, path)` serves a new file for a dataset (new rows published, or a feed that
  stopped: the same file again);
* `slow = {n: seconds}` waits that long before answering request n (a client timeout);
* `hold_from(offset)` keeps every data request for `$offset` >= offset waiting, unanswered,
  until `release()`; `held` (a threading.Event) is set when one arrives. A test interrupts a
  client at a known point by waiting for `held`, not for a delay it hopes is long enough: the
  client has then saved every page before `offset` and is blocked reading the next one.
`requests` lists what arrived: dicts with path, params, n, outcome, headers.

Only ever binds to 127.0.0.1, on a free port chosen by the OS.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

_WHERE_TERM = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|!=|=|>|<)\s*'((?:[^']|'')*)'\s*$")
_ORDER = re.compile(r"^\s*(:id|[A-Za-z_][A-Za-z0-9_]*)(?:\s+(ASC|DESC))?\s*$", re.IGNORECASE)
_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")


def api_field_name(display: str) -> str:
    """Socrata's API field name for a display header: lower case, runs of non-alnum -> `_`."""
    name = re.sub(r"[^0-9a-z]+", "_", display.strip().lstrip("\ufeff").lower()).strip("_")
    return "_" + name if name[:1].isdigit() else name


def parse_when(text: str) -> dt.datetime | None:
    """A sample's date text as a naive datetime, or None when it is empty or not a date."""
    text = text.strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            pass
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "")).replace(tzinfo=None)
    except ValueError:
        return None


class SodaError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Table:
    """One sample file, parsed once: API field names and rows of strings."""

    def __init__(self, path: Path, portal_dates: bool = False):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            self.fields = [api_field_name(h) for h in header]
            self.rows = [row for row in reader if row]
        if portal_dates:
            for i in range(len(self.fields)):
                _to_floating_timestamps(self.rows, i)

    def column(self, name: str) -> int:
        try:
            return self.fields.index(name)
        except ValueError:
            raise SodaError(400, "query.soql.no-such-column", f"No such column: {name}") from None

    def select(self, params: dict[str, str]) -> list[list[str]]:
        rows = list(self.rows)
        where = params.get("$where")
        if where:
            for term in re.split(r"\s+AND\s+", where, flags=re.IGNORECASE):
                rows = self._filter(rows, term)
        order = params.get("$order", ":id")
        m = _ORDER.match(order)
        if not m:
            raise SodaError(400, "query.compiler.malformed", f"Could not parse $order: {order}")
        if m.group(1) != ":id":
            i = self.column(m.group(1))
            # NULLs sort first ascending; stable, so ties keep file order.
            rows.sort(key=lambda r: _sort_key(r[i]), reverse=(m.group(2) or "").upper() == "DESC")
        try:
            offset = int(params.get("$offset", 0))
            limit = int(params.get("$limit", 1000))  # SODA's default page
        except ValueError:
            raise SodaError(400, "query.compiler.malformed", "$limit and $offset must be integers") from None
        return rows[offset:offset + limit]

    def _filter(self, rows, term):
        m = _WHERE_TERM.match(term)
        if not m:
            raise SodaError(400, "query.compiler.malformed", f"Could not parse $where term: {term}")
        field, op, literal = m.group(1), m.group(2), m.group(3).replace("''", "'")
        i = self.column(field)
        as_date = parse_when(literal) if re.match(r"^\d{4}-\d{2}-\d{2}", literal) else None
        compare = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
                   "<": lambda a, b: a < b, "=": lambda a, b: a == b, "!=": lambda a, b: a != b}[op]
        out = []
        for row in rows:
            value = parse_when(row[i]) if as_date else (row[i] or None)
            if value is not None and compare(value, as_date or literal):  # NULL compares false
                out.append(row)
        return out


def _to_floating_timestamps(rows: list[list[str]], i: int) -> None:
    """Rewrite column i as SODA floating timestamps if every non-empty value in it is a date."""
    values = [row[i].strip() for row in rows if row[i].strip()]
    looks_dated = re.compile(r"^(\d{2}/\d{2}/\d{4} |\d{4}-\d{2}-\d{2}T)")
    if not values or not all(looks_dated.match(v) and parse_when(v) for v in values):
        return
    for row in rows:
        when = parse_when(row[i])
        if when is not None:
            row[i] = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}"


def _sort_key(text: str):
    when = parse_when(text)
    return (0, dt.datetime.min, "") if not text.strip() else (1, when or dt.datetime.min, text)


class SodaServer:
    """`with SodaServer({"tazs-3rd5": path}) as soda: soda.url` -> http://127.0.0.1:PORT."""

    def __init__(self, datasets: dict[str, Path], portal_dates: bool = False):
        self.datasets = {k: Path(v) for k, v in datasets.items()}
        self.portal_dates = portal_dates
        self.fail: dict[int, int] = {}
        self.drop: set[int] = set()
        self.drop_from: int | None = None
        self.garbage: dict[int, bytes] = {}
        self.slow: dict[int, float] = {}
        self.last_modified = "Tue, 01 Feb 2022 08:00:00 GMT"
        self.hold_offset: int | None = None
        self.held = threading.Event()
        self._release = threading.Event()
        self.requests: list[dict] = []
        self._tables: dict[str, Table] = {}
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "SodaServer":
        handler = type("Handler", (_Handler,), {"soda": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def replace(self, resource: str, path: Path) -> None:
        """Serve another file for this dataset from the next request on (the portal published rows)."""
        with self._lock:
            self.datasets[resource] = Path(path)
            self._tables.pop(resource, None)

    def hold_from(self, offset: int) -> None:
        """Data requests for rows from `offset` on wait until release(); `held` says one is waiting."""
        self._release.clear()
        self.held.clear()
        self.hold_offset = offset

    def release(self) -> None:
        """Answer the held requests and hold no more."""
        self.hold_offset = None
        self._release.set()

    def stop(self) -> None:
        self.release()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "SodaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def data_requests(self) -> list[dict]:
        """Requests for rows (not counts), in arrival order."""
        return [r for r in self.requests if r["params"].get("$select") is None]

    # -- serving -----------------------------------------------------------------------------
    def table(self, resource: str) -> Table:
        with self._lock:
            if resource not in self._tables:
                if resource not in self.datasets:
                    raise SodaError(404, "not_found", f"Cannot find view with id {resource}")
                self._tables[resource] = Table(self.datasets[resource], self.portal_dates)
            return self._tables[resource]

    def answer(self, path: str, params: dict[str, str]) -> tuple[str, bytes]:
        m = re.match(r"^/resource/([a-z0-9]{4}-[a-z0-9]{4})\.(csv|json)$", path)
        if not m:
            raise SodaError(404, "not_found", f"No such resource: {path}")
        table, form = self.table(m.group(1)), m.group(2)
        select = params.get("$select")
        if select is not None:
            if select.replace(" ", "").lower() != "count(*)":
                raise SodaError(400, "query.compiler.malformed", f"Unsupported $select: {select}")
            n = len(table.select({**params, "$limit": str(len(table.rows)), "$offset": "0"}))
            fields, rows = ["count"], [[str(n)]]
        else:
            fields, rows = table.fields, table.select(params)
        if form == "json":
            body = json.dumps([{f: v for f, v in zip(fields, row) if v != ""} for row in rows])
            return "application/json;charset=utf-8", body.encode("utf-8")
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(fields)
        writer.writerows(rows)
        return "text/csv;charset=utf-8", out.getvalue().encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    soda: SodaServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        soda = self.soda
        with soda._lock:
            n = len(soda.requests) + 1
            record = {"n": n, "path": parts.path, "params": params, "outcome": "ok",
                      "headers": dict(self.headers.items())}
            soda.requests.append(record)
        hold = soda.hold_offset
        if hold is not None and params.get("$select") is None and int(params.get("$offset") or 0) >= hold:
            record["outcome"] = "held"
            soda.held.set()
            soda._release.wait(timeout=300)
        if n in soda.slow:
            record["outcome"] = "slow"
            time.sleep(soda.slow[n])
        if n in soda.fail:
            record["outcome"] = f"fail {soda.fail[n]}"
            return self._send(soda.fail[n], "application/json",
                              json.dumps({"error": True, "message": "Internal error (test hook)"}).encode())
        if n in soda.garbage:
            record["outcome"] = "garbage"
            return self._send(200, "text/html", soda.garbage[n])
        try:
            ctype, body = soda.answer(parts.path, params)
        except SodaError as exc:
            record["outcome"] = f"error {exc.status}"
            payload = {"code": exc.code, "error": True, "message": exc.message}
            return self._send(exc.status, "application/json;charset=utf-8", json.dumps(payload).encode())
        if n in soda.drop or (soda.drop_from is not None and n >= soda.drop_from):
            record["outcome"] = "dropped"
            return self._send_half_and_drop(ctype, body)
        self._send(200, ctype, body)

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        try:
            self._write(status, ctype, body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            self.close_connection = True

    def _encode(self, body: bytes) -> tuple[bytes, bool]:
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            return gzip.compress(body, compresslevel=1), True
        return body, False

    def _write(self, status: int, ctype: str, body: bytes) -> None:
        body, zipped = self._encode(body)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if zipped:
            self.send_header("Content-Encoding", "gzip")
        if status == 200:
            self.send_header("X-SODA2-Truth-Last-Modified", self.soda.last_modified)
            self.send_header("Last-Modified", self.soda.last_modified)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_half_and_drop(self, ctype: str, body: bytes) -> None:
        body, zipped = self._encode(body)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if zipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
