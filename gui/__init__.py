"""Exchange Atlas desktop application (PySide6 on qasync). Depends on `exchanges`, never the reverse."""
