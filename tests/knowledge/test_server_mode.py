"""The knowledge base against a real Chroma server (`chroma run`), as used when CHROMA__HOST is set."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from chromadb.api import ClientAPI

from knowledge.chroma_client import make_chroma_client
from knowledge.errors import EmbeddingModelMismatch
from tests.knowledge.conftest import MakeKB

CHROMA_CLI = Path(sys.executable).parent / "chroma"
pytestmark = pytest.mark.slow


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'alignbot.db'}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[int]:
    if not CHROMA_CLI.exists():
        pytest.skip("the chroma CLI is not installed in this environment")
    port = free_port()
    log = (tmp_path / "chroma.log").open("wb")
    process = subprocess.Popen(
        [
            str(CHROMA_CLI),
            "run",
            "--path",
            str(tmp_path / "server-data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if (
                    httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code
                    == 200
                ):
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "chroma.log").read_text(errors="replace"))
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def server_client(chroma_server: int) -> ClientAPI:
    return make_chroma_client(path=Path("unused"), host="127.0.0.1", port=chroma_server)


def test_full_lifecycle_against_a_chroma_server(make_kb: MakeKB, server_client: ClientAPI) -> None:
    kb = make_kb(client=server_client)
    plan = kb.add_text("TSERVER", title="Plan", text="## Goals\n\nProject Kestrel ships in Q3.")
    kb.add_text("TOTHER", title="Other", text="Unrelated garden furniture catalogue.")
    assert sorted(c.name for c in server_client.list_collections()) == ["kb-TOTHER", "kb-TSERVER"]
    hit = kb.search("TSERVER", "when does Kestrel ship", k=3)[0]
    assert (hit.doc_id, hit.section) == (plan.doc_id, "Goals")
    assert all(h.title == "Plan" for h in kb.search("TSERVER", "garden furniture", k=5))
    replaced = kb.add_text(
        "TSERVER", title="Plan", text="## Goals\n\nProject Kestrel slipped to Q4."
    )
    assert replaced.status == "replaced"
    assert server_client.get_collection("kb-TSERVER").count() == 1
    assert kb.remove("TSERVER", replaced.doc_id)
    assert server_client.get_collection("kb-TSERVER").count() == 0
    kb.forget_workspace("TOTHER")
    assert [c.name for c in server_client.list_collections()] == ["kb-TSERVER"]


def test_model_mismatch_and_reindex_on_a_server(make_kb: MakeKB, server_client: ClientAPI) -> None:
    make_kb(client=server_client).add_text("TSERVER", title="Plan", text="The beta ships in June.")
    switched = make_kb(client=server_client, model_id="ollama:nomic-embed-text")
    with pytest.raises(EmbeddingModelMismatch):
        switched.search("TSERVER", "beta")
    assert switched.reindex("TSERVER") == 1
    assert switched.search("TSERVER", "when does the beta ship")[0].title == "Plan"
    assert [c.name for c in server_client.list_collections()] == ["kb-TSERVER"]
