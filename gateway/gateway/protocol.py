"""uvicorn's httptools protocol with the limits a public endpoint needs.

A client may send at most `max_headers` headers of at most `max_header_bytes` in all and a
URL of at most `max_url_bytes` (431 / 414 otherwise, and the connection is closed), must
finish its headers within `header_timeout` seconds of starting a request (or of
connecting) and its body within `body_timeout`; a slow client is disconnected so it
cannot hold a connection slot for ever.
"""

from __future__ import annotations

import json

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _Refused(Exception):
    def __init__(self, status: int, reason: bytes, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    max_headers = 64
    max_header_bytes = 16 * 1024
    max_url_bytes = 4096
    header_timeout = 10.0
    body_timeout = 30.0

    @classmethod
    def configured(cls, **limits) -> type["LimitedHttpToolsProtocol"]:
        return type("ConfiguredHttpToolsProtocol", (cls,), limits)

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_bytes = 0
        self._header_count = 0
        self._deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def connection_lost(self, exc) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def _cancel_deadline(self) -> None:
        deadline = getattr(self, "_deadline", None)
        if deadline is not None:
            deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.logger.info("closing a connection whose client is too slow")
            if self.cycle is None or not self.cycle.response_started:
                self._refuse(408, b"Request Timeout", "the request was not received in time")
            else:
                self.transport.close()

    def _refuse(self, status: int, reason: bytes, message: str) -> None:
        body = json.dumps({"error": "request_refused", "message": message,
                           "errors": [{"field": "request", "rule": f"http_{status}", "message": message}]}).encode()
        self.transport.write(b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
                             b"cache-control: no-store\r\nconnection: close\r\n\r\n%s"
                             % (status, reason, len(body), body))
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            refused = exc.__context__ if isinstance(exc.__context__, _Refused) else None
            if refused is not None:
                self._refuse(refused.status, refused.reason, str(refused))
            else:
                self.send_400_response("Invalid HTTP request received.")
        except httptools.HttpParserError:
            self.send_400_response("Invalid HTTP request received.")
        except httptools.HttpParserUpgrade:
            self.send_400_response("Upgrades are not supported.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        self._header_count = 0
        if getattr(self, "_deadline", None) is None:
            self._deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.max_url_bytes:
            raise _Refused(414, b"URI Too Long", f"the URL is longer than {self.max_url_bytes} bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        # httptools may deliver one header in pieces; count bytes as they come.
        self._header_bytes += len(name) + len(value)
        self._header_count += 1
        if self._header_bytes > self.max_header_bytes:
            raise _Refused(431, b"Request Header Fields Too Large",
                           f"request headers exceed {self.max_header_bytes} bytes")
        if self._header_count > self.max_headers:
            raise _Refused(431, b"Request Header Fields Too Large",
                           f"more than {self.max_headers} request headers")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._cancel_deadline()
        super().on_headers_complete()
        if self.cycle is not None and self.cycle.more_body is not False:
            self._deadline = self.loop.call_later(self.body_timeout, self._too_slow)

    def on_message_complete(self) -> None:
        self._cancel_deadline()
        super().on_message_complete()
