"""What each process may touch, as two types the composition root builds.

Listeners run in the serving process. They acknowledge Slack, store what arrived and queue the
slow part: `ServingDeps` holds the database and the job queue, and nothing that opens the
vector store or loads a model, so the serving process cannot do either by construction.

Jobs run in the worker (a child process under `alignbot serve`, or threads of one process in
the CLI and tests): `WorkerDeps` adds the knowledge base, the drafter and the retro closing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.jobs import JobQueue
from drafting.desk import DraftDesk
from drafting.intent import IntentRouter
from drafting.service import Drafter
from handlers.settings import ServerSettings, SlackSettings
from knowledge.catalog import DocumentCatalog
from knowledge.service import KnowledgeBase
from knowledge.settings import KnowledgeSettings
from scheduler.plans.service import PlanService
from scheduler.retro_service import RetroRecords, RetroService


@dataclass(frozen=True)
class ServingDeps:
    slack: SlackSettings
    server: ServerSettings
    engine: Engine
    sessions: sessionmaker[Session]
    jobs: JobQueue
    desk: DraftDesk
    documents: DocumentCatalog
    retros: RetroRecords
    plans: PlanService


@dataclass(frozen=True)
class WorkerDeps:
    slack: SlackSettings
    server: ServerSettings
    knowledge: KnowledgeSettings
    engine: Engine
    sessions: sessionmaker[Session]
    desk: DraftDesk
    kb: KnowledgeBase
    drafter: Drafter
    router: IntentRouter
    retros: RetroService
    plans: PlanService
