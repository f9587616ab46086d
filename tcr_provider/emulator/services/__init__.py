"""The emulated services, and the :class:`Cloud` that holds one account's state across them.

Each service is a package: ``model`` is its plain-Python state and rules, ``api`` its declared actions,
which read the parameters, call the model and shape the reply. :mod:`.base` is what they share. COS is not
an API 3.0 service (its own signature, XML answers): :mod:`.cos` is reached through :attr:`Cloud.cos`; nor is
the Docker Registry version check ``GET /v2/``, reached through :attr:`Cloud.registry_v2`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..errors import ApiError, InvalidAction, MissingParameter, NoSuchVersion
from ..protocol import ApiCall
from ..schema import conform
from .base import Account, Behaviour, CallContext, Reply, Service, Timings
from .cam.api import CamApi
from .cos.api import ACTIONS as COS_ACTIONS
from .cos.api import CosApi
from .cos.model import BucketStore
from .tag.api import TagApi
from .tag.model import TagStore
from .tcr.api import TcrApi
from .tcr.model import TcrBackend
from .tcr.registry_v2 import RegistryV2Api
from .tcr.tokens import TokenBackend

__all__ = ["Account", "Behaviour", "Cloud", "Timings"]


class Cloud:
    """One account's resources in every region, and the services that reach them."""

    def __init__(self, account: Account, timings: Timings, clock: Callable[[], float] = time.monotonic) -> None:
        self.tags = TagStore()
        self.buckets = BucketStore(account.app_id)
        self.cos = CosApi(self.buckets, account)
        self.tcr = TcrBackend(account, timings, self.tags, self.buckets, clock)
        self._tcr_api = TcrApi(self.tcr)
        self.registry_v2 = RegistryV2Api(TokenBackend(self.tcr))
        self.services: dict[str, Service] = {
            service.name: service for service in (self._tcr_api, TagApi(self.tags, self.tcr, account), CamApi(account))
        }
        self._actions = {name: service.actions() for name, service in self.services.items()}

    def action_names(self) -> set[str]:
        return {action for actions in self._actions.values() for action in actions} | set(COS_ACTIONS)

    def perform(self, call: ApiCall, behaviour: Behaviour) -> Reply:
        service = self.services.get(call.service)
        if service is None:
            raise InvalidAction(f"The service {call.service!r} is not emulated; use tcr, tag or cam.")
        if call.version != service.version:
            raise NoSuchVersion(f"The {service.name} API has version {service.version}, not {call.version!r}.")
        action = self._actions[service.name].get(call.action)
        if action is None:
            raise InvalidAction(f"The {service.name} API has no action {call.action!r}.")
        if service.regional and not call.region:
            raise MissingParameter("The request is missing the `X-TC-Region` header.")
        context = CallContext(region=call.region, behaviour=behaviour)
        service.admit(context)
        try:
            return action.perform(context, conform(call.params, action.fields, textual=call.textual))
        except ApiError as error:
            raise service.answer_for(call.action, error) from None

    def snapshot(self) -> dict[str, object]:
        """What ``GET /_emulator/state`` shows, bar the request counts."""
        instances = self.tcr.instances()
        return {
            "instances": self._tcr_api.registries(instances),
            "registries": self._tcr_api.neighbours(instances),
            "buckets": self.buckets.names(),
        }
