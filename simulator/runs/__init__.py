"""Playing a plan: the player, run events, delivery, the timeline."""
