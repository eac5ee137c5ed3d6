#!/usr/bin/env python3
"""A hostile file sender, for the end-to-end tests (Tests/ChatAppTests/
FileTransferEndToEndTests.swift): it connects to a `chat --listen --accept-files DIR` with
the reference client's handshake (scripts/chatcrypto.py), then offers files under hostile
names and breaks the rules of docs/PROTOCOL.md §10 one scenario after the other, with
scripts/chatfiles.py. After each scenario it sends the TEXT `after SCENARIO`: the test checks
that chat shows it (the session survived), that nothing was written outside DIR and that no
control character reached chat's standard output.

usage: hostile-files.py HOST PORT [SCENARIO...]
Scenarios (all, in this order, when none is named): names, past-size, beyond-credit,
unknown-id, wrong-hash, same-key, peer-escape, flood, name-over-255 (last: a name over 255 bytes is a malformed
frame, which ends the session by design). beyond-credit sends one chunk of the whole window plus a byte,
so chat must take frames that large (--max-frame 8388608 for its 4 MiB window).

Prints one line per observation (`name LABEL accepted|rejected ...`, `cancelled SCENARIO
REASON`, `result SCENARIO STATUS REASON`, `flood ACCEPTED REJECTED`, `after SCENARIO`) and
`bad WHAT` for anything unexpected; exits 1 if anything was unexpected. Every wait has a
timeout (20 s).
"""
import hashlib, os, select, socket, struct, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chatcrypto as cc  # noqa: E402
import chatfiles as cf  # noqa: E402

TIMEOUT = 20
MAXIMUM = 1 << 20

# (label, raw name): every hostile name of issue 14's Safety section.
NAMES = [
    ("traversal", "../../etc/passwd"),
    ("backslashes", "..\\..\\x"),
    ("absolute", "/abs/path"),
    ("nul", "a\x00b.txt"),
    ("clear-screen", "\x1b[2Jcleared.txt"),
    ("osc-title", "\x1b]0;owned\x07osc.txt"),
    ("osc-hyperlink", "\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\.txt"),
    ("bidi", "invoice\u202Etxt.exe"),
    ("c1-csi", "c1\x9b31mred.txt"),
    ("long", "长" * 80 + "x" * 10 + ".txt"),  # 254 bytes: cut to 250 on a scalar boundary
    ("longest", "a" * 251 + ".txt"),           # 255 bytes, the most the wire carries
    ("chinese-combining", "文件\u0301名\u0308称\u20dd.txt"),
    ("only-dots", "...."),
    ("dot", "."),
    ("dotdot", ".."),
    ("hidden", ".bashrc"),
    ("slash-combining", "../\u0301etc"),
]

failures = 0


def bad(what):
    global failures
    failures += 1
    print("bad", what, flush=True)


def recv_exact(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return bytes(data)


class Connection:
    def __init__(self, host, port):
        hello = cc.hello_payload(cc.PROTOCOL_VERSION, 0, MAXIMUM, os.urandom(32), "mallory", ["aesgcm", cf.CAPABILITY])
        self.peer = cc.ChatPeer(True, hello, None, os.urandom(32))
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(b"".join(self.peer.start()))
        self.pending = []
        while not self.peer.confirmed:
            self.sock.sendall(b"".join(self.peer.receive(self.read_frame())))
        self.pending, self.peer.delivered = self.peer.delivered, []
        self.peer_maximum = cc.parse_hello(self.peer.peer_hello)[2]
        self.seq = 0

    def read_frame(self):
        header = recv_exact(self.sock, 5)
        return header + recv_exact(self.sock, struct.unpack("!IB", header)[0])

    def send(self, inner_type, payload):
        self.sock.sendall(self.peer.seal(inner_type, payload))

    def text(self, text):
        self.seq += 1
        self.send(cc.TEXT, struct.pack("!Q", self.seq) + text.encode())

    def next_file_frame(self, deadline):
        """The next file frame (type, parsed fields), answering PINGs; None at the deadline."""
        while True:
            while self.pending:
                inner_type, payload = self.pending.pop(0)
                if inner_type == cc.PING:
                    self.send(cc.PONG, payload)
                elif inner_type in (cc.BYE, cc.ERROR):
                    raise EOFError("the peer ended the session: %r" % payload[2:].decode(errors="replace"))
                elif inner_type in cf.FILE_TYPES:
                    return inner_type, cf.parse(inner_type, payload)
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return None
            self.sock.sendall(b"".join(self.peer.receive(self.read_frame())))
            self.pending += self.peer.delivered
            self.peer.delivered = []

    def wait_for(self, transfer_id, kinds, what):
        """The next frame for transfer_id whose type is in kinds (others for it are unexpected)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            got = self.next_file_frame(deadline)
            if got is None:
                bad("%s: nothing came within %d s" % (what, TIMEOUT))
                return None, None
            inner_type, fields = got
            if fields["id"] != transfer_id.hex():
                continue
            if inner_type in kinds:
                return inner_type, fields
            if inner_type != cf.FILE_CREDIT:
                bad("%s: %s came" % (what, cf.TYPE_NAMES[inner_type]))

    def offer(self, size, name):
        transfer_id = os.urandom(16)
        self.send(cf.FILE_OFFER, cf.encode_offer(transfer_id, size, os.urandom(16), "", name))
        return transfer_id


def names(conn):
    for label, raw in NAMES:
        data = ("contents of %s\n" % label).encode()
        transfer_id = conn.offer(len(data), raw)
        kind, fields = conn.wait_for(transfer_id, (cf.FILE_ACCEPT, cf.FILE_REJECT), "name " + label)
        if kind == cf.FILE_ACCEPT:
            conn.send(cf.FILE_CHUNK, cf.encode_chunk(transfer_id, 0, data))
            conn.send(cf.FILE_DONE, cf.encode_done(transfer_id, hashlib.sha256(data).digest()))
            kind, fields = conn.wait_for(transfer_id, (cf.FILE_RESULT,), "name " + label)
            if kind is not None:
                print("name", label, "accepted", fields["status"], flush=True)
                expected = cf.clean_name(raw)
                if expected is None or fields["status"] != cf.STATUS_VERIFIED:
                    bad("name %s: status %d, though the name cleans to %r" % (label, fields["status"], expected))
        elif kind == cf.FILE_REJECT:
            print("name", label, "rejected", fields["reason"].encode("unicode_escape").decode(), flush=True)
            if cf.clean_name(raw) is not None:
                bad("name %s rejected, though it cleans to %r" % (label, cf.clean_name(raw)))
        conn.text("after name " + label)


def expect_cancel(conn, transfer_id, scenario):
    kind, fields = conn.wait_for(transfer_id, (cf.FILE_CANCEL, cf.FILE_RESULT), scenario)
    if kind == cf.FILE_CANCEL:
        print("cancelled", scenario, fields["reason"], flush=True)
    elif kind is not None:
        bad("%s: a FILE_RESULT (status %d) instead of a cancel" % (scenario, fields["status"]))


def accepted(conn, transfer_id, scenario):
    kind, fields = conn.wait_for(transfer_id, (cf.FILE_ACCEPT, cf.FILE_REJECT), scenario)
    if kind != cf.FILE_ACCEPT:
        bad("%s: not accepted (%r)" % (scenario, fields))
        return None
    return fields


def past_size(conn):
    transfer_id = conn.offer(4, "past-size.bin")
    if accepted(conn, transfer_id, "past-size"):
        conn.send(cf.FILE_CHUNK, cf.encode_chunk(transfer_id, 0, b"12345678"))
        expect_cancel(conn, transfer_id, "past-size")
    conn.text("after past-size")


def beyond_credit(conn):
    transfer_id = conn.offer(8 << 20, "beyond-credit.bin")
    fields = accepted(conn, transfer_id, "beyond-credit")
    if fields:
        window = fields["window"]
        if window + 1 + 32 > conn.peer_maximum:
            bad("beyond-credit: the peer takes frames of %d bytes, the window is %d" % (conn.peer_maximum, window))
        else:
            conn.send(cf.FILE_CHUNK, cf.encode_chunk(transfer_id, 0, b"\0" * (window + 1)))
            expect_cancel(conn, transfer_id, "beyond-credit")
    conn.text("after beyond-credit")


def unknown_id(conn):
    transfer_id = os.urandom(16)
    conn.send(cf.FILE_CHUNK, cf.encode_chunk(transfer_id, 0, b"who am I"))
    expect_cancel(conn, transfer_id, "unknown-id")
    transfer_id = os.urandom(16)
    conn.send(cf.FILE_DONE, cf.encode_done(transfer_id, bytes(32)))
    expect_cancel(conn, transfer_id, "unknown-id-done")
    conn.text("after unknown-id")


def wrong_hash(conn):
    data = b"these bytes are fine, the hash is not\n"
    transfer_id = conn.offer(len(data), "wrong-hash.txt")
    if accepted(conn, transfer_id, "wrong-hash"):
        conn.send(cf.FILE_CHUNK, cf.encode_chunk(transfer_id, 0, data))
        conn.send(cf.FILE_DONE, cf.encode_done(transfer_id, hashlib.sha256(b"other").digest()))
        kind, fields = conn.wait_for(transfer_id, (cf.FILE_RESULT,), "wrong-hash")
        if kind is not None:
            print("result wrong-hash", fields["status"], fields["reason"], flush=True)
            if fields["status"] != cf.STATUS_HASH_MISMATCH:
                bad("wrong-hash: status %d" % fields["status"])
    conn.text("after wrong-hash")


def flood(conn):
    ids = [conn.offer(1000, "flood-%03d.bin" % n) for n in range(100)]
    answers = {}
    deadline = time.monotonic() + TIMEOUT
    while len(answers) < len(ids):
        got = conn.next_file_frame(deadline)
        if got is None:
            bad("flood: %d of %d offers answered" % (len(answers), len(ids)))
            break
        inner_type, fields = got
        if inner_type in (cf.FILE_ACCEPT, cf.FILE_REJECT):
            answers[fields["id"]] = inner_type
    accepted_ids = [i for i in ids if answers.get(i.hex()) == cf.FILE_ACCEPT]
    rejected = sum(1 for kind in answers.values() if kind == cf.FILE_REJECT)
    print("flood", len(accepted_ids), rejected, flush=True)
    if not accepted_ids or rejected < 50:
        bad("flood: %d accepted, %d rejected" % (len(accepted_ids), rejected))
    conn.text("after flood")
    # The accepted ones are cancelled: the receiver keeps nothing open.
    for transfer_id in accepted_ids:
        conn.send(cf.FILE_CANCEL, cf.encode_cancel(transfer_id, "\x1b[2J\x1b]0;owned\x07enough\u202e"))
    conn.text("after flood cancel")


def same_key(conn):
    """Two offers of one file (same resume key and size) at once, with different bytes: the
    second must not write into the first one's .part file."""
    size, key = 200_000, os.urandom(16)
    first, second = os.urandom(16), os.urandom(16)
    conn.send(cf.FILE_OFFER, cf.encode_offer(first, size, key, "", "same-key.bin"))
    if not accepted(conn, first, "same-key"):
        return conn.text("after same-key")
    conn.send(cf.FILE_OFFER, cf.encode_offer(second, size, key, "", "same-key.bin"))
    kind, fields = conn.wait_for(second, (cf.FILE_ACCEPT, cf.FILE_REJECT), "same-key second")
    if kind == cf.FILE_REJECT:
        print("rejected same-key", fields["reason"], flush=True)
    elif kind == cf.FILE_ACCEPT:
        bad("same-key: the second offer of the same file was accepted while the first runs")
        conn.send(cf.FILE_CHUNK, cf.encode_chunk(second, 0, b"Y" * size))
        conn.send(cf.FILE_DONE, cf.encode_done(second, hashlib.sha256(b"Y" * size).digest()))
        conn.wait_for(second, (cf.FILE_RESULT, cf.FILE_CANCEL), "same-key second")
    conn.send(cf.FILE_CHUNK, cf.encode_chunk(first, 0, b"X" * size))
    conn.send(cf.FILE_DONE, cf.encode_done(first, hashlib.sha256(b"X" * size).digest()))
    kind, fields = conn.wait_for(first, (cf.FILE_RESULT, cf.FILE_CANCEL), "same-key first")
    if kind == cf.FILE_RESULT:
        print("result same-key", fields["status"], fields["reason"], flush=True)
    conn.text("after same-key")


def peer_escape(conn):
    """An offer "for" a member whose name is an escape sequence: there is no such member."""
    transfer_id = os.urandom(16)
    conn.send(cf.FILE_OFFER, cf.encode_offer(transfer_id, 5, os.urandom(16), "\x1b]0;x\x07\u202e", "p.txt"))
    kind, fields = conn.wait_for(transfer_id, (cf.FILE_ACCEPT, cf.FILE_REJECT, cf.FILE_CANCEL), "peer-escape")
    if kind == cf.FILE_ACCEPT:
        bad("peer-escape: accepted")
    elif kind is not None:
        print("refused peer-escape", fields["reason"].encode("unicode_escape").decode(), flush=True)
    conn.text("after peer-escape")


def name_over_255(conn):
    """A 256-byte name is a malformed frame (§10): the session ends with an error, by design."""
    name = ("b" * 252 + ".txt").encode()
    payload = os.urandom(16) + struct.pack("!Q", 1) + os.urandom(16) + bytes([0]) + name
    conn.send(cf.FILE_OFFER, payload)
    deadline = time.monotonic() + TIMEOUT
    try:
        while conn.next_file_frame(deadline) is not None:
            pass
        bad("name-over-255: the session did not end")
    except EOFError as error:
        print("ended name-over-255", error, flush=True)
    return True


SCENARIOS = {"names": names, "past-size": past_size, "beyond-credit": beyond_credit, "unknown-id": unknown_id,
             "wrong-hash": wrong_hash, "same-key": same_key, "peer-escape": peer_escape, "flood": flood, "name-over-255": name_over_255}


def main():
    host, port, chosen = sys.argv[1], int(sys.argv[2]), sys.argv[3:] or list(SCENARIOS)
    conn = Connection(host, port)
    print("established", flush=True)
    try:
        for name in chosen:
            if SCENARIOS[name](conn):
                return 1 if failures else 0  # the session ended, as it should
            print("after", name, flush=True)
        conn.send(cc.BYE, struct.pack("!H", 0) + b"hostile sender done")
        conn.sock.shutdown(socket.SHUT_WR)
        conn.sock.settimeout(TIMEOUT)
        while conn.sock.recv(65536):
            pass
    except (EOFError, OSError, cf.FileFrameError) as error:
        bad("the session ended: %r" % error)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
