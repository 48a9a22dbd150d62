"""The morning-rush load test: ``python -m loadtest`` (``make loadtest``).

See docs/scaling.md for what it does and what it measured.
"""
