"""Turn the Dash component trees of the public pages into plain HTML, so the static export shows
exactly what the live pages show without running Dash. Graphs become a <div> drawn by the
shipped plotly.min.js (no CDN)."""
from __future__ import annotations

import html as h
import json

import plotly.io as pio

ATTR = {"className": "class", "tabIndex": "tabindex", "hrefLang": "hreflang", "dateTime": "datetime",
        "htmlFor": "for", "colSpan": "colspan", "rowSpan": "rowspan"}
VOID = {"br", "hr", "img", "input", "meta", "link"}
SKIP_PROPS = {"children", "style", "n_clicks", "n_clicks_timestamp", "disable_n_clicks", "key", "loading_state"}


class Renderer:
    def __init__(self):
        self.plots: list[tuple[str, str]] = []  # (element id, figure JSON)

    def render(self, node) -> str:
        if node is None:
            return ""
        if isinstance(node, (list, tuple)):
            return "".join(self.render(n) for n in node)
        if isinstance(node, (str, int, float)):
            return h.escape(str(node))
        ns, kind = getattr(node, "_namespace", ""), getattr(node, "_type", "")
        props = {k: v for k, v in node.to_plotly_json()["props"].items() if v is not None}  # aria-* included
        if ns == "dash_core_components" and kind == "Graph":
            gid = props.get("id") or f"graph-{len(self.plots)}"
            self.plots.append((gid, pio.to_json(props["figure"], validate=False)))
            return f'<div id="{h.escape(gid)}" class="{h.escape(props.get("className", ""))}"></div>'
        if ns != "dash_html_components":
            raise ValueError(f"static export cannot render {ns}.{kind}")
        tag = kind.lower()
        attrs = "".join(f' {ATTR.get(k, k)}="{h.escape(str(v))}"' for k, v in props.items() if k not in SKIP_PROPS)
        if tag in VOID:
            return f"<{tag}{attrs}>"
        return f"<{tag}{attrs}>{self.render(props.get('children'))}</{tag}>"

    def scripts(self, prefix: str) -> str:
        if not self.plots:
            return ""
        calls = "".join(f"Plotly.newPlot({json.dumps(i)}, f.data, f.layout, {{displayModeBar: false, responsive: true}});"
                        .replace("f.data", f"({fig}).data").replace("f.layout", f"({fig}).layout")
                        for i, fig in self.plots)
        return f'<script src="{prefix}assets/plotly.min.js"></script><script>{calls}</script>'


def document(tree, title: str, lang: str, prefix: str) -> str:
    """A whole HTML page; prefix is the relative way up to the export's root (for assets)."""
    r = Renderer()
    body = r.render(tree)
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{h.escape(title)}</title>\n"
            f'<link rel="icon" href="{prefix}favicon.ico">\n'
            f'<link rel="stylesheet" href="{prefix}assets/bootstrap.min.css">\n'
            f'<link rel="stylesheet" href="{prefix}assets/app.css">\n'
            f'<link rel="stylesheet" href="{prefix}assets/public.css">\n</head>\n<body>\n{body}\n{r.scripts(prefix)}\n'
            f"</body>\n</html>\n")
