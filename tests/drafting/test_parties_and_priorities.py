"""Whose fact a statement is decides internal or external; priorities read as a strategist's
sentences. Sentences written here (not the sample company, the dev set or the eval set).

Behaviours, not wording: a fact whose subject is the organisation is a strength or weakness
whatever its topic; another party's gain is our threat and its loss our opening; an outside
measure that moved against us is a threat; four priorities are not one sentence form filled
four times, never copy an item, and never name an item by a pronoun or a bare count.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from drafting.draft import Item
from drafting.parties import party
from drafting.priorities import Evidence, draft_priorities
from drafting.statement_pool import Pool, Typed, retyped
from drafting.swot_offline import rank_facts
from knowledge.minilm import MiniLMEmbeddings

SUBJECT = "Tollbridge Ferries"


def typed(text: str, kind: str, position: int = 0) -> Typed:
    return Typed("doc#0", "doc", position, text, None, kind, 0.8, np.zeros(384, np.float32))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Our two oldest vessels need €3 million of repairs.", "ours"),
        ("We lost the harbour contract to a larger operator.", "ours"),
        ("Tollbridge carried 1.2 million passengers this year.", "ours"),
        ("They hired three of our deck officers this spring.", "theirs"),
        ("Bookings at the rival line grew to 90,000, close to ours.", "theirs"),
        ("Fuel prices rose 30% over two years.", None),
    ],
)
def test_the_subject_of_a_sentence_says_whose_fact_it_is(text: str, expected: str | None) -> None:
    assert party(text, SUBJECT) == expected


@pytest.mark.parametrize(
    ("text", "kind", "becomes"),
    [
        # Our own assets and problems, whatever outside topic they touch, are internal.
        ("Our two oldest vessels need €3 million of repairs before 2028.", "threat", "weakness"),
        (
            "Our harbour office was named the best-run terminal in the country.",
            "threat",
            "strength",
        ),
        (
            "Tollbridge carried a record 1.2 million passengers this year.",
            "opportunity",
            "strength",
        ),
        # Another operator's gain is our threat.
        ("They hired three of our deck officers this spring.", "strength", "threat"),
        # A fact about the outside world stays external.
        ("Fuel prices for coastal operators rose 30% over two years.", "threat", "threat"),
    ],
)
def test_internal_or_external_follows_whose_fact_it_is(text: str, kind: str, becomes: str) -> None:
    assert retyped(typed(text, kind), SUBJECT).kind == becomes


def test_an_outside_measure_that_moved_against_us_is_a_threat(minilm: MiniLMEmbeddings) -> None:
    pool = Pool(
        [
            typed("Berth rents in the estuary rose 20% this year.", "opportunity", 0),
            typed("Their bookings fell 30% after the fare rise.", "threat", 1),
            typed("Day-trip demand in the estuary grew 15% this summer.", "threat", 2),
        ],
        minilm,
        {},
    )
    ranked, _ = rank_facts(pool, SUBJECT, None)
    quadrant_of = {c.statement.text: key for key, group in ranked.items() for c in group}
    assert quadrant_of["Berth rents in the estuary rose 20% this year."] == "threats"
    assert quadrant_of["Their bookings fell 30% after the fare rise."] == "opportunities"
    assert quadrant_of["Day-trip demand in the estuary grew 15% this summer."] == "opportunities"


def test_a_named_rivals_own_measure_and_a_leading_connective_read_right(
    minilm: MiniLMEmbeddings,
) -> None:
    rival = "Harbourline cut its ticket prices by a quarter this spring."
    fund = "At the same time, the state's new training fund pays up to half the cost of courses."
    pool = Pool([typed(rival, "threat", 0), typed(fund, "opportunity", 1)], minilm, {})
    ranked, _ = rank_facts(pool, SUBJECT, None)
    quadrant_of = {c.statement.text: key for key, group in ranked.items() for c in group}
    # A price that fell is good news only when it is a price we pay: a rival's own cut is
    # pressure on us.
    assert quadrant_of[rival] == "threats"
    # "At the same time" is a connective, not a subject whose time went up.
    assert quadrant_of[fund] == "opportunities"


QUADRANT_ITEMS = {
    "strengths": [
        "Our crews have the best safety record on the coast.",
        "Tollbridge owns the only deep-water berth in the estuary.",
        "78% of respondents say the crossing is worth its price.",
    ],
    "weaknesses": [
        "Our booking website fails at least twice a month in summer.",
        "Two of our four vessels are more than 40 years old.",
        "Ticket office queues average 25 minutes at weekends.",
    ],
    "opportunities": [
        "Island councils want a daily freight crossing for building materials.",
        "62% of commuters would pay for a season ticket with guaranteed seats.",
        "Its timetable has no early crossing, and passengers have asked us for one.",
    ],
    "threats": [
        "A new bridge upstream opens in 2028 and will carry cars for free.",
        "Fuel prices for coastal operators rose 30% over two years.",
        "A rival line is buying two faster catamarans.",
    ],
}


def embedded_evidence(
    minilm: MiniLMEmbeddings, quadrants: dict[str, list[str]], *, label: str
) -> dict[str, list[Evidence]]:
    """Each quadrant's texts as items under `label`, with their unit MiniLM vectors; the i-th
    item of a quadrant cites "<quadrant>#i"."""
    evidence: dict[str, list[Evidence]] = {}
    for quadrant, texts in quadrants.items():
        vectors = np.asarray(minilm.embed_documents(texts), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        evidence[quadrant] = [
            Evidence(quadrant, Item(label=label, text=t, sources=[f"{quadrant}#{i}"]), v)
            for i, (t, v) in enumerate(zip(texts, vectors, strict=True))
        ]
    return evidence


def test_priorities_vary_their_wording_and_name_items_properly(minilm: MiniLMEmbeddings) -> None:
    evidence = embedded_evidence(minilm, QUADRANT_ITEMS, label="AREA")
    priorities = draft_priorities(evidence, [], {}, count=4)
    assert len(priorities) == 4
    openings = {" ".join(p.text.split()[:2]).lower() for p in priorities}
    assert len(openings) >= 3, [p.text for p in priorities]
    every_item = [t for texts in QUADRANT_ITEMS.values() for t in texts]
    for priority in priorities:
        mine = set(re.findall(r"[a-z0-9]+", priority.text.lower()))
        for item in every_item:
            theirs = set(re.findall(r"[a-z0-9]+", item.lower()))
            assert len(mine & theirs) < 0.7 * len(mine), priority.text
        # An item is never called by a pronoun ("its timetable") or the people counted
        # ("respondents"): neither says what the finding is about.
        assert not re.search(r"\b(?:its|their|respondents)\b", priority.text, re.I), priority.text
        assert priority.text[0].isupper() and priority.text.endswith("."), priority.text
        assert priority.sources


@pytest.mark.parametrize(
    ("text", "lens", "found"),
    [
        ("Visible leaks took 11 days to repair.", "leakage", True),
        ("A free, advertiser-funded site is hiring.", "advertising", True),
        ("Teenagers want coached sessions for youth groups.", "youth coaching", True),
        ("Coaching roles fill quickly.", "youth coaching", False),
        ("The buyers said it again, against all odds.", "AI", False),
        ("Our competitive intelligence team tracks prices.", "artificial intelligence", False),
    ],
)
def test_a_lens_is_found_in_the_other_forms_of_its_words(text: str, lens: str, found: bool) -> None:
    from drafting.lens import mentions_lens

    assert mentions_lens(text, lens) is found


def test_a_line_inside_a_values_list_read_as_context_is_a_value(minilm: MiniLMEmbeddings) -> None:
    from drafting.mission_values import values_of

    def line(position: int, text: str, kind: str) -> Typed:
        return Typed("about#1", "about", position, text, "What we value", kind, 0.8, np.zeros(384))

    pool = Pool(
        [
            line(0, "Crew before cargo.", "value"),
            line(1, "Nobody sails tired.", "value"),
            line(2, "Leave every berth tidy.", "context"),
            line(3, "Say no when it is unsafe.", "value"),
            line(4, "The company was founded in 1961 by two skippers.", "context"),
        ],
        minilm,
        {},
    )
    found = " ".join(f"{v.label} {v.text}" for v in values_of(pool)).lower()
    assert "berth tidy" in found
    assert "1961" not in found  # after the list: background, not a value


def test_a_list_lines_number_is_never_its_baseline() -> None:
    from drafting.key_results import pair_goal

    goal = Typed(
        "plan#0",
        "plan",
        0,
        "Target 2: Raise our rider score to 78 by 2028.",
        None,
        "goal",
        0.9,
        np.zeros(384, np.float32),
    )
    kr = pair_goal(goal, [], "RIDERS")
    assert kr is not None and kr.baseline is None


def test_one_goal_written_twice_is_one_key_result(minilm: MiniLMEmbeddings) -> None:
    from drafting.okr_offline import key_results_of

    texts = [
        ("Target 1: Reduce late sailings from 12% to 5% of crossings by March 2028.", "goal"),
        ("Our ferries will run on time: late departures below 5% by March 2028.", "goal"),
        ("A harbour fund pays up to 40% of the cost of projects that cut late departures.", "fact"),
    ]
    vectors = np.asarray(minilm.embed_documents([t for t, _ in texts]), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    kinds = {"goal": "goal", "fact": "opportunity"}
    pool = Pool(
        [
            # The fact is typed unsurely, so it is a baseline candidate for the second goal.
            Typed(f"d{i}#0", f"d{i}", 0, t, "Plan", kinds[k], 0.9 if k == "goal" else 0.45, v)
            for i, ((t, k), v) in enumerate(zip(texts, vectors, strict=True))
        ],
        minilm,
        {},
    )
    results = [kr for kr in key_results_of(pool, SUBJECT, set()) if kr.target.startswith("5")]
    assert len(results) == 1
    assert results[0].baseline is not None and results[0].baseline.startswith("12")


def test_a_project_subject_is_called_by_its_name() -> None:
    # "Project Osprey" is what the draft is for; its sentences call it "Osprey".
    assert (
        party("The Osprey pilot cut loading times by 12% in six weeks.", "Project Osprey") == "ours"
    )
    assert party("Fuel prices rose 30% over two years.", "Project Osprey") is None


def _named(text: str, corpus: list[str] | None = None) -> str | None:
    from drafting.naming import casing_of, gist

    return gist(Item(label="AREA", text=text, sources=["d#0"]), casing_of([text], corpus))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # A verb with no telltale ending still ends the subject: the object it takes opens
        # with a determiner, which no noun phrase puts straight after a noun.
        ("Crumbridge cut its loaf prices by 18% in March.", "Crumbridge"),
        ("The county council shut the Mill Lane car park in spring.", "the county council"),
        # A figure straight after an -s word is that verb's object; an irregular past tense
        # ends the subject like any other.
        ("Crumbridge supplies 40% of the cafes in town.", "Crumbridge"),
        ("Oakhill bought two of our flour mills in May.", "Oakhill"),
        # A subject too long to name is cut where its first noun phrase ends, never on a
        # describing word.
        ("Flour surcharges and rising cold-chain delivery fees are squeezing margins.", None),
        ("Wholesale butter prices for independent bakers rose 22% this year.", None),
        # A conjunction between names joins what describes one noun.
        ("Our Eldham and North Cray ovens run at 96% capacity.", None),
    ],
)
def test_an_item_is_named_by_the_noun_phrase_before_its_verb(text: str, name: str | None) -> None:
    found = _named(text)
    assert found is not None
    if name is not None:
        assert found == name
    words = found.split()
    # Never the verb or what follows it, never a dangling joining word.
    verbs = {"cut", "shut", "are", "rose", "run", "its", "supplies", "bought"}
    assert not {w.lower() for w in words} & verbs
    assert words[-1].lower() not in {"and", "or", "rising", "for", "the", "of"}
    assert " ".join(words).lower() in text.lower()


def test_a_name_opening_its_sentence_keeps_its_capital() -> None:
    # "Crumbridge" is written only at the start of sentences, yet it is a name; "Wholesale"
    # there is an ordinary word and goes lower case in the middle of a priority.
    assert _named("Crumbridge cut its loaf prices by 18% in March.") == "Crumbridge"
    found = _named("Wholesale butter prices rose 22% this year.")
    assert found is not None and found.startswith("wholesale")
    # A word the sources also write in lower case is a common word, vocabulary or not.
    corpus = ["Our proofers worked overtime."]
    assert _named("Proofers at the Eldham site asked for new rotas.", corpus) == (
        "proofers at the Eldham site"
    )


def test_a_priority_names_a_rival_by_its_name_and_not_its_whole_clause(
    minilm: MiniLMEmbeddings,
) -> None:
    quadrants = {
        "weaknesses": ["Our bakery vans break down about once a week in winter."],
        "threats": ["Crumbridge cut its delivery fees by 30% and now undercuts our van routes."],
    }
    evidence = embedded_evidence(minilm, quadrants, label="OPERATIONS")
    [priority] = draft_priorities(evidence, [], {}, count=1)
    assert len(priority.sources) == 2, priority.text  # it answers both items
    assert "Crumbridge" in priority.text
    assert not re.search(r"\bcut its\b", priority.text, re.I), priority.text


@pytest.mark.parametrize(
    ("line", "verb"),
    [
        ("Loaf waste target: from 9% to 4% by June 2028.", "Cut"),
        ("Wholesale accounts goal: from 120 to 150 by Q3 2028.", "Raise"),
    ],
)
def test_a_measure_line_becomes_the_move_it_asks_for(line: str, verb: str) -> None:
    from drafting.naming import casing_of
    from drafting.priorities import imperative

    casing = casing_of([line], ["our loaf waste fell", "new wholesale accounts"])
    sentence = imperative(line, casing)
    assert sentence is not None and sentence.split()[0] == verb, sentence
    # One sentence that names the measure mid-sentence and keeps both values, no label colon.
    assert ":" not in sentence and sentence.endswith("."), sentence
    assert sentence.split()[1].islower(), sentence
    values = re.findall(r"\d+%?", line)[:2]
    assert all(v in sentence for v in values), sentence


def test_a_line_that_moves_nothing_is_no_priority() -> None:
    from drafting.priorities import imperative

    assert imperative("Headcount: from 40 to 40 by 2028.") is None
    assert imperative("We moved the bakery to a bigger unit.") is None


def test_who_passes_on_the_news_does_not_name_it() -> None:
    # The mill only brings the news; the item is about what it reports.
    assert _named("The valley flour mill has told us its prices will rise 12% in May.") is None
    # Those counted hold the view they give, so they still name it.
    found = _named("44% of wholesale buyers said they want smaller loaves.")
    assert found is not None and "buyers" in found
