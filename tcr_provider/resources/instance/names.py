"""Check's questions about an Instance's name: declared twice in one stack, or not free in the cloud.

Names are global across all accounts, so CheckInstanceName is asked at preview: a taken name fails there,
not minutes into `pulumi up`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from ...cloud import TcrCloud
from ...errors import ApiError, SettingsError
from ...fields import Failure, Inputs
from ...lifecycle import say
from ...ownership import Owner


class NameChecks:
    """What one provider process has seen of the names its stack declares."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._names_in_stack: set[str] = set()
        self._claims: dict[str, Owner] = {}  # registry name -> the resource of this stack that declares it

    def failures(
        self,
        cloud: TcrCloud,
        inputs: Inputs,
        olds: Mapping[str, Any],
        owner: Owner | None,
        taken_by_us: Callable[[], bool] | None,
    ) -> list[Failure]:
        """`taken_by_us`: whether the instance holding the name was bought by an earlier run of this resource."""
        return self._duplicate_failures(inputs, owner) or self._name_failures(cloud, inputs, olds, taken_by_us)

    def _duplicate_failures(self, inputs: Inputs, owner: Owner | None) -> list[Failure]:
        """Two resources of one stack declaring the same (global) name would fight at `up`: refuse both."""
        if owner is None:
            return []
        with self._lock:
            claimed = self._claims.setdefault(inputs.name, owner)
        if claimed.marker == owner.marker:
            return []
        return [
            Failure(
                "name",
                f"name: {inputs.name!r} is declared by two resources of this stack, {claimed.resource!r} and "
                f"{owner.resource!r}; registry names are global: give each resource its own name",
            )
        ]

    def _name_failures(
        self, cloud: TcrCloud, inputs: Inputs, olds: Mapping[str, Any], taken_by_us: Callable[[], bool] | None
    ) -> list[Failure]:
        """Ask CheckInstanceName about a new name, so a taken name fails at preview, not during up."""
        # For a replacement the engine checks the inputs a second time with no old inputs. When the name
        # stays (a region change), it is taken by the very instance being replaced; the first check of
        # this run, in this process, recorded that.
        with self._lock:
            if olds.get("name") == inputs.name:
                self._names_in_stack.add(inputs.name)
                return []
            if inputs.name in self._names_in_stack:
                return []
        try:
            verdict = cloud.check_name(inputs.region, inputs.name)
        except ApiError as exc:
            if exc.code.startswith("AuthFailure"):
                raise  # every later call would fail the same way: say so at preview
            say(f"warning: could not check whether the name {inputs.name!r} is free ({exc}); going on")
            return []
        except SettingsError as exc:
            say(f"warning: could not check whether the name {inputs.name!r} is free ({exc}); going on")
            return []
        if verdict.available or (verdict.reason == "exists" and inputs.adopt_existing):
            return []
        if verdict.reason == "exists" and taken_by_us is not None and taken_by_us():
            return []  # bought by an earlier, interrupted run of this very resource: create takes it over
        reasons = {
            "exists": "is already taken (instance names are global across all accounts). If that instance is "
            "yours, set adopt_existing=True to take it over; if you choose another name instead, it stays "
            "where it is, and is billed, until you delete it",
            "reserved": "is reserved by TCR: choose another name",
            "illegal": "is refused by TCR's name rules: use lower-case letters, digits and '-'",
        }
        reason = reasons.get(verdict.reason, "was refused by CheckInstanceName: choose another name")
        return [Failure("name", f"name: {inputs.name!r} {reason}")]
