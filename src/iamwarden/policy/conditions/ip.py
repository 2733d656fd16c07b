"""IP address condition operators (IAM User Guide, "Condition operators: IP address").

Policy values are IPv4 or IPv6 addresses or CIDR blocks (``203.0.113.0/24``, ``2001:DB8:1234:5678::/64``; a bare
address is a /32 or /128); the request value (``aws:SourceIp``) is an address. An address of the other IP version
never matches. Policy variables are not supported.

| operator      | positive test                      |
| IpAddress     | the address is in one of the blocks |
| NotIpAddress  | negation: in none of the blocks     |
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from iamwarden.policy.conditions.base import Operator, text_then

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_network(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def parse_address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        network = parse_network(text)
        # a request value written as a single-host CIDR is that host
        if network is not None and network.num_addresses == 1:
            return network.network_address
        return None


def _test(context_value: str, policy_value: Any) -> bool:
    address = parse_address(context_value)
    return address is not None and address.version == policy_value.version and address in policy_value


IP_ADDRESS = Operator(
    "IpAddress",
    "IPAddress",
    False,
    False,
    parse_network,
    text_then(parse_network),
    _test,
    "the address is in a listed block",
    True,
)
NOT_IP_ADDRESS = Operator(
    "NotIpAddress",
    "IPAddress",
    True,
    False,
    parse_network,
    text_then(parse_network),
    _test,
    "the address is in no listed block",
    True,
)

OPERATORS = (IP_ADDRESS, NOT_IP_ADDRESS)
