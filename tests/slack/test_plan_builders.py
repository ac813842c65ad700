"""The plan surfaces' Block Kit, checked by the strict validator the fake Slack uses."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date

import pytest
from PIL import Image

from drafting.pictures import CHART_SIZE, ChartData, chart_alt_text, render_progress_chart
from handlers import ids
from handlers.payloads import BadPayload
from handlers.plan_announcements import build_home_plans, build_plan_adopted, build_plan_closed
from handlers.plan_modals import build_adopt_modal, build_checkin_modal, build_edit_modal
from handlers.plan_submissions import field_errors, read_kr_inputs, read_metadata
from handlers.plan_text import bar, format_value
from handlers.plan_views import biggest_movers, build_checkin_dm, build_digest, build_status
from tests.fakes.block_kit import MAX_MESSAGE_BLOCKS, check_blocks, check_view
from tests.slack.plan_samples import (
    BILLING,
    HR,
    LEAD,
    ONBOARDING,
    OPS,
    UPTIME,
    plan,
    with_key_results,
)


def all_text(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_values_read_as_people_write_them():
    assert format_value(99.95, "%") == "99.95%"
    assert format_value(8.1, "days") == "8.1 days"
    assert format_value(1_200_000, "$") == "$1.2M"
    assert format_value(1340, "") == "1,340"
    assert format_value(1.0, "", "deliverable") == "done"
    assert bar(0.48) == "`█████░░░░░`"
    assert bar(None) == "`░░░░░░░░░░`"


def test_checkin_dm_lists_the_owners_key_results_with_one_button():
    view = plan()
    blocks = build_checkin_dm(view, LEAD, [UPTIME, ONBOARDING], round_id=5)
    check_blocks(blocks, limit=MAX_MESSAGE_BLOCKS)
    text = all_text(blocks)
    assert "KR 1.1" in text and "KR 1.2" in text and "now *98%*" in text
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == [ids.OKR_CHECKIN]
    assert json.loads(buttons[0]["value"]) == {"p": 7, "r": 5}
    # The plan's title is user text: its markup is escaped, never live.
    assert "<!here>" not in text and "<!channel>" not in text
    reminder = all_text(build_checkin_dm(view, LEAD, [UPTIME], round_id=5, reminder=True))
    assert "still open" in reminder


def test_digest_shows_progress_movers_risks_and_who_is_missing():
    blocks = build_digest(plan())
    check_blocks(blocks, limit=MAX_MESSAGE_BLOCKS)
    text = all_text(blocks)
    assert "Plan progress 17%" in text
    assert "48%" in text and "`█████░░░░░`" in text  # uptime 96.2% → 99.95% at 98%
    movers = biggest_movers(plan())
    assert [kr.ref for kr, _ in movers] == ["1.1"]  # 20% → 48%; 1.2 did not move
    assert "+28 pts" in text
    # Off track before at risk, each with its note made safe.
    risks = next(b["text"]["text"] for b in blocks if "At risk or off track" in str(b))
    assert risks.index("KR 2.2") < risks.index("KR 1.1")
    assert "Failover @channel still manual" in risks and "Vendor @U0X late" in risks
    assert f"<@{OPS}>" in next(b["text"]["text"] for b in blocks if "Not checked in" in str(b))
    assert "<!channel>" not in text and "<!here>" not in text


def test_digest_of_sixteen_key_results_fits_one_message():
    blocks = build_digest(with_key_results(plan(), 16))
    check_blocks(blocks, limit=MAX_MESSAGE_BLOCKS)
    assert all_text(blocks).count("KR ") >= 16


def test_status_adds_the_viewers_controls():
    blocks = build_status(plan(), user=LEAD)
    check_blocks(blocks, limit=MAX_MESSAGE_BLOCKS)
    actions = blocks[-1]
    assert actions["block_id"] == ids.OKR_STATUS_ACTIONS
    kinds = [e["action_id"] for e in actions["elements"]]
    assert kinds == [ids.OKR_CHECKIN, ids.OKR_EDIT_KR]
    # Someone who owns nothing can still edit (the service decides who may), not check in.
    other = build_status(plan(), user="U0NOBODY1")
    assert [e["action_id"] for e in other[-1]["elements"]] == [ids.OKR_EDIT_KR]
    setup = build_status(plan(status="setup"), user=LEAD)
    check_blocks(setup, limit=MAX_MESSAGE_BLOCKS)
    assert setup[-1]["elements"][0]["action_id"] == ids.OKR_SETUP
    assert "KR 2.1 still needs an owner or a target" in all_text(setup)
    closed = build_status(plan(status="closed"), user=LEAD)
    assert all(b["type"] != "actions" for b in closed)


def test_adopt_modal_asks_owners_and_missing_targets():
    view = plan(status="setup")
    modal = build_adopt_modal(view, adopter=LEAD)
    check_view(modal)
    blocks = {b.get("block_id"): b for b in modal["blocks"]}
    assert "Period *2027-Q1*" in all_text(modal)
    # An owner select per key result, the adopter by default where none is set.
    assert blocks[ids.kr_block("owner", 21)]["element"]["initial_user"] == LEAD
    assert blocks[ids.kr_block("owner", 12)]["element"]["initial_user"] == HR
    # A target input only where the draft left it to be set; deliverables need none.
    targets = [b for b in modal["blocks"] if str(b.get("block_id")).startswith("okr_target:")]
    assert [b["block_id"] for b in targets] == [ids.kr_block("target", 21)]
    assert json.loads(modal["private_metadata"]) == {"p": 7}


def test_adopt_modal_of_many_key_results_stays_within_a_view():
    modal = build_adopt_modal(with_key_results(plan(status="setup"), 128), adopter=LEAD)
    check_view(modal)
    assert "/okr edit" in all_text(modal)


def test_checkin_modal_has_value_confidence_and_note_per_key_result():
    modal = build_checkin_modal(plan(), [UPTIME, BILLING], round_id=5)
    check_view(modal)
    block_ids = [b.get("block_id") for b in modal["blocks"] if b["type"] == "input"]
    assert block_ids == [
        "okr_value:11",
        "okr_confidence:11",
        "okr_note:11",
        "okr_value:22",
        "okr_confidence:22",
        "okr_note:22",
    ]
    confidence = next(b for b in modal["blocks"] if b.get("block_id") == "okr_confidence:11")
    assert confidence["element"]["initial_option"]["value"] == "at_risk"
    assert read_metadata(modal) == (7, 5, [11, 22])


def test_edit_modal_prefills_the_key_result():
    modal = build_edit_modal(plan(), UPTIME)
    check_view(modal)
    by_id = {b.get("block_id"): b for b in modal["blocks"]}
    assert by_id["okr_target:11"]["element"]["initial_value"] == "99.95%"
    assert by_id["okr_direction:11"]["element"]["initial_option"]["value"] == "increase"
    check_view(build_edit_modal(plan(), BILLING))


def submitted(values: dict) -> dict:
    return {
        "private_metadata": json.dumps({"p": 7, "r": None, "k": [11]}),
        "state": {"values": values},
    }


def test_submissions_read_back_by_key_result():
    view = submitted(
        {
            "okr_value:11": {ids.OKR_VALUE_INPUT: {"type": "plain_text_input", "value": " 98% "}},
            "okr_confidence:11": {
                ids.OKR_CONFIDENCE_INPUT: {
                    "type": "static_select",
                    "selected_option": {"value": "at_risk"},
                }
            },
            "okr_note:11": {ids.OKR_NOTE_INPUT: {"type": "plain_text_input", "value": None}},
            "okr_owner:12": {ids.OKR_OWNER_INPUT: {"type": "users_select", "selected_user": OPS}},
        }
    )
    inputs = read_kr_inputs(view)
    assert (
        inputs[11].value == "98%" and inputs[11].confidence == "at_risk" and inputs[11].note == ""
    )
    assert inputs[12].owner == OPS
    assert read_metadata(view) == (7, None, [11])


@pytest.mark.parametrize(
    "values",
    [
        {"okr_confidence:11": {"x": {"selected_option": {"value": "very_sure"}}}},
        {"okr_value:11": {"x": {"value": 42}}},
        {"okr_value:11": "nope"},
    ],
)
def test_altered_submissions_are_refused(values):
    with pytest.raises(BadPayload):
        read_kr_inputs(submitted(values))


def test_service_errors_land_on_the_right_inputs():
    modal = build_adopt_modal(plan(status="setup"), adopter=LEAD)
    errors = field_errors({21: "Use a number", 12: "Pick someone"}, view=modal)
    assert errors == {"okr_target:21": "Use a number", "okr_owner:12": "Pick someone"}


def test_plan_thread_messages_and_home_section():
    for blocks in (
        build_plan_adopted(plan(status="setup"), adopted_by=LEAD),
        build_plan_adopted(plan(), adopted_by=LEAD),
        build_plan_closed(plan(status="closed"), retro_id=4),
        build_home_plans([plan()], user=LEAD),
        build_home_plans([], user=LEAD),
    ):
        check_blocks(blocks, limit=MAX_MESSAGE_BLOCKS)
    assert "1 still to set" in all_text(build_plan_adopted(plan(status="setup"), adopted_by=LEAD))
    home = all_text(build_home_plans([plan()], user=LEAD))
    assert "your 1 key result ·" in home and "next check-in" in home


def test_progress_chart_is_a_png_of_each_objective():
    view = plan()
    series = {
        f"{o.ref} · {o.title}": [(p.day, p.progress) for p in view.history.get(o.ref, ())]
        for o in view.objectives
    }
    png = render_progress_chart(
        ChartData(
            title="Progress by objective",
            subtitle="Company OKRs · 2027-Q1",
            starts=view.starts,
            ends=view.ends,
            series=series,
            today=date(2027, 1, 20),
        )
    )
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == CHART_SIZE
    # The first objective's colour (Okabe–Ito blue) is drawn: the line is there, not just axes.
    assert any(
        abs(r - 0x00) < 30 and abs(g - 0x72) < 30 and abs(b - 0xB2) < 30
        for _, (r, g, b) in image.getcolors(maxcolors=1 << 22) or []
    )
    alt = chart_alt_text(series, expected=view.elapsed)
    assert "1 · Reliability customers can count on: 34%" in alt and "no check-in yet" not in alt
    empty = chart_alt_text({"3 · New": []}, expected=0.5)
    assert "no check-in yet" in empty


def test_a_plan_with_no_history_still_charts():
    png = render_progress_chart(
        ChartData(
            title="t", subtitle="s", starts=date(2027, 1, 1), ends=date(2027, 3, 31), series={}
        )
    )
    assert Image.open(io.BytesIO(png)).size == CHART_SIZE


def test_long_titles_are_cut_not_refused():
    long = replace(plan(), title="x" * 400)
    check_blocks(build_digest(long), limit=MAX_MESSAGE_BLOCKS)
    check_view(build_adopt_modal(replace(long, status="setup"), adopter=LEAD))


def test_a_crowded_objective_spills_into_more_sections_not_off_the_page():
    wordy = replace(UPTIME, text="Raise API uptime " + "across every region and tier " * 8)
    crowded = with_key_results(plan(), 64)
    objectives = tuple(
        replace(o, key_results=tuple(replace(wordy, id=k.id, ref=k.ref) for k in o.key_results))
        for o in crowded.objectives
    )
    blocks = build_digest(replace(crowded, objectives=objectives))
    check_blocks(blocks, limit=MAX_MESSAGE_BLOCKS - 1)  # room left for a caller's actions
    text = all_text(blocks)
    assert "KR 1.16" in text  # the first objective whole, over several sections
    assert "more objective" in text or "KR 4.16" in text
