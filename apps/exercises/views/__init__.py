"""Exercise pages (a package: planning, chronogramme and library, the live run, the RETEX, the schedule)."""
