"""Meetings (`/meetings`): the next meeting's page, the default way into meeting mode.

The page itself is pages/meeting.py's; this module only gives it the address without a date.
"""
from __future__ import annotations

import dash

dash.register_page(__name__, path="/meetings", name="Meetings", title="Meetings", order=4)


def layout(**_query):
    from pages.meeting import layout as meeting_layout  # loaded by Dash's page registry by now

    return meeting_layout(date=None)
