"""Where a finding's account sits: its id and its OU path in the organization, as every report format names them.

``ou_path`` is the ids from the organization's root down to the account's parent OU (``("r-ab12",
"ou-ab12-11111111")``), empty when the account is in no organization or its path is unknown. Reports of an
organization (``scan BUNDLE``) read it from org.json through the account's :class:`~iamwarden.model.Organization`.
"""

from __future__ import annotations

from dataclasses import dataclass

from iamwarden.model import Account


@dataclass(frozen=True, slots=True)
class AccountPlace:
    account_id: str
    ou_path: tuple[str, ...]

    @property
    def ou_text(self) -> str:
        """The OU path as one string, ``r-ab12/ou-ab12-11111111`` (empty when unknown)."""
        return "/".join(self.ou_path)


def account_place(account: Account) -> AccountPlace:
    org = account.organization
    return AccountPlace(account.account_id, org.path[:-1] if org is not None and org.path else ())
