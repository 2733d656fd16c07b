"""What the CloudTrail checks share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
