"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a free port, keeping what it receives.

    def test_mail(test_config, smtp_server):
        app = create_app({**test_config, **smtp_server.config})
        ...                                   # something that queues mail, committed
        (mail,) = smtp_server.wait_for(1)
        assert mail.to == ["alice@example.org"] and "Welkom" in mail.subject and mail.html

`smtp_server.config` points the app at the server (MAIL_SERVER, MAIL_PORT) and sets JOBS_IMMEDIATE, so the
`deliver_outbox` job runs right after the commit that queued the mail, in the same process, instead of waiting
for a Huey consumer (tests/test_jobs.py runs a real consumer). Leave JOBS_IMMEDIATE out (`smtp_server.mail_config`)
to drive delivery yourself with `tendering.jobs.tasks.deliver(...)`.
"""

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller


@dataclass
class ReceivedMail:
    """One message as the server received it: the envelope and the parsed message."""

    envelope_to: list[str]
    message: EmailMessage

    @property
    def to(self) -> list[str]:
        """The addresses in the To header."""
        return [address.addr_spec for address in self.message["To"].addresses] if self.message["To"] else []

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def text(self) -> str:
        """The plain-text part (the whole body of a message without alternatives)."""
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        """The HTML part, or "" when the message has none."""
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""

    def __getitem__(self, header: str) -> str | None:
        """A header, such as mail["Message-ID"] or mail["List-Unsubscribe"]."""
        value = self.message[header]
        return None if value is None else str(value)


@dataclass
class _Collector:
    received: list[ReceivedMail] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    refused: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        with self.arrived:
            self.received.append(ReceivedMail(list(envelope.rcpt_tos), message))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """A running aiosmtpd server; `messages` is what it received so far, in order of arrival."""

    host = "127.0.0.1"

    def __init__(self):
        self.port = free_port()
        self._collector = _Collector()
        self._controller: Controller | None = None

    def start(self) -> None:
        loop = asyncio.new_event_loop()  # our own, so that stop() can close it (aiosmtpd leaves its own open)
        self._controller = Controller(self._collector, hostname=self.host, port=self.port, loop=loop)
        self._controller.start()

    def stop(self) -> None:
        """Stop accepting connections, as a mail server that is down (start() again to bring it back)."""
        if self._controller is None:
            return
        controller, self._controller = self._controller, None
        controller.stop()
        controller.loop.close()

    @property
    def messages(self) -> list[ReceivedMail]:
        with self._collector.arrived:
            return list(self._collector.received)

    @property
    def mail_config(self) -> dict:
        """App configuration that sends mail here (delivery by the job queue, as in production)."""
        return {"MAIL_SERVER": self.host, "MAIL_PORT": self.port, "MAIL_FROM": "gemeente@tendering.test"}

    @property
    def config(self) -> dict:
        """`mail_config`, with jobs run right after the commit that enqueues them (see the module's docstring)."""
        return {**self.mail_config, "JOBS_IMMEDIATE": True}

    def refuse(self, address: str) -> None:
        """Refuse mail for `address` from now on (550), as a server does for a mailbox that does not exist."""
        self._collector.refused.add(address)

    def wait_for(self, count: int, timeout: float = 10) -> list[ReceivedMail]:
        """Wait until at least `count` messages arrived and return all of them; fails the test after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._collector.arrived:
            while len(self._collector.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"{len(self._collector.received)} of {count} message(s) arrived within {timeout} s")
                self._collector.arrived.wait(left)
            return list(self._collector.received)

    def to(self, address: str) -> list[ReceivedMail]:
        """The messages received so far for `address`."""
        return [mail for mail in self.messages if address in mail.envelope_to]


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
