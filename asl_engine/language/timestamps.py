"""RFC 3339 timestamps as Step Functions accepts them (Choice Timestamp rules, Wait Timestamp).

AWS's profile: uppercase ``T`` between date and time, and either uppercase ``Z`` or a numeric
offset; fractional seconds of any length. "2016-12-05 21:29:29Z" (space) and a missing zone are
rejected, as are out-of-range fields (month 13, hour 25).
"""

from __future__ import annotations

import calendar
import re
from typing import NamedTuple

_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-](\d{2}):(\d{2}))\Z")


class Instant(NamedTuple):
    """A point in time with nanosecond resolution; tuples compare chronologically."""

    seconds: int
    nanos: int

    @property
    def epoch(self) -> float:
        return self.seconds + self.nanos / 1e9


def parse_timestamp(text: object) -> Instant | None:
    """The instant ``text`` denotes, or None if it is not a valid RFC 3339 timestamp."""
    if not isinstance(text, str):
        return None
    match = _RFC3339.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
        return None
    if hour > 23 or minute > 59 or second > 60:
        return None
    fraction = match.group(7) or ""
    nanos = int((fraction + "000000000")[:9]) if fraction else 0
    offset = 0
    if match.group(8) != "Z":
        offset_hours, offset_minutes = int(match.group(9)), int(match.group(10))
        if offset_hours > 23 or offset_minutes > 59:
            return None
        offset = (offset_hours * 60 + offset_minutes) * 60
        if match.group(8)[0] == "-":
            offset = -offset
    seconds = calendar.timegm((year, month, day, hour, minute, min(second, 59), 0, 0, 0)) - offset
    return Instant(seconds, nanos)
