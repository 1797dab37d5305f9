"""Exchange Atlas desktop application (PySide6 on qasync). Depends on `exchanges`, never the reverse."""

__version__ = "0.1.0"     # pyproject.toml reads it from here (one place for the version)
