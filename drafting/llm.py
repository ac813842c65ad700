"""The LLM engine's exchange: a LangChain chat model asked for the draft's schema, one repair."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGenerationChunk, GenerationChunk
from langchain_core.runnables import Runnable

from drafting.draft import (
    Draft,
)
from drafting.labels import tidy_label
from drafting.llm_build import DraftPayload, ground, grounding_problems, source_texts
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
from drafting.settings import LLMSettings

log = logging.getLogger(__name__)

# Receives the outline of a draft as it is written: one "• LABEL" line per finished item.
ProgressCallback = Callable[[str], None]


class LLMError(RuntimeError):
    """The model could not produce a usable draft; the service falls back to the offline engine."""


class LLMUnavailable(LLMError):
    pass


class LLMOutputError(LLMError):
    pass


def make_chat_model(settings: LLMSettings) -> BaseChatModel:
    """`LLM__MODEL="<provider>:<model>"` through LangChain, retrying transient errors itself.

    The provider's own client retries timeouts, dropped connections, 429 and 5xx with backoff
    (`max_retries`); Ollama's has no such setting, so `structured_drafter` adds `with_retry`.
    """
    from langchain.chat_models import init_chat_model

    if not settings.model:
        raise LLMUnavailable("no LLM is configured (LLM__MODEL is empty)")
    kwargs: dict[str, Any] = {"temperature": settings.temperature}
    if _provider(settings) == "ollama":
        kwargs["client_kwargs"] = {"timeout": settings.timeout_seconds}
    else:
        kwargs["timeout"] = settings.timeout_seconds
        kwargs["max_retries"] = max(0, settings.max_retries)
        if settings.api_key is not None:
            kwargs["api_key"] = settings.api_key.get_secret_value()
    if settings.base_url:
        kwargs["base_url"] = settings.base_url
    return init_chat_model(settings.model, **kwargs)


def _provider(settings: LLMSettings) -> str:
    model = settings.model or ""
    return model.split(":", 1)[0].lower() if ":" in model else ""


def structured_drafter(model: BaseChatModel, settings: LLMSettings) -> Runnable[Any, Any]:
    """The model asked for a `DraftPayload` by function calling, the raw reply kept for repair.

    Function calling is what LangChain supports across providers, and it streams partial
    objects (see `Outline`).
    """
    runnable: Runnable[Any, Any] = model.with_structured_output(
        DraftPayload, method="function_calling", include_raw=True
    )
    if _provider(settings) == "ollama" and settings.max_retries > 0:
        runnable = runnable.with_retry(
            retry_if_exception_type=(httpx.TransportError, ConnectionError, TimeoutError),
            stop_after_attempt=1 + settings.max_retries,
        )
    return runnable


class Outline(BaseCallbackHandler):
    """Turns the streamed, partially parsed draft into "• LABEL" lines as items are finished."""

    def __init__(self, emit: ProgressCallback) -> None:
        self._emit = emit
        self._message: Any = None
        self._shown = 0

    def on_llm_new_token(
        self,
        token: str | list[str | dict[str, Any]],
        *,
        chunk: GenerationChunk | ChatGenerationChunk | None = None,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        message = getattr(chunk, "message", None)
        if message is None:
            return
        self._message = message if self._message is None else self._message + message
        self._show(finished_only=True)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self._show(finished_only=False)

    def _show(self, *, finished_only: bool) -> None:
        calls = getattr(self._message, "tool_calls", None) or []
        args = calls[0].get("args") if calls else None
        sections = args.get("sections") if isinstance(args, dict) else None
        labels = [
            item.get("label")
            for section in sections or []
            if isinstance(section, dict)
            for item in section.get("items") or []
            if isinstance(item, dict)
        ]
        # The last label may still be arriving, unless the item has moved on to its text.
        last = sections[-1].get("items") if sections and isinstance(sections[-1], dict) else None
        if finished_only and labels and not (last and "text" in (last[-1] or {})):
            labels = labels[:-1]
        for label in labels[self._shown :]:
            if isinstance(label, str) and label.strip():
                self._emit(f"• {tidy_label(label)}\n")
        self._shown = max(self._shown, len(labels))


@dataclass(frozen=True)
class Reply:
    raw: AIMessage
    payload: DraftPayload | None
    error: str | None  # what is wrong with the reply, in words the model can act on


def ask(
    drafter: Runnable[Any, Any],
    messages: Sequence[BaseMessage],
    settings: LLMSettings,
    on_progress: ProgressCallback | None,
) -> Reply:
    config: Any = {"callbacks": [Outline(on_progress)]} if on_progress else None
    result: dict[str, Any] = {}
    try:
        for chunk in drafter.stream(list(messages), config=config):
            result.update(chunk)
    except Exception as exc:  # the provider's client has already retried what is worth it
        attempts = 1 + max(0, settings.max_retries)
        raise LLMUnavailable(
            f"the language model did not answer in {attempts} attempt(s) of up to "
            f"{settings.timeout_seconds:g} s each ({type(exc).__name__}: {exc})"
        ) from exc
    raw = result.get("raw")
    if not isinstance(raw, AIMessage):
        raise LLMOutputError("the language model returned no message")
    return Reply(raw, result.get("parsed"), _reply_error(raw, result))


def _reply_error(raw: AIMessage, result: dict[str, Any]) -> str | None:
    said = f"{raw.content} {[c.get('args') for c in [*raw.tool_calls, *raw.invalid_tool_calls]]}"
    if PROMPT_CANARY in said:
        return "the reply repeated the system instructions, which must stay private"
    if result.get("parsing_error") is not None:
        return f"the draft does not match the required shape: {result['parsing_error']}"
    if raw.invalid_tool_calls:
        error = str(raw.invalid_tool_calls[0].get("error") or "invalid arguments")
        return f"the draft's JSON is malformed: {error.splitlines()[0:3]}"
    if result.get("parsed") is None:
        return f"the reply did not call {DraftPayload.__name__} with the draft"
    return None


def check_payload(
    payload: DraftPayload, *, expected: Sequence[str] | None, source_count: int
) -> str | None:
    """What our rules (beyond the schema) find wrong with a draft, or None."""
    keys = [s.key for s in payload.sections]
    if expected is not None and keys != list(expected):
        return f"the sections must be exactly {list(expected)} in that order, got {keys}"
    for section in payload.sections:
        for item in section.items:
            bad = [n for n in item.sources if not 1 <= n <= source_count]
            if bad:
                return f'item "{item.label}" cites source {bad[0]}, but sources run from 1 to {source_count}'
    return None


def answer_to(raw: AIMessage, message: str) -> list[BaseMessage]:
    """The model's reply and our answer to it: a tool result for each call it made, so that
    providers accept the next turn, else a plain message."""
    calls = [c.get("id") for c in [*raw.tool_calls, *raw.invalid_tool_calls] if c.get("id")]
    if not calls:
        return [raw, HumanMessage(message)]
    return [raw, *(ToolMessage(message, tool_call_id=str(call_id)) for call_id in calls)]


class LLMConversation:
    """One drafting exchange: ask, repair once if invalid, re-ask once if figures are ungrounded.

    LangChain has no repair for a reply that breaks the schema or our rules, so that one re-ask
    is ours; retries of transient errors are the provider client's.
    """

    def __init__(self, model: BaseChatModel, settings: LLMSettings) -> None:
        self.drafter = structured_drafter(model, settings)
        self.settings = settings
        self.redact = redaction_enabled(settings)

    def _ask(
        self,
        messages: list[BaseMessage],
        expected: Sequence[str] | None,
        count: int,
        on_progress: ProgressCallback | None,
    ) -> Reply:
        reply = ask(self.drafter, messages, self.settings, on_progress)
        if reply.error is None and reply.payload is not None:
            rule = check_payload(reply.payload, expected=expected, source_count=count)
            if rule is not None:
                return Reply(reply.raw, None, rule)
        return reply

    def run(
        self,
        *,
        task: str,
        sources: list[NumberedSource],
        user_text: str,
        expected: Sequence[str] | None,
        build: Callable[[DraftPayload], Draft],
        on_progress: ProgressCallback | None,
    ) -> Draft:
        human = task
        if user_text.strip():
            human += "\n\n" + input_block(user_text)
        human += "\n\n" + sources_block(sources)
        if self.redact:
            human = redact(human)
        messages: list[BaseMessage] = [SystemMessage(SYSTEM_PROMPT), HumanMessage(human)]
        texts = source_texts(sources)

        reply = self._ask(messages, expected, len(sources), on_progress)
        if reply.error is not None:
            log.info("LLM reply invalid (%s); asking once to repair it", reply.error)
            messages += answer_to(reply.raw, repair_message(reply.error))
            reply = self._ask(messages, expected, len(sources), on_progress)
            if reply.error is not None:
                raise LLMOutputError(
                    f"the language model's reply was still invalid after one repair: {reply.error}"
                )
        assert reply.payload is not None
        draft = ground(build(reply.payload), texts, user_text)
        problems = grounding_problems(draft)
        if not problems:
            return draft
        log.info("LLM draft has %d items with unsupported figures; re-asking once", len(problems))
        messages += answer_to(reply.raw, grounding_message(problems))
        try:
            again = self._ask(messages, expected, len(sources), on_progress)
        except LLMError as exc:
            log.warning("grounding re-ask failed (%s); keeping the flagged draft", exc)
            return draft
        if again.error is not None or again.payload is None:
            log.warning("grounding re-ask was invalid (%s); keeping the flagged draft", again.error)
            return draft
        return ground(build(again.payload), texts, user_text)
