"""Who has written in an open retro, for the nudge, without writing down who wrote what.

An anonymous entry stores no author, so the entries cannot say whether someone has written.
Each contribution leaves a mark instead: an HMAC of the member's id under a salt of the retro's
own, in a table with no time, order or link to any entry. The nudge checks the channel's
members against the marks; the close deletes marks and salt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.db import insert_ignore
from scheduler.models import Retro, RetroContribution


def mark_contributed(*, session: Session, retro_id: int, member: str) -> None:
    """Call in the transaction that stores the entry (the retro row is locked there)."""
    # Set once: concurrent first contributions agree on the salt the first one wrote.
    session.execute(
        update(Retro)
        .where(Retro.id == retro_id, Retro.contributor_salt.is_(None))
        .values(contributor_salt=secrets.token_hex(16))
    )
    salt = session.scalar(select(Retro.contributor_salt).where(Retro.id == retro_id))
    assert salt is not None
    insert_ignore(
        session,
        RetroContribution,
        {"retro_id": retro_id, "member_key": _key(salt, member)},
        ["retro_id", "member_key"],
    )


def contributed(*, session: Session, retro_id: int, members: Iterable[str]) -> set[str]:
    """The members who have written in the retro, named or anonymously."""
    salt = session.scalar(select(Retro.contributor_salt).where(Retro.id == retro_id))
    if salt is None:
        return set()
    by_key = {_key(salt, m): m for m in members}
    marks = session.scalars(
        select(RetroContribution.member_key).where(
            RetroContribution.retro_id == retro_id,
            RetroContribution.member_key.in_(list(by_key)),
        )
    )
    return {by_key[k] for k in marks}


def forget_contributors(*, session: Session, retro_id: int) -> None:
    """At the close: nothing is nudged any more, so nothing of who wrote is kept."""
    session.execute(delete(RetroContribution).where(RetroContribution.retro_id == retro_id))
    session.execute(update(Retro).where(Retro.id == retro_id).values(contributor_salt=None))


def _key(salt: str, member: str) -> str:
    return hmac.new(salt.encode(), member.encode(), hashlib.sha256).hexdigest()
