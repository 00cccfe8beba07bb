"""One SNS signing key and certificate per region, each notification signed once (moto 5.2.5; registered in
`patches/__init__.py`).

- `sns_signing_key_per_region`: every delivery generated and signed a fresh X.509 certificate (and kept its PEM
  forever); now one key and certificate per region, as SNS has, sign each notification once for all the queues
  it reaches, and its (pretty-printed) JSON is rendered once. Signatures still verify against the certificate
  moto serves at `SigningCertURL`. Without it: 6.5 s (x1.9), publishing x3. The key is RSA-1024 (a signature
  ~0.15 ms instead of RSA-2048's ~0.95 ms: ~0.8 ms of server CPU per published event on bench/engines.py).
"""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import timedelta
from json.encoder import encode_basestring_ascii as _quote
from typing import Any

# Imported with this module, not lazily at the first signature: the signing key cached below must be used with the
# same `hashes`/`padding` classes it was made with. A lazy import inside a pytester in-process run is undone when
# that run ends (pytester restores sys.modules), and the next signature then fails with "Algorithm must be a
# registered hash algorithm".
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

_lock = threading.Lock()
# RSA-1024 signs in ~0.15 ms where RSA-2048 took ~0.95 ms (per notification, measured with cryptography 50 on this
# machine); SDK verifiers check the signature against the certificate's key whatever its size.
_KEY_BITS = 1024


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
            text = pretty(obj) if key == _MOTO_OPTIONS else None
            if text is None:
                text = str(self._module.dumps(obj, **options))
            found = obj.signed.rendered[key] = (dict(obj), text)
        return found[1]


# How moto renders an envelope: json.dumps(..., sort_keys=True, indent=2, separators=(",", ": ")).
_MOTO_OPTIONS = (("indent", 2), ("separators", (",", ": ")), ("sort_keys", True))


def pretty(obj: dict[str, Any], level: int = 1) -> str | None:
    """`json.dumps(obj, sort_keys=True, indent=2, separators=(",", ": "))` for a mapping of strings (nested
    mappings of strings allowed), None for anything else. With `indent` json runs its pure-Python encoder (~0.3 ms
    for an envelope); this quotes each string with json's C quoting."""
    if not obj:
        return "{}"
    pad = "\n" + "  " * level
    items = []
    for name in sorted(obj):
        value = obj[name]
        if type(name) is not str:
            return None
        if type(value) is str:
            text: str | None = _quote(value)
        elif type(value) is dict:
            text = pretty(value, level + 1)
        else:
            text = None
        if text is None:
            return None
        items.append(pad + _quote(name) + ": " + text)
    return "{" + ",".join(items) + "\n" + "  " * (level - 1) + "}"


_signing_keys: dict[str, _SigningKey] = {}
# One publish is delivered to its subscriptions one after another: they share its timestamp and signature, as on SNS.
_notifications: OrderedDict[tuple[str, str, str, str], _Signed] = OrderedDict()
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

    key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_BITS)
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


def _signed(key: Any, topic_arn: str, message_id: str, message: str, subject: str | None) -> _Signed:
    """The notification's timestamp and signature over SNS's canonical text (Subject in it when there is one, as
    SDK verifiers build it)."""
    from moto.core.utils import iso_8601_datetime_with_milliseconds

    notification = (topic_arn, message_id, message, subject or "")
    with _lock:
        found = _notifications.get(notification)
    if found is None:
        timestamp = iso_8601_datetime_with_milliseconds()
        text = (
            f"Message\n{message}\nMessageId\n{message_id}\n"
            + (f"Subject\n{subject}\n" if subject else "")
            + f"Timestamp\n{timestamp}\n"
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

    signed = _signed(signing.key, topic.arn, message_id, message, subject)
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


def replacements() -> dict[str, list[tuple[Any, str, Any]]]:
    """This module's patch, as the (owner, attribute, replacement) triples it sets."""
    import moto.sns.models
    from moto.sns.models import Subscription

    return {
        "sns_signing_key_per_region": [
            (Subscription, "get_post_data", _signed_post_data),
            (moto.sns.models, "json", _JsonRenderingOnce(moto.sns.models.json)),
        ],
    }
