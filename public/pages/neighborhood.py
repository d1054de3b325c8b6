"""Public page for one neighborhood: its published measures beside the whole city's."""
import dash

from public.site import live

dash.register_page(__name__, path_template="/neighborhood/<area>", title="Neighborhood", name="Neighborhood")


def layout(area=None, lang=None, **_):
    return live("hood", area, lang)
