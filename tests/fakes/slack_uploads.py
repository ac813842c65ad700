"""The fake Slack's external file upload flow, as Slack documents it.

files.getUploadURLExternal hands out an upload URL and a file id, the bytes go to that URL,
files.completeUploadExternal shares the file (in a channel or thread), files.delete removes it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.slack_api import FakeSlack

# The app's bot user in every fixture (shared/slack-payloads): files are shared as it.
BOT_USER = "U0BOT0001"


def external_upload(fake: FakeSlack, method: str, p: dict[str, Any]) -> dict[str, Any]:
    """files.getUploadURLExternal, files.completeUploadExternal and files.delete, refusing
    what Slack refuses: missing arguments, unknown file ids, bytes that differ from `length`."""
    if method == "files.getUploadURLExternal":
        filename, length = p.get("filename"), str(p.get("length") or "")
        if not filename or not length:
            return {"ok": False, "error": "missing_argument"}
        if not length.isdigit() or int(length) <= 0:
            return {"ok": False, "error": "invalid_arguments"}
        if len(str(p.get("alt_txt") or "")) > 1000:
            return {"ok": False, "error": "alt_txt_too_large"}
        file_id = f"F{next(fake._ts):08d}"
        fake.pending_uploads[file_id] = {
            "name": filename,
            "length": int(length),
            "alt_txt": p.get("alt_txt"),
        }
        return {
            "ok": True,
            "upload_url": f"{fake.base_url}/upload/{file_id}",
            "file_id": file_id,
        }
    if method == "files.completeUploadExternal":
        files = p.get("files")
        files = json.loads(files) if isinstance(files, str) else files
        if not files or not isinstance(files, list):
            return {"ok": False, "error": "missing_argument"}
        if p.get("thread_ts") and not p.get("channel_id") and not p.get("channels"):
            return {"ok": False, "error": "invalid_arguments"}
        shared = []
        for entry in files:
            pending = fake.pending_uploads.get(str(entry.get("id")))
            data = fake.uploads.get(str(entry.get("id")))
            if pending is None or data is None:
                return {"ok": False, "error": "file_not_found"}
            if len(data) != pending["length"]:
                return {"ok": False, "error": "file_upload_size_mismatch"}
        for entry in files:
            file_id = str(entry["id"])
            pending = fake.pending_uploads.pop(file_id)
            record = {
                "id": file_id,
                "name": pending["name"],
                "title": entry.get("title") or pending["name"],
                "alt_txt": pending["alt_txt"],
                "size": pending["length"],
                "channel_id": p.get("channel_id"),
                "thread_ts": p.get("thread_ts"),
                "initial_comment": p.get("initial_comment"),
                "permalink": f"https://align-demo.slack.com/files/{BOT_USER}/{file_id}",
            }
            fake.shared_files[file_id] = record
            shared.append({k: record[k] for k in ("id", "name", "title", "size", "permalink")})
        return {"ok": True, "files": shared}
    if method == "files.delete":
        file_id = p.get("file")
        if not file_id:
            return {"ok": False, "error": "missing_argument"}
        if fake.shared_files.pop(str(file_id), None) is None:
            return {"ok": False, "error": "file_not_found"}
        fake.uploads.pop(str(file_id), None)
        return {"ok": True}
    return {"ok": False, "error": "unknown_method"}
