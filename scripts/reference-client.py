#!/usr/bin/env python3
"""A minimal chat client written from docs/PROTOCOL.md alone, to show the document is
enough to implement the protocol in another language. The end-to-end tests run it against
a real `chat --listen`.

usage: reference-client.py HOST PORT NAME [--secret S] [--send TEXT ...] [--expect N]
Prints one line per event: `established AUTH`, `recv SEQ TEXT`, `error CODE MESSAGE`,
`bye CODE REASON`. Exits 0 after sending its messages, receiving N messages, and a bye.
"""
import argparse, hashlib, hmac, os, socket, struct, sys

HELLO, AUTH_PROOF, TEXT, PING, PONG, BYE, ERROR = 0x01, 0x02, 0x10, 0x20, 0x21, 0x30, 0x31

def send_frame(sock, ftype, payload):
    sock.sendall(struct.pack("!IB", len(payload), ftype) + payload)  # one write per frame

def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return data

def recv_frame(sock):
    length, ftype = struct.unpack("!IB", recv_exact(sock, 5))
    if length > 1 << 20:
        raise ValueError("frame too large")
    return ftype, recv_exact(sock, length)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host"); ap.add_argument("port", type=int); ap.add_argument("name")
    ap.add_argument("--secret"); ap.add_argument("--send", nargs="*", default=[])
    ap.add_argument("--expect", type=int, default=0)
    args = ap.parse_args()

    sock = socket.create_connection((args.host, args.port), timeout=20)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    name = args.name.encode()
    my_hello = (struct.pack("!HHI", 1, 1 if args.secret else 0, 1 << 20) + os.urandom(32)
                + bytes([len(name)]) + name + bytes([0]))
    send_frame(sock, HELLO, my_hello)

    ftype, peer_hello = recv_frame(sock)
    if ftype == ERROR:
        code, = struct.unpack("!H", peer_hello[:2]); print("error", code, peer_hello[2:].decode()); return 1
    assert ftype == HELLO, ftype
    version, flags = struct.unpack("!HH", peer_hello[:4])
    assert version == 1, version
    if args.secret and flags & 1:
        transcript = b""
        for payload in (my_hello, peer_hello):  # we are the connector: our hello first
            transcript += struct.pack("!I", len(payload)) + payload
        digest = hashlib.sha256(transcript).digest()
        key = args.secret.encode()
        send_frame(sock, AUTH_PROOF, hmac.new(key, b"chat/1 connector proof" + digest, hashlib.sha256).digest())
        ftype, proof = recv_frame(sock)
        if ftype == ERROR:
            code, = struct.unpack("!H", proof[:2]); print("error", code, proof[2:].decode()); return 1
        expected = hmac.new(key, b"chat/1 listener proof" + digest, hashlib.sha256).digest()
        if ftype != AUTH_PROOF or not hmac.compare_digest(proof, expected):
            print("error", 7, "listener proof mismatch"); return 1
        print("established authenticated", flush=True)
    elif not args.secret and not flags & 1:
        print("established unauthenticated", flush=True)
    else:
        print("error", 8, "secret on one side only"); return 1

    for seq, text in enumerate(args.send, start=1):
        send_frame(sock, TEXT, struct.pack("!Q", seq) + text.encode())
    received = 0
    while received < args.expect:
        ftype, payload = recv_frame(sock)
        if ftype == TEXT:
            seq, = struct.unpack("!Q", payload[:8]); received += 1
            print("recv", seq, payload[8:].decode(), flush=True)
        elif ftype == PING:
            send_frame(sock, PONG, payload)
        elif ftype in (BYE, ERROR):
            code, = struct.unpack("!H", payload[:2]); print("bye" if ftype == BYE else "error", code, payload[2:].decode())
            return 1
    send_frame(sock, BYE, struct.pack("!H", 0) + b"reference client done")
    sock.shutdown(socket.SHUT_WR)
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass
    return 0

if __name__ == "__main__":
    sys.exit(main())
