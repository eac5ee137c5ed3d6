#!/usr/bin/env python3
"""An independent, plain-integer Python implementation of CPace for X25519/SHA-512
(draft-irtf-cfrg-cpace at 8fb4056: generator_string, decodeUCoordinate, Elligator 2 as in
RFC 9380 / the draft's appendix, X25519 as in RFC 7748, transcript_ir and the ISK).

It prints the values pasted into Tests/ChatCryptoTests (Elligator2Tests and
CPaceReferenceTests). It is deliberately not constant-time: it only computes expected values.
Run: python3 scripts/cpace-reference.py"""
import hashlib

P = 2**255 - 19
A = 486662
Z = 2  # the non-square for curve25519 (find_z_ell2)


def prepend_len(data):
    length, encoded = len(data), b""
    while True:
        encoded += bytes([length if length < 128 else (length & 0x7F) + 0x80])
        length >>= 7
        if length == 0:
            return encoded + data


def lv_cat(*args):
    return b"".join(prepend_len(a) for a in args)


def generator_string(dsi, prs, ci, sid, s_in_bytes=128):
    len_zpad = max(0, s_in_bytes - 1 - len(prepend_len(prs)) - len(prepend_len(dsi)))
    return lv_cat(dsi, prs, bytes(len_zpad), ci, sid)


def decode_u(b):
    return int.from_bytes(b[:31] + bytes([b[31] & 0x7F]), "little") % P


def encode_u(x):
    return (x % P).to_bytes(32, "little")


def elligator2(u_bytes):
    r = decode_u(u_bytes)
    x1 = (-A * pow(1 + Z * r * r, P - 2, P)) % P
    if x1 == 0:
        x1 = -A % P
    gx1 = (x1**3 + A * x1 * x1 + x1) % P
    x2 = (-x1 - A) % P
    legendre = pow(gx1, (P - 1) // 2, P)
    return encode_u(x1 if legendre in (0, 1) else x2)


def x25519(scalar, u_bytes):
    k = bytearray(scalar)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    k = int.from_bytes(k, "little")
    x1 = decode_u(u_bytes)
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in reversed(range(255)):
        bit = (k >> t) & 1
        swap ^= bit
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a, b = (x2 + z2) % P, (x2 - z2) % P
        aa, bb = a * a % P, b * b % P
        e = (aa - bb) % P
        c, d = (x3 + z3) % P, (x3 - z3) % P
        da, cb = d * a % P, c * b % P
        x3 = (da + cb) ** 2 % P
        z3 = x1 * (da - cb) ** 2 % P
        x2 = aa * bb % P
        z2 = e * (aa + 121665 * e) % P
    if swap:
        x2, z2 = x3, z3
    return encode_u(x2 * pow(z2, P - 2, P))


def generator(prs, ci, sid):
    return elligator2(hashlib.sha512(generator_string(b"CPace255", prs, ci, sid)).digest()[:32])


def isk_ir(sid, k, ya, ada, yb, adb):
    return hashlib.sha512(lv_cat(b"CPace255_ISK", sid, k) + lv_cat(ya, ada) + lv_cat(yb, adb)).digest()


def main():
    # The draft's vector first, as a check of this script itself.
    prs, ci = b"Password", bytes.fromhex("0b415f696e69746961746f720b425f726573706f6e646572")
    sid = bytes.fromhex("7e4b4791d6a8ef019b936c79fb7f2c57")
    assert generator(prs, ci, sid).hex() == "d04bf6d41f6a289632a2e929fa29bebd51092512a7829fdde7d314b62f05a73f"
    ya = bytes.fromhex("21b4f4bd9e64ed355c3eb676a28ebedaf6d8f17bdc365995b319097153044080")
    assert x25519(ya, generator(prs, ci, sid)).hex().startswith("1d13c892")

    print("Elligator 2 (input 32 bytes -> u-coordinate):")
    inputs = [
        bytes(32),
        bytes([1]) + bytes(31),
        bytes(range(32)),
        b"\xff" * 32,  # bit 255 set, and the rest >= p: reduced
        (P).to_bytes(32, "little"),  # p itself decodes to 0
        (P + 1).to_bytes(32, "little"),
        (P - 1).to_bytes(32, "little"),
        hashlib.sha512(b"chat elligator 1").digest()[:32],
        hashlib.sha512(b"chat elligator 2").digest()[:32],
        hashlib.sha512(b"chat elligator 3").digest()[:32],
    ]
    for i in inputs:
        print(f'  ("{i.hex()}", "{elligator2(i).hex()}"),')

    print("Full CPace with other inputs (a password longer than one hash block, empty CI):")
    prs = bytes(range(200))  # 200 > 127: two-byte LEB128 length, no zero padding
    ci, sid = b"", bytes.fromhex("00112233445566778899aabbccddeeff")
    gen_str = generator_string(b"CPace255", prs, ci, sid)
    g = generator(prs, ci, sid)
    sa, sb = bytes([0x11]) * 32, bytes([0x22]) * 32
    share_a, share_b = x25519(sa, g), x25519(sb, g)
    k = x25519(sa, share_b)
    assert k == x25519(sb, share_a)
    print("  generator string length:", len(gen_str), "prefix:", gen_str[:12].hex())
    print("  g:", g.hex())
    print("  Ya:", share_a.hex())
    print("  Yb:", share_b.hex())
    print("  K:", k.hex())
    print("  ISK_IR:", isk_ir(sid, k, share_a, b"alice", share_b, b"bob").hex())


if __name__ == "__main__":
    main()
