"""A small typed facade over the TCR, Tag and COS SDK clients. It knows the API and nothing of Pulumi.

transport.py sends one call (client, pacing, error mapping); retry.py is the one retry policy; pacer.py and
watcher.py are the rate pacing and the batched poller behind every wait; instances.py holds the instance
operations the provider uses; buckets.py finds an instance's COS bucket through the COS API.
"""

from .buckets import BucketLookup, CosBuckets, Unconfirmed
from .instances import (
    CREATE_FAILED_STATUSES,
    CREATING_STATUSES,
    DELETING_STATUSES,
    DESCRIBE_PAGE_SIZE,
    FAILED_STATUSES,
    READY_STATUS,
    NameVerdict,
    Registry,
    TcrCloud,
)
from .retry import RETRY_POLICY, CallKind, RetryRule

__all__ = [
    "CREATE_FAILED_STATUSES",
    "CREATING_STATUSES",
    "DELETING_STATUSES",
    "DESCRIBE_PAGE_SIZE",
    "FAILED_STATUSES",
    "READY_STATUS",
    "RETRY_POLICY",
    "BucketLookup",
    "CallKind",
    "CosBuckets",
    "NameVerdict",
    "Registry",
    "RetryRule",
    "TcrCloud",
    "Unconfirmed",
]
