"""Hostile and careless input: a generated corpus of files (make_corpus.py) and the names and
texts a user can type, each with what must happen to it."""
