"""Theme suggestions: topic models over transcript units, and code suggestions."""
