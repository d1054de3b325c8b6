"""The attacker of tests/support/attacker.py over many days of publications of one warehouse: each day's
public measure documents together with the previous day's, every hidden and derived count's
feasible interval solved as an integer program. The suite runs a few days of the small demo; this
runs the long sweep (e.g. 120 days) and prints what it recovers.

    .venv/bin/python -m bench.attack_public --db /tmp/small.duckdb --days 120
    # the same attack on an older version of the code (before complete months and linked suppression):
    git archive b2fac10 | tar -x -C /tmp/old && .venv/bin/python -m bench.attack_public --db ... --old-root /tmp/old

With --old-root the script runs itself again with that folder as the working directory, so the
code under attack (engine, public, settings) is imported from there while the attacker and this
script still come from this checkout (PYTHONPATH): no sys.path edits.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--days", type=int, default=120)
    ap.add_argument("--show", type=int, default=8, help="leaks to print")
    ap.add_argument("--old-root", help="attack the code in this folder (an older version) instead")
    args = ap.parse_args()
    if args.old_root and Path.cwd().resolve() != Path(args.old_root).resolve():
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        argv = [a if a != str(args.db) else str(args.db.resolve()) for a in sys.argv[1:]]
        return subprocess.run([sys.executable, "-m", "bench.attack_public", *argv], cwd=args.old_root, env=env).returncode
    from settings import Settings
    from tests.support.attacker import sweep
    from engine import Engine
    from public import published

    eng = Engine.open(replace(Settings.from_env(), db_path=args.db, mode="public"))
    last = eng.as_of() + dt.timedelta(days=1)
    days = [last - dt.timedelta(days=i) for i in range(args.days - 1, -1, -1)]
    t0 = time.perf_counter()

    def publish(day):
        if not args.old_root:
            return json.loads(json.dumps(published.publication(eng, day), default=str))
        # the older code published the year to date through the newest day: as it was on `day`
        eng.period = lambda kind, end=None, start=None: Engine.period(eng, kind, end or day - dt.timedelta(days=1), start)
        return json.loads(json.dumps({m.id: published._build(eng, m) for m in published.public_measures(eng)}, default=str))

    got = sweep(eng, publish, days, log=None)
    allk = {lk.cell: lk for v in got["leaks"].values() for lk in v}  # a cell leaked on several days counts once
    n = len(allk)
    exact = [lk for lk in allk.values() if lk.lo == lk.hi and lk.hi >= 1]
    small_exact = [lk for lk in exact if lk.hi < 10]
    print(f"{args.db}: {got['days']} days ({days[0]} to {days[-1]}), {got['distinct']} distinct publications, "
          f"{n} distinct cells leak on {len(got['leaks'])} days; {len(exact)} pinned exactly, of which "
          f"{len(small_exact)} are counts of 1-9 ({sum(1 for x in small_exact if x.what == 'derived')} derived, "
          f"e.g. a day's count; {sum(1 for x in small_exact if x.what == 'hidden')} hidden cells); "
          f"{time.perf_counter() - t0:.0f} s")
    for lk in (small_exact + [x for x in allk.values() if x not in small_exact])[: args.show]:
        print(f"  {lk}")
    return 1 if n else 0


if __name__ == "__main__":
    sys.exit(main())
