"""The user-facing layer: the terminal app and the `segments` command line."""
