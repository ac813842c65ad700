"""What a person reads when their request failed: a sentence, never an exception's name."""

from __future__ import annotations

import httpx

from handlers.replies import describe_failure


def test_a_refused_file_download_names_the_host_and_status() -> None:
    request = httpx.Request("GET", "https://files.slack.com/files-pri/T0-F0/plan.pdf")
    response = httpx.Response(403, request=request)
    message = describe_failure(httpx.HTTPStatusError("403", request=request, response=response))
    assert message == "The download was refused (files.slack.com answered HTTP 403)."
    assert "HTTPStatusError" not in message


def test_an_unknown_error_says_something_went_wrong() -> None:
    assert describe_failure(RuntimeError("boom")) == "Something went wrong (RuntimeError)."
