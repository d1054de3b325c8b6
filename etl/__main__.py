"""`python -m etl COMMAND ...`: one entry point, each command in its own module.

Each command module exposes `configure(parser)` (adds its arguments) and `run(args) -> int`.
Modules are imported only when their command runs, so `--help` stays fast and one broken
command cannot take the others down. Every failure, of any command, ends in one line
(etl/errors.py); `--debug` shows the traceback instead.
"""
from __future__ import annotations

import importlib
import sys

# command -> (module, one-line help). The forms of load / fetch / status are used by others'
# scripts: keep them stable.
COMMANDS = {
    "load": ("etl.cli_load", "load raw files of one dataset into the warehouse"),
    "fetch": ("etl.fetch", "download a dataset from the city's open-data portal and load it"),
    "refresh": ("etl.refresh", "fetch every configured dataset since its newest row, load them, swap once"),
    "status": ("etl.cli_status", "show what has been loaded (one entry per file)"),
    "geo": ("etl.geo", "load boundary layers and population denominators"),
    "demo": ("etl.demo", "generate the synthetic demo city and load it"),
    "publish": ("etl.cli_publish", "publish the warehouse as an immutable versioned file for app hosts to pull"),
    "pull": ("etl.cli_publish", "swap in the newest published warehouse (once, or --every SECONDS)"),
}


def main(argv: list[str] | None = None) -> int:
    from .errors import run

    return run(_main, sys.argv[1:] if argv is None else list(argv))


def _main(argv: list[str]) -> int:
    from .errors import OneLineParser

    parser = OneLineParser(prog="python -m etl", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show a traceback instead of one line when a command fails")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        return 0
    if argv[0] not in COMMANDS:
        parser.error(f"unknown command {argv[0]!r}: expected one of {', '.join(COMMANDS)}")
    name = argv[0]
    module = importlib.import_module(COMMANDS[name][0])
    cmd = OneLineParser(prog=f"python -m etl {name}", description=COMMANDS[name][1])
    configure = getattr(module, f"configure_{name}", None) or module.configure  # one module may serve two commands
    configure(cmd)
    cmd.add_argument("--debug", action="store_true", help="show a traceback instead of one line on failure")
    args = cmd.parse_args(argv[1:])  # --help and argument errors before any setting or file is read
    from settings import Settings

    settings = Settings.from_env()  # a bad SEASTAT_* value stops every command, naming it
    if name in ("load", "fetch", "refresh", "geo", "demo"):
        from city import load_city

        load_city(settings.city_config)  # a missing city file is the city's problem, not the catalog's
        if bad := importlib.import_module("engine.__main__").catalog_problem():
            print(f"error: {bad}", file=sys.stderr)  # the catalog is validated before anything is written
            return 2
    return int((getattr(module, f"run_{name}", None) or module.run)(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
