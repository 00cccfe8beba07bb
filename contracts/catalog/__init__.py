"""The catalogue: loading, the model, shared schemas, examples, envelopes and validation."""
