"""The executive summary: where things stand, in plain sentences, before any table.

A mayor's office reads page 1 and maybe nothing else, so it says: each goal and the status of its
measures; the few changes that matter most (the first flags, which are already off-track first
and then clearest change first, and the top significant hot spot); commitments past their due
date; and what in the data is late or not covered, so no one reads a missing figure as a good one.
The meeting page and the PDF's first page both print these same sentences.
"""
from __future__ import annotations

from dataclasses import dataclass

from components.formatting import fmt_date
from packet import text

TOP_CHANGES = 5


@dataclass(frozen=True)
class Summary:
    goals: list[str]      # "Safe neighborhoods: 2 on track, 1 off track."
    changes: list[str]    # at most TOP_CHANGES sentences
    overdue: list[str]    # one per commitment past its due date
    health: list[str]     # late datasets and measures not covered


def summarise(pkt) -> Summary:
    goals = []
    for g in pkt.goals:
        counts = ", ".join(f"{n} {text.status_label(s).lower()}" for s, n in sorted(g.counts.items()))
        goals.append(f"{g.title}: {len(g.rows)} measure{'s' if len(g.rows) != 1 else ''}, {counts}.")
    changes = [f.headline for f in pkt.flags[:TOP_CHANGES]]
    top = next(iter(pkt.hotspots.significant), None)
    if top is not None and len(changes) < TOP_CHANGES + 1:
        changes = changes[:TOP_CHANGES - 1] + [
            f"{top.title} in {top.label} rose from {top.prior_count:,} to {top.count:,}, the largest significant "
            f"hot spot by {pkt.hotspot_layer_label}."]
    overdue = [f"{c.item.text} (owner {c.item.owner or 'none'}, due {fmt_date(c.item.due_date)}, from the meeting "
               f"of {fmt_date(c.item.meeting_date)})." for c in pkt.carried if c.overdue]
    health = [f"{r.title}: not covered by the loaded data ({r.meeting.coverage})." for r in pkt.rows()
              if r.meeting.status == "not_covered"]
    for lag in pkt.lags:  # per dataset, not per measure: one late file is one line
        if not lag["fresh"]:
            health.append(f"{lag['title']}: late, newest event {fmt_date(lag['last_day'])} "
                          f"({lag['age_days']} days old).")
    if pkt.partial:
        health.append(f"This period is not over in the data: {pkt.period.days} of {pkt.full_period.days} days "
                      "so far, compared with as many days before.")
    return Summary(goals, changes, overdue, health)


def sections(s: Summary) -> list[tuple[str, list[str], str]]:
    """(heading, sentences, what to say when there are none), in reading order."""
    return [("Goals", s.goals, "No goals in the catalog."),
            ("The changes that matter most", s.changes,
             "No measure is off track and no change is more than normal variation explains."),
            ("Overdue commitments", s.overdue, "No commitment is past its due date."),
            ("Data health", s.health, "Every measure's data are current and covered.")]
