#!/usr/bin/python3
"""A small hosting-panel admin API for the HTTP provisioner tests: HTTPS on 127.0.0.1, Basic auth
for one administrator, and mailbox creation that adds a user to a running Dovecot's passwd-file
(the same file the command provisioner's script writes). Prints its port on stdout once it
listens; runs until killed. Every request is appended to LOG as one JSON line (method, path,
status; the body only as its keys, never a password).

  GET  /api/v1/whoami        200 with the admin's name, 401 without valid credentials,
                             403 for the read-only admin "viewer"
  POST /api/v1/mailboxes     JSON {"address", "password"}: 201 created, 409 exists,
                             422 password shorter than 8, 403 for "viewer", 503 once for an
                             address starting "flaky" (then 201)

Usage: ADMIN_API_PASSWORD=... test-admin-api.py CERT KEY PASSWD_FILE HOME_ROOT UID GID LOG
"""
import base64, http.server, json, os, ssl, sys, threading

cert, key, passwd_file, home_root, uid, gid, log_path = sys.argv[1:8]
admin_password = os.environ["ADMIN_API_PASSWORD"]
admins = {"admin": admin_password, "viewer": admin_password}
lock = threading.Lock()
flaky_seen = set()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, keys=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        with lock, open(log_path, "a") as log:
            log.write(json.dumps({"method": self.command, "path": self.path, "status": status,
                                  "keys": sorted(keys)}) + "\n")

    def admin(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        return user if admins.get(user) == password else None

    def do_GET(self):
        user = self.admin()
        if user is None:
            return self.answer(401, {"error": "unauthorized"})
        if self.path != "/api/v1/whoami":
            return self.answer(404, {"error": "no such endpoint"})
        if user == "viewer":
            return self.answer(403, {"error": "read-only administrator"})
        self.answer(200, {"user": user})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        user = self.admin()
        if user is None:
            return self.answer(401, {"error": "unauthorized"})
        if self.path != "/api/v1/mailboxes":
            return self.answer(404, {"error": "no such endpoint"})
        if user == "viewer":
            return self.answer(403, {"error": "read-only administrator"})
        try:
            body = json.loads(raw)
            address, password = body["address"], body["password"]
        except (ValueError, KeyError):
            return self.answer(400, {"error": "expected JSON with address and password"})
        keys = body.keys()
        if len(password) < 8:
            return self.answer(422, {"error": "password too weak for " + address}, keys)
        if address.startswith("flaky") and address not in flaky_seen:
            flaky_seen.add(address)
            return self.answer(503, {"error": "try again"}, keys)
        with lock:
            with open(passwd_file) as f:
                if any(line.split(":", 1)[0] == address for line in f):
                    return self.answer(409, {"error": "exists"}, keys)
            home = os.path.join(home_root, address)
            os.makedirs(home, exist_ok=True)
            os.chown(home, int(uid), int(gid))
            with open(passwd_file, "a") as f:
                f.write(f"{address}:{{PLAIN}}{password}:{uid}:{gid}::{home}::\n")
        self.answer(201, {"created": address}, keys)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
