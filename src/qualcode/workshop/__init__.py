"""The coding workshop: `qualcode workshop --project STORE` serves the coding screen to everyone
in the room, each signed in on their own device (`server.py`, `desk.py`); the facilitator
seats people and runs blind rounds from their own page (`facilitator.py`)."""
