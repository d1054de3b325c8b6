"""`python -m etl COMMAND ...`: one entry point, each command in its own module.

Each command module exposes `configure(parser)` (adds its arguments) and `run(args) -> int`.
Modules are imported only when their command runs, so `--help` stays fast and one broken
command cannot take the others down.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# command -> (module, one-line help). The forms of load / fetch / status are used by others'
# scripts: keep them stable.
COMMANDS = {
    "load": ("etl.cli_load", "load raw files of one dataset into the warehouse"),
    "fetch": ("etl.fetch", "download a dataset from the city's open-data portal and load it"),
    "status": ("etl.cli_status", "show what has been loaded (one entry per file)"),
    "geo": ("etl.geo", "load boundary layers and population denominators"),
    "demo": ("etl.demo", "generate the synthetic demo city and load it"),
    "publish": ("etl.cli_publish", "publish the warehouse as an immutable versioned file for app hosts to pull"),
    "pull": ("etl.cli_publish", "swap in the newest published warehouse (once, or --every SECONDS)"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        parser.print_help() if not argv or argv[0] in ("-h", "--help") else parser.error(f"unknown command {argv[0]!r}")
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    name = argv[0]
    if name in ("load", "fetch", "geo", "demo") and (bad := importlib.import_module("engine.__main__").catalog_problem()):
        return print(bad, file=sys.stderr) or 2  # the catalog is validated before anything is written
    module = importlib.import_module(COMMANDS[name][0])
    cmd = argparse.ArgumentParser(prog=f"python -m etl {name}", description=COMMANDS[name][1])
    configure = getattr(module, f"configure_{name}", None) or module.configure  # one module may serve two commands
    configure(cmd)
    args = cmd.parse_args(argv[1:])
    return int((getattr(module, f"run_{name}", None) or module.run)(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
