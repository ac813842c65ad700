"""Fetch a web page for ingestion with size and time limits, refusing private network addresses."""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from knowledge.errors import IngestError

MAX_REDIRECTS = 5
USER_AGENT = "alignbot-knowledge/1.0 (+https://github.com/alignbot)"


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    data: bytes
    content_type: str | None
    charset: str | None
    filename: str


def fetch_url(url: str, *, max_bytes: int, timeout: float, allow_private: bool) -> Fetched:
    deadline = time.monotonic() + timeout
    current = url
    with httpx.Client(
        timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            addresses = checked_addresses(current, allow_private=allow_private)
            try:
                with _stream_at(client, current, addresses) as response:
                    if response.is_redirect and "location" in response.headers:
                        # Every hop is checked again: a public page may redirect inward.
                        current = urljoin(current, response.headers["location"])
                        continue
                    if response.status_code >= 400:
                        raise IngestError(f"{current} answered HTTP {response.status_code}.")
                    data = _read_limited(response, current, max_bytes, deadline)
                    return Fetched(
                        url=current,
                        data=data,
                        content_type=response.headers.get("content-type"),
                        charset=response.charset_encoding,
                        filename=_filename(current),
                    )
            except httpx.TimeoutException as exc:
                raise IngestError(f"{current} did not answer within {timeout:g} s.") from exc
            except httpx.HTTPError as exc:
                raise IngestError(f"Could not fetch {current}: {exc}.") from exc
    raise IngestError(f"{url} redirected more than {MAX_REDIRECTS} times.")


@contextmanager
def _stream_at(client: httpx.Client, url: str, addresses: list[str]) -> Iterator[httpx.Response]:
    """GET `url` from one of the addresses that were checked, never from a fresh lookup of its
    name (which a rebinding DNS server could point inward): the request goes to the address,
    with the page's own name in the Host header and, over TLS, in SNI and the certificate
    check. Addresses are tried in turn, as a connection by name would."""
    target = httpx.URL(url)
    named = {"Host": target.netloc.decode("ascii")}
    extensions = {}
    if target.scheme == "https" and not _is_address(target.host):
        extensions["sni_hostname"] = target.raw_host.decode("ascii")
    failure: httpx.ConnectError | None = None
    for address in addresses:
        request = client.build_request(
            "GET", target.copy_with(host=address), headers=named, extensions=extensions
        )
        try:
            response = client.send(request, stream=True)
        except httpx.ConnectError as exc:
            failure = exc
            continue
        try:
            yield response
        finally:
            response.close()
        return
    assert failure is not None
    raise failure


def _read_limited(response: httpx.Response, url: str, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise IngestError(
            f"{url} is {int(declared) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB."
        )
    body = bytearray()
    for piece in response.iter_bytes():
        body.extend(piece)
        if len(body) > max_bytes:
            raise IngestError(f"{url} is larger than the {max_bytes / 1e6:.0f} MB limit.")
        if time.monotonic() > deadline:
            raise IngestError(f"{url} took too long to download.")
    return bytes(body)


def checked_addresses(url: str, *, allow_private: bool) -> list[str]:
    """The addresses `url`'s host resolves to, each one public unless private ones are allowed:
    the fetch connects to these, so what was checked is what is fetched."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IngestError(f"“{url}” is not an http(s) URL.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(parts.hostname, port)
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise IngestError(
                    f"{parts.hostname} resolves to a private or local address ({address}); "
                    "alignbot does not fetch those unless KNOWLEDGE__ALLOW_PRIVATE_URLS is set."
                )
    return addresses


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise IngestError(f"Could not resolve {host}.") from exc
    # In the resolver's order of preference, as a connection by name would try them.
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _filename(url: str) -> str:
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    return name or (urlsplit(url).hostname or "page")
