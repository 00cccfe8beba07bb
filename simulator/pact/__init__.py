"""The simulator as Pact provider: states, message server, verification, JUnit."""
