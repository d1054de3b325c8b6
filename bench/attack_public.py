"""The attacker of tests/attacker.py over many days of publications of one warehouse: each day's
public measure documents together with the previous day's, every hidden and derived count's
feasible interval solved as an integer program. The suite runs a few days of the small demo; this
runs the long sweep (e.g. 120 days) and prints what it recovers.

    .venv/bin/python bench/attack_public.py --db /tmp/small.duckdb --days 120
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from settings import Settings  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--days", type=int, default=120)
    ap.add_argument("--show", type=int, default=8, help="leaks to print")
    args = ap.parse_args()
    from attacker import sweep
    from engine import Engine
    from public import published

    eng = Engine.open(replace(Settings.from_env(), db_path=args.db, mode="public"))
    last = eng.as_of() + dt.timedelta(days=1)
    days = [last - dt.timedelta(days=i) for i in range(args.days - 1, -1, -1)]
    t0 = time.perf_counter()

    def publish(day):
        return json.loads(json.dumps(published.publication(eng, day), default=str))

    got = sweep(eng, publish, days, log=print)
    n = sum(len(v) for v in got["leaks"].values())
    print(f"{args.db}: {got['days']} days ({days[0]} to {days[-1]}), {got['distinct']} distinct publications, "
          f"{n} leaks on {len(got['leaks'])} days, {time.perf_counter() - t0:.0f} s")
    for day, leaks in list(got["leaks"].items())[: args.show]:
        for lk in leaks[:3]:
            print(f"  {day}: {lk}")
    return 1 if n else 0


if __name__ == "__main__":
    sys.exit(main())
