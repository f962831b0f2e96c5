#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Packet and netlink helpers for the data-plane selftests.

  dataplane-tool.py pcap-grep FILE HEX          packets of a capture holding the bytes HEX
  dataplane-tool.py pcap-replay FILE ADDR PORT  resend the UDP payloads sent to ADDR:PORT
  dataplane-tool.py junk ADDR PORT SENDER_ID    random datagrams at a slice port, by class
  dataplane-tool.py genl CMD ATTR...            one raw request of the slice genl family
  dataplane-tool.py seq-send ADDR PORT BURSTS N MS
                                                BURSTS sends of N sequence-numbered 1000-byte
                                                datagrams each, as one UDP GSO send (so that
                                                they cross the slice as one batch), MS apart
  dataplane-tool.py seq-recv PORT SECS FILE     count what arrives until SECS pass without
                                                any (or a minute with none at all); writes
                                                received, reordered, duplicates and highest
                                                as JSON to FILE (FILE.ready once listening)

genl builds exactly what it is told, so that tests can send what slicectl never would:
ATTR is NAME TYPE VALUE (TYPE: u8 u16 u32 u64 str hex), or NAME { ATTR... } for a nest.
Attribute and command numbers come from uapi/linux/slice.h. It prints one line,
"errno=NAME extack=TEXT [missing=N]", and exits 0 whatever the kernel answered.
"""
import errno
import json
import os
import random
import re
import socket
import struct
import sys
import time

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLMSG_ERROR = 2
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_MISS_TYPE = 1, 5
NLA_F_NESTED = 0x8000


def read_pcap(path):
    """Yields the frames of a classic pcap file (any link type)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data)[0]
    order = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack_from(order + "I", data, 20)[0]
    offset = 24
    while offset + 16 <= len(data):
        caplen = struct.unpack_from(order + "I", data, offset + 8)[0]
        yield linktype, data[offset + 16:offset + 16 + caplen]
        offset += 16 + caplen


def udp_payload(linktype, frame):
    """(destination address, port, payload) of a UDP frame over Ethernet, else None."""
    if linktype != 1 or len(frame) < 14:
        return None
    ethertype = struct.unpack_from("!H", frame, 12)[0]
    ip = frame[14:]
    if ethertype == 0x0800 and len(ip) >= 20 and ip[9] == socket.IPPROTO_UDP:
        dst = socket.inet_ntop(socket.AF_INET, ip[16:20])
        udp = ip[(ip[0] & 0xF) * 4:]
    elif ethertype == 0x86DD and len(ip) >= 40 and ip[6] == socket.IPPROTO_UDP:
        dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
        udp = ip[40:]
    else:
        return None
    if len(udp) < 8:
        return None
    return dst, struct.unpack_from("!H", udp, 2)[0], udp[8:]


def pcap_grep(path, pattern):
    needle = bytes.fromhex(pattern)
    print(sum(1 for _, frame in read_pcap(path) if needle in frame))


def send_to(addr, port, payloads):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        for payload in payloads:
            s.sendto(payload, (addr, port))


def pcap_replay(path, addr, port):
    port = int(port)
    wanted = socket.inet_pton(socket.AF_INET6 if ":" in addr else socket.AF_INET, addr)
    payloads = []
    for linktype, frame in read_pcap(path):
        parsed = udp_payload(linktype, frame)
        if not parsed or parsed[1] != port:
            continue
        family = socket.AF_INET6 if ":" in parsed[0] else socket.AF_INET
        if socket.inet_pton(family, parsed[0]) == wanted and parsed[2][:1] == b"\xd1":
            payloads.append(parsed[2])
    send_to(addr, port, payloads)
    print(len(payloads))


def junk(addr, port, sender_id):
    """Three classes: truncated data packets, well-formed headers with forged ciphertext of a
    known sender (key id 1), and non-data datagrams that belong to the socket's owner."""
    rng = random.Random(1)
    truncated = [b"\xd1" + rng.randbytes(rng.randrange(0, 31)) for _ in range(30)]
    forged = [struct.pack("!BBHIQ", 0xD1, 1, 0, int(sender_id), rng.getrandbits(63)) +
              rng.randbytes(rng.randrange(16, 200)) for _ in range(30)]
    other = [bytes([rng.choice([0x00, 0x16, 0x17, 0x2f, 0xff])]) + rng.randbytes(rng.randrange(0, 200))
             for _ in range(30)]
    send_to(addr, int(port), truncated + forged + other)
    print(f"truncated={len(truncated)} forged={len(forged)} other={len(other)}")


def uapi():
    """Enum values of the uapi header: {enum name: {ENTRY: value}}."""
    with open(os.path.join(TOP, "uapi", "linux", "slice.h"), encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    enums = {}
    for name, body in re.findall(r"enum\s+(\w+)\s*\{(.*?)\};", text, re.S):
        value, entries = -1, {}
        for item in [i.strip() for i in body.split(",") if i.strip()]:
            entry, _, explicit = [p.strip() for p in item.partition("=")]
            if "__" in explicit:
                continue
            value = int(explicit, 0) if explicit else value + 1
            entries[entry] = value
        enums[name] = entries
    return enums


NESTS = {"peer": "slice_peer_a", "route": "slice_route_a", "keyconf": "slice_keyconf_a",
         "stats": "slice_stats_a", "qos": "slice_qos_a"}
PREFIXES = {"slice_a": "SLICE_A_", "slice_peer_a": "SLICE_PEER_A_",
            "slice_route_a": "SLICE_ROUTE_A_", "slice_keyconf_a": "SLICE_KEYCONF_A_",
            "slice_stats_a": "SLICE_STATS_A_", "slice_qos_a": "SLICE_QOS_A_"}


def nla(attr_type, payload):
    header = struct.pack("=HH", 4 + len(payload), attr_type)
    return header + payload + b"\0" * (-len(payload) % 4)


def encode_attrs(tokens, enums, space):
    """Consumes tokens up to a closing brace; returns the encoded attributes."""
    out = b""
    while tokens:
        name = tokens.pop(0)
        if name == "}":
            return out
        attr_type = enums[space][PREFIXES[space] + name.upper().replace("-", "_")]
        kind = tokens.pop(0)
        if kind == "{":
            out += nla(attr_type | NLA_F_NESTED, encode_attrs(tokens, enums, NESTS[name]))
            continue
        value = tokens.pop(0)
        if kind in ("u8", "u16", "u32", "u64"):
            payload = struct.pack({"u8": "=B", "u16": "=H", "u32": "=I", "u64": "=Q"}[kind],
                                  int(value, 0))
        elif kind == "str":
            payload = value.encode() + b"\0"
        elif kind == "hex":
            payload = bytes.fromhex(value)
        else:
            sys.exit(f"genl: unknown type {kind}")
        out += nla(attr_type, payload)
    return out


def parse_attrs(data):
    attrs = {}
    while len(data) >= 4:
        length, attr_type = struct.unpack_from("=HH", data)
        if length < 4:
            break
        attrs[attr_type & 0x3FFF] = data[4:length]
        data = data[(length + 3) & ~3:]
    return attrs


def transact(sock, msg_type, cmd, attrs, seq):
    genl = struct.pack("=BBH", cmd, 1, 0)
    header = struct.pack("=IHHII", 16 + len(genl) + len(attrs), msg_type,
                         NLM_F_REQUEST | NLM_F_ACK, seq, 0)
    sock.send(header + genl + attrs)
    replies = []
    while True:
        data = sock.recv(65536)
        while len(data) >= 16:
            length, rtype, flags, _, _ = struct.unpack_from("=IHHII", data)
            msg = data[:length]
            data = data[(length + 3) & ~3:]
            if rtype != NLMSG_ERROR:
                replies.append(msg[20:])
                continue
            error = -struct.unpack_from("=i", msg, 16)[0]
            ext = {}
            if flags & NLM_F_ACK_TLVS:
                echoed = 16 if flags & NLM_F_CAPPED else struct.unpack_from("=I", msg, 20)[0]
                ext = parse_attrs(msg[20 + echoed:])
            return error, ext, replies


def genl(args):
    enums = uapi()
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    sock.bind((0, 0))
    error, _, replies = transact(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                                 nla(CTRL_ATTR_FAMILY_NAME, b"slice\0"), 1)
    if error:
        sys.exit(f"genl: no slice family: {os.strerror(error)}")
    family = struct.unpack_from("=H", parse_attrs(replies[0])[CTRL_ATTR_FAMILY_ID])[0]
    cmd = enums["slice_cmd"]["SLICE_CMD_" + args[0].upper().replace("-", "_")]
    error, ext, _ = transact(sock, family, cmd, encode_attrs(list(args[1:]), enums, "slice_a"), 2)
    # Python names 95 ENOTSUP; the kernel's name for it is EOPNOTSUPP.
    name = "EOPNOTSUPP" if error == errno.EOPNOTSUPP else errno.errorcode.get(error, error)
    line = f"errno={name if error else 0}"
    line += " extack=" + ext.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode()
    if NLMSGERR_ATTR_MISS_TYPE in ext:
        line += f" missing={struct.unpack('=I', ext[NLMSGERR_ATTR_MISS_TYPE])[0]}"
    print(line)


SEQ_SIZE = 1000
UDP_SEGMENT = 103
SO_RCVBUFFORCE = 33


def seq_send(addr, port, bursts, per_burst, interval_ms):
    """Datagram k carries k (64-bit) first; a burst goes out as one GSO send."""
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    seq = 0
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_UDP, UDP_SEGMENT, SEQ_SIZE)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        for _ in range(int(bursts)):
            buf = b"".join(struct.pack("!Q", seq + i).ljust(SEQ_SIZE, b"\xa5")
                           for i in range(int(per_burst)))
            s.sendto(buf, (addr, int(port)))
            seq += int(per_burst)
            time.sleep(int(interval_ms) / 1000)
    print(seq)


def seq_recv(port, quiet_secs, out):
    """A datagram whose number is below the highest seen so far arrived out of order."""
    stats = {"received": 0, "reordered": 0, "duplicates": 0, "highest": -1}
    seen = set()
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
        # Past net.core.rmem_max: the tests run as root (SO_RCVBUFFORCE).
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
        s.bind(("::", int(port)))
        s.settimeout(float(quiet_secs))
        with open(out + ".ready", "w", encoding="utf-8"):
            pass
        give_up = time.monotonic() + 60
        while True:
            try:
                data = s.recv(65536)
            except socket.timeout:
                if stats["received"] or time.monotonic() > give_up:
                    break
                continue
            seq = struct.unpack("!Q", data[:8])[0]
            stats["received"] += 1
            if seq in seen:
                stats["duplicates"] += 1
            elif seq < stats["highest"]:
                stats["reordered"] += 1
            seen.add(seq)
            stats["highest"] = max(stats["highest"], seq)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(stats, f)


def main():
    commands = {"pcap-grep": pcap_grep, "pcap-replay": pcap_replay, "junk": junk,
                "seq-send": seq_send, "seq-recv": seq_recv}
    if len(sys.argv) < 2 or (sys.argv[1] not in commands and sys.argv[1] != "genl"):
        sys.exit(__doc__.strip())
    if sys.argv[1] == "genl":
        genl(sys.argv[2:])
    else:
        commands[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    main()
