#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that adds a fixed one-way delay to everything it forwards, in both
directions, keeping order and leaving bandwidth alone: a WAN-like round trip (2 × DELAY) for
loopback benchmarks. Prints one listening port per target, in order, then runs until killed.

Usage: delay-proxy.py DELAY_MS TARGET_PORT [TARGET_PORT ...]   (targets on 127.0.0.1)
"""
import asyncio, sys, time

delay = float(sys.argv[1]) / 1000.0
targets = [int(p) for p in sys.argv[2:]]


async def pump(reader, writer):
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
            data = await reader.read(256 * 1024)
            if not data:
                break
            queue.put_nowait((time.monotonic() + delay, data))
    except (ConnectionError, OSError):
        pass
    queue.put_nowait((time.monotonic() + delay, None))
    try:
        await sender
    except (ConnectionError, OSError):
        pass


def handler(port):
    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, server_writer), pump(server_reader, client_writer))
    return handle


async def main():
    servers = []
    for port in targets:
        server = await asyncio.start_server(handler(port), "127.0.0.1", 0)
        servers.append(server)
        print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


asyncio.run(main())
