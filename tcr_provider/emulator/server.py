"""The emulator's HTTP server: API calls on ``/``, control endpoints under ``/_emulator/``.

Each API request goes: count it, authenticate it, hand it to the effect of the fault rule that takes it
(if any), rate-limit it, perform it. Every answer to an API request is HTTP 200 with ``Content-Type:
application/json`` unless a fault effect asks for another status or for no answer at all.

A COS request (its Authorization starts ``q-sign-algorithm=``) goes the same way but for the rate limit, with
COS's own signature check and XML answers (:mod:`.services.cos`).

``GET /v2/``, the Docker Registry version check, is answered by the registry it names (its Host or
``X-Registry-Host`` header) with 200 or 401 (:mod:`.services.tcr.registry_v2`); it is not an API request, so
it is neither counted nor subject to fault rules.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from . import protocol
from .errors import ApiError, InjectedError
from .faults import FaultPlan, FaultRule, FaultRuleError, PendingCall
from .protocol import ApiCall, Credentials, HttpAnswer, HttpRequest
from .rules import ACCOUNT_UIN, LOWER_RATE_LIMITS
from .services import Account, Behaviour, Cloud, Timings
from .services.cos import api as cos_api
from .services.cos import signature as cos_signature
from .services.cos.errors import CosError, InjectedCosError, InternalError
from .services.tcr import registry_v2
from .throttle import RateLimiter

DEFAULT_HOST = "127.0.0.1"
DEFAULT_SECRET_ID = "AKIDEMULATOR"
DEFAULT_SECRET_KEY = "emulator-secret-key"
DEFAULT_APP_ID = 1250000000
DEFAULT_CREATE_SECONDS = 3.0
DEFAULT_DELETE_SECONDS = 1.0
DEFAULT_MODIFY_SECONDS = 1.0
DEFAULT_RATE_LIMIT = 20

CONTROL_PREFIX = "/_emulator/"
CALLS_KEPT = 1000
_log = logging.getLogger(__name__)


class Emulator:
    """A local TCR, Tag, CAM and COS API on one port; ``with Emulator() as emu:`` serves it from a thread."""

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = 0,
        secret_id: str = DEFAULT_SECRET_ID,
        secret_key: str = DEFAULT_SECRET_KEY,
        app_id: int = DEFAULT_APP_ID,
        create_seconds: float = DEFAULT_CREATE_SECONDS,
        delete_seconds: float = DEFAULT_DELETE_SECONDS,
        modify_seconds: float = DEFAULT_MODIFY_SECONDS,
        rate_limit: int = DEFAULT_RATE_LIMIT,
    ) -> None:
        self.host = host
        self.port = port
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.app_id = app_id
        self._credentials = Credentials(secret_id, secret_key)
        self._account = Account(uin=ACCOUNT_UIN, app_id=app_id)
        self._timings = Timings(create_seconds, delete_seconds, modify_seconds)
        self._cloud = Cloud(self._account, self._timings)
        self._behaviour = Behaviour()
        self._faults = FaultPlan()
        self._limiter = RateLimiter(rate_limit, lower=LOWER_RATE_LIMITS)
        self._requests: Counter[str] = Counter()
        # The parameters of the latest authenticated calls, so a test can see exactly what a client sent.
        self._calls: deque[dict[str, object]] = deque(maxlen=CALLS_KEPT)
        # One call at a time touches the account's state; delays and signatures happen outside the lock.
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("The emulator is not started: call start() or use it in a with block.")
        return f"http://{self.host}:{self.port}"

    def start(self) -> Emulator:
        if self._server is not None:
            raise RuntimeError("The emulator is already serving.")
        server = _Server((self.host, self.port), _Handler)
        server.emulator = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="tcr-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # --- the API ---

    def answer_api(self, request: HttpRequest) -> HttpAnswer:
        if registry_v2.is_version_check(request):
            return self.answer_registry(request)
        if cos_signature.is_cos_request(request):
            return self.answer_cos(request)
        request_id = protocol.new_request_id()
        action = protocol.action_of(request)
        with self._lock:
            self._requests[action] += 1
        try:
            call = protocol.authenticate(request, self._credentials, time.time())
            with self._lock:
                self._calls.append({"action": call.action, "params": dict(call.params)})
            pending = PendingCall(self._behaviour, functools.partial(self._perform, call, request_id))
            effect = self._faults.take(call.action)
            return pending.proceed() if effect is None else effect.apply(pending)
        except Exception as error:
            return _error_answer(error, action, request_id)

    def _perform(self, call: ApiCall, request_id: str, behaviour: Behaviour) -> HttpAnswer:
        try:
            self._limiter.admit(call.action, call.secret_id)
            with self._lock:
                reply = self._cloud.perform(call, behaviour)
            return HttpAnswer(200, protocol.success_body(reply, request_id))
        except Exception as error:
            return _error_answer(error, call.action, request_id)

    def answer_cos(self, request: HttpRequest) -> HttpAnswer:
        request_id = protocol.new_request_id()
        call = cos_api.parse(request)
        with self._lock:
            self._requests[call.action] += 1
        try:
            cos_signature.authenticate(request, self._credentials, time.time())
            with self._lock:
                self._calls.append({"action": call.action, "params": dict(call.params)})
            pending = PendingCall(self._behaviour, functools.partial(self._perform_cos, call, request_id))
            effect = self._faults.take(call.action)
            return pending.proceed() if effect is None else effect.apply(pending)
        except Exception as error:
            return _cos_error_answer(error, call, request_id)

    def _perform_cos(self, call: cos_api.CosRequest, request_id: str, behaviour: Behaviour) -> HttpAnswer:
        try:
            with self._lock:
                return self._cloud.cos.perform(call)
        except Exception as error:
            return _cos_error_answer(error, call, request_id)

    def answer_registry(self, request: HttpRequest) -> HttpAnswer:
        with self._lock:
            return self._cloud.registry_v2.answer(request)

    # --- the control endpoints ---

    def answer_control(self, method: str, path: str, body: bytes) -> HttpAnswer:
        endpoint = path.removeprefix(CONTROL_PREFIX).rstrip("/")
        match method, endpoint:
            case "GET", "state":
                return _json_answer(200, self.state())
            case "GET", "calls":
                with self._lock:
                    return _json_answer(200, {"calls": list(self._calls)})
            case "POST", "reset":
                self.reset()
                return _json_answer(200, {})
            case "POST", "faults":
                try:
                    document = json.loads(body or b"null")
                    documents = document if isinstance(document, list) else [document]
                    known = self._cloud.action_names()
                    fault_rules = [FaultRule.parse(item, known) for item in documents]
                except (ValueError, FaultRuleError) as error:
                    return _json_answer(400, {"error": str(error)})
                self._faults.add(fault_rules)
                return _json_answer(200, {"faults": self._faults.pending()})
            case _, ("state" | "reset" | "faults" | "calls"):
                return _json_answer(405, {"error": f"{method} is not allowed on {path}."})
            case _:
                return _json_answer(404, {"error": f"No control endpoint {path}: use state, calls, reset or faults."})

    def state(self) -> dict[str, object]:
        with self._lock:
            return {**self._cloud.snapshot(), "requests": dict(self._requests)}

    def reset(self) -> None:
        with self._lock:
            self._cloud = Cloud(self._account, self._timings)
            self._requests.clear()
            self._calls.clear()
        self._faults.clear()
        self._limiter.clear()


def _error_answer(error: Exception, action: str, request_id: str) -> HttpAnswer:
    """The error envelope for a failed call; called while ``error`` is being handled, so it can be logged."""
    if not isinstance(error, ApiError):
        _log.exception("The emulator failed on %s", action)
        error = ApiError(f"The emulator failed: {error!r}.")
    return HttpAnswer(200, protocol.error_body(error, request_id))


def _cos_error_answer(error: Exception, call: cos_api.CosRequest, request_id: str) -> HttpAnswer:
    """COS's XML error for a failed COS request; called while ``error`` is being handled, so it can be logged."""
    if isinstance(error, InjectedError):
        error = InjectedCosError(error.code)
    elif not isinstance(error, CosError):
        _log.exception("The emulator failed on COS %s", call.action or call.resource)
        error = InternalError(f"The emulator failed: {error!r}.")
    return cos_api.error_answer(error, request_id, call.resource)


def _json_answer(status: int, document: object) -> HttpAnswer:
    return HttpAnswer(status, json.dumps(document).encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: Emulator

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gave up on a slow answer (its read timeout, a delay fault) closed the connection: the
        # answer has nowhere to go, which is no error of the emulator's.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps the SDK's pooled connections open between calls, as a real endpoint does.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, each answer would wait for a delayed ACK.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_PUT(self) -> None:
        self._answer()

    def _answer(self) -> None:
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        emulator = self.server.emulator
        if path.startswith(CONTROL_PREFIX):
            answer = emulator.answer_control(self.command, path, body)
        else:
            headers = {name.lower(): value for name, value in self.headers.items()}
            answer = emulator.answer_api(HttpRequest(self.command, path, query, headers, body))
        if answer.drop:
            self.close_connection = True
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: object) -> None:
        _log.debug("%s %s", self.address_string(), format % args)
