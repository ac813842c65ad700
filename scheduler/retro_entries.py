"""Collecting retro entries, from the modal or as replies in the prompt's thread."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, as_utc
from core.db import insert_ignore, session_scope
from core.retro_sections import SECTIONS, Section, parse_prefixed_entry
from scheduler.contributions import mark_contributed
from scheduler.errors import EntryRejected, RetroClosed, RetroNotFound
from scheduler.models import MAX_ENTRY_CHARS, Retro, RetroEntryRow
from scheduler.ports import EntryResult, EntrySource

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class RetroEntries:
    """Stores entries; every call commits before it returns, so acknowledging it is safe."""

    sessions: sessionmaker[Session]
    clock: Clock

    def add_entry(
        self,
        retro_id: int,
        *,
        workspace_id: str,
        section: Section | None,
        text: str,
        author: str | None,
        anonymous: bool,
        source: EntrySource,
        source_ts: str | None = None,
    ) -> EntryResult:
        """Store one entry now.

        `author` is who wrote it. An anonymous entry is stored without an author; that they
        wrote is kept apart, as a mark that cannot be matched to the entry (for the nudge, see
        scheduler/contributions.py). A repeated `source_ts` (a redelivered thread reply, a
        resubmitted modal) returns the stored entry with created=False.
        """
        body = text.strip()
        if not body:
            raise EntryRejected("An entry needs some text.")
        if section is not None and section not in SECTIONS:
            raise EntryRejected(f"Unknown section {section!r}.")
        stored_author = None if anonymous else author
        with session_scope(self.sessions) as session:
            # Row lock on Postgres: a concurrent close waits for this entry, or we see it closed.
            retro = session.scalar(
                select(Retro)
                .where(Retro.id == retro_id, Retro.workspace_id == workspace_id)
                .with_for_update()
            )
            if retro is None:
                raise RetroNotFound(f"Retro {retro_id} was not found.")
            if retro.status != "open":
                raise RetroClosed("This retro has closed; entries are no longer collected.")
            values = {
                "retro_id": retro_id,
                "workspace_id": workspace_id,
                "section": section,
                "text": body[:MAX_ENTRY_CHARS],
                "author": stored_author,
                "source": source,
                "source_ts": source_ts,
                "created_at": as_utc(self.clock.now()),
            }
            entry_id = self._insert_entry(session, values)
            created = entry_id is not None
            if entry_id is None:
                existing = session.execute(
                    select(RetroEntryRow.id, RetroEntryRow.section).where(
                        RetroEntryRow.retro_id == retro_id, RetroEntryRow.source_ts == source_ts
                    )
                ).one()
                entry_id, section = existing.id, existing.section
            if author:
                mark_contributed(session=session, retro_id=retro_id, member=author)
        # Never log the author: anonymous or not, logs are not where people's names go.
        log.info("retro %s: entry %s stored (created=%s)", retro_id, entry_id, created)
        return EntryResult(entry_id=entry_id, retro_id=retro_id, section=section, created=created)

    @staticmethod
    def _insert_entry(session: Session, values: dict[str, Any]) -> int | None:
        """The new entry's id; None when its `source_ts` was stored before."""
        if values["source_ts"] is None:
            row = RetroEntryRow(**values)
            session.add(row)
            session.flush()
            return row.id
        inserted = insert_ignore(
            session, RetroEntryRow, values, ["retro_id", "source_ts"], returning=["id"]
        )
        return int(inserted[0][0]) if inserted else None

    def add_thread_reply(
        self,
        workspace_id: str,
        channel_id: str,
        thread_ts: str,
        *,
        text: str,
        author: str | None,
        message_ts: str,
    ) -> EntryResult | None:
        """A reply in a prompt's thread becomes an entry; None when the thread is no retro's."""
        with session_scope(self.sessions) as session:
            retro_id = session.scalar(
                select(Retro.id).where(
                    Retro.workspace_id == workspace_id,
                    Retro.channel_id == channel_id,
                    Retro.prompt_ts == thread_ts,
                )
            )
        if retro_id is None:
            return None
        section, body = parse_prefixed_entry(text)
        return self.add_entry(
            retro_id,
            workspace_id=workspace_id,
            section=section,
            text=body,
            author=author,
            anonymous=False,
            source="thread",
            source_ts=message_ts,
        )
