"""SNS and SQS requests straight to moto's response classes, without a Flask request context.

moto's server routes each request with `DomainDispatcherApplication` to a Flask app per service, whose one view
(`convert_to_flask_response`) normalises the request, calls the response class's `dispatch` and wraps its
`(status, headers, body)` in a Flask `Response`; Flask itself adds an app and a request context, signals, and
flask-cors's `Access-Control-Allow-Origin: *` on every answer. That frame work was ~9% of the embedded engine's
time. For SNS and SQS requests without an `Origin` header (SDKs send none), this app does the same steps
itself: the same URL map picks the same view, moto's own request class reads the request, and the answer
carries the header flask-cors would add. Anything else (other services, browser requests, moto's /moto-api)
goes through Flask unchanged.

An unsigned `GET /SimpleNotificationService-<id>.pem` (what a verifier sends to fetch the certificate that
`SigningCertURL` names) is answered with that certificate from whichever region's SNS backend holds it: moto's
dispatcher cannot tell the service of an unsigned request (404 from its default service), and moto's own
`serve_pem` looks in us-east-1 only.

It is part of the moto 5.2.5 patches: with `TIDINGS_MOTO_PATCHES=0`, or another moto version, every request
takes moto's own path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from tidings.simulator.engine.embedded import patches as moto_patches
from tidings.simulator.engine.embedded.patches import answers

__all__ = ["DIRECT_SERVICES", "DirectDispatch"]

DIRECT_SERVICES = frozenset({"sns", "sqs"})
_CERTIFICATE = re.compile(r"/SimpleNotificationService-[^/]+\.pem")


class DirectDispatch:
    """WSGI app around moto's `DomainDispatcherApplication`: SNS/SQS requests skip Flask (see the module)."""

    def __init__(self, dispatcher: Any) -> None:
        self.dispatcher = dispatcher

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if _CERTIFICATE.fullmatch(environ.get("PATH_INFO", "")) and "HTTP_AUTHORIZATION" not in environ:
            return _certificate(environ["PATH_INFO"][1:])(environ, start_response)
        if "HTTP_ORIGIN" not in environ and moto_patches.active():
            found = answers.answer(environ)
            if found is not None:
                start_response(found[0], found[1])
                return [found[2]]
        flask_app = self.dispatcher.get_application(environ)
        if (
            getattr(flask_app, "service", None) not in DIRECT_SERVICES
            or "HTTP_ORIGIN" in environ
            or not moto_patches.active()
        ):
            return flask_app(environ, start_response)
        return _dispatch(flask_app, environ)(environ, start_response)


def _certificate(file_name: str) -> Any:
    """The PEM SNS signed with, as moto's `serve_pem` answers it, from the regions in use (404 if none has it)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends
    from werkzeug.wrappers import Response

    regions = dict.values(sns_backends[DEFAULT_ACCOUNT_ID])  # only the regions created so far
    for backend in list(regions):
        pem = backend._message_public_keys.get(file_name)
        if pem is not None:
            return Response(pem, 200, {"Access-Control-Allow-Origin": "*"})
    return Response(b"no such certificate", 404)


def _dispatch(flask_app: Any, environ: dict[str, Any]) -> Any:
    """What Flask + `convert_to_flask_response` answer for this request, as a werkzeug Response."""
    from botocore.exceptions import ClientError
    from moto.core.request import normalize_request
    from moto.moto_api import recorder
    from werkzeug.exceptions import HTTPException

    try:
        endpoint, _ = flask_app.url_map.bind_to_environ(environ).match()
        callback = flask_app.view_functions[endpoint].callback
        request = normalize_request(flask_app.request_class(environ))
        recorder._record_request(request)
        try:
            result = callback(request, request.raw_url, dict(request.headers))
        except ClientError as error:
            result = 400, {}, error.response["Error"]["Message"]
    except HTTPException as error:  # as Flask answers a werkzeug HTTP error (404 route, moto's RESTError)
        response = error.get_response(environ)
    else:
        status, headers, content = result if len(result) == 3 else (200, {}, result)
        response = flask_app.response_class(response=content, status=status, headers=headers)
        if request.method == "HEAD" and "content-length" in headers:
            response.headers["Content-Length"] = headers["content-length"]
    # flask-cors, as moto configures it (always_send, origins "*"), adds this to every answer.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
