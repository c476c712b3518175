"""`python -m tui` runs the `segments` command."""

from tui.cli import main

raise SystemExit(main())
