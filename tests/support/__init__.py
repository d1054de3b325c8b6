"""Helpers the tests share, and the benchmarks too: servers (PostgreSQL, a local Socrata portal),
small raw files and a hand-drawn city, and how to render a page as a browser's router asks for it.

Why a package of its own: these are not tests (pytest does not collect them) and the benchmarks
import the page helpers, so they live where both can reach them without path edits (the project
root is on `sys.path`: pytest's `pythonpath`, or `python -m bench.<name>` from the root).
"""
