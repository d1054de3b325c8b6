"""Data page (`/data`): the inventory (What Works Cities DM2) with quality checks (DM4): each
dataset's source, detected vintage, rows, rows rejected and why, last load, freshness against
its expected cadence, and the latest quality checks.

Per loaded file it also says what a user needs to trust a number built from it: rows read,
loaded, rejected (and why), duplicates, rows whose key was derived from their content (a later
revision of such a row cannot be matched to it), and the published columns the file lacked
(what those columns feed is not covered by that file).

Then the refresh runs (`python -m etl refresh`: when, what changed, how long, errors), read
from the store, not the warehouse, so a failed run, which swaps nothing in, is shown too. That
part is built on every request (the inventory is cached per warehouse; the run log changes
without it)."""
from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import dash
from dash import html

from components.engine_access import get_engine
from components.formatting import fmt_date, fmt_value, is_missing
from components.pagekit import tab_title, guarded, page_header, scroll_table

dash.register_page(__name__, path="/data", name="Data", title=tab_title("Data inventory"), order=4)
P = "dt"
RUNS_SHOWN = 10
STATUS_TEXT = {"ok": "\u2714 loaded new rows", "nothing": "\u2714 nothing new", "partial": "\u26a0 partly failed",
               "failed": "\u2716 failed", "running": "\u23f3 running", "interrupted": "\u2716 interrupted"}
log = logging.getLogger(__name__)


def _cell(v):
    if isinstance(v, (list, tuple)):
        return html.Ul([html.Li(str(x)) for x in v], className="mb-0 ps-3")
    if is_missing(v):
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)):
        return fmt_value(v)
    if hasattr(v, "year"):
        return fmt_date(v)
    return str(v)


def _fresh(v) -> html.Span:
    if is_missing(v):
        return html.Span("unknown")
    return html.Span(["\u2714 up to date"] if v else ["\u26a0 overdue"], className="fw-semibold")


def inventory_table(inv) -> html.Div:
    cols = [c for c in inv.columns if c not in ("fresh",)]
    head = [html.Th(c.replace("_", " ").capitalize(), scope="col") for c in cols] + [html.Th("Fresh", scope="col")]
    body = [html.Tr([html.Th(_cell(r[c]), scope="row") if i == 0 else html.Td(_cell(r[c])) for i, c in enumerate(cols)]
                    + [html.Td(_fresh(r.get("fresh")))], id=f"{P}-row-{r[cols[0]]}")
            for r in inv.to_dict("records")]
    return scroll_table(html.Table([html.Caption("Every dataset the warehouse holds"), html.Thead(html.Tr(head)), html.Tbody(body)],
                               className="table table-sm bg-white align-top", id=f"{P}-inventory"), "Data inventory")


def quality_section(eng, dataset) -> html.Details:
    q = eng.quality(dataset)
    if q is None or not len(q):
        body = html.P("No quality checks recorded.")
    else:
        cols = [c for c in ("check", "column_name", "value", "detail", "checked_at") if c in q.columns] or list(q.columns)
        body = scroll_table(html.Table([html.Thead(html.Tr([html.Th(c.replace("_", " "), scope="col") for c in cols])),
                                    html.Tbody([html.Tr([html.Td(_cell(r[c])) for c in cols]) for r in q.to_dict("records")])],
                                   className="table table-sm"), "Quality checks")
    return html.Details([html.Summary(f"Quality checks: {dataset}"), body], className="mb-2 bg-white border rounded p-2")


def _reasons(pairs) -> html.Ul | str:
    if not pairs:
        return "none"
    return html.Ul([html.Li(f"{kind} ({fmt_value(n)})") for kind, n in pairs], className="mb-0 ps-3 small")


def files_table(loads: list[dict]) -> html.Div:
    """Every loaded file with its row accounting; 'none' (not a blank) where nothing is absent."""
    if not loads:
        return html.P("No file has been loaded yet.", id=f"{P}-files")
    head = ["File", "Dataset", "Vintage (format)", "Rows read", "Loaded", "Rejected", "Why rejected",
            "Duplicates", "Derived keys", "Absent columns", "Loaded at"]
    body = []
    for r in loads:
        absent = html.Ul([html.Li(c) for c in r["absent_columns"]], className="mb-0 ps-3 small") \
            if r["absent_columns"] else "none"
        body.append(html.Tr([
            html.Th(r["file"], scope="row"), html.Td(r["dataset"]), html.Td(f"{r['vintage']} ({r['format']})"),
            *[html.Td(fmt_value(r[k]), className="text-end")
              for k in ("rows_read", "rows_loaded", "rows_rejected")],
            html.Td(_reasons(r["reject_reasons"])),
            *[html.Td(fmt_value(r[k]), className="text-end") for k in ("rows_duplicate", "rows_derived_key")],
            html.Td(absent), html.Td(_cell(r["finished_at"])),
        ], id=f"{P}-file-{r['load_id']}"))
    return scroll_table(html.Table([
        html.Caption("Every file loaded: rows read = loaded + rejected + duplicates. A derived key was made from "
                     "the row's content because its own key was damaged or missing: the event counts, but a later "
                     "revision of it cannot be matched to it. Absent columns: published columns the file lacked; "
                     "what they feed is not covered by that file."),
        html.Thead(html.Tr([html.Th(h, scope="col") for h in head])), html.Tbody(body)],
        className="table table-sm bg-white align-top", id=f"{P}-files"), "Files loaded")


def _when(t: dt.datetime | None, tz: str) -> str:
    return t.astimezone(ZoneInfo(tz)).strftime("%-d %b %Y %H:%M") if t else "—"


def _changed(run) -> html.Ul | str:
    if not run.changes:
        return "—"
    items = []
    for dataset, c in sorted(run.changes.items()):
        since = f" since {c['since']}" if c.get("since") else " (first fetch)"
        items.append(html.Li(f"{dataset}: {c.get('fetched', 0):,} rows fetched{since}, {c.get('loaded', 0):,} new or revised, "
                             f"{c.get('rejected', 0):,} rejected, {c.get('duplicate', 0):,} already held"))
    return html.Ul(items, className="mb-0 ps-3")


def refresh_runs_section(tz: str) -> html.Div:
    """The newest refresh runs from the store's run log (store/runs.py)."""
    from components.store_access import get_store
    from store import StoreError
    from store.runs import RunLog

    title = html.H2("Refresh runs", className="h4 mt-3", id=f"{P}-runs-title")
    try:
        runs = RunLog(get_store()).recent(RUNS_SHOWN)
    except StoreError as exc:
        log.warning("refresh log unavailable: %s", exc)
        return html.Div([title, html.P(f"The refresh log cannot be read: {exc}")], id=f"{P}-runs")
    if not runs:
        return html.Div([title, html.P("No refresh has run yet (python -m etl refresh, or the clock process).")],
                        id=f"{P}-runs")
    head = [html.Th(c, scope="col") for c in ("Started", "Took", "Result", "What changed", "Errors")]
    body = [html.Tr([html.Th(_when(r.started_at, tz), scope="row"),
                     html.Td(f"{r.seconds:.1f} s" if r.seconds is not None else "—"),
                     html.Td(STATUS_TEXT.get(r.status, r.status), className="fw-semibold"),
                     html.Td(_changed(r)),
                     html.Td(html.Ul([html.Li(f"{k}: {v}") for k, v in sorted(r.errors.items())], className="mb-0 ps-3")
                             if r.errors else "none")], id=f"{P}-run-{r.id}")
            for r in runs]
    table = html.Table([html.Caption(f"The {len(runs)} most recent refresh runs, newest first ({tz} time)"),
                        html.Thead(html.Tr(head)), html.Tbody(body)], className="table table-sm bg-white align-top")
    return html.Div([title, scroll_table(table, "Refresh runs")], id=f"{P}-runs")


@guarded(cache=False)
def layout(**query):
    eng = get_engine()
    return html.Div([_inventory_page(**query), refresh_runs_section(eng.city.timezone)])


@guarded
def _inventory_page(**_query):
    eng = get_engine()
    inv = eng.inventory()
    key = "dataset" if "dataset" in inv.columns else inv.columns[0]
    return html.Div([
        page_header("Data inventory", "Where every number comes from, how fresh it is, and what was rejected on the way in."),
        inventory_table(inv),
        html.H2("Files loaded", className="h4 mt-3"),
        files_table(eng.loads()),
        html.H2("Quality checks", className="h4 mt-3"),
        *[quality_section(eng, d) for d in inv[key]],
        html.P(["Rows read = rows loaded + rejected + duplicates. Rejected rows are kept with their reason; ",
                "nothing is dropped silently."], className="small"),
    ])
