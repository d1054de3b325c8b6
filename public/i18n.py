"""Interface text in English and Spanish, and every number, date and month name of the public
pages formatted by Babel (CLDR) for the page's locale, so no page carries a hand-made month table
or an English number formatter. The catalog's own text (titles,
definitions, ...) is translated by catalog/locale/<lang>.po (tr, localized_*; checked at start-up
by engine/catalog_i18n.py).

Locales: English pages use en_US; Spanish pages use es_US (Spanish as written in the United States:
"5 de marzo de 2026", "mar 2026", and the US decimal point and thousands comma, 1,234.5, which is
what a Seattle resident reading Spanish sees on every other US form), not es_ES (1.234,5)."""
from __future__ import annotations

import datetime as dt
import math

from babel.dates import format_date
from babel.numbers import format_decimal

LANGS = ("en", "es")
LOCALES = {"en": "en_US", "es": "es_US"}
PERCENT_UNITS = {"%", "percent", "pct", "share"}
MINUTE_UNITS = {"minutes", "minute", "min"}

STRINGS = {
    "site_title": {"en": "{city} progress report", "es": "Informe de avance de {city}"},
    "demo_title": {"en": "Demo data.", "es": "Datos de demostración."},
    "demo_note": {"en": "These numbers come from a synthetic city made by the software's demo, not from real records.",
                  "es": "Estas cifras provienen de una ciudad ficticia creada por la demostración del programa, no de registros reales."},
    "skip": {"en": "Skip to main content", "es": "Saltar al contenido principal"},
    "nav_home": {"en": "Goals", "es": "Metas"},
    "nav_hood": {"en": "My neighborhood", "es": "Mi vecindario"},
    "nav_data": {"en": "Open data", "es": "Datos abiertos"},
    "other_lang": {"en": "Español", "es": "English"},
    "other_lang_name": {"en": "Leer en español", "es": "Read in English"},
    "home_intro": {"en": "These are the city's goals and how we measure them. Numbers cover {period}. "
                         "Data last updated {as_of}.",
                   "es": "Estas son las metas de la ciudad y cómo las medimos. Las cifras cubren {period}. "
                         "Datos actualizados por última vez el {as_of}."},
    "privacy_note": {"en": "To protect privacy, small counts, and any other number that would let someone work one "
                           "out, read \"not shown (privacy)\". Each measure says its rule under \"How it is counted\". "
                           "Numbers cover complete months only and change once a month.",
                     "es": "Para proteger la privacidad, los conteos pequeños, y cualquier otra cifra que permitiría "
                           "calcular uno, dicen \"no se muestra (privacidad)\". Cada medida explica su regla en \"Cómo se "
                           "cuenta\". Las cifras cubren solo meses completos y cambian una vez al mes."},
    "what_we_measure": {"en": "What we measure", "es": "Qué medimos"},
    "why": {"en": "Why it matters", "es": "Por qué importa"},
    "how_doing": {"en": "How we are doing", "es": "Cómo vamos"},
    "doing_about": {"en": "What we are doing about it", "es": "Qué estamos haciendo"},
    "doing_none": {"en": "The city has not published actions for this goal yet.",
                   "es": "La ciudad aún no ha publicado acciones para esta meta."},
    "lead": {"en": "Lead: {dept}", "es": "Responsable: {dept}"},
    "see_measure": {"en": "Details: {title}", "es": "Detalles: {title}"},
    "not_shown": {"en": "not shown (privacy)", "es": "no se muestra (privacidad)"},
    "privacy_rule": {"en": "Privacy: counts from 1 to {k} are not shown, nor any number that would let one be worked "
                           "out from the others. Why {n}: {reason}",
                     "es": "Privacidad: no se muestran los conteos de 1 a {k}, ni ninguna cifra que permitiría "
                           "calcular uno a partir de las demás. Por qué {n}: {reason}"},
    "privacy_none": {"en": "Privacy: every count is shown. {reason}", "es": "Privacidad: se muestran todos los conteos. {reason}"},
    "next_update": {"en": "Numbers cover complete months only. Next update: when {month} is complete in the data, "
                          "expected around {date}.",
                    "es": "Las cifras cubren solo meses completos. Próxima actualización: cuando {month} esté completo "
                          "en los datos, hacia el {date}."},
    "table_month": {"en": "{what}, {month}", "es": "{what}, {month}"},
    "no_data": {"en": "no data", "es": "sin datos"},
    "status_on_track": {"en": "On track", "es": "Vamos bien"},
    "status_at_risk": {"en": "Close to target", "es": "Cerca de la meta"},
    "status_off_track": {"en": "Off track", "es": "No vamos bien"},
    "status_no_data": {"en": "Not enough data", "es": "No hay datos suficientes"},
    "status_not_covered": {"en": "Not covered by the loaded data", "es": "No cubierto por los datos cargados"},
    "not_covered": {"en": "not covered by the loaded data", "es": "no cubierto por los datos cargados"},
    "sum_not_covered": {"en": "From {start} to {end}: not covered by the loaded data, so no number is shown.",
                        "es": "Del {start} al {end}: no cubierto por los datos cargados, así que no se muestra ninguna cifra."},
    "status_no_target": {"en": "No target (reported for context)", "es": "Sin meta (dato de contexto)"},
    "status_hidden": {"en": "Not shown (privacy)", "es": "No se muestra (privacidad)"},
    "this_year": {"en": "This year, complete months", "es": "Este año, meses completos"},
    "last_year": {"en": "Same months last year", "es": "Mismos meses del año pasado"},
    "change": {"en": "Change from last year", "es": "Cambio respecto al año pasado"},
    "target": {"en": "Target", "es": "Meta"},
    "target_none": {"en": "No target", "es": "Sin meta"},
    "target_change": {"en": "{pct} {dir} than in the same months last year ({value} this year).",
                      "es": "Un {pct} {dir} que en los mismos meses del año pasado ({value} este año)."},
    "target_change_rule": {"en": "{pct} {dir} than in the same months last year.",
                           "es": "Un {pct} {dir} que en los mismos meses del año pasado."},
    "target_fixed": {"en": "A fixed level of {value}, whatever last year's number was.",
                     "es": "Un nivel fijo de {value}, sea cual sea la cifra del año pasado."},
    "target_line": {"en": "Target: {text}", "es": "Meta: {text}"},
    "placeholder": {"en": "(placeholder the city has not yet set)", "es": "(provisional; la ciudad aún no la fija)"},
    "definition": {"en": "Definition", "es": "Definición"},
    "methodology": {"en": "How it is counted", "es": "Cómo se cuenta"},
    "freshness": {"en": "How fresh the data is", "es": "Actualidad de los datos"},
    "fresh_yes": {"en": "Newest data: {as_of}. Updated {cadence}, about {lag} days after events.",
                  "es": "Datos más recientes: {as_of}. Se actualiza con frecuencia \"{cadence}\", unos {lag} días después de los hechos."},
    "fresh_late": {"en": "Some of this data is older than usual.", "es": "Algunos de estos datos son más antiguos de lo normal."},
    "history": {"en": "Changes to the definition and target", "es": "Cambios en la definición y la meta"},
    "monthly": {"en": "By month", "es": "Por mes"},
    "events_noted": {"en": "Events noted", "es": "Hechos señalados"},
    "citywide": {"en": "citywide", "es": "en toda la ciudad"},
    "commentary": {"en": "What happened and what we are doing", "es": "Qué pasó y qué estamos haciendo"},
    "commentary_when": {"en": "Written for the performance meeting of {day}.",
                        "es": "Escrito para la reunión de desempeño del {day}."},
    "month": {"en": "Month", "es": "Mes"},
    "by_area": {"en": "By area ({layer})", "es": "Por zona ({layer})"},
    "by_group": {"en": "By group: {field}", "es": "Por grupo: {field}"},
    "area": {"en": "Area", "es": "Zona"},
    "group": {"en": "Group", "es": "Grupo"},
    "value": {"en": "Value", "es": "Valor"},
    "count": {"en": "Count", "es": "Conteo"},
    "unknown_place": {"en": "Location not known", "es": "Lugar desconocido"},
    "unknown_group": {"en": "Not recorded", "es": "No registrado"},
    "download": {"en": "Download CSV: {what}", "es": "Descargar CSV: {what}"},
    "json": {"en": "This measure as JSON", "es": "Esta medida en JSON"},
    "hood_title": {"en": "My neighborhood", "es": "Mi vecindario"},
    "hood_pick": {"en": "Pick your neighborhood to see its public measures next to the whole city.",
                  "es": "Elija su vecindario para ver sus medidas públicas junto a toda la ciudad."},
    "hood_intro": {"en": "{area} compared with the whole city, {period}.",
                   "es": "{area} comparado con toda la ciudad, {period}."},
    "ytd_words": {"en": "the complete months of this year ({start} to {end})", "es": "los meses completos de este año (del {start} al {end})"},
    "hood_caption": {"en": "Public measures: {area} and the whole city", "es": "Medidas públicas: {area} y toda la ciudad"},
    "hood_here": {"en": "{area}", "es": "{area}"},
    "city": {"en": "Whole city", "es": "Toda la ciudad"},
    "measure": {"en": "Measure", "es": "Medida"},
    "hood_none": {"en": "No public measure is published by neighborhood yet.",
                  "es": "Aún no se publica ninguna medida por vecindario."},
    "not_found": {"en": "Page not found", "es": "Página no encontrada"},
    "not_found_text": {"en": "There is no public page at this address.", "es": "No hay una página pública en esta dirección."},
    "back_home": {"en": "Back to the goals", "es": "Volver a las metas"},
    "no_warehouse": {"en": "The numbers are not available yet.", "es": "Las cifras aún no están disponibles."},
    "data_title": {"en": "Open data", "es": "Datos abiertos"},
    "data_intro": {"en": "Every published table can be downloaded as CSV, and the same numbers are in a read-only "
                         "JSON API. Small numbers are hidden the same way as on these pages.",
                   "es": "Cada tabla publicada se puede descargar en CSV, y las mismas cifras están en una API JSON de "
                         "solo lectura. Las cifras pequeñas se ocultan igual que en estas páginas."},
    "api_index": {"en": "API index (JSON)", "es": "Índice de la API (JSON)"},
    "chart_title": {"en": "{title}, by month", "es": "{title}, por mes"},
    "sum_count": {"en": "From {start} to {end}: {value} {unit}.", "es": "Del {start} al {end}: {value} ({unit})."},
    "sum_ratio": {"en": "From {start} to {end}: {group} residents were {value} times as likely as {reference} residents "
                        "to be counted in this measure (1 would mean equally likely).",
                  "es": "Del {start} al {end}: los residentes del grupo {group} tuvieron {value} veces la probabilidad "
                        "de los residentes del grupo {reference} de contarse en esta medida (1 significaría la misma)."},
    "sum_same": {"en": " That is about the same as the same months last year ({prior}).",
                 "es": " Es casi igual que en los mismos meses del año pasado ({prior})."},
    "fewer": {"en": "fewer", "es": "menos"},
    "higher": {"en": "higher", "es": "más alto"},
    "lower": {"en": "lower", "es": "más bajo"},
    "times": {"en": "{value} times", "es": "{value} veces"},
    "duration": {"en": "{m} min {s} s", "es": "{m} min {s} s"},
    "not_defined": {"en": "not defined", "es": "no definido"},
    "cadence_daily": {"en": "daily", "es": "diaria"},
    "cadence_weekly": {"en": "weekly", "es": "semanal"},
    "cadence_monthly": {"en": "monthly", "es": "mensual"},
    "cadence_quarterly": {"en": "quarterly", "es": "trimestral"},
    "cadence_yearly": {"en": "yearly", "es": "anual"},
    "sum_count_hidden": {"en": "From {start} to {end}: {value}.", "es": "Del {start} al {end}: {value}."},
    "sum_change": {"en": " That is {pct} {dir} than in the same months last year ({prior}).",
                   "es": " Es un {pct} {dir} que en los mismos meses del año pasado ({prior})."},
    "more": {"en": "more", "es": "más"},
    "less": {"en": "less", "es": "menos"},
    "sum_trend": {"en": "The chart shows {title} for each month from {first} to {last}. Highest: {hi_month} ({hi}). "
                        "Lowest: {lo_month} ({lo}). {hidden}",
                  "es": "El gráfico muestra {title} para cada mes de {first} a {last}. Más alto: {hi_month} ({hi}). "
                        "Más bajo: {lo_month} ({lo}). {hidden}"},
    "sum_hidden": {"en": "{n} months are not shown to protect privacy.", "es": "{n} meses no se muestran para proteger la privacidad."},
    "sum_empty": {"en": "No month has a number that can be shown.", "es": "Ningún mes tiene una cifra que se pueda mostrar."},
    "sum_map_empty": {"en": "No area has a number that can be shown.", "es": "Ninguna zona tiene una cifra que se pueda mostrar."},
    "map_title": {"en": "Map by area ({layer})", "es": "Mapa por zona ({layer})"},
    "sum_map": {"en": "The map shades {n} areas by their value. Highest: {hi} ({hi_v}). Lowest: {lo} ({lo_v}).",
                "es": "El mapa colorea {n} zonas según su valor. Más alto: {hi} ({hi_v}). Más bajo: {lo} ({lo_v})."},
    "sum_map_hidden": {"en": "Grey areas are not shown to protect privacy: {areas}.",
                       "es": "Las zonas grises no se muestran para proteger la privacidad: {areas}."},
    "hood_compare_hi": {"en": "higher than the city", "es": "más alto que la ciudad"},
    "hood_compare_lo": {"en": "lower than the city", "es": "más bajo que la ciudad"},
    "hood_compare_eq": {"en": "about the same as the city", "es": "casi igual que la ciudad"},
    "compare": {"en": "Compared with the city", "es": "Comparado con la ciudad"},
    "rates_only": {"en": "Comparison shown for rates and percentages only (counts depend on the area's size).",
                   "es": "La comparación se muestra solo para tasas y porcentajes (los conteos dependen del tamaño de la zona)."},
}


def lang_of(value) -> str:
    """The language asked for, or English for anything else (a URL may carry any text)."""
    return value if isinstance(value, str) and value in LANGS else "en"


def t(key: str, lang: str, **kw) -> str:
    text = STRINGS[key][lang_of(lang)]
    return text.format(**kw) if kw else text



def locale(lang: str) -> str:
    return LOCALES[lang_of(lang)]


def _day(text) -> dt.date:
    return text if isinstance(text, dt.date) else dt.date.fromisoformat(str(text)[:10])


def fdate(text, lang: str) -> str:
    """'March 5, 2026' / '5 de marzo de 2026' (CLDR long date); missing -> 'no data' in words."""
    if not text:
        return t("no_data", lang)
    return format_date(_day(text), "long", locale=locale(lang))


def fmonth(key: str, lang: str) -> str:
    """'2026-03' -> 'Mar 2026' / 'mar 2026' (CLDR abbreviated month and year)."""
    return format_date(dt.date.fromisoformat(str(key)[:7] + "-01"), "MMM y", locale=locale(lang))


def fpct(pct: float, lang: str) -> str:
    """A whole percentage, no sign: 8 -> '8%' (the locale's percent pattern)."""
    return format_decimal(round(abs(pct)), locale=locale(lang)) + "%"


def fnum(value, lang: str, unit: str | None = None) -> str:
    """A number as the page shows it, by the locale's rules: 1234.5 -> '1,234.5', percents with one
    '%' sign, minutes as '6 min 48 s' (a resident does not read 6.80 minutes as 6 minutes 48 seconds),
    missing -> 'no data' in the page's language."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("no_data", lang)
    v = float(value)
    if math.isinf(v):
        return t("not_defined", lang)  # a ratio whose reference group had no events
    u = (unit or "").strip().lower()
    if u in MINUTE_UNITS:
        secs = round(v * 60)
        return t("duration", lang, m=format_decimal(secs // 60, locale=locale(lang)), s=secs % 60)
    pattern = "#,##0" if abs(v) >= 100 or v == int(v) else "#,##0.0" if abs(v) >= 10 else "#,##0.00"
    text = format_decimal(v, format=pattern, locale=locale(lang))
    return text + "%" if u in PERCENT_UNITS else text


def unit_words(unit: str | None, lang: str, label: str | None = None) -> str:
    """The words after a number ('offenses', or `label`, the unit in the page's language); nothing
    for a percent (its sign says it), minutes (written out) or a ratio (read as a sentence)."""
    u = (unit or "").strip()
    if u.lower() in PERCENT_UNITS | MINUTE_UNITS or u.lower().startswith("ratio"):
        return ""
    return label or u


def cadence(word: str, lang: str) -> str:
    key = f"cadence_{word}"
    return t(key, lang) if key in STRINGS else word


def tr(text: str, lang: str, catalog) -> str:
    """The catalog's public text in the page's language (catalog/locale/<lang>.po). The catalog
    check (engine/catalog_i18n.py) makes every public text present for a site language, so the
    English fallback only serves a catalog that ships no locale folder at all."""
    if lang_of(lang) == "en" or not text:
        return text
    return catalog.translations.get(lang_of(lang), {}).get(text, text)


def localized_view(v: dict, catalog, lang: str) -> dict:
    """A published measure view with its catalog text in the page's language (numbers untouched;
    the API keeps the English view)."""
    if lang_of(lang) == "en" or not v:
        return v
    return {**v, **{k: tr(v[k], lang, catalog) for k in ("title", "goal_title", "definition", "methodology", "suppression")},
            "unit_label": tr(v["unit"], lang, catalog),
            "history": [{**e, "change": tr(e["change"], lang, catalog)} for e in v["history"]]}


def localized_index(index: dict, catalog, lang: str) -> dict:
    if lang_of(lang) == "en":
        return index
    return {**index, "goals": [{**g, **{k: tr(g[k], lang, catalog) for k in ("title", "statement", "department")},
                                "actions": [tr(a, lang, catalog) for a in g["actions"]]} for g in index["goals"]]}


def localized_hood(h: dict, catalog, lang: str) -> dict:
    if lang_of(lang) == "en":
        return h
    return {**h, "measures": [{**r, "title": tr(r["title"], lang, catalog)} for r in h["measures"]]}
