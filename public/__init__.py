"""The public side of SeaStat (PA3, DM5): published progress pages, open data and a static export.

In public mode (SEASTAT_MODE=public) the app serves only `public/pages` and the JSON/CSV API in
`public/api.py`; every number they show comes from `public/published.py`, which applies the
engine's one suppression implementation (engine/suppression.py). `python -m public export OUT_DIR`
writes the same pages, JSON and CSV as plain files any web host can serve. Importing reads no data.
"""
