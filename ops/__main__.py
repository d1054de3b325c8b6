"""`python -m ops COMMAND`: alerts (evaluate the rules once, email what changed), digest (send the
pre-meeting digests that are due), subscribe / unsubscribe / subscriptions (who gets digests),
clock (the scheduler the Procfile's `clock:` line starts)."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("alerts", help="evaluate the alert rules once and email the owners of what changed")
    sub.add_parser("digest", help="send the pre-meeting digests that are due (once per subscriber and meeting)")
    subscribe = sub.add_parser("subscribe", help="send USER's digests to EMAIL for these goals / measures")
    subscribe.add_argument("user", help="the internal account asking (python -m store users)")
    subscribe.add_argument("email")
    subscribe.add_argument("--goal", action="append", default=[], metavar="GOAL_ID")
    subscribe.add_argument("--measure", action="append", default=[], metavar="MEASURE_ID")
    subscribe.add_argument("--with-packet", action="store_true", help="attach the meeting packet PDF to the digest")
    unsub = sub.add_parser("unsubscribe", help="send EMAIL no more digests")
    unsub.add_argument("email")
    sub.add_parser("subscriptions", help="list who follows what")
    clock = sub.add_parser("clock", help="run refresh, alerts and digest on the schedule in <city>/ops.yaml, forever")
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
    if args.command == "digest":
        return _digest(settings)
    if args.command in ("subscribe", "unsubscribe", "subscriptions"):
        return _subscriptions(settings, args)
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


def _digest(settings) -> int:
    from ops import digest
    from ops.config import OpsConfigError
    from store import StoreError

    try:
        sent, errors = digest.run(settings)
    except (OpsConfigError, StoreError, ValueError) as exc:
        print(f"ops digest: {exc}", file=sys.stderr)
        return 2
    for email in sent:
        print(f"ops digest: sent to {email}")
    for e in errors:
        print(f"ops digest: {e}", file=sys.stderr)
    print(f"ops digest: {len(sent)} digests sent, {len(errors)} errors")
    return 1 if errors else 0


def _subscriptions(settings, args) -> int:
    from engine.catalog import load_catalog
    from store import StoreError, StoreInputError, open_store
    from store.subscriptions import Subscriptions

    try:
        subs = Subscriptions(open_store(settings.ledger_url))
        if args.command == "subscriptions":
            for s in subs.all():
                print(f"{s.email}\t{s.kind}\t{s.target}\t(asked by {s.username})")
            return 0
        if args.command == "unsubscribe":
            print(f"ops unsubscribe: {subs.remove_all(args.email)} subscriptions of {args.email} removed")
            return 0
        if not args.goal and not args.measure:
            print("ops subscribe: name at least one --goal or --measure", file=sys.stderr)
            return 2
        catalog = load_catalog(settings.catalog_dir)
        valid = {"goal": {g.id for g in catalog.goals}, "measure": set(catalog.measures)}
        for kind, ids in (("goal", args.goal), ("measure", args.measure)):
            for target in ids:
                subs.add(args.user, args.email, kind, target, valid, with_packet=args.with_packet)
        print(f"ops subscribe: {args.email} follows " + ", ".join([*args.goal, *args.measure]))
        return 0
    except (StoreInputError, StoreError) as exc:
        print(f"ops {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
