"""SeaStat meeting mode (PA2): the biweekly packet, its flags, hot spots, the ledger, and the PDF.

    from packet import build_packet
    pkt = build_packet(eng, meeting_date, ledger=ledger, snapshots=snapshots)

One function (`packet.contents.build_packet`) computes the packet as plain data; the meeting
page, the PDF and the tests all read that, so they can never disagree. `python -m packet`
writes the PDF from the command line. Importing this package reads no data.
"""
from packet.calendar import MeetingDateError, meeting_period, next_meeting, parse_meeting_date
from packet.contents import Packet, build_packet

__all__ = ["Packet", "build_packet", "MeetingDateError", "meeting_period", "next_meeting", "parse_meeting_date"]
