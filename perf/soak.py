#!/usr/bin/env python3
"""Soak test: a server on a 512 MiB heap under 20 minutes of mixed load, friendly and hostile.

Started by perf/soak.sh (which builds the jar); see perf/README.md. Only the standard library.

Load, all at once for DURATION seconds:
  hooks      HOOK_THREADS threads POSTing to an http-in -> function -> http-out flow
  plugins    one thread calling a flow whose middle node is the uppercase WASM plugin
  deploys    one thread creating, starting, updating (a running flow redeploys), stopping and
             deleting flows in a cycle
  writes     one thread saving a flow's description and a vault entry, remembering every
             acknowledged (2xx) write
  watchers   WATCHERS editor sockets, authenticated and subscribed to the hook flow, reading
             events; reconnecting if closed
  hostile    one thread cycling through attacks: a hook body that never comes, a 2 GB
             Content-Length without a token, a 16 MiB WebSocket frame before authenticating,
             malformed requests, a Function node that loops, a flow over the node limit

Measured: the server's RSS (/proc/PID/status) every 10 s; "after warm-up" is the sample at
WARMUP seconds. At the end the server is killed with SIGKILL and started again on the same data
directory, and every acknowledged write is read back. Every request must get an HTTP answer (any
status): a timeout or a reset without an answer counts as unanswered (hostile requests excepted:
their connections are meant to be closed).
"""

import base64
import http.client
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

DURATION = int(os.environ.get("SOAK_SECONDS", "1200"))
WARMUP = int(os.environ.get("SOAK_WARMUP_SECONDS", str(min(120, max(10, DURATION // 10)))))
HOOK_THREADS = int(os.environ.get("SOAK_HOOK_THREADS", "6"))
WATCHERS = int(os.environ.get("SOAK_WATCHERS", "8"))
JAR = os.environ.get("SOAK_JAR", "api/target/z8run.jar")
HEAP = os.environ.get("SOAK_HEAP", "512m")

stop = threading.Event()
lock = threading.Lock()
stats = {}


def count(name, n=1):
    with lock:
        stats[name] = stats.get(name, 0) + n


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir, port, plugin_root):
        self.data_dir, self.port, self.plugin_root = data_dir, port, plugin_root
        self.proc = None

    def start(self):
        env = dict(os.environ)
        env.update(
            Z8_PORT=str(self.port),
            Z8_DATA_DIR=self.data_dir,
            Z8_JWT_SECRET="soak-secret-soak-secret-soak-secret-0123456789",
            Z8_OPEN_REGISTRATION="true",
            Z8_HOOK_TIMEOUT_MS="5000",
            Z8_HOOK_BODY_TIMEOUT_MS="2000",
            Z8_MAX_FLOW_NODES="500",
            Z8_PLUGIN_FILES_ROOT=self.plugin_root,
            Z8_LOG_LEVEL="WARNING",
        )
        self.log = open(os.path.join(self.data_dir, "..", "server.log"), "ab")
        self.proc = subprocess.Popen(
            # the heap committed and touched at start: RSS then moves with what the server keeps
            # (direct memory, threads, metaspace, native), not with how far GC has reached
            ["java", "-Xmx" + HEAP, "-Xms" + HEAP, "-XX:+AlwaysPreTouch",
             "--add-modules", "jdk.incubator.vector",
             "-jar", JAR, "serve"],
            env=env, stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if request("GET", "/api/v1/health", port=self.port, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("server did not start; see server.log")

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


PORT = None


def request(method, path, body=None, token=None, port=None, timeout=30, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port or PORT, timeout=timeout)
    try:
        h = dict(headers or {})
        if body is not None:
            if not isinstance(body, (bytes, str)):
                body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        if token:
            h["Authorization"] = "Bearer " + token
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        return r.status, data
    finally:
        conn.close()


def answered(kind, method, path, body=None, token=None, ok=(200, 201, 202, 204)):
    """A request that must be answered; counts answered/unanswered and returns (status, body)."""
    try:
        status, data = request(method, path, body, token)
    except (OSError, http.client.HTTPException) as e:
        count(kind + ".unanswered")
        count("unanswered")
        with lock:
            stats.setdefault("unanswered_examples", []).append("%s %s: %r" % (method, path, e))
        return None, b""
    count(kind + ".requests")
    count("answered")
    if status not in ok:
        count(kind + ".status_%d" % status)
    return status, data


def register(name):
    status, data = request("POST", "/auth/register",
                           {"username": name, "password": "soak password 1"})
    assert status == 201, (status, data)
    return json.loads(data)["token"]


def flow(fid, nodes, wires, name=None):
    return {"id": fid, "name": name or fid, "nodes": nodes,
            "wires": [{"from": a, "to": b} for a, b in wires]}


def hook_flow(fid, middle_type, middle_config):
    return flow(fid, [
        {"id": "in", "type": "http-in", "config": {"method": "POST", "path": "/e"}},
        {"id": "mid", "type": middle_type, "config": middle_config},
        {"id": "dbg", "type": "debug", "config": {}},
        {"id": "out", "type": "http-out", "config": {}},
    ], [("in", "mid"), ("mid", "out"), ("mid", "dbg")])


# a user who is not an admin gets flow ids the server makes (docs/security.md): the name given
# here -> the id the server answered with
IDS = {}


def create(token, doc):
    status, data = request("POST", "/api/v1/flows", doc, token)
    assert status == 201, (status, data)
    IDS[doc["id"]] = json.loads(data)["id"]
    return IDS[doc["id"]]


def create_and_start(token, doc):
    fid = create(token, doc)
    status, data = request("POST", "/api/v1/flows/%s/start" % fid, None, token)
    assert status == 200, (status, data)
    return fid


# load generators ---------------------------------------------------------------------------

def hooks(n):
    i = 0
    while not stop.is_set():
        i += 1
        answered("hook", "POST", "/hook/%s/e" % IDS["soak"], {"n": i, "who": n, "pad": "x" * random.randint(0, 2000)})


def plugin_calls():
    i = 0
    while not stop.is_set():
        i += 1
        status, data = answered("plugin", "POST", "/hook/%s/e" % IDS["plug"], {"text": "call %d" % i})
        if status == 200 and b"CALL" not in data:
            count("plugin.wrong_answer")
        time.sleep(0.02)


def deploys(token):
    i = 0
    while not stop.is_set():
        i += 1
        name = "cycle-%d" % (i % 5)
        doc = hook_flow(name, "function", {"func": "msg.v = %d; return msg;" % i})
        if name in IDS:
            answered("deploy", "DELETE", "/api/v1/flows/" + IDS.pop(name), token=token, ok=(200, 404))
        status, data = answered("deploy", "POST", "/api/v1/flows", doc, token, ok=(201,))
        if status != 201:
            time.sleep(0.2)
            continue
        fid = IDS[name] = json.loads(data)["id"]
        del doc["id"]  # the update names no id: it is the URL's
        answered("deploy", "POST", "/api/v1/flows/%s/start" % fid, token=token)
        doc["name"] = "redeployed %d" % i
        answered("deploy", "PUT", "/api/v1/flows/" + fid, doc, token)  # running: a redeploy
        answered("deploy", "POST", "/api/v1/flows/%s/stop" % fid, token=token)
        time.sleep(0.2)


acked = {"description": None, "vault": {}}


def writes(token):
    i = 0
    while not stop.is_set():
        i += 1
        text = "write %d" % i
        status, _ = answered("write", "PUT", "/api/v1/flows/" + IDS["ledger"], {"description": text}, token)
        if status == 200:
            with lock:
                acked["description"] = text
        key = "k%d" % (i % 200)
        value = "v%d-%s" % (i, "y" * (i % 50))
        status, _ = answered("write", "POST", "/api/v1/vault", {"key": key, "value": value}, token)
        if status in (200, 201):
            with lock:
                acked["vault"][key] = value
        time.sleep(0.05)


def ws_frame(payload, opcode=0x2):
    mask = os.urandom(4)
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def z8_frame(msg_type, correlation, obj):
    payload = json.dumps(obj).encode()
    return struct.pack("<BHII", 1, msg_type, correlation, len(payload)) + payload


def ws_connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET /ws/engine HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            raise OSError("closed during upgrade")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        raise OSError("upgrade refused: %r" % head[:40])
    return s


def watcher(token):
    while not stop.is_set():
        try:
            s = ws_connect()
            count("ws.connections")
            s.sendall(ws_frame(z8_frame(0x0003, 1, {"token": token})))
            s.sendall(ws_frame(z8_frame(0x010A, 2, {"flow_id": IDS["soak"]})))
            s.settimeout(5)
            while not stop.is_set():
                data = s.recv(65536)
                if not data:
                    count("ws.closed_by_server")
                    break
                count("ws.bytes", len(data))
            s.close()
        except OSError:
            count("ws.errors")
            time.sleep(1)


def hostile(token):
    attacks = 0
    while not stop.is_set():
        attacks += 1
        which = attacks % 6
        try:
            if which == 0:  # a hook body that never comes
                s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
                s.sendall(b"POST /hook/" + IDS["soak"].encode() + b"/e HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
                s.recv(100)
                s.close()
            elif which == 1:  # 2 GB without a token, then keep sending
                s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
                s.sendall(b"POST /api/v1/flows HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000000\r\n\r\n")
                try:
                    for _ in range(256):
                        s.sendall(b"z" * 65536)
                except OSError:
                    pass
                s.close()
            elif which == 2:  # a 16 MiB frame before authenticating
                s = ws_connect()
                try:
                    s.sendall(bytes([0x82, 0xFF]) + struct.pack(">Q", 16 << 20) + os.urandom(4))
                    for _ in range(64):
                        s.sendall(b"\0" * 65536)
                except OSError:
                    pass
                s.close()
            elif which == 3:  # malformed requests
                for raw in (b"GET /api/v1/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                            b"GET / HTTP/1.1\r\nContent-Length: abc\r\nHost: x\r\n\r\n",
                            b"GARBAGE\r\n\r\n"):
                    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
                    s.sendall(raw)
                    s.recv(4096)
                    s.close()
            elif which == 4:  # a function that loops and a built-in bomb
                answered("hostile", "POST", "/hook/%s/e" % IDS["bomb"], {"n": attacks}, ok=(504,))
            else:  # a flow over the node limit
                nodes = [{"id": "n%d" % i, "type": "junction"} for i in range(2000)]
                answered("hostile", "POST", "/api/v1/flows", flow("huge", nodes, []), token,
                         ok=(422,))
            count("hostile.attacks")
        except OSError:
            count("hostile.closed")  # expected for most of them
        time.sleep(0.5)


def main():
    global PORT
    work = tempfile.mkdtemp(prefix="z8-soak-")
    data_dir = os.path.join(work, "data")
    plugin_root = os.path.join(work, "plugin-files")
    os.makedirs(data_dir)
    os.makedirs(plugin_root)
    PORT = free_port()
    server = Server(data_dir, PORT, plugin_root)
    server.start()
    print("soak: pid %d port %d dir %s, %d s (warm-up %d s), heap %s"
          % (server.proc.pid, PORT, work, DURATION, WARMUP, HEAP), flush=True)

    admin = register("admin")
    user = register("user")
    wasm = open("testkit/src/main/resources/plugins/uppercase.wasm", "rb").read()
    status, data = request("POST", "/api/v1/plugins", {
        "manifest": 'name = "shout"\nversion = "1.0.0"\ndescription = "up"\n',
        "module": base64.b64encode(wasm).decode()}, admin)
    assert status == 201, (status, data)
    create_and_start(user, hook_flow("soak", "function", {"func": "msg.payload.seen = true; return msg;"}))
    create_and_start(user, hook_flow("plug", "shout", {}))
    create_and_start(user, hook_flow("bomb", "function", {
        "timeoutMs": 200,
        "func": "var p = msg.payload || {}; var n = (p.req && p.req.body && p.req.body.n) || p.n || 0;"
                " if (n % 2) { while (true) {} } msg.payload = 'x'.repeat(1 << 30); return msg;"}))
    create(user, flow("ledger", [], []))

    threads = [threading.Thread(target=hooks, args=(n,), daemon=True) for n in range(HOOK_THREADS)]
    threads += [threading.Thread(target=plugin_calls, daemon=True),
                threading.Thread(target=deploys, args=(user,), daemon=True),
                threading.Thread(target=writes, args=(user,), daemon=True),
                threading.Thread(target=hostile, args=(user,), daemon=True)]
    threads += [threading.Thread(target=watcher, args=(user,), daemon=True) for _ in range(WATCHERS)]
    for t in threads:
        t.start()

    started = time.time()
    samples = []
    warm_rss = None
    while time.time() - started < DURATION:
        time.sleep(10)
        elapsed = time.time() - started
        rss = server.rss_kib()
        samples.append((round(elapsed), rss))
        if warm_rss is None and elapsed >= WARMUP:
            warm_rss = rss
        with lock:
            answered_so_far = stats.get("answered", 0)
            unanswered = stats.get("unanswered", 0)
        print("t=%5ds rss=%7.1f MiB answered=%d unanswered=%d"
              % (elapsed, rss / 1024, answered_so_far, unanswered), flush=True)
        if server.proc.poll() is not None:
            print("soak: the server exited with %s" % server.proc.returncode)
            break
    final_rss = server.rss_kib()
    stop.set()
    for t in threads:
        t.join(timeout=40)

    # durability: kill -9, start again, read every acknowledged write back
    with lock:
        expected_description = acked["description"]
        expected_vault = dict(acked["vault"])
    server.kill9()
    server.start()
    lost = []
    status, data = request("GET", "/api/v1/flows/" + IDS["ledger"], None, user)
    if status != 200 or json.loads(data).get("description") != expected_description:
        lost.append("flow description: expected %r, got %s %r"
                    % (expected_description, status, data[:200]))
    status, data = request("GET", "/api/v1/vault", None, user)
    names = set()
    if status == 200:
        listed = json.loads(data)
        entries = listed.get("keys") or listed.get("entries") or listed.get("names") or []
        names = {e if isinstance(e, str) else e.get("key") or e.get("name") for e in entries}
    for key in expected_vault:
        if key not in names:
            lost.append("vault entry %s" % key)
    # values: a flow reads a few of them back through vault: references
    for key in sorted(expected_vault)[:5]:
        fid = "check-" + key
        doc = flow(fid, [
            {"id": "in", "type": "http-in", "config": {"method": "GET", "path": "/v"}},
            {"id": "t", "type": "template", "config": {"syntax": "plain", "template": "vault:" + key}},
            {"id": "out", "type": "http-out", "config": {}}], [("in", "t"), ("t", "out")])
        fid = create_and_start(user, doc)
        status, data = request("GET", "/hook/%s/v" % fid)
        if expected_vault[key].encode() not in data:
            lost.append("vault value %s: got %s %r" % (key, status, data[:80]))
    server.kill9()

    growth = (final_rss - warm_rss) / warm_rss * 100 if warm_rss else float("nan")
    print()
    print("soak result (%d s, heap %s, %d hook threads, %d socket watchers)"
          % (DURATION, HEAP, HOOK_THREADS, WATCHERS))
    print("  RSS after warm-up (t=%ds): %.1f MiB" % (WARMUP, (warm_rss or 0) / 1024))
    print("  RSS at the end:            %.1f MiB (%+.1f%%; limit +-10%%)" % (final_rss / 1024, growth))
    print("  RSS max / min after warm-up: %.1f / %.1f MiB" % (
        max(r for t, r in samples if t >= WARMUP) / 1024 if warm_rss else 0,
        min(r for t, r in samples if t >= WARMUP) / 1024 if warm_rss else 0))
    print("  requests answered: %d, unanswered: %d" % (stats.get("answered", 0), stats.get("unanswered", 0)))
    for key in sorted(stats):
        if key not in ("answered", "unanswered", "unanswered_examples"):
            print("    %-28s %d" % (key, stats[key]))
    for example in stats.get("unanswered_examples", [])[:5]:
        print("    unanswered: %s" % example)
    print("  acknowledged writes: %d vault entries + the last flow description; lost: %d"
          % (len(expected_vault), len(lost)))
    for item in lost[:10]:
        print("    lost: %s" % item)
    ok = (warm_rss and abs(growth) <= 10 and stats.get("unanswered", 0) == 0 and not lost)
    print("  verdict: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
