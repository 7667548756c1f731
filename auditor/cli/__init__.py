"""The command line: parses options, picks streams, maps outcomes to exit codes."""
