"""A close cut off by a crash is finished later, once, with its synthesis and action items."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from core.clock import ManualClock
from scheduler.models import ActionItem, Retro
from scheduler.retro_service import RetroService
from tests.scheduler.notifiers import LoggingNotifier

WS, CH = "T0ALIGN", "C0TEAM"


def half_closed_retro(service: RetroService, sessions: sessionmaker[Session]) -> int:
    info = service.open_retro(WS, CH, "Sprint 9", opened_by="U0LEAD", window=timedelta(hours=2))
    for section, text in (("went_well", "Calm deploys"), ("action_items", "Fix the flaky test")):
        service.add_entry(
            info.id,
            workspace_id=WS,
            section=section,
            text=text,
            author="U0ANA",
            anonymous=False,
            source="modal",
        )
    # What a SIGKILL right after the close claim leaves behind.
    with session_scope(sessions) as session:
        session.execute(
            update(Retro)
            .where(Retro.id == info.id)
            .values(status="closing", closed_at=service.clock.now(), close_reason="command")
        )
    return info.id


def test_interrupted_close_is_finished_once(
    service: RetroService,
    notifier: LoggingNotifier,
    sessions: sessionmaker[Session],
    clock: ManualClock,
) -> None:
    retro_id = half_closed_retro(service, sessions)
    assert service.list_open_retros(WS) == []  # no new entries while it closes
    assert service.resume_interrupted_closes(older_than=timedelta(minutes=15)) == []  # too young

    clock.advance(timedelta(minutes=16))
    assert service.resume_interrupted_closes(older_than=timedelta(minutes=15)) == [retro_id]
    assert [r.retro.id for r in notifier.closed] == [retro_id]
    assert notifier.closed[0].draft is not None
    with session_scope(sessions) as session:
        assert session.scalar(select(Retro.status).where(Retro.id == retro_id)) == "closed"
        items = session.scalars(select(ActionItem.text).where(ActionItem.retro_id == retro_id))
        assert list(items) == ["Fix the flaky test"]

    clock.advance(timedelta(minutes=16))
    assert service.resume_interrupted_closes(older_than=timedelta(minutes=15)) == []
    assert len(notifier.closed) == 1


def test_a_normal_close_ends_closed(service: RetroService, sessions: sessionmaker[Session]) -> None:
    info = service.open_retro(WS, CH, "Sprint 10", opened_by="U0LEAD", window=timedelta(hours=2))
    service.add_entry(
        info.id,
        workspace_id=WS,
        section="learnings",
        text="Pairing helps",
        author=None,
        anonymous=True,
        source="modal",
    )
    result = service.close_retro(info.id, reason="command", workspace_id=WS)
    assert result.closed_now and result.retro.status == "closed"
    with session_scope(sessions) as session:
        assert session.scalar(select(Retro.status).where(Retro.id == info.id)) == "closed"
    assert not service.close_retro(info.id, reason="command", workspace_id=WS).closed_now
