"""Web pages come in through httpx with limits, and private addresses stay off-limits by default."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from knowledge.errors import IngestError
from knowledge.url_fetch import check_url_allowed, is_public
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
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
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
        check_url_allowed(url, allow_private=False)


def test_guard_accepts_public_addresses_and_rejects_other_schemes() -> None:
    assert is_public("93.184.216.34")
    assert is_public("2606:4700:4700::1111")
    check_url_allowed("https://93.184.216.34/page", allow_private=False)
    for url in ("file:///etc/passwd", "ftp://93.184.216.34/x", "not a url"):
        with pytest.raises(IngestError, match="not an http"):
            check_url_allowed(url, allow_private=False)
