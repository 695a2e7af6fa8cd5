"""segaudit's built-in checks, one small module per theme.

Each check is a pure function over the audit context with CheckMeta attached; they are
registered in pyproject.toml under the entry-point group `segaudit.checks`, the same way a
third-party package adds its own.
"""
