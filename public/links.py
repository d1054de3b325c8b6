"""Where a public page links to, live (Dash routes, `?lang=es`) or in the static export (relative
`.html` files under `es/` for Spanish), so one page builder serves both."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Links:
    lang: str = "en"
    static: bool = False
    depth: int = 0          # static only: folders between this page and the language root

    def _live(self, path: str, lang: str) -> str:
        return path + ("?lang=es" if lang == "es" else "")

    def _static(self, path: str, lang: str) -> str:
        up = "../" * (self.depth + (1 if self.lang == "es" else 0))
        return up + ("es/" if lang == "es" else "") + path

    def page(self, kind: str, ident: str | None = None, lang: str | None = None) -> str:
        lang = lang or self.lang
        if self.static:
            path = {"home": "index.html", "measure": f"measure/{ident}.html", "hoods": "neighborhood/index.html",
                    "hood": f"neighborhood/{ident}.html", "data": "data.html"}[kind]
            return self._static(path, lang)
        path = {"home": "/", "measure": f"/measure/{ident}", "hoods": "/neighborhood",
                "hood": f"/neighborhood/{ident}", "data": "/open-data"}[kind]
        return self._live(path, lang)

    def api(self, path: str) -> str:
        """An API file (same path live and static: api/v1/...)."""
        if self.static:
            return "../" * (self.depth + (1 if self.lang == "es" else 0)) + path
        return "/" + path
