"""What the pytest plugin drives: the session harness and test-owned queues."""
