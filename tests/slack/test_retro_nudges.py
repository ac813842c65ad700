"""Who gets the nudge before a retro closes: not those who wrote, anonymously or not (issue 13)."""

from __future__ import annotations

import json
import sqlite3

from tests.fakes.slack_api import BOT_USER, FakeSlack
from tests.inprocess import InProcessApp
from tests.slack.test_retro_flow import modal_entry, wait_for_row
from tests.slack_requests import SlackSender

CHANNEL = "C0NUDGE01"
LEAD, NAMED, ANON, QUIET = "U0LEAD001", "U0NAMED01", "U0ANONY01", "U0QUIET01"


def test_people_who_wrote_only_anonymously_are_not_nudged_and_not_stored(
    seeded_app: InProcessApp, sender: SlackSender, fake: FakeSlack
) -> None:
    fake.channel_members[CHANNEL] = [BOT_USER, LEAD, NAMED, ANON, QUIET]
    sender.command("/retro", "Sprint 7", channel_id=CHANNEL, user_id=LEAD)
    [prompt] = fake.wait_for(
        "chat.postMessage",
        lambda c: c.params.get("channel") == CHANNEL and "Sprint 7" in c.params.get("text", ""),
    )
    wait_for_row(seeded_app, "SELECT 1 FROM retros WHERE prompt_ts = ?", prompt.response["ts"])
    add = next(
        e
        for b in prompt.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("retro_add_entry:")
    )
    retro_id = json.loads(add["value"])["r"]
    for user, anonymous, view_id in ((NAMED, False, "V0NUDGE1"), (ANON, True, "V0NUDGE2")):
        modal_entry(
            sender,
            retro_id=retro_id,
            section="went_well",
            text=f"Something good ({view_id})",
            user=user,
            anonymous=anonymous,
            view_id=view_id,
        )

    assert seeded_app.deps.retros.nudges.send_nudge(retro_id) == [QUIET]
    nudged = {c.params["channel"] for c in fake.calls_to("chat.postMessage")}
    assert QUIET in nudged and not {ANON, NAMED, LEAD} & nudged

    # Whoever wrote anonymously is written nowhere, before the close or after it.
    def stored_anywhere(user: str) -> list[str]:
        with sqlite3.connect(seeded_app.db_path) as conn:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return [
                t
                for t in tables
                if user in "".join(str(row) for row in conn.execute(f'SELECT * FROM "{t}"'))
            ]

    assert stored_anywhere(ANON) == [] and stored_anywhere(NAMED) == ["retro_entries"]
    sender.command("/retro", "close", channel_id=CHANNEL, user_id=LEAD)
    fake.wait_for(
        "chat.update",
        lambda c: (
            c.params.get("channel") == CHANNEL and "closed" in c.params.get("text", "").lower()
        ),
    )
    seeded_app.wait_idle()
    with sqlite3.connect(seeded_app.db_path) as conn:
        marks = conn.execute("SELECT count(*) FROM retro_contributions").fetchone()[0]
    assert marks == 0  # who contributed is kept only while the retro is open
    assert stored_anywhere(ANON) == []
