"""Translations of the catalog's public text, kept as gettext catalogs (catalog/locale/<lang>.po,
read with Babel) keyed by the English text, and checked at start-up with the rest of the catalog.

Why a check: a Spanish page must never fall back to English silently, so every text a public page
shows of a public goal or measure (titles, statements, departments, actions, definitions,
methodology, units, suppression reasons, history) must have a translation in every complete
language, or the catalog does not load. Adding a language is a data change: a new .po file.
A file whose header says `# coverage: partial` is a sample: it must translate every text of each
goal whose title it translates (and of that goal's public measures), and nothing else is asked of it.
"""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import PoFileError, read_po

PARTIAL = re.compile(r"^#\s*coverage:\s*partial\s*$", re.M)


def public_texts(catalog) -> list[tuple[str, str, str]]:
    """(what, key, English text) of every public text, e.g. ("measure 'robberies'", "definition", "...")."""
    out = []
    for g in catalog.goals:
        pub = [catalog.measures[i] for i in g.measures if catalog.measures[i].visibility == "public"]
        if not pub:
            continue
        what = f"goal '{g.id}'"
        out += [(what, "title", g.title), (what, "statement", g.statement), (what, "department", g.department)]
        out += [(what, f"actions[{i}]", a) for i, a in enumerate(g.actions)]
        for m in pub:
            what = f"measure '{m.id}'"
            out += [(what, k, getattr(m, a)) for k, a in (("title", "title"), ("definition", "definition"),
                                                          ("methodology", "methodology"), ("unit", "unit"),
                                                          ("suppression", "suppression_reason")) if getattr(m, a)]
            out += [(what, f"history[{i}]", c) for i, (_, c) in enumerate(m.history)]
    return out


def load(catalog) -> dict[str, dict[str, str]]:
    """{lang: {English: translation}} of catalog/locale/*.po, checked; raises CatalogError."""
    from engine.catalog import CatalogError

    folder = Path(catalog.folder) / "locale"
    out = {}
    texts = public_texts(catalog)
    for path in sorted(folder.glob("*.po")):
        lang = path.stem
        try:
            with path.open("rb") as f:
                po = read_po(f, abort_invalid=True)
        except (PoFileError, ValueError, UnicodeDecodeError) as exc:
            raise CatalogError(f"{path}: not a valid gettext catalog ({str(exc).splitlines()[0]})") from None
        table = {m.id: m.string for m in po if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}
        if PARTIAL.search(po.header_comment or ""):
            goals = {w for w, k, text in texts if w.startswith("goal ") and k == "title" and text in table}
            covered = goals | {f"measure '{m.id}'" for g in catalog.goals if f"goal '{g.id}'" in goals
                               for m in map(catalog.measures.get, g.measures) if m.visibility == "public"}
        else:
            covered = None
        for what, key, text in texts:
            if (covered is None or what in covered) and text not in table:
                raise CatalogError(f"{path}: {what}: key '{key}': no {lang} translation of {text[:60]!r}")
        out[lang] = table
    return out
