#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Fuzzers of the slice module, for dataplane-hostile.sh.

  fuzz-tool.py genl COUNT SEED IFINDEX        COUNT requests to the slice genl family,
                                              aimed at the device IFINDEX (and at others)
  fuzz-tool.py wire COUNT SEED ADDR PORT KEYFILE PEER_ID DST SINK_PORT OUT
                                              COUNT datagrams at a slice port: authentic
                                              ones (sealed with KEYFILE as gateway PEER_ID,
                                              ChaCha20-Poly1305, key id 1) to DST:SINK_PORT
                                              inside, and forged, replayed, bit-flipped,
                                              spoofed, malformed, truncated and foreign
                                              ones; writes what it sent, by class, as JSON
  fuzz-tool.py sink PORT QUIET_SECS OUT       collects the UDP payloads that reach PORT
                                              until QUIET_SECS pass without any (or two
                                              minutes with none at all); writes
                                              them as JSON to OUT (OUT.ready once bound)

genl prints the errnos the kernel answered with, and exits 1 when a request got no
answer at all (a request the kernel must answer) or a dump never ended.
"""
import base64
import collections
import errno
import importlib.util
import json
import os
import random
import select
import socket
import struct
import sys
import time

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

_spec = importlib.util.spec_from_file_location(
    "dataplane_tool", os.path.join(os.path.dirname(os.path.abspath(__file__)), "dataplane-tool.py"))
dp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dp)

NLM_F_DUMP = 0x300
NLMSG_DONE = 3
GENL_HDR = 4
KEY_LEN = 32

# Values that sit on the edges of what the policies accept.
EDGES = [0, 1, 2, 7, 0xff, 0x100, 0xffff, 0x10000, 0xffffff, 0x1000000, 0x7fffffff,
         0xffffffff, 86400000, 86400001, 1 << 32, (1 << 63) - 1, (1 << 64) - 1]


class Genl:
    """One genl socket with the slice family resolved."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, dp.NETLINK_GENERIC)
        self.sock.setsockopt(dp.SOL_NETLINK, dp.NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind((0, 0))
        error, _, replies = dp.transact(self.sock, dp.GENL_ID_CTRL, dp.CTRL_CMD_GETFAMILY,
                                        dp.nla(dp.CTRL_ATTR_FAMILY_NAME, b"slice\0"), 1)
        if error:
            sys.exit(f"genl: no slice family: {os.strerror(error)}")
        attrs = dp.parse_attrs(replies[0])
        self.family = struct.unpack_from("=H", attrs[dp.CTRL_ATTR_FAMILY_ID])[0]
        self.seq = 100

    def request(self, cmd, flags, payload):
        """Sends one request; returns its errno, 'dump' for a finished dump, or None when
        the kernel rightly ignored it (a header whose length lies), 'silent' when not."""
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        header = struct.pack("=IHHII", 16 + len(body), self.family,
                             dp.NLM_F_REQUEST | dp.NLM_F_ACK | flags, self.seq, 0)
        self.sock.send(header + body)
        return self.answer(self.seq)

    def send_raw(self, data):
        self.sock.send(data)

    def answer(self, seq, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return "silent"
            data = self.sock.recv(1 << 20)
            while len(data) >= 16:
                length, rtype, _, rseq, _ = struct.unpack_from("=IHHII", data)
                if length < 16:
                    break
                msg, data = data[:length], data[(length + 3) & ~3:]
                if rseq != seq:
                    continue
                if rtype == NLMSG_DONE:
                    return "dump"
                if rtype == dp.NLMSG_ERROR:
                    return -struct.unpack_from("=i", msg, 16)[0]


def rand_payload(rng):
    """An attribute payload: an edge value of any width, a string, or random bytes."""
    kind = rng.randrange(6)
    if kind == 0:
        width = rng.choice([1, 2, 4, 8])
        return (rng.choice(EDGES) & ((1 << (8 * width)) - 1)).to_bytes(width, sys.byteorder)
    if kind == 1:
        return rng.choice([b"fuzz0\0", b"slice0\0", b"lo\0", b"x" * 20 + b"\0", b"no-nul", b""])
    if kind == 2:
        return rng.choice([4, 16, 31, 32, 33]) * b"\x5a"
    return rng.randbytes(rng.choice([0, 1, 3, 5, 12, 40, rng.randrange(300)]))


def rand_attrs(rng, enums, space, depth):
    """Random attributes of an attribute space, some nested, some of no known type."""
    names = list(enums[space].values())
    top = max(names) + 3
    out = b""
    for _ in range(rng.randrange(0, 7)):
        attr_type = rng.choice(names) if rng.random() < 0.85 else rng.randrange(top)
        name = next((n for n, v in enums[space].items() if v == attr_type), "")
        nest = dp.NESTS.get(name.split("_A_")[-1].lower()) if "_A_" in name else None
        if nest and depth < 3 and rng.random() < 0.8:
            out += dp.nla(attr_type | dp.NLA_F_NESTED, rand_attrs(rng, enums, nest, depth + 1))
        else:
            out += dp.nla(attr_type | (dp.NLA_F_NESTED if rng.random() < 0.05 else 0),
                          rand_payload(rng))
    return out


def u32(t, v):
    return dp.nla(t, struct.pack("=I", v))


def plausible(rng, enums, ifindex):
    """A request of the kind slicectl and sliced send, with fields picked to collide: few
    peer ids, routes and key slots, so that requests meet the state earlier ones made."""
    a, p = enums["slice_a"], enums["slice_peer_a"]
    r, k = enums["slice_route_a"], enums["slice_keyconf_a"]
    cmds = enums["slice_cmd"]
    dev = u32(a["SLICE_A_IFINDEX"], ifindex)
    pid = u32(p["SLICE_PEER_A_ID"], rng.randrange(1, 6))
    which = rng.randrange(9)
    if which == 0:
        peer = pid + dp.nla(p["SLICE_PEER_A_REMOTE_IPV4"], bytes([192, 168, 2, rng.randrange(4)]))
        peer += dp.nla(p["SLICE_PEER_A_REMOTE_PORT"], struct.pack("!H", rng.randrange(1, 4)))
        peer += u32(p["SLICE_PEER_A_KEEPALIVE_INTERVAL_MS"], rng.choice([0, 1, 10, 1000]))
        peer += u32(p["SLICE_PEER_A_KEEPALIVE_TIMEOUT_MS"], rng.choice([0, 5, 50, 3000]))
        peer += u32(p["SLICE_PEER_A_HOLD_MS"], rng.choice([0, 1, 100]))
        cmd = rng.choice(["SLICE_CMD_PEER_NEW", "SLICE_CMD_PEER_SET"])
        return cmds[cmd], 0, dev + dp.nla(a["SLICE_A_PEER"] | dp.NLA_F_NESTED, peer)
    if which == 1:
        return cmds["SLICE_CMD_PEER_DEL"], 0, dev + dp.nla(a["SLICE_A_PEER"] | dp.NLA_F_NESTED, pid)
    if which == 2:
        family, addr = rng.choice([(2, bytes([10, rng.randrange(4), 0, 0])),
                                   (10, bytes([0xfd, 0, rng.randrange(4)]) + bytes(13))])
        route = dp.nla(r["SLICE_ROUTE_A_FAMILY"], struct.pack("=H", family))
        route += dp.nla(r["SLICE_ROUTE_A_ADDR"], addr)
        route += dp.nla(r["SLICE_ROUTE_A_PREFIXLEN"], bytes([rng.choice([0, 8, 16, 24, 32])]))
        route += u32(r["SLICE_ROUTE_A_PEER_ID"], rng.randrange(1, 6))
        cmd = rng.choice(["SLICE_CMD_ROUTE_ADD", "SLICE_CMD_ROUTE_DEL"])
        return cmds[cmd], 0, dev + dp.nla(a["SLICE_A_ROUTE"] | dp.NLA_F_NESTED, route)
    if which == 3:
        conf = u32(k["SLICE_KEYCONF_A_SLOT"], rng.randrange(3))
        conf += dp.nla(k["SLICE_KEYCONF_A_KEY_ID"], bytes([rng.randrange(4)]))
        conf += u32(k["SLICE_KEYCONF_A_CIPHER"], rng.randrange(4))
        conf += dp.nla(k["SLICE_KEYCONF_A_ENCRYPT_KEY"], rng.randbytes(KEY_LEN))
        conf += dp.nla(k["SLICE_KEYCONF_A_DECRYPT_KEY"], rng.randbytes(KEY_LEN))
        if rng.random() < 0.3:
            conf += dp.nla(k["SLICE_KEYCONF_A_LIMIT_PACKETS"], struct.pack("=Q", rng.choice(EDGES)))
        peer = pid + dp.nla(p["SLICE_PEER_A_KEYCONF"] | dp.NLA_F_NESTED, conf)
        return cmds["SLICE_CMD_KEY_NEW"], 0, dev + dp.nla(a["SLICE_A_PEER"] | dp.NLA_F_NESTED, peer)
    if which == 4:
        cmd = rng.choice(["SLICE_CMD_KEY_SWAP", "SLICE_CMD_KEY_DEL", "SLICE_CMD_KEY_GET"])
        peer = pid + dp.nla(p["SLICE_PEER_A_KEYCONF"] | dp.NLA_F_NESTED,
                            u32(k["SLICE_KEYCONF_A_SLOT"], rng.randrange(3)))
        return cmds[cmd], 0, dev + dp.nla(a["SLICE_A_PEER"] | dp.NLA_F_NESTED, peer)
    if which == 5:
        attrs = dev + u32(a["SLICE_A_LOCAL_ID"], rng.choice([0, 1, 7, 0xffffff, 0x1000000]))
        if rng.random() < 0.5:
            attrs += dp.nla(a["SLICE_A_LISTEN_PORT"], struct.pack("=H", rng.choice([0, 40001, 40002])))
            if rng.random() < 0.3:
                attrs += dp.nla(a["SLICE_A_LISTEN_IPV6"], bytes(16))
        return cmds["SLICE_CMD_DEV_SET"], 0, attrs
    # Dumps and gets, which walk the state while it keeps changing.
    cmd = rng.choice(["SLICE_CMD_DEV_GET", "SLICE_CMD_PEER_GET", "SLICE_CMD_ROUTE_GET"])
    return cmds[cmd], NLM_F_DUMP if rng.random() < 0.7 else 0, dev


def damaged(rng, family, payload, seq):
    """A message whose netlink or attribute lengths lie, or that ends mid-attribute."""
    body = struct.pack("=BBH", rng.randrange(20), 1, 0) + payload
    how = rng.randrange(3)
    if how == 0 and len(body) > 6:
        body = body[:rng.randrange(4, len(body))]
    elif how == 1 and len(body) > 8:
        at = GENL_HDR + (rng.randrange(len(body) - GENL_HDR - 2) & ~3)
        body = body[:at] + struct.pack("=H", rng.choice([0, 1, 3, 5, 0xffff])) + body[at + 2:]
    length = 16 + len(body)
    if how == 2:
        length = rng.choice([0, 15, 16, 17, length + 4, 0xffff])
    return struct.pack("=IHHII", length, family, dp.NLM_F_REQUEST | dp.NLM_F_ACK, seq, 0) + body


def genl_fuzz(count, seed, ifindex):
    rng = random.Random(int(seed))
    enums = dp.uapi()
    nl = Genl()
    cmds = list(enums["slice_cmd"].values())
    seen = collections.Counter()
    silent = 0
    for _ in range(int(count)):
        target = rng.choice([int(ifindex)] * 8 + [0, 1, 999999])
        roll = rng.random()
        if roll < 0.45:
            cmd, flags, payload = plausible(rng, enums, target)
        else:
            cmd = rng.choice(cmds) if rng.random() < 0.95 else rng.randrange(64)
            flags = NLM_F_DUMP if rng.random() < 0.2 else 0
            payload = u32(enums["slice_a"]["SLICE_A_IFINDEX"], target) if rng.random() < 0.7 else b""
            payload += rand_attrs(rng, enums, "slice_a", 0)
        if roll > 0.95:
            nl.seq += 1
            nl.send_raw(damaged(rng, nl.family, payload, nl.seq))
            # A lying header may be ignored; whatever comes back must be well formed.
            seen["damaged:" + str(nl.answer(nl.seq, timeout=0.2))] += 1
            continue
        result = nl.request(cmd, flags, payload)
        if result == "silent":
            silent += 1
        seen[result if isinstance(result, str) else errno.errorcode.get(result, str(result))
             if result else "0"] += 1
    print(" ".join(f"{k}={v}" for k, v in sorted(seen.items())))
    if silent:
        sys.exit(f"genl: {silent} requests got no answer")


def ipv4(src, dst, payload, proto=socket.IPPROTO_UDP):
    """An IPv4 packet with a correct header checksum (the stack checks it)."""
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    words = sum(struct.unpack("!10H", hdr))
    while words >> 16:
        words = (words & 0xffff) + (words >> 16)
    return hdr[:10] + struct.pack("!H", ~words & 0xffff) + hdr[12:] + payload


def udp(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


class Sealer:
    """Seals data packets as gateway sender_id with key id 1, counters from 0 up."""

    def __init__(self, keyfile, sender_id):
        with open(keyfile, encoding="ascii") as f:
            self.aead = ChaCha20Poly1305(base64.b64decode(f.read().strip()))
        self.sender_id = sender_id
        self.counter = 0

    def seal(self, inner, key_id=1, counter=None):
        if counter is None:
            counter, self.counter = self.counter, self.counter + 1
        hdr = struct.pack("!BBHIQ", 0xD1, key_id, 0, self.sender_id, counter)
        return hdr + self.aead.encrypt(b"\0" * 4 + struct.pack("!Q", counter), inner, hdr)


def malformed_inner(rng):
    """Inner bytes that no check may take for an IP packet."""
    body = rng.randbytes(rng.randrange(20, 120))
    kind = rng.randrange(4)
    if kind == 0:
        return bytes([rng.choice([0x05, 0x15, 0x35, 0x55, 0x75, 0x85, 0xf5])]) + body
    if kind == 1:   # IPv4 with a header shorter than 20 bytes
        return bytes([0x40 | rng.randrange(5)]) + body
    if kind == 2:   # IPv4 longer than what arrived
        return b"\x45\x00" + struct.pack("!H", 200 + len(body)) + body
    return b"\x60" + body[:3] + struct.pack("!H", 1000) + body[5:]   # IPv6 likewise


def wire_fuzz(count, seed, addr, port, keyfile, peer_id, dst, sink_port, out):
    """Counted: what the receiver must drop and count, what it must deliver, and what is
    not a data packet at all (dropped unseen: it belongs to the handshake)."""
    rng = random.Random(int(seed))
    sealer = Sealer(keyfile, int(peer_id))
    src = "10.%d.0.5" % int(peer_id)
    sent = collections.Counter()
    legit, history = [], []
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    target = (addr, int(port))

    def inner(marker, source=src):
        return ipv4(source, dst, udp(40000, int(sink_port), marker))

    for i in range(int(count)):
        kind = rng.choices(["legit", "replay", "flip", "spoof", "malformed", "forged",
                            "unknown_sender", "wrong_key", "truncated", "counter_limit",
                            "keepalive", "other"],
                           [12, 10, 14, 8, 8, 10, 5, 5, 8, 3, 2, 15])[0]
        if kind == "replay" and not history:
            kind = "legit"
        if kind == "legit":
            marker = b"legit-%d" % i
            if rng.random() < 0.02:     # a jump, still authentic
                sealer.counter += rng.randrange(1, 5000)
            pkt = sealer.seal(inner(marker))
            legit.append(marker.decode())
            history.append(pkt)
            history = history[-500:]
        elif kind == "replay":
            pkt = rng.choice(history)
        elif kind == "flip":
            pkt = bytearray(sealer.seal(inner(b"flip-%d" % i)))
            bit = rng.randrange(len(pkt) * 8)
            pkt[bit // 8] ^= 1 << (bit % 8)
            pkt = bytes(pkt)
            if pkt[0] != 0xD1:
                kind = "other"
        elif kind == "spoof":
            source = rng.choice(["10.1.0.7", "10.2.0.1", "8.8.8.8", "10.%d.0.5" % (int(peer_id) + 1)])
            pkt = sealer.seal(inner(b"spoof-%d" % i, source))
        elif kind == "malformed":
            pkt = sealer.seal(malformed_inner(rng))
        elif kind == "forged":
            pkt = struct.pack("!BBHIQ", 0xD1, 1, 0, rng.choice([int(peer_id), 1]),
                              rng.getrandbits(59)) + rng.randbytes(rng.randrange(16, 300))
        elif kind == "unknown_sender":
            pkt = struct.pack("!BBHIQ", 0xD1, 1, 0, rng.choice([0, 3, 0xffffff, 0x1000000,
                                                                0xffffffff]),
                              rng.getrandbits(64)) + rng.randbytes(rng.randrange(0, 100))
        elif kind == "wrong_key":
            pkt = sealer.seal(inner(b"key-%d" % i), key_id=rng.randrange(2, 256))
        elif kind == "truncated":
            pkt = b"\xd1" + rng.randbytes(rng.randrange(0, 31))
        elif kind == "counter_limit":
            pkt = sealer.seal(inner(b"limit-%d" % i), counter=(1 << 60) + rng.getrandbits(60))
        elif kind == "keepalive":
            pkt = sealer.seal(b"")
        else:
            pkt = bytes([rng.choice([0x00, 0x14, 0x16, 0x17, 0x2f, 0xd0, 0xd2, 0xff])]) + \
                  rng.randbytes(rng.randrange(0, 200))
        sock.sendto(pkt, target)
        sent[kind] += 1
        # Paced so that the receiver's queues (1024 packets a peer) never overflow.
        if i % 64 == 63:
            time.sleep(0.005)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"sent": sent, "legit": legit}, f)
    print(" ".join(f"{k}={v}" for k, v in sorted(sent.items())))


def sink(port, quiet_secs, out):
    got = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, dp.SO_RCVBUFFORCE, 8 << 20)
        s.bind(("0.0.0.0", int(port)))
        s.settimeout(float(quiet_secs))
        with open(out + ".ready", "w", encoding="utf-8"):
            pass
        give_up = time.monotonic() + 120
        while True:
            try:
                got.append(s.recv(65536).decode(errors="replace"))
            except socket.timeout:
                if got or time.monotonic() > give_up:
                    break
    with open(out, "w", encoding="utf-8") as f:
        json.dump(got, f)


def main():
    commands = {"genl": genl_fuzz, "wire": wire_fuzz, "sink": sink}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__.strip())
    commands[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    main()
