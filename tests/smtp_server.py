"""A real SMTP server in the test process (aiosmtpd)."""
from __future__ import annotations

import socket
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    # Controller.start() connects to the port it is given, so pick a free one first.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    def __init__(self):
        self.messages: list[Message] = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


class SMTPServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[Message]:
        return self.handler.messages

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


# --- fixtures: import ``app_config`` and ``smtp`` into a test module to send its mail to the one
# SMTP server of the session (``smtp_server``, in conftest.py so that there is only one) -------

SMTP_PORT = free_port()


@pytest.fixture
def app_config():
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": SMTP_PORT, "MAIL_TIMEOUT_SECONDS": 5}


@pytest.fixture(autouse=True)
def smtp(smtp_server):
    """The server, with the messages of earlier tests forgotten."""
    smtp_server.handler.messages.clear()
    return smtp_server
