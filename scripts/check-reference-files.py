#!/usr/bin/env python3
"""Sends files between two scripts/reference-client.py processes through a small relay made
of chatcrypto.ChatPeer on 127.0.0.1 (the relay forwards the file frames of docs/PROTOCOL.md
§10, re-sealed for each side, and puts the sender's name in an offer's peer field), and
plays a misbehaving sender itself: round trips of 0 bytes, 1 byte, exactly one chunk, 10 MiB
and a Chinese name; an existing file and a symlink at the target; a hostile name; a tampered
chunk; a refusal; chunks at the wrong offset, past the size, for an unknown transfer.

usage: python3 scripts/check-reference-files.py
Prints one line per scenario and a summary; exits 1 if any scenario went otherwise. Every
wait has a timeout; nothing outside a temporary directory is written.
"""
import hashlib, os, socket, struct, subprocess, sys, tempfile, threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import chatcrypto as cc  # noqa: E402
import chatfiles as cf  # noqa: E402

CLIENT = os.path.join(HERE, "reference-client.py")
TIMEOUT = 60


def recv_exact(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return bytes(data)


def recv_frame(sock):
    header = recv_exact(sock, 5)
    return header + recv_exact(sock, struct.unpack("!IB", header)[0])


class Side:
    """One client's connection to the relay, after the handshake."""

    def __init__(self, conn):
        self.conn = conn
        self.lock = threading.Lock()
        self.peer = cc.ChatPeer(False, cc.hello_payload(2, 0, 1 << 20, os.urandom(32), "relay", ["aesgcm", "files"]))
        conn.sendall(b"".join(self.peer.start()))
        while self.peer.send_cipher is None:
            conn.sendall(b"".join(self.peer.receive(recv_frame(conn))))
        self.name = cc.parse_hello(self.peer.peer_hello)[4]

    def send(self, inner_type, payload):
        with self.lock:
            self.conn.sendall(self.peer.seal(inner_type, payload))

    def frames(self):
        """Yields each inner frame that arrives until BYE, ERROR or the end of the stream."""
        while True:
            try:
                self.peer.receive(recv_frame(self.conn))
            except (EOFError, OSError):
                return
            pending, self.peer.delivered = self.peer.delivered, []
            for inner in pending:
                yield inner
                if inner[0] in (cc.BYE, cc.ERROR):
                    return


def forward(source, target, mode, log):
    """Relays source's file frames to target, changed as mode says."""
    tampered = False
    for inner_type, payload in source.frames():
        if inner_type not in cf.FILE_TYPES:
            continue
        log.append((source.name, cf.TYPE_NAMES[inner_type]))
        fields = cf.parse(inner_type, payload)
        if inner_type == cf.FILE_OFFER:
            fields["peer"] = source.name  # relay -> receiver: the sender's name
            if mode == "hostile name":
                fields["name"] = "../../evil\x1b[2J\u202e.txt"
        if inner_type == cf.FILE_CHUNK and mode == "tamper" and not tampered:
            data = bytearray.fromhex(fields["data"])
            data[0] ^= 1
            fields["data"], tampered = data.hex(), True
        whole = cf.encode(fields)
        try:
            target.send(whole[4], whole[5:])
        except OSError:
            break
    try:  # the client said BYE (or left): close, as chat does, so it isn't left waiting
        source.conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def start_client(port, name, args):
    return subprocess.Popen([sys.executable, CLIENT, "127.0.0.1", str(port), name] + args,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process):
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        err += "\n(killed after %d s)" % TIMEOUT
    return process.returncode, out, err


def accept_side(server):
    conn, _ = server.accept()
    conn.settimeout(TIMEOUT)
    return Side(conn)


def relay_run(rx_args, tx_args, mode="normal"):
    """The receiver connects first, then the sender; the relay forwards both ways."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(2)
    server.settimeout(TIMEOUT)
    port = server.getsockname()[1]
    log = []
    rx = start_client(port, "rx", rx_args)
    try:
        rx_side = accept_side(server)
        tx = start_client(port, "tx", tx_args)
        tx_side = accept_side(server)
    except Exception as error:
        rx.kill()
        server.close()
        return (1, "", "relay: %r" % error), (1, "", ""), log
    threads = [threading.Thread(target=forward, args=(a, b, mode, log), daemon=True)
               for a, b in ((tx_side, rx_side), (rx_side, tx_side))]
    for t in threads:
        t.start()
    tx_result, rx_result = finish(tx), finish(rx)
    for t in threads:
        t.join(5)
    for side in (rx_side, tx_side):
        side.conn.close()
    server.close()
    return rx_result, tx_result, log


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Check:
    def __init__(self, title):
        self.title, self.problems = title, []

    def expect(self, condition, what):
        if not condition:
            self.problems.append(what)

    def done(self, *results):
        for status, out, err in results:
            self.expect("Traceback" not in err, err)
        print("%s: %s" % ("ok" if not self.problems else "FAILED", self.title))
        for problem in self.problems:
            print("    " + problem)
        if self.problems:
            for status, out, err in results:
                print("    exit %s\n    stdout: %r\n    stderr: %r" % (status, out, err[-2000:]))
        return not self.problems


def round_trip(tmp):
    check = Check("round trip: 0 bytes, 1 byte, exactly one chunk, 10 MiB + 7, a Chinese name")
    src, dst = os.path.join(tmp, "src"), os.path.join(tmp, "dst")
    os.makedirs(src)
    os.makedirs(dst)
    contents = {"empty.bin": b"", "one.bin": b"\x2a", "chunk.bin": os.urandom(128 << 10),
                "big.bin": os.urandom((10 << 20) + 7), "报告 2026.pdf": "你好".encode() * 1000}
    for name, data in contents.items():
        with open(os.path.join(src, name), "wb") as f:
            f.write(data)
    sends = sum((["--send-file", os.path.join(src, n)] for n in contents), [])
    rx, tx, log = relay_run(["--accept-files", dst, "--expect-files", str(len(contents))], sends)
    check.expect(rx[0] == 0 and tx[0] == 0, "exit statuses %s and %s" % (rx[0], tx[0]))
    for name, data in contents.items():
        digest = hashlib.sha256(data).hexdigest()
        line = "file done %s %d sha256 %s" % (name, len(data), digest)
        check.expect(line in rx[1].splitlines(), "the receiver did not print %r" % line)
        check.expect("file sent %s %d sha256 %s" % (name, len(data), digest) in tx[1].splitlines(),
                     "the sender did not report %s verified" % name)
        path = os.path.join(dst, name)
        check.expect(os.path.exists(path) and sha(path) == digest, "%s differs" % name)
        check.expect(os.path.exists(path) and os.stat(path).st_mode & 0o777 == 0o600, "%s: mode not 0600" % name)
    check.expect(sorted(os.listdir(dst)) == sorted(contents), "files in the directory: %r" % os.listdir(dst))
    check.expect(("rx", "fileCredit") in log, "no FILE_CREDIT was granted for 10 MiB")
    check.expect(any("from tx" in line for line in rx[1].splitlines()), "the offer did not name the sender")
    return check.done(rx, tx)


def existing_and_symlink(tmp):
    check = Check("an existing file and a symlinked NAME.part at the target: neither touched")
    src, dst, outside = (os.path.join(tmp, d) for d in ("src2", "dst2", "outside"))
    for d in (src, dst, outside):
        os.makedirs(d)
    for name in ("a.txt", "b.txt"):
        with open(os.path.join(src, name), "w") as f:
            f.write("new " + name)
    with open(os.path.join(dst, "a.txt"), "w") as f:
        f.write("old")
    target = os.path.join(outside, "victim")
    with open(target, "w") as f:
        f.write("victim")
    os.symlink(target, os.path.join(dst, "b.txt.part"))
    rx, tx, _ = relay_run(["--accept-files", dst, "--expect-files", "2"],
                          ["--send-file", os.path.join(src, "a.txt"), "--send-file", os.path.join(src, "b.txt")])
    check.expect(rx[0] == 0 and tx[0] == 0, "exit statuses %s and %s" % (rx[0], tx[0]))
    check.expect(open(os.path.join(dst, "a.txt")).read() == "old", "a.txt was overwritten")
    check.expect(open(os.path.join(dst, "a (1).txt")).read() == "new a.txt", "a (1).txt is not the new file")
    check.expect(open(os.path.join(dst, "b (1).txt")).read() == "new b.txt", "b (1).txt is not the new file")
    check.expect(open(target).read() == "victim" and os.path.islink(os.path.join(dst, "b.txt.part")),
                 "the symlink's target was written")
    return check.done(rx, tx)


def hostile_name(tmp):
    check = Check("a hostile name from the relay: saved cleaned, inside the directory")
    src, dst = os.path.join(tmp, "src3"), os.path.join(tmp, "deep", "er", "dst3")
    os.makedirs(src)
    os.makedirs(dst)
    with open(os.path.join(src, "x.txt"), "w") as f:
        f.write("x")
    rx, tx, _ = relay_run(["--accept-files", dst, "--expect-files", "1"], ["--send-file", os.path.join(src, "x.txt")],
                          mode="hostile name")
    cleaned = cf.clean_name("../../evil\x1b[2J\u202e.txt")
    check.expect(cleaned == "evil_[2J_.txt", "cleaned to %r" % cleaned)
    check.expect(os.listdir(dst) == [cleaned], "the directory holds %r" % os.listdir(dst))
    check.expect(not os.path.exists(os.path.join(tmp, "deep", "evil\x1b[2J\u202e.txt")), "written outside")
    check.expect(rx[0] == 0 and tx[0] == 0, "exit statuses %s and %s" % (rx[0], tx[0]))
    check.expect("\x1b" not in rx[1] and "\u202e" not in rx[1], "the raw name reached the output")
    return check.done(rx, tx)


def tampered(tmp):
    check = Check("a tampered chunk: hash mismatch, status 1, the .part file stays")
    src, dst = os.path.join(tmp, "src4"), os.path.join(tmp, "dst4")
    os.makedirs(src)
    os.makedirs(dst)
    with open(os.path.join(src, "t.bin"), "wb") as f:
        f.write(os.urandom(1000))
    rx, tx, _ = relay_run(["--accept-files", dst, "--expect-files", "1"], ["--send-file", os.path.join(src, "t.bin")],
                          mode="tamper")
    check.expect(rx[0] == 1 and tx[0] == 1, "exit statuses %s and %s" % (rx[0], tx[0]))
    check.expect("SHA-256 differs" in rx[1], "the receiver did not report the mismatch")
    check.expect("status 1" in tx[1], "the sender did not get status 1")
    check.expect(os.listdir(dst) == ["t.bin.part"], "the directory holds %r" % os.listdir(dst))
    return check.done(rx, tx)


def refused(tmp):
    check = Check("no --accept-files: the offer is rejected, the sender told why")
    src = os.path.join(tmp, "src5")
    os.makedirs(src)
    with open(os.path.join(src, "r.txt"), "w") as f:
        f.write("r")
    rx, tx, _ = relay_run(["--expect-files", "1"], ["--send-file", os.path.join(src, "r.txt")])
    check.expect(rx[0] == 1 and tx[0] == 1, "exit statuses %s and %s" % (rx[0], tx[0]))
    check.expect("rejected: this client does not accept files" in tx[1], "the sender's output: %r" % tx[1])
    return check.done(rx, tx)


def misbehaving_sender(tmp):
    """The relay itself offers files and breaks the rules; each is a transfer error (CANCEL),
    and the session lives on: a TEXT sent afterwards arrives."""
    check = Check("chunks at the wrong offset, past the size, for an unknown id: CANCEL, the session lives")
    dst = os.path.join(tmp, "dst6")
    os.makedirs(dst)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(TIMEOUT)
    rx = start_client(server.getsockname()[1], "rx", ["--accept-files", dst, "--expect-files", "2", "--expect", "1"])
    cancels = []
    try:
        side = accept_side(server)
        frames = side.frames()

        def next_file_frame():
            for inner_type, payload in frames:
                if inner_type in cf.FILE_TYPES:
                    return cf.parse(inner_type, payload)
            raise EOFError("the client left")

        for size, chunk in ((10, (3, b"abc")), (3, (0, b"abcde"))):
            transfer_id = os.urandom(16)
            side.send(cf.FILE_OFFER, cf.encode_offer(transfer_id, size, bytes(16), "", "m.txt"))
            accept = next_file_frame()
            check.expect(accept["type"] == "fileAccept" and accept["window"] == cf.INITIAL_WINDOW, repr(accept))
            side.send(cf.FILE_CHUNK, cf.encode_chunk(transfer_id, *chunk))
            cancels.append(next_file_frame())
        side.send(cf.FILE_CHUNK, cf.encode_chunk(os.urandom(16), 0, b"x"))
        cancels.append(next_file_frame())
        side.send(cc.TEXT, struct.pack("!Q", 1) + "still here 还在".encode())
        for _ in frames:  # until its BYE
            pass
        side.conn.close()
        result = finish(rx)
    except Exception as error:
        rx.kill()
        result = finish(rx)
        check.expect(False, "relay: %r" % error)
    server.close()
    reasons = [c.get("reason") for c in cancels]
    check.expect([c.get("type") for c in cancels] == ["fileCancel"] * 3, "frames back: %r" % cancels)
    check.expect(reasons == ["a chunk at offset 3, expected 0", "more bytes than the 3 announced",
                             "a chunk for an unknown or finished transfer"], "reasons: %r" % reasons)
    check.expect("recv 1 still here 还在" in result[1], "the text after the errors did not arrive")
    check.expect(result[0] == 1, "exit status %s (two files failed)" % result[0])
    return check.done(result)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        results = [scenario(tmp) for scenario in (round_trip, existing_and_symlink, hostile_name, tampered, refused,
                                                  misbehaving_sender)]
    print("reference client files: %d of %d scenarios as expected" % (sum(results), len(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
