"""Command-line adapter: parses input, calls the core, renders output. See `tidings --help`."""
