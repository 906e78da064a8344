#!/usr/bin/env python3
"""Side-by-side migration benchmark: mailferry vs mbsync vs OfflineIMAP vs `doveadm backup`.

Run by bench/compare.sh, which installs the tools, builds mailferry and starts
`mailferry-bench serve` (a source Dovecot with the corpus, a target Dovecot with one empty
account per tool). This script, given that server's state file:

  1. per tool, into its own target account: a first pass, then a no-op second pass;
  2. adds ~1 % new messages to the source and changes flags on ~1 % of the messages;
  3. per tool: a delta pass.

Every run is wrapped in `/usr/bin/time -v` (wall, user+sys CPU, peak RSS); the CPU the two
Dovecot servers spent meanwhile is read from /proc ("srv CPU s"). Each run is followed by the
independent check in imapcheck.py (source vs that tool's account). Prints a table and writes JSON.
The tools run one after another on a machine that should otherwise be idle: each run waits (up
to --settle seconds) for the machine to fall idle, the load average before it is recorded, and a
warning is printed when it exceeds the core count.
"""
import argparse
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imapcheck  # noqa: E402

TOOLS = ["mailferry", "mbsync", "offlineimap", "doveadm", "imapsync"]
# Tools that also run over the delay proxy (--delay): each into an account of its own.
DELAY_TOOLS = ["mailferry", "mbsync", "imapsync"]
CONFIGS = {}  # config files written for the tools, reported (passwords redacted) in the JSON


class Bench:
    def __init__(self, state, work, bin_dir, connections, timeout, imapsync=None, proxy_ports=None, delay_tag=None):
        self.s = state
        self.work = work
        self.bin = bin_dir
        self.connections = connections
        self.timeout = timeout
        self.host = state["host"]  # 127.0.0.1
        self.password = state["password"]
        self.imapsync = imapsync
        users = state["targetUsers"]
        self.targets = dict(zip(TOOLS, users))
        # Under delay the tools reach both servers through the proxy, into accounts of their own.
        self.delay_tag = delay_tag
        self.proxy = proxy_ports  # (source port, target port) or None
        if proxy_ports:
            for tool, user in zip(DELAY_TOOLS, users[len(TOOLS):]):
                self.targets[f"{tool}@{delay_tag}"] = user
        self.logs = os.path.join(work, "logs")
        os.makedirs(self.logs, exist_ok=True)
        # One bundle trusted by the TLS clients; each server has its own throw-away CA.
        self.both_ca = os.path.join(work, "ca-both.pem")
        with open(self.both_ca, "w") as out:
            for path in (state["caFile"], state["targetCAFile"]):
                out.write(open(path).read())
        # doveadm drops to the mail user (nobody) before it opens the CA file, and the
        # harness keeps its tls/ directory root-only: hand it a world-readable copy.
        self.source_ca = os.path.join(work, "ca-source.pem")
        shutil.copyfile(state["caFile"], self.source_ca)
        os.chmod(self.source_ca, 0o644)
        self.commands = {}
        for tool in TOOLS:
            if tool == "imapsync" and not imapsync:
                continue
            self.commands[tool] = getattr(self, "setup_" + tool)(tool, self.s["port"], self.s["targetPort"])
        if proxy_ports:
            for tool in DELAY_TOOLS:
                if tool == "imapsync" and not imapsync:
                    continue
                name = f"{tool}@{delay_tag}"
                self.commands[name] = getattr(self, "setup_" + tool)(name, *proxy_ports)
        # The Dovecot instances (source, target) by the directory of their config file: their
        # processes are titled dovecot-<name>/... and the master runs with -c <dir>/dovecot.conf.
        self.instances = [os.path.basename(os.path.dirname(state[k]))
                          for k in ("sourceConfigFile", "targetConfigFile")]

    # ---- the four tools: each setup_* writes what the tool needs and returns (argv, env) ----

    def setup_mailferry(self, name, source_port, target_port):
        argv = [os.path.join(self.bin, "mailferry"), "migrate",
                "--source", f"imaps://{self.s['user']}@{self.host}:{source_port}",
                "--target", f"imaps://{self.targets[name]}@{self.host}:{target_port}",
                "--ca-file", self.both_ca,
                "--store", os.path.join(self.work, "mailferry-store" + name[len("mailferry"):].replace("@", "-")),
                "--job", "bench", "--connections", str(self.connections), "--json"]
        env = {"MAILFERRY_SOURCE_PASSWORD": self.password, "MAILFERRY_TARGET_PASSWORD": self.password}
        return argv, env

    def setup_mbsync(self, name, source_port, target_port):
        suffix = name[len("mbsync"):].replace("@", "-")
        state_dir = os.path.join(self.work, "mbsync-state" + suffix) + "/"
        os.makedirs(state_dir, exist_ok=True)
        rc = os.path.join(self.work, "mbsyncrc" + suffix)

        def account(name, port, user):
            # Host is "localhost", not 127.0.0.1: mbsync matches the certificate's DNS names
            # only (the harness certificate has DNS:localhost and IP:127.0.0.1), and /etc/hosts
            # maps localhost to 127.0.0.1 alone. AuthMechs LOGIN: no SASL modules needed.
            return (f"IMAPAccount {name}\nHost localhost\nPort {port}\nUser {user}\n"
                    f"Pass \"{self.password}\"\nSSLType IMAPS\nCertificateFile {self.both_ca}\n"
                    f"AuthMechs LOGIN\n\nIMAPStore {name}\nAccount {name}\n\n")
        text = (account("source", source_port, self.s["user"])
                + account("target", target_port, self.targets[name])
                # Far = source, Near = target; Pull = far -> near only (new, flags, deletions).
                # The separators ("." vs "/") are read from each server's NAMESPACE.
                + "Channel migrate\nFar :source:\nNear :target:\nPatterns *\nSync Pull\n"
                + "Create Near\nCopyArrivalDate yes\n"
                # Both sides are IMAP, so the state cannot live in a Maildir ("SyncState *").
                + f"SyncState {state_dir}\n")
        write_private(rc, text)
        return ["mbsync", "-c", rc, "-a"], {}

    def setup_offlineimap(self, name, source_port, target_port):
        rc = os.path.join(self.work, "offlineimaprc")

        def repository(name, port, user, readonly):
            # localhost for the same reason as mbsync (offlineimap checks commonName and DNS
            # subjectAltNames only); ipv6 = no keeps it on 127.0.0.1.
            # maxconnections = 4: folders in parallel, like mailferry's 4 connections.
            return (f"[Repository {name}]\ntype = IMAP\nremotehost = localhost\nremoteport = {port}\n"
                    f"ipv6 = no\nremoteuser = {user}\nremotepass = {self.password}\nssl = yes\n"
                    f"sslcacertfile = {self.both_ca}\nmaxconnections = 4\n"
                    f"readonly = {readonly}\n\n")
        text = ("[general]\naccounts = migrate\n"
                f"metadata = {os.path.join(self.work, 'offlineimap-meta')}\nui = basic\n\n"
                # IMAP -> IMAP: the "local" repository is the target. OfflineIMAP itself replaces
                # the source separator "." by the target's "/" and passes names through in
                # modified UTF-7, so the tree lands the same without nametrans, and every folder
                # is wanted, so no folderfilter either.
                "[Account migrate]\nlocalrepository = target\nremoterepository = source\n\n"
                # readonly: OfflineIMAP syncs both ways; it must never write to the source.
                + repository("source", source_port, self.s["user"], "True")
                + repository("target", target_port, self.targets[name], "False"))
        write_private(rc, text)
        return ["offlineimap", "-c", rc, "-o", "-u", "basic"], {}

    def setup_doveadm(self, name, source_port, target_port):
        # dsync inside the target instance, reading the source over IMAP (imapc:). `backup -R`
        # reverses the direction: the local user (target4) becomes a copy of the remote imapc:
        # side; without -R backup would make the *source* look like the empty target.
        features = "rfc822.size fetch-headers modseq"  # sizes and header hashes from FETCH, CONDSTORE
        argv = ["doveadm", "-c", self.s["targetConfigFile"],
                "-o", f"imapc_host={self.host}", "-o", f"imapc_port={source_port}",
                "-o", "imapc_ssl=imaps", "-o", f"imapc_user={self.s['user']}",
                "-o", f"imapc_password={self.password}", "-o", f"ssl_client_ca_file={self.source_ca}",
                "-o", f"imapc_features={features}",
                "-o", "mail_prefetch_count=20",  # mails fetched in parallel over the one connection
                "backup", "-R", "-u", self.targets[name], "imapc:"]
        return argv, {}

    def setup_imapsync(self, name, source_port, target_port):
        # imapsync from its public repository (IMAPSYNC=path; never part of this repo). Passwords
        # through files, as imapsync documents for keeping them out of `ps`; certificates verified
        # (its default is not to). --nofoldersizes:
        # no extra pass over every folder before and after; --usecache: its UID cache, so a
        # second pass is incremental as with the other tools. Dates come with it by default.
        files = []
        for side in ("1", "2"):
            path = os.path.join(self.work, f"imapsync-pass{side}")
            write_private(path, self.password + "\n")
            CONFIGS.pop(os.path.basename(path), None)
            files.append(path)
        tmp = os.path.join(self.work, "imapsync-tmp" + name[len("imapsync"):].replace("@", "-"))
        os.makedirs(tmp, exist_ok=True)
        argv = [self.imapsync, "--host1", self.host, "--port1", str(source_port), "--ssl1",
                "--user1", self.s["user"], "--passfile1", files[0],
                "--host2", self.host, "--port2", str(target_port), "--ssl2",
                "--user2", self.targets[name], "--passfile2", files[1],
                "--sslargs1", f"SSL_ca_file={self.both_ca}", "--sslargs2", f"SSL_ca_file={self.both_ca}",
                "--sslargs1", "SSL_verify_mode=1", "--sslargs2", "SSL_verify_mode=1",
                # The corpus has messages sharing a Message-ID: imapsync skips those by default.
                "--syncduplicates",
                "--automap", "--nofoldersizes", "--usecache", "--tmpdir", tmp, "--logdir", tmp]
        return argv, {}

    # ---- running and checking ----

    def run(self, tool, pass_name):
        argv, extra_env = self.commands[tool]
        if tool.startswith("imapsync"):
            argv = argv + ["--logfile", f"imapsync-{pass_name}.log"]
        tag = f"{tool}-{pass_name}"
        timing = os.path.join(self.logs, tag + ".time")
        log = os.path.join(self.logs, tag + ".log")
        env = dict(os.environ, **extra_env)
        load = os.getloadavg()[0]
        server_before = dovecot_cpu(self.instances)
        started = time.monotonic()
        with open(log, "wb") as out:
            # Own process group, so a timeout (or Ctrl-C) stops the tool too, not only `time`.
            proc = subprocess.Popen(["/usr/bin/time", "-v", "-o", timing] + argv, stdout=out,
                                    stderr=subprocess.STDOUT, env=env, cwd=self.work, start_new_session=True)
            try:
                code = proc.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()
                code = "timeout"
            except BaseException:
                os.killpg(proc.pid, 9)
                raise
        time.sleep(0.3)  # let the servers' per-connection processes exit and be reaped
        server_cpu = dovecot_cpu(self.instances) - server_before
        result = parse_time(timing) if code != "timeout" else {}
        result.setdefault("wall_s", time.monotonic() - started)
        result["server_cpu_s"] = server_cpu
        result["load_before"] = load
        result["exit"] = code
        result["log"] = log
        if code != 0:
            tail = open(log, errors="replace").read()[-1500:]
            print(f"  {tag}: exit {code}; log tail:\n{tail}", file=sys.stderr)
        return result

    def check(self, tool, source_snapshot):
        # Checked directly on the target, never through the proxy.
        target = imapcheck.snapshot(self.host, self.s["targetPort"], self.s["targetCAFile"],
                                    self.targets[tool], self.password)
        return imapcheck.compare(source_snapshot, target)

    def source_snapshot(self):
        return imapcheck.snapshot(self.host, self.s["port"], self.s["caFile"], self.s["user"], self.password)


def dovecot_cpu(instances):
    """CPU seconds used so far by the given Dovecot instances: every live process's user+sys,
    plus the master's reaped children (per-connection imap processes that already exited).
    The tools' own CPU (time -v) leaves out the server work they cause; doveadm, which writes
    the target's Maildir itself, would otherwise look cheaper than clients of the server."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        for name in instances:
            if cmdline.startswith(f"dovecot-{name}/") or f"/{name}/dovecot.conf" in cmdline and "dovecot -F" in cmdline:
                total += int(fields[11]) + int(fields[12])  # utime, stime
                if "dovecot -F" in cmdline:
                    total += int(fields[13]) + int(fields[14])  # cutime, cstime of reaped children
    return total / tick


def write_private(path, text):
    CONFIGS[os.path.basename(path)] = text
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(text)


def parse_time(path):
    """Wall, CPU and peak RSS from GNU time -v."""
    values = {}
    for line in open(path):
        key, _, value = line.strip().rpartition(": ")
        values[key] = value
    parts = [float(p) for p in values["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")]
    wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    cpu = float(values["User time (seconds)"]) + float(values["System time (seconds)"])
    return {"wall_s": wall, "cpu_s": cpu, "rss_mb": int(values["Maximum resident set size (kbytes)"]) / 1024}


# ---- the delta: ~1 % new messages and flag changes on ~1 %, written with plain imaplib ----

def mutate_source(bench, snapshot, seed=5):
    rng = random.Random(seed)
    conn = imapcheck.connect(bench.host, bench.s["port"], bench.s["caFile"], bench.s["user"], bench.password)
    flag_choices = [(), ("\\Seen",), ("\\Seen", "\\Flagged"), ("\\Seen", "$Forwarded"), ("$label2",),
                    ("\\Seen", "\\Answered", "$label1")]
    added = changed = 0
    try:
        for raw, folder in sorted(snapshot["folders"].items()):
            n = len(folder["messages"])
            if not folder["selectable"] or n == 0:
                continue
            mailbox = imapcheck.quote(raw)
            # Flag changes first (on existing mail): every 100th message, cycling through
            # toggling \Seen, toggling \Flagged and adding a keyword no message had ($label2).
            conn.select(mailbox)
            typ, data = conn.uid("SEARCH", "ALL")
            for i, uid in enumerate(data[0].split()[50::100] or data[0].split()[:1]):
                typ, data = conn.uid("FETCH", uid, "(FLAGS)")
                flags = data[0].decode()
                flag = ["\\Seen", "\\Flagged", "$label2"][changed % 3]
                op = "-FLAGS" if flag in flags else "+FLAGS"
                typ, _ = conn.uid("STORE", uid, f"{op} ({flag})")
                assert typ == "OK"
                changed += 1
            conn.close()
            for i in range(max(1, round(n * 0.01))):
                # Sizes like the corpus, without its rare 20-40 MB giants: mostly 2-50 KB,
                # 4 % attachments of 0.1-5 MB.
                size = rng.randint(100_000, 5_000_000) if rng.random() < 0.04 else rng.randint(2_000, 50_000)
                body = (f"From: New Sender <new{added}@example.com>\r\nTo: user@example.com\r\n"
                        f"Subject: Delta message {added}\r\nMessage-ID: <delta-{added}@example.com>\r\n"
                        "Date: Wed, 25 Nov 2026 09:00:00 +0100\r\nMIME-Version: 1.0\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\n\r\n")
                line = "Arrived after the first pass; every tool must pick this up.\r\n"
                body += line * max(1, (size - len(body)) // len(line))
                flags = rng.choice(flag_choices)
                date = f'"{rng.randint(1, 28):02d}-Nov-2026 {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} +0100"'
                typ, data = conn.append(mailbox, f"({' '.join(flags)})" if flags else None, date, body.encode())
                assert typ == "OK", data
                added += 1
    finally:
        conn.logout()
    return added, changed


# ---- report ----

def table(results, corpus, delta):
    rows = []
    header = ["tool", "pass", "wall s", "msg/s", "MB/s", "CPU s", "CPU s/GB", "srv CPU s", "RSS MB", "× mailferry",
              "check"]
    def variant(tool):
        return tool.partition("@")[2]
    base = {(variant(r["tool"]), r["pass"]): r["wall_s"] for r in results if r["tool"].partition("@")[0] == "mailferry"}
    order = ["first", "no-op", "delta"]
    for r in sorted(results, key=lambda r: (variant(r["tool"]), order.index(r["pass"]),
                                            TOOLS.index(r["tool"].partition("@")[0]))):
        moved = {"first": corpus, "delta": delta}.get(r["pass"])
        rate = lambda v: f"{v / r['wall_s']:,.0f}" if moved and r["wall_s"] > 0 else "—"  # noqa: E731
        check = r["check"]["summary"]
        if r["exit"] != 0:
            check = f"exit {r['exit']}; {check}"
        ratio = r["wall_s"] / base[(variant(r["tool"]), r["pass"])] if base.get((variant(r["tool"]), r["pass"])) else None
        r["ratio_vs_mailferry"] = ratio
        rows.append([r["tool"], r["pass"], f"{r['wall_s']:.2f}",
                     rate(moved[0]) if moved else "—",
                     f"{moved[1] / 1e6 / r['wall_s']:.1f}" if moved and r["wall_s"] > 0 else "—",
                     f"{r.get('cpu_s', float('nan')):.1f}",
                     f"{r.get('cpu_s', float('nan')) / (moved[1] / 1e9):.2f}" if moved else "—",
                     f"{r['server_cpu_s']:.1f}",
                     f"{r.get('rss_mb', float('nan')):.0f}",
                     f"{ratio:.2f}" if ratio else "—", shorten(check, 90)])
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    lines = ["  ".join(str(c).ljust(w) if i in (0, 1, 10) else str(c).rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths))) for row in [header] + rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def shorten(text, limit):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--state", required=True, help="state file written by mailferry-bench serve")
    p.add_argument("--work", required=True, help="scratch directory (stores, configs, logs)")
    p.add_argument("--bin", required=True, help="directory with the release mailferry binary")
    p.add_argument("--preset", default="small")
    p.add_argument("--out", required=True, help="JSON results file")
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--timeout", type=float, default=3600, help="seconds per run before it is killed")
    p.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset, in this order")
    p.add_argument("--imapsync", help="the imapsync script (from its public repository); left out without it")
    p.add_argument("--delay", type=float, default=0,
                   help="also run " + ", ".join(DELAY_TOOLS) + " through bench/delay-proxy.py adding this many ms each way")
    p.add_argument("--rate", type=float, help="with --delay: cap each server's link at this many Mbit/s each way")
    p.add_argument("--settle", type=float, default=180,
                   help="before each run, wait up to this many seconds for the machine to be idle")
    p.add_argument("--delay-tools", default=",".join(DELAY_TOOLS), help="the tools run again under --delay")
    a = p.parse_args()
    # compare.sh stops us with SIGTERM: unwind (SystemExit), which stops a running tool too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    state = json.load(open(a.state))
    proxy = proxy_ports = delay_tag = None
    if a.delay > 0:
        delay_tag = f"{a.delay:g}ms" + (f"+{a.rate:g}Mbit" if a.rate else "")
        # mailferry-bench's proxy: bench/delay-proxy.py's own CPU (a quarter of a core at the rates
        # of these runs) would slow the runs on a 2-core machine shared with both servers.
        argv = [os.path.join(a.bin, "mailferry-bench"), "delay-proxy"]
        argv += (["--rate", str(a.rate)] if a.rate else []) + [str(a.delay), str(state["port"]), str(state["targetPort"])]
        proxy = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        proxy_ports = (int(proxy.stdout.readline()), int(proxy.stdout.readline()))
    try:
        run_all(a, state, proxy_ports, delay_tag)
    finally:
        if proxy:
            proxy.terminate()
            proxy.wait()


def busy_fraction(seconds=1.0):
    """The share of all cores' time spent busy over the next `seconds`, from /proc/stat."""
    def sample():
        fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait
    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def wait_for_quiet(limit):
    """Waits (at most `limit` s) until the machine has been at least 90 % idle for 3 s in a row:
    right after seeding, the servers keep indexing for a minute or more, and a run started then
    measures them as much as the tool."""
    started, quiet = time.monotonic(), 0
    while quiet < 3 and time.monotonic() - started < limit:
        quiet = quiet + 1 if busy_fraction() < 0.10 else 0
    waited = time.monotonic() - started
    if quiet < 3:
        log(f"warning: the machine was still busy after {waited:.0f} s of waiting")
    elif waited > 5:
        log(f"waited {waited:.0f} s for the machine to fall idle")


def run_all(a, state, proxy_ports, delay_tag):
    bench = Bench(state, a.work, a.bin, a.connections, a.timeout, a.imapsync, proxy_ports, delay_tag)
    tools = [t for t in a.tools.split(",") if t and t in bench.commands]
    delayed = [f"{t}@{delay_tag}" for t in a.delay_tools.split(",") if t in DELAY_TOOLS and t in tools] if proxy_ports else []

    s0 = bench.source_snapshot()
    corpus = imapcheck.totals(s0)
    log(f"corpus: {corpus[0]:,} messages, {corpus[1] / 1e6:,.1f} MB in "
        f"{sum(f['selectable'] for f in s0['folders'].values())} folders")
    results = []

    def one(tool, pass_name, source):
        wait_for_quiet(a.settle)
        if os.getloadavg()[0] > os.cpu_count():
            log(f"warning: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
                "other work on this machine skews the timings")
        log(f"{tool}: {pass_name} pass …")
        r = bench.run(tool, pass_name)
        r.update(tool=tool, **{"pass": pass_name})
        try:
            r["check"] = bench.check(tool, source)
        except Exception as error:  # e.g. the tool left the account unusable
            r["check"] = {"ok": False, "summary": f"check failed: {error}", "folders": {}, "notes": []}
        log(f"  {r['wall_s']:.2f} s, CPU {r.get('cpu_s', 0):.1f} s (servers {r['server_cpu_s']:.1f} s), RSS {r.get('rss_mb', 0):.0f} MB, "
            f"exit {r['exit']}, check: {r['check']['summary']}")
        results.append(r)

    for tool in tools + delayed:
        one(tool, "first", s0)
        one(tool, "no-op", s0)
    added, changed = mutate_source(bench, s0)
    s1 = bench.source_snapshot()
    after = imapcheck.totals(s1)
    delta = (after[0] - corpus[0], after[1] - corpus[1])
    log(f"source changed: {added} new messages ({delta[1] / 1e6:.1f} MB), flags changed on {changed}")
    for tool in tools + delayed:
        one(tool, "delta", s1)

    print()
    print(f"preset {a.preset}: {corpus[0]:,} messages, {corpus[1] / 1e6:,.1f} MB; delta: {added} new "
          f"({delta[1] / 1e6:.1f} MB) + {changed} flag changes; {os.cpu_count()} cores, loopback"
          + (f"; @{delay_tag}: through mailferry-bench delay-proxy" if delay_tag else ""))
    v = report_versions = versions(bench)
    print(f"mailferry {v['mailferry']} @ {v['mailferry_commit']}"
          f"{' + uncommitted Sources/' if v['mailferry_sources_modified'] else ''} (built {v['mailferry_binary_built']}), "
          f"{v['mbsync']}, offlineimap {v['offlineimap']}, Dovecot {v['dovecot']}")
    print(table(results, corpus, delta))
    loads = [r["load_before"] for r in results]
    print(f"load average before the runs: {min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} cores"
          + ("  (other work was running: timings are skewed)" if max(loads) > os.cpu_count() else ""))
    failed, shown = [r for r in results if not r["check"]["ok"]], set()
    if failed:
        print("\ncheck details (first folders; a run whose result repeats the one before is left out):")
        for r in failed:
            if (r["tool"], r["check"]["summary"]) in shown:
                continue
            shown.add((r["tool"], r["check"]["summary"]))
            print(f"  {r['tool']} {r['pass']}: {r['check']['summary']}")
            for folder, problems in list(r["check"]["folders"].items())[:3]:
                print(f"    {folder}: {'; '.join(problems)}")
    report = {
        "preset": a.preset,
        "corpus": {"messages": corpus[0], "bytes": corpus[1],
                   "folders": sum(f["selectable"] for f in s0["folders"].values())},
        "delta": {"new_messages": added, "new_bytes": delta[1], "flag_changes": changed},
        "machine": {"cores": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version()},
        "versions": report_versions,
        "delay": {"ms_each_way": a.delay, "rate_mbit": a.rate} if delay_tag else None,
        "commands": {t: redact(bench.commands[t][0], bench.password) for t in tools + delayed},
        "configs": {name: text.replace(bench.password, "[redacted]") for name, text in CONFIGS.items()},
        "results": results,
    }
    with open(a.out, "w") as f:
        json.dump(report, f, indent=2, ensure_ascii=False)
    print(f"\nresults: {a.out}")


def versions(bench):
    def out(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout.strip().splitlines()[-1]
        except Exception:
            return None
    binary = os.path.join(bench.bin, "mailferry")
    # Which mailferry was measured: the commit, whether Sources/ had uncommitted edits, and
    # when the binary was built (other work may rebuild .build/release meanwhile).
    source_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return {"mailferry": out([binary, "--version"]),
            "mailferry_commit": out(["git", "-C", source_dir, "rev-parse", "--short", "HEAD"]),
            "mailferry_sources_modified": bool(subprocess.run(
                ["git", "-C", source_dir, "status", "--porcelain", "Sources"],
                capture_output=True, text=True).stdout.strip()),
            "mailferry_binary_built": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(os.path.getmtime(binary))),
            "mbsync": out(["mbsync", "--version"]), "offlineimap": out(["offlineimap", "--version"]),
            "imapsync": out([bench.imapsync, "--version"]) if bench.imapsync else None,
            "dovecot": out(["dovecot", "--version"])}


def redact(argv, password):
    return [x.replace(password, "[redacted]") for x in argv]


def log(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
