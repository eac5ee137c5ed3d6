#!/usr/bin/env python3
"""A minimal chat client written from docs/PROTOCOL.md alone, to show the document is
enough to implement the protocol in another language. It speaks version 2: the hellos, then
(with a shared secret) CPace for the Noise psk, the Noise XX or XXpsk3 handshake, and every
frame after it sealed. Its cryptography is scripts/chatcrypto.py. The end-to-end tests run
it against a real `chat --listen`.

usage: reference-client.py HOST PORT NAME [--secret S] [--send TEXT ...] [--expect N]
                           [--identity FILE] [--no-aesgcm]
Prints one line per event on stdout: `established authenticated` (with a secret) or
`established unauthenticated`, `recv SEQ TEXT`, `error CODE MESSAGE`, `bye CODE REASON`; and
on stderr the cipher and the safety number of its static key and the peer's. Exits 0 after
sending its messages, receiving N messages, and a bye.

--identity FILE keeps the static X25519 private key in FILE (64 hex digits; created, mode
0600, when missing); without it the key lives in memory for this run only. --no-aesgcm
leaves `aesgcm` out of the hello, so the connection uses ChaChaPoly.
"""
import argparse, os, socket, struct, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chatcrypto as cc  # noqa: E402

HANDSHAKE_LIMIT = 4096  # payload bytes accepted before the handshake is done
MAXIMUM = 1 << 20       # this client's maximum payload, announced in its hello


def send_frames(sock, frames):
    for f in frames:
        sock.sendall(f)  # one write per frame


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return data


def recv_frame(sock, limit):
    header = recv_exact(sock, 5)
    length, _ = struct.unpack("!IB", header)
    if length > limit:
        raise cc.ChatFailure(2, "a frame of %d bytes is larger than %d" % (length, limit))
    return header + recv_exact(sock, length)


def load_identity(path):
    """The static private key in FILE, created when missing."""
    if path is None:
        return os.urandom(32)
    try:
        with open(path) as f:
            key = bytes.fromhex(f.read().strip())
        if len(key) != 32:
            raise ValueError("%s: an identity is 64 hex digits" % path)
        return key
    except FileNotFoundError:
        key = os.urandom(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key.hex() + "\n")
        return key


def report(ftype, payload):
    code, = struct.unpack("!H", payload[:2])
    print("bye" if ftype == cc.BYE else "error", code, payload[2:].decode(errors="replace"), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host"); ap.add_argument("port", type=int); ap.add_argument("name")
    ap.add_argument("--secret"); ap.add_argument("--send", nargs="*", default=[])
    ap.add_argument("--expect", type=int, default=0)
    ap.add_argument("--identity"); ap.add_argument("--no-aesgcm", action="store_true")
    args = ap.parse_args()

    secret = args.secret.encode() if args.secret else None
    caps = [] if args.no_aesgcm else ["aesgcm"]
    hello = cc.hello_payload(cc.PROTOCOL_VERSION, 1 if secret else 0, MAXIMUM, os.urandom(32), args.name, caps)
    peer = cc.ChatPeer(True, hello, secret, load_identity(args.identity))

    sock = socket.create_connection((args.host, args.port), timeout=20)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def fail(failure):
        """Sends the ERROR (sealed once there are keys), half-closes, and reads until the peer
        closes or 2 s pass, so the ERROR is read rather than destroyed by a reset (§5)."""
        print("error", failure.code, failure.message, flush=True)
        try:
            sock.sendall(peer.error_frame(failure))
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(2)
            while sock.recv(4096):
                pass
        except OSError:
            pass
        return 1

    def handle(inner_type, payload):
        """An opened record's inner frame; returns 1 when the connection ends, else None."""
        nonlocal received
        if inner_type == cc.TEXT:
            seq, = struct.unpack("!Q", payload[:8])
            received += 1
            print("recv", seq, payload[8:].decode(), flush=True)
        elif inner_type == cc.PING:
            sock.sendall(peer.seal(cc.PONG, payload))
        elif inner_type in (cc.BYE, cc.ERROR):
            report(inner_type, payload)
            return 1
        return None

    received = 0
    try:
        # The handshake: hellos, [CPACE], NOISE msg1..msg3, until the listener's first record opens.
        send_frames(sock, peer.start())
        while not peer.confirmed:
            send_frames(sock, peer.receive(recv_frame(sock, HANDSHAKE_LIMIT)))
            if peer.delivered and peer.delivered[0][0] in (cc.BYE, cc.ERROR) and not peer.confirmed:
                report(*peer.delivered[0])  # a plaintext ERROR: busy, authFailed, ...
                return 1
        print("established", "authenticated" if secret else "unauthenticated", flush=True)
        print("cipher %s, safety number %s" % (peer.handshake.cipher,
              cc.safety_number(peer.static_public, peer.peer_static_public())), file=sys.stderr, flush=True)
        pending, peer.delivered = peer.delivered, []
        for inner in pending:
            if handle(*inner):
                return 1

        for seq, text in enumerate(args.send, start=1):
            sock.sendall(peer.seal(cc.TEXT, struct.pack("!Q", seq) + text.encode()))
        while received < args.expect:
            send_frames(sock, peer.receive(recv_frame(sock, MAXIMUM)))
            pending, peer.delivered = peer.delivered, []
            for inner in pending:
                if handle(*inner):
                    return 1
        sock.sendall(peer.seal(cc.BYE, struct.pack("!H", 0) + b"reference client done"))
    except cc.ChatFailure as failure:
        return fail(failure)
    except EOFError:
        print("error 0 the peer disconnected without saying goodbye", flush=True)
        return 1
    except ConnectionResetError:
        print("error 0 connection reset by peer", flush=True)
        return 1
    sock.shutdown(socket.SHUT_WR)
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
