"""Webhook delivery (``PORTAL_WEBHOOK_*``, read by portal.webhooks): the retry schedule and the
request timeout. The schedule is the delay before each retry after the first attempt, in
seconds; after the last retry fails the delivery has failed. The default follows the example
of the Standard Webhooks specification (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h:
about three days); tests give seconds."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SCHEDULE = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 50400.0, 72000.0, 86400.0)
SCHEDULE_VARIABLE = "PORTAL_WEBHOOK_RETRY_SCHEDULE"
TIMEOUT_VARIABLE = "PORTAL_WEBHOOK_TIMEOUT_SECONDS"


def parse_schedule(raw: str) -> tuple[float, ...]:
    """``5,300,1800`` as seconds; ValueError naming the variable otherwise."""
    try:
        delays = tuple(float(part) for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(f"{SCHEDULE_VARIABLE} must list delays in seconds, comma-separated, "
                         f"got {raw!r}") from exc
    return delays


@dataclass(frozen=True)
class WebhookSettings:
    #: Seconds before each retry (the first attempt is at once).
    retry_schedule: tuple[float, ...] = DEFAULT_SCHEDULE
    #: Seconds an attempt may take (connecting, sending and reading the answer).
    timeout_seconds: float = 10.0

    @classmethod
    def from_env(cls, env: dict[str, str]) -> WebhookSettings:
        """Raises ValueError naming a variable that is not a number."""
        raw_schedule = env.get(SCHEDULE_VARIABLE, "").strip()
        raw_timeout = env.get(TIMEOUT_VARIABLE, "").strip()
        try:
            timeout = float(raw_timeout) if raw_timeout else cls.timeout_seconds
        except ValueError as exc:
            raise ValueError(f"{TIMEOUT_VARIABLE} must be a number of seconds, "
                             f"got {raw_timeout!r}") from exc
        return cls(retry_schedule=parse_schedule(raw_schedule) if raw_schedule
                   else DEFAULT_SCHEDULE, timeout_seconds=timeout)

    @property
    def max_attempts(self) -> int:
        return len(self.retry_schedule) + 1

    def problems(self) -> list[str]:
        out = []
        if any(delay < 0 or delay > 7 * 86400 for delay in self.retry_schedule):
            out.append(f"{SCHEDULE_VARIABLE}: each delay must be between 0 and 604800 seconds")
        if len(self.retry_schedule) > 30:
            out.append(f"{SCHEDULE_VARIABLE}: at most 30 retries")
        if not 0 < self.timeout_seconds <= 60:
            out.append(f"{TIMEOUT_VARIABLE} must be above 0 and at most 60")
        return out
