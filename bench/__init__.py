"""Benchmarks: each `bench_*.py` prints its figures and writes them to bench/results/<name>.json.

Run them as modules from the project root (`python -m bench.bench_engine`, or `make bench` for
all), so they import the project and tests/support without editing `sys.path`.
"""
