#!/usr/bin/env python3
"""Writes Resources/protocol-vectors.json: frames and the version-2 handshake computed by
this independent Python implementation of docs/PROTOCOL.md (its cryptography is
scripts/chatcrypto.py). The Swift tests check the codec and the handshake against it, so
the document, this script and the Swift code must agree.

usage: python3 scripts/make-protocol-vectors.py > Resources/protocol-vectors.json

First checks chatcrypto.py against the published CPace and Noise vectors
(scripts/check-crypto-vectors.py; its summary goes to stderr) and writes nothing if any
value differs. Everything else is deterministic: the same JSON on every run."""
import hashlib, importlib.util, json, os, re, struct, sys, unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import chatcrypto as cc  # noqa: E402
from chatcrypto import frame, hello_payload  # noqa: E402

def check_crypto():
    """Runs check-crypto-vectors.py's checks, its summary line on stderr."""
    spec = importlib.util.spec_from_file_location("check_crypto_vectors", os.path.join(HERE, "check-crypto-vectors.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        return module.main()
    finally:
        sys.stdout = stdout

if check_crypto() != 0:
    sys.exit("make-protocol-vectors: chatcrypto.py does not reproduce the published vectors")

nonce_a = bytes(range(0, 32))
nonce_b = bytes(range(32, 64))
hello_a = hello_payload(2, 1, 1 << 20, nonce_a, "alice", [])
hello_b = hello_payload(2, 1, 1 << 20, nonce_b, "小明", ["x-example"])

valid = [
    ("hello from alice, auth offered, no capabilities", frame(0x01, hello_a),
     {"type": "hello", "version": 2, "offersAuth": True, "maximumPayloadLength": 1 << 20,
      "nonce": nonce_a.hex(), "name": "alice", "capabilities": []}),
    ("hello from 小明 with one capability", frame(0x01, hello_b),
     {"type": "hello", "version": 2, "offersAuth": True, "maximumPayloadLength": 1 << 20,
      "nonce": nonce_b.hex(), "name": "小明", "capabilities": ["x-example"]}),
    ("text 'hello', sequence 1", frame(0x10, struct.pack("!Q", 1) + b"hello"),
     {"type": "text", "sequence": 1, "text": "hello"}),
    ("text '你好, world', sequence 2", frame(0x10, struct.pack("!Q", 2) + "你好, world".encode()),
     {"type": "text", "sequence": 2, "text": "你好, world"}),
    ("ping", frame(0x20, struct.pack("!Q", 0x0102030405060708)), {"type": "ping", "value": 0x0102030405060708}),
    ("pong", frame(0x21, struct.pack("!Q", 0x0102030405060708)), {"type": "pong", "value": 0x0102030405060708}),
    ("bye, user quit", frame(0x30, struct.pack("!H", 0) + b"end of input"), {"type": "bye", "code": 0, "reason": "end of input"}),
    ("error, auth failed", frame(0x31, struct.pack("!H", 7) + b"auth failed: the shared secrets differ"),
     {"type": "error", "code": 7, "message": "auth failed: the shared secrets differ"}),
    ("error with an empty message", frame(0x31, struct.pack("!H", 11)), {"type": "error", "code": 11, "message": ""}),
    ("room text from 小明, sequence 3", frame(0x12, struct.pack("!Q", 3) + bytes([6]) + "小明".encode() + "大家好".encode()),
     {"type": "roomText", "sequence": 3, "sender": "小明", "text": "大家好"}),
    ("room event: bob joined, 3 in the room",
     frame(0x50, struct.pack("!BH", 1, 3) + bytes([3]) + b"bob" + b"127.0.0.1:53122"),
     {"type": "roomEvent", "kind": 1, "count": 3, "name": "bob", "detail": "127.0.0.1:53122"}),
    ("room event: bob left, 2 in the room",
     frame(0x50, struct.pack("!BH", 2, 2) + bytes([3]) + b"bob" + b"connection reset by peer"),
     {"type": "roomEvent", "kind": 2, "count": 2, "name": "bob", "detail": "connection reset by peer"}),
    ("who request", frame(0x51, b""), {"type": "whoRequest"}),
    ("the shortest hello: a one-byte name, no capabilities",
     frame(0x01, hello_payload(2, 0, 1024, nonce_a, "a", [])),
     {"type": "hello", "version": 2, "offersAuth": False, "maximumPayloadLength": 1024,
      "nonce": nonce_a.hex(), "name": "a", "capabilities": []}),
    ("the shortest room text: a one-byte name and one byte of text",
     frame(0x12, struct.pack("!Q", 1) + bytes([1]) + b"a" + b"b"),
     {"type": "roomText", "sequence": 1, "sender": "a", "text": "b"}),
    ("the shortest room event: a notice with a one-byte name and no detail",
     frame(0x50, struct.pack("!BH", 5, 1) + bytes([1]) + b"a"),
     {"type": "roomEvent", "kind": 5, "count": 1, "name": "a", "detail": ""}),
    ("session: new", frame(0x03, bytes(16) + struct.pack("!Q", 0)),
     {"type": "session", "sessionID": bytes(16).hex(), "lastReceived": 0}),
    ("session: resume 00 11 .. ff after room message 41",
     frame(0x03, bytes.fromhex("00112233445566778899aabbccddeeff") + struct.pack("!Q", 41)),
     {"type": "session", "sessionID": "00112233445566778899aabbccddeeff", "lastReceived": 41}),
    ("session accept: resumed, 7 received",
     frame(0x04, bytes.fromhex("00112233445566778899aabbccddeeff") + bytes([1]) + struct.pack("!Q", 7)),
     {"type": "sessionAccept", "sessionID": "00112233445566778899aabbccddeeff", "resumed": True, "lastReceived": 7}),
    ("session accept: a new session",
     frame(0x04, bytes.fromhex("ffeeddccbbaa99887766554433221100") + bytes([0]) + struct.pack("!Q", 0)),
     {"type": "sessionAccept", "sessionID": "ffeeddccbbaa99887766554433221100", "resumed": False, "lastReceived": 0}),
    ("ack through 300", frame(0x11, struct.pack("!Q", 300)), {"type": "ack", "sequence": 300}),
    ("refused: message 5, over the rate limit", frame(0x13, struct.pack("!Q", 5) + "over the room's rate limit".encode()),
     {"type": "refused", "sequence": 5, "reason": "over the room's rate limit"}),
]

# File transfer (docs/PROTOCOL.md §10, capability `files`): every frame starts with a 16-byte id.
FILE_ID = bytes.fromhex("00112233445566778899aabbccddeeff")
FILE_KEY = bytes(range(0x10, 0x20))

def file_offer(size, peer, name, peer_length=None):
    peer, name = peer.encode() if isinstance(peer, str) else peer, name.encode() if isinstance(name, str) else name
    return FILE_ID + struct.pack("!Q", size) + FILE_KEY + bytes([len(peer) if peer_length is None else peer_length]) + peer + name

def file_fields(kind, **fields):
    return {"type": kind, "id": FILE_ID.hex(), **fields}

valid += [
    ("file offer: 文件.txt, 1 MiB, from bob", frame(0x40, file_offer(1 << 20, "bob", "文件.txt")),
     file_fields("fileOffer", size=1 << 20, resumeKey=FILE_KEY.hex(), peer="bob", name="文件.txt")),
    ("the shortest file offer: no peer name, a one-byte file name", frame(0x40, file_offer(0, "", "a")),
     file_fields("fileOffer", size=0, resumeKey=FILE_KEY.hex(), peer="", name="a")),
    ("file accept from the start with a 4 MiB window", frame(0x41, FILE_ID + struct.pack("!QI", 0, 4 << 20)),
     file_fields("fileAccept", offset=0, window=4 << 20)),
    ("file accept resuming at byte 65536", frame(0x41, FILE_ID + struct.pack("!QI", 65536, 1)),
     file_fields("fileAccept", offset=65536, window=1)),
    ("file reject with no reason", frame(0x42, FILE_ID), file_fields("fileReject", reason="")),
    ("file chunk: 'hello' at offset 0", frame(0x43, FILE_ID + struct.pack("!Q", 0) + b"hello"),
     file_fields("fileChunk", offset=0, data=b"hello".hex())),
    ("file credit of 64 KiB", frame(0x44, FILE_ID + struct.pack("!I", 65536)), file_fields("fileCredit", credit=65536)),
    ("file done: SHA-256 of 'hello'", frame(0x45, FILE_ID + hashlib.sha256(b"hello").digest()),
     file_fields("fileDone", sha256=hashlib.sha256(b"hello").hexdigest())),
    ("file result: verified", frame(0x46, FILE_ID + bytes([0])), file_fields("fileResult", status=0, reason="")),
    ("file result: hash mismatch", frame(0x46, FILE_ID + bytes([1]) + b"sha256 differs"),
     file_fields("fileResult", status=1, reason="sha256 differs")),
    ("file result: failed, 磁盘已满", frame(0x46, FILE_ID + bytes([2]) + "磁盘已满".encode()),
     file_fields("fileResult", status=2, reason="磁盘已满")),
    ("file cancel: stopped", frame(0x47, FILE_ID + b"stopped"), file_fields("fileCancel", reason="stopped")),
]

invalid = [
    ("header announcing 1 MiB + 1 bytes", struct.pack("!IB", (1 << 20) + 1, 0x10), "frameTooLarge"),
    ("header announcing 4 GiB - 1 bytes", struct.pack("!IB", 0xFFFFFFFF, 0x10), "frameTooLarge"),
    ("zero-length text", frame(0x10, b""), "malformedFrame"),
    ("text with a sequence number but no text", frame(0x10, struct.pack("!Q", 1)), "malformedFrame"),
    ("unknown frame type 0x7f", frame(0x7F, b"abc"), "unknownFrameType"),
    ("text that is not UTF-8", frame(0x10, struct.pack("!Q", 1) + b"\xff\xfe"), "invalidUTF8"),
    ("text with a truncated UTF-8 sequence", frame(0x10, struct.pack("!Q", 1) + "你".encode()[:2]), "invalidUTF8"),
    ("ping with 4 bytes", frame(0x20, b"\x00\x00\x00\x01"), "malformedFrame"),
    ("cpace share of 31 bytes", frame(0x05, bytes(range(31))), "malformedFrame"),
    ("cpace share of 33 bytes", frame(0x05, bytes(range(33))), "malformedFrame"),
    ("noise handshake message of 31 bytes", frame(0x06, bytes(range(31))), "malformedFrame"),
    ("empty noise handshake message", frame(0x06, b""), "malformedFrame"),
    ("sealed record of 20 bytes (a tag and less than one inner frame header)", frame(0x07, bytes(range(20))), "malformedFrame"),
    ("empty sealed record", frame(0x07, b""), "malformedFrame"),
    ("auth proof: version 1's type 0x02, never sent in version 2", frame(0x02, bytes(32)), "unexpectedFrame"),
    ("bye with one byte", frame(0x30, b"\x00"), "malformedFrame"),
    ("hello of protocol version 1", frame(0x01, struct.pack("!HHI", 1, 1, 1 << 20) + nonce_a + b"\x05alice\x00"),
     "unsupportedVersion"),
    ("hello of protocol version 3", frame(0x01, struct.pack("!H", 3) + bytes(60)), "unsupportedVersion"),
    ("hello with an empty name", frame(0x01, struct.pack("!HHI", 2, 0, 1024) + nonce_a + b"\x00\x00"), "malformedFrame"),
    ("hello with a byte after its last field", frame(0x01, hello_a + b"\x00"), "malformedFrame"),
    ("hello announcing a maximum payload below 1024",
     frame(0x01, hello_payload(2, 0, 1023, nonce_a, "alice", [])), "malformedFrame"),
    ("hello cut inside its name", frame(0x01, struct.pack("!HHI", 2, 0, 1024) + nonce_a + b"\x05ab"), "malformedFrame"),
    ("room text with an empty sender name", frame(0x12, struct.pack("!Q", 1) + bytes([0]) + b"hi"), "malformedFrame"),
    ("room text with no text", frame(0x12, struct.pack("!Q", 1) + bytes([3]) + b"bob"), "malformedFrame"),
    ("room event of unknown kind 9", frame(0x50, struct.pack("!BH", 9, 1) + bytes([1]) + b"x"), "malformedFrame"),
    ("who request with a payload", frame(0x51, b"\x00"), "malformedFrame"),
    ("ack with 4 bytes", frame(0x11, struct.pack("!I", 1)), "malformedFrame"),
    ("session with 23 bytes", frame(0x03, bytes(23)), "malformedFrame"),
    ("session accept with 26 bytes", frame(0x04, bytes(26)), "malformedFrame"),
    ("refused with a 7-byte sequence", frame(0x13, bytes(7)), "malformedFrame"),
    ("refused with a reason that is not UTF-8", frame(0x13, struct.pack("!Q", 1) + b"\xc3\x28"), "invalidUTF8"),
    ("file offer with a 65-byte peer name", frame(0x40, file_offer(1, "p" * 65, "a")), "malformedFrame"),
    ("file offer without a file name", frame(0x40, file_offer(1, "bob", "")), "malformedFrame"),
    ("file offer whose peer name runs past the end", frame(0x40, file_offer(1, "bob", "", peer_length=9)), "malformedFrame"),
    ("file offer with a 256-byte file name", frame(0x40, file_offer(1, "", "a" * 256)), "malformedFrame"),
    ("file offer with a file name that is not UTF-8", frame(0x40, file_offer(1, "", b"a\xff")), "invalidUTF8"),
    ("file accept with a window of 0", frame(0x41, FILE_ID + struct.pack("!QI", 0, 0)), "malformedFrame"),
    ("file accept of 27 bytes", frame(0x41, FILE_ID + bytes(11)), "malformedFrame"),
    ("file reject shorter than an id", frame(0x42, FILE_ID[:15]), "malformedFrame"),
    ("file chunk without data", frame(0x43, FILE_ID + bytes(8)), "malformedFrame"),
    ("file credit of 0 bytes", frame(0x44, FILE_ID + bytes(4)), "malformedFrame"),
    ("file done with a 31-byte hash", frame(0x45, FILE_ID + bytes(31)), "malformedFrame"),
    ("file result of unknown status 3", frame(0x46, FILE_ID + bytes([3])), "malformedFrame"),
    ("file cancel with a reason that is not UTF-8", frame(0x47, FILE_ID + b"\xc3\x28"), "invalidUTF8"),
    ("reserved file frame type 0x48", frame(0x48, FILE_ID), "unknownFrameType"),
    ("an HTTP request", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "notChatProtocol"),
    ("a TLS ClientHello", bytes.fromhex("160301020001") + bytes(10), "notChatProtocol"),
]


# Names (docs/PROTOCOL.md §2, "Names"). A hello's name is refused if it holds a control,
# format (Cf), line or paragraph separator (Zl, Zp), unassigned (Cn), private-use (Co),
# blank or other default-ignorable character, or a space other than U+0020 (other Zs); if it
# begins or ends with a space or has two in a row; or if a combining mark (Mn, Mc, Me) comes
# first or after a space, the same nonspacing or enclosing mark (Mn, Me) comes twice in a row,
# or more than 4 of them in a row. Default_Ignorable_Code_Point is not in Python's
# unicodedata: these are the ranges of DerivedCoreProperties.txt (Unicode 15.1).
DEFAULT_IGNORABLE = [(0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F),
    (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF)]
# Drawn blank though not white space: Braille pattern blank, the Hangul fillers, the Khitan filler.
BLANK = {0x2800, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x16FE4}
REFUSED_CATEGORIES = ("Cc", "Cf", "Zl", "Zp", "Cn", "Co", "Cs")

def in_ranges(ch, ranges):
    return any(lo <= ord(ch) <= hi for lo, hi in ranges)

def name_refused(name):
    size = len(name.encode())
    if size == 0 or size > 64:
        return True
    for c in name:
        category = unicodedata.category(c)
        if category in REFUSED_CATEGORIES or ord(c) in BLANK or in_ranges(c, DEFAULT_IGNORABLE):
            return True
        if category == "Zs" and c != " ":
            return True
    if name[0] == " " or name[-1] == " ":
        return True
    previous, marks = None, 0
    for c in name:
        category = unicodedata.category(c)
        if category in ("Mn", "Mc", "Me"):
            if previous is None or previous == " ":
                return True
            if category == "Mc":
                marks = 0
            else:
                marks += 1
                if c == previous or marks > 4:
                    return True
        else:
            if c == " " and previous == " ":
                return True
            marks = 0
        previous = c
    return False

# Look-alike names (a relay's rule, §8): UTS #39 skeletons of the name after NFKC and after
# NFKC plus case folding, each also without diacritics; two names clash when they share a
# skeleton. The prototypes are the
# table the Swift code uses (generated from confusables.txt by scripts/make-confusables.py).
def load_prototypes():
    here = os.path.dirname(os.path.abspath(__file__))
    table = open(os.path.join(here, "../Sources/ChatRoom/Names/ConfusableTable.swift"), encoding="utf-8").read()
    return {int(src, 16): "".join(chr(int(c, 16)) for c in dst.split())
            for src, dst in re.findall(r"^ +([0-9A-F]+)=([0-9A-F ]+)$", table, re.M)}

PROTOTYPES = load_prototypes()

def skeleton(text):
    nfd = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(PROTOTYPES.get(ord(c), c) for c in nfd))

# ... and again with the generic diacritics removed (nonspacing and enclosing marks of the
# Combining Diacritical Marks blocks), so that bob + U+0332 and b + U+0323 + ob meet bob.
DIACRITIC_BLOCKS = [(0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F)]

def without_diacritics(text):
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if not (unicodedata.category(c) in ("Mn", "Me") and in_ranges(c, DIACRITIC_BLOCKS)))

def skeletons(name):
    nfkc = unicodedata.normalize("NFKC", name)
    folded = unicodedata.normalize("NFKC", nfkc.casefold())
    return {skeleton(form) for form in (nfkc, folded, without_diacritics(nfkc), without_diacritics(folded))}

def names_look_alike(a, b):
    return bool(skeletons(a) & skeletons(b))

name_samples = ["bob", "小明", "Zoë", "bob smith", "ｂｏｂ", "b\u043eb", "😀", "x" * 64, "é" * 32,
    "bob\u200b", "\u202ebob", "bob\u2028x", "bob\u2029x", "bob ", " bob", "bob\u3000", "bob\u00a0",
    "b\u200dob", "\u2066bob\u2069", "\u061cbob", "bob\ufeff", "bo\u00adb", "b\u3164ob", "bob\ufe0f",
    "bob\U000e0062", "bob\u0085", "bob\u009b", "bob\x1b[2J", "bob\x7f", "bob\x07", "", "x" * 65, "é" * 33,
    # blank, other spaces, unassigned, private use, combining marks without a base or stacked
    "bob\u2800", "\u2800", "bo\u200ab", "b\u3000ob", "bob\u00a0smith", "bob\u202fx", "bob  smith",
    "bob\u1cbc", "bob\ufdd0", "bob\ue000", "bob\U000f0000", "bob\U00016fe4", "\u0301", "\u0301bob",
    "bob \u0301x", "b\u0332\u0332ob", "b\u0300\u0301\u0302\u0303\u0304ob",
    "bob\u0332", "b\u0323ob", "bob\u20dd", "e\u0301", "Nguye\u0302\u0303n", "b\u0300\u0301\u0302\u0303ob",
    "がんばる", "अंकित", "มิตร", "👍🏽"]
name_pairs = [("bob", "BOB"), ("bob", "ｂｏｂ"), ("bob", "b\u043eb"), ("bob", "B\u041eB"), ("bob", "\U0001d41bob"),
    ("mallory", "rnallory"), ("alice", "aIice"), ("alice", "\u0430lice"), ("straße", "STRASSE"),
    ("bob", "bobby"), ("小明", "小红"), ("bob", "bob-2"), ("alice", "alicf"), ("Zoë", "Zoe"),
    ("bob", "bob\u0332"), ("bob", "b\u0323ob"), ("bob", "\u1e05ob"), ("bob", "bob\u20dd"), ("BOB", "bo\u0308b"),
    ("José", "JOSE"), ("がんばる", "かんばる"), ("अंकित", "अकित"), ("มิตร", "มตร"), ("bob", "bób-2")]

# Version 2's handshake (docs/PROTOCOL.md): four complete connections, alice connecting to
# bob, run through chatcrypto.ChatPeer on both sides with fixed keys. Every private value is
# SHA-256 of a label, so the inputs are reproducible and unrelated to each other.
SECRET = b"correct horse battery staple"

def fixed(label):
    return hashlib.sha256(b"chat/2 test vectors: " + label.encode()).digest()

KEYS = {
    "connector_static_private": fixed("alice's static key"),
    "listener_static_private": fixed("bob's static key"),
    "connector_ephemeral_private": fixed("alice's ephemeral key"),
    "listener_ephemeral_private": fixed("bob's ephemeral key"),
    "connector_cpace_scalar": fixed("alice's CPace scalar"),
    "listener_cpace_scalar": fixed("bob's CPace scalar"),
}
NONCE_C, NONCE_L = bytes(range(0, 32)), bytes(range(32, 64))
SESSION_NEW = bytes(16) + struct.pack("!Q", 0)                  # SESSION: new session, no room message yet
SESSION_ACCEPTED = b"\x01" * 16 + b"\x00" + struct.pack("!Q", 0)  # SESSION_ACCEPT: id 01..01, flags 0, last 0

def v2_hello(name, with_secret, caps):
    return hello_payload(2, 1 if with_secret else 0, 1 << 20, NONCE_C if name == "alice" else NONCE_L, name, caps)

def run_handshake(title, with_secret, connector_caps, listener_caps):
    """One connection: the frames each side sends through msg3, then two sealed records each
    way. Returns the vector case and the two peers."""
    secret = SECRET if with_secret else None
    hc, hl = v2_hello("alice", with_secret, connector_caps), v2_hello("bob", with_secret, listener_caps)
    alice = cc.ChatPeer(True, hc, secret, KEYS["connector_static_private"], KEYS["connector_ephemeral_private"],
                        KEYS["connector_cpace_scalar"])
    bob = cc.ChatPeer(False, hl, secret, KEYS["listener_static_private"], KEYS["listener_ephemeral_private"],
                      KEYS["listener_cpace_scalar"])
    wire = []  # (from, frame) in the order they are sent
    to_alice, to_bob = [], []

    def send(sender, frames):
        for f in frames:
            wire.append((sender, f))
            (to_bob if sender == "connector" else to_alice).append(f)

    send("connector", alice.start())
    send("listener", bob.start())
    while to_alice or to_bob:  # each side reads everything that has arrived, in order
        while to_alice:
            send("connector", alice.receive(to_alice.pop(0)))
        while to_bob:
            send("listener", bob.receive(to_bob.pop(0)))
    assert alice.send_cipher and bob.send_cipher and not alice.confirmed
    hs_hash = alice.handshake.handshake_hash()
    assert hs_hash == bob.handshake.handshake_hash() and alice.psk == bob.psk
    keys = (alice.send_cipher.k, alice.receive_cipher.k)
    assert keys == (bob.receive_cipher.k, bob.send_cipher.k)
    handshake_frames = list(wire)

    records = []
    def record(sender, receiver, inner_type, inner_payload, who):
        sealed = sender.seal(inner_type, inner_payload)
        assert receiver.receive(sealed) == [] and receiver.delivered[-1] == (inner_type, inner_payload)
        records.append({"from": who, "inner_hex": frame(inner_type, inner_payload).hex(), "hex": sealed.hex()})
    assert alice.both_caps("resume", "room")
    record(alice, bob, cc.SESSION, SESSION_NEW, "connector")
    record(bob, alice, cc.SESSION_ACCEPT, SESSION_ACCEPTED, "listener")
    assert alice.confirmed
    record(alice, bob, cc.TEXT, struct.pack("!Q", 1) + "你好, bob".encode(), "connector")
    record(bob, alice, cc.TEXT, struct.pack("!Q", 1) + b"hi alice", "listener")

    cipher = alice.handshake.cipher
    hexor = lambda b: b.hex() if b is not None else None
    case = {
        "name": title,
        "protocol_name": alice.handshake.protocol_name,
        "cipher": cipher,
        "secret": SECRET.decode() if with_secret else None,
        "connector_hello_hex": hc.hex(),
        "listener_hello_hex": hl.hex(),
        "prologue_hex": cc.chat_prologue(hc, hl).hex(),
        "connector_static_private": KEYS["connector_static_private"].hex(),
        "connector_static_public": alice.static_public.hex(),
        "listener_static_private": KEYS["listener_static_private"].hex(),
        "listener_static_public": bob.static_public.hex(),
        "connector_ephemeral_private": KEYS["connector_ephemeral_private"].hex(),
        "listener_ephemeral_private": KEYS["listener_ephemeral_private"].hex(),
        "connector_cpace_scalar": KEYS["connector_cpace_scalar"].hex() if with_secret else None,
        "listener_cpace_scalar": KEYS["listener_cpace_scalar"].hex() if with_secret else None,
        "cpace_sid": hexor(alice.sid if with_secret else None),
        "cpace_generator": hexor(cc.cpace_calculate_generator(SECRET, cc.CPACE_CI, alice.sid) if with_secret else None),
        "connector_cpace_share": hexor(alice.cpace_share),
        "listener_cpace_share": hexor(bob.cpace_share),
        "cpace_isk": hexor(alice.isk if with_secret else None),
        "frames": [{"from": who, "hex": f.hex()} for who, f in handshake_frames],
        "psk": hexor(alice.psk),
        "handshake_hash": hs_hash.hex(),
        "connector_to_listener_key": keys[0].hex(),
        "listener_to_connector_key": keys[1].hex(),
        "records": records,
    }
    return case, alice, bob

handshake_cases = [
    ("XXpsk3, ChaChaPoly: with a secret, neither hello lists aesgcm", True, ["room", "resume"], ["room", "resume"]),
    ("XXpsk3, AESGCM: with a secret, both hellos list aesgcm", True, ["room", "resume", "aesgcm"], ["room", "resume", "aesgcm"]),
    ("XX, ChaChaPoly: no secret, only the connector lists aesgcm", False, ["room", "resume", "aesgcm"], ["room", "resume"]),
    ("XX, AESGCM: no secret, both hellos list aesgcm", False, ["room", "resume", "aesgcm"], ["room", "resume", "aesgcm"]),
]
handshake_v2, peers = [], []
for title, with_secret, c_caps, l_caps in handshake_cases:
    case, alice, bob = run_handshake(title, with_secret, c_caps, l_caps)
    handshake_v2.append(case)
    peers.append((case, alice, bob))

# The same four handshakes again straight from the primitives (not through ChatPeer), as a
# check of how ChatPeer wires them: sid, shares, ISK with transcript_ir (connector = A),
# psk = ISK[0:32], the prologue, and the three Noise messages with empty payloads.
for case in handshake_v2:
    hc, hl = bytes.fromhex(case["connector_hello_hex"]), bytes.fromhex(case["listener_hello_hex"])
    prologue = b"chat/2 prologue" + struct.pack("!I", len(hc)) + hc + struct.pack("!I", len(hl)) + hl
    psks = []
    expected = [bytes.fromhex(f["hex"]) for f in case["frames"]]
    if case["secret"] is not None:
        sid = hc[8:40] + hl[8:40]
        g = cc.cpace_calculate_generator(case["secret"].encode(), b"chat/2", sid)
        yc, yl = (cc.x25519(KEYS[k], g) for k in ("connector_cpace_scalar", "listener_cpace_scalar"))
        k = cc.x25519(KEYS["connector_cpace_scalar"], yl)
        assert k == cc.x25519(KEYS["listener_cpace_scalar"], yc) and k != bytes(32)
        isk = hashlib.sha512(cc.lv_cat(b"CPace255_ISK", sid, k) + cc.lv_cat(yc, b"") + cc.lv_cat(yl, b"")).digest()
        assert isk.hex() == case["cpace_isk"] and isk[:32].hex() == case["psk"]
        assert expected[2] == frame(0x05, yc) and expected[4] == frame(0x05, yl)
        assert (yc.hex(), yl.hex()) == (case["connector_cpace_share"], case["listener_cpace_share"])
        psks = [isk[:32]]
        noise = [expected[3], expected[5], expected[6]]
    else:
        noise = expected[2:5]
    init = cc.HandshakeState(case["protocol_name"], True, prologue, s=KEYS["connector_static_private"],
                             e=KEYS["connector_ephemeral_private"], psks=psks)
    resp = cc.HandshakeState(case["protocol_name"], False, prologue, s=KEYS["listener_static_private"],
                             e=KEYS["listener_ephemeral_private"], psks=psks)
    for index, message in enumerate(noise):
        writer, reader = (init, resp) if index % 2 == 0 else (resp, init)
        out, split = writer.write_message(b"")
        assert frame(0x06, out) == message and reader.read_message(out)[0] == b""
    assert init.handshake_hash().hex() == case["handshake_hash"] == resp.handshake_hash().hex()
    assert split[0].k.hex() == case["connector_to_listener_key"] and split[1].k.hex() == case["listener_to_connector_key"]

# The new frame types (§1): CPACE exactly 32 bytes, NOISE 32 to 4096, SEALED at least 21.
first = handshake_v2[0]
cpace_frame = bytes.fromhex(first["frames"][2]["hex"])
noise_frame = bytes.fromhex(handshake_v2[2]["frames"][2]["hex"])  # XX msg1: e alone, 32 bytes
sealed_frame = bytes.fromhex(first["records"][0]["hex"])
assert cpace_frame[4] == cc.CPACE and noise_frame[4] == cc.NOISE and len(noise_frame) == 37
valid += [
    ("cpace share (alice's, from the first handshake_v2 case)", cpace_frame, {"type": "cpace", "bytes": cpace_frame[5:].hex()}),
    ("noise handshake message: XX msg1, an ephemeral key alone (32 bytes)", noise_frame,
     {"type": "noise", "bytes": noise_frame[5:].hex()}),
    ("the longest noise handshake message: 4096 bytes", frame(0x06, bytes(i % 256 for i in range(4096))),
     {"type": "noise", "bytes": bytes(i % 256 for i in range(4096)).hex()}),
    ("sealed record (alice's SESSION from the first handshake_v2 case)", sealed_frame,
     {"type": "sealed", "bytes": sealed_frame[5:].hex()}),
    ("the shortest sealed record: 21 bytes", frame(0x07, bytes(range(21))), {"type": "sealed", "bytes": bytes(range(21)).hex()}),
    ("error, tampered", frame(0x31, struct.pack("!H", 20) + b"the connection was tampered with: a record did not authenticate"),
     {"type": "error", "code": 20, "message": "the connection was tampered with: a record did not authenticate"}),
]

# Tampering: the connector's first record of the two secret cases, each changed in one way;
# none may open with the direction's key at counter 0 (the last one: at counter 1).
def tamper_case(case, alice_key):
    record = bytes.fromhex(case["records"][0]["hex"])
    header, body = record[:5], record[5:]
    flip = lambda data, index, bit: data[:index] + bytes([data[index] ^ (1 << bit)]) + data[index + 1:]
    changes = [
        ("a bit flipped in the header (the lowest bit of the length): the associated data differs",
         flip(header, 3, 0), body, 0, None),
        ("a bit flipped in the ciphertext (its first byte, the inner frame's encrypted length)", header, flip(body, 0, 0), 0,
         header + flip(body, 0, 0)),
        ("a bit flipped in the tag (its last byte)", header, flip(body, len(body) - 1, 7), 0,
         header + flip(body, len(body) - 1, 7)),
        ("a byte appended and the length raised to match", struct.pack("!IB", len(body) + 1, cc.SEALED), body + b"\x00", 0,
         struct.pack("!IB", len(body) + 1, cc.SEALED) + body + b"\x00"),
        ("the record unchanged but opened at counter 1: a replay after the first record", header, body, 1, record),
    ]
    out = []
    for what, aad, payload, counter, whole in changes:
        state = cc.CipherState(case["cipher"], alice_key)
        state.n = counter
        try:
            state.decrypt_with_ad(aad, payload)
            raise AssertionError("a tampered record opened: " + what)
        except cc.NoiseError:
            pass
        out.append({"what": what, "header_hex": aad.hex(), "payload_hex": payload.hex(), "counter": counter,
                    "hex": whole.hex() if whole is not None else None})
    state = cc.CipherState(case["cipher"], alice_key)
    assert state.decrypt_with_ad(header, body)  # the record itself opens
    return {"cipher": case["cipher"], "key": case["connector_to_listener_key"], "counter": 0,
            "record_hex": record.hex(), "inner_hex": case["records"][0]["inner_hex"], "cases": out}

tamper = [tamper_case(case, alice.send_cipher.k) for case, alice, bob in peers[:2]]

# A CPace share that is a low-order point (or encodes one) gives K = 0 for any scalar: the
# receiver aborts with ERROR authFailed (sent plaintext: no keys yet).
LOW_ORDER = json.load(open(os.path.join(HERE, "../Resources/cpace-x25519-vectors.json")))["X25519_points"]
low_order_shares = [LOW_ORDER["Invalid Y%d" % i] for i in (0, 1, 2, 3, 4, 5, 7)]
for share in low_order_shares:
    bob = cc.ChatPeer(False, v2_hello("bob", True, ["room", "resume"]), SECRET, KEYS["listener_static_private"],
                      KEYS["listener_ephemeral_private"], KEYS["listener_cpace_scalar"])
    bob.start()
    bob.receive(frame(cc.HELLO, v2_hello("alice", True, ["room", "resume"])))
    try:
        bob.receive(frame(cc.CPACE, bytes.fromhex(share)))
        raise AssertionError("a low-order CPace share was accepted")
    except cc.ChatFailure as failure:
        assert failure.code == 7
        cpace_error = bob.error_frame(failure)
cpace_low_order = {
    "about": "CPACE payloads that make K all zeros whatever the scalar (the draft's u0-u5 and u7): the receiver sends this ERROR and closes.",
    "shares": [share.lower() for share in low_order_shares],
    "error": "authFailed",
    "error_hex": cpace_error.hex(),
}

# A version-1 hello: refused with unsupportedVersion.
v1_hello = frame(cc.HELLO, struct.pack("!HHI", 1, 1, 1 << 20) + NONCE_C + b"\x05alice\x00")
bob = cc.ChatPeer(False, v2_hello("bob", False, ["room", "resume"]), None, KEYS["listener_static_private"])
try:
    bob.receive(v1_hello)
    raise AssertionError("a version-1 hello was accepted")
except cc.ChatFailure as failure:
    version_1_hello = {"hex": v1_hello.hex(), "error": "unsupportedVersion", "code": failure.code,
                       "message": failure.message, "error_hex": bob.error_frame(failure).hex()}

# Safety numbers (not on the wire): of alice's and bob's static keys above.
pub_c, pub_l = bytes.fromhex(first["connector_static_public"]), bytes.fromhex(first["listener_static_public"])
low, high = sorted([pub_c, pub_l])
safety_number = {
    "about": "digest = SHA-512(\"chat/2 safety number\" || the smaller key || the larger key), bytes compared in order; group i = digest[5i:5i+5] as a big-endian integer mod 100000, 5 digits; 12 groups.",
    "connector_static_public": pub_c.hex(),
    "listener_static_public": pub_l.hex(),
    "digest": hashlib.sha512(cc.SAFETY_LABEL + low + high).hexdigest(),
    "safety_number": cc.safety_number(pub_c, pub_l),
}
assert cc.safety_number(pub_l, pub_c) == safety_number["safety_number"]

# File transfer (docs/PROTOCOL.md §10, capability `files`): frames 0x40-0x47 through
# scripts/chatfiles.py, which is written from the document, not from the Swift code.
import chatfiles as cf  # noqa: E402

FILE_ID = fixed("a file transfer id")[:16]
FILE_ID_2 = fixed("another file transfer id")[:16]
RESUME_KEY = cf.resume_key("/home/alice/报告.pdf", 5, 1767225600123456789)
HELLO_SHA256 = hashlib.sha256(b"hello").digest()
file_samples = [
    ("offer: 报告.pdf, 5 bytes, to the listener itself (empty peer)",
     {"type": "fileOffer", "id": FILE_ID.hex(), "size": 5, "resumeKey": RESUME_KEY.hex(), "peer": "", "name": "报告.pdf"}),
    ("offer: an empty file to bob in a room",
     {"type": "fileOffer", "id": FILE_ID_2.hex(), "size": 0, "resumeKey": fixed("a resume key")[:16].hex(),
      "peer": "bob", "name": "empty.txt"}),
    ("offer from the relay: 1 GiB from 小明, a 255-byte name",
     {"type": "fileOffer", "id": FILE_ID_2.hex(), "size": 1 << 30, "resumeKey": fixed("a resume key")[:16].hex(),
      "peer": "小明", "name": "n" * 251 + ".bin"}),
    ("accept from the start, a window of 4 MiB",
     {"type": "fileAccept", "id": FILE_ID.hex(), "offset": 0, "window": 4 << 20}),
    ("accept resuming at 131072 bytes, a window of 1 byte",
     {"type": "fileAccept", "id": FILE_ID.hex(), "offset": 131072, "window": 1}),
    ("reject with a reason", {"type": "fileReject", "id": FILE_ID.hex(), "reason": "too many offers"}),
    ("reject with a zero-length reason", {"type": "fileReject", "id": FILE_ID.hex(), "reason": ""}),
    ("chunk: 'hello' at offset 0", {"type": "fileChunk", "id": FILE_ID.hex(), "offset": 0, "data": b"hello".hex()}),
    ("chunk: one byte at offset 2^32", {"type": "fileChunk", "id": FILE_ID.hex(), "offset": 1 << 32, "data": "ff"}),
    ("credit: 131072 bytes more", {"type": "fileCredit", "id": FILE_ID.hex(), "bytes": 131072}),
    ("credit: the largest, 2^32 - 1", {"type": "fileCredit", "id": FILE_ID.hex(), "bytes": 0xFFFFFFFF}),
    ("done: SHA-256 of 'hello'", {"type": "fileDone", "id": FILE_ID.hex(), "sha256": HELLO_SHA256.hex()}),
    ("result: verified, zero-length reason", {"type": "fileResult", "id": FILE_ID.hex(), "status": 0, "reason": ""}),
    ("result: hash mismatch", {"type": "fileResult", "id": FILE_ID.hex(), "status": 1,
                               "reason": "the SHA-256 differs: the .part file is kept"}),
    ("result: failed, 磁盘已满", {"type": "fileResult", "id": FILE_ID.hex(), "status": 2, "reason": "磁盘已满 (disk full)"}),
    ("cancel with a reason", {"type": "fileCancel", "id": FILE_ID.hex(), "reason": "a chunk beyond the credit"}),
    ("cancel with a zero-length reason", {"type": "fileCancel", "id": FILE_ID.hex(), "reason": ""}),
]
file_frames = []
for title, fields in file_samples:
    whole = cf.encode(fields)
    length, ftype = struct.unpack("!IB", whole[:5])
    assert length == len(whole) - 5 and cf.parse(ftype, whole[5:]) == fields, title
    file_frames.append({"name": title, "hex": whole.hex(), "frame": fields})
# A hand-built copy of the first: the layout of §10 written out, not through chatfiles.
assert file_frames[0]["hex"] == (struct.pack("!IB", 16 + 8 + 16 + 1 + 10, 0x40) + FILE_ID + struct.pack("!Q", 5)
                                 + RESUME_KEY + b"\x00" + "报告.pdf".encode()).hex()
assert sorted({f["hex"][8:10] for f in file_frames}) == ["%02x" % t for t in range(0x40, 0x48)]

def offer_payload(peer, name, size=5):
    return FILE_ID + struct.pack("!Q", size) + RESUME_KEY + bytes([len(peer)]) + peer + name

file_malformed = [
    ("offer with a file name of 0 bytes", cf.file_frame(0x40, offer_payload(b"", b"")), "malformedFrame"),
    ("offer with a file name of 256 bytes", cf.file_frame(0x40, offer_payload(b"", b"n" * 252 + b".bin")), "malformedFrame"),
    ("offer whose file name is not UTF-8", cf.file_frame(0x40, offer_payload(b"", b"a\xff.txt")), "invalidUTF8"),
    ("offer whose file name ends inside a UTF-8 sequence", cf.file_frame(0x40, offer_payload(b"", "报".encode()[:2])),
     "invalidUTF8"),
    ("offer whose file name is an overlong encoding of '/'", cf.file_frame(0x40, offer_payload(b"", b"\xc0\xaf")),
     "invalidUTF8"),
    ("offer whose peer name is not UTF-8", cf.file_frame(0x40, offer_payload(b"\xed\xa0\x80", b"a.txt")), "invalidUTF8"),
    ("offer with a peer name of 65 bytes", cf.file_frame(0x40, offer_payload(b"p" * 65, b"a.txt")), "malformedFrame"),
    ("offer whose peer length runs past the end",
     cf.file_frame(0x40, FILE_ID + struct.pack("!Q", 5) + RESUME_KEY + bytes([10]) + b"bob"), "malformedFrame"),
    ("offer cut before its peer length (40 bytes)", cf.file_frame(0x40, FILE_ID + struct.pack("!Q", 5) + RESUME_KEY),
     "malformedFrame"),
    ("accept with a window of 0", cf.file_frame(0x41, FILE_ID + struct.pack("!QI", 0, 0)), "malformedFrame"),
    ("accept of 27 bytes", cf.file_frame(0x41, FILE_ID + struct.pack("!QI", 0, 1)[:11]), "malformedFrame"),
    ("accept of 29 bytes", cf.file_frame(0x41, FILE_ID + struct.pack("!QI", 0, 1) + b"\x00"), "malformedFrame"),
    ("reject with an id of 15 bytes", cf.file_frame(0x42, FILE_ID[:15]), "malformedFrame"),
    ("reject whose reason is not UTF-8", cf.file_frame(0x42, FILE_ID + b"\xc3\x28"), "invalidUTF8"),
    ("chunk with no data", cf.file_frame(0x43, FILE_ID + struct.pack("!Q", 0)), "malformedFrame"),
    ("chunk cut inside its offset", cf.file_frame(0x43, FILE_ID + b"\x00\x00\x00"), "malformedFrame"),
    ("credit of 0 bytes", cf.file_frame(0x44, FILE_ID + struct.pack("!I", 0)), "malformedFrame"),
    ("credit of 21 bytes", cf.file_frame(0x44, FILE_ID + struct.pack("!I", 1) + b"\x00"), "malformedFrame"),
    ("done with 31 bytes of hash", cf.file_frame(0x45, FILE_ID + HELLO_SHA256[:31]), "malformedFrame"),
    ("done with 33 bytes of hash", cf.file_frame(0x45, FILE_ID + HELLO_SHA256 + b"\x00"), "malformedFrame"),
    ("result with unknown status 3", cf.file_frame(0x46, FILE_ID + b"\x03"), "malformedFrame"),
    ("result with unknown status 255", cf.file_frame(0x46, FILE_ID + b"\xffok"), "malformedFrame"),
    ("result with no status", cf.file_frame(0x46, FILE_ID), "malformedFrame"),
    ("result whose reason is not UTF-8", cf.file_frame(0x46, FILE_ID + b"\x02\x80"), "invalidUTF8"),
    ("cancel with an id of 15 bytes", cf.file_frame(0x47, FILE_ID[:15]), "malformedFrame"),
    ("cancel whose reason ends inside a UTF-8 sequence", cf.file_frame(0x47, FILE_ID + "取消".encode()[:4]), "invalidUTF8"),
    ("type 0x48: reserved for file transfer, not defined", cf.file_frame(0x48, FILE_ID), "unknownFrameType"),
]
for title, whole, error in file_malformed:
    if error == "unknownFrameType":
        continue
    try:
        cf.parse(whole[4], whole[5:])
        raise AssertionError("a malformed file frame parsed: " + title)
    except cf.FileFrameError as failure:
        assert failure.error == error, (title, failure.error, failure.message)

# Received file names (§10, "File names"): raw name -> cleaned name, or refused.
file_name_samples = [
    ("a plain name", "report.pdf"),
    ("a Chinese name with a space", "报告 2026.pdf"),
    ("leading spaces are removed", "  spaced.txt"),
    ("spaces inside are kept", "a  b .txt"),
    ("a path: only the last component", "../../etc/passwd"),
    ("an absolute path", "/etc/shadow"),
    ("a Windows path", "..\\..\\Windows\\system.ini"),
    ("both separators", "a\\b/c\\d.txt"),
    ("a Chinese path", "文件/../文件.txt"),
    ("a fullwidth solidus is not a separator, but replaced", "a\uff0fb.txt"),
    ("every slash and backslash look-alike is replaced",
     "..\u2044\u2215\u2216\u2571\u2572\u29f5\u29f8\u29f9\ufe68\uff0f\uff3cetc"),
    ("U+3000 and other white space are not trimmed", "\u3000x\u3000"),
    ("a separator followed by a combining mark: split on scalars, not graphemes", "../\u0301etc"),
    ("a backslash followed by a combining mark", "a\\\u0301b"),
    ("a path ending in a separator under a combining mark", "x/\u0301"),
    ("ends with a separator: nothing after it", "dir/"),
    ("empty", ""),
    ("a single dot", "."),
    ("two dots", ".."),
    ("three dots", "..."),
    ("dots after a path", "a/.."),
    ("only spaces", "   "),
    ("a space and a dot", " ."),
    ("a hidden name: the leading dot becomes _", ".bashrc"),
    ("two leading dots: only the first is replaced", "..hidden"),
    ("a leading dot under a combining mark: still the first scalar", ".\u0301x"),
    ("a leading dot under a combining mark after spaces", "  .\u0301.x"),
    ("a trailing dot under a combining mark stays", "x.\u0301"),
    ("a hidden name after a path", "x/.ssh"),
    ("trailing dot", "name.txt."),
    ("trailing dots and spaces", "name.txt . . "),
    ("NUL", "a\x00b.txt"),
    ("an escape sequence: only ESC is replaced", "evil\x1b[2J\x1b]0;title\x07.txt"),
    ("newline, carriage return, tab", "new\nline\r\tx.txt"),
    ("DEL", "del\x7f.txt"),
    ("C1 controls: NEL and CSI", "c1\u0085x\u009b.txt"),
    ("right-to-left override", "invoice\u202egpj.exe"),
    ("every bidi control", "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c.txt"),
    ("line and paragraph separators", "line\u2028para\u2029.txt"),
    ("a zero-width space stays (not in the list)", "zero\u200bwidth.txt"),
    ("an emoji with zero-width joiners stays", "\U0001f468\u200d\U0001f469\u200d\U0001f467.png"),
    ("a control at the end: replaced, so not stripped as a trailing dot", "name.\x01"),
    ("decomposed é stays decomposed (no NFC)", "cafe\u0301.txt"),
    ("Hangul jamo stay jamo (no NFC)", "\u1112\u1161\u11ab.txt"),
    ("a Chinese name", "文件.txt"),
    ("exactly 250 bytes: unchanged", "x" * 246 + ".txt"),
    ("251 bytes: the stem is cut, the extension kept", "x" * 247 + ".txt"),
    ("255 bytes: cut to 250, so NAME.part fits in 255", "x" * 251 + ".txt"),
    ("300 bytes: the stem is cut, the extension kept", "a" * 300 + ".txt"),
    ("a long Chinese name: cut on a scalar boundary", "文" * 100 + ".txt"),
    ("an extension of 33 bytes is not an extension", "a" * 250 + "." + "b" * 32),
    ("an extension of exactly 32 bytes is kept", "a" * 250 + "." + "b" * 31),
    ("a long name whose only dot is the first scalar: no extension", "." + "a" * 260),
    ("a long name of 4-byte emoji: cut between scalars", "\U0001f600" * 70 + ".png"),
    ("a long hidden name: the dot replaced, then cut", "." + "a" * 300),
    ("a long decomposed name: cut between a letter and its mark", "e\u0301" * 84),
    ("one letter with 300 combining marks: cut between scalars", "e" + "\u0301" * 300),
    ("the cut leaves a trailing space: stripped", "a" * 249 + " " + "b" * 10),
    ("the cut leaves trailing dots and spaces: stripped", "a" * 245 + ". . . . . " + "b" * 10),
    ("300 leading spaces are removed, not refused", " " * 300 + "x"),
    ("a long name with a control and a path", "dir/" + "\x1b" * 256 + ".txt"),
]
file_names = []
for what, raw in file_name_samples:
    cleaned = cf.clean_name(raw)
    assert cleaned is None or (cleaned and len(cleaned.encode()) <= 250 and cleaned == cf.clean_name(cleaned)), what
    file_names.append({"what": what, "rawHex": raw.encode().hex(),
                       "cleanedHex": cleaned.encode().hex() if cleaned is not None else None,
                       "refused": cleaned is None})

# SafeFileName.unique: the first free name of name, 'stem (1)ext', 'stem (2)ext', ...
# (stem and extension as in rule 7), the stem cut on a scalar boundary to stay within 250 bytes.
file_unique_samples = [
    ("free: unchanged", "report.pdf", []),
    ("taken once", "report.pdf", ["report.pdf"]),
    ("taken twice", "report.pdf", ["report.pdf", "report (1).pdf"]),
    ("only the last extension", "archive.tar.gz", ["archive.tar.gz"]),
    ("no extension", "README", ["README"]),
    ("a cleaned hidden name has no extension", "_bashrc", ["_bashrc"]),
    ("a Chinese name", "报告.pdf", ["报告.pdf", "报告 (1).pdf", "报告 (2).pdf"]),
    ("250 bytes: the stem is cut to fit ' (1)'", "x" * 246 + ".txt", ["x" * 246 + ".txt"]),
    ("a long Chinese stem cut on a scalar boundary", "文" * 82 + ".txt", ["文" * 82 + ".txt"]),
    ("a decomposed stem cut between a letter and its mark", "e\u0301" * 82 + ".txt", ["e\u0301" * 82 + ".txt"]),
    ("a dot under a combining mark is still the extension's dot", "a.\u0301b", ["a.\u0301b"]),
    ("ten taken: (10)", "a.txt", ["a.txt"] + ["a (%d).txt" % n for n in range(1, 10)]),
]
file_unique = []
for what, name, taken in file_unique_samples:
    result = cf.unique_name(name, lambda n: n in taken)
    assert len(result.encode()) <= 250 and result not in taken and cf.clean_name(result) == result, what
    file_unique.append({"what": what, "name": name, "taken": taken, "unique": result})

doc = {
    "about": "Generated by scripts/make-protocol-vectors.py from docs/PROTOCOL.md. Hex is the whole frame, header included.",
    "frames": [{"name": n, "hex": b.hex(), "frame": f} for n, b, f in valid],
    "invalid": [{"name": n, "hex": b.hex(), "error": e} for n, b, e in invalid],
    "names": {
        "about": "rules: names as UTF-8 hex (some hold bidi controls), refused by the hello's rules (§2) or not. pairs: whether a relay treats the two as one name (§8).",
        "rules": [{"nameHex": n.encode().hex(), "refused": name_refused(n)} for n in name_samples],
        "pairs": [{"a": a, "b": b, "lookAlike": names_look_alike(a, b)} for a, b in name_pairs],
    },
    "handshake_v2_about": (
        "Four connections, alice (connector, Noise initiator, CPace party A) to bob (listener). frames: every "
        "frame through msg3, whole, in the order each side sends it (each direction's order is what matters: "
        "connector HELLO, [CPACE], NOISE msg1, NOISE msg3; listener HELLO, [CPACE], NOISE msg2). records: the "
        "first two SEALED frames each way, in the order sent (SESSION, SESSION_ACCEPT, TEXT, TEXT); inner_hex is "
        "the sealed plaintext: the inner frame, whole (5-byte header, then payload); a record may hold several. Private keys are SHA-256(\"chat/2 test vectors: \" + a label). Every "
        "byte string is hex. Fields that only exist with a secret are null without one."),
    "handshake_v2": handshake_v2,
    "tamper_about": (
        "The connector's first record (first two handshake_v2 cases) changed in one way each: none opens with "
        "key at the given counter, with header_hex as associated data and payload_hex as ciphertext and tag. "
        "hex is the whole frame as it would arrive (null when it is not a consistent frame)."),
    "tamper": tamper,
    "cpace_low_order": cpace_low_order,
    "version_1_hello": version_1_hello,
    "safety_number": safety_number,
    "file_frames_about": (
        "File transfer frames 0x40-0x47 (docs/PROTOCOL.md §10, capability files; they travel inside SEALED "
        "records). hex is the whole frame: u32 payload length, type byte, payload. Fields: id, resumeKey, data and "
        "sha256 as hex; size, offset, window, bytes (a credit), status as numbers; peer, name, reason as text."),
    "file_frames": file_frames,
    "file_frames_malformed_about": "Whole frames a receiver refuses with the error named (the session ends).",
    "file_frames_malformed": [{"name": n, "hex": b.hex(), "error": e} for n, b, e in file_malformed],
    "file_names": {
        "about": "Received file names (rawHex, UTF-8) and the cleaned name (cleanedHex) or a refusal "
                 "(cleanedHex null, refused true). " + cf.NAME_RULES,
        "cases": file_names,
    },
    "file_unique_about": ("SafeFileName.unique(name, exists:) with exists true for the names in taken: name when free, "
                          "else the first free 'stem (n)ext', n = 1, 2, ..., with stem and ext split as in rule 7 of "
                          "file_names (ext: the last '.' and what follows if it is at most 32 bytes and the dot is not "
                          "the first scalar), the stem cut to whole scalars so that the result is at most 250 bytes."),
    "file_unique": file_unique,
}
json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
print()
