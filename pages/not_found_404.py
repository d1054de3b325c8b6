"""Any path no page owns: a friendly message and the way back, never a blank page."""
import dash

from components import messages

dash.register_page(__name__, path="/404", title="Not found · SeaStat")


def layout(**_):
    return messages.not_found("page", "this address", "/", "Back to the goals")
