"""DynamoDB Streams consumers: the Lambda handler and a local event-source-mapping poller."""
