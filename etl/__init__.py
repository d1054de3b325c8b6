"""The write side: loads a city's open data into the DuckDB warehouse (`python -m etl --help`)."""
