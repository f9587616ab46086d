"""What the parts of an instance (:mod:`.network`, :mod:`.public_access`, :mod:`.namespaces`, :mod:`.tokens`)
see of the instance they hang off and of the backend that holds the instances.

:class:`.model.Instance` and :class:`.model.TcrBackend` satisfy these protocols without naming them, so the parts
need not import :mod:`.model` and the dependency runs one way: the model imports the parts, never back. Each
part adds its own state to :class:`InstanceView` (``WithNamespaces``, ``WithTokens``, ...) and takes a
:class:`BackendView` of such instances.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, TypeVar

from ...errors import ResourceNotFound
from ..base import Account, Timings


class UnknownInstance(ResourceNotFound):
    """An instance id that does not exist in the region (or no longer does); some actions answer it with
    another code (rules.UNKNOWN_INSTANCE_IS_INTERNAL_ERROR)."""


class InstanceView(Protocol):
    """What every part may read of its instance."""

    @property
    def registry_id(self) -> str: ...

    @property
    def region(self) -> str: ...

    @property
    def public_domain(self) -> str: ...

    @property
    def vpc_domain(self) -> str: ...

    def status(self, now: float) -> str: ...


_InstanceT_co = TypeVar("_InstanceT_co", bound=InstanceView, covariant=True)


class BackendView(Protocol[_InstanceT_co]):
    """What a part's actions may use of the backend that holds the instances: finding one, the clocks, bringing
    the state up to the present (:meth:`advance`) and the rule that an instance must be ``Running``
    (:meth:`require_running`), which stay with the instance's lifecycle in :mod:`.model`."""

    @property
    def account(self) -> Account: ...

    @property
    def timings(self) -> Timings: ...

    def advance(self) -> float: ...

    def wall_now(self) -> datetime: ...

    def wall_ms(self) -> int: ...

    def get(self, region: str, registry_id: str) -> _InstanceT_co: ...

    def by_domain(self, domain: str) -> _InstanceT_co | None: ...

    def require_running(self, instance: InstanceView) -> None: ...
