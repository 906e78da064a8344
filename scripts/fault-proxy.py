#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that breaks the links it carries, on purpose and reproducibly, for
the reliability tests and benchmarks: what a flaky WAN does to a migration, on demand.

Every new connection draws its fate from a generator seeded with --seed and the connection's
number, so a run with the same seed cuts at the same offsets. Until --faults faults have
fired, each new connection is dealt one: a byte offset drawn from [--min-bytes, --max-bytes],
counted over both directions together, and a direction (client to server or server to client,
drawn at random unless --direction says): it strikes the first chunk in that direction at or
past the offset, so the light direction (commands, a TLS handshake) is hit as often as the
heavy one.

  cut    the link is closed at that offset: with a FIN (an orderly close) or with a RST
         (SO_LINGER 0), drawn at random
  stall  forwarding stops at that offset; the sockets stay open and silent
  drip   from that offset on, one byte every --drip-ms

Connections after the last fault pass untouched, so a run can finish. --latency-ms adds that
delay to every chunk, each way. Each fault is appended to --log as one line:
"<n> <fault> <direction> <offset>" (the tests count them), and the port listened on is printed
on stdout once the proxy listens. Runs until killed.

Usage: fault-proxy.py --target PORT --seed S --faults N [--mode cut|stall|drip]
       [--min-bytes A] [--max-bytes B] [--latency-ms D] [--drip-ms M] [--log FILE]
"""
import argparse, asyncio, random, socket, struct, sys, time

parser = argparse.ArgumentParser()
parser.add_argument("--target", type=int, required=True)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--faults", type=int, default=0)
parser.add_argument("--mode", choices=["cut", "stall", "drip"], default="cut")
parser.add_argument("--min-bytes", type=int, default=2_000)
parser.add_argument("--max-bytes", type=int, default=200_000)
parser.add_argument("--latency-ms", type=float, default=0)
parser.add_argument("--drip-ms", type=float, default=300)
parser.add_argument("--direction", choices=["either", "c2s", "s2c"], default="either")
parser.add_argument("--log", default=None)
options = parser.parse_args()

fired = 0
connections = 0


def record(line):
    if options.log:
        with open(options.log, "a") as log:
            log.write(line + "\n")


def reset(writer):
    """Closes with a RST: SO_LINGER on, with a zero timeout."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.close()


class Link:
    """One proxied connection and the fault it was dealt (or none)."""

    def __init__(self, number, client, server):
        self.number = number
        self.client, self.server = client, server
        self.fault = None
        self.closed = False
        self.counted = 0
        if fired < options.faults:
            rng = random.Random(options.seed * 1_000_003 + number)
            offset = rng.randint(options.min_bytes, options.max_bytes)
            direction = options.direction
            if direction == "either":
                direction = rng.choice(["c2s", "s2c"])
            kind = options.mode
            if kind == "cut":
                kind = rng.choice(["fin", "rst"])
            self.fault = (kind, direction, offset)

    def close(self, kind):
        if self.closed:
            return
        self.closed = True
        for _, writer in (self.client, self.server):
            if kind == "rst":
                reset(writer)
            else:
                writer.close()

    async def pump(self, direction):
        reader = (self.client if direction == "c2s" else self.server)[0]
        writer = (self.server if direction == "c2s" else self.client)[1]
        global fired
        try:
            while not self.closed:
                data = await reader.read(64 * 1024)
                if not data:
                    break
                if options.latency_ms:
                    await asyncio.sleep(options.latency_ms / 1000)
                if self.fault and self.fault[1] == direction and self.counted + len(data) >= self.fault[2]:
                    kind, _, offset = self.fault
                    self.fault = None
                    head = data[: max(0, offset - self.counted)]
                    if head:
                        writer.write(head)
                        await writer.drain()
                    fired += 1
                    record(f"{fired} {kind} {direction} {offset}")
                    if kind in ("fin", "rst"):
                        self.close(kind)
                        return
                    if kind == "stall":
                        await asyncio.sleep(3600)
                        return
                    # drip: the rest of this chunk and everything after, one byte at a time
                    rest = data[len(head) :]
                    while not self.closed:
                        for byte in rest:
                            await asyncio.sleep(options.drip_ms / 1000)
                            writer.write(bytes([byte]))
                            await writer.drain()
                        rest = await reader.read(64 * 1024)
                        if not rest:
                            break
                    return
                writer.write(data)
                await writer.drain()
                self.counted += len(data)
        except (ConnectionError, OSError):
            pass
        self.close("fin")


async def handle(client_reader, client_writer):
    global connections
    connections += 1
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", options.target)
    except OSError:
        client_writer.close()
        return
    link = Link(connections, (client_reader, client_writer), (server_reader, server_writer))
    await asyncio.gather(link.pump("c2s"), link.pump("s2c"))


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
