#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that adds a fixed one-way delay to everything it forwards, in both
directions, keeping order and leaving bandwidth alone: a WAN-like round trip (2 × DELAY) for
loopback benchmarks. Prints one listening port per target, in order, then runs until killed.

Usage: delay-proxy.py [--rate MBIT] DELAY_MS TARGET_PORT [TARGET_PORT ...]   (targets on 127.0.0.1)

--rate caps each target's link at MBIT megabits per second in each direction, shared by all the
connections to that target (one WAN link per server): bytes wait for the link, then travel.
"""
import asyncio, sys, time

arguments = sys.argv[1:]
rate = None  # bytes per second
if arguments[:1] == ["--rate"]:
    rate = float(arguments[1]) * 1e6 / 8
    arguments = arguments[2:]
delay = float(arguments[0]) / 1000.0
targets = [int(p) for p in arguments[1:]]


class Link:
    """One direction of one server's link: when it is free to carry the next bytes."""

    def __init__(self):
        self.free_at = 0.0

    def transmitted(self, size):
        now = time.monotonic()
        if rate is None:
            return now
        self.free_at = max(now, self.free_at) + size / rate
        return self.free_at


async def pump(reader, writer, link):
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    sender = asyncio.ensure_future(deliver())
    try:
        while True:
            data = await reader.read(64 * 1024 if rate else 256 * 1024)
            if not data:
                break
            queue.put_nowait((link.transmitted(len(data)) + delay, data))
    except (ConnectionError, OSError):
        pass
    queue.put_nowait((time.monotonic() + delay, None))
    try:
        await sender
    except (ConnectionError, OSError):
        pass


def handler(port):
    upstream, downstream = Link(), Link()

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            pump(client_reader, server_writer, upstream), pump(server_reader, client_writer, downstream))
    return handle


async def main():
    servers = []
    for port in targets:
        server = await asyncio.start_server(handler(port), "127.0.0.1", 0)
        servers.append(server)
        print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


asyncio.run(main())
