"""The account's COS buckets: each with its region and creation date.

TCR makes a bucket ``<registryId>-<AppId>`` in the instance's region when it creates an instance (and removes
it only when DeleteInstance asks for it); PUT Bucket makes any other. Names are global and follow COS's
rules: ``<name>-<AppId>``, the name of lower-case letters, digits and ``-``, not starting or ending with
``-``, the whole at most 60 characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from .errors import BucketAlreadyExists, InvalidArgument, InvalidBucketName

MAX_BUCKET_NAME_LENGTH = 60
_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
MAX_KEYS = 2000
"""The most buckets one GET Service page holds, and its default size."""


@dataclass(frozen=True)
class Bucket:
    name: str
    region: str
    created_at: datetime


@dataclass(frozen=True)
class Page:
    buckets: list[Bucket]
    truncated: bool


class BucketStore:
    """The account's buckets in every region, by name."""

    def __init__(self, app_id: int, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.app_id = app_id
        self._clock = clock
        self._buckets: dict[str, Bucket] = {}

    def create(self, name: str, region: str) -> Bucket:
        suffix = f"-{self.app_id}"
        if not name.endswith(suffix) or not _NAME.fullmatch(name.removesuffix(suffix)):
            raise InvalidBucketName(
                f"The bucket name {name!r} must be <name>{suffix}, the name of lower-case letters, digits and '-'."
            )
        if len(name) > MAX_BUCKET_NAME_LENGTH:
            raise InvalidBucketName(f"The bucket name {name!r} is longer than {MAX_BUCKET_NAME_LENGTH} characters.")
        if name in self._buckets:
            raise BucketAlreadyExists(f"The bucket {name} already exists.")
        bucket = Bucket(name, region, self._clock().replace(microsecond=0))
        self._buckets[name] = bucket
        return bucket

    def discard(self, name: str) -> None:
        self._buckets.pop(name, None)

    def names(self) -> list[str]:
        return sorted(self._buckets)

    def page(self, region: str | None, marker: str, max_keys: int) -> Page:
        """Buckets after ``marker`` in UTF-8 order, ``region`` only unless None, at most ``max_keys``."""
        if not 1 <= max_keys <= MAX_KEYS:
            raise InvalidArgument(f"max-keys must be from 1 to {MAX_KEYS}, not {max_keys}.")
        after = marker.encode()
        listed = sorted(
            (b for b in self._buckets.values() if region is None or b.region == region),
            key=lambda b: b.name.encode(),
        )
        remaining = [b for b in listed if b.name.encode() > after]
        return Page(remaining[:max_keys], truncated=len(remaining) > max_keys)
