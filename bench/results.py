"""Every benchmark's figures as JSON in bench/results/<name>.json (not committed), beside the
printed report: a before/after comparison is then `git stash; make bench; cp -r bench/results
/tmp/before; git stash pop; make bench` and a diff of two files, not figures copied by hand.

Each file also records what the figures depend on: the commit, the machine's load and cores,
and when, since this VM's speed drifts with other work.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "results"


def _commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=FOLDER.parent, capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def write(name: str, figures: dict, folder: Path | None = None) -> Path:
    """Write `figures` (JSON-able: numbers, strings, lists, dicts) as <folder>/<name>.json and say where."""
    folder = folder or Path(os.environ.get("SEASTAT_BENCH_RESULTS", FOLDER))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    doc = {"benchmark": name, "figures": figures, "commit": _commit(),
           "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "load_average": list(os.getloadavg()), "cores": os.cpu_count(), "argv": sys.argv[1:]}
    path.write_text(json.dumps(doc, indent=2, default=str) + "\n")
    print(f"figures written to {path}", flush=True)
    return path
