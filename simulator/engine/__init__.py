"""SNS/SQS engines (boto3 against an endpoint), the publisher, queue tools, tracking."""
