"""Test doubles that speak real HTTP: a fake Slack Web API and a fake OpenAI-compatible server."""
