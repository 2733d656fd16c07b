"""Permission questions about an account, answered with the policy engine (:mod:`iamwarden.policy`).

* :mod:`.principals` - everything that governs a principal's requests: its own and its groups' policies (managed
  default versions and inline), its permissions boundary, and the SCPs at each level of the organization.
* :mod:`.permissions` - "is this principal (or policy) effectively an administrator, and which statements make it
  so", "may it do this privileged action without MFA", "does this policy grant a whole sensitive service".
* :mod:`.trust` - who outside the account can assume a role, and under which conditions.
"""
