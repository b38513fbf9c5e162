"""The client's address, for every per-address limit (sign-in, filings, code lookups).

X-Forwarded-For is only words a sender chose, so it is believed only when the connection
comes from a proxy named in CIVIC_TRUSTED_PROXIES, and then only as far as the chain of
trusted proxies goes: each one appends the address it saw, so the right-most address that is
not itself a trusted proxy is the first one nobody on our side could have been lied to about.
Anything further left was written by the client and is ignored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from litestar.connection import ASGIConnection

Network = IPv4Network | IPv6Network


def _parse(text: str) -> IPv4Address | IPv6Address | None:
    try:
        address = ip_address(text.strip())
    except ValueError:
        return None
    # A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; proxies are listed as IPv4.
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPv4Address | IPv6Address | None, proxies: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def resolve(peer: str, forwarded_for: Iterable[str], proxies: Sequence[Network]) -> str:
    """The client's address given the connecting `peer`, the X-Forwarded-For header values in
    the order received, and the trusted proxies."""
    nearest = _parse(peer)
    if not _trusted(nearest, proxies):
        return peer
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # Not an address: no trusted proxy wrote it, so stop at the last one that did.
            break
        nearest = address
        if not _trusted(address, proxies):
            break
    return str(nearest)


def client_address(request: ASGIConnection) -> str:
    """The address per-address limits count against: the connecting peer, or, when the peer
    is a trusted proxy, the client it forwarded for. "unknown" when the server gives none."""
    if request.client is None:
        return "unknown"
    settings = request.app.state.get("settings")
    proxies = settings.security.trusted_proxies if settings is not None else ()
    return resolve(request.client.host, request.headers.getall("x-forwarded-for", []), proxies)
