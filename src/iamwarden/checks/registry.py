"""The explicit, ordered list of every check (no registration by import side effect).

Adding a check: write its module, then add one line here. Ids are stable: never reuse or rename one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from iamwarden.checks.audit import access_analyzer, config_recording, policy_lint, support_role
from iamwarden.checks.base import Check
from iamwarden.checks.conditions import (
    admin_network_bounds,
    condition_misuse,
    cross_account_trust,
    privileged_without_mfa,
)
from iamwarden.checks.credentials import (
    access_key_rotation,
    expired_server_certificates,
    inactive_keys,
    initial_setup_keys,
    single_active_key,
    unused_access_keys,
    unused_passwords,
)
from iamwarden.checks.groups import empty_groups, group_has_policies, user_direct_policies, user_in_group
from iamwarden.checks.least_privilege import (
    admin_policies,
    cloudshell_full_access,
    effective_admins,
    privilege_escalation,
    sensitive_service_wildcards,
    unused_roles,
    unused_services,
    unused_users,
)
from iamwarden.checks.mfa import admin_users, console_users, unassigned_virtual_devices
from iamwarden.checks.monitoring import (
    multi_region_trail,
    trail_cloudwatch_logs,
    trail_delivery,
    trail_kms_encryption,
    trail_log_file_validation,
)
from iamwarden.checks.organization import (
    cross_account_escalation,
    delegated_administrators,
    external_trust,
    member_iam_users,
    root_access_centralized,
    scp_leave_organization,
    scp_protect_cloudtrail,
    scp_protect_guardduty,
)
from iamwarden.checks.organization._common import OrgCheck
from iamwarden.checks.password_policy import (
    complexity,
    exists,
    max_age,
    minimum_length,
    reuse_prevention,
    users_can_change,
)
from iamwarden.checks.roles import (
    ec2_instance_profile,
    lambda_key_variables,
    oidc_subject,
    trust_open,
    workload_access_keys,
)
from iamwarden.checks.root import (
    centralized_root_access,
    hardware_mfa,
    mfa_enabled,
    no_access_keys,
    no_signing_certificates,
    not_recently_used,
)
from iamwarden.checks.secrets import ec2_user_data, keys_in_code, lambda_environment


class RegistryError(ValueError):
    """The check list is inconsistent (a duplicate id): a programming error, caught by the test suite."""


C = TypeVar("C", Check, OrgCheck)


def build_registry(checks: Iterable[C]) -> tuple[C, ...]:
    """The checks in order, refusing duplicate ids."""
    seen: dict[str, C] = {}
    for check in checks:
        if check.id in seen:
            raise RegistryError(f"duplicate check id {check.id!r}")
        seen[check.id] = check
    return tuple(seen.values())


CHECKS: tuple[Check, ...] = build_registry(
    (
        # 1. Least privilege
        effective_admins.CHECK,
        admin_policies.CHECK,
        sensitive_service_wildcards.CHECK,
        cloudshell_full_access.CHECK,
        unused_roles.CHECK,
        unused_users.CHECK,
        unused_services.CHECK,
        privilege_escalation.CHECK,
        # 2. Root user
        mfa_enabled.CHECK,
        hardware_mfa.CHECK,
        no_access_keys.CHECK,
        no_signing_certificates.CHECK,
        not_recently_used.CHECK,
        centralized_root_access.CHECK,
        # 3. MFA
        console_users.CHECK,
        admin_users.CHECK,
        unassigned_virtual_devices.CHECK,
        # 4. Groups
        user_direct_policies.CHECK,
        user_in_group.CHECK,
        empty_groups.CHECK,
        group_has_policies.CHECK,
        # 5. Roles
        ec2_instance_profile.CHECK,
        workload_access_keys.CHECK,
        trust_open.CHECK,
        oidc_subject.CHECK,
        lambda_key_variables.CHECK,
        # 6. Credentials
        access_key_rotation.CHECK,
        unused_access_keys.CHECK,
        unused_passwords.CHECK,
        single_active_key.CHECK,
        initial_setup_keys.CHECK,
        inactive_keys.CHECK,
        expired_server_certificates.CHECK,
        # 7. Monitoring
        multi_region_trail.CHECK,
        trail_log_file_validation.CHECK,
        trail_kms_encryption.CHECK,
        trail_cloudwatch_logs.CHECK,
        trail_delivery.CHECK,
        # 8. Conditions
        privileged_without_mfa.CHECK,
        cross_account_trust.CHECK,
        condition_misuse.CHECK,
        admin_network_bounds.CHECK,
        # 9. Password policy
        exists.CHECK,
        minimum_length.CHECK,
        complexity.CHECK,
        reuse_prevention.CHECK,
        max_age.CHECK,
        users_can_change.CHECK,
        # 10. Access keys in code
        lambda_environment.CHECK,
        ec2_user_data.CHECK,
        keys_in_code.CHECK,
        # 11. Audit and compliance
        access_analyzer.CHECK,
        config_recording.CHECK,
        support_role.CHECK,
        policy_lint.CHECK,
    )
)

ORG_CHECKS: tuple[OrgCheck, ...] = build_registry(
    (
        cross_account_escalation.CHECK,
        root_access_centralized.CHECK,
        member_iam_users.CHECK,
        scp_protect_cloudtrail.CHECK,
        scp_protect_guardduty.CHECK,
        external_trust.CHECK,
        scp_leave_organization.CHECK,
        delegated_administrators.CHECK,
    )
)
"""The organization-wide checks (``scan BUNDLE``), in practice order; their ids share the space of :data:`CHECKS`."""

CHECKS_BY_ID = {check.id: check for check in CHECKS}
if set(CHECKS_BY_ID) & {c.id for c in ORG_CHECKS}:
    raise RegistryError("an organization check reuses an account check's id")


def select(practices: Sequence[int] = (), ids: Sequence[str] = ()) -> tuple[Check, ...]:
    """The registered checks of the given practices and/or ids (all when neither is given); unknown ids raise."""
    unknown = [i for i in ids if i not in CHECKS_BY_ID]
    if unknown:
        raise KeyError(", ".join(unknown))
    return tuple(c for c in CHECKS if (not practices or c.metadata.practice in practices) and (not ids or c.id in ids))
