"""Public open-data page: every published table as CSV, and the JSON API."""
import dash

from public.site import live

dash.register_page(__name__, path="/open-data", title="Open data", name="Open data")


def layout(lang=None, **_):
    return live("data", None, lang)
