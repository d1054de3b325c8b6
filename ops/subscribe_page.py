"""`/subscriptions`: a signed-in user picks the goals and measures whose pre-meeting digest they
get, and the address it goes to. A plain server-rendered form (like the sign-in page): it works
without JavaScript, carries the session's CSRF token, and never touches the Dash pages.
Without sign-in (SEASTAT_AUTH=off) there is nobody to subscribe: the page says to use
`python -m ops subscribe`.
"""
from __future__ import annotations

import flask
from markupsafe import escape

blueprint = flask.Blueprint("seastat_subscriptions", __name__)


def _page(body: str, status: int = 200):
    html = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<title>Digest subscriptions · SeaStat</title><link rel='stylesheet' href='/assets/bootstrap.min.css'></head>"
            "<body><main class='container py-4' style='max-width: 48rem'>"
            f"<h1 class='h3'>Digest subscriptions</h1>{body}<p><a href='/'>Back to SeaStat</a></p></main></body></html>")
    response = flask.Response(html, status=status, mimetype="text/html")
    response.headers.update({"Cache-Control": "no-store", "X-Frame-Options": "DENY"})
    return response


@blueprint.route("/subscriptions", methods=["GET", "POST"])
def subscriptions():
    import auth
    from auth import sessions
    from components.engine_access import get_engine
    from components.store_access import get_store
    from store import StoreInputError
    from store.subscriptions import Subscriptions

    user = auth.current_user()
    if user is None:
        return _page("<p>Sign-in is off on this site, so there is no one to subscribe. An operator can use "
                     "<code>python -m ops subscribe USER EMAIL --goal ID --measure ID</code>.</p>")
    catalog = get_engine().catalog
    valid = {"goal": {g.id for g in catalog.goals}, "measure": set(catalog.measures)}
    subs = Subscriptions(get_store())
    note, status = "", 200
    if flask.request.method == "POST":  # the gate has checked the CSRF token already
        form = flask.request.form
        chosen = [tuple(v.split(":", 1)) for v in form.getlist("follow") if ":" in v]
        try:
            subs.replace(user.username, form.get("email", ""), chosen, valid, with_packet=form.get("with_packet") == "on")
            note = "<p role='status' class='alert alert-success' id='subs-saved'>Saved.</p>"
        except StoreInputError as exc:
            note, status = f"<p role='alert' class='alert alert-danger' id='subs-error'>{escape(str(exc))}</p>", 400
    mine = subs.of_user(user.username)
    following = {(s.kind, s.target) for s in mine}
    email = mine[0].email if mine else (user.username if "@" in user.username else "")
    rows = []
    for g in catalog.goals:
        boxes = [(f"goal:{g.id}", f"All of {g.title}", ("goal", g.id) in following)]
        boxes += [(f"measure:{m}", catalog.measures[m].title, ("measure", m) in following)
                  for m in g.measures if m in catalog.measures]
        items = "".join(
            f"<div class='form-check'><input class='form-check-input' type='checkbox' name='follow' value='{escape(v)}' "
            f"id='f-{escape(v.replace(':', '-'))}'{' checked' if on else ''}>"
            f"<label class='form-check-label' for='f-{escape(v.replace(':', '-'))}'>{escape(text)}</label></div>"
            for v, text, on in boxes)
        rows.append(f"<fieldset class='mb-3'><legend class='h6'>{escape(g.title)}</legend>{items}</fieldset>")
    form = ("<form method='post'>"
            f"<input type='hidden' name='{sessions.CSRF_FIELD}' value='{escape(sessions.csrf_token())}'>"
            "<p>A digest arrives before each meeting: what changed, flags, and your open commitments.</p>"
            "<div class='mb-3'><label class='form-label' for='email'>Send it to</label>"
            f"<input class='form-control' type='email' name='email' id='email' required value='{escape(email)}'></div>"
            + "".join(rows)
            + "<div class='form-check mb-3'><input class='form-check-input' type='checkbox' name='with_packet' id='with-packet'"
            + (" checked" if any(s.with_packet for s in mine) else "")
            + "><label class='form-check-label' for='with-packet'>Attach the meeting packet (PDF)</label></div>"
            + "<button class='btn btn-primary' type='submit'>Save</button></form>")
    return _page(note + form, status)
