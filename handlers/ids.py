"""Every action_id, callback_id and block_id the app uses, in one place."""

from __future__ import annotations
