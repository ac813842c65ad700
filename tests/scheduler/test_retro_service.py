"""A retro's life through the RetroService parts: entries, anonymity, redelivery, close, carry-over."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from core.clock import ManualClock
from core.retro_sections import parse_prefixed_entry
from scheduler.errors import (
    ActionItemNotFound,
    EntryRejected,
    RetroAlreadyOpen,
    RetroClosed,
    RetroNotFound,
    ScheduleNotFound,
    ScheduleStateError,
)
from scheduler.models import RetroEntryRow
from scheduler.retro_service import RetroService
from scheduler.schedule_request import parse_schedule_command
from tests.scheduler.notifiers import FakeSynthesiser, LoggingNotifier

WS = "T0ALIGN"
CH = "C0TEAM"


def open_now(service: RetroService, **kw: object) -> int:
    info = service.opening.open_retro(
        WS, CH, "Sprint 42", opened_by="U0LEAD", window=timedelta(hours=2), **kw
    )  # type: ignore[arg-type]
    return info.id


@pytest.mark.parametrize(
    ("raw", "section", "body"),
    [
        ("+ deploys were calm", "went_well", "deploys were calm"),
        ("-flaky CI", "not_so_well", "flaky CI"),
        ("* pairing helps", "learnings", "pairing helps"),
        ("! <@U0BEN> fix the CI cache", "action_items", "<@U0BEN> fix the CI cache"),
        ("*bold* statement about reviews", None, "*bold* statement about reviews"),
        ("reviews took long", None, "reviews took long"),
        ("+", "went_well", ""),
    ],
)
def test_prefixes(raw: str, section: str | None, body: str) -> None:
    assert parse_prefixed_entry(raw) == (section, body)


def test_a_bare_prefix_in_the_thread_is_refused_not_stored(
    service: RetroService, sessions: sessionmaker[Session]
) -> None:
    info = service.opening.open_retro(
        WS, CH, "Sprint 42", opened_by="U0LEAD", window=timedelta(hours=2)
    )
    assert info.prompt_ts
    with pytest.raises(EntryRejected):
        service.entries.add_thread_reply(
            WS, CH, info.prompt_ts, text=" + ", author="U0ANA", message_ts="1700000100.000900"
        )
    assert service.lookup.list_entries(info.id, workspace_id=WS) == []


def test_whole_retro_lifecycle(
    service: RetroService,
    notifier: LoggingNotifier,
    synthesiser: FakeSynthesiser,
    sessions: sessionmaker[Session],
    clock: ManualClock,
) -> None:
    info = service.opening.open_retro(
        WS, CH, "Sprint 42", opened_by="U0LEAD", window=timedelta(hours=2)
    )
    assert notifier.opened[0].id == info.id
    assert info.prompt_ts and info.closes_at == clock.now() + timedelta(hours=2)
    assert not info.is_late

    service.entries.add_entry(
        info.id,
        workspace_id=WS,
        section="went_well",
        text="Shipped on time",
        author="U0ANA",
        anonymous=False,
        source="modal",
    )
    secret = service.entries.add_entry(
        info.id,
        workspace_id=WS,
        section="not_so_well",
        text="Standups drag",
        author="U0BEN",
        anonymous=True,
        source="modal",
    )
    first = service.entries.add_thread_reply(
        WS,
        CH,
        info.prompt_ts,
        text="! <@U0CAT> trim standups to 10 min",
        author="U0ANA",
        message_ts="1700000100.000200",
    )
    again = service.entries.add_thread_reply(
        WS,
        CH,
        info.prompt_ts,
        text="! <@U0CAT> trim standups to 10 min",
        author="U0ANA",
        message_ts="1700000100.000200",
    )
    unsorted = service.entries.add_thread_reply(
        WS,
        CH,
        info.prompt_ts,
        text="we learned that pairing helps",
        author="U0ANA",
        message_ts="1700000100.000300",
    )
    assert first is not None and again is not None and unsorted is not None
    assert first.created and not again.created and again.entry_id == first.entry_id
    assert unsorted.section is None
    assert (
        service.entries.add_thread_reply(
            WS, CH, "999.000", text="+ x", author="U0ANA", message_ts="1.1"
        )
        is None
    )

    with sessions() as s:
        rows = s.scalars(select(RetroEntryRow).where(RetroEntryRow.retro_id == info.id)).all()
        assert len(rows) == 4  # the redelivered reply is stored once
        anon = next(r for r in rows if r.id == secret.entry_id)
        assert anon.author is None
        # Nowhere in the row: not in any column of the table.
        raw = s.execute(
            text("SELECT * FROM retro_entries WHERE id = :i"), {"i": secret.entry_id}
        ).one()
        assert "U0BEN" not in [str(v) for v in raw]

    clock.advance(timedelta(hours=2))
    result = service.closing.close_retro(info.id, reason="window_end")
    assert result.closed_now and result.entry_count == 4 and not result.no_entries
    assert result.contributor_count == 1  # U0ANA; the anonymous author is not counted
    assert synthesiser.classified == ["we learned that pairing helps"]
    _, subject, entries = synthesiser.drafted[0]
    assert subject == "Sprint 42"
    assert {e.section for e in entries} == {"went_well", "not_so_well", "action_items", "learnings"}
    assert [e.author for e in entries if e.section == "not_so_well"] == [None]
    assert [(a.text, a.owner, a.status) for a in result.action_items] == [
        ("<@U0CAT> trim standups to 10 min", "U0CAT", "open")
    ]
    assert notifier.closed[-1].retro.id == info.id

    # A second close (button after the window job) changes nothing and posts nothing.
    again_closed = service.closing.close_retro(info.id, reason="button")
    assert not again_closed.closed_now and len(notifier.closed) == 1
    with pytest.raises(RetroClosed):
        service.entries.add_entry(
            info.id,
            workspace_id=WS,
            section=None,
            text="late",
            author="U0ANA",
            anonymous=False,
            source="modal",
        )


def test_action_items_carry_into_the_next_retro_of_the_series(
    service: RetroService, clock: ManualClock
) -> None:
    request = parse_schedule_command(
        "weekly on friday at 15:00 window 2h",
        channel_id=CH,
        default_tz="Europe/Berlin",
        now=clock.now(),
    )
    schedule = service.schedules.create_schedule(WS, request=request, created_by="U0LEAD")
    occurrence = schedule.next_occurrences[0]
    clock.set(occurrence)
    first = service.opening.fire_schedule(schedule.id, occurrence)
    assert first is not None and first.carried_actions == []
    service.entries.add_entry(
        first.id,
        workspace_id=WS,
        section="action_items",
        text="<@U0BEN> write the runbook",
        author="U0ANA",
        anonymous=False,
        source="modal",
    )
    service.entries.add_entry(
        first.id,
        workspace_id=WS,
        section="action_items",
        text="<@U0CAT> fix alerts",
        author="U0ANA",
        anonymous=False,
        source="modal",
    )
    clock.advance(timedelta(hours=2))
    closed = service.closing.close_retro(first.id, reason="window_end")
    runbook, alerts = closed.action_items
    service.actions.set_action_status(alerts.id, "done", workspace_id=WS)

    # A one-off retro in another channel does not see the series' items.
    other = service.opening.open_retro(
        WS, "C0OTHER", None, opened_by="U0LEAD", window=timedelta(hours=1)
    )
    assert other.carried_actions == []

    nxt = schedule.next_occurrences[1]
    clock.set(nxt)
    second = service.opening.fire_schedule(schedule.id, nxt)
    assert second is not None
    assert [(a.id, a.text, a.owner) for a in second.carried_actions] == [
        (runbook.id, "<@U0BEN> write the runbook", "U0BEN")
    ]
    assert service.lookup.get_retro(second.id).carried_actions[0].id == runbook.id
    with pytest.raises(ActionItemNotFound):
        service.actions.set_action_status(runbook.id, "done", workspace_id="T0OTHER")


def test_one_off_retros_carry_items_within_the_channel(
    service: RetroService, clock: ManualClock
) -> None:
    rid = open_now(service)
    service.entries.add_entry(
        rid,
        workspace_id=WS,
        section="action_items",
        text="book the offsite",
        author="U0ANA",
        anonymous=False,
        source="modal",
    )
    service.closing.close_retro(rid, reason="command")
    clock.advance(timedelta(days=7))
    nxt = service.opening.open_retro(WS, CH, None, opened_by="U0LEAD", window=timedelta(hours=1))
    assert [a.text for a in nxt.carried_actions] == ["book the offsite"]
    assert nxt.title == "Team retro"


def test_empty_retro_closes_with_no_entries_and_no_synthesis(
    service: RetroService, synthesiser: FakeSynthesiser, notifier: LoggingNotifier
) -> None:
    rid = open_now(service)
    result = service.closing.close_retro(rid, reason="command")
    assert result.closed_now and result.no_entries and result.draft is None
    assert synthesiser.drafted == []
    assert notifier.closed[0].no_entries


def test_synthesis_failure_still_closes_and_keeps_action_entries(
    sessions: sessionmaker[Session], clock: ManualClock, notifier: LoggingNotifier
) -> None:
    service = RetroService.build(
        sessions=sessions, clock=clock, synthesiser=FakeSynthesiser(fail=True), notifier=notifier
    )
    rid = open_now(service)
    service.entries.add_entry(
        rid,
        workspace_id=WS,
        section="action_items",
        text="rotate the on-call",
        author=None,
        anonymous=True,
        source="modal",
    )
    result = service.closing.close_retro(rid, reason="button")
    assert result.closed_now and result.draft is None and result.error
    assert [a.text for a in result.action_items] == ["rotate the on-call"]


def test_one_off_retro_refuses_a_second_open_one_in_the_channel(service: RetroService) -> None:
    rid = open_now(service)
    with pytest.raises(RetroAlreadyOpen) as err:
        open_now(service)
    assert err.value.retro_id == rid


def test_entries_are_scoped_to_the_workspace(service: RetroService) -> None:
    rid = open_now(service)
    with pytest.raises(RetroNotFound):
        service.entries.add_entry(
            rid,
            workspace_id="T0INTRUDER",
            section=None,
            text="hi",
            author="U1",
            anonymous=False,
            source="modal",
        )
    with pytest.raises(RetroNotFound):
        service.closing.close_retro(rid, reason="command", workspace_id="T0INTRUDER")
    assert service.lookup.get_retro(rid).status == "open"


def test_nudge_targets_skip_contributors_and_are_sent_once(
    service: RetroService, notifier: LoggingNotifier
) -> None:
    rid = open_now(service, nudge=timedelta(minutes=30))
    service.entries.add_entry(
        rid,
        workspace_id=WS,
        section="went_well",
        text="good demo",
        author="U0ANA",
        anonymous=False,
        source="modal",
    )
    assert service.nudges.nudge_targets(rid, ["U0LEAD", "U0ANA", "U0BEN", "U0CAT"]) == [
        "U0BEN",
        "U0CAT",
    ]
    assert service.nudges.send_nudge(rid) == ["U0BEN", "U0CAT"]
    assert service.nudges.send_nudge(rid) == []
    assert notifier.nudged == [(rid, ["U0BEN", "U0CAT"])]


def test_anonymous_writers_are_not_nudged_and_nothing_of_them_outlives_the_close(
    service: RetroService, sessions: sessionmaker[Session]
) -> None:
    rid = open_now(service, nudge=timedelta(minutes=30))
    for _ in range(2):  # a resubmitted modal marks once
        service.entries.add_entry(
            rid,
            workspace_id=WS,
            section="not_so_well",
            text="standups ran over",
            author="U0ANON",
            anonymous=True,
            source="modal",
            source_ts="V0ANON",
        )
    assert service.nudges.nudge_targets(rid, ["U0ANON", "U0BEN"]) == ["U0BEN"]
    with sessions() as session:
        authors = session.scalars(select(RetroEntryRow.author)).all()
        marks = session.execute(text("SELECT * FROM retro_contributions")).all()
    assert authors == [None] and len(marks) == 1 and "U0ANON" not in str(marks)
    service.closing.close_retro(rid, reason="command")
    with sessions() as session:
        assert session.execute(text("SELECT * FROM retro_contributions")).all() == []


def test_scheduled_retro_records_lateness(service: RetroService, clock: ManualClock) -> None:
    request = parse_schedule_command(
        "daily at 09:00", channel_id=CH, default_tz="UTC", now=clock.now()
    )
    schedule = service.schedules.create_schedule(WS, request=request, created_by="U0LEAD")
    occurrence = schedule.next_occurrences[0]
    clock.set(occurrence + timedelta(minutes=50))
    info = service.opening.fire_schedule(schedule.id, occurrence)
    assert info is not None and info.late_by_seconds == 3000 and info.is_late
    assert info.closes_at == clock.now() + timedelta(hours=2)  # the full window from opening
    assert (
        service.opening.fire_schedule(schedule.id, occurrence) is None
    )  # the same occurrence again


def test_schedules_list_pause_resume_cancel_within_a_workspace(
    service: RetroService, clock: ManualClock
) -> None:
    request = parse_schedule_command(
        "every 2 weeks on monday 10:00 nudge 30m",
        channel_id=CH,
        default_tz="Europe/Berlin",
        now=clock.now(),
    )
    created = service.schedules.create_schedule(WS, request=request, created_by="U0LEAD")
    assert len(created.next_occurrences) == 3 and created.nudge == timedelta(minutes=30)
    assert "every 2 weeks on Monday at 10:00" in created.description
    assert [s.id for s in service.schedules.list_schedules(WS)] == [created.id]
    assert service.schedules.list_schedules("T0OTHER") == []
    with pytest.raises(ScheduleNotFound):
        service.schedules.pause_schedule("T0OTHER", created.id)

    paused = service.schedules.pause_schedule(WS, created.id)
    assert paused.status == "paused" and paused.next_occurrences == []
    assert service.opening.fire_schedule(created.id, created.next_occurrences[0]) is None
    assert service.schedules.resume_schedule(WS, created.id).status == "active"
    assert service.schedules.cancel_schedule(WS, created.id).status == "cancelled"
    with pytest.raises(ScheduleStateError):
        service.schedules.resume_schedule(WS, created.id)
    assert service.schedules.list_schedules(WS) == []
    assert [s.status for s in service.schedules.list_schedules(WS, include_cancelled=True)] == [
        "cancelled"
    ]


def test_a_batch_of_claims_opens_each_occurrence_once(
    service: RetroService, clock: ManualClock
) -> None:
    request = parse_schedule_command(
        "daily at 09:00", channel_id=CH, default_tz="UTC", now=clock.now()
    )
    a = service.schedules.create_schedule(WS, request=request, created_by="U0LEAD")
    # The same time in another channel: two series due at one moment.
    other = parse_schedule_command(
        "daily at 09:00", channel_id="C0OTHER", default_tz="UTC", now=clock.now()
    )
    b = service.schedules.create_schedule(WS, request=other, created_by="U0LEAD")
    at = a.next_occurrences[0]
    clock.set(at)
    assert (
        service.opening.fire_schedule(a.id, at) is not None
    )  # e.g. another replica got there first
    opened = service.opening.claim_occurrences([(a.id, at), (b.id, at), (b.id, at), (999, at)])
    assert [(info.series_id, info.occurrence_at) for info in opened] == [(b.id, at)]
    assert service.opening.claim_occurrences([(b.id, at)]) == []
