"""Where each account sits in the organization, and what that puts on both sides of a cross-account request: its
SCPs or RCPs level by level (:meth:`OrgPlaces.levels`) and the organization's keys of the request context
(:meth:`OrgPlaces.context`). Policies are compiled once per text (:meth:`OrgPlaces.policy`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from iamwarden.model import Organization
from iamwarden.model.entities import OrgPolicy
from iamwarden.policy import Policy, parse_policy

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"


@dataclass(slots=True)
class Place:
    account_id: str
    path: tuple[str, ...]
    """Root, OUs, then the account id; empty when unknown."""
    management: bool


@dataclass(slots=True)
class OrgPlaces:
    """The accounts' places in the organization and the organization's policies."""

    org_id: str | None = None
    places: dict[str, Place] = field(default_factory=dict)
    policies: dict[str, OrgPolicy] = field(default_factory=dict)
    unapplied: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """(account, policy type) whose SCPs or RCPs were not applied: the levels without any policy (incomplete data),
    or empty when the organization has none of that type (the type is not enabled)."""
    _compiled: dict[bytes, Policy] = field(default_factory=dict)
    _levels: dict[tuple[str, str], tuple[tuple[Policy, ...], ...]] = field(default_factory=dict)

    def add(self, account_id: str, organization: Organization | None) -> None:
        """An account, its place and its organization's policies (its :class:`~iamwarden.model.Organization`;
        ``None``: outside any)."""
        if organization is None:
            self.places[account_id] = Place(account_id, (), False)
            return
        self.org_id = self.org_id or organization.org_id
        for policy in organization.policies:
            self.policies.setdefault(policy.policy_id, policy)
        self.place(account_id, organization)

    def place(self, account_id: str, organization: Organization) -> None:
        """An account's place alone (an account known only from the organization: nothing else is taken from it)."""
        management = organization.management_account_id == account_id
        self.places[account_id] = Place(account_id, organization.path, management)

    def policy(self, text: bytes, name: str) -> Policy:
        """The policy of JSON ``text``, compiled once per text (the first name given stays)."""
        found = self._compiled.get(text)
        if found is None:
            found = self._compiled[text] = parse_policy(orjson.loads(text), name=name, source=name)
        return found

    def levels(self, account_id: str, policy_type: str) -> tuple[tuple[Policy, ...], ...]:
        """The account's SCPs or RCPs, one tuple per level root first; empty when they do not apply (the management
        account, an account outside the organization or with an unknown path, a type not enabled or a level without
        any policy: :attr:`unapplied`)."""
        key = (account_id, policy_type)
        found = self._levels.get(key)
        if found is None:
            place = self.places.get(account_id)
            out: list[tuple[Policy, ...]] = []
            if place is not None and place.path and not place.management:
                for node in place.path:
                    level = [
                        self.policy(orjson.dumps(p.document), f"{'SCP' if policy_type == SCP else 'RCP'} {p.name}")
                        for p in self.policies.values()
                        if p.type == policy_type and node in p.target_ids and p.document is not None
                    ]
                    out.append(tuple(level))
                if not all(out):
                    # AWS keeps FullAWSAccess (RCPFullAWSAccess) attached at every level while the policy type is
                    # enabled: no policy anywhere means the type is off; a level without any, incomplete data.
                    # Either way the type is not applied (as for an account's own SCPs: principals.scp_levels).
                    empty = [n for n, level in zip(place.path, out, strict=True) if not level]
                    self.unapplied[key] = empty if any(out) else []
                    out = []
            found = self._levels[key] = tuple(out)
        return found

    def org_path(self, account_id: str) -> str | None:
        """``o-.../r-.../ou-.../``: the account's ``aws:PrincipalOrgPaths`` / ``aws:ResourceOrgPaths`` entry."""
        place = self.places.get(account_id)
        if self.org_id is None or place is None or not place.path:
            return None
        return "/".join((self.org_id, *place.path[:-1])) + "/"

    def context(self, caller_account: str, target_account: str) -> dict[str, Any]:
        """The organization's keys of a request from ``caller_account`` to ``target_account`` (``""``: outside)."""
        ctx: dict[str, Any] = {}
        if self.org_id is None:
            return ctx
        for side, account in (("Principal", caller_account), ("Resource", target_account)):
            if account in self.places:
                ctx[f"aws:{side}OrgID"] = self.org_id
                path = self.org_path(account)
                if path is not None:
                    ctx[f"aws:{side}OrgPaths"] = [path]
        return ctx
