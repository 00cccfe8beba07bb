"""The house rules a catalogue is linted against."""
