"""Where the data ends: "jump to the latest data" links and how far a dataset is behind, in words.

Datasets end on different days (Seattle's samples: crime in September 2021, Terry stops in
November 2023), so one page period cannot show every measure on data. A page whose period has
no data for some measures offers, per last complete day, a link to the same view ending there.
"""
from __future__ import annotations

from dash import dcc, html

from components import urlstate
from components.fields import get
from components.formatting import fmt_date


def behind_words(days: int) -> str:
    """412 -> '1 year 1 month'; 45 -> '1 month'; 9 -> '9 days' (calendar-rough, for reading)."""
    days = int(days)
    if days < 31:
        return f"{days} day{'s' if days != 1 else ''}"
    years, months = divmod(round(days / 30.44), 12)
    parts = ([f"{years} year{'s' if years != 1 else ''}"] if years else []) + \
            ([f"{months} month{'s' if months != 1 else ''}"] if months else [])
    return " ".join(parts)


def jump_links(eng, results, view: urlstate.View, path: str, id: str) -> html.Div | None:
    """Links to this page's view ending on the last complete day of each measure that has no
    data in the period shown (measures whose dataset is not loaded at all are left out: no
    period would help). None when every measure has data, or nothing newer exists."""
    kind = view.period if view.period != "custom" else urlstate.DEFAULT_PERIOD

    def link(day):
        return (f"{urlstate.PERIOD_LABELS[kind]} to {fmt_date(day)}",
                path + urlstate.to_search(view.with_(period=kind, start=None, end=day)))
    return latest_links(eng, results, link, id)


def latest_links(eng, results, link, id: str) -> html.Div | None:
    """jump_links with `link(day) -> (words, href)` choosing where each last complete day leads
    (the meeting page links to the meeting that reviews it)."""
    titles, by_day = eng.catalog.measures, {}
    for r in results:
        if get(r, "state") != "no_data":
            continue
        mid = get(r, "measure_id")
        last = eng.coverage(mid).last_complete
        if last is not None:
            by_day.setdefault(last, []).append(get(titles.get(mid), "title", mid))
    if not by_day:
        return None
    items = []
    for day in sorted(by_day, reverse=True):
        words, href = link(day)
        names = by_day[day]
        items.append(html.Li([
            dcc.Link(words, href=href, className="alert-link"),
            f": {', '.join(names[:4])}{f' and {len(names) - 4} more' if len(names) > 4 else ''}"]))
    return html.Div([
        html.Strong("Jump to the latest data. "),
        f"{len(sum(by_day.values(), []))} measure{'s have' if len(sum(by_day.values(), [])) != 1 else ' has'} "
        "no data in this period; their data end earlier:",
        html.Ul(items, className="mb-0"),
    ], className="alert alert-info small py-2", role="note", id=id)
