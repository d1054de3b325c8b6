"""Build the demo city: write every raw file, then load them through the same path real data takes.

Order: generate raw event files, boundary and population files (plus manifest.json, listing
the files, their checksums and the bad rows injected on purpose), then build a fresh warehouse
beside the target: boundaries and denominators first (etl/geo.py), then every dataset in one
`etl.load.load_many` call (which assigns areas after the load), then the `meta` marker the app
reads through `Engine.is_demo()`. Only then is the finished file moved onto the target path, so
the app never sees half a demo. A warehouse that is not a demo is never overwritten without force.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import numpy as np

from etl.demo import calls, census, crime, force, injections, services, shapes, timeline
from etl.demo.writers import FORMATS, write_csv

MANIFEST = "manifest.json"
OWN_FOLDERS = ("raw", "boundaries", "population")
CRIME_2025_DAYS = 90  # the newest offenses (at most a quarter) come in the portal's 2025 layout, the rest in the 2021 one


class DemoError(RuntimeError):
    """The demo cannot be built as asked; str() is one line naming the path or option."""


@dataclass
class DemoOptions:
    out_dir: Path
    db_path: Path
    years: float = 2
    scale: float = 1.0
    seed: int = 2026
    end: dt.date = field(default_factory=dt.date.today)  # the day after the last day with events
    force: bool = False


@dataclass
class DemoFile:
    dataset: str
    path: str
    layout: str
    rows: int
    sha256: str


def _sha(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _window(opts: DemoOptions) -> timeline.Window:
    if opts.years <= 0 or opts.years > 20:
        raise DemoError(f"--years {opts.years}: expected a number of years between 0 and 20")
    if opts.scale <= 0:
        raise DemoError(f"--scale {opts.scale}: expected a positive number")
    return timeline.Window(opts.end - dt.timedelta(days=int(round(opts.years * 365.25))), opts.end)


def _clear(out_dir: Path) -> None:
    """Empty the demo folder's own subfolders; refuse a folder that holds anything else of value."""
    if out_dir.exists():
        strangers = [p.name for p in out_dir.iterdir() if p.name not in (*OWN_FOLDERS, MANIFEST, "README.txt")]
        if strangers and not (out_dir / MANIFEST).exists():
            raise DemoError(f"{out_dir}: not a demo folder (holds {', '.join(sorted(strangers)[:3])}); choose another --out")
    for sub in OWN_FOLDERS:
        shutil.rmtree(out_dir / sub, ignore_errors=True)


def generate(opts: DemoOptions) -> dict:
    """Write the raw, boundary and population files and the manifest; return the manifest."""
    window = _window(opts)
    out = Path(opts.out_dir)
    _clear(out)
    raw = out / "raw"
    geo = shapes.build_geography()
    files: list[DemoFile] = []
    injected: list[str] = []
    derived: list[str] = []

    def rng(k: int) -> np.random.Generator:
        return np.random.default_rng([opts.seed, k])

    def emit(dataset: str, name: str, layout: str, frame, sql: dict, bad: bool = True) -> Path:
        over, what, keyless = injections.overrides(dataset, len(frame)) if bad else ({}, [], [])
        path = write_csv(raw / dataset / name, frame, FORMATS[layout], sql, over)
        injected.extend(what)
        derived.extend(keyless)
        files.append(DemoFile(dataset, str(path.relative_to(out)), layout, len(frame), ""))
        return path

    roster = force.Roster(rng(99))
    offenses = crime.generate(rng(1), geo, window, opts.scale)
    cut = np.datetime64(opts.end - dt.timedelta(days=min(CRIME_2025_DAYS, window.days // 4)))
    recent = offenses["report"].to_numpy() >= cut
    p2021 = emit("crime", "SPD_Crime_Data__2008-Present.csv", "crime/2021", crime.frame_2021(offenses[~recent]), crime.SQL_2021)
    emit("crime", "SPD_Crime_Data__2008-Present__2025-layout.csv", "crime/2025", crime.frame_2025(offenses[recent]),
         crime.SQL_2025, bad=False)
    del offenses
    if files[0].rows >= 3:
        _append_malformed(p2021, files[0], injected)
    emit("calls", "Call_Data.csv", "calls/call_data", calls.generate(rng(2), geo, window, opts.scale), calls.SQL)
    emit("terry_stops", "Terry_Stops.csv", "terry_stops/2023", force.terry_stops(rng(3), geo, window, opts.scale, roster),
         force.TERRY_SQL)
    emit("use_of_force", "Use_Of_Force.csv", "use_of_force/2022", force.use_of_force(rng(4), geo, window, opts.scale, roster),
         force.UOF_SQL)
    emit("ois", "SPD_Officer_Involved_Shooting__OIS__Data.csv", "ois/2019", force.ois(rng(5), geo, window, opts.scale),
         force.OIS_SQL, bad=False)
    emit("fire_calls", "Seattle_Real_Time_Fire_911_Calls.csv", "fire_calls/2022",
         services.fire_calls(rng(6), geo, window, opts.scale), services.FIRE_SQL)
    emit("service_requests", "Customer_Service_Requests.csv", "service_requests/display",
         services.service_requests(rng(7), geo, window, opts.scale), services.SR_SQL)

    census.write_boundaries(geo, out / "boundaries")
    census.write_population(geo, out / "population", opts.end, window.start.year)
    for f in files:
        f.sha256 = _sha(out / f.path)
    manifest = {
        "what": "SYNTHETIC DEMO CITY: generated events on approximate shapes; not real data",
        "seed": opts.seed, "years": opts.years, "scale": opts.scale,
        "start": window.start.isoformat(), "end": opts.end.isoformat(),
        "files": [asdict(f) for f in files], "injected_rejects": injected,
        "injected_derived_keys": derived,
        "hot_spots": [asdict(h) for h in timeline.HOT_SPOTS],
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    (out / "README.txt").write_text(
        "Synthetic demo city written by `python -m etl demo`. Every event is generated; the shapes are\n"
        "approximate (Voronoi cells around real neighborhood centres). Do not use for any real purpose.\n",
        encoding="utf-8")
    return manifest


def _append_malformed(path: Path, entry: DemoFile, injected: list[str]) -> None:
    """Append a copy of a middle record, with a new Offense ID and an address holding an unquoted
    comma (so one field too many), at the end of the crime file."""
    with open(path, "rb") as fh:
        fh.seek(path.stat().st_size // 2)
        fh.readline()  # skip to the start of a record (crime records never span lines)
        line = next(ln for ln in fh if b'"' not in ln)
    fields = line.rstrip(b"\r\n").decode("utf-8").split(",")
    fields[1] = "19999999999"
    with open(path, "ab") as fh:
        fh.write(injections.malformed_line(fields, FORMATS["crime/2021"].eol))
    entry.rows += 1
    injected.append(f"crime record {entry.rows}: unquoted comma in 100 Block Address (one field too many)")


def is_demo_warehouse(db_path: Path) -> bool:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        has = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'meta'").fetchone()[0]
        if not has:
            return False
        v = con.execute("SELECT value FROM meta WHERE key = 'is_demo'").fetchone()
        return bool(v) and str(v[0]).lower() == "true"
    finally:
        con.close()


def check_target(db_path: Path, force_overwrite: bool) -> None:
    """Refuse to replace a warehouse built from real data (unless forced): the demo must never eat it."""
    db_path = Path(db_path)
    if not db_path.exists() or force_overwrite:
        return
    try:
        demo = is_demo_warehouse(db_path)
    except duckdb.Error as exc:
        raise DemoError(f"{db_path}: cannot check whether it is a demo warehouse ({str(exc).splitlines()[0]})") from None
    if not demo:
        raise DemoError(f"{db_path}: holds a real (non-demo) warehouse; pass --force to replace it or --db to build elsewhere")


def mark_demo(con, manifest: dict) -> None:
    """The marker the app reads (`Engine.is_demo()`): table meta(key, value) with is_demo = 'true'."""
    con.execute("CREATE OR REPLACE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    rows = [("is_demo", "true"), ("demo_seed", str(manifest["seed"])), ("demo_years", str(manifest["years"])),
            ("demo_scale", str(manifest["scale"])), ("demo_start", manifest["start"]), ("demo_end", manifest["end"])]
    con.executemany("INSERT INTO meta VALUES (?, ?)", rows)


def load(manifest: dict, out_dir: Path, db_path: Path, settings, force_overwrite: bool = False,
         progress: bool = False) -> dict:
    """Build a fresh warehouse from the demo files and move it onto db_path; returns timings and results."""
    from etl import geo, load as loader, warehouse

    db_path = warehouse.real_path(db_path)  # a link's target is replaced, the link kept (etl/warehouse.py)
    check_target(db_path, force_overwrite)
    tmp = Path(str(db_path) + ".demo-build")
    for stale in (tmp, Path(str(tmp) + ".wal"), Path(str(tmp) + ".lock")):
        stale.unlink(missing_ok=True)
    from etl.boundaries import BoundaryError
    from etl.layers import LayerConfigError
    from etl.population import PopulationError

    timings = {}
    try:
        t0 = time.perf_counter()
        with warehouse.lock(tmp), warehouse.build(tmp) as con:
            summary = geo.load_boundaries(con, settings, out_dir / "boundaries", out_dir / "population", approximate=True)
            mark_demo(con, manifest)
        timings["geo_s"] = time.perf_counter() - t0
        batch: dict[str, list[Path]] = {}
        for f in manifest["files"]:
            batch.setdefault(f["dataset"], []).append(out_dir / f["path"])
        t1 = time.perf_counter()
        results = loader.load_many(batch, tmp, settings, progress=progress)
        timings["load_s"] = time.perf_counter() - t1
        with warehouse.lock(db_path):
            os.replace(tmp, db_path)
    except (loader.LoadError, BoundaryError, LayerConfigError, PopulationError, geo.GeoError) as exc:
        raise DemoError(str(exc)) from None
    finally:
        for stale in (tmp, Path(str(tmp) + ".lock")):
            stale.unlink(missing_ok=True)
    return {"timings": timings, "results": results, "geo": summary}
