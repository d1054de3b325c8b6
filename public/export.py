"""`python -m public export OUT_DIR`: write the whole public site (HTML in English and Spanish,
the JSON API, the CSV downloads, CSS and plotly.js) as plain files any web host or CDN serves
with no Python behind it. Same builder and same numbers as the live public pages.

Incremental: a file whose bytes are unchanged is not rewritten, so its modification time, and the
ETag and Last-Modified a web server derives from it, stay the same, and a CDN keeps serving its
copy (a 304 when it revalidates); only changed files travel again. MANIFEST lists what this export
wrote; a file an earlier export wrote that this one does not (a measure no longer published) is
deleted, so nothing withdrawn stays online in the folder."""
from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from components import plotly_bundle
from public import api, published, site, static_html
from public.i18n import LANGS
from public.links import Links

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ".seastat-export.json"  # the files the last export wrote (relative paths), for pruning


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


def export(eng, out: Path, store=None) -> dict:
    """Write everything that changed; returns counts: html and api files produced, `changed` files
    rewritten (new or different bytes) and `removed` files of an earlier export no longer produced.
    With `store`, measure pages carry the events and commentary marked public (public/notes.py)."""
    out = Path(out)
    (out / "assets").mkdir(parents=True, exist_ok=True)
    written: set[str] = set()
    changed = 0

    def put(rel: str, body: bytes) -> None:
        nonlocal changed
        target = out / rel
        written.add(rel)
        if target.is_file() and target.stat().st_size == len(body) and target.read_bytes() == body:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(body)
        tmp.replace(target)  # a web server never serves half a file
        changed += 1

    for name in ("bootstrap.min.css", "app.css", "public.css"):
        put(f"assets/{name}", (ROOT / "assets" / name).read_bytes())
    put("favicon.ico", (ROOT / "assets" / "favicon.ico").read_bytes())  # browsers ask for /favicon.ico
    # the public pages draw bars and lines only: the small bundle when it is built (components/plotly_bundle.py)
    put("assets/plotly.min.js", Path(plotly_bundle.script_path()).read_bytes())
    n_html = n_api = 0
    for lang in LANGS:
        for kind, ident, rel in pages(eng):
            depth = rel.count("/")
            links = Links(lang, static=True, depth=depth)
            _, title, tree = site.page(eng, kind, ident, lang, links, store if kind == "measure" else None)
            prefix = "../" * (depth + (1 if lang == "es" else 0))
            put(("es/" if lang == "es" else "") + rel,
                static_html.document(tree, title, lang, prefix).encode("utf-8"))
            n_html += 1
    for rel in api.paths(eng):
        body, _ = api.document(eng, rel)
        put(f"{api.VERSION}/{rel}", body)
        n_api += 1
    removed = 0
    manifest = out / MANIFEST
    if manifest.is_file():
        for rel in set(json.loads(manifest.read_text())) - written:
            stale = out / rel
            if stale.is_file() and out.resolve() in stale.resolve().parents:
                stale.unlink()
                removed += 1
    manifest.write_text(json.dumps(sorted(written), indent=0))
    return {"html": n_html, "api": n_api, "changed": changed, "removed": removed}


def _existing_store(url: str):
    """The store whose public events and commentary the pages carry, when there is one: an export
    never creates a ledger file, and one it cannot open only costs the pages those notes (said)."""
    from sqlalchemy.engine import make_url

    from store import StoreError, open_store

    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
            return None
        return open_store(url)
    except (StoreError, ValueError) as exc:
        print(f"public export: published without events and commentary: {str(exc).splitlines()[0]}", file=sys.stderr)
        return None


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
        got = export(eng, args.out_dir, _existing_store(s.ledger_url))
    except (WarehouseMissing, CatalogError) as exc:
        print(f"public export: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"public export: cannot write {args.out_dir}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"public export: wrote {got['html']} pages and {got['api']} data files to {args.out_dir} ({got['changed']} "
          f"new or changed, the rest left as they were; {got['removed']} withdrawn removed) in {time.perf_counter() - t0:.1f} s")
    return 0
