"""Narrow speed fixes for moto 5.2.5's SQS and SNS code, applied to the embedded engine.

Unmodified, moto's server manages ~15-24 events/s on tidings' benchmark (a topic, 3 filtered queues) and slows
down as queues fill. Each patch below replaces one piece of moto with code that gives the same answers; the
effect is the benchmark workload's CPU time for 1,000 events with that patch left out (all patches: ~3.5 s):

- `queue_counts_on_request`: every SendMessage read `Queue.attributes` (for `ContentBasedDeduplication`), and that
  property counts the queue's messages three times, two clock reads each; every received message did it again
  through the retention check. `Queue.attributes` now holds the settings only, `GetQueueAttributes` - the one API
  that reports counts - adds them, counted in one pass, and the retention check reads the setting.
  Without it: 76 s (x21), growing with the square of the queue length.
- `lazy_visible_messages`: `Queue.messages` built the list of all visible messages before ReceiveMessage took ten;
  it is now a lazy view read with one clock read. Without it: 6.5 s (x1.8), the drain x2.9.
- `delete_finds_one_message`: DeleteMessage rebuilt the message list and every message's receipt-handle list; now
  it finds the one message (near the front: consumers delete what they received first). Without it: 4.7 s (x1.35).
- `receive_copies_less`: ReceiveMessage deep-copied each message only to filter the copy's attributes, and drew a
  receipt handle one letter at a time; a shallow copy with its own containers, and one draw from moto's (seedable)
  random source, do the same. Little effect when each message is received once; on redelivery, where the copies
  grow, a 10-message receive takes 2.1-2.8 ms of server time instead of 4.5-5.8 ms.
- `sns_signing_key_per_region`: every delivery generated and signed a fresh X.509 certificate (and kept its PEM
  forever); now one key and certificate per region, as SNS has, sign each notification once for all the queues
  it reaches, and its (pretty-printed) JSON is rendered once. Signatures still verify against the certificate
  moto serves at `SigningCertURL`. Without it: 6.5 s (x1.9), publishing x3.
- `dispatch_remembered`: per request, moto listed its package directory and matched ~300 URL patterns to route,
  listed the response class's methods with `inspect`, drew a request id letter by letter, and asked six alias
  providers again for every field it serialised; each answer depends only on its inputs and is now kept.
  Without it: 4.1 s (x1.16).

- `one_botocore_session`: the first request to each service made moto create a boto3 session of its own only to
  list the regions botocore knows, loading botocore's endpoint data a second time; it now asks the engine's one
  session (which its clients loaded already). Without it: the first SQS request of a session +80 ms.
- `query_prefixes_indexed`: parsing a query-protocol request (SNS) asked, for every structure it tried, whether
  any parameter name starts with its prefix by scanning all names (and werkzeug rebuilt the name set each time):
  a PublishBatch of 10 entries scanned ~2,600 times. The names are now sorted once per request and each question
  is one binary search. Without it: ~4% more CPU on the benchmark.
- The direct route of SNS/SQS requests past Flask (simulator/moto_direct.py) is switched with these patches.

Each is tested for the behaviour it keeps (tests/test_engine_moto_patches.py runs the same assertions with the
patches on and off). They apply only to moto 5.2.5 - any other version runs unpatched, after one warning - and
`TIDINGS_MOTO_PATCHES=0` switches them off.
"""

from __future__ import annotations

import base64
import bisect
import copy
import functools
import json
import os
import string
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

# Imported with this module, not lazily at the first signature: the signing key cached below must be used with the
# same `hashes`/`padding` classes it was made with. A lazy import inside a pytester in-process run is undone when
# that run ends (pytester restores sys.modules), and the next signature then fails with "Algorithm must be a
# registered hash algorithm".
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

__all__ = ["PATCHED_MOTO_VERSION", "PATCH_NAMES", "active", "apply", "enabled_by_environment", "revert"]

PATCHED_MOTO_VERSION = "5.2.5"
SWITCH_VARIABLE = "TIDINGS_MOTO_PATCHES"
PATCH_NAMES = (
    "queue_counts_on_request",
    "lazy_visible_messages",
    "delete_finds_one_message",
    "receive_copies_less",
    "sns_signing_key_per_region",
    "dispatch_remembered",
    "one_botocore_session",
    "query_prefixes_indexed",
)

_COUNT_ATTRIBUTES = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible",
)

_lock = threading.Lock()
_originals: list[tuple[Any, str, Any]] = []
_warned = False


def enabled_by_environment() -> bool:
    """False when `TIDINGS_MOTO_PATCHES` is `0`, `false`, `no` or `off`."""
    return os.environ.get(SWITCH_VARIABLE, "1").strip().lower() not in {"0", "false", "no", "off"}


def active() -> bool:
    """Whether the patches are currently applied in this process."""
    return bool(_originals)


def apply(only: Iterable[str] | None = None) -> bool:
    """Apply the patches (all, or the named ones in `only`) once per process; returns whether they are active.

    Does nothing when switched off by `TIDINGS_MOTO_PATCHES=0`, and warns once (then does nothing) when moto is not
    the version the patches were written against."""
    global _warned
    if not enabled_by_environment():
        return False
    import moto

    if moto.__version__ != PATCHED_MOTO_VERSION:
        if not _warned:
            _warned = True
            warnings.warn(
                f"tidings' moto speed fixes are written for moto {PATCHED_MOTO_VERSION}, found {moto.__version__}: "
                "the embedded engine runs unpatched (correct, but slower on large queues)",
                RuntimeWarning,
                stacklevel=2,
            )
        return False
    with _lock:
        if not _originals:
            patches = _replacements()
            for name in PATCH_NAMES if only is None else list(only):
                for owner, attribute, replacement in patches[name]:
                    _originals.append((owner, attribute, vars(owner)[attribute]))
                    setattr(owner, attribute, replacement)
    return True


def revert() -> None:
    """Restore moto's original code (tests compare both behaviours)."""
    with _lock:
        while _originals:
            owner, name, original = _originals.pop()
            setattr(owner, name, original)


def _replacements() -> dict[str, list[tuple[Any, str, Any]]]:
    """Each patch (by name) as the (owner, attribute, replacement) triples it sets."""
    import moto.backends
    import moto.core.responses
    import moto.sns.models
    import moto.sqs.models
    from moto.core.base_backend import AccountSpecificBackend
    from moto.core.parse import QueryParser
    from moto.core.serialize import AttributePicker
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from moto.sns.models import Subscription
    from moto.sqs.models import Message, Queue, SQSBackend

    from .engine import RegionCatalogue

    catalogue = RegionCatalogue()
    return {
        "one_botocore_session": [(AccountSpecificBackend, "get_session", classmethod(lambda cls: catalogue))],
        "query_prefixes_indexed": [(QueryParser, "_gonna_recurse", _has_no_key_starting_with)],
        "queue_counts_on_request": [
            (Queue, "attributes", property(_settings)),
            (SQSBackend, "get_queue_attributes", _with_counts(vars(SQSBackend)["get_queue_attributes"])),
            (SQSBackend, "is_message_valid_based_on_retention_period", _within_retention_period),
            (moto.sqs.models, "camelcase_to_underscores", functools.cache(moto.sqs.models.camelcase_to_underscores)),
        ],
        "lazy_visible_messages": [(Queue, "messages", property(_visible_messages))],
        "delete_finds_one_message": [(Queue, "delete_message", _delete_message)],
        "receive_copies_less": [
            (moto.sqs.models, "generate_receipt_handle", _receipt_handle),
            (moto.sqs.models, "deepcopy", _copy_for_receive(moto.sqs.models.deepcopy, Message)),
        ],
        "sns_signing_key_per_region": [
            (Subscription, "get_post_data", _signed_post_data),
            (moto.sns.models, "json", _JsonRenderingOnce(moto.sns.models.json)),
        ],
        "dispatch_remembered": [
            (moto.backends, "list_of_moto_modules", _listed_once(moto.backends.list_of_moto_modules)),
            (DomainDispatcherApplication, "get_backend_for_host", _remembered(DomainDispatcherApplication)),
            (
                moto.core.responses,
                "method_names_from_class",
                _method_names(moto.core.responses.method_names_from_class),
            ),
            (
                moto.core.responses,
                "camelcase_to_underscores",
                functools.cache(moto.core.responses.camelcase_to_underscores),
            ),
            (moto.core.responses, "gen_amzn_requestid_long", _request_id),
            (AttributePicker, "get_possible_keys", _keys_remembered(vars(AttributePicker)["get_possible_keys"])),
        ],
    }


# --- queue_counts_on_request ------------------------------------------------------------------------------------


def _settings(queue: Any) -> dict[str, Any]:
    """What moto 5.2.5's `Queue.attributes` returns, without the three message counts (which scan the queue)."""
    from moto.sqs.models import camelcase_to_underscores

    names = [name for name in queue.BASE_ATTRIBUTES if name not in _COUNT_ATTRIBUTES]
    if queue.fifo_queue:
        names += queue.FIFO_ATTRIBUTES
    if queue.kms_master_key_id:
        names += queue.KMS_ATTRIBUTES
    result = {name: getattr(queue, camelcase_to_underscores(name)) for name in names}
    if queue.redrive_policy:
        result["RedrivePolicy"] = json.dumps(queue.redrive_policy)
    for name, value in result.items():
        if isinstance(value, bool):
            result[name] = str(value).lower()
    return result


def _with_counts(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def get_queue_attributes(backend: Any, queue_name: str, attribute_names: list[str]) -> dict[str, Any]:
        result = original(backend, queue_name, attribute_names)  # validates the names; settings only
        wanted = [n for n in _COUNT_ATTRIBUTES if "All" in attribute_names or n in attribute_names]
        if wanted:
            counts = _message_counts(backend.get_queue(queue_name))
            result.update({name: counts[name] for name in wanted})
        return result

    return get_queue_attributes


def _within_retention_period(backend: Any, queue_name: str, message: Any) -> bool:
    from moto.sqs import models

    queue = backend.get_queue(queue_name)
    return bool(queue.message_retention_period + message.sent_timestamp / 1000 > models.unix_time())


def _message_counts(queue: Any) -> dict[str, int]:
    from moto.sqs import models

    now = models.unix_time_millis()  # moto's clock, so that frozen time still works
    visible = delayed = not_visible = 0
    for message in queue._messages:
        is_delayed = now < message.delayed_until
        is_visible = now > message.visible_at
        delayed += is_delayed
        not_visible += not is_visible
        visible += is_visible and not is_delayed
    return {
        "ApproximateNumberOfMessages": visible,
        "ApproximateNumberOfMessagesDelayed": delayed,
        "ApproximateNumberOfMessagesNotVisible": not_visible,
    }


# --- lazy_visible_messages --------------------------------------------------------------------------------------


class _VisibleMessages:
    """The queue's visible, undelayed messages, found as they are iterated. moto 5.2.5 uses `Queue.messages` only
    to iterate (ReceiveMessage), to test for any (long polling) and to count."""

    def __init__(self, messages: list[Any], now: float) -> None:
        self._messages = messages
        self._now = now

    def __iter__(self) -> Iterator[Any]:
        now = self._now
        return (m for m in self._messages if now > m.visible_at and now >= m.delayed_until)

    def __bool__(self) -> bool:
        return any(True for _ in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _visible_messages(queue: Any) -> _VisibleMessages:
    from moto.sqs import models

    return _VisibleMessages(queue._messages, models.unix_time_millis())


# --- delete_finds_one_message -----------------------------------------------------------------------------------


def _delete_message(queue: Any, receipt_handle: str) -> None:
    from moto.sqs.exceptions import ReceiptHandleIsInvalid

    if receipt_handle in queue.deleted_messages:
        return  # deleting twice is allowed
    for index, message in enumerate(queue._messages):
        if message.receipt_handle == receipt_handle or receipt_handle in message._old_receipt_handles:
            del queue._messages[index]
            queue.pending_messages.discard(message)
            queue.deleted_messages.update(message.all_receipt_handles)
            return
    raise ReceiptHandleIsInvalid()


# --- receive_copies_less ----------------------------------------------------------------------------------------


_RECEIPT_HANDLE_LENGTH = 185
_LOWERCASE_FOR_BYTE = bytes(ord(string.ascii_lowercase[i % 26]) for i in range(256))


def _receipt_handle() -> str:
    """185 random lowercase letters like moto's, drawn at once from moto's (seedable) random source rather than
    one `choice()` per letter."""
    from moto.moto_api._internal import mock_random

    raw = mock_random.getrandbits(8 * _RECEIPT_HANDLE_LENGTH).to_bytes(_RECEIPT_HANDLE_LENGTH, "little")
    return raw.translate(_LOWERCASE_FOR_BYTE).decode("ascii")


def _copy_for_receive(deepcopy: Callable[..., Any], message_class: type) -> Callable[..., Any]:
    """ReceiveMessage deep-copies each message it returns, only to filter the copy's message attributes (which
    replaces the copy's attribute dict, never changes it). A shallow copy with its own lists does the same."""

    def copy_for_receive(value: Any, memo: Any = None) -> Any:
        if type(value) is message_class:
            message: Any = value
            duplicate = copy.copy(message)
            duplicate.message_attributes = dict(message.message_attributes)
            duplicate._old_receipt_handles = list(message._old_receipt_handles)
            duplicate.system_attributes = dict(message.system_attributes)
            return duplicate
        return deepcopy(value, memo)

    return copy_for_receive


# --- sns_signing_key_per_region ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SigningKey:
    key: Any
    pem: bytes
    file_name: str


@dataclass
class _Signed:
    """One notification's timestamp and signature, and its JSON as rendered for moto (per dumps() options)."""

    timestamp: str
    signature: str
    rendered: dict[tuple[Any, ...], tuple[dict[str, Any], str]] = field(default_factory=dict)


class _PostData(dict[str, Any]):
    """A notification envelope that knows its notification, so that its JSON is rendered once per publish."""

    signed: _Signed


class _JsonRenderingOnce:
    """Stands in for the `json` module inside moto.sns.models: every SQS delivery of a publish renders the same
    envelope (pretty-printed, by the pure-Python encoder); the text is made once and reused."""

    def __init__(self, module: Any) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)

    def dumps(self, obj: Any, **options: Any) -> str:
        if type(obj) is not _PostData:
            return str(self._module.dumps(obj, **options))
        key = tuple(sorted(options.items()))
        found = obj.signed.rendered.get(key)
        if found is None or found[0] != obj:  # a different envelope for the same notification: render it
            found = obj.signed.rendered[key] = (dict(obj), str(self._module.dumps(obj, **options)))
        return found[1]


_signing_keys: dict[str, _SigningKey] = {}
# One publish is delivered to its subscriptions one after another: they share its timestamp and signature, as on SNS.
_notifications: OrderedDict[tuple[str, str, str], _Signed] = OrderedDict()
_NOTIFICATIONS_KEPT = 256
# moto 5.2.5's fixed (not subscription-specific) unsubscribe link, kept as it is.
_UNSUBSCRIBE_URL = (
    "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:{account}:{topic}"
    ":2bcfbf39-05c3-41de-beaa-fcfcc21c8f55"
)


def _signing_key(region: str) -> _SigningKey:
    with _lock:
        found = _signing_keys.get(region)
        if found is None:
            found = _signing_keys[region] = _new_signing_key()
        return found


def _new_signing_key() -> _SigningKey:
    from moto.core.utils import utcnow
    from moto.moto_api._internal import mock_random

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Amazon"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Amazon RSA 2048 M01"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(utcnow())
        .not_valid_after(utcnow() + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    file_name = f"SimpleNotificationService-{mock_random.uuid4().hex}.pem"
    return _SigningKey(key, certificate.public_bytes(serialization.Encoding.PEM), file_name)


def _signed(key: Any, topic_arn: str, message_id: str, message: str) -> _Signed:
    from moto.core.utils import iso_8601_datetime_with_milliseconds

    notification = (topic_arn, message_id, message)
    with _lock:
        found = _notifications.get(notification)
    if found is None:
        timestamp = iso_8601_datetime_with_milliseconds()
        text = (
            f"Message\n{message}\nMessageId\n{message_id}\nTimestamp\n{timestamp}\n"
            f"TopicArn\n{topic_arn}\nType\nNotification\n"
        )
        signature = key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
        found = _Signed(timestamp, base64.b64encode(signature).decode())
        with _lock:
            _notifications[notification] = found
            while len(_notifications) > _NOTIFICATIONS_KEPT:
                _notifications.popitem(last=False)
    return found


def _signed_post_data(
    subscription: Any,
    message: str,
    message_id: str,
    subject: str | None,
    message_attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The SNS notification envelope, as moto builds it, signed (SignatureVersion 2, SHA256withRSA) with the
    region's key; its certificate is served at `SigningCertURL` like moto's per-delivery ones."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    topic = subscription.topic
    region = topic.sns_backend.region_name
    signing = _signing_key(region)
    # Retrieving the PEM is an unsigned request, so moto keeps certificates in the default account's backend.
    sns_backends[DEFAULT_ACCOUNT_ID][region]._message_public_keys[signing.file_name] = signing.pem

    signed = _signed(signing.key, topic.arn, message_id, message)
    post_data = _PostData(
        {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": topic.arn,
            "Message": message,
            "Timestamp": signed.timestamp,
            "SignatureVersion": "2",
            "Signature": signed.signature,
            "SigningCertURL": f"https://sns.{region}.amazonaws.com/{signing.file_name}",
            "UnsubscribeURL": _UNSUBSCRIBE_URL.format(account=subscription.account_id, topic=topic.name),
        }
    )
    post_data.signed = signed
    if subject:
        post_data["Subject"] = subject
    if message_attributes:
        post_data["MessageAttributes"] = message_attributes
    return post_data


# --- query_prefixes_indexed -------------------------------------------------------------------------------------


def _has_no_key_starting_with(parser: Any, query_params: Any, prefix: str) -> bool:
    """moto 5.2.5's `QueryParser._gonna_recurse`: whether no parameter name starts with `prefix`. Names starting
    with it sort right at `prefix`'s place, so one binary search in the names (sorted once per parse, which hands
    the same mapping down) answers."""
    if prefix == "":
        return False
    names = getattr(parser, "_tidings_sorted_names", None)
    if names is None or names[0] is not query_params:
        names = parser._tidings_sorted_names = (query_params, sorted(query_params))
    found = bisect.bisect_left(names[1], prefix)
    return not (found < len(names[1]) and names[1][found].startswith(prefix))


# --- routing_remembered -----------------------------------------------------------------------------------------


def _listed_once(original: Callable[[], Any]) -> Callable[[], tuple[str, ...]]:
    """moto's service folders, listed once: moto lists its package directory on every request to route it."""
    listed = functools.cache(lambda: tuple(original()))

    def list_of_moto_modules() -> tuple[str, ...]:
        return listed()

    return list_of_moto_modules


def _remembered(dispatcher_class: type) -> Callable[[Any, str | None], Any]:
    """The backend for a Host header depends on the header only; moto matches it against ~300 patterns each time."""
    original = vars(dispatcher_class)["get_backend_for_host"]
    found: dict[str | None, Any] = {}

    def get_backend_for_host(dispatcher: Any, host: str | None) -> Any:
        if host not in found:
            found[host] = original(dispatcher, host)
        return found[host]

    return get_backend_for_host


def _method_names(original: Callable[[type], list[str]]) -> Callable[[type], frozenset[str]]:
    """The actions a response class handles: moto lists the class's functions with `inspect` on every request;
    a class's functions do not change, so each class is listed once."""
    listed: dict[type, frozenset[str]] = {}

    def method_names_from_class(cls: type) -> frozenset[str]:
        if cls not in listed:
            listed[cls] = frozenset(original(cls))
        return listed[cls]

    return method_names_from_class


def _request_id(headers: dict[str, Any] | None = None) -> str:
    """moto's 52-letter `x-amzn-requestid`, drawn at once from moto's random source rather than per letter."""
    from moto.moto_api._internal import mock_random

    raw = mock_random.getrandbits(8 * 52).to_bytes(52, "little")
    request_id = raw.translate(_LETTER_OR_DIGIT_FOR_BYTE).decode("ascii")
    if isinstance(headers, dict):
        headers["x-amzn-requestid"] = request_id
    return request_id


_LETTER_OR_DIGIT_FOR_BYTE = bytes(ord((string.ascii_letters + string.digits)[i % 62]) for i in range(256))


def _keys_remembered(original: Callable[..., Any]) -> Callable[..., Any]:
    """Which attribute names moto's response serializer tries for a field. moto asks six alias providers again for
    every field of every value (~30 % of answering a ReceiveMessage); their answer depends only on the value's
    class, the field and its shape, so it is worked out once per combination. A value carrying its own `Meta`
    (per-object aliases) is asked every time, as before."""
    found: dict[tuple[Any, ...], tuple[str, ...]] = {}

    def get_possible_keys(picker: Any, context: Any) -> Any:
        obj = context.obj
        if "Meta" in getattr(obj, "__dict__", ()):
            return original(picker, context)
        key = (tuple(picker.alias_providers), type(obj), context.key, id(context.shape), context.shape)
        keys = found.get(key)
        if keys is None:
            keys = found[key] = tuple(original(picker, context))
        return keys

    return get_possible_keys
