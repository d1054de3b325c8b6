"""`python -m etl refresh [DATASET ...] [--db PATH]`: bring every configured dataset up to date
from the portal in one go, safe to run every hour from a scheduler (ops/clock.py, cron, systemd).

What one run does:
1. takes `<db>.refresh.lock` (an flock, released even by kill -9); a second run while one holds
   it prints one line and exits 75 (EX_TEMPFAIL: "try later"), touching nothing;
2. records the run in the store (store/runs.py) before any work, so a killed run is still listed;
3. per dataset in portal.yaml (or those named): downloads the rows since the newest event in
   the warehouse (same day included; the loader's upsert turns the overlap into duplicates),
   through etl/fetch.py, which is itself resumable page by page;
4. loads every downloaded file in ONE warehouse build (etl.load.load_many): aggregates, spatial
   join and quality checks are rebuilt once and the warehouse is swapped once;
5. records what changed per dataset (rows fetched / loaded / rejected / duplicate), how long it
   took and any errors (one line each).

Resumable: a finished download that was not loaded yet (the run died, or the warehouse was busy)
is listed in `<raw_dir>/refresh-pending.json` and loaded by the next run; an unfinished download
resumes from its saved page. Idempotent: a run with nothing new on the portal loads nothing new.
A dataset whose download fails does not stop the others (status `partial`); a file the loader
refuses is left out of the build, kept on disk and named, and the rest is loaded.
"""
from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BUSY = 75  # exit status when another refresh holds the lock (EX_TEMPFAIL)


class RefreshBusy(RuntimeError):
    """Another refresh holds the lock."""


@dataclass
class Outcome:
    run_id: int | None
    status: str                                    # ok | partial | failed | nothing
    changes: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    seconds: float = 0.0


@contextlib.contextmanager
def refresh_lock(db_path: Path):
    """Hold `<db>.refresh.lock` for the run, or raise RefreshBusy at once."""
    path = Path(str(db_path) + ".refresh.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RefreshBusy(f"another refresh is running (lock {path}); this one exits") from None
        yield
    finally:
        fh.close()


def _pending_path(raw_dir: Path) -> Path:
    return Path(raw_dir) / "refresh-pending.json"


def read_pending(raw_dir: Path) -> dict[str, list[str]]:
    """Downloads finished by an earlier run but not loaded yet: {dataset: [path, ...]}."""
    path = _pending_path(raw_dir)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): [str(p) for p in v if Path(p).exists()] for k, v in data.items()}
    except (ValueError, AttributeError, TypeError):
        return {}  # unreadable: the downloads are re-fetched (the upsert makes that harmless)


def write_pending(raw_dir: Path, pending: dict[str, list[str]]) -> None:
    path = _pending_path(raw_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    pending = {k: v for k, v in pending.items() if v}
    if not pending:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(pending, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def refresh(settings, db_path: Path, datasets: list[str] | None = None, *, portal_url: str | None = None,
            page_size: int | None = None, retries: int = 5, backoff: float = 1.0, timeout: float = 60.0,
            log=print) -> Outcome:
    """One refresh run (see the module docstring). Raises RefreshBusy when another run holds the lock."""
    from etl.fetch import FetchError, download, load_portal, newest_event_date, portal_client
    from etl.socrata import SocrataError
    from store import open_store
    from store.runs import RunLog

    db_path = Path(db_path)
    with refresh_lock(db_path):
        runs = RunLog(open_store(settings.ledger_url))
        run_id = runs.start()
        began = time.monotonic()
        changes: dict[str, dict] = {}
        errors: dict[str, str] = {}
        try:
            portal = load_portal(Path(settings.city_config) / "portal.yaml")
            names = list(datasets or portal.sources)
            unknown = [d for d in names if d not in portal.sources]
            if unknown:
                raise FetchError(f"{Path(settings.city_config) / 'portal.yaml'}: no entry for dataset {unknown[0]}")
            client = portal_client(portal, portal_url, timeout, retries, backoff)
            pending = read_pending(settings.raw_dir)
            for name in names:
                try:
                    since = newest_event_date(name, db_path)
                    got = download(portal.sources[name], client, settings.raw_dir, since=since,
                                   page_size=page_size or portal.page_size)
                except (FetchError, SocrataError) as exc:
                    errors[name] = " ".join(str(exc).split())
                    log(f"etl refresh {name}: {errors[name]}", file=sys.stderr)
                    continue
                changes[name] = {"since": since.isoformat() if since else None, "fetched": got.rows}
                if got.path is not None:
                    pending.setdefault(name, []).append(str(got.path))
                    write_pending(settings.raw_dir, pending)  # a crash from here on: the next run loads it
                log(f"etl refresh {name}: {got.rows} rows since {since or 'the beginning'}")
            _load(pending, db_path, settings, changes, errors, log)
            write_pending(settings.raw_dir, pending)
        except BaseException as exc:
            errors.setdefault("refresh", " ".join(str(exc).split()) or type(exc).__name__)
            runs.finish(run_id, "failed", changes, errors)
            raise
        loaded = sum(c.get("loaded", 0) for c in changes.values())
        status = ("failed" if errors and not changes else "partial" if errors
                  else "ok" if loaded else "nothing")
        runs.finish(run_id, status, changes, errors)
        return Outcome(run_id, status, changes, errors, time.monotonic() - began)


def _load(pending: dict[str, list[str]], db_path: Path, settings, changes: dict, errors: dict, log) -> None:
    """Load every pending file in one build; a file the loader refuses is left out and named."""
    from etl.load import LoadError, load_many
    from etl.warehouse import WarehouseBusy

    while any(pending.values()):
        batch = {d: [Path(p) for p in ps] for d, ps in pending.items() if ps}
        try:
            results = load_many(batch, db_path, settings, progress=False)
        except LoadError as exc:
            bad = next(((d, p) for d, ps in pending.items() for p in ps if str(exc).startswith(p)), None)
            if bad is None:
                errors["load"] = str(exc)
                return
            d, p = bad
            errors[d] = f"{exc} (kept; after a fix: python -m etl load {d} {p})"
            log(f"etl refresh {d}: {errors[d]}", file=sys.stderr)
            pending[d].remove(p)
            continue
        except WarehouseBusy as exc:
            errors["load"] = f"{exc}; the downloads are loaded by the next refresh"
            return
        for r in results:
            c = changes.setdefault(r.dataset, {"since": None, "fetched": 0})
            for key, value in (("loaded", r.rows_loaded), ("rejected", r.rows_rejected),
                               ("duplicate", r.rows_duplicate), ("read", r.rows_read)):
                c[key] = c.get(key, 0) + value
            c.setdefault("files", []).append(r.file)
            log(f"etl refresh {r.dataset}: {r.file}: {r.rows_loaded} loaded, {r.rows_rejected} rejected, "
                f"{r.rows_duplicate} duplicate" + (" (already loaded)" if r.skipped else ""))
        pending.clear()


# -- the command ---------------------------------------------------------------------------------
def configure(parser: argparse.ArgumentParser) -> None:
    from etl.fetch import DATASETS

    parser.add_argument("datasets", nargs="*", metavar="DATASET",
                        help=f"only these (default: every dataset in portal.yaml): {', '.join(DATASETS)}")
    parser.add_argument("--db", type=Path, help="warehouse file (default: SEASTAT_DB or data/seastat.duckdb)")
    parser.add_argument("--portal-url", help="portal base URL (default: SEASTAT_PORTAL_URL or portal.yaml)")
    parser.add_argument("--page-size", type=int, help="rows per request (default: portal.yaml's page_size)")
    parser.add_argument("--retries", type=int, default=5, help="retries per page on 5xx / timeouts (default 5)")
    parser.add_argument("--backoff", type=float, default=1.0, help="seconds before the first retry, doubling (default 1)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for one page (default 60)")


def run(args: argparse.Namespace) -> int:
    from etl.fetch import DATASETS
    from settings import Settings
    from store import StoreError

    settings = Settings.from_env()
    bad = [d for d in args.datasets if d not in DATASETS]
    if bad:
        print(f"etl refresh: unknown dataset {bad[0]!r} (expected one of {', '.join(DATASETS)})", file=sys.stderr)
        return 2
    db_path = Path(args.db) if args.db else settings.db_path
    try:
        out = refresh(settings, db_path, args.datasets or None, portal_url=args.portal_url, page_size=args.page_size,
                      retries=args.retries, backoff=args.backoff, timeout=args.timeout)
    except RefreshBusy as exc:
        print(f"etl refresh: {exc}", file=sys.stderr)
        return BUSY
    except StoreError as exc:
        print(f"etl refresh: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("etl refresh: interrupted; the next refresh resumes the downloads", file=sys.stderr)
        return 130
    except Exception as exc:  # recorded in the run log already; one line here
        print(f"etl refresh: {' '.join(str(exc).split()) or type(exc).__name__}", file=sys.stderr)
        return 1
    loaded = sum(c.get("loaded", 0) for c in out.changes.values())
    print(f"etl refresh: run {out.run_id} {out.status}: {loaded} new or revised rows in {out.seconds:.1f} s"
          + (f"; errors: {'; '.join(f'{k}: {v}' for k, v in out.errors.items())}" if out.errors else ""))
    return 0 if out.status in ("ok", "nothing") else 1
