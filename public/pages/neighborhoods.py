"""Public "my neighborhood" picker: one link per area of the published layer (works with no script)."""
import dash

from public.site import live

dash.register_page(__name__, path="/neighborhood", title="My neighborhood", name="My neighborhood")


def layout(lang=None, **_):
    return live("hoods", None, lang)
