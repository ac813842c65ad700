"""Knowledge drawn from drafts: a final draft enters the knowledge base as its items, each
keeping the chunk ids of the documents it came from, and a later draft that uses such an item
cites those documents, not the draft, with its figures checked against them."""

from __future__ import annotations

from drafting.draft import Draft, Item
from drafting.grounding import check_item, user_words
from drafting.retriever import Retriever
from drafting.revise import prune_sources
from drafting.sourcebook import SourceBook
from knowledge.types import Hit, Passage


def knowledge_passages(draft: Draft) -> list[Passage]:
    """A final draft as knowledge: one passage per item under its section's title, naming the
    chunks its sources are. No Sources list, citation numbers or chunk ids in the text: later
    drafts would quote those as if they were findings. Sources that are not chunks (retro
    entries, the user's words) name no origin."""
    return [
        Passage(
            text=item.text,
            section=section.title,
            origins=tuple(sid for sid in item.sources if _is_chunk(sid)),
        )
        for section in draft.sections
        for item in section.items
    ]


def cite_originals(draft: Draft, retriever: Retriever, workspace_id: str) -> Draft:
    """The draft with every cited chunk drawn from other knowledge (a final draft's item)
    replaced by the chunks it came from, and those items' figures checked against them.

    A chunk whose origins are gone (a document removed or replaced since) stays cited: it is
    still a document of the workspace, and what it says came from somewhere it no longer is."""
    load = getattr(retriever, "chunks", None)
    cited = sorted({sid for item in draft.items() for sid in item.sources if _is_chunk(sid)})
    if load is None or not cited:
        return draft
    derived = {h.source_id: h.origins for h in load(workspace_id, cited) if h.origins}
    if not derived:
        return draft
    wanted = sorted({o for origins in derived.values() for o in origins})
    originals: dict[str, Hit] = {h.source_id: h for h in load(workspace_id, wanted)}
    replace = {
        sid: origins for sid, origins in derived.items() if all(o in originals for o in origins)
    }
    if not replace:
        return draft
    book = SourceBook()
    for hit in originals.values():
        book.add_hit(hit)
    texts = {sid: ref.excerpt for sid, ref in draft.sources.items()} | book.texts
    user = user_words(draft)

    def resolved(item: Item) -> Item:
        if not any(sid in replace for sid in item.sources):
            return item
        sources = list(dict.fromkeys(o for sid in item.sources for o in replace.get(sid, (sid,))))
        return check_item(item.model_copy(update={"sources": sources}), texts, user)

    sections = [
        s.model_copy(update={"items": [resolved(i) for i in s.items]}) for s in draft.sections
    ]
    sources = {**draft.sources, **book.refs}
    return prune_sources(draft.model_copy(update={"sections": sections, "sources": sources}))


def _is_chunk(source_id: str) -> bool:
    """Chunk ids are "<doc_id>#<n>"; retro entries and the user's words are "input:<n>"."""
    return "#" in source_id and not source_id.startswith("input:")
