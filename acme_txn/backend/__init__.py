"""Backends: the embedded DynamoDB Local launcher (LocalStack assets live in ``localstack/``)."""
