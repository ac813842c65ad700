"""User text made safe to repeat in the bot's own messages: no live mentions, links or markup.

Anything a person typed (thread replies, command subjects, retro entries, titles) and anything
quoted from the knowledge base goes through `safe_text` before it reaches a mrkdwn field or a
message's `text`. Slack turns `<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>`, `<@U…>`
and `<#C…>` into live mentions, so repeating them would let a member ping a channel the bot
posts in (getting around the channel's mention restrictions) or ping people again. Each
becomes readable inert text ("@channel", "@name", "#name") and the remaining `&`, `<`, `>` are
escaped, which is how Slack says to show them literally.
"""

from __future__ import annotations

import re

# Slack sends user text with these three escaped; decoding first means we never double-escape.
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
_TOKEN = re.compile(r"<([^<>\n]{1,500})>")
_SPECIAL = {"channel", "here", "everyone", "group"}


def _inert(token: str) -> str:
    """The readable, non-pinging form of one `<…>` Slack token."""
    body, _, label = token.partition("|")
    if body.startswith("@"):  # <@U123|name>
        return f"@{label or body[1:]}"
    if body.startswith("#"):  # <#C123|name>
        return f"#{label or body[1:]}"
    if body.startswith("!"):
        name = body[1:].split("^", 1)[0]
        if name in _SPECIAL:
            return f"@{name}"
        if name == "subteam":  # <!subteam^S123|@team>
            return label if label.startswith("@") else f"@{label or 'group'}"
        return label or name  # <!date^…|fallback> and the like: the fallback reads fine
    if label:  # <https://…|label>: show where it really goes
        return f"{label} ({body})"
    return body


def safe_text(text: str) -> str:
    """`text` for a mrkdwn field or message text, with nothing live in it."""
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    text = _TOKEN.sub(lambda m: _inert(m.group(1)), text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def quote(text: str, limit: int = 300) -> str:
    """User text quoted in a reply: made safe and cut to `limit` characters, marked with '…'."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return safe_text(text)
