"""An async token bucket that slows down when the provider answers 429 and recovers slowly.

On a 429 the rate halves and every caller waits for the provider's Retry-After (or the
caller's backoff); the rate then climbs back additively to the configured ceiling (AIMD,
as TCP does), so a burst of 429s costs a few seconds rather than a stalled job. A limit
the operator states (`stated=True`: the provider's documented rate) is not a guess: a 429
there is timing at the edge of the provider's window, so the rate drops by a tenth, not
half (halving cost a 100,000-recipient send at 20 requests/s 2.5 s per 429).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Acquire times kept to estimate the rate we were really sending at when no ceiling is set.
_WINDOW = 256


class RateLimiter:
    """Requests per second with a small burst; `rate=None` means unlimited until a 429."""

    def __init__(
        self,
        rate: float | None = None,
        *,
        burst: float = 1.0,
        min_rate: float = 0.2,
        recovery: float | None = None,
        stated: bool = False,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate is not None and rate <= 0:
            raise ValueError("rate must be positive")
        self.ceiling = rate
        self.burst = max(1.0, burst)
        self.min_rate = min_rate
        # What a 429 multiplies the rate by.
        self.stated = stated and rate is not None
        self.backoff = 0.9 if self.stated else 0.5
        # Requests per second regained each second after a slowdown: a tenth of the ceiling
        # means five seconds from half speed back to full.
        self.recovery = recovery if recovery is not None else (rate / 10 if rate else 1.0)
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._tokens = self.burst
        self._updated = clock()
        self._blocked_until = 0.0
        # After a 429: the rate at `_slowed_at`, from which it recovers linearly.
        self._slowed_rate: float | None = None
        self._slowed_at = 0.0
        self._recent: deque[float] = deque(maxlen=_WINDOW)
        self.rate_limited = 0

    @property
    def rate(self) -> float | None:
        """The current rate in requests per second (None: unlimited)."""
        return self._rate_at(self._clock())

    def _rate_at(self, now: float) -> float | None:
        if self._slowed_rate is None:
            return self.ceiling
        rate = self._slowed_rate + self.recovery * max(0.0, now - self._slowed_at)
        if self.ceiling is not None and rate >= self.ceiling:
            self._slowed_rate = None
            return self.ceiling
        return rate

    async def acquire(self) -> None:
        """Wait for a token; callers are served in arrival order."""
        async with self._lock:
            while True:
                now = self._clock()
                if now < self._blocked_until:
                    await self._sleep(self._blocked_until - now)
                    continue
                rate = self._rate_at(now)
                if rate is None:
                    self._recent.append(now)
                    return
                self._tokens = min(self.burst, self._tokens + (now - self._updated) * rate)
                self._updated = now
                # The epsilon keeps float rounding from leaving a token forever 1e-17 short.
                if self._tokens >= 1.0 - 1e-9:
                    self._tokens = max(0.0, self._tokens - 1.0)
                    self._recent.append(now)
                    return
                await self._sleep((1.0 - self._tokens) / rate)

    def account_for(self, sent: Iterable[float]) -> None:
        """Count requests already made to the provider (their time.monotonic() times, such
        as a preflight's: HttpClient.sent_at) against the bucket, so the first burst of a
        send does not overrun a limit they used up."""
        rate = self.ceiling
        if rate is None:
            return
        tokens, last = self.burst, None
        for t in sorted(sent):
            if last is not None:
                tokens = min(self.burst, tokens + (t - last) * rate)
            tokens, last = max(0.0, tokens - 1.0), t
        if last is None:
            return
        now = self._clock()
        self._tokens = min(self._tokens, self.burst, tokens + max(0.0, now - last) * rate)
        self._updated = now

    def pause_for(self, seconds: float) -> None:
        """Hold every caller for `seconds` (a backoff after a failure)."""
        now = self._clock()
        self._blocked_until = max(self._blocked_until, now + max(0.0, seconds))
        # Tokens do not accumulate while blocked: one request goes when the pause ends, then
        # the others follow at the rate.
        self._tokens = 1.0
        self._updated = self._blocked_until

    def on_rate_limited(self, retry_after: float | None, fallback: float) -> float:
        """A 429: slow down (halve, or a tenth off a stated rate) and have every caller wait
        Retry-After (else `fallback`); the wait. At a stated rate only the request that met
        the 429 waits (the caller does): the others keep the pace, as they were not early."""
        self.rate_limited += 1
        now = self._clock()
        current = self._rate_at(now)
        if current is None:
            # No ceiling: start from what we were actually sending in the last second.
            current = float(sum(1 for t in self._recent if now - t <= 1.0)) or 1.0
        wait = retry_after if retry_after is not None else fallback
        if not self.stated:
            self.pause_for(wait)
        self._slowed_rate = max(self.min_rate, current * self.backoff)
        self._slowed_at = max(now, self._blocked_until)
        return wait
