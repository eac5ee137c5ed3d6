#!/usr/bin/env python3
"""Runs scripts/reference-client.py against a listener made of chatcrypto.ChatPeer on
127.0.0.1, in the ways a version-2 connection can go: with and without a secret, each
cipher, secrets that differ or are set on one side only, a version-1 listener, low-order
CPace shares either way, an altered handshake message, an altered record.

usage: python3 scripts/check-reference-client.py
Prints one line per scenario and a summary; exits 1 if any scenario went otherwise.
"""
import os, socket, struct, subprocess, sys, tempfile, threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import chatcrypto as cc  # noqa: E402

CLIENT = os.path.join(HERE, "reference-client.py")


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def recv_frame(sock):
    header = recv_exact(sock, 5)
    return header + recv_exact(sock, struct.unpack("!IB", header)[0])


def close_after_error(conn, error_frame):
    try:  # as chat does: send the ERROR, half-close, read until the peer closes
        conn.sendall(error_frame)
        conn.shutdown(socket.SHUT_WR)
        while conn.recv(4096):
            pass
    except OSError:
        pass
    conn.close()


def listen(server, secret, caps, mode, log):
    """bob: one connection, altered as mode says; what happened goes to log."""
    conn, _ = server.accept()
    conn.settimeout(20)
    try:
        if mode == "version 1":
            conn.sendall(cc.frame(cc.HELLO, struct.pack("!HHI", 1, 0, 1 << 20) + os.urandom(32) + b"\x03bob\x00"))
            recv_frame(conn)  # the client's hello
            log.append(("received", recv_frame(conn)))
            conn.close()
            return
        peer = cc.ChatPeer(False, cc.hello_payload(2, 1 if secret else 0, 1 << 20, os.urandom(32), "bob", caps), secret)
        conn.sendall(b"".join(peer.start()))
        greeted = False
        while True:
            f = recv_frame(conn)
            if mode == "low-order share to the listener" and f[4] == cc.CPACE:
                f = cc.frame(cc.CPACE, bytes(32))
            out = peer.receive(f)
            if mode == "low-order share to the client" and out and out[0][4] == cc.CPACE:
                out[0] = cc.frame(cc.CPACE, bytes.fromhex("01" + "00" * 31))
            if mode == "msg2 altered" and out and out[0][4] == cc.NOISE:
                out[0] = out[0][:-1] + bytes([out[0][-1] ^ 1])
            conn.sendall(b"".join(out))
            if peer.send_cipher and not greeted:
                greeted = True
                log.append(("cipher", peer.handshake.cipher))
                if mode == "record altered":
                    bad = bytearray(peer.seal(cc.TEXT, struct.pack("!Q", 1) + b"x"))
                    bad[6] ^= 1
                    conn.sendall(bytes(bad))
                else:
                    conn.sendall(peer.seal(cc.TEXT, struct.pack("!Q", 1) + "来自 bob".encode()))
            for inner_type, payload in peer.delivered:
                log.append(("delivered", inner_type, payload))
                if inner_type == cc.TEXT:
                    conn.sendall(peer.seal(cc.TEXT, struct.pack("!Q", 2) + b"echo " + payload[8:]))
                if inner_type in (cc.BYE, cc.ERROR):
                    conn.close()
                    return
            peer.delivered = []
    except cc.ChatFailure as failure:
        log.append(("failure", failure.code))
        close_after_error(conn, peer.error_frame(failure))
    except (EOFError, OSError) as error:
        log.append(("closed", str(error)))
        conn.close()


def scenario(title, client_args, expect_stdout, expect_log, secret=None, caps=("aesgcm",), mode="normal"):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    log = []
    thread = threading.Thread(target=listen, args=(server, secret, list(caps), mode, log), daemon=True)
    thread.start()
    run = subprocess.run([sys.executable, CLIENT, "127.0.0.1", str(server.getsockname()[1]), "py"] + client_args,
                         capture_output=True, text=True, timeout=60)
    thread.join(20)
    server.close()
    problems = []
    if run.stdout != expect_stdout:
        problems.append("stdout %r, expected %r" % (run.stdout, expect_stdout))
    for item in expect_log:
        if item not in log:
            problems.append("the listener did not see %r (it saw %r)" % (item, log))
    if "Traceback" in run.stderr:
        problems.append(run.stderr)
    print("%s: %s" % ("ok" if not problems else "FAILED", title))
    for problem in problems:
        print("    " + problem)
    return not problems


def main():
    bye = ("delivered", cc.BYE, b"\x00\x00reference client done")
    with tempfile.TemporaryDirectory() as tmp:
        identity = os.path.join(tmp, "identity")
        results = [
            scenario("a secret, AESGCM", ["--secret", "doc", "--send", "来自 Python", "--expect", "2"],
                     "established authenticated\nrecv 1 来自 bob\nrecv 2 echo 来自 Python\n",
                     [("cipher", "AESGCM"), bye], secret=b"doc"),
            scenario("a secret, ChaChaPoly (--no-aesgcm)", ["--secret", "doc", "--send", "hi", "--expect", "2", "--no-aesgcm"],
                     "established authenticated\nrecv 1 来自 bob\nrecv 2 echo hi\n", [("cipher", "ChaChaPoly"), bye], secret=b"doc"),
            scenario("no secret, the listener without aesgcm", ["--send", "hi", "--expect", "2"],
                     "established unauthenticated\nrecv 1 来自 bob\nrecv 2 echo hi\n", [("cipher", "ChaChaPoly"), bye], caps=()),
            scenario("secrets that differ", ["--secret", "doc", "--expect", "1"],
                     "error 7 auth failed: the shared secrets differ (or the handshake was altered)\n",
                     [("failure", 7)], secret=b"other"),
            scenario("a secret on the client only", ["--secret", "doc"],
                     "error 8 auth failed: py requires a shared secret\n", [("failure", 9)]),
            scenario("a secret on the listener only", [],
                     "error 9 auth failed: py has no shared secret\n", [("failure", 8)], secret=b"doc"),
            scenario("a version-1 listener", [],
                     "error 6 peer speaks chat protocol version 1; this program speaks version 2\n",
                     [("received", cc.frame(cc.ERROR, b"\x00\x06peer speaks chat protocol version 1; this program speaks version 2"))],
                     mode="version 1"),
            scenario("a low-order CPace share reaching the listener", ["--secret", "doc"],
                     "error 7 auth failed: the peer's CPace share is invalid\n", [("failure", 7)], secret=b"doc",
                     mode="low-order share to the listener"),
            scenario("a low-order CPace share reaching the client", ["--secret", "doc"],
                     "error 7 auth failed: the peer's CPace share is invalid\n",
                     [("delivered", cc.ERROR, b"\x00\x07auth failed: the peer's CPace share is invalid")], secret=b"doc",
                     mode="low-order share to the client"),
            scenario("msg2 altered", [],
                     "error 20 the connection was tampered with: a handshake message did not authenticate\n",
                     [("delivered", cc.ERROR, b"\x00\x14the connection was tampered with: a handshake message did not authenticate")],
                     mode="msg2 altered"),
            scenario("a record altered (the client answers with a sealed ERROR)", ["--expect", "1"],
                     "established unauthenticated\nerror 20 the connection was tampered with: a record did not authenticate\n",
                     [("delivered", cc.ERROR, b"\x00\x14the connection was tampered with: a record did not authenticate")],
                     mode="record altered"),
            scenario("--identity creates its file", ["--identity", identity, "--expect", "1"],
                     "established unauthenticated\nrecv 1 来自 bob\n", [bye]),
        ]
        key = open(identity).read()
        results.append(scenario("--identity reads it again", ["--identity", identity, "--expect", "1"],
                                "established unauthenticated\nrecv 1 来自 bob\n", [bye]))
        same = open(identity).read() == key and len(bytes.fromhex(key.strip())) == 32 \
            and os.stat(identity).st_mode & 0o777 == 0o600
        print("%s: the identity file is kept (64 hex digits, mode 0600)" % ("ok" if same else "FAILED"))
        results.append(same)
    print("reference client: %d of %d scenarios as expected" % (sum(results), len(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
