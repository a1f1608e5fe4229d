"""The terminal UI delivered beyond the terminal: served to a web browser."""
