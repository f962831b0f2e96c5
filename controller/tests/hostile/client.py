#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What curl cannot send: raw bytes over TLS, connections that never finish, protobuf.

  client.py raw PORT FILE         sends FILE over TLS, prints the status code or "closed"
  client.py hold PORT N SECONDS   opens N TCP connections, holds them, prints how many
  client.py silent PORT           TCP only, no handshake: seconds until the server hangs up
  client.py slowhead PORT         TLS, then half a request head: seconds until hung up
  client.py secret-pb NAME N      a protobuf Secret with N labels, on stdout
  client.py chain PORT TOKEN NS N Secrets chain0..chainN-1, each owned by the one before
"""
import http.client
import json
import socket
import ssl
import sys
import time


def tls(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    raw = socket.create_connection(("127.0.0.1", port), timeout=20)
    return ctx.wrap_socket(raw)


def status_of(sock):
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    line = data.split(b"\r\n", 1)[0].split()
    return line[1].decode() if len(line) > 1 else "closed"


def raw(port, path):
    with open(path, "rb") as f:
        payload = f.read()
    s = tls(port)
    try:
        s.sendall(payload)
    except OSError:
        pass
    print(status_of(s))


def hold(port, n, seconds):
    conns = []
    for _ in range(n):
        try:
            conns.append(socket.create_connection(("127.0.0.1", port), timeout=2))
        except OSError:
            break
    print(len(conns), flush=True)
    time.sleep(seconds)


def until_closed(sock):
    start = time.monotonic()
    sock.settimeout(300)
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass
    return time.monotonic() - start


def silent(port):
    s = socket.create_connection(("127.0.0.1", port))
    print("%.1f" % until_closed(s))


def slowhead(port):
    s = tls(port)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    # On stderr, so stdout stays the one figure: the connection is open, its head half sent.
    print("open", file=sys.stderr, flush=True)
    print("%.1f" % until_closed(s))


def varint(v):
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def secret_pb(name, n):
    labels = b"".join(field(11, field(1, b"k%d" % i) + field(2, b"v")) for i in range(n))
    meta = field(1, name.encode()) + labels
    secret = field(1, meta)
    type_meta = field(1, b"v1") + field(2, b"Secret")
    sys.stdout.buffer.write(b"k8s\0" + field(1, type_meta) + field(2, secret))


def chain(port, token, ns, n):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=60)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    owner = None
    for i in range(n):
        meta = {"name": "chain%d" % i}
        if owner:
            meta["ownerReferences"] = [{"apiVersion": "v1", "kind": "Secret",
                                        "name": "chain%d" % (i - 1), "uid": owner}]
        body = json.dumps({"apiVersion": "v1", "kind": "Secret", "metadata": meta})
        conn.request("POST", "/api/v1/namespaces/%s/secrets" % ns, body, headers)
        answer = conn.getresponse()
        owner = json.loads(answer.read())["metadata"]["uid"]
    print(n)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "raw":
        raw(int(args[0]), args[1])
    elif cmd == "hold":
        hold(int(args[0]), int(args[1]), float(args[2]))
    elif cmd == "silent":
        silent(int(args[0]))
    elif cmd == "slowhead":
        slowhead(int(args[0]))
    elif cmd == "chain":
        chain(int(args[0]), args[1], args[2], int(args[3]))
    elif cmd == "secret-pb":
        secret_pb(args[0], int(args[1]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
