"""`python -m public export OUT_DIR [--db PATH]`: the public site as static files (public/export.py)."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m public", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    from public import export

    export.configure(sub.add_parser("export", help="write the public site as static files"))
    args = parser.parse_args(argv)
    return export.run(args)


if __name__ == "__main__":
    sys.exit(main())
