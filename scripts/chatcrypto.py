#!/usr/bin/env python3
"""The cryptography of chat protocol version 2, written independently of the Swift code.

Used by scripts/check-crypto-vectors.py (checks it against the published CPace and Noise
vectors), scripts/make-protocol-vectors.py (writes the project's own vectors with it) and
scripts/reference-client.py (a client that speaks version 2 with it).

Contents:

- X25519 (RFC 7748) through the `cryptography` package, with the all-zero result made
  explicit (`x25519` returns 32 zero bytes where OpenSSL refuses), and a slow pure-Python
  Montgomery ladder (`x25519_ladder`) to cross-check it.
- Elligator 2 for curve25519 (RFC 9380 §6.7.1, Z = 2), with Python integers.
- CPace with the X25519 group and SHA-512 (draft-irtf-cfrg-cpace): prepend_len, lv_cat,
  generator_string, calculate_generator, scalar_mult_vfy, transcript_ir, transcript_oc,
  ISK.
- The Noise Protocol Framework, revision 34: CipherState, SymmetricState, HandshakeState
  with DH 25519, hash SHA256, ciphers ChaChaPoly and AESGCM, and the patterns NN, XX, IK,
  XK with any pskN modifiers (NNpsk0, NNpsk2, XXpsk3, ...).
- chat/2's uses of them: the prologue, the CPace inputs and psk, SEALED records, safety
  numbers (see docs/PROTOCOL.md).

Only the parts of `cryptography` present since version 38 are used: X25519 raw keys,
ChaCha20Poly1305 and AESGCM. Hashes and HMAC come from the standard library.
"""
import hashlib
import hmac
import os
import re
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization

# ---------------------------------------------------------------------------------------
# X25519 and the field of curve25519

P = 2**255 - 19
A = 486662
ZERO32 = bytes(32)


def x25519(scalar, u):
    """X25519(scalar, u) of RFC 7748 (scalar clamped, bit 255 of u ignored, non-canonical u
    reduced). Returns 32 zero bytes when the result is the all-zero point, which OpenSSL
    reports as an error instead."""
    if len(scalar) != 32 or len(u) != 32:
        raise ValueError("X25519 takes 32-byte scalars and u-coordinates")
    try:
        out = X25519PrivateKey.from_private_bytes(scalar).exchange(X25519PublicKey.from_public_bytes(u))
    except ValueError:
        return ZERO32  # OpenSSL refuses an all-zero shared secret
    return out


def x25519_public(private):
    """The public key (X25519(private, 9)) of a 32-byte private key."""
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def is_all_zero(data):
    """Constant-time test for an all-zero byte string."""
    return hmac.compare_digest(bytes(data), bytes(len(data)))


def decode_scalar25519(k):
    b = bytearray(k)
    b[0] &= 248
    b[31] &= 127
    b[31] |= 64
    return int.from_bytes(b, "little")


def decode_u_coordinate(u, bits=255):
    """decodeUCoordinate of RFC 7748: little-endian, unused top bits cleared (not reduced)."""
    b = bytearray(u)
    if bits % 8:
        b[-1] &= (1 << (bits % 8)) - 1
    return int.from_bytes(b, "little")


def encode_u_coordinate(u):
    return (u % P).to_bytes(32, "little")


def x25519_ladder(scalar, u):
    """X25519 by the Montgomery ladder of RFC 7748 §5 with Python integers (slow; not
    constant time: for checking only)."""
    k = decode_scalar25519(scalar)
    x1 = decode_u_coordinate(u) % P
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    a24 = 121665
    for t in reversed(range(255)):
        kt = (k >> t) & 1
        swap ^= kt
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = kt
        a = (x2 + z2) % P
        aa = a * a % P
        b = (x2 - z2) % P
        bb = b * b % P
        e = (aa - bb) % P
        c = (x3 + z3) % P
        d = (x3 - z3) % P
        da = d * a % P
        cb = c * b % P
        x3 = (da + cb) ** 2 % P
        z3 = x1 * (da - cb) ** 2 % P
        x2 = aa * bb % P
        z2 = e * (aa + a24 * e) % P
    if swap:
        x2, x3, z2, z3 = x3, x2, z3, z2
    return encode_u_coordinate(x2 * pow(z2, P - 2, P))


def is_square(x):
    """Euler's criterion; 0 counts as a square (as in RFC 9380)."""
    return pow(x % P, (P - 1) // 2, P) in (0, 1)


def elligator2_curve25519(r):
    """map_to_curve_elligator2 for curve25519 (RFC 9380 §6.7.1, J = 486662, K = 1, Z = 2),
    u-coordinate only: the field element r (an int) to the u of a point on the curve."""
    z = 2
    r %= P
    denominator = (1 + z * r * r) % P
    # inv0: 1 + 2 r^2 is never 0 here (-1/2 is not a square mod P), but follow the RFC.
    x1 = (-A * pow(denominator, P - 2, P)) % P
    if x1 == 0:
        x1 = (-A) % P
    gx1 = (x1 * x1 * x1 + A * x1 * x1 + x1) % P
    x2 = (-x1 - A) % P
    return x1 if is_square(gx1) else x2


# ---------------------------------------------------------------------------------------
# CPace, X25519 group, SHA-512 (draft-irtf-cfrg-cpace)

CPACE_DSI = b"CPace255"
SHA512_BLOCK = 128  # H.s_in_bytes


def prepend_len(data):
    """The data preceded by its length as LEB128."""
    length = len(data)
    encoded = b""
    while True:
        if length < 128:
            encoded += bytes([length])
        else:
            encoded += bytes([(length & 0x7F) + 0x80])
        length >>= 7
        if length == 0:
            break
    return encoded + data


def lv_cat(*args):
    return b"".join(prepend_len(a) for a in args)


def generator_string(dsi, prs, ci, sid, s_in_bytes=SHA512_BLOCK):
    len_zpad = max(0, s_in_bytes - 1 - len(prepend_len(prs)) - len(prepend_len(dsi)))
    return lv_cat(dsi, prs, bytes(len_zpad), ci, sid)


def cpace_generator_details(prs, ci, sid):
    """The intermediate values of G_X25519.calculate_generator with SHA-512: the generator
    string, its hash truncated to 32 bytes, the decoded field element (255 bits, as 32
    little-endian bytes) and the generator g."""
    gen_str = generator_string(CPACE_DSI, prs, ci, sid)
    gen_hash = hashlib.sha512(gen_str).digest()[:32]
    u = decode_u_coordinate(gen_hash)
    g = encode_u_coordinate(elligator2_curve25519(u))
    return {"generator_string": gen_str, "hash": gen_hash, "field_element": u.to_bytes(32, "little"), "g": g}


def cpace_calculate_generator(prs, ci, sid):
    return cpace_generator_details(prs, ci, sid)["g"]


def cpace_scalar_mult(y, g):
    return x25519(y, g)


class CPaceAbort(Exception):
    """scalar_mult_vfy gave the neutral element: the peer's share is invalid."""


def cpace_scalar_mult_vfy(y, share):
    """G.scalar_mult_vfy: X25519(y, share); raises CPaceAbort when the result is G.I (all
    zeros: a low-order point on the curve or its twist)."""
    k = x25519(y, share)
    if is_all_zero(k):
        raise CPaceAbort("the peer's CPace share is invalid")
    return k


def o_cat(bytes1, bytes2):
    """Ordered concatenation (Python's bytes comparison is the draft's lexicographic order)."""
    return b"oc" + bytes1 + bytes2 if bytes1 > bytes2 else b"oc" + bytes2 + bytes1


def transcript_ir(ya, ada, yb, adb):
    return lv_cat(ya, ada) + lv_cat(yb, adb)


def transcript_oc(ya, ada, yb, adb):
    return o_cat(lv_cat(ya, ada), lv_cat(yb, adb))


def cpace_isk(sid, k, transcript):
    """ISK = SHA-512(lv_cat(DSI || "_ISK", sid, K) || transcript)."""
    return hashlib.sha512(lv_cat(CPACE_DSI + b"_ISK", sid, k) + transcript).digest()


def cpace_sid_output(transcript):
    return hashlib.sha512(b"CPaceSidOutput" + transcript).digest()


# ---------------------------------------------------------------------------------------
# Noise, revision 34: 25519, SHA256, ChaChaPoly or AESGCM

HASHLEN = 32
DHLEN = 32
MAX_NONCE = 2**64 - 1


class NoiseError(Exception):
    """A handshake or transport message that does not decrypt, or a misuse."""


def noise_nonce(cipher, n):
    """The 96-bit AEAD nonce for counter n: 4 zero bytes, then n as 8 bytes, little-endian
    for ChaChaPoly, big-endian for AESGCM."""
    if cipher == "ChaChaPoly":
        return bytes(4) + struct.pack("<Q", n)
    if cipher == "AESGCM":
        return bytes(4) + struct.pack(">Q", n)
    raise ValueError("unknown cipher " + cipher)


def aead(cipher, key):
    return ChaCha20Poly1305(key) if cipher == "ChaChaPoly" else AESGCM(key)


def hkdf(chaining_key, input_key_material, outputs):
    """Noise's HKDF with HMAC-SHA256: 2 or 3 outputs of HASHLEN bytes."""
    temp_key = hmac.new(chaining_key, input_key_material, hashlib.sha256).digest()
    out1 = hmac.new(temp_key, b"\x01", hashlib.sha256).digest()
    out2 = hmac.new(temp_key, out1 + b"\x02", hashlib.sha256).digest()
    if outputs == 2:
        return out1, out2
    out3 = hmac.new(temp_key, out2 + b"\x03", hashlib.sha256).digest()
    return out1, out2, out3


class CipherState:
    """k (32 bytes or None for empty) and the counter n."""

    def __init__(self, cipher, key=None):
        self.cipher = cipher
        self.initialize_key(key)

    def initialize_key(self, key):
        self.k = key
        self.n = 0

    def has_key(self):
        return self.k is not None

    def encrypt_with_ad(self, ad, plaintext):
        if self.k is None:
            return plaintext
        if self.n >= MAX_NONCE:
            raise NoiseError("nonce exhausted")
        out = aead(self.cipher, self.k).encrypt(noise_nonce(self.cipher, self.n), plaintext, ad)
        self.n += 1
        return out

    def decrypt_with_ad(self, ad, ciphertext):
        if self.k is None:
            return ciphertext
        if self.n >= MAX_NONCE:
            raise NoiseError("nonce exhausted")
        try:
            out = aead(self.cipher, self.k).decrypt(noise_nonce(self.cipher, self.n), ciphertext, ad)
        except InvalidTag:
            raise NoiseError("decryption failed") from None
        self.n += 1  # only on success
        return out


class SymmetricState:
    def __init__(self, protocol_name, cipher):
        name = protocol_name.encode() if isinstance(protocol_name, str) else protocol_name
        self.h = name.ljust(HASHLEN, b"\x00") if len(name) <= HASHLEN else hashlib.sha256(name).digest()
        self.ck = self.h
        self.cipher_state = CipherState(cipher)

    def mix_key(self, input_key_material):
        self.ck, temp_k = hkdf(self.ck, input_key_material, 2)
        self.cipher_state.initialize_key(temp_k)

    def mix_hash(self, data):
        self.h = hashlib.sha256(self.h + data).digest()

    def mix_key_and_hash(self, input_key_material):
        self.ck, temp_h, temp_k = hkdf(self.ck, input_key_material, 3)
        self.mix_hash(temp_h)
        self.cipher_state.initialize_key(temp_k)

    def encrypt_and_hash(self, plaintext):
        ciphertext = self.cipher_state.encrypt_with_ad(self.h, plaintext)
        self.mix_hash(ciphertext)
        return ciphertext

    def decrypt_and_hash(self, ciphertext):
        plaintext = self.cipher_state.decrypt_with_ad(self.h, ciphertext)
        self.mix_hash(ciphertext)
        return plaintext

    def split(self):
        k1, k2 = hkdf(self.ck, b"", 2)
        return CipherState(self.cipher_state.cipher, k1), CipherState(self.cipher_state.cipher, k2)


# Base patterns: (pre-messages of the initiator, of the responder), then the messages.
# "->" messages are the initiator's; they alternate starting with it.
BASE_PATTERNS = {
    "NN": (([], []), [["e"], ["e", "ee"]]),
    "XX": (([], []), [["e"], ["e", "ee", "s", "es"], ["s", "se"]]),
    "IK": (([], ["s"]), [["e", "es", "s", "ss"], ["e", "ee", "se"]]),
    "XK": (([], ["s"]), [["e", "es"], ["e", "ee"], ["s", "se"]]),
}

NAME_RE = re.compile(r"^Noise_([A-Z]+)((?:psk\d)(?:\+psk\d)*)?_25519_(ChaChaPoly|AESGCM)_SHA256$")


def parse_protocol_name(name):
    """('XXpsk3', 'ChaChaPoly') from 'Noise_XXpsk3_25519_ChaChaPoly_SHA256': returns the
    pre-messages, the message patterns (psk tokens placed) and the cipher. Raises
    ValueError for a name this module does not support."""
    m = NAME_RE.match(name)
    if not m or m.group(1) not in BASE_PATTERNS:
        raise ValueError("unsupported Noise protocol " + name)
    premessages, messages = BASE_PATTERNS[m.group(1)]
    messages = [list(tokens) for tokens in messages]
    for modifier in (m.group(2) or "").split("+"):
        if not modifier:
            continue
        index = int(modifier[3:])
        if index == 0:
            messages[0].insert(0, "psk")
        else:
            messages[index - 1].append("psk")
    return premessages, messages, m.group(3)


class HandshakeState:
    """A Noise handshake with DH 25519 and SHA256.

    s and e are 32-byte private keys (e: the ephemeral the next "e" token uses, so that
    vectors are reproducible; a fresh one is generated when it is None), rs and re the
    remote public keys known in advance, psks a list of 32-byte keys used in order by
    "psk" tokens (a psk may also be given later with set_psk, before the message that
    needs it)."""

    def __init__(self, protocol_name, initiator, prologue=b"", s=None, e=None, rs=None, re_=None, psks=None):
        self.protocol_name = protocol_name
        self.premessages, self.message_patterns, self.cipher = parse_protocol_name(protocol_name)
        self.psk_mode = any("psk" in m for m in self.message_patterns)
        self.symmetric = SymmetricState(protocol_name, self.cipher)
        self.symmetric.mix_hash(prologue)
        self.initiator = initiator
        self.s = s
        self.s_pub = x25519_public(s) if s is not None else None
        self.e = e
        self.e_pub = None
        self.rs = rs
        self.re = re_
        self.psks = list(psks or [])
        init_pre, resp_pre = self.premessages
        for owner_is_initiator, tokens in ((True, init_pre), (False, resp_pre)):
            for token in tokens:
                mine = owner_is_initiator == initiator
                if token == "s":
                    self.symmetric.mix_hash(self.s_pub if mine else self.rs)
                elif token == "e":  # not used by the supported patterns
                    key = x25519_public(self.e) if mine else self.re
                    self.symmetric.mix_hash(key)
                    if self.psk_mode:
                        self.symmetric.mix_key(key)
        self.message_index = 0

    def set_psk(self, psk):
        if len(psk) != 32:
            raise ValueError("a Noise psk is 32 bytes")
        self.psks.append(psk)

    def is_finished(self):
        return self.message_index == len(self.message_patterns)

    def my_turn(self):
        return (self.message_index % 2 == 0) == self.initiator

    def _dh(self, private, public):
        return x25519(private, public)

    def _dh_token(self, token):
        if token == "ee":
            return self._dh(self.e, self.re)
        if token == "ss":
            return self._dh(self.s, self.rs)
        if token == "es":
            return self._dh(self.e, self.rs) if self.initiator else self._dh(self.s, self.re)
        if token == "se":
            return self._dh(self.s, self.re) if self.initiator else self._dh(self.e, self.rs)
        raise ValueError(token)

    def _next_psk(self):
        if not self.psks:
            raise NoiseError("a psk token with no psk given")
        return self.psks.pop(0)

    def write_message(self, payload=b""):
        """Returns (message, None) or, for the last message, (message, (c1, c2))."""
        if self.is_finished() or not self.my_turn():
            raise NoiseError("not this side's turn to write")
        tokens = self.message_patterns[self.message_index]
        out = b""
        for token in tokens:
            if token == "e":
                if self.e is None:
                    self.e = X25519PrivateKey.generate().private_bytes(
                        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
                self.e_pub = x25519_public(self.e)
                out += self.e_pub
                self.symmetric.mix_hash(self.e_pub)
                if self.psk_mode:
                    self.symmetric.mix_key(self.e_pub)
            elif token == "s":
                out += self.symmetric.encrypt_and_hash(self.s_pub)
            elif token == "psk":
                self.symmetric.mix_key_and_hash(self._next_psk())
            else:
                self.symmetric.mix_key(self._dh_token(token))
        out += self.symmetric.encrypt_and_hash(payload)
        self.message_index += 1
        return out, (self.symmetric.split() if self.is_finished() else None)

    def read_message(self, message):
        """Returns (payload, None) or, for the last message, (payload, (c1, c2)). Raises
        NoiseError when the message is short or does not decrypt."""
        if self.is_finished() or self.my_turn():
            raise NoiseError("not this side's turn to read")
        tokens = self.message_patterns[self.message_index]
        rest = bytes(message)
        for token in tokens:
            if token == "e":
                if len(rest) < DHLEN:
                    raise NoiseError("message too short")
                self.re, rest = rest[:DHLEN], rest[DHLEN:]
                self.symmetric.mix_hash(self.re)
                if self.psk_mode:
                    self.symmetric.mix_key(self.re)
            elif token == "s":
                size = DHLEN + 16 if self.symmetric.cipher_state.has_key() else DHLEN
                if len(rest) < size:
                    raise NoiseError("message too short")
                temp, rest = rest[:size], rest[size:]
                self.rs = self.symmetric.decrypt_and_hash(temp)
            elif token == "psk":
                self.symmetric.mix_key_and_hash(self._next_psk())
            else:
                self.symmetric.mix_key(self._dh_token(token))
        if self.symmetric.cipher_state.has_key() and len(rest) < 16:
            raise NoiseError("message too short")
        payload = self.symmetric.decrypt_and_hash(rest)
        self.message_index += 1
        return payload, (self.symmetric.split() if self.is_finished() else None)

    def handshake_hash(self):
        return self.symmetric.h


# ---------------------------------------------------------------------------------------
# chat protocol version 2 (docs/PROTOCOL.md)

PROTOCOL_VERSION = 2
PROLOGUE_LABEL = b"chat/2 prologue"
CPACE_CI = b"chat/2"
SAFETY_LABEL = b"chat/2 safety number"

HELLO, AUTH_PROOF, SESSION, SESSION_ACCEPT, CPACE, NOISE, SEALED = 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07
TEXT, ACK, ROOM_TEXT, REFUSED, PING, PONG, BYE, ERROR = 0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x30, 0x31
ROOM_EVENT, WHO = 0x50, 0x51
TAG_LENGTH = 16


def frame(ftype, payload):
    """A whole frame: u32be payload length, type byte, payload."""
    return struct.pack("!IB", len(payload), ftype) + payload


def hello_payload(version, flags, max_payload, nonce, name, caps):
    name_b = name.encode()
    out = struct.pack("!HHI", version, flags, max_payload) + nonce + bytes([len(name_b)]) + name_b
    return out + bytes([len(caps)]) + b"".join(bytes([len(c)]) + c.encode() for c in caps)


def parse_hello(payload):
    """(version, flags, max_payload, nonce, name, capabilities) of a hello payload (no checks
    beyond the layout)."""
    version, flags, max_payload = struct.unpack("!HHI", payload[:8])
    nonce = payload[8:40]
    n = payload[40]
    name = payload[41:41 + n].decode()
    pos = 41 + n
    count = payload[pos]
    pos += 1
    caps = []
    for _ in range(count):
        k = payload[pos]
        caps.append(payload[pos + 1:pos + 1 + k].decode("ascii"))
        pos += 1 + k
    if pos != len(payload):
        raise ValueError("bytes after the last capability")
    return version, flags, max_payload, nonce, name, caps


def chat_prologue(connector_hello, listener_hello):
    """"chat/2 prologue" || u32be(len Hc) || Hc || u32be(len Hl) || Hl (payloads, no headers)."""
    return (PROLOGUE_LABEL + struct.pack("!I", len(connector_hello)) + connector_hello
            + struct.pack("!I", len(listener_hello)) + listener_hello)


def chat_cipher(connector_caps, listener_caps):
    return "AESGCM" if "aesgcm" in connector_caps and "aesgcm" in listener_caps else "ChaChaPoly"


def chat_protocol_name(with_secret, cipher):
    return "Noise_%s_25519_%s_SHA256" % ("XXpsk3" if with_secret else "XX", cipher)


def chat_cpace_sid(connector_nonce, listener_nonce):
    return connector_nonce + listener_nonce


def chat_cpace_share(secret, sid, scalar):
    """The CPACE frame's payload Y = X25519(scalar, g) with PRS = secret, CI = "chat/2"."""
    return cpace_scalar_mult(scalar, cpace_calculate_generator(secret, CPACE_CI, sid))


def chat_cpace_isk(sid, my_scalar, peer_share, connector_share, listener_share):
    """ISK with transcript_ir (A = connector, B = listener, ADa = ADb = empty). Raises
    CPaceAbort when K is all zeros."""
    k = cpace_scalar_mult_vfy(my_scalar, peer_share)
    return cpace_isk(sid, k, transcript_ir(connector_share, b"", listener_share, b""))


def chat_psk(isk):
    return isk[:32]


def seal_frames(cipher_state, inner_frames):
    """A SEALED frame: header u32be(len(plaintext) + 16) || 0x07; payload = AEAD of the
    plaintext (one or more whole inner frames, each with its own 5-byte header, back to
    back) with the header as associated data and the direction's counter as nonce (the
    CipherState's n, which this advances)."""
    header = struct.pack("!IB", len(inner_frames) + TAG_LENGTH, SEALED)
    return header + cipher_state.encrypt_with_ad(header, inner_frames)


def seal_record(cipher_state, inner_type, inner_payload):
    """A SEALED frame holding one inner frame."""
    return seal_frames(cipher_state, frame(inner_type, inner_payload))


def split_frames(plaintext):
    """The (type, payload) of each whole frame in an opened record; raises ValueError if the
    record ends inside a frame or holds none."""
    frames, offset = [], 0
    while offset < len(plaintext):
        if len(plaintext) - offset < 5:
            raise ValueError("a sealed record ends inside a frame header")
        length, ftype = struct.unpack("!IB", plaintext[offset:offset + 5])
        if len(plaintext) - offset - 5 < length:
            raise ValueError("a sealed record ends inside a frame")
        frames.append((ftype, plaintext[offset + 5:offset + 5 + length]))
        offset += 5 + length
    if not frames:
        raise ValueError("a sealed record holds no frame")
    return frames


def open_record(cipher_state, whole_frame):
    """The plaintext (inner frames, not yet split) of a whole SEALED frame; raises NoiseError
    if it does not open (the counter then stays where it was)."""
    header, body = whole_frame[:5], whole_frame[5:]
    length, ftype = struct.unpack("!IB", header)
    if ftype != SEALED or length != len(body) or length < 5 + TAG_LENGTH:
        raise NoiseError("not a whole SEALED frame")
    return cipher_state.decrypt_with_ad(header, body)


def safety_number(key_a, key_b):
    """12 groups of 5 digits: SHA-512("chat/2 safety number" || smaller key || larger key),
    group i = big-endian integer of digest[5i:5i+5] mod 100000."""
    low, high = sorted([bytes(key_a), bytes(key_b)])
    digest = hashlib.sha512(SAFETY_LABEL + low + high).digest()
    return " ".join("%05d" % (int.from_bytes(digest[5 * i:5 * i + 5], "big") % 100000) for i in range(12))


# ---------------------------------------------------------------------------------------
# The version-2 handshake as a state machine (one side of one connection)

ERROR_CODES = {
    "unexpectedFrame": 1, "frameTooLarge": 2, "unknownFrameType": 3, "invalidUTF8": 4, "malformedFrame": 5,
    "unsupportedVersion": 6, "authFailed": 7, "authRequired": 8, "authNotConfigured": 9, "handshakeTimeout": 10,
    "busy": 11, "tooSlow": 12, "sequenceGap": 13, "notChatProtocol": 14, "rateLimited": 15, "authThrottled": 16,
    "peerSilent": 17, "sessionTakenOver": 18, "invalidName": 19, "tampered": 20,
}
HANDSHAKE_TYPES = (HELLO, CPACE, NOISE, SEALED)


class ChatFailure(Exception):
    """The connection must end with ERROR code, message (sent sealed once this side has
    its sending key: see ChatPeer.error_frame)."""

    def __init__(self, code, message):
        super().__init__("%d %s" % (code, message))
        self.code = code
        self.message = message


class ChatPeer:
    """One side of a chat/2 connection, from the hellos to the sealed records.

    connector: True for the side that called connect (Noise initiator, CPace party A).
    hello: this side's HELLO payload, exactly as it will be sent.
    secret: the shared secret's bytes, or None (it must agree with the hello's flag bit 0).
    static, ephemeral, cpace_scalar: 32-byte private values; random when None (fixed
    values make the test vectors).

    start() gives the frames to send first; receive(frame) gives the frames to send in
    answer and appends what arrived to self.delivered as (inner type, inner payload) once
    records open. Failures raise ChatFailure; error_frame() then builds the ERROR to send.
    """

    def __init__(self, connector, hello, secret=None, static=None, ephemeral=None, cpace_scalar=None,
                 listener_ping=b"\x00" * 8):
        self.connector = connector
        self.hello = hello
        self.version, flags, _, self.nonce, self.name, self.caps = parse_hello(hello)
        self.secret = secret
        if bool(flags & 1) != (secret is not None):
            raise ValueError("the hello's flag bit 0 must say whether there is a secret")
        self.static = static or os.urandom(32)
        self.static_public = x25519_public(self.static)
        self.ephemeral = ephemeral
        self.cpace_scalar = cpace_scalar or os.urandom(32)
        self.listener_ping = listener_ping
        self.peer_hello = None
        self.handshake = None
        self.send_cipher = self.receive_cipher = None
        self.cpace_share = self.peer_cpace_share = None
        self.psk = None
        self.confirmed = False  # the connector: a record from the listener has opened
        self.delivered = []
        self.frames_sent = 0

    # what both hellos decide
    def both_caps(self, *names):
        peer_caps = parse_hello(self.peer_hello)[5]
        return all(n in self.caps and n in peer_caps for n in names)

    def hellos(self):
        return (self.hello, self.peer_hello) if self.connector else (self.peer_hello, self.hello)

    def start(self):
        return [frame(HELLO, self.hello)]

    def seal(self, inner_type, inner_payload):
        if inner_type in HANDSHAKE_TYPES:
            raise ValueError("HELLO, CPACE, NOISE and SEALED are never sealed")
        return seal_record(self.send_cipher, inner_type, inner_payload)

    def error_frame(self, failure):
        payload = struct.pack("!H", failure.code) + failure.message.encode()
        return self.seal(ERROR, payload) if self.send_cipher else frame(ERROR, payload)

    def peer_static_public(self):
        return self.handshake.rs if self.handshake else None

    def receive(self, whole_frame):
        length, ftype = struct.unpack("!IB", whole_frame[:5])
        payload = whole_frame[5:]
        if ftype == SEALED:
            return self._sealed(whole_frame, payload)
        if self.receive_cipher is not None:
            if self.connector and not self.confirmed and ftype == ERROR:
                self.delivered.append((ERROR, payload))  # e.g. authFailed from the listener
                return []
            raise ChatFailure(20, "the connection was tampered with: a plaintext frame arrived after the handshake")
        if ftype == ERROR or ftype == BYE:
            self.delivered.append((ftype, payload))
            return []
        if ftype == HELLO:
            return self._hello(payload)
        if ftype == CPACE:
            return self._cpace(payload)
        if ftype == NOISE:
            return self._noise(payload)
        raise ChatFailure(1, "unexpected frame 0x%02x during the handshake" % ftype)

    def _hello(self, payload):
        if self.peer_hello is not None:
            raise ChatFailure(1, "a second hello")
        version = struct.unpack("!H", payload[:2])[0]
        if version != PROTOCOL_VERSION:
            raise ChatFailure(6, "peer speaks chat protocol version %d; this program speaks version %d"
                              % (version, PROTOCOL_VERSION))
        self.peer_hello = payload
        peer_offers = bool(struct.unpack("!H", payload[2:4])[0] & 1)
        if self.secret is not None and not peer_offers:
            raise ChatFailure(8, "auth failed: %s requires a shared secret" % self.name)
        if self.secret is None and peer_offers:
            raise ChatFailure(9, "auth failed: %s has no shared secret" % self.name)
        hc, hl = self.hellos()
        cipher = chat_cipher(parse_hello(hc)[5], parse_hello(hl)[5])
        self.handshake = HandshakeState(chat_protocol_name(self.secret is not None, cipher), self.connector,
                                        chat_prologue(hc, hl), s=self.static, e=self.ephemeral)
        out = []
        if self.secret is not None:
            self.sid = chat_cpace_sid(parse_hello(hc)[3], parse_hello(hl)[3])
            self.cpace_share = chat_cpace_share(self.secret, self.sid, self.cpace_scalar)
            out.append(frame(CPACE, self.cpace_share))
        if self.connector:
            msg1, _ = self.handshake.write_message(b"")
            out.append(frame(NOISE, msg1))
        return out

    def _cpace(self, payload):
        if self.peer_hello is None or self.secret is None or self.peer_cpace_share is not None:
            raise ChatFailure(1, "unexpected CPACE frame")
        if len(payload) != 32:
            raise ChatFailure(5, "a CPACE frame carries exactly 32 bytes")
        self.peer_cpace_share = payload
        yc, yl = (self.cpace_share, payload) if self.connector else (payload, self.cpace_share)
        try:
            isk = chat_cpace_isk(self.sid, self.cpace_scalar, payload, yc, yl)
        except CPaceAbort:
            raise ChatFailure(7, "auth failed: the peer's CPace share is invalid") from None
        self.isk = isk
        self.psk = chat_psk(isk)
        self.handshake.set_psk(self.psk)
        return []

    def _noise(self, payload):
        if self.peer_hello is None or not 32 <= len(payload) <= 4096:
            raise ChatFailure(5 if self.peer_hello else 1, "a NOISE frame carries 32 to 4096 bytes")
        if self.secret is not None and self.psk is None:
            raise ChatFailure(1, "a NOISE frame before the peer's CPACE frame")
        hs = self.handshake
        if hs.is_finished() or hs.my_turn():
            raise ChatFailure(1, "unexpected NOISE frame")
        last = hs.message_index == len(hs.message_patterns) - 1
        try:
            inner, split = hs.read_message(payload)
        except NoiseError:
            if last and self.secret is not None:
                raise ChatFailure(7, "auth failed: the shared secrets differ (or the handshake was altered)") from None
            raise ChatFailure(20, "the connection was tampered with: a handshake message did not authenticate") from None
        if inner:
            raise ChatFailure(5, "a Noise handshake message must carry an empty payload")
        if split:  # the listener, after msg3
            self.receive_cipher, self.send_cipher = split
            if self.both_caps("resume", "room"):
                return []  # the connector's sealed SESSION comes next; the application answers it
            return [self.seal(PING, self.listener_ping)]
        message, split = hs.write_message(b"")
        out = [frame(NOISE, message)]
        if split:  # the connector, after writing msg3
            self.send_cipher, self.receive_cipher = split
        return out

    def _sealed(self, whole_frame, payload):
        if self.receive_cipher is None:
            raise ChatFailure(1, "a SEALED frame before the handshake finished")
        if len(payload) < 5 + TAG_LENGTH:
            raise ChatFailure(5, "a SEALED frame carries at least 21 bytes")
        try:
            plaintext = open_record(self.receive_cipher, whole_frame)
        except NoiseError:
            raise ChatFailure(20, "the connection was tampered with: a record did not authenticate") from None
        try:
            inner_frames = split_frames(plaintext)
        except ValueError as problem:
            raise ChatFailure(5, "sealed frame: %s" % problem) from None
        for inner_type, inner in inner_frames:
            if inner_type in HANDSHAKE_TYPES:
                raise ChatFailure(1, "a sealed HELLO, CPACE, NOISE or SEALED frame")
        self.confirmed = True
        self.delivered.extend(inner_frames)
        return []
