"""What the CloudTrail checks share."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from iamwarden.checks.base import Outcome, account_arn, failed, missing, not_applicable, passed
from iamwarden.model import Account, Trail

DESCRIBE = "cloudtrail:DescribeTrails"


def trails_collected(account: Account) -> bool:
    """DescribeTrails answered in at least one region."""
    return any(account.was_collected(DESCRIBE, region) for region in account.regions)


def records_all_management_events(selectors: Mapping[str, Any]) -> bool:
    """Whether GetEventSelectors' response records read and write management events.

    Basic selectors: one with ``IncludeManagementEvents: true`` and ``ReadWriteType: All``. Advanced selectors: one
    whose field selectors say ``eventCategory = Management`` and do not narrow ``readOnly``.
    """
    for selector in selectors.get("EventSelectors") or ():
        if selector.get("IncludeManagementEvents", True) and selector.get("ReadWriteType", "All") == "All":
            return True
    for advanced in selectors.get("AdvancedEventSelectors") or ():
        fields = advanced.get("FieldSelectors") or ()
        category = [f for f in fields if f.get("Field") == "eventCategory"]
        narrowed = [f for f in fields if f.get("Field") == "readOnly"]
        if any("Management" in (f.get("Equals") or ()) for f in category) and not narrowed:
            return True
    return False


def trail_label(trail: Trail) -> str:
    return f"trail {trail.name} ({trail.home_region})"


def each_trail(account: Account) -> Iterator[Outcome | Trail]:
    """The account's trails, or the one outcome for the account when there is none to judge: ``unknown`` when
    DescribeTrails answered nowhere, ``not_applicable`` when it found no trail (monitoring.multi_region_trail fails)."""
    if not trails_collected(account):
        yield missing(account, account_arn(account), DESCRIBE, region=None)
        return
    if not account.trails:
        yield not_applicable(account_arn(account), "no trails (see monitoring.multi_region_trail)")
        return
    yield from account.trails


def trail_setting(account: Account, attribute: str) -> Iterator[Outcome]:
    """Each trail passes when its DescribeTrails ``attribute`` (a :class:`Trail` field) is set, fails when not."""
    for trail in each_trail(account):
        if isinstance(trail, Outcome):
            yield trail
            continue
        value = getattr(trail, attribute)
        if value:
            yield passed(trail.arn, f"{trail_label(trail)}: {attribute} set", **{attribute: value})
        else:
            yield failed(trail.arn, f"{trail_label(trail)}: {attribute} not set", **{attribute: value})
