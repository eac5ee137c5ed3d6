#!/usr/bin/env python3
"""A minimal chat client written from docs/PROTOCOL.md alone, to show the document is
enough to implement the protocol in another language. It speaks version 2: the hellos, then
(with a shared secret) CPace for the Noise psk, the Noise XX or XXpsk3 handshake, and every
frame after it sealed. Its cryptography is scripts/chatcrypto.py. The end-to-end tests run
it against a real `chat --listen`.

usage: reference-client.py HOST PORT NAME [--secret S] [--send TEXT ...] [--expect N]
                           [--identity FILE] [--no-aesgcm]
                           [--accept-files DIR [--expect-files N]] [--send-file FILE [--to NAME]]...
Prints one line per event on stdout: `established authenticated` (with a secret) or
`established unauthenticated`, `recv SEQ TEXT`, `error CODE MESSAGE`, `bye CODE REASON`; and
on stderr the cipher and the safety number of its static key and the peer's. Exits 0 after
sending its messages, receiving N messages, and a bye.

Files (docs/PROTOCOL.md §10; the hello lists the capability `files`): offers are rejected
unless --accept-files DIR is given; then every offer is accepted: the name is cleaned
(scripts/chatfiles.py), the data written to NAME.part in DIR (created with O_EXCL and
O_NOFOLLOW, mode 0600), credit granted as it is written (window 4 MiB), and after FILE_DONE
the SHA-256 checked and the file renamed to NAME, or `NAME (1).ext` when NAME exists (never
overwritten). Lines: `file offered ID NAME SIZE from PEER`, `file accepted ID saving as
PATH`, `file done NAME SIZE sha256 HEX`, `file failed ID NAME: REASON`. With --expect-files N
the client stays until N offers have ended. --send-file FILE (repeatable, one file after
the other) offers FILE (to the member NAME of a room with --to), sends it within the credit
in chunks of min(128 KiB, the peer's maximum payload - 32), then FILE_DONE, and waits for
FILE_RESULT: `file sent NAME SIZE sha256 HEX` or `file failed ID NAME: REASON`. The exit
status is 1 if any file failed.

--identity FILE keeps the static X25519 private key in FILE (64 hex digits; created, mode
0600, when missing); without it the key lives in memory for this run only. --no-aesgcm
leaves `aesgcm` out of the hello, so the connection uses ChaChaPoly.
"""
import argparse, hashlib, os, select, shutil, socket, struct, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chatcrypto as cc  # noqa: E402
import chatfiles as cf  # noqa: E402

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


class Incoming:
    """A file being received into NAME.part."""

    def __init__(self, offer, directory, name, part, fd):
        self.id = bytes.fromhex(offer["id"])
        self.size = offer["size"]
        self.directory, self.name, self.part, self.fd = directory, name, part, fd
        self.received = 0
        self.granted = cf.INITIAL_WINDOW
        self.hash = hashlib.sha256()


class Outgoing:
    """A file being sent: offered, then sending within the credit, then waiting for RESULT."""

    def __init__(self, path, to):
        self.path = path
        self.file = open(path, "rb")
        status = os.fstat(self.file.fileno())
        self.size = status.st_size
        self.name = cf.clean_name(os.path.basename(path))
        if self.name is None:
            raise ValueError("%s: no usable file name" % path)
        self.id = os.urandom(16)
        self.key = cf.resume_key(os.path.realpath(path), self.size, status.st_mtime_ns)
        self.to = to
        self.state = "offered"  # offered, sending, done, finished
        self.next = self.credit = 0
        self.hash = hashlib.sha256()
        self.digest = None


class Files:
    """This side's transfers on one connection (a sender and a receiver of files)."""

    def __init__(self, send, directory, chunk):
        self.send = send            # seals and writes one inner frame: send(type, payload)
        self.directory = directory  # --accept-files, or None: offers are rejected
        self.chunk = chunk
        self.incoming = {}
        self.outgoing = None
        self.ended = 0              # offers received that have ended, whatever the outcome
        self.failures = 0

    def short(self, transfer_id):
        return transfer_id[:4].hex()

    def cancel(self, transfer_id, reason):
        """A transfer error: CANCEL with the reason; the session lives."""
        self.send(cf.FILE_CANCEL, cf.encode_cancel(transfer_id, reason))

    def failed(self, transfer_id, name, reason):
        self.failures += 1
        print("file failed %s %s: %s" % (self.short(transfer_id), name, reason), flush=True)

    # receiving
    def offered(self, offer):
        transfer_id = bytes.fromhex(offer["id"])
        if transfer_id in self.incoming:
            return self.cancel(transfer_id, "an offer for a transfer already under way")
        name = cf.clean_name(offer["name"])
        shown = name if name is not None else "(refused name)"
        print("file offered %s %s %d from %s" % (self.short(transfer_id), shown, offer["size"], offer["peer"] or "-"),
              flush=True)
        reason = None
        if self.directory is None:
            reason = "this client does not accept files (--accept-files)"
        elif name is None:
            reason = "the file name is refused"
        elif offer["size"] > shutil.disk_usage(self.directory).free:
            reason = "not enough free space"
        if reason is None:
            d = self.directory
            name = cf.unique_name(name, lambda n: os.path.lexists(os.path.join(d, n))
                                  or os.path.lexists(os.path.join(d, cf.part_name(n))))
            part = os.path.join(d, cf.part_name(name))
            try:
                fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            except OSError as error:
                reason = "can't create %s: %s" % (cf.part_name(name), error.strerror)
        if reason is not None:
            self.ended += 1
            self.failed(transfer_id, shown, reason)
            return self.send(cf.FILE_REJECT, cf.encode_reject(transfer_id, reason))
        self.incoming[transfer_id] = Incoming(offer, self.directory, name, part, fd)
        print("file accepted %s saving as %s" % (self.short(transfer_id), os.path.join(self.directory, name)), flush=True)
        self.send(cf.FILE_ACCEPT, cf.encode_accept(transfer_id, 0, cf.INITIAL_WINDOW))

    def drop(self, t, reason, cancel=True):
        """Ends an incoming transfer that went wrong; the .part file stays."""
        del self.incoming[t.id]
        os.close(t.fd)
        self.ended += 1
        self.failed(t.id, t.name, reason)
        if cancel:
            self.cancel(t.id, reason)

    def chunk_arrived(self, fields):
        transfer_id, data = bytes.fromhex(fields["id"]), bytes.fromhex(fields["data"])
        t = self.incoming.get(transfer_id)
        if t is None:
            return self.cancel(transfer_id, "a chunk for an unknown or finished transfer")
        if fields["offset"] != t.received:
            return self.drop(t, "a chunk at offset %d, expected %d" % (fields["offset"], t.received))
        if t.received + len(data) > t.size:
            return self.drop(t, "more bytes than the %d announced" % t.size)
        if t.received + len(data) > t.granted:
            return self.drop(t, "a chunk beyond the credit (%d bytes granted)" % t.granted)
        view = memoryview(data)
        while view:
            view = view[os.write(t.fd, view):]
        t.hash.update(data)
        t.received += len(data)
        # Credit tracks what is written: top the window up once half of it is used.
        if t.granted < t.size and t.granted - t.received <= cf.INITIAL_WINDOW // 2:
            more = min(t.received + cf.INITIAL_WINDOW, t.size) - t.granted
            t.granted += more
            self.send(cf.FILE_CREDIT, cf.encode_credit(t.id, more))

    def done_arrived(self, fields):
        transfer_id = bytes.fromhex(fields["id"])
        t = self.incoming.get(transfer_id)
        if t is None:
            return self.cancel(transfer_id, "FILE_DONE for an unknown or finished transfer")
        if t.received != t.size:
            return self.drop(t, "FILE_DONE after %d of %d bytes" % (t.received, t.size))
        digest = t.hash.hexdigest()
        if digest != fields["sha256"]:
            del self.incoming[transfer_id]
            os.close(t.fd)
            self.ended += 1
            reason = "the SHA-256 differs (received %s): %s is kept" % (digest, os.path.basename(t.part))
            self.failed(transfer_id, t.name, reason)
            return self.send(cf.FILE_RESULT, cf.encode_result(transfer_id, cf.STATUS_HASH_MISMATCH, reason))
        os.fsync(t.fd)
        os.close(t.fd)
        del self.incoming[transfer_id]
        self.ended += 1
        name = t.name
        for _ in range(100):  # link never replaces an existing file; a name taken meanwhile gets another
            try:
                os.link(t.part, os.path.join(t.directory, name), follow_symlinks=False)
                os.unlink(t.part)
                break
            except FileExistsError:
                name = cf.unique_name(name, lambda n: os.path.lexists(os.path.join(t.directory, n)))
        else:
            self.failures += 1
            return self.send(cf.FILE_RESULT, cf.encode_result(transfer_id, cf.STATUS_FAILED, "no free name"))
        print("file done %s %d sha256 %s" % (name, t.size, digest), flush=True)
        self.send(cf.FILE_RESULT, cf.encode_result(transfer_id, cf.STATUS_VERIFIED, ""))

    # sending
    def offer(self, path, to):
        out = self.outgoing = Outgoing(path, to)
        self.send(cf.FILE_OFFER, cf.encode_offer(out.id, out.size, out.key, to, out.name))

    def pump(self, readable):
        """Sends chunks within the credit while readable() says nothing waits to be read."""
        out = self.outgoing
        while out is not None and out.state == "sending" and out.next < out.size and out.credit > 0:
            data = out.file.read(min(self.chunk, out.credit, out.size - out.next))
            if not data:
                out.state = "finished"
                self.failed(out.id, out.name, "the file shrank while it was sent")
                return self.cancel(out.id, "the file shrank while it was sent")
            self.send(cf.FILE_CHUNK, cf.encode_chunk(out.id, out.next, data))
            out.hash.update(data)
            out.next += len(data)
            out.credit -= len(data)
            if readable():
                return
        if out is not None and out.state == "sending" and out.next == out.size:
            out.digest = out.hash.digest()
            out.state = "done"
            self.send(cf.FILE_DONE, cf.encode_done(out.id, out.digest))

    def answer(self, fields):
        """ACCEPT, REJECT, CREDIT or RESULT for the file this side offered."""
        out, transfer_id = self.outgoing, bytes.fromhex(fields["id"])
        if out is None or out.id != transfer_id or out.state == "finished":
            return self.cancel(transfer_id, "a %s for an unknown or finished transfer" % fields["type"])
        kind = fields["type"]
        if kind == "fileAccept" and out.state == "offered":
            if fields["offset"] > out.size:
                out.state = "finished"
                self.failed(out.id, out.name, "accepted at offset %d of %d" % (fields["offset"], out.size))
                return self.cancel(out.id, "an offset past the end of the file")
            out.file.seek(0)
            remaining = fields["offset"]
            while remaining:  # resuming: the final hash covers the whole file
                data = out.file.read(min(remaining, 1 << 20))
                out.hash.update(data)
                remaining -= len(data)
            out.next, out.credit, out.state = fields["offset"], fields["window"], "sending"
        elif kind == "fileReject" and out.state == "offered":
            out.state = "finished"
            self.failed(out.id, out.name, "rejected: " + fields["reason"])
        elif kind == "fileCredit" and out.state in ("sending", "done"):
            out.credit += fields["bytes"]
        elif kind == "fileResult" and out.state == "done":
            out.state = "finished"
            if fields["status"] == cf.STATUS_VERIFIED:
                print("file sent %s %d sha256 %s" % (out.name, out.size, out.digest.hex()), flush=True)
            else:
                self.failed(out.id, out.name, "the receiver says: status %d %s" % (fields["status"], fields["reason"]))
        else:
            out.state = "finished"
            self.failed(out.id, out.name, "%s out of order" % kind)
            self.cancel(out.id, "%s out of order" % kind)

    def cancelled(self, fields):
        transfer_id = bytes.fromhex(fields["id"])
        reason = "cancelled by the peer: " + (fields["reason"] or "no reason given")
        if transfer_id in self.incoming:
            self.drop(self.incoming[transfer_id], reason, cancel=False)
        elif self.outgoing is not None and self.outgoing.id == transfer_id and self.outgoing.state != "finished":
            self.outgoing.state = "finished"
            self.failed(transfer_id, self.outgoing.name, reason)

    def handle(self, ftype, payload):
        try:
            fields = cf.parse(ftype, payload)
        except cf.FileFrameError as problem:
            raise cc.ChatFailure(cc.ERROR_CODES[problem.error], problem.message) from None
        if ftype == cf.FILE_OFFER:
            self.offered(fields)
        elif ftype == cf.FILE_CHUNK:
            self.chunk_arrived(fields)
        elif ftype == cf.FILE_DONE:
            self.done_arrived(fields)
        elif ftype == cf.FILE_CANCEL:
            self.cancelled(fields)
        else:
            self.answer(fields)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host"); ap.add_argument("port", type=int); ap.add_argument("name")
    ap.add_argument("--secret"); ap.add_argument("--send", nargs="*", default=[])
    ap.add_argument("--expect", type=int, default=0)
    ap.add_argument("--identity"); ap.add_argument("--no-aesgcm", action="store_true")
    ap.add_argument("--accept-files", metavar="DIR"); ap.add_argument("--expect-files", type=int, default=0)
    ap.add_argument("--send-file", metavar="FILE", action="append", default=[])
    ap.add_argument("--to", default="", help="the room member a --send-file is for (empty: the listener)")
    args = ap.parse_args()
    if args.accept_files is not None and not os.path.isdir(args.accept_files):
        ap.error("--accept-files: %s is not a directory" % args.accept_files)
    for path in args.send_file:
        if not os.path.isfile(path):
            ap.error("--send-file: %s is not a file" % path)

    secret = args.secret.encode() if args.secret else None
    caps = ([] if args.no_aesgcm else ["aesgcm"]) + [cf.CAPABILITY]
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

    files = None

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
        elif inner_type in cf.FILE_TYPES:
            if files is None or not peer.both_caps(cf.CAPABILITY):
                raise cc.ChatFailure(1, "a file frame (0x%02x) without the capability files in both hellos" % inner_type)
            files.handle(inner_type, payload)
        return None

    def read_and_handle():
        send_frames(sock, peer.receive(recv_frame(sock, MAXIMUM + 21)))
        pending, peer.delivered = peer.delivered, []
        for inner in pending:
            if handle(*inner):
                return 1
        return None

    def readable():
        return bool(select.select([sock], [], [], 0)[0])

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
        peer_maximum = cc.parse_hello(peer.peer_hello)[2]
        files = Files(lambda t, p: sock.sendall(peer.seal(t, p)), args.accept_files, cf.chunk_size(peer_maximum))
        pending, peer.delivered = peer.delivered, []
        for inner in pending:
            if handle(*inner):
                return 1

        for seq, text in enumerate(args.send, start=1):
            sock.sendall(peer.seal(cc.TEXT, struct.pack("!Q", seq) + text.encode()))
        to_send = list(args.send_file)
        if to_send and not peer.both_caps(cf.CAPABILITY):
            for path in to_send:
                print("file failed - %s: the peer's hello does not list files" % os.path.basename(path), flush=True)
            files.failures += len(to_send)
            to_send = []
        while True:
            if files.outgoing is None or files.outgoing.state == "finished":
                if to_send:
                    files.offer(to_send.pop(0), args.to)
            files.pump(readable)
            sending = files.outgoing is not None and files.outgoing.state != "finished"
            if not (sending or received < args.expect or files.ended < args.expect_files):
                break
            if read_and_handle():
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
    except TimeoutError:
        print("error 0 nothing arrived for 20 s", flush=True)
        return 1
    sock.shutdown(socket.SHUT_WR)
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass
    return 1 if files.failures else 0


if __name__ == "__main__":
    sys.exit(main())
