"""The moving parts of a soak run, each on its own thread: a consumer draining a queue of a `tidings up`
(deleting what it receives, counting SNS MessageIds), clients GETting the detailUrls it saw from the fake API,
and a watcher reading `tidings up`'s resident memory (VmRSS) as the run goes."""

from __future__ import annotations

import json
import os
import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, deque
from pathlib import Path
from typing import Any

import boto3

__all__ = ["ApiClients", "Consumer", "MemoryWatch", "soak_events", "tidings_env"]


def soak_events(default: int = 2_000) -> int:
    """How many events a soak run publishes: TIDINGS_SOAK_EVENTS (100000 by hand), else a CI-sized default."""
    return int(os.environ.get("TIDINGS_SOAK_EVENTS", default))


def tidings_env(**extra: str) -> dict[str, str]:
    """This environment without any engine or fake API of the suite's own, plus `extra`."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("TIDINGS_", "AWS_ENDPOINT_URL"))}
    return {**kept, "PACT_DO_NOT_TRACK": "true", **extra}


class Consumer(threading.Thread):
    """Drains `queue_url` like a service would: receive up to 10, delete them, again; counts each SNS MessageId
    received and keeps the latest detailUrls for the API clients."""

    def __init__(self, up: dict[str, str], queue_url: str) -> None:
        super().__init__(daemon=True)
        self.sqs = boto3.client(
            "sqs",
            endpoint_url=up["AWS_ENDPOINT_URL"],
            region_name=up["AWS_REGION"],
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        self.queue_url = queue_url
        self.received: Counter[str] = Counter()
        self.detail_urls: deque[str] = deque(maxlen=500)
        self.stopping = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                answer = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
                messages = answer.get("Messages", [])
                for message in messages:
                    notification = json.loads(message["Body"])  # raw_delivery: false, the SNS envelope
                    self.received[notification["MessageId"]] += 1
                    url = json.loads(notification["Message"]).get("detailUrl")
                    if url:
                        self.detail_urls.append(url)
                if messages:
                    entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
                    self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        except BaseException as error:  # reported by the test, not lost in a thread
            self.failure = error

    def wait_for(self, message_ids: set[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not message_ids <= set(self.received):
            time.sleep(0.2)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)
        self.sqs.close()


class ApiClients:
    """`count` threads, each GETting a detailUrl the consumer saw, again and again, counting answers by status."""

    def __init__(self, consumer: Consumer, count: int = 3) -> None:
        self.consumer = consumer
        self.statuses: Counter[int] = Counter()
        self.errors: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._hammer, args=(n,), daemon=True) for n in range(count)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def _hammer(self, n: int) -> None:
        chosen = random.Random(n)
        while not self.stopping.is_set():
            urls = list(self.consumer.detail_urls)
            if not urls:
                time.sleep(0.05)
                continue
            status = self._get(chosen.choice(urls))
            with self.lock:
                self.statuses[status] += 1

    def _get(self, url: str) -> int:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except OSError as error:
            with self.lock:
                self.errors[type(error).__name__] += 1
            return 0

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=15)


class MemoryWatch(threading.Thread):
    """Samples the VmRSS of process `pid` (MiB) every `interval` seconds, with how far the run was (`progress()`)."""

    def __init__(self, pid: int, progress: Any, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.status = Path(f"/proc/{pid}/status")
        self.progress = progress
        self.interval = interval
        self.samples: list[tuple[int, float]] = []  # (events published by then, RSS MiB)
        self.stopping = threading.Event()

    def rss(self) -> float:
        for line in self.status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise AssertionError(f"no VmRSS in {self.status}")

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                self.samples.append((self.progress(), self.rss()))
            except OSError:  # the process is gone
                return

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)

    def at_half(self, total: int) -> float:
        """RSS at the first sample once half the events were published."""
        return next(rss for done, rss in self.samples if done >= total / 2)

    def peak(self) -> float:
        return max(rss for _, rss in self.samples)
