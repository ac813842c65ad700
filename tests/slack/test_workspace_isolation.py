"""Two workspaces on one app: nothing of A's (knowledge, drafts) ever reaches B."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.slack_api import FakeSlack
from tests.inprocess import InProcessApp
from tests.slack.test_slash_drafts import block_texts
from tests.slack_requests import SlackSender

OTHER = "T0OTHER002"


def test_drafts_and_search_stay_inside_their_workspace(
    seeded_app: InProcessApp, sender: SlackSender, fake: FakeSlack, tmp_path: Path
) -> None:
    doc = tmp_path / "orchid.md"
    doc.write_text(
        "# Orchid Bank quarterly review\n\n"
        "Orchid Bank grew deposits by 18% to EUR 4.2 billion in Q3.\n\n"
        "Orchid Bank missed its mobile app launch by 6 weeks after an outage.\n"
    )
    seeded_app.seed(OTHER, doc)

    sender.command("/swot", "Orchid Bank", team_id=OTHER, channel_id="C0ORCHID01")
    post = fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0ORCHID01")[0]
    text = block_texts(post.params["blocks"])
    assert "Orchid" in text
    for foreign in ("Larkspur", "Kestrel"):
        assert foreign not in text

    resp = sender.command("/align", "kb search Kestrel", team_id=OTHER, channel_id="C0ORCHID01")
    assert resp.status_code == 200
    found = fake.wait_for(
        "chat.postEphemeral",
        lambda c: c.params.get("channel") == "C0ORCHID01" and "Kestrel" in c.params.get("text", ""),
    )[0]
    assert "Larkspur" not in str(found.params.get("blocks"))

    listing = sender.command("/align", "kb list", team_id=OTHER, channel_id="C0ORCHID01")
    assert "Orchid" in listing.text and "Larkspur" not in listing.text
