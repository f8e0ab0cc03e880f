"""The load generator's HTTP client against a small server on loopback: what it sends, what it
keeps of the answer, and how a broken answer is counted."""

import asyncio

import pytest
from bench import load
from bench.load import Client, RequestFailed, Stats


async def _serve(
    answers: list[bytes], pause: float = 0.0
) -> tuple[asyncio.Server, int, list[bytes]]:
    """A server that reads each request and answers with the next of ``answers``, then closes
    the connection (as gunicorn's sync workers do); the requests are kept. With ``pause`` it
    sends the first half of an answer, waits, then the rest."""
    received: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        received.append(head + await reader.readexactly(length))
        answer = answers[len(received) - 1]
        if pause:
            writer.write(answer[: len(answer) // 2])
            await writer.drain()
            await asyncio.sleep(pause)
            answer = answer[len(answer) // 2 :]
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], received


def test_cookies_are_kept_and_sent_back_raw():
    async def scenario() -> tuple[list[bytes], Client, bytes]:
        server, port, received = await _serve(
            [
                b"HTTP/1.1 302 Found\r\nLocation: /next/\r\n"
                b"Set-Cookie: sessionid=abc123; expires=Thu, 26 Nov 2026 12:00:00 GMT; "
                b"HttpOnly; Path=/\r\n"
                b'Set-Cookie: messages="x:1|y"; Path=/\r\n\r\n',
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                b'Set-Cookie: messages=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; '
                b"Path=/\r\n\r\n<p>done</p>",
                b"HTTP/1.1 200 OK\r\n\r\n",
            ]
        )
        client = Client("127.0.0.1", port, Stats())
        first = await client.request(
            "post", "POST", "/start/", body=b"a=1", content_type="x", expect=(302,)
        )
        assert client.cookies == {"sessionid": "abc123", "messages": '"x:1|y"'}
        second = await client.request("get", "GET", "/next/")
        assert client.cookies == {"sessionid": "abc123"}  # deleted by the server
        await client.request("get", "GET", "/last/")
        server.close()
        assert first.header("Location") == "/next/"
        return received, client, second.body

    received, client, body = asyncio.run(scenario())

    assert received[0].startswith(b"POST /start/ HTTP/1.1\r\n")
    assert received[0].endswith(b"Content-Length: 3\r\nContent-Type: x\r\n\r\na=1")
    assert b'\r\nCookie: sessionid=abc123; messages="x:1|y"\r\n' in received[1]
    assert b"\r\nCookie: sessionid=abc123\r\n" in received[2]
    assert body == b"<p>done</p>"
    assert sorted(client.stats.latencies) == ["get", "post"]


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (b"", "connection"),  # closed without a word
        (b"garbage", "connection"),  # no status line
        (b"HTTP/1.1 500 Internal Server Error\r\n\r\noops", "HTTP 500"),
    ],
)
def test_a_broken_or_wrong_answer_is_a_counted_failure(answer, kind):
    async def scenario() -> RequestFailed:
        server, port, _ = await _serve([answer])
        client = Client("127.0.0.1", port, Stats())
        with pytest.raises(RequestFailed) as failure:
            await client.request("get", "GET", "/")
        server.close()
        assert client.stats.latencies == {}
        return failure.value

    assert asyncio.run(scenario()).kind == kind


def test_an_answer_in_parts_is_read_until_the_server_closes():
    body = b"x" * 700_000  # beyond one read of the socket

    async def scenario() -> bytes:
        server, port, _ = await _serve([b"HTTP/1.1 200 OK\r\n\r\n" + body], pause=0.1)
        answer = await Client("127.0.0.1", port, Stats()).request("get", "GET", "/")
        server.close()
        return answer.body

    assert asyncio.run(scenario()) == body


def test_a_server_that_does_not_answer_is_a_timeout(monkeypatch):
    monkeypatch.setattr(load, "REQUEST_TIMEOUT", 0.2)
    closed = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up and closes its side
        closed.set()

    async def scenario() -> RequestFailed:
        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        client = Client("127.0.0.1", server.sockets[0].getsockname()[1], Stats())
        with pytest.raises(RequestFailed) as failure:  # within the time the test allows
            await asyncio.wait_for(client.request("get", "GET", "/"), 5)
        await asyncio.wait_for(closed.wait(), 2)  # the connection was closed, not left open
        server.close()
        return failure.value

    assert asyncio.run(scenario()).kind == "timeout"
