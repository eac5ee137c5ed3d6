#!/usr/bin/env python3
"""Writes Resources/protocol-vectors.json: frames and auth proofs computed by this
independent Python implementation of docs/PROTOCOL.md. The Swift tests check the codec and
the handshake against it, so the document, this script and the Swift code must agree."""
import hashlib, hmac, json, os, re, struct, sys, unicodedata

def frame(ftype, payload):
    return struct.pack("!IB", len(payload), ftype) + payload

def hello_payload(version, flags, max_payload, nonce, name, caps):
    name_b = name.encode()
    out = struct.pack("!HHI", version, flags, max_payload) + nonce + bytes([len(name_b)]) + name_b
    out += bytes([len(caps)]) + b"".join(bytes([len(c)]) + c.encode() for c in caps)
    return out

nonce_a = bytes(range(0, 32))
nonce_b = bytes(range(32, 64))
hello_a = hello_payload(1, 1, 1 << 20, nonce_a, "alice", [])
hello_b = hello_payload(1, 1, 1 << 20, nonce_b, "小明", ["x-example"])

valid = [
    ("hello from alice, auth offered, no capabilities", frame(0x01, hello_a),
     {"type": "hello", "version": 1, "offersAuth": True, "maximumPayloadLength": 1 << 20,
      "nonce": nonce_a.hex(), "name": "alice", "capabilities": []}),
    ("hello from 小明 with one capability", frame(0x01, hello_b),
     {"type": "hello", "version": 1, "offersAuth": True, "maximumPayloadLength": 1 << 20,
      "nonce": nonce_b.hex(), "name": "小明", "capabilities": ["x-example"]}),
    ("auth proof", frame(0x02, bytes(range(0xa0, 0xc0))), {"type": "authProof", "bytes": bytes(range(0xa0, 0xc0)).hex()}),
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
     frame(0x01, hello_payload(1, 0, 1024, nonce_a, "a", [])),
     {"type": "hello", "version": 1, "offersAuth": False, "maximumPayloadLength": 1024,
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

invalid = [
    ("header announcing 1 MiB + 1 bytes", struct.pack("!IB", (1 << 20) + 1, 0x10), "frameTooLarge"),
    ("header announcing 4 GiB - 1 bytes", struct.pack("!IB", 0xFFFFFFFF, 0x10), "frameTooLarge"),
    ("zero-length text", frame(0x10, b""), "malformedFrame"),
    ("text with a sequence number but no text", frame(0x10, struct.pack("!Q", 1)), "malformedFrame"),
    ("unknown frame type 0x7f", frame(0x7F, b"abc"), "unknownFrameType"),
    ("text that is not UTF-8", frame(0x10, struct.pack("!Q", 1) + b"\xff\xfe"), "invalidUTF8"),
    ("text with a truncated UTF-8 sequence", frame(0x10, struct.pack("!Q", 1) + "你".encode()[:2]), "invalidUTF8"),
    ("ping with 4 bytes", frame(0x20, b"\x00\x00\x00\x01"), "malformedFrame"),
    ("auth proof with 31 bytes", frame(0x02, bytes(31)), "malformedFrame"),
    ("bye with one byte", frame(0x30, b"\x00"), "malformedFrame"),
    ("hello of protocol version 2", frame(0x01, struct.pack("!H", 2) + bytes(60)), "unsupportedVersion"),
    ("hello with an empty name", frame(0x01, struct.pack("!HHI", 1, 0, 1024) + nonce_a + b"\x00\x00"), "malformedFrame"),
    ("hello with a byte after its last field", frame(0x01, hello_a + b"\x00"), "malformedFrame"),
    ("hello announcing a maximum payload below 1024",
     frame(0x01, hello_payload(1, 0, 1023, nonce_a, "alice", [])), "malformedFrame"),
    ("hello cut inside its name", frame(0x01, struct.pack("!HHI", 1, 0, 1024) + nonce_a + b"\x05ab"), "malformedFrame"),
    ("room text with an empty sender name", frame(0x12, struct.pack("!Q", 1) + bytes([0]) + b"hi"), "malformedFrame"),
    ("room text with no text", frame(0x12, struct.pack("!Q", 1) + bytes([3]) + b"bob"), "malformedFrame"),
    ("room event of unknown kind 9", frame(0x50, struct.pack("!BH", 9, 1) + bytes([1]) + b"x"), "malformedFrame"),
    ("who request with a payload", frame(0x51, b"\x00"), "malformedFrame"),
    ("ack with 4 bytes", frame(0x11, struct.pack("!I", 1)), "malformedFrame"),
    ("session with 23 bytes", frame(0x03, bytes(23)), "malformedFrame"),
    ("session accept with 26 bytes", frame(0x04, bytes(26)), "malformedFrame"),
    ("refused with a 7-byte sequence", frame(0x13, bytes(7)), "malformedFrame"),
    ("refused with a reason that is not UTF-8", frame(0x13, struct.pack("!Q", 1) + b"\xc3\x28"), "invalidUTF8"),
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

secret = b"correct horse battery staple"
transcript = b""
for payload in (hello_a, hello_b):  # connector's hello first, then the listener's
    transcript += struct.pack("!I", len(payload)) + payload
digest = hashlib.sha256(transcript).digest()
proof = lambda label: hmac.new(secret, label + digest, hashlib.sha256).digest()

doc = {
    "about": "Generated by scripts/make-protocol-vectors.py from docs/PROTOCOL.md. Hex is the whole frame, header included.",
    "frames": [{"name": n, "hex": b.hex(), "frame": f} for n, b, f in valid],
    "invalid": [{"name": n, "hex": b.hex(), "error": e} for n, b, e in invalid],
    "names": {
        "about": "rules: names as UTF-8 hex (some hold bidi controls), refused by the hello's rules (§2) or not. pairs: whether a relay treats the two as one name (§8).",
        "rules": [{"nameHex": n.encode().hex(), "refused": name_refused(n)} for n in name_samples],
        "pairs": [{"a": a, "b": b, "lookAlike": names_look_alike(a, b)} for a, b in name_pairs],
    },
    "auth": {
        "secret": secret.decode(),
        "connectorHelloHex": frame(0x01, hello_a).hex(),
        "listenerHelloHex": frame(0x01, hello_b).hex(),
        "transcriptSHA256": digest.hex(),
        "connectorProof": proof(b"chat/1 connector proof").hex(),
        "listenerProof": proof(b"chat/1 listener proof").hex(),
    },
}
json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
print()
