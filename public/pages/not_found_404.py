"""Any address the public site does not serve (Dash's router uses this module for unknown paths)."""
import dash

from public.site import live

dash.register_page(__name__, path="/404", title="Not found")


def layout(lang=None, **_):
    return live("missing", None, lang)
