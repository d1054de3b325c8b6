"""The data table under a chart and its CSV download, which exports exactly the rows and columns
the grid shows (after the user's own sorting and filtering), with the grid's column headers.
Downloading is a role's right (analysts and up; auth/roles.py): the button is shown only to those
allowed, and csv_of itself refuses anyone else, so no callback can forget the check."""
from __future__ import annotations

import re

import dash_ag_grid as dag
import pandas as pd
from dash import dcc, html

import auth
from components.formatting import is_missing


def grid(prefix: str, df: pd.DataFrame, columns: list[tuple[str, str]], caption: str) -> html.Div:
    """columns: (field, header) pairs in display order."""
    # column by column (to_dict("records") builds a dict of every column for each row first)
    values = [[_plain(v) for v in df[f].tolist()] if f in df.columns else [None] * len(df) for f, _ in columns]
    rows = [dict(zip([f for f, _ in columns], r)) for r in zip(*values)] if columns else [{} for _ in range(len(df))]
    return html.Div([
        html.Div([html.H2(caption, className="h6 mb-0", id=f"{prefix}-grid-caption"),
                  html.Button("Download CSV", id=f"{prefix}-csv-btn", className="btn btn-outline-primary btn-sm",
                              hidden=not auth.allowed("download"))],
                 className="d-flex justify-content-between align-items-center mb-1"),
        dag.AgGrid(id=f"{prefix}-grid", rowData=rows,
                   columnDefs=[{"field": f, "headerName": h, "sortable": True, "filter": True} for f, h in columns],
                   columnSize="responsiveSizeToFit", defaultColDef={"minWidth": 90, "resizable": True},
                   dashGridOptions={"domLayout": "autoHeight", "ensureDomOrder": True},
                   style={"width": "100%"}),
        dcc.Download(id=f"{prefix}-csv"),
    ], className="mb-3")


def _plain(v):
    t = type(v)
    if t is str or t is int:  # most cells: text, a count or (below) a plain float
        return v
    if t is not float:
        if is_missing(v) or v is pd.NA or v is pd.NaT:
            return None
        if hasattr(v, "isoformat"):
            return v.isoformat()[:10] if getattr(v, "hour", 0) == 0 and getattr(v, "minute", 0) == 0 else v.isoformat()
        if hasattr(v, "item"):
            v = v.item()
        if not isinstance(v, float):
            return v
    return None if v != v else round(v, 2)  # the grid and its CSV show the same rounded figure


def count_columns(m) -> list[tuple[str, str]]:
    """The numerator and denominator columns of a measure's table, named for what they hold in
    this kind (a median has no count, only the events it is taken over; a disparity's two columns
    are its two groups' counts), so a table or CSV never shows a blank "Count" or a "Denominator"
    that is really something else."""
    comp = m.computation
    kind = comp.kind
    if kind == "count":
        return [("numerator", f"Count ({m.unit or 'events'})")]
    if kind == "rate":
        return [("numerator", "Events"), ("denominator", "Residents")]
    if kind == "share":
        return [("numerator", "Events meeting the condition"), ("denominator", "Events")]
    if kind == "percentile":
        return [("denominator", f"Events with a {comp.column.replace('_', ' ')}")]
    if kind == "ratio":
        return [("numerator", f"{comp.part.dataset.replace('_', ' ')} events"),
                ("denominator", f"{comp.denominator.dataset.replace('_', ' ')} events")]
    if kind == "disparity":
        return [("numerator", f"{comp.group} events"), ("denominator", f"{comp.reference} events")]
    return [("numerator", "Numerator"), ("denominator", "Denominator")]


SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,220}\.csv$")


def csv_name(*bits) -> str:
    """A file name from words (measure, period, filters): 'measure_robberies_2026-10-25_2026-11-21_precinct-E.csv'."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", "_".join(str(b) for b in bits if b))[:200] + ".csv"


def csv_of(rows: list[dict] | None, column_defs: list[dict], filename: str, header: list[str] | None = None) -> dict:
    """The grid's visible rows -> a dcc.Download payload with the grid's headers, in its order,
    after `header` lines ('# as of: ...', what the numbers are) when given. Raises auth.Forbidden
    (HTTP 403) when the signed-in user's role may not download."""
    auth.require("download")
    fields = [c["field"] for c in column_defs]
    headers = [c.get("headerName", c["field"]) for c in column_defs]
    df = pd.DataFrame([{f: r.get(f) for f in fields} for r in rows or []], columns=fields)
    df.columns = headers
    name = filename if SAFE_NAME.match(filename or "") else "table.csv"
    if not header:
        return dcc.send_data_frame(df.to_csv, name, index=False)
    lines = "".join("# " + str(x).replace("\n", " ").replace("\r", " ")[:1000] + "\n" for x in header[:30])
    return dcc.send_string(lines + df.to_csv(index=False), name)
