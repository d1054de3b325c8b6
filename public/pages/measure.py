"""Public measure page: definition, methodology, freshness, dated history, monthly chart, tables."""
import dash

from public.site import live

dash.register_page(__name__, path_template="/measure/<measure_id>", title="Measure", name="Measure")


def layout(measure_id=None, lang=None, **_):
    return live("measure", measure_id, lang)
