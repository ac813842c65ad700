"""The knowledge base against a real Chroma server (`chroma run`), as used when CHROMA__HOST is set."""

from __future__ import annotations

from pathlib import Path

import pytest
from chromadb.api import ClientAPI

from knowledge.chroma_client import make_chroma_client
from knowledge.errors import EmbeddingModelMismatch
from tests.knowledge.conftest import MakeKB
from tests.servers import Servers


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'alignbot.db'}"


@pytest.fixture
def server_client(servers: Servers) -> ClientAPI:
    """The run's Chroma server, emptied for this test."""
    port = servers.fresh().chroma.port
    return make_chroma_client(path=Path("unused"), host="127.0.0.1", port=port)


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
