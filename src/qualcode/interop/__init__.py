"""Exchange with other tools and with people: codebook files, tables, REFI-QDA, handouts."""
