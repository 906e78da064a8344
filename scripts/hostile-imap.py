#!/usr/bin/env python3
"""A scripted, deliberately hostile IMAP server for the reliability tests: behaviour no real
server produces on demand. Plaintext on 127.0.0.1; prints its port once it listens, then
serves every connection with the same MODE until killed. It answers just enough IMAP for a
pull (CAPABILITY, LOGIN, ID, NAMESPACE, LIST, STATUS, SELECT/EXAMINE, UID SEARCH, UID FETCH,
LOGOUT) and misbehaves where its mode says:

  endless-line     LIST answers one line that never ends (64 MB, no CRLF)
  huge-literal     LIST answers a mailbox name as a literal of 99,999,999,999 bytes
  endless-list     LIST answers 500,000 folders
  bad-utf7         LIST names folders in broken modified UTF-7 ("&Jjo!", "&-&", "&AGE")
  bye-mid-literal  UID FETCH declares a 5 GB body, sends 200 KB, then "* BYE" inside it, and hangs up
  escapes          terminal escape sequences in the greeting, folder names, and NO texts
  hold-first-login the first LOGIN is answered only once 4 connections are open (NO after 5 s),
                   and a LOGIN on another connection before that answer is refused: a client
                   must open its other connections early but log them in only after the first

Usage: hostile-imap.py MODE
"""
import socket, sys, threading

MODE = sys.argv[1]
# hold-first-login: connections opened so far, and whether the first LOGIN was taken / answered.
opened = threading.Semaphore(0)
first_login = {"taken": False, "answered": threading.Event()}
first_login_lock = threading.Lock()
ESC = "\x1b]0;owned\x07\x1b[2J\x1b[31m"


def folders():
    if MODE == "bad-utf7":
        return ["INBOX", "&Jjo!", "&-&", "&AGE"]
    if MODE == "escapes":
        return ["INBOX", "Evil" + ESC + "Name"]
    return ["INBOX"]


def quoted(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def serve(connection):
    stream = connection.makefile("rb")

    def send(text):
        connection.sendall(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)

    def read_command():
        """One command with its literals taken in (a {N+} goes on at once, a {N} is told to)."""
        line = stream.readline()
        literals = []
        while line.rstrip(b"\r\n").endswith(b"}") and b"{" in line:
            head, _, size = line.rstrip(b"\r\n").rpartition(b"{")
            count = int(size.rstrip(b"}+"))
            if not size.endswith(b"+}"):
                send("+ go ahead\r\n")
            literals.append(stream.read(count))
            line = head + b"\x00" + stream.readline()
        return line, literals

    opened.release()
    greeting = "hostile ready" + (ESC if MODE == "escapes" else "")
    send("* OK [CAPABILITY IMAP4rev1 LITERAL+ ID NAMESPACE] " + greeting + "\r\n")
    while True:
        line, literals = read_command()
        if not line:
            return
        parts = line.decode("utf-8", "replace").rstrip("\r\n").split(" ")
        tag, command = parts[0], " ".join(parts[1:3]).upper()
        verb = parts[1].upper() if len(parts) > 1 else ""
        if verb == "CAPABILITY":
            send("* CAPABILITY IMAP4rev1 LITERAL+ ID NAMESPACE\r\n" + tag + " OK done\r\n")
        elif verb == "LOGIN" and MODE == "hold-first-login":
            with first_login_lock:
                first = not first_login["taken"]
                first_login["taken"] = True
            if first:
                others = sum(opened.acquire(timeout=5) for _ in range(4))
                if others < 4:
                    send(tag + " NO [AUTHENTICATIONFAILED] the other connections were not opened beside this login\r\n")
                    continue
                first_login["answered"].set()
                send(tag + " OK logged in\r\n")
            elif not first_login["answered"].is_set():
                send(tag + " NO [AUTHENTICATIONFAILED] logged in before the first login was answered\r\n")
            else:
                send(tag + " OK logged in\r\n")
        elif verb == "LOGIN":
            send(tag + " OK logged in\r\n")
        elif verb == "ID":
            send("* ID NIL\r\n" + tag + " OK done\r\n")
        elif verb == "NAMESPACE":
            send('* NAMESPACE (("" ".")) NIL NIL\r\n' + tag + " OK done\r\n")
        elif verb == "LIST":
            if MODE == "endless-line":
                send('* LIST () "." ')
                chunk = b"a" * (1 << 20)
                for _ in range(64):
                    send(chunk)
                return
            if MODE == "huge-literal":
                send('* LIST () "." {99999999999}\r\n' + "x" * 1000)
                return
            if MODE == "endless-list":
                batch = []
                for index in range(500_000):
                    batch.append('* LIST () "." f%d\r\n' % index)
                    if len(batch) == 5000:
                        send("".join(batch))
                        batch = []
                send("".join(batch) + tag + " OK done\r\n")
                continue
            send("".join('* LIST () "." %s\r\n' % quoted(name) for name in folders()) + tag + " OK done\r\n")
        elif verb == "STATUS":
            name = ("{%d}\r\n" % len(literals[0])).encode() + literals[0] if literals else parts[2].encode()
            send(b"* STATUS " + name + b" (MESSAGES 1 UIDNEXT 2 UIDVALIDITY 1 UNSEEN 0)\r\n" + tag.encode() + b" OK done\r\n")
        elif verb in ("SELECT", "EXAMINE"):
            if MODE == "escapes" and literals and b"Evil" in literals[0]:
                send(tag + " NO no such folder" + ESC + "\r\n")
                continue
            send(
                "* FLAGS (\\Seen)\r\n* 1 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT 2] ok\r\n"
                + tag + " OK [READ-ONLY] done\r\n"
            )
        elif command.startswith("UID SEARCH"):
            send("* SEARCH 1\r\n" + tag + " OK done\r\n")
        elif command.startswith("UID FETCH"):
            if MODE == "bye-mid-literal":
                send("* 1 FETCH (UID 1 FLAGS (\\Seen) INTERNALDATE \"01-Dec-2026 10:00:00 +0000\" "
                     "RFC822.SIZE 5000000000 BODY[] {5000000000}\r\n")
                send(b"x" * 200_000 + b"\r\n* BYE going away\r\n")
                connection.shutdown(socket.SHUT_RDWR)
                return
            body = "Message-ID: <1@hostile>\r\nSubject: hi\r\n\r\nbody\r\n"
            send(
                '* 1 FETCH (UID 1 FLAGS (\\Seen) INTERNALDATE "01-Dec-2026 10:00:00 +0000" RFC822.SIZE %d BODY[] {%d}\r\n%s)\r\n%s OK done\r\n'
                % (len(body), len(body), body, tag)
            )
        elif verb == "LOGOUT":
            send("* BYE bye\r\n" + tag + " OK done\r\n")
            return
        else:
            send(tag + " OK done\r\n")


def main():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)
    while True:
        connection, _ = listener.accept()

        def run(connection=connection):
            try:
                serve(connection)
            except OSError:
                pass
            finally:
                connection.close()

        threading.Thread(target=run, daemon=True).start()


main()
