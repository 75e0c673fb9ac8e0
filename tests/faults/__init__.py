"""Fault tests: real servers killed, PostgreSQL restarted, the timer crashed (issue 9)."""

STARTUP = 90.0
"""Seconds a `firstcontact serve` may take to answer /health: generous, because on a shared
2-CPU machine a cold start of the whole app can take tens of seconds."""
