"""The static side of Pact: pact files, contract resolution, field checks, impact."""
