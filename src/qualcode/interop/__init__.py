"""Exchange with other tools and with people: codebook files, tables, (later) REFI-QDA."""
