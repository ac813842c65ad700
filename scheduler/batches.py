"""Many threads queue work, one writer takes it in batches: what makes simultaneous fires cheap."""

from __future__ import annotations

import queue
from typing import TypeVar

T = TypeVar("T")


def take_batch(items: queue.Queue[T], *, limit: int, wait: float = 0.05) -> list[T]:
    """Everything queued now, up to `limit`, after waiting up to `wait` seconds for the first
    (an empty list when nothing came)."""
    try:
        batch = [items.get(timeout=wait)]
    except queue.Empty:
        return []
    while len(batch) < limit:
        try:
            batch.append(items.get_nowait())
        except queue.Empty:
            break
    return batch
