"""Public progress home: each goal, what we measure, why, how we are doing, what we are doing."""
import dash

from public.site import live

dash.register_page(__name__, path="/", title="Progress report", name="Progress")


def layout(lang=None, **_):
    return live("home", None, lang)
