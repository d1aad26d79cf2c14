"""LocalStack Lambda runtime executor running Python handlers as host subprocesses (no Docker)."""
