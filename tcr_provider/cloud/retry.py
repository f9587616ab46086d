"""The one retry policy: which answers are retried, how often, and how long to wait in between.

Every API call names its kind, and its row here says everything about its attempts. The SDK itself retries
nothing (no retryer is configured), so the attempts below are all the sends a call makes.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

# Transient: the request did not take effect, or repeating it is harmless.
RETRYABLE_CODES = frozenset(
    {
        "InternalError.ErrorConflict",
        "InternalError.ErrConflict",
        "FailedOperation.ErrorTcrResourceConflict",
        "ResourceInsufficient.ErrorInstanceNotRunning",
        "FailedOperation.GetTcrClient",
    }
)
RETRYABLE_PREFIXES = ("RequestLimitExceeded",)
# The SDK's names for a refused/dropped connection and for a non-200 answer: the request may or may not
# have been carried out.
NETWORK_CODES = frozenset({"ClientNetworkError", "ServerNetworkError"})
GONE_CODES = frozenset({"ResourceNotFound", "ResourceNotFound.TcrResourceNotFound"})


def is_transient(code: str) -> bool:
    return code in RETRYABLE_CODES or code.startswith(RETRYABLE_PREFIXES)


def is_network(code: str) -> bool:
    return code in NETWORK_CODES


def is_gone(code: str) -> bool:
    return code in GONE_CODES


class CallKind(enum.Enum):
    SAFE_TO_REPEAT = "safe to repeat"  # reads, and writes that converge (modify, retag, delete)
    NEVER_REPEAT_BLINDLY = "never repeat blindly"  # a purchase: CreateInstance has no idempotency token
    # A read the lifecycle goes on without (the COS bucket lookup): a few tries, so an unreachable service
    # holds up a create by seconds, not minutes.
    BEST_EFFORT = "best effort"


class LostAnswer(enum.Enum):
    """What a call does when its answer is lost (the request may or may not have been carried out)."""

    REPEAT = "send it again"
    RECOVER = "look for its result first; send it again only if there is none"
    FAIL = "report it"


@dataclass(frozen=True)
class RetryRule:
    attempts: int  # sends at most, whatever the causes
    lost_answer: LostAnswer
    backoff_base_seconds: float = 0.5
    backoff_cap_seconds: float = 8.0

    def backoff(self, attempt: int) -> float:
        """Capped exponential backoff with full jitter, before send number `attempt + 1`."""
        return random.uniform(0, min(self.backoff_cap_seconds, self.backoff_base_seconds * 2 ** (attempt - 1)))


RETRY_POLICY: dict[CallKind, RetryRule] = {
    CallKind.SAFE_TO_REPEAT: RetryRule(attempts=8, lost_answer=LostAnswer.REPEAT),
    CallKind.NEVER_REPEAT_BLINDLY: RetryRule(attempts=8, lost_answer=LostAnswer.RECOVER),
    CallKind.BEST_EFFORT: RetryRule(attempts=3, lost_answer=LostAnswer.REPEAT),
}
