"""A registry: several producer catalogues publishing on one topic, with declared moves and naming rules."""
