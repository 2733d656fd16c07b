"""The kinds of policy, named once for the engine, the linter and the analyses.

``identity`` (user, group and role policies), ``resource`` (a resource-based policy: bucket, key, queue ...),
``trust`` (a role's trust policy: the resource-based policy of ``sts:AssumeRole*``; the engine decides it as
``resource``), ``permission_boundary``, ``session`` (session policies passed to ``AssumeRole`` /
``GetFederationToken``), ``scp`` and ``rcp`` (AWS Organizations' service and resource control policies). The names
follow the IAM User Guide's "Policy types" page (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html).
"""

from __future__ import annotations

from typing import Final, Literal, get_args

PolicyType = Literal["identity", "resource", "trust", "permission_boundary", "session", "scp", "rcp"]
POLICY_TYPES: Final[tuple[PolicyType, ...]] = get_args(PolicyType)

__all__ = ["POLICY_TYPES", "PolicyType"]
