"""Web pages come in through httpx with limits, and private addresses stay off-limits by default."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from knowledge.errors import IngestError
from knowledge.url_fetch import checked_addresses, is_public
from tests.knowledge.conftest import MakeKB
from tests.knowledge.documents import make_pdf


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: the SQL dialect does not matter here; the storage tests cover Postgres."""
    return f"sqlite:///{tmp_path / 'alignbot.db'}"


W = "TURLS"

PAGE = b"""<html><head><title>Team handbook</title></head><body>
<nav>Skip to content</nav><main><h1>Handbook</h1><h2>On-call</h2>
<p>On-call rotates weekly; handovers happen on Mondays at 10:00.</p></main></body></html>"""
ROUTES: dict[str, tuple[int, str, bytes, dict[str, str]]] = {
    "/handbook": (200, "text/html; charset=utf-8", PAGE, {}),
    "/report.pdf": (
        200,
        "application/pdf",
        make_pdf(["Revenue grew 18% in Q2."], title="Q2 report"),
        {},
    ),
    "/notes.md": (200, "text/plain", b"# Notes\n\nKestrel demo is on Friday.\n", {}),
    "/moved": (302, "text/plain", b"", {"Location": "/handbook"}),
    "/loop": (302, "text/plain", b"", {"Location": "/loop"}),
    "/missing": (404, "text/html", b"<h1>Not found</h1>", {}),
    "/huge": (200, "text/plain", b"x" * 50_000, {}),
    "/image": (200, "image/png", b"\x89PNG\r\n\x1a\n....", {}),
}


class Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []  # the Host header of every request

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        Handler.seen.append(self.headers.get("Host", ""))
        if self.path == "/slow":
            time.sleep(2)
        status, content_type, body, headers = ROUTES.get(self.path, ROUTES["/missing"])
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the timeout test hangs up on purpose; its broken pipe is expected


@pytest.fixture
def site() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_pages_and_files_are_fetched_when_private_urls_are_allowed(
    make_kb: MakeKB, site: str
) -> None:
    kb = make_kb(allow_private_urls=True)
    page = kb.add_url(W, f"{site}/handbook", added_by="U1")
    assert (page.title, page.source_kind, page.url) == ("Team handbook", "url", f"{site}/handbook")
    hit = kb.search(W, "when are on-call handovers", k=1)[0]
    assert hit.url == f"{site}/handbook"
    assert hit.section == "On-call"
    assert "Skip to content" not in hit.text
    report = kb.add_url(W, f"{site}/report.pdf")
    assert (report.title, report.pages) == ("Q2 report", 1)
    notes = kb.add_url(W, f"{site}/notes.md")
    assert notes.title == "Notes"
    assert kb.add_url(W, f"{site}/handbook").status == "unchanged"


def test_redirects_are_followed_and_recorded(make_kb: MakeKB, site: str) -> None:
    kb = make_kb(allow_private_urls=True)
    result = kb.add_url(W, f"{site}/moved")
    assert result.url == f"{site}/handbook"
    with pytest.raises(IngestError, match="redirected more than"):
        kb.add_url(W, f"{site}/loop")


@pytest.mark.parametrize(
    ("path", "settings", "expected"),
    [
        ("/missing", {}, "answered HTTP 404"),
        ("/huge", {"max_file_bytes": 10_000}, "limit"),
        ("/slow", {"url_timeout_seconds": 0.5}, "did not answer within 0.5 s"),
        ("/image", {}, "not a supported type"),
    ],
)
def test_failed_fetches_are_clear_errors_and_leave_nothing(
    make_kb: MakeKB, site: str, path: str, settings: dict[str, float], expected: str
) -> None:
    kb = make_kb(allow_private_urls=True, **settings)
    with pytest.raises(IngestError, match=expected):
        kb.add_url(W, f"{site}{path}")
    assert kb.list_documents(W) == []


def test_private_and_local_addresses_are_refused_by_default(make_kb: MakeKB, site: str) -> None:
    kb = make_kb()
    port = site.rsplit(":", 1)[1]
    for url in (f"{site}/handbook", f"http://localhost:{port}/handbook", f"http://[::1]:{port}/"):
        with pytest.raises(IngestError, match="private or local address"):
            kb.add_url(W, url)
    assert kb.list_documents(W) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.8/",
        "http://192.168.1.1/admin",
        "http://172.16.5.4/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata service
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://224.0.0.1/",
    ],
)
def test_guard_refuses_every_non_public_range(url: str) -> None:
    with pytest.raises(IngestError, match="private or local address"):
        checked_addresses(url, allow_private=False)


def test_guard_accepts_public_addresses_and_rejects_other_schemes() -> None:
    assert is_public("93.184.216.34")
    assert is_public("2606:4700:4700::1111")
    assert checked_addresses("https://93.184.216.34/page", allow_private=False) == ["93.184.216.34"]
    for url in ("file:///etc/passwd", "ftp://93.184.216.34/x", "not a url"):
        with pytest.raises(IngestError, match="not an http"):
            checked_addresses(url, allow_private=False)


class Resolver:
    """socket.getaddrinfo with one made-up host in it (every other name resolves as usual),
    counting how often that host is looked up."""

    def __init__(self, host: str, answers: list[str]) -> None:
        self.host, self.answers, self.lookups = host, answers, 0
        self.real = socket.getaddrinfo

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != self.host:
            return self.real(host, port, *args, **kwargs)
        # The last answer repeats: a rebinding name answers public once, then this machine.
        address = self.answers[min(self.lookups, len(self.answers) - 1)]
        self.lookups += 1
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]


def test_a_name_that_rebinds_to_this_machine_after_the_check_is_never_fetched_from_it(
    make_kb: MakeKB, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The DNS-rebinding window: the guard resolves the name to a public address, and the
    connection must go to that address, not to whatever the name resolves to a moment later."""
    resolver = Resolver("rebind.test", ["93.184.216.34", "127.0.0.1"])
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    Handler.seen.clear()
    kb = make_kb(url_timeout_seconds=1)
    port = site.rsplit(":", 1)[1]
    with pytest.raises(IngestError):
        kb.add_url(W, f"http://rebind.test:{port}/handbook")
    assert Handler.seen == [] and resolver.lookups == 1
    assert kb.list_documents(W) == []


def test_the_checked_address_is_fetched_under_the_pages_own_name(
    make_kb: MakeKB, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = Resolver("handbook.test", ["127.0.0.1"])
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    Handler.seen.clear()
    kb = make_kb(allow_private_urls=True)
    port = site.rsplit(":", 1)[1]
    result = kb.add_url(W, f"http://handbook.test:{port}/moved")
    # Each hop is resolved once, checked, and asked for by its name at the address checked.
    assert result.url == f"http://handbook.test:{port}/handbook"
    assert Handler.seen == [f"handbook.test:{port}"] * 2 and resolver.lookups == 2


@pytest.fixture
def tls_site(tmp_path: Path) -> Iterator[tuple[str, list[str | None], Path]]:
    """An HTTPS server on this machine with a certificate for handbook.test only; yields its
    port, the SNI names clients sent and the certificate (for SSL_CERT_FILE)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=handbook.test"),
            *("-addext", "subjectAltName=DNS:handbook.test"),
        ],
        check=True,
        capture_output=True,
    )
    names: list[str | None] = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,func-returns-value]
    server = QuietServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield str(server.server_address[1]), names, cert
    server.shutdown()
    server.server_close()


def test_over_tls_the_checked_address_is_verified_as_the_pages_own_name(
    make_kb: MakeKB,
    tls_site: tuple[str, list[str | None], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port, names, cert = tls_site
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.setattr(socket, "getaddrinfo", Resolver("handbook.test", ["127.0.0.1"]))
    kb = make_kb(allow_private_urls=True)
    result = kb.add_url(W, f"https://handbook.test:{port}/handbook")
    assert result.title == "Team handbook" and names == ["handbook.test"]
    # The same address under a name the certificate does not hold is refused.
    monkeypatch.setattr(socket, "getaddrinfo", Resolver("other.test", ["127.0.0.1"]))
    with pytest.raises(IngestError, match="Could not fetch"):
        kb.add_url(W, f"https://other.test:{port}/handbook")
