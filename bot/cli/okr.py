"""`alignbot okr adopt|edit|checkin|status|list|checkins|score|archive`: adopted OKR plans from a shell or a script.

Bad input exits with status 1 and one line on stderr, and changes nothing; `--json` prints the
stable JSON documented in README.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from bot.cli.common import console, err_console, load_settings
from bot.cli.okr_json import (
    checkin_json,
    kr_json,
    kr_line,
    plan_json,
    plan_summary_json,
    preview_json,
)
from scheduler.plans.errors import PlanError

if TYPE_CHECKING:
    from bot.composition import Database
    from scheduler.plans.outline import PlanOutline
    from scheduler.plans.service import PlanService
    from scheduler.plans.views import PlanView

okr_cli = typer.Typer(
    help="Track adopted OKR plans: adopt, edit, check in, status.", no_args_is_help=True
)

WORKSPACE = typer.Option(..., "--workspace", "-w", help="Slack team id, e.g. T0123456.")
JSON = typer.Option(False, "--json", help="Print the stable JSON (see README) instead of text.")
CLI_ACTOR = "cli"


class Refused(Exception):
    """Input the CLI itself refuses (before the service), with a one-line message."""


@contextmanager
def plans() -> Iterator[tuple[PlanService, Database]]:
    """The plan service on the bot's database; a refusal becomes one line and exit status 1."""
    from bot.composition import cli_plan_service, open_database

    settings = load_settings()
    db = open_database(settings, upgrade=True)
    try:
        yield cli_plan_service(settings, db), db
    except (PlanError, Refused) as exc:
        err_console.print(f"[red]Error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    finally:
        db.close()


def emit(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def show_plan(plan: PlanView) -> None:
    progress = "—" if plan.progress is None else f"{plan.progress:.0%}"
    console.print(
        f"[bold]Plan {plan.id}: {plan.title}[/bold] · {plan.period} · {plan.status} · "
        f"progress {progress} · {plan.elapsed:.0%} of the period gone",
        highlight=False,
    )
    for objective in plan.objectives:
        done = "—" if objective.progress is None else f"{objective.progress:.0%}"
        console.print(f"{objective.ref}. {objective.title}  {done}", highlight=False)
        for kr in objective.key_results:
            console.print(kr_line(kr), highlight=False)
    if plan.checkin_schedule:
        console.print(f"Check-ins: {plan.checkin_schedule}", style="dim", highlight=False)
    if plan.missing_checkins:
        console.print(
            f"Not checked in since the latest round: {', '.join(plan.missing_checkins)}",
            style="yellow",
            highlight=False,
        )
    if plan.status == "setup":
        missing = [kr.ref for kr in plan.key_results() if kr.needs_target or kr.owner is None]
        console.print(
            f"Tracking starts once every key result has an owner and a target; still missing: "
            f"{', '.join(missing)} (`alignbot okr edit`).",
            style="yellow",
            highlight=False,
        )


def load_outline(
    db: Database, workspace: str, draft: str | None, subject: str | None
) -> PlanOutline:
    from sqlalchemy import select

    from core.db import session_scope
    from drafting.draft import Draft
    from drafting.models import DraftVersion
    from drafting.store import subject_key
    from handlers.plan_outline import outline_from_draft

    if (draft is None) == (subject is None):
        raise Refused("Give one of --draft DRAFT_ID or --subject SUBJECT.")
    query = select(DraftVersion).where(
        DraftVersion.workspace_id == workspace, DraftVersion.kind == "okr"
    )
    if draft is not None:
        query = query.where(DraftVersion.draft_id == draft.strip())
    else:
        query = query.where(DraftVersion.subject_key == subject_key(subject or ""))
    with session_scope(db.sessions) as session:
        record = session.scalar(query.order_by(DraftVersion.id.desc()).limit(1))
        if record is None:
            what = f"draft {draft}" if draft else f"OKR draft for “{subject}”"
            hint = "" if draft else f' (run `alignbot draft okr -w {workspace} -s "{subject}"`)'
            raise Refused(f"There is no {what} in this workspace{hint}.")
        parsed = Draft.model_validate(record.content)
        return outline_from_draft(parsed, record.draft_id, version_id=record.id)


@okr_cli.command("adopt")
def adopt(
    workspace: str = WORKSPACE,
    draft: str | None = typer.Option(None, "--draft", help="The OKR draft's id."),
    subject: str | None = typer.Option(
        None, "--subject", "-s", help="Adopt the newest OKR draft for this subject."
    ),
    period: str | None = typer.Option(
        None, "--period", help="2027-Q1, Q1 2027, 2027-H2, 2027 (default: the next quarter)."
    ),
    channel: str = typer.Option(
        "", "--channel", "-c", help="Slack channel for digests and the close."
    ),
    owner: str | None = typer.Option(
        None, "--owner", help="Slack user id who owns every key result (editable later)."
    ),
    timezone: str = typer.Option("UTC", "--timezone", "--tz", help="For check-ins and due dates."),
    as_json: bool = JSON,
) -> None:
    """Turn an OKR draft's latest version into a tracked plan."""
    with plans() as (service, db):
        outline = load_outline(db, workspace, draft, subject)
        plan = service.adopt(
            workspace_id=workspace,
            channel_id=channel,
            adopted_by=owner or CLI_ACTOR,
            outline=outline,
            period=period,
            timezone=timezone,
        )
        # Everything may already be set (targets in the draft, an owner given): start tracking.
        plan = service.setup(
            workspace_id=workspace, plan_id=plan.id, actor=owner or CLI_ACTOR, changes={}
        )
    emit(plan_json(plan)) if as_json else show_plan(plan)


@okr_cli.command("edit")
def edit(
    workspace: str = WORKSPACE,
    kr: int = typer.Option(..., "--kr", help="The key result's id (`okr status` shows it)."),
    baseline: str | None = typer.Option(None, "--baseline", help="e.g. 27%, $1.2M, 11 weeks."),
    target: str | None = typer.Option(None, "--target", help="In the key result's unit."),
    direction: str | None = typer.Option(
        None, "--direction", help="increase, decrease, stay_above, stay_below or deliverable."
    ),
    owner: str | None = typer.Option(None, "--owner", help="Slack user id."),
    due: str | None = typer.Option(None, "--due", help="2027-03-31 or Q1 2027."),
    weight: str | None = typer.Option(None, "--weight", help="Relative weight (default 1)."),
    actor: str = typer.Option(CLI_ACTOR, "--as", help="Who is editing, for the audit trail."),
    as_json: bool = JSON,
) -> None:
    """Change a key result; every change is audited (who, when, old and new)."""
    from scheduler.plans.changes import KrChanges

    changes = KrChanges(
        baseline=baseline, target=target, direction=direction, owner=owner, due=due, weight=weight
    )
    with plans() as (service, _):
        edited = service.edit_kr(workspace_id=workspace, kr_id=kr, actor=actor, changes=changes)
        plan = service.key_result_plan(workspace_id=workspace, kr_id=kr)
    if as_json:
        emit(kr_json(edited))
    else:
        console.print(f"Plan {plan.id} ({plan.status}):", highlight=False)
        console.print(kr_line(edited), highlight=False)


@okr_cli.command("checkin")
def checkin(
    workspace: str = WORKSPACE,
    kr: int | None = typer.Option(None, "--kr", help="The key result's id."),
    value: str | None = typer.Option(None, "--value", help="e.g. 42%, 8.1 days, $1.2M, done."),
    confidence: str | None = typer.Option(
        None, "--confidence", help="on_track, at_risk or off_track."
    ),
    note: str | None = typer.Option(None, "--note", help="What moved it, what blocks it."),
    csv_file: Path | None = typer.Option(
        None, "--csv", exists=True, dir_okay=False, help="Columns kr,value[,confidence][,note]."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="With --csv: show, store nothing."),
    author: str = typer.Option(CLI_ACTOR, "--as", help="Who is checking in (default cli)."),
    as_json: bool = JSON,
) -> None:
    """Record a check-in (append-only), or a bulk check-in from CSV."""
    from scheduler.plans.checkins import parse_checkin_csv

    with plans() as (service, _):
        if csv_file is not None:
            if kr is not None or value is not None:
                raise Refused("Give either --csv FILE or --kr with --value, not both.")
            drafts = parse_checkin_csv(csv_file.read_text(encoding="utf-8-sig"))
            rows = service.check_in_many(
                workspace_id=workspace, drafts=drafts, author=author, dry_run=dry_run
            )
            if as_json:
                emit({"dry_run": dry_run, "checkins": [preview_json(r) for r in rows]})
                return
            for row in rows:
                before = f"{row.before} ({_pct(row.progress_before)})" if row.before else "none"
                console.print(
                    f"KR {row.ref} (id {row.kr_id}) {row.metric}: {before} → {row.after} "
                    f"({_pct(row.progress_after)})",
                    highlight=False,
                )
            verb = "would be stored (dry run)" if dry_run else "stored"
            err_console.print(f"{len(rows)} check-in(s) {verb}.", style="dim")
            return
        if kr is None or value is None:
            raise Refused("Give --kr KR_ID and --value V (or --csv FILE).")
        if dry_run:
            raise Refused("--dry-run goes with --csv.")
        stored = service.check_in(
            workspace_id=workspace,
            kr_id=kr,
            author=author,
            value_text=value,
            confidence=confidence,
            note=note,
            source="cli",
            as_owner=False,
        )
        if as_json:
            emit(checkin_json(stored))
        else:
            view = service.key_result_plan(workspace_id=workspace, kr_id=kr)
            line = next(k for k in view.key_results() if k.id == kr)
            console.print(kr_line(line), highlight=False)


@okr_cli.command("status")
def status(
    workspace: str = WORKSPACE,
    plan: int | None = typer.Option(None, "--plan", help="Plan id (default: the only open one)."),
    as_json: bool = JSON,
) -> None:
    """A plan's progress, pace and latest values, per objective and key result."""
    with plans() as (service, _):
        if plan is None:
            open_plans = [
                p for p in service.plans(workspace_id=workspace) if p.status in ("setup", "active")
            ]
            if len(open_plans) != 1:
                ids = ", ".join(str(p.id) for p in open_plans) or "none"
                raise Refused(
                    f"Pass --plan: this workspace has {len(open_plans)} open plans ({ids})."
                )
            plan = open_plans[0].id
        view = service.status(workspace_id=workspace, plan_id=plan)
    emit(plan_json(view)) if as_json else show_plan(view)


@okr_cli.command("checkins")
def checkins(
    workspace: str = WORKSPACE,
    plan: int = typer.Option(..., "--plan", help="Plan id."),
    schedule: str = typer.Argument(..., help='e.g. "weekly on monday at 10:00 in Europe/Oslo".'),
    timezone: str = typer.Option("UTC", "--timezone", "--tz", help="When the schedule names none."),
    actor: str = typer.Option(CLI_ACTOR, "--as", help="Who is changing it, for the audit trail."),
    as_json: bool = JSON,
) -> None:
    """Set a plan's check-in schedule (the retro schedule grammar)."""
    with plans() as (service, _):
        view = service.set_checkin_schedule(
            workspace_id=workspace, plan_id=plan, text=schedule, default_tz=timezone, actor=actor
        )
    emit(plan_json(view)) if as_json else show_plan(view)


@okr_cli.command("score")
def score(
    workspace: str = WORKSPACE,
    kr: int = typer.Option(..., "--kr", help="The key result's id."),
    value: float = typer.Option(..., "--score", help="0.0 to 1.0."),
    reason: str = typer.Option(..., "--reason", help="Why; kept with the score."),
    actor: str = typer.Option(CLI_ACTOR, "--as", help="Who is adjusting it, for the audit trail."),
    as_json: bool = JSON,
) -> None:
    """Adjust a key result's score (set at the period's end) with a reason."""
    with plans() as (service, _):
        adjusted = service.adjust_score(
            workspace_id=workspace,
            kr_id=kr,
            actor=actor,
            score=value,
            reason=reason,
            as_owner=False,
        )
    emit(kr_json(adjusted)) if as_json else console.print(kr_line(adjusted), highlight=False)


@okr_cli.command("archive")
def archive(
    workspace: str = WORKSPACE,
    plan: int = typer.Option(..., "--plan", help="Plan id."),
    actor: str = typer.Option(CLI_ACTOR, "--as", help="Who is archiving, for the audit trail."),
    as_json: bool = JSON,
) -> None:
    """Stop tracking a plan; its check-ins and history stay."""
    with plans() as (service, _):
        view = service.archive(workspace_id=workspace, plan_id=plan, actor=actor)
    emit(plan_json(view)) if as_json else show_plan(view)


@okr_cli.command("list")
def list_plans(
    workspace: str = WORKSPACE,
    include_archived: bool = typer.Option(False, "--all", help="Archived plans too."),
    as_json: bool = JSON,
) -> None:
    """The workspace's plans, newest period first."""
    with plans() as (service, _):
        found = service.plans(workspace_id=workspace, include_archived=include_archived)
    if as_json:
        emit([plan_summary_json(p) for p in found])
        return
    if not found:
        err_console.print("No plans yet: `alignbot okr adopt --draft DRAFT_ID`.", style="dim")
    for p in found:
        console.print(
            f"{p.id:>4}  {p.period:<8} {p.status:<8} {_pct(p.progress):>5}  {p.title}"
            f"  ({len(p.key_results())} key results)",
            highlight=False,
        )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"
