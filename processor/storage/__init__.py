"""Where the events live: ports, item layouts, codec, DynamoDB and in-memory stores."""
