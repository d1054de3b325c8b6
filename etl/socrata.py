"""HTTP side of `etl fetch`: one GET against a Socrata (SODA 2.x) portal, with bounded retries.

Kept apart from fetch.py (which pages, resumes and loads) so the network rules live in one
place: query parameters are always URL-encoded here (user text never reaches a URL unescaped),
the app token travels in the X-App-Token header (never in a URL that gets printed), 5xx / 429 /
dropped connections / timeouts / a truncated gzip body are retried with exponential backoff a bounded number of times,
and any other 4xx stops at once with one line naming the URL and the portal's own message.
Standard library only (urllib), so the ETL needs no extra HTTP dependency.
"""
from __future__ import annotations

import csv
import gzip
import http.client
import zlib
import io
import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote

USER_AGENT = "seastat-etl (python urllib)"


class SocrataError(RuntimeError):
    """The portal said no, or kept failing: the message is one line naming the URL."""


def build_url(base_url: str, resource: str, form: str, params: dict[str, object]) -> str:
    """`{base}/resource/{id}.{form}?$k=v&...` with every key and value percent-encoded.

    `$` is left readable in the keys (SODA's own spelling); values are quoted with no safe
    characters, so quotes, spaces, `&` and `=` in a $where can never change the query's shape.
    """
    query = "&".join(f"{quote(str(k), safe='$')}={quote(str(v), safe='')}" for k, v in params.items())
    return f"{base_url.rstrip('/')}/resource/{quote(resource, safe='')}.{form}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Page:
    body: bytes
    last_modified: str | None  # when the dataset last changed, as the portal says (None: not said)


@dataclass
class SocrataClient:
    base_url: str
    app_token: str | None = None
    timeout: float = 60.0
    retries: int = 5          # attempts after the first one
    backoff: float = 1.0      # seconds before the first retry; doubles each time, capped at 30 s

    def get(self, resource: str, params: dict[str, object], form: str = "csv") -> bytes:
        """The whole body of one page (see `page`)."""
        return self.page(resource, params, form).body

    def page(self, resource: str, params: dict[str, object], form: str = "csv") -> Page:
        """One whole page; retries transient failures, raises SocrataError otherwise."""
        url = build_url(self.base_url, resource, form, params)
        headers = {"User-Agent": USER_AGENT, "Accept": "text/csv" if form == "csv" else "application/json",
                   "Accept-Encoding": "gzip"}  # CSV shrinks about 8x; Socrata compresses when asked
        if self.app_token:
            headers["X-App-Token"] = self.app_token
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(self.backoff * 2 ** (attempt - 1), 30.0))
            try:
                with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=self.timeout) as resp:
                    body = resp.read()
                    if resp.headers.get("Content-Encoding", "").lower() == "gzip":
                        body = gzip.decompress(body)
                    modified = resp.headers.get("X-SODA2-Truth-Last-Modified") or resp.headers.get("Last-Modified")
                    return Page(body, modified)
            except urllib.error.HTTPError as exc:
                if exc.code >= 500 or exc.code == 429:
                    last = f"HTTP {exc.code} {exc.reason}"
                    continue
                raise SocrataError(f"HTTP {exc.code} {exc.reason}{_portal_message(exc)} for {url}") from None
            except (urllib.error.URLError, http.client.HTTPException, socket.timeout, TimeoutError,
                    ConnectionError, EOFError, gzip.BadGzipFile, zlib.error) as exc:  # EOFError: gzip cut short
                last = _describe(exc)
                continue
        raise SocrataError(f"gave up after {self.retries + 1} attempts ({last}) for {url}")

    def count(self, resource: str, where: str | None = None) -> int | None:
        """Rows the query will return (`$select=count(*)`), or None if the portal won't say."""
        params: dict[str, object] = {"$select": "count(*)"}
        if where:
            params["$where"] = where
        try:
            rows = list(csv.reader(io.StringIO(self.get(resource, params).decode("utf-8-sig"))))
            return int(rows[1][0])
        except (SocrataError, IndexError, ValueError):
            return None


def _portal_message(exc: urllib.error.HTTPError) -> str:
    """Socrata answers errors with JSON {"message": ...}; keep it, on one line."""
    try:
        raw = exc.read()
        if (exc.headers.get("Content-Encoding") or "").lower() == "gzip":
            raw = gzip.decompress(raw)
        body = json.loads(raw.decode("utf-8", "replace") or "{}")
        message = body.get("message") if isinstance(body, dict) else None
    except (ValueError, OSError, EOFError, zlib.error):
        message = None
    return f" ({' '.join(str(message).split())})" if message else ""


def _describe(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    text = f"{type(exc).__name__}: {reason if reason is not None else exc}"
    return " ".join(text.split())
