"""What a reply in a draft's thread asks for, before drafting sees it: chatter or a bad reference.

People talk in a draft's thread ("thanks, looks good!") as much as they instruct the bot. The
bot answers an instruction it can carry out, refuses one that names an item the draft does not
have (drafting.revise.missing_item: "drop weakness 99" → which weaknesses exist), and stays
quiet on chatter. Replies quote user text only in short, so no reply grows past Slack's limits
with a long message echoed back.
"""

from __future__ import annotations

import re

# Words that make a reply an acknowledgement, and words that may come with them.
_ACK = {
    "thanks", "thank", "thx", "ty", "cheers", "great", "nice", "cool", "awesome", "perfect",
    "good", "lgtm", "ok", "okay", "k", "brilliant", "excellent", "amazing", "love", "wow",
    "yes", "yep", "yeah", "agreed", "sweet", "neat", "helpful", "fantastic", "done", "noted",
    ":+1:", ":thumbsup:", ":pray:", ":tada:", ":heart:", ":raised_hands:", ":clap:", ":100:",
    "👍", "🙏", "🎉", "❤️", "👏", "💯", "🙌",
}  # fmt: skip
_FILLER = {
    "you", "to", "me", "this", "that", "it", "its", "it's", "all", "so", "much", "very",
    "really", "the", "a", "an", "looks", "look", "sounds", "seems", "job", "work", "stuff",
    "team", "guys", "folks", "everyone", "again", "now", "for", "bot", "alignbot", "lot",
    "lots", "indeed", "well", "pretty", "quite", "super", "and", "just", "i", "we", "is",
}  # fmt: skip
_TOKEN = re.compile(r":[a-z0-9_+-]+:|[a-z0-9']+|[^\w\s.,!?;:'\"-]")
_MENTION = re.compile(r"<[@#!][^>]*>")


def is_chatter(text: str) -> bool:
    """True for a reply that only thanks or approves: nothing to do, nothing to answer."""
    tokens = _TOKEN.findall(_MENTION.sub(" ", text.lower()))
    return (
        bool(tokens)
        and all(t in _ACK or t in _FILLER for t in tokens)
        and any(t in _ACK for t in tokens)
    )


_LONG_QUOTE = re.compile(r"“([^”]{200,})”")
MAX_REPLY = 3000


def short_quotes(note: str) -> str:
    """A reply with every long quote of the user's words cut, and the whole within one block."""
    note = _LONG_QUOTE.sub(lambda m: f"“{m.group(1)[:199].rstrip()}…”", note)
    return note if len(note) <= MAX_REPLY else note[: MAX_REPLY - 1].rstrip() + "…"
