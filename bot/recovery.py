"""Start-up recovery: report and clean what a killed process left unfinished.

Another replica may be working right now, so only leftovers older than
KNOWLEDGE__STALE_INGEST_SECONDS are cleaned; younger ones are reported and cleaned by the
next ingest in that workspace (or the next start) once they are stale.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select

from core.db import session_scope
from bot.deps import Deps
from drafting.models import DraftRequest
from knowledge.models import PENDING, KbDocument

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecoveryReport:
    cleaned_ingests: int
    pending_ingests: int
    pending_requests: int


def recover_interrupted(deps: Deps) -> RecoveryReport:
    """Never raises: a start-up with an unreachable vector store still serves acks and /healthz."""
    try:
        return _recover(deps)
    except Exception as exc:
        log.warning("start-up recovery skipped: %s", type(exc).__name__)
        return RecoveryReport(0, 0, 0)


def _recover(deps: Deps) -> RecoveryReport:
    with session_scope(deps.sessions) as session:
        workspaces = list(
            session.scalars(
                select(KbDocument.workspace_id).where(KbDocument.status == PENDING).distinct()
            )
        )
        pending_requests = session.scalar(
            select(func.count()).select_from(DraftRequest).where(DraftRequest.status == "pending")
        )
    cleaned = 0
    for workspace_id in workspaces:
        cleaned += len(deps.kb.clean_interrupted(workspace_id))
    with session_scope(deps.sessions) as session:
        still_pending = session.scalar(
            select(func.count()).select_from(KbDocument).where(KbDocument.status == PENDING)
        )
    report = RecoveryReport(cleaned, int(still_pending or 0), int(pending_requests or 0))
    if report.pending_ingests:
        log.warning(
            "%d ingest(s) unfinished (in progress elsewhere, or interrupted less than %.0f s "
            "ago); they are invisible to search and are cleaned once stale",
            report.pending_ingests,
            deps.settings.knowledge.stale_ingest_seconds,
        )
    if report.pending_requests:
        # Not re-run automatically: another replica may still be drafting them. Once stale,
        # handlers.draft_jobs.report_interrupted_requests tells each requester, with Retry.
        log.warning("%d draft request(s) are still pending", report.pending_requests)
    log.info(
        "start-up recovery: %d interrupted ingest(s) cleaned, %d pending, %d pending request(s)",
        report.cleaned_ingests,
        report.pending_ingests,
        report.pending_requests,
    )
    return report
