"""`python -m ops COMMAND`: alerts (evaluate the rules once, email what changed), clock (the
scheduler the Procfile's `clock:` line starts)."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("alerts", help="evaluate the alert rules once and email the owners of what changed")
    clock = sub.add_parser("clock", help="run refresh and alerts on the schedule in <city>/ops.yaml, forever")
    clock.add_argument("--once", action="store_true", help="run every job once, in order, then exit")
    args = parser.parse_args(argv)
    from settings import Settings, SettingsError

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"ops: {exc}", file=sys.stderr)
        return 2
    if args.command == "alerts":
        return _alerts(settings)
    from ops.clock import run_clock

    return run_clock(settings, once=args.once)


def _alerts(settings) -> int:
    from ops import alerts
    from ops.config import OpsConfigError
    from ops.mail import MailError
    from store import StoreError

    try:
        report = alerts.run(settings)
    except (OpsConfigError, MailError, StoreError) as exc:
        print(f"ops alerts: {exc}", file=sys.stderr)
        return 2
    for w in report.sent:
        print(f"ops alerts: sent {w.subject!r} to {', '.join(w.recipients)}")
    for e in report.errors:
        print(f"ops alerts: {e}", file=sys.stderr)
    print(f"ops alerts: {report.watched} things watched, {len(report.sent)} alerts sent, {len(report.errors)} errors")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
