"""The contract core: catalogue model, loading, validation, lint and compatibility. Pure: it reads files and
imports no engine, web or CLI library."""
