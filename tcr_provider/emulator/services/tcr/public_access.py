"""Public access: an instance's external (internet) endpoint and the allowlist of CIDRs it admits.

With the emulator's ``--modify-seconds`` M:

- ManageExternalEndpoint (in :mod:`.model`): ``Opening`` for M, then ``Opened``; closing shows ``Deleting`` for M,
  then ``Closed``, and once it is closed its policies are gone.
- CreateMultipleSecurityPolicy / DeleteMultipleSecurityPolicy: only while the endpoint is ``Opened``
  (``FailedOperation.PreconditionFailed`` otherwise); each request applies all of its entries or none.
- DescribeSecurityPolicies: ``ResourceNotFound`` while the endpoint is ``Opening`` (the Terraform provider
  retries exactly that), an empty set while ``Closed``, the policies otherwise.

The policy model: each created policy takes the next PolicyIndex (0, 1, 2, ... per instance; an index is never
reused), and the set has one version, a counter shown as text in every policy's PolicyVersion, which goes up by
one on every change of the set (the first policy is created at version "1"). A delete entry names its policy by
PolicyIndex (or, without one, by CidrBlock) and must carry the current PolicyVersion; a CidrBlock given beside
an index must be that policy's.

The emulator's reading, not confirmed by a source: the error codes for a change while the endpoint is not
Opened, for a CIDR already allowed (``InvalidParameter``), for an entry naming no current policy
(``ResourceNotFound``); that a CidrBlock must be an IPv4 network without host bits set (a bare address is
taken as /32); that a Description may not be empty.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Protocol

from ... import rules
from ...errors import FailedOperation, InvalidParameter, InvalidParameterValue, MissingParameter, ResourceNotFound
from .instance_view import BackendView, InstanceView


@dataclass
class SecurityPolicy:
    index: int
    cidr_block: str
    description: str


@dataclass(frozen=True)
class PolicyEntry:
    """One SecurityPolicy of a create or delete request, as sent."""

    cidr_block: str | None
    description: str | None
    index: int | None
    version: str | None


@dataclass
class ExternalEndpoint:
    """The public (internet) endpoint: ``opened`` is where it is heading, reached at ``settles_at``."""

    opened: bool = False
    settles_at: float = 0.0
    policies: list[SecurityPolicy] = field(default_factory=list)
    version: int = 0
    next_index: int = rules.FIRST_POLICY_INDEX

    def status(self, now: float) -> str:
        if now < self.settles_at:
            return "Opening" if self.opened else "Deleting"
        return "Opened" if self.opened else "Closed"

    def settle(self, now: float) -> None:
        if self.status(now) == "Closed" and self.policies:
            self.policies.clear()
            self.version += 1

    @property
    def policy_version(self) -> str:
        return str(self.version)


class WithExternalEndpoint(InstanceView, Protocol):
    """An instance as :class:`PublicAccessBackend` sees it."""

    @property
    def external_endpoint(self) -> ExternalEndpoint: ...


class PublicAccessBackend:
    """The allowlist actions, over the instances a :class:`.model.TcrBackend` holds."""

    def __init__(self, tcr: BackendView[WithExternalEndpoint]) -> None:
        self.tcr = tcr

    def policies(self, region: str, registry_id: str) -> tuple[ExternalEndpoint, list[SecurityPolicy]]:
        instance = self.tcr.get(region, registry_id)
        endpoint = instance.external_endpoint
        match endpoint.status(self.tcr.advance()):
            case "Opening":
                raise ResourceNotFound(
                    f"The public access of {registry_id} is still opening: its allowlist is not ready yet; "
                    "describe it again once DescribeExternalEndpointStatus says Opened."
                )
            case "Closed":
                return endpoint, []
            case _:
                return endpoint, list(endpoint.policies)

    def create_policies(self, region: str, registry_id: str, entries: list[PolicyEntry]) -> None:
        endpoint = self._opened(self.tcr.get(region, registry_id), "allow CIDRs")
        if not entries:
            raise MissingParameter("SecurityGroupPolicySet needs at least one policy.")
        allowed = {_network(policy.cidr_block) for policy in endpoint.policies}
        new: list[tuple[str, str]] = []
        for position, entry in enumerate(entries):
            where = f"SecurityGroupPolicySet.{position}"
            if not entry.cidr_block:
                raise MissingParameter(f"{where}.CidrBlock is required.")
            network = _checked_network(entry.cidr_block, where)
            if entry.description is None:
                raise MissingParameter(f"{where}.Description is required.")
            if not entry.description.strip():
                raise InvalidParameterValue(f"{where}.Description may not be empty: say whose addresses these are.")
            if network in allowed:
                raise InvalidParameter(
                    f"The CIDR {entry.cidr_block} is already allowed for {registry_id} (or given twice); "
                    "describe the policies with DescribeSecurityPolicies."
                )
            allowed.add(network)
            new.append((entry.cidr_block, entry.description))
        for cidr_block, description in new:
            endpoint.policies.append(SecurityPolicy(endpoint.next_index, cidr_block, description))
            endpoint.next_index += 1
        endpoint.version += 1

    def delete_policies(self, region: str, registry_id: str, entries: list[PolicyEntry]) -> None:
        endpoint = self._opened(self.tcr.get(region, registry_id), "remove CIDRs")
        if not entries:
            raise MissingParameter("SecurityGroupPolicySet needs at least one policy.")
        doomed: list[SecurityPolicy] = []
        for position, entry in enumerate(entries):
            policy = _named_policy(endpoint, entry, f"SecurityGroupPolicySet.{position}", registry_id)
            if policy not in doomed:
                doomed.append(policy)
        endpoint.policies = [policy for policy in endpoint.policies if policy not in doomed]
        endpoint.version += 1

    def _opened(self, instance: WithExternalEndpoint, what: str) -> ExternalEndpoint:
        endpoint = instance.external_endpoint
        status = endpoint.status(self.tcr.advance())
        if status != "Opened":
            raise FailedOperation(
                f"The public access of {instance.registry_id} is {status}, so its allowlist cannot {what}: open "
                "public access first (ManageExternalEndpoint with Operation=Create) and wait until "
                "DescribeExternalEndpointStatus says Opened.",
                sub="PreconditionFailed",
            )
        return endpoint


def _named_policy(endpoint: ExternalEndpoint, entry: PolicyEntry, where: str, registry_id: str) -> SecurityPolicy:
    if entry.index is None and not entry.cidr_block:
        raise MissingParameter(f"{where} must name a policy by PolicyIndex (or CidrBlock).")
    if not entry.version:
        raise MissingParameter(f"{where}.PolicyVersion is required: take it from DescribeSecurityPolicies.")
    if entry.index is not None:
        found = [policy for policy in endpoint.policies if policy.index == entry.index]
        named = f"PolicyIndex {entry.index}"
    else:
        assert entry.cidr_block is not None
        found = [policy for policy in endpoint.policies if policy.cidr_block == entry.cidr_block]
        named = f"CidrBlock {entry.cidr_block}"
    if not found:
        raise ResourceNotFound(f"{where}: {registry_id} has no security policy with {named}.")
    (policy,) = found
    if entry.cidr_block and entry.cidr_block != policy.cidr_block:
        raise ResourceNotFound(f"{where}: the policy with {named} allows {policy.cidr_block}, not {entry.cidr_block}.")
    if entry.version != endpoint.policy_version:
        raise ResourceNotFound(
            f"{where}: PolicyVersion {entry.version} is not the current version {endpoint.policy_version}; "
            "describe the policies again with DescribeSecurityPolicies."
        )
    return policy


def _checked_network(cidr_block: str, where: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(cidr_block, strict=True)
    except ValueError:
        raise InvalidParameterValue(
            f"{where}.CidrBlock {cidr_block!r} is not an IPv4 CIDR block such as 203.0.113.0/24 (host bits "
            "unset) or a single address such as 203.0.113.7."
        ) from None


def _network(cidr_block: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(cidr_block, strict=True)
