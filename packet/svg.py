"""Charts and maps as plain SVG text: the same picture in the PDF and on the meeting page.

Plain SVG needs no browser to render (kaleido starts Chromium, 3-7 s for the first figure), so a
whole packet's charts take milliseconds; WeasyPrint and browsers both draw it. Maps use the
warehouse's own simplified GeoJSON with no base-map tiles (works offline).
"""
from __future__ import annotations

import base64
import math
from html import escape

LINE, FLAG, GRID, TEXT, PARTIAL = "#0b5cad", "#b00020", "#d0d0d0", "#333333", "#767676"


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _num(v) -> float | None:
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) or math.isinf(v) else v


def _short(v: float) -> str:
    a = abs(v)
    if a >= 10000:
        return f"{v / 1000:,.0f}k"
    if a >= 100 or v == int(v):
        return f"{v:,.0f}"
    return f"{v:,.1f}" if a >= 10 else f"{v:,.2f}"


def line_chart(series, target=None, partial: bool = False, width: int = 330,
               height: int = 110, title: str = "", events=()) -> str:
    """Meeting-period values as a line through the complete periods; flagged points red; a
    part-period (engine.timemodel: fewer days than the period) an open circle off the line, so
    7 days so far never read as a collapse from 14; the target dashed, at each period's days
    (`target`: one value per bucket, or one number). `series` has period_start, value, flagged
    and, from engine.series, partial. `partial`: the packet's own period is unfinished ('so far')."""
    parts = [bool(p) for p in series["partial"]] if "partial" in series.columns else [False] * len(series)
    pts = [(d, _num(v), bool(f), p) for d, v, f, p in zip(series["period_start"], series["value"], series["flagged"], parts)]
    line = list(target) if isinstance(target, (list, tuple)) else [target] * len(pts)
    line = [None if p else _num(t) for t, p in zip(line, parts)]
    left, right, top, bottom = 38, 8, 8, 20
    w, h = width - left - right, height - top - bottom
    vals = [v for _, v, _, _ in pts if v is not None] + [t for t in line if t is not None]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="9">',
           f"<title>{escape(title)}</title>" if title else ""]
    if not vals or len(pts) == 0:
        out.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="{TEXT}">no data</text></svg>')
        return "".join(out)
    lo, hi = min(vals + [0.0]), max(vals)
    if hi == lo:
        hi = lo + 1
    n = len(pts)

    def x(i):
        return left + (w * i / (n - 1) if n > 1 else w / 2)

    def y(v):
        return top + h - (v - lo) / (hi - lo) * h

    for v in (lo, hi):
        out.append(f'<line x1="{left}" x2="{left + w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="{GRID}" stroke-width="0.6"/>')
        out.append(f'<text x="{left - 3}" y="{y(v) + 3:.1f}" text-anchor="end" fill="{TEXT}">{_short(v)}</text>')
    drawn = [i for i, t in enumerate(line) if t is not None]
    if drawn:
        out.append(f'<path d="{line_path([None if t is None else (x(i), y(t)) for i, t in enumerate(line)])}" '
                   f'fill="none" stroke="#6c4f00" stroke-dasharray="4 3" stroke-width="1"/>')
        out.append(f'<text x="{x(drawn[-1]):.1f}" y="{y(line[drawn[-1]]) - 2:.1f}" text-anchor="end" '
                   f'fill="#6c4f00">target</text>')
    out.append(f'<path d="{line_path([None if v is None or p else (x(i), y(v)) for i, (_, v, _, p) in enumerate(pts)])}" '
               f'fill="none" stroke="{LINE}" stroke-width="1.6"/>')
    # Markers only where they say something (flagged points, the last complete point), each colour
    # as one path: a PDF renderer draws one node per element, so fewer elements is faster.
    whole = [i for i, (_, v, _, p) in enumerate(pts) if v is not None and not p]
    last = whole[-1] if whole else None
    flagged = [(x(i), y(v)) for i, (_, v, f, _) in enumerate(pts) if v is not None and f and i != last]
    if flagged:
        out.append(f'<path d="{_dots(flagged, 3)}" fill="{FLAG}"/>')
    if last is not None:
        colour = FLAG if pts[last][2] else LINE
        out.append(f'<circle cx="{x(last):.1f}" cy="{y(pts[last][1]):.1f}" r="3" fill="{colour}" '
                   f'stroke="{colour}" stroke-width="1.2"/>')
    for i, (_, v, _, p) in enumerate(pts):
        if p and v is not None:  # a part-period: open, off the line
            out.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.2" fill="white" stroke="{PARTIAL}" '
                       f'stroke-width="1.4"/>')
    # Annotations (`events`: (day, number)): a dotted line at the period holding the day, numbered
    # as in the caption, which says what happened.
    starts = [d for d, _, _, _ in pts]
    for day, number in events:
        i = max((k for k, d in enumerate(starts) if d <= day), default=None)
        if i is None:
            continue
        out.append(f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{top}" y2="{top + h}" stroke="#5a2d82" '
                   f'stroke-width="1" stroke-dasharray="1.5 2"/><text x="{x(i) + 2:.1f}" y="{top + 8}" '
                   f'fill="#5a2d82" font-weight="bold">{number}</text>')
    first, end = pts[0][0], pts[-1][0]
    out.append(f'<text x="{left}" y="{height - 5}" fill="{TEXT}">{first:%b %-d, %Y}</text>')
    out.append(f'<text x="{left + w}" y="{height - 5}" text-anchor="end" fill="{TEXT}">'
               f'{end:%b %-d, %Y}{" (so far, open circle)" if partial and parts[-1] else ""}</text>')
    out.append("</svg>")
    return "".join(out)


def line_path(points) -> str:
    """SVG path data through (x, y) points in order; a None is a gap (no value), after which the
    line starts again, as plotly draws a series with gaps."""
    out, pen_up = [], True
    for p in points:
        if p is None:
            pen_up = True
            continue
        out.append(f"{'M' if pen_up else 'L'}{p[0]:.1f} {p[1]:.1f}")
        pen_up = False
    return " ".join(out)


def _dots(points, r: float) -> str:
    """Circles of radius r at points, as one SVG path (two arcs each)."""
    return "".join(f"M{a - r:.1f},{b:.1f}a{r},{r} 0 1,0 {2 * r},0a{r},{r} 0 1,0 {-2 * r},0" for a, b in points)


def _rings(geom: dict) -> list[list]:
    t = geom.get("type")
    if t == "Polygon":
        return list(geom["coordinates"])
    if t == "MultiPolygon":
        return [ring for poly in geom["coordinates"] for ring in poly]
    if t == "GeometryCollection":
        return [r for g in geom.get("geometries", []) for r in _rings(g)]
    return []


LEGEND_H = 72


def change_map(geojson: dict, changes: dict, marked: dict, width: int = 330, height: int = 360,
               title: str = "", untested: set | frozenset = frozenset(), unit: str = "events") -> str:
    """Areas shaded by their change (red: up, blue: down, pale: no change or no events); areas in
    `untested` (too few events to test) hatched; areas in `marked` ({area_id: number}) get a thick
    outline and their number. A legend under the map says what each shade and mark means, so
    colour is never the only carrier (the caption says it in words too)."""
    top = max([abs(v) for v in changes.values() if _num(v) is not None] + [1])
    body = _change_map(geojson, changes, marked, width, height, title, untested)
    legend = _legend(width, height, top, unit, bool(untested))
    return body[:-len("</svg>")].replace(f'height="{height}" viewBox="0 0 {width} {height}"',
                                          f'height="{height + LEGEND_H}" viewBox="0 0 {width} {height + LEGEND_H}"',
                                          1) + legend + "</svg>"


HATCH = ('<defs><pattern id="few" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
         '<rect width="5" height="5" fill="#f4f4f4"/><line x1="0" y1="0" x2="0" y2="5" stroke="#888888" '
         'stroke-width="1.4"/></pattern></defs>')


def _legend(width: int, y0: int, top: float, unit: str, hatched: bool) -> str:
    """Three rows under the map: rises, falls, and the marks (numbered outline, hatching)."""
    n = _short(top)
    rows = [[(_shade(top, top), f"up (to +{n})"), (_shade(top * 0.2, top), "up a little"), ("#eeeeee", "no change")],
            [(_shade(-top * 0.2, top), "down a little"), (_shade(-top, top), f"down (to \u2212{n})")]]
    out = [f'<text x="6" y="{y0 + 12}" font-weight="bold">Change in {escape(unit)} from the previous period</text>']
    for k, row in enumerate(rows):
        y, x = y0 + 18 + 15 * k, 6
        for fill, label in row:
            out.append(f'<rect x="{x}" y="{y}" width="12" height="10" fill="{fill}" stroke="#999999" stroke-width="0.4"/>'
                       f'<text x="{x + 15}" y="{y + 9}">{escape(label)}</text>')
            x += 105
    y = y0 + 18 + 15 * len(rows) + 5
    out.append(f'<circle cx="12" cy="{y + 1}" r="6" fill="#000000"/><text x="12" y="{y + 4}" text-anchor="middle" '
               f'fill="#ffffff" font-weight="bold">1</text><text x="22" y="{y + 4}">outlined: ranked rise (table)</text>')
    if hatched:
        out.append(f'<rect x="178" y="{y - 5}" width="12" height="10" fill="url(#few)" stroke="#999999" '
                   f'stroke-width="0.4"/><text x="193" y="{y + 4}">too few events to test</text>')
    return "".join(out)


def _change_map(geojson: dict, changes: dict, marked: dict, width: int, height: int,
                title: str, untested) -> str:
    feats = [(f["id"], _rings(f["geometry"])) for f in geojson.get("features", []) if f.get("geometry")]
    xs = [p[0] for _, rings in feats for r in rings for p in r]
    ys = [p[1] for _, rings in feats for r in rings for p in r]
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="9">'
            + (f"<title>{escape(title)}</title>" if title else "") + HATCH)
    if not xs:
        return head + f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">no boundaries loaded</text></svg>'
    kx = math.cos(math.radians((min(ys) + max(ys)) / 2))
    pad = 6
    sx = (width - 2 * pad) / max((max(xs) - min(xs)) * kx, 1e-9)
    sy = (height - 2 * pad) / max(max(ys) - min(ys), 1e-9)
    s = min(sx, sy)
    ox = pad + ((width - 2 * pad) - (max(xs) - min(xs)) * kx * s) / 2
    oy = pad + ((height - 2 * pad) - (max(ys) - min(ys)) * s) / 2

    def pt(p):
        return (ox + (p[0] - min(xs)) * kx * s, oy + (max(ys) - p[1]) * s)

    top = max([abs(v) for v in changes.values() if _num(v) is not None] + [1])
    body, outlines, labels = [], [], []
    for area_id, rings in feats:
        d = "".join("M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in map(pt, r)) + "Z" for r in rings if len(r) > 2)
        fill = "url(#few)" if area_id in untested else _shade(_num(changes.get(area_id)), top)
        body.append(f'<path d="{d}" fill="{fill}" stroke="#ffffff" stroke-width="0.5" fill-rule="evenodd"/>')
        if area_id in marked:
            outlines.append(f'<path d="{d}" fill="none" stroke="#000000" stroke-width="1.8"/>')
            ring = max(rings, key=len)
            cx = sum(pt(p)[0] for p in ring) / len(ring)
            cy = sum(pt(p)[1] for p in ring) / len(ring)
            labels.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6.5" fill="#000000"/>'
                          f'<text x="{cx:.1f}" y="{cy + 3:.1f}" text-anchor="middle" fill="#ffffff" '
                          f'font-weight="bold">{marked[area_id]}</text>')
    return head + "".join(body + outlines + labels) + "</svg>"


def _shade(v: float | None, top: float) -> str:
    if v is None or v == 0:
        return "#eeeeee"
    t = min(abs(v) / top, 1.0)
    if v > 0:
        a, b = (0xfc, 0xe0, 0xd6), (0xa5, 0x0f, 0x15)
    else:
        a, b = (0xde, 0xeb, 0xf7), (0x21, 0x66, 0xac)
    r, g, bl = (round(a[i] + (b[i] - a[i]) * (0.15 + 0.85 * t)) for i in range(3))
    return f"#{r:02x}{g:02x}{bl:02x}"
