"""Summaries of repeated measurements: median and 95th percentile (nearest rank)."""

from __future__ import annotations

from dataclasses import dataclass
import math
import statistics


@dataclass(frozen=True, slots=True)
class Summary:
    """Median, p95, min and max of n samples, in the unit they were taken in."""

    n: int
    median: float
    p95: float
    minimum: float
    maximum: float

    @classmethod
    def of(cls, samples: list[float]) -> Summary:
        """Summarise samples (at least one)."""
        if not samples:
            raise ValueError("no samples")
        ordered = sorted(samples)
        rank = max(1, math.ceil(0.95 * len(ordered)))  # nearest-rank p95
        return cls(
            n=len(ordered),
            median=statistics.median(ordered),
            p95=ordered[rank - 1],
            minimum=ordered[0],
            maximum=ordered[-1],
        )

    def scaled(self, factor: float) -> Summary:
        """Return the same summary in another unit (e.g. seconds to milliseconds)."""
        return Summary(
            self.n,
            self.median * factor,
            self.p95 * factor,
            self.minimum * factor,
            self.maximum * factor,
        )

    def as_dict(self) -> dict[str, float]:
        """JSON-friendly form."""
        return {
            "n": self.n,
            "median": self.median,
            "p95": self.p95,
            "min": self.minimum,
            "max": self.maximum,
        }


def ms(samples: list[float]) -> Summary:
    """Summarise durations taken in seconds, in milliseconds."""
    return Summary.of(samples).scaled(1000.0)
