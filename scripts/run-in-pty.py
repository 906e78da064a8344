#!/usr/bin/python3
"""Runs a command on a new pseudo-terminal (as an admin's shell would) and prints everything it
wrote there; exits with its exit code. For tests of what mailferry draws on a terminal.

Usage: run-in-pty.py COMMAND [ARG...]   (environment passed through)
"""
import os, pty, sys

pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = bytearray()
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:  # EIO: the child closed the terminal
        break
    if not data:
        break
    out += data
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(bytes(out))
sys.exit(os.waitstatus_to_exitcode(status))
