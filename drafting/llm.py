"""The LLM engine: LangChain chat model, numbered sources, JSON validated by pydantic, one repair."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field, ValidationError

from drafting.settings import LLMSettings
from drafting.facts import normalised
from drafting.grounding import check_item
from drafting.labels import tidy_label
from drafting.draft import (
    RETRO_KEYS,
    SECTION_TITLES,
    SWOT_KEYS,
    Draft,
    DraftKind,
    Item,
    RetroEntry,
    Section,
    SourceRef,
)
from drafting.prompts import (
    PROMPT_CANARY,
    SYSTEM_PROMPT,
    NumberedSource,
    grounding_message,
    input_block,
    repair_message,
    sources_block,
)
from drafting.redaction import redact, redaction_enabled
from drafting.sourcebook import excerpt_of

log = logging.getLogger(__name__)

TokenCallback = Callable[[str], None]
TRANSIENT_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
_TRANSIENT_NAMES = {
    "APITimeoutError",
    "APIConnectionError",
    "RateLimitError",
    "InternalServerError",
    "ServiceUnavailableError",
    "TimeoutException",
    "ReadTimeout",
    "ConnectTimeout",
    "ConnectError",
    "RemoteProtocolError",
    "TimeoutError",
}
BACKOFF_SECONDS = 0.5


class LLMError(RuntimeError):
    """The model could not produce a usable draft; the service falls back to the offline engine."""


class LLMUnavailable(LLMError):
    pass


class LLMOutputError(LLMError):
    pass


class _PayloadItem(BaseModel):
    label: str = Field(min_length=1)
    text: str = Field(min_length=1)
    sources: list[int] = Field(default_factory=list)


class _PayloadSection(BaseModel):
    key: str = Field(min_length=1)
    title: str | None = None
    intent: str | None = None
    items: list[_PayloadItem] = Field(default_factory=list)


class LLMPayload(BaseModel):
    """What the model is asked to return; validated before anything is built from it."""

    mission: str | None = None
    sections: list[_PayloadSection]


def make_chat_model(settings: LLMSettings) -> BaseChatModel:
    """`LLM__MODEL="<provider>:<model>"` through LangChain; retries are ours, so the client's are 0."""
    from langchain.chat_models import init_chat_model

    if not settings.model:
        raise LLMUnavailable("no LLM is configured (LLM__MODEL is empty)")
    provider = settings.model.split(":", 1)[0].lower() if ":" in settings.model else ""
    kwargs: dict[str, Any] = {"temperature": settings.temperature}
    if provider == "ollama":
        kwargs["client_kwargs"] = {"timeout": settings.timeout_seconds}
    else:
        kwargs["timeout"] = settings.timeout_seconds
        kwargs["max_retries"] = 0
        if settings.api_key is not None:
            kwargs["api_key"] = settings.api_key.get_secret_value()
    if settings.base_url:
        kwargs["base_url"] = settings.base_url
    return init_chat_model(settings.model, **kwargs)


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: timeouts, dropped connections, rate limits and 5xx, whatever the provider."""
    name = type(exc).__name__
    if (
        name in _TRANSIENT_NAMES
        or "Timeout" in name
        or isinstance(exc, TimeoutError | ConnectionError)
    ):
        return True
    if exc.__cause__ is not None and exc.__cause__ is not exc and is_transient(exc.__cause__):
        return True
    status = getattr(exc, "status_code", None) or getattr(
        getattr(exc, "response", None), "status_code", None
    )
    return status in TRANSIENT_STATUS


def _is_timeout(exc: BaseException) -> bool:
    return "timeout" in type(exc).__name__.lower() or isinstance(exc, TimeoutError)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part
            if isinstance(part, str)
            else str(part.get("text", ""))
            if isinstance(part, dict)
            else ""
            for part in content
        )
    return ""


class ChatRunner:
    """Streams one completion, with a per-call timeout and backoff retries on transient errors."""

    def __init__(self, model: BaseChatModel, settings: LLMSettings) -> None:
        self.model = model
        self.settings = settings

    def complete(self, messages: Sequence[BaseMessage], on_token: TokenCallback | None) -> str:
        attempts = 1 + max(0, self.settings.max_retries)
        for attempt in range(attempts):
            try:
                return self._stream(messages, on_token)
            except Exception as exc:
                if not is_transient(exc):
                    raise LLMUnavailable(
                        f"the language model failed: {type(exc).__name__}: {exc}"
                    ) from exc
                if attempt + 1 >= attempts:
                    if _is_timeout(exc):
                        raise LLMUnavailable(
                            f"the language model did not answer within "
                            f"{self.settings.timeout_seconds:g} s ({attempts} attempts)"
                        ) from exc
                    raise LLMUnavailable(
                        f"the language model kept failing ({type(exc).__name__}) after {attempts} attempts"
                    ) from exc
                delay = BACKOFF_SECONDS * (2**attempt)
                log.warning("LLM call failed (%s); retrying in %.1fs", type(exc).__name__, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _stream(self, messages: Sequence[BaseMessage], on_token: TokenCallback | None) -> str:
        pieces: list[str] = []
        for chunk in self.model.stream(list(messages)):
            text = _content_text(chunk.content)
            if text:
                pieces.append(text)
                if on_token is not None:
                    on_token(text)
        return "".join(pieces)


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


def parse_payload(content: str, *, expected: Sequence[str] | None, source_count: int) -> LLMPayload:
    """The reply as a validated payload, or ValueError with a message the model can act on."""
    if PROMPT_CANARY in content:
        raise ValueError("the reply repeated the system instructions, which must stay private")
    text = _FENCE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("the reply contains no JSON object")
    try:
        data = json.loads(text[start : end + 1])
    except json.JSONDecodeError as exc:
        raise ValueError(f"the JSON is malformed: {exc.msg} at character {exc.pos}") from exc
    try:
        payload = LLMPayload.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"the JSON does not match the required shape: {exc.errors()[:3]}") from exc
    keys = [s.key for s in payload.sections]
    if expected is not None and keys != list(expected):
        raise ValueError(f"the sections must be exactly {list(expected)} in that order, got {keys}")
    for section in payload.sections:
        for item in section.items:
            bad = [n for n in item.sources if not 1 <= n <= source_count]
            if bad:
                raise ValueError(
                    f'item "{item.label}" cites source {bad[0]}, but sources run from 1 to {source_count}'
                )
    return payload


def okr_keys(objectives: int) -> list[str]:
    return [f"objective-{i}" for i in range(1, objectives + 1)] + ["metrics", "values"]


def expected_keys(kind: DraftKind, objectives: int = 4) -> list[str]:
    if kind == "swot":
        return list(SWOT_KEYS)
    if kind == "retro":
        return list(RETRO_KEYS)
    return okr_keys(objectives)


def build_draft(
    payload: LLMPayload,
    *,
    kind: DraftKind,
    subject: str,
    lens: str | None,
    mission: str | None,
    engine: str,
    sources: list[NumberedSource],
    entries: list[RetroEntry] | None = None,
) -> Draft:
    by_number = {s.number: s for s in sources}
    sections: list[Section] = []
    cited: set[str] = set()
    seen_quadrant_texts: set[str] = set()
    for raw in payload.sections:
        items: list[Item] = []
        for raw_item in raw.items:
            if kind == "swot" and raw.key != "priorities":
                # The same fact in two quadrants is a model slip; the first placement stands.
                key_text = normalised(raw_item.text)
                if key_text in seen_quadrant_texts:
                    continue
                seen_quadrant_texts.add(key_text)
            source_ids = list(dict.fromkeys(by_number[n].source_id for n in raw_item.sources))
            cited |= set(source_ids)
            item = Item(
                label=tidy_label(raw_item.label), text=raw_item.text.strip(), sources=source_ids
            )
            if kind == "retro" and entries is not None:
                item = _with_retro_people(item, raw.key, entries)
            items.append(item)
        title = raw.title or SECTION_TITLES.get(raw.key, raw.key)
        if raw.key in SECTION_TITLES and not raw.key.startswith("objective"):
            title = SECTION_TITLES[raw.key]
        sections.append(Section(key=raw.key, title=title, intent=raw.intent, items=items))
    refs = {
        s.source_id: SourceRef(title=s.title, url=s.url, excerpt=excerpt_of(s.text))
        for s in sources
        if s.source_id in cited
    }
    return Draft(
        kind=kind,
        subject=subject,
        lens=lens,
        mission=mission if mission is not None else payload.mission,
        engine=engine,
        sections=sections,
        sources=refs,
    )


def _with_retro_people(item: Item, key: str, entries: list[RetroEntry]) -> Item:
    """Counts and owners come from the entries an item cites, never from the model's sentence."""
    from drafting.retro_offline import owner_and_text

    cited = [entries[int(s.split(":")[1]) - 1] for s in item.sources if s.startswith("input:")]
    authors = {e.author for e in cited if e.author}
    mentions = len(authors) + sum(1 for e in cited if not e.author)
    owners = [o for e in cited if (o := owner_and_text(e.text)[0])]
    return item.model_copy(
        update={
            "mentions": mentions or None,
            "owner": owners[0] if key == "action_items" and owners else None,
        }
    )


def ground(draft: Draft, texts: dict[str, str], user_text: str) -> Draft:
    sections = [
        s.model_copy(update={"items": [check_item(i, texts, user_text) for i in s.items]})
        for s in draft.sections
    ]
    return draft.model_copy(update={"sections": sections})


def grounding_problems(draft: Draft) -> dict[str, list[str]]:
    return {i.text: i.unsupported_figures for i in draft.items() if i.unsupported_figures}


class LLMConversation:
    """One drafting exchange: ask, repair once if invalid, re-ask once if figures are ungrounded."""

    def __init__(self, runner: ChatRunner, settings: LLMSettings) -> None:
        self.runner = runner
        self.redact = redaction_enabled(settings)

    def run(
        self,
        *,
        task: str,
        sources: list[NumberedSource],
        user_text: str,
        expected: Sequence[str] | None,
        build: Callable[[LLMPayload], Draft],
        on_token: TokenCallback | None,
    ) -> Draft:
        human = task
        if user_text.strip():
            human += "\n\n" + input_block(user_text)
        human += "\n\n" + sources_block(sources)
        if self.redact:
            human = redact(human)
        messages: list[BaseMessage] = [SystemMessage(SYSTEM_PROMPT), HumanMessage(human)]
        texts = {s.source_id: s.text for s in sources}

        content = self.runner.complete(messages, on_token)
        try:
            payload = parse_payload(content, expected=expected, source_count=len(sources))
        except ValueError as first_error:
            log.info("LLM reply invalid (%s); asking once to repair it", first_error)
            messages += [AIMessage(content), HumanMessage(repair_message(str(first_error)))]
            content = self.runner.complete(messages, on_token)
            try:
                payload = parse_payload(content, expected=expected, source_count=len(sources))
            except ValueError as second_error:
                raise LLMOutputError(
                    f"the language model's reply was still invalid after one repair: {second_error}"
                ) from second_error

        draft = ground(build(payload), texts, user_text)
        problems = grounding_problems(draft)
        if not problems:
            return draft
        log.info("LLM draft has %d items with unsupported figures; re-asking once", len(problems))
        messages += [AIMessage(content), HumanMessage(grounding_message(problems))]
        try:
            content = self.runner.complete(messages, on_token)
            payload = parse_payload(content, expected=expected, source_count=len(sources))
        except (ValueError, LLMError) as exc:
            log.warning("grounding re-ask failed (%s); keeping the flagged draft", exc)
            return draft
        return ground(build(payload), texts, user_text)
