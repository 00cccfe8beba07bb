"""`python -m probation_case_consumer --queue-url URL --database referrals.db`: run the consumer.

The SQS endpoint, region and credentials come from the environment (AWS_ENDPOINT_URL, AWS_REGION, ...), as
for any AWS SDK: against `tidings up`, the `export` lines it prints; in a test, the plugin's
`tidings_engine.env`.
"""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import asdict

from .consumer import ReferralConsumer, sqs_client
from .store import ReferralStore


def main() -> None:
    parser = argparse.ArgumentParser(prog="probation_case_consumer", description=__doc__.splitlines()[0])
    parser.add_argument("--queue-url", required=True, help="the SQS queue to consume")
    parser.add_argument("--database", required=True, help="SQLite file the referrals are recorded in")
    parser.add_argument("--wait-seconds", type=int, default=20, help="long-poll wait per receive (0-20)")
    parser.add_argument("--retry-delay", type=int, default=10, help="seconds before a failed message is retried")
    parser.add_argument("--until-idle", action="store_true", help="exit once the queue has nothing left")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    store = ReferralStore(args.database)
    consumer = ReferralConsumer(
        sqs_client(), args.queue_url, store, wait_seconds=args.wait_seconds, retry_delay=args.retry_delay
    )
    try:
        stats = consumer.run(until_idle=args.until_idle)
    except KeyboardInterrupt:
        stats = consumer.stats
    finally:
        store.close()
    print(json.dumps(asdict(stats)))


if __name__ == "__main__":
    main()
