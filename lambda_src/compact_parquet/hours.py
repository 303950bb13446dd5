"""The hour a run compacts: an hour partition of the JSON table, in UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

HOUR_FORMAT = "%Y-%m-%dT%H"


class BadHour(ValueError):
    """The text does not name an hour; the message shows the expected form."""


@dataclass(frozen=True, order=True)
class Hour:
    start: datetime  # aware, UTC, on the hour

    @classmethod
    def parse(cls, text: str) -> Hour:
        """`2026-11-28T10` (UTC)."""
        try:
            moment = datetime.strptime(text.strip(), HOUR_FORMAT)
        except ValueError:
            raise BadHour(f"{text!r} is not an hour like 2026-11-28T10 (UTC)") from None
        return cls(moment.replace(tzinfo=UTC))

    @classmethod
    def previous(cls, moment: datetime) -> Hour:
        """The last full hour before `moment` (a run at 00:05 on 1 January compacts 23h of 31 December)."""
        if moment.tzinfo is None:
            raise BadHour(f"{moment.isoformat()} has no time zone; give a UTC time")
        current = moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        return cls(current - timedelta(hours=1))

    @classmethod
    def previous_from_event_time(cls, text: str) -> Hour:
        """From an EventBridge event's `time` (`2026-11-28T11:05:00Z`)."""
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise BadHour(f"event time {text!r} is not an ISO-8601 time such as 2026-11-28T11:05:00Z") from None
        return cls.previous(moment)

    @classmethod
    def span(cls, first: Hour, last: Hour) -> list[Hour]:
        """Every hour from `first` to `last`, both included, newest first (empty when first is after last)."""
        count = int((last.start - first.start) / timedelta(hours=1)) + 1
        return [last.earlier(i) for i in range(max(count, 0))]

    def earlier(self, hours: int) -> Hour:
        return Hour(self.start - timedelta(hours=hours))

    def with_window(self, hours: int) -> list[Hour]:
        """This hour and the `hours` before it, newest first: a scheduled run's late-data window."""
        return [self.earlier(i) for i in range(hours + 1)]

    @property
    def partition(self) -> dict[str, str]:
        """The partition values, zero-padded strings as in the Firehose prefix."""
        s = self.start
        return {"year": f"{s.year:04d}", "month": f"{s.month:02d}", "day": f"{s.day:02d}", "hour": f"{s.hour:02d}"}

    @property
    def path(self) -> str:
        """`year=2026/month=11/day=28/hour=10/`."""
        return "".join(f"{key}={value}/" for key, value in self.partition.items())

    @property
    def compact(self) -> str:
        """`2026112810`, for names."""
        return self.start.strftime("%Y%m%d%H")

    def __str__(self) -> str:
        return self.start.strftime(HOUR_FORMAT)
