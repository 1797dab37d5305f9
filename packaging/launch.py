"""Entry point of the packaged app (PyInstaller runs this file)."""
from gui.app import main

if __name__ == "__main__":
    raise SystemExit(main())
