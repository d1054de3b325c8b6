"""Public pages as Dash components, built from `published` dictionaries only (never the engine's
raw numbers). The live app returns these trees; the static export turns the same trees into HTML.
Plain language, every number defined, status in words and icon, charts with a text summary."""
from __future__ import annotations

import math

import plotly.graph_objects as go
from dash import dcc, html

from components.charts import GRAPH_CONFIG, LINE_COLOUR
from components.status import STATUS
from public import published
from public.i18n import STRINGS, cadence, fdate, fmonth, fnum, fpct, t, unit_words

FIELD_NAMES = {"subject_race": {"en": "race", "es": "raza"}, "subject_gender": {"en": "gender", "es": "género"},
               "subject_age_group": {"en": "age group", "es": "grupo de edad"}}


def period_text(period: dict | None, lang: str) -> str:
    """'the year so far (January 1, 2026 to November 21, 2026)' in the page's language."""
    if not period:
        return ""
    return t("ytd_words", lang, start=fdate(period["start"], lang), end=fdate(period["end"], lang))


def shown(cell: dict, unit: str, lang: str, threshold: int, what: str = "value", covered: bool = True) -> str:
    """The text for a published cell: the number, "not covered", or the one label of every hidden
    cell (a label per reason would tell a reader which rule fired, and which hidden cells are the
    small ones)."""
    if not covered:
        return t("not_covered", lang)
    if cell.get("hidden"):
        return t("not_shown", lang)
    v = cell.get(what)
    return fnum(v, lang, unit if what == "value" else None)


def badge(status: str, lang: str) -> html.Span:
    icon, _, colour = STATUS.get(status, ("\u2014", "", "secondary"))
    words = t(f"status_{status}", lang) if f"status_{status}" in STRINGS else status
    dark = " text-dark" if colour in ("warning", "info") else ""
    return html.Span([html.Span(icon, className="me-1", **{"aria-hidden": "true"}), words],
                     className=f"badge rounded-pill bg-{colour}{dark} status-badge")


def frame(lang: str, links, city: str, body: list, here: tuple = ("home", None), demo: bool = False) -> html.Div:
    """Header (skip link, site name, nav, language switch), a plain "demo data" notice when the
    warehouse is the synthetic demo city, main content, privacy footer."""
    kind, ident = here
    other = "es" if lang == "en" else "en"
    nav = html.Nav(html.Ul([
        html.Li(html.A(t("nav_home", lang), href=links.page("home"), className="nav-link text-white")),
        html.Li(html.A(t("nav_hood", lang), href=links.page("hoods"), className="nav-link text-white")),
        html.Li(html.A(t("nav_data", lang), href=links.page("data"), className="nav-link text-white")),
        html.Li(html.A(t("other_lang", lang), href=links.page(kind, ident, lang=other), lang=other,
                       hrefLang=other, title=t("other_lang_name", lang), className="nav-link text-white",
                       id="lang-switch")),
    ], className="nav flex-wrap"), **{"aria-label": t("nav_home", lang)})
    return html.Div([
        html.A(t("skip", lang), href="#public-main", className="visually-hidden-focusable"),
        html.Header(html.Div([html.A(t("site_title", lang, city=city), href=links.page("home"),
                                     className="navbar-brand text-white fw-bold"), nav],
                             className="container-lg d-flex flex-wrap align-items-center justify-content-between"),
                    className="bg-dark py-2 public-header"),
        *([html.Div(html.Div([html.Strong(t("demo_title", lang) + " "), t("demo_note", lang)], className="container-lg"),
                    className="demo-banner py-2", role="note", id="public-demo-notice")] if demo else []),
        html.Main(html.Div(body, className="container-lg py-3"), id="public-main", tabIndex="-1"),
        html.Footer(html.Div(html.P(t("privacy_note", lang, n=10, k=9), className="small mb-0"),
                             className="container-lg py-2"), className="border-top public-footer"),
    ], lang=lang, className="public-site")


def _measure_summary(v: dict, lang: str) -> str:
    """One plain sentence: the period's number with its unit words (none after a percent, a
    missing or a hidden value), a ratio as "x times as likely", and the change from last year in
    words ("8% fewer", "about the same"), never a signed or zero percentage."""
    h, thr = v["headline"], v["small_number_threshold"]
    start, end = fdate(v["period"]["start"], lang), fdate(v["period"]["end"], lang)
    if h.get("not_covered"):
        return t("sum_not_covered", lang, start=start, end=end)
    cur = h["current"]
    words = unit_words(v["unit"], lang, v.get("unit_label"))
    cmp = v.get("comparison")
    if cmp and not cur.get("hidden") and cur.get("value") is not None:
        text = t("sum_ratio", lang, start=start, end=end, group=cmp["group"], reference=cmp["reference"],
                 value=fnum(cur["value"], lang))
    elif cur.get("hidden") or cur.get("value") is None or not words:
        text = t("sum_count_hidden", lang, start=start, end=end, value=shown(cur, v["unit"], lang, thr))
    else:
        text = t("sum_count", lang, start=start, end=end, value=shown(cur, v["unit"], lang, thr), unit=words)
    if h["change_pct"] is not None and h["last_year"]["value"] is not None:
        prior = shown(h["last_year"], v["unit"], lang, thr)
        if round(h["change_pct"]) == 0:
            text += t("sum_same", lang, prior=prior)
        else:
            up = h["change_pct"] > 0
            word = ("more" if up else "fewer") if v["kind"] == "count" else ("higher" if up else "lower")
            text += t("sum_change", lang, pct=fpct(h["change_pct"], lang), dir=t(word, lang), prior=prior)
    return text


def target_basis(v: dict, lang: str) -> str:
    """The target and its basis in one sentence ("5% fewer than in the same months last year" or
    "a fixed level of 2"), so two related measures, one aiming at a change from last year and one
    at a fixed level, never look contradictory side by side. A target hidden for privacy (it would
    give last year's number away) keeps its rule and says the amount is not shown."""
    tg, h, unit = v["target"], v["headline"], v["unit"]
    if tg is None:
        return t("target_none", lang)
    hidden = h["status"] == "hidden" or bool(h["current"].get("hidden"))
    value = h["target"] if h["target"] is not None or hidden or tg.get("change_pct") is not None else tg.get("value")
    amount = (t("not_shown", lang) if hidden and value is None else None if value is None else
              " ".join(x for x in (fnum(value, lang, unit), unit_words(unit, lang, v.get("unit_label"))) if x))
    if tg.get("change_pct") is not None:
        up = tg["change_pct"] > 0
        word = ("more" if up else "fewer") if v["kind"] == "count" else ("higher" if up else "lower")
        text = t("target_change" if amount else "target_change_rule", lang, pct=fpct(tg["change_pct"], lang),
                 dir=t(word, lang), value=amount)
    else:
        text = t("target_fixed", lang, value=amount or t("no_data", lang))
    return text + (" " + t("placeholder", lang) if tg.get("placeholder") else "")


def home(lang: str, links, city: str, index: dict, views: dict) -> list:
    """One section per goal: what we measure, why, how we are doing, what we are doing about it."""
    first = next(iter(views.values()), None)
    body = [html.H1(t("site_title", lang, city=city), className="h3"),
            html.P(t("home_intro", lang, period=period_text((first or {}).get("period"), lang),
                     as_of=fdate(index["as_of"], lang)))]
    for g in index["goals"]:
        items = []
        for mid in g["measures"]:
            v = views.get(mid)
            if not v:
                continue
            items.append(html.Li([
                html.A(v["title"], href=links.page("measure", mid), className="fw-semibold"), " ",
                badge(v["headline"]["status"], lang),
                html.P(_measure_summary(v, lang), className="mb-1 small"),
                html.P(t("target_line", lang, text=target_basis(v, lang)), className="mb-1 small"),
                html.P(v["definition"], className="mb-0 small text-body-secondary"),
            ], className="list-group-item"))
        actions = g.get("actions")
        body.append(html.Section([
            html.H2(g["title"], className="h4", id=f"goal-{g['id']}"),
            html.H3(t("why", lang), className="h6 mt-2"), html.P(g["statement"]),
            html.P(t("lead", lang, dept=g["department"]), className="small text-body-secondary"),
            html.H3(t("what_we_measure", lang) + " / " + t("how_doing", lang), className="h6"),
            html.Ul(items, className="list-group mb-2"),
            html.H3(t("doing_about", lang), className="h6"),
            html.Ul([html.Li(a) for a in actions], className="small mb-0", id=f"actions-{g['id']}") if actions
            else html.P(t("doing_none", lang), className="small", id=f"actions-{g['id']}"),
        ], className="card card-body mb-3", **{"aria-labelledby": f"goal-{g['id']}"}))
    return body


def _table(caption: str, head: list, rows: list, tid: str) -> html.Div:
    return html.Div(html.Table([
        html.Caption(caption, className="caption-top"),
        html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
        html.Tbody([html.Tr([html.Th(r[0], scope="row"), *[html.Td(c) for c in r[1:]]]) for r in rows]),
    ], className="table table-sm", id=tid), className="table-responsive")


def row_label(r: dict, lang: str, table: str = "areas") -> str:
    """A table row's name; the row of events with no area / group says so in words."""
    if published.is_unknown(r["key"]):
        return t("unknown_place" if table == "areas" else "unknown_group", lang)
    return r["label"]


def month_chart(v: dict, lang: str) -> html.Figure:
    months = [m for m in v["months"]]
    unit, thr = v["unit"], v["small_number_threshold"]
    x = [fmonth(m["key"], lang) for m in months]
    y = [m["value"] if not m["hidden"] else None for m in months]
    fig = go.Figure(go.Bar(x=x, y=y, marker_color=LINE_COLOUR, hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_layout(height=260, margin=dict(l=40, r=10, t=10, b=40), plot_bgcolor="white", paper_bgcolor="white",
                      font=dict(size=12))
    pairs = [(xx, m) for xx, m in zip(x, months) if m["value"] is not None and not m["hidden"]]
    n_hidden = sum(1 for m in months if m["hidden"])
    if pairs:
        hi = max(pairs, key=lambda p: p[1]["value"])
        lo = min(pairs, key=lambda p: p[1]["value"])
        summary = t("sum_trend", lang, title=v["title"], first=pairs[0][0], last=pairs[-1][0], hi_month=hi[0],
                    hi=fnum(hi[1]["value"], lang, unit), lo_month=lo[0], lo=fnum(lo[1]["value"], lang, unit),
                    hidden=t("sum_hidden", lang, n=n_hidden) if n_hidden else "")
    else:
        summary = t("sum_empty", lang)
    sid = "month-chart-summary"
    return html.Figure([
        html.Figcaption(t("chart_title", lang, title=v["title"]), className="h6 mb-1"),
        dcc.Graph(id="month-chart", figure=fig, config=GRAPH_CONFIG, className="chart-graph"),
        html.P(summary, id=sid, className="chart-summary small mb-0"),
    ], className="chart mb-3", **{"aria-describedby": sid})


def _rings(geometry: dict) -> list:
    """Outer rings of a Polygon / MultiPolygon as lists of (lon, lat)."""
    kind, coords = (geometry or {}).get("type"), (geometry or {}).get("coordinates") or []
    polys = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    return [p[0] for p in polys if p]


def _shade(value: float, lo: float, hi: float) -> str:
    """Light to dark blue by value (the legend is the table and the summary beside the map)."""
    f = 0.5 if hi <= lo else (value - lo) / (hi - lo)
    a, b = (222, 235, 247), (8, 69, 148)
    return "rgb({},{},{})".format(*(round(x + (y - x) * f) for x, y in zip(a, b)))


def area_map(v: dict, geo: dict, lang: str) -> html.Figure:
    """The area table drawn as a map: shown values shaded, hidden areas grey and labelled as hidden
    (the same published cells as the table, never a finer number). Filled SVG shapes on plain
    axes: no map tiles, no WebGL, so it draws offline, in the static export and on any phone."""
    unit, thr = v["unit"], v["small_number_threshold"]
    rows = {r["key"]: r for r in v["areas"]["rows"] if not published.is_unknown(r["key"])}
    vals = [r["value"] for r in rows.values() if not r["hidden"] and r["value"] is not None]
    lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
    fig = go.Figure()
    lats = []
    for feat in geo.get("features", []):
        r = rows.get(feat.get("id"))
        if r is None:
            continue
        colour = "#d9d9d9" if r["hidden"] or r["value"] is None else _shade(r["value"], lo, hi)
        for ring in _rings(feat.get("geometry")):
            lats += [pt[1] for pt in ring]
            fig.add_trace(go.Scatter(x=[pt[0] for pt in ring], y=[pt[1] for pt in ring], mode="lines",
                                     fill="toself", fillcolor=colour, line=dict(color="#333", width=1),
                                     hoverinfo="text", text=f"{r['label']}: {shown(r, unit, lang, thr)}",
                                     showlegend=False))
    ratio = 1 / max(math.cos(math.radians(sum(lats) / len(lats))), 0.1) if lats else 1
    fig.update_layout(height=340, margin=dict(l=0, r=0, t=0, b=0), plot_bgcolor="white", paper_bgcolor="white")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=ratio)
    shown_rows = sorted((r for r in rows.values() if not r["hidden"] and r["value"] is not None), key=lambda r: -r["value"])
    hidden_rows = [r for r in rows.values() if r["hidden"]]
    if shown_rows:
        summary = t("sum_map", lang, n=len(shown_rows), hi=shown_rows[0]["label"], hi_v=shown(shown_rows[0], unit, lang, thr),
                    lo=shown_rows[-1]["label"], lo_v=shown(shown_rows[-1], unit, lang, thr))
    else:
        summary = t("sum_map_empty", lang)
    if hidden_rows:
        summary += " " + t("sum_map_hidden", lang, areas=", ".join(r["label"] for r in hidden_rows))
    sid = "area-map-summary"
    return html.Figure([
        html.Figcaption(t("map_title", lang, layer=v["areas"]["layer_label"]), className="h6 mb-1"),
        dcc.Graph(id="area-map", figure=fig, config={**GRAPH_CONFIG, "scrollZoom": False}, className="chart-graph"),
        html.P(summary, id=sid, className="chart-summary small mb-0"),
    ], className="chart mb-3", **{"aria-describedby": sid})


def privacy_text(v: dict, lang: str) -> str:
    """The measure's suppression rule and why (from the catalog), for its methodology."""
    thr, why = v["small_number_threshold"], v.get("suppression") or ""
    if thr <= 0:
        return t("privacy_none", lang, reason=why)
    return t("privacy_rule", lang, k=thr - 1, n=thr, reason=why or "-")


def next_update_text(v: dict, lang: str) -> str:
    nu = v.get("next_update")
    if not nu:
        return ""
    return t("next_update", lang, month=fmonth(nu["month_end"][:7], lang), date=fdate(nu["expected"], lang))


def table_caption(what: str, v: dict, lang: str) -> str:
    """A table of the last complete month says which month."""
    tp = v.get("tables_period")
    return t("table_month", lang, what=what, month=fmonth(tp["month"], lang)) if tp else what


def _notes(notes: dict | None, lang: str) -> list:
    """The commentary and events an editor marked public (public/notes.py), in words."""
    if not notes:
        return []
    out = []
    if notes.get("commentary"):
        c = notes["commentary"]
        out += [html.Section([html.H2(t("commentary", lang), className="h5"),
                              *[html.P(x) for x in c["text"].splitlines()],
                              html.P(t("commentary_when", lang, day=fdate(c["meeting"], lang)), className="small")],
                             id="measure-commentary")]
    if notes.get("events"):
        out += [html.Section([html.H2(t("events_noted", lang), className="h5"), html.Ul([
            html.Li([html.Time(fdate(e["date"], lang), dateTime=e["date"]), ": ", e["text"],
                     f" ({t('citywide', lang)})" if e["citywide"] else ""]) for e in notes["events"]])],
            id="measure-events")]
    return out


def measure(lang: str, links, city: str, v: dict, geo: dict | None = None) -> list:
    thr, unit, h = v["small_number_threshold"], v["unit"], v["headline"]
    target_text = target_basis(v, lang)
    facts = [
        (t("this_year", lang) + f" ({fdate(v['period']['start'], lang)} – {fdate(v['period']['end'], lang)})",
         shown(h["current"], unit, lang, thr, covered=not h.get("not_covered"))),
        (t("last_year", lang), shown(h["last_year"], unit, lang, thr, covered=not h.get("not_covered"))),
        (t("change", lang), t("no_data", lang) if h["change_pct"] is None
         else ("+" if round(h["change_pct"]) > 0 else "\u2212" if round(h["change_pct"]) < 0 else "") + fpct(h["change_pct"], lang)),
        (t("target", lang), target_text),
    ]
    cad = cadence(v["cadence"], lang)
    body = [
        html.P(html.A(v["goal_title"], href=links.page("home") + f"#goal-{v['goal']}"), className="small mb-1"),
        html.H1(v["title"], className="h3"),
        html.P([badge(h["status"], lang)]),
        *([html.P(h["not_covered"], id="measure-not-covered")] if h.get("not_covered") else []),
        html.P(_measure_summary(v, lang), id="measure-summary"),
        html.Dl([x for k, val in facts for x in (html.Dt(k), html.Dd(val))], className="facts"),
        html.H2(t("definition", lang), className="h5"), html.P(v["definition"]),
        html.H2(t("methodology", lang), className="h5"), html.P(v["methodology"]),
        html.P(privacy_text(v, lang), id="privacy-rule"),
        html.H2(t("freshness", lang), className="h5"),
        html.P(t("fresh_yes", lang, as_of=fdate(v["freshness"]["as_of"], lang), cadence=cad, lag=v["lag_days"])
               + ("" if v["freshness"]["fresh"] else " " + t("fresh_late", lang))),
        html.P(next_update_text(v, lang), id="next-update"),
        html.H2(t("history", lang), className="h5"),
        html.Ul([html.Li([html.Time(fdate(e["date"], lang), dateTime=e["date"]), ": ", e["change"]])
                 for e in v["history"]]),
        *_notes(v.get("notes"), lang),
        html.H2(t("monthly", lang), className="h5"),
        month_chart(v, lang),
        _table(t("monthly", lang), [t("month", lang), t("value", lang)],
               [(fmonth(m["key"], lang), shown(m, unit, lang, thr)) for m in v["months"]], "month-table"),
        html.P(html.A(t("download", lang, what=t("monthly", lang)), href=links.api(f"api/v1/measures/{v['id']}/months.csv"))),
    ]
    if v["areas"]:
        cap = table_caption(t("by_area", lang, layer=v["areas"]["layer_label"]), v, lang)
        body += [html.H2(cap, className="h5"),
                 *([area_map(v, geo, lang)] if geo and geo.get("features") else []),
                 _table(cap, [t("area", lang), t("value", lang)],
                        [(row_label(r, lang), shown(r, unit, lang, thr)) for r in v["areas"]["rows"]], "area-table"),
                 html.P(html.A(t("download", lang, what=cap), href=links.api(f"api/v1/measures/{v['id']}/areas.csv")))]
    for fld, rows in v["groups"].items():
        cap = table_caption(t("by_group", lang, field=FIELD_NAMES.get(fld, {}).get(lang, fld)), v, lang)
        body += [html.H2(cap, className="h5"),
                 _table(cap, [t("group", lang), t("value", lang)],
                        [(row_label(r, lang, fld), shown(r, unit, lang, thr)) for r in rows], f"group-table-{fld}"),
                 html.P(html.A(t("download", lang, what=cap), href=links.api(f"api/v1/measures/{v['id']}/{fld}.csv")))]
    body.append(html.P(html.A(t("json", lang), href=links.api(f"api/v1/measures/{v['id']}.json"))))
    return body


def hoods(lang: str, links, hood_list: list) -> list:
    if not hood_list:
        return [html.H1(t("hood_title", lang), className="h3"), html.P(t("hood_none", lang))]
    return [html.H1(t("hood_title", lang), className="h3"), html.P(t("hood_pick", lang)),
            html.Ul([html.Li(html.A(a["label"], href=links.page("hood", a["slug"]))) for a in hood_list],
                    className="hood-list")]


def hood(lang: str, links, h: dict) -> list:
    rows = []
    for r in h["measures"]:
        thr = 10
        a, c = r["area"], r["city"]
        comp = ""
        if r["kind"] in ("rate", "share", "percentile", "ratio") and a["value"] is not None and c["value"] is not None and c["value"]:
            ratio = a["value"] / c["value"]
            comp = t("hood_compare_hi" if ratio > 1.1 else "hood_compare_lo" if ratio < 0.9 else "hood_compare_eq", lang)
        rows.append((html.A(r["title"], href=links.page("measure", r["measure"])),
                     shown(a, r["unit"], lang, thr), shown(c, r["unit"], lang, thr), comp))
    tp = h["measures"][0].get("tables_period") if h["measures"] else None
    period = fmonth(tp["month"], lang) if tp else ""
    return [html.H1(h["label"], className="h3"),
            html.P(t("hood_intro", lang, area=h["label"], period=period)),
            _table(t("hood_caption", lang, area=h["label"]),
                   [t("measure", lang), h["label"], t("city", lang), t("compare", lang)], rows, "hood-table"),
            html.P(t("rates_only", lang), className="small"),
            html.P(html.A(t("hood_title", lang), href=links.page("hoods")))]


def open_data(lang: str, links, views: dict) -> list:
    items = []
    for mid, v in views.items():
        files = [html.A("JSON", href=links.api(f"api/v1/measures/{mid}.json")), " · ",
                 html.A("CSV " + t("monthly", lang), href=links.api(f"api/v1/measures/{mid}/months.csv"))]
        if v["areas"]:
            files += [" · ", html.A("CSV " + v["areas"]["layer_label"], href=links.api(f"api/v1/measures/{mid}/areas.csv"))]
        for fld in v["groups"]:
            files += [" · ", html.A("CSV " + FIELD_NAMES.get(fld, {}).get(lang, fld),
                                    href=links.api(f"api/v1/measures/{mid}/{fld}.csv"))]
        items.append(html.Li([html.Span(v["title"], className="fw-semibold"), ": ", *files]))
    return [html.H1(t("data_title", lang), className="h3"), html.P(t("data_intro", lang)),
            html.P(html.A(t("api_index", lang), href=links.api("api/v1/index.json"))), html.Ul(items)]


def not_found(lang: str, links) -> list:
    return [html.H1(t("not_found", lang), className="h3"), html.P(t("not_found_text", lang)),
            html.P(html.A(t("back_home", lang), href=links.page("home")))]
