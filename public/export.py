"""`python -m public export OUT_DIR`: write the whole public site (HTML in English and Spanish,
the JSON API, the CSV downloads, CSS and plotly.js) as plain files any web host or CDN serves
with no Python behind it. Same builder and same numbers as the live public pages."""
from __future__ import annotations

import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

from components import plotly_bundle
from public import api, published, site, static_html
from public.i18n import LANGS
from public.links import Links

ROOT = Path(__file__).resolve().parents[1]


def configure(parser) -> None:
    parser.add_argument("out_dir", type=Path, help="folder to write the site into (created if missing)")
    parser.add_argument("--db", type=Path, help="warehouse to read (default: SEASTAT_DB)")


def pages(eng) -> list[tuple[str, str | None, str]]:
    """(kind, ident, file path under the language root) of every public page."""
    out = [("home", None, "index.html"), ("hoods", None, "neighborhood/index.html"), ("data", None, "data.html"),
           ("missing", None, "404.html")]
    out += [("measure", m.id, f"measure/{m.id}.html") for m in published.public_measures(eng)]
    out += [("hood", a["slug"], f"neighborhood/{a['slug']}.html") for a in published.neighborhoods(eng)]
    return out


def export(eng, out: Path) -> dict:
    """Write everything; returns counts of files written."""
    out = Path(out)
    (out / "assets").mkdir(parents=True, exist_ok=True)
    for name in ("bootstrap.min.css", "app.css", "public.css"):
        shutil.copyfile(ROOT / "assets" / name, out / "assets" / name)
    shutil.copyfile(ROOT / "assets" / "favicon.ico", out / "favicon.ico")  # browsers ask for /favicon.ico
    # the public pages draw bars and lines only: the small bundle when it is built (components/plotly_bundle.py)
    shutil.copyfile(plotly_bundle.script_path(), out / "assets" / "plotly.min.js")
    n_html = n_api = 0
    for lang in LANGS:
        for kind, ident, rel in pages(eng):
            depth = rel.count("/")
            links = Links(lang, static=True, depth=depth)
            _, title, tree = site.page(eng, kind, ident, lang, links)
            prefix = "../" * (depth + (1 if lang == "es" else 0))
            target = out / ("es" if lang == "es" else "") / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(static_html.document(tree, title, lang, prefix), encoding="utf-8")
            n_html += 1
    for rel in api.paths(eng):
        body, _ = api.document(eng, rel)
        target = out / api.VERSION / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        n_api += 1
    return {"html": n_html, "api": n_api}


def run(args) -> int:
    from engine import CatalogError, Engine, WarehouseMissing
    from settings import Settings, SettingsError

    try:
        s = Settings.from_env()
    except SettingsError as exc:
        print(f"public export: {exc}", file=sys.stderr)
        return 2
    s = replace(s, mode="public", **({"db_path": args.db} if args.db else {}))
    t0 = time.perf_counter()
    try:
        eng = Engine.open(s)
        eng.as_of()
        got = export(eng, args.out_dir)
    except (WarehouseMissing, CatalogError) as exc:
        print(f"public export: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"public export: cannot write {args.out_dir}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"public export: wrote {got['html']} pages and {got['api']} data files to {args.out_dir} "
          f"in {time.perf_counter() - t0:.1f} s")
    return 0
