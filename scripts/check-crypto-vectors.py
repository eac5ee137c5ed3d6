#!/usr/bin/env python3
"""Checks scripts/chatcrypto.py against the published vectors:

- Resources/cpace-x25519-vectors.json (cfrg/draft-irtf-cfrg-cpace testvectors.json at
  8fb4056, X25519 entries) and the intermediate values the draft prints beside them
  (copied below from its appendix: the string utilities, the generator string and its
  hash, the transcripts, and the results q0 ... qb of scalar_mult_vfy on the low-order and
  non-canonical points u0 ... ub, which the JSON file lists without results);
- Resources/noise-cacophony-vectors.json (haskell-cryptography/cacophony, a subset): every
  vector whose pattern chatcrypto supports, handshake and transport messages both ways, and
  the handshake hash.

Every X25519 result in the CPace part is also recomputed with a pure-Python ladder.

usage: python3 scripts/check-crypto-vectors.py [-v]
Prints one summary line and exits 0, or lists each mismatch and exits 1.
"""
import collections
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chatcrypto as cc  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# From draft-irtf-cfrg-cpace (8fb4056), appendix "Test vectors" (see
# /work/shared/vectors/cpace-x25519.md at the time of writing).
DRAFT = {
    "prepend_len": [
        (b"", "00"),
        (b"1234", "0431323334"),
        (bytes(range(127)), "7f" + bytes(range(127)).hex()),
        (bytes(range(128)), "8001" + bytes(range(128)).hex()),
    ],
    "lv_cat": ((b"1234", b"5", b"", b"678"), "043132333401350003363738"),
    "lexiographically_larger": [
        (b"\0", b"\0\0", False), (b"\1", b"\0\0", True), (b"\0\0", b"\0", True),
        (b"\0\0", b"\1", False), (b"\0\1", b"\1", False), (b"ABCD", b"BCD", False),
    ],
    "o_cat": [((b"ABCD", b"BCD"), "6f6342434441424344"), ((b"BCD", b"ABCDE"), "6f634243444142434445")],
    "transcript_ir": [
        ((b"123", b"PartyA", b"234", b"PartyB"), "03313233065061727479410332333406506172747942"),
        ((b"3456", b"PartyA", b"2345", b"PartyB"), "043334353606506172747941043233343506506172747942"),
    ],
    "transcript_oc": [
        ((b"123", b"PartyA", b"234", b"PartyB"), "6f6303323334065061727479420331323306506172747941"),
        ((b"3456", b"PartyA", b"2345", b"PartyB"), "6f63043334353606506172747941043233343506506172747942"),
    ],
    "zpad_length": 109,
    "generator_string": (
        "0843506163653235350850617373776f72646d" + "00" * 109
        + "180b415f696e69746961746f720b425f726573706f6e646572107e4b4791d6a8ef019b936c79fb7f2c57"),
    "hash_generator_string": "03998087bdb1a2617bbe25ef5a7c18cd4f84f902328701790958755ee4aed1d3",
    "decoded_field_element": "03998087bdb1a2617bbe25ef5a7c18cd4f84f902328701790958755ee4aed153",
    "transcript_ir_Y": (
        "201d13c89278cdadd826f6d8d7f887701430f8380ddc17611cdd6dc989ce0c9f320341446120248cccf6d5cdc3646f0ad593f9e6"
        "cef4e69d4945f8372e623512ecea3218562303414462"),
    "DSI_ISK": "43506163653235355f49534b",
    "isk_input_ir": (
        "0c43506163653235355f49534b107e4b4791d6a8ef019b936c79fb7f2c57205b067effbdc0b2a0e1d907b21ebb25cfedb96a8521"
        "79a847c37e43ee71322c6b201d13c89278cdadd826f6d8d7f887701430f8380ddc17611cdd6dc989ce0c9f320341446120248ccc"
        "f6d5cdc3646f0ad593f9e6cef4e69d4945f8372e623512ecea3218562303414462"),
    "transcript_oc_Y": (
        "6f6320248cccf6d5cdc3646f0ad593f9e6cef4e69d4945f8372e623512ecea3218562303414462201d13c89278cdadd826f6d8d7"
        "f887701430f8380ddc17611cdd6dc989ce0c9f3203414461"),
    "isk_input_oc": (
        "0c43506163653235355f49534b107e4b4791d6a8ef019b936c79fb7f2c57205b067effbdc0b2a0e1d907b21ebb25cfedb96a8521"
        "79a847c37e43ee71322c6b6f6320248cccf6d5cdc3646f0ad593f9e6cef4e69d4945f8372e623512ecea3218562303414462201d"
        "13c89278cdadd826f6d8d7f887701430f8380ddc17611cdd6dc989ce0c9f3203414461"),
    # Low-order and non-canonical points: the scalar s and the results q0 ... qb for the
    # points listed as "Invalid Y0" ... "Invalid Y11" in the JSON file.
    "low_order_scalar": "af46e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449aff",
    "low_order_results": [
        "00" * 32, "00" * 32, "00" * 32, "00" * 32, "00" * 32, "00" * 32,
        "d8e2c776bbacd510d09fd9278b7edcd25fc5ae9adfba3b6e040e8d3b71b21806",
        "00" * 32,
        "c85c655ebe8be44ba9c0ffde69f2fe10194458d137f09bbff725ce58803cdb38",
        "db64dafa9b8fdd136914e61461935fe92aa372cb056314e1231bc4ec12417456",
        "e062dcd5376d58297be2618c7498f55baa07d7e03184e8aada20bca28888bf7a",
        "993c6ad11c4c29da9a56f7691fd0ff8d732e49de6250b6c2e80003ff4629a175",
    ],
    # "u0,u1,u2,u3,u4,u5 and u7 MUST trigger the abort case"
    "low_order_aborts": [0, 1, 2, 3, 4, 5, 7],
}


class Checker:
    def __init__(self, verbose):
        self.verbose = verbose
        self.failures = []
        self.counts = collections.Counter()

    def equal(self, group, what, got, expected):
        self.counts[group] += 1
        if isinstance(got, (bytes, bytearray)):
            got = bytes(got).hex()
        if isinstance(expected, (bytes, bytearray)):
            expected = bytes(expected).hex()
        if isinstance(expected, str):
            expected = expected.lower()
        if got != expected:
            self.failures.append("%s: %s: got %s, expected %s" % (group, what, got, expected))
        elif self.verbose:
            print("ok %s: %s" % (group, what))


def check_cpace(c):
    doc = json.load(open(os.path.join(ROOT, "Resources/cpace-x25519-vectors.json")))
    v = {k: bytes.fromhex(x) for k, x in doc["G_25519"].items()}
    d = DRAFT
    for data, hx in d["prepend_len"]:
        c.equal("cpace", "prepend_len(%d bytes)" % len(data), cc.prepend_len(data), hx)
    args, hx = d["lv_cat"]
    c.equal("cpace", "lv_cat", cc.lv_cat(*args), hx)
    for a, b, larger in d["lexiographically_larger"]:
        c.equal("cpace", "lexiographically_larger(%r, %r)" % (a, b), a > b, larger)
    for (a, b), hx in d["o_cat"]:
        c.equal("cpace", "o_cat(%r, %r)" % (a, b), cc.o_cat(a, b), hx)
    for args, hx in d["transcript_ir"]:
        c.equal("cpace", "transcript_ir%r" % (args,), cc.transcript_ir(*args), hx)
    for args, hx in d["transcript_oc"]:
        c.equal("cpace", "transcript_oc%r" % (args,), cc.transcript_oc(*args), hx)

    prs, ci, sid = v["PRS"], v["CI"], v["sid"]
    zpad = cc.SHA512_BLOCK - 1 - len(cc.prepend_len(prs)) - len(cc.prepend_len(cc.CPACE_DSI))
    c.equal("cpace", "ZPAD length", zpad, d["zpad_length"])
    gen = cc.cpace_generator_details(prs, ci, sid)
    c.equal("cpace", "generator_string", gen["generator_string"], d["generator_string"])
    c.equal("cpace", "hash of the generator string", gen["hash"], d["hash_generator_string"])
    c.equal("cpace", "decoded field element", gen["field_element"], d["decoded_field_element"])
    c.equal("cpace", "g", gen["g"], doc["G_25519"]["g"])
    g = gen["g"]
    ya, yb, ada, adb = v["ya"], v["yb"], v["ADa"], v["ADb"]
    Ya, Yb = cc.cpace_scalar_mult(ya, g), cc.cpace_scalar_mult(yb, g)
    c.equal("cpace", "Ya", Ya, doc["G_25519"]["Ya"])
    c.equal("cpace", "Yb", Yb, doc["G_25519"]["Yb"])
    c.equal("cpace", "Ya (ladder)", cc.x25519_ladder(ya, g), doc["G_25519"]["Ya"])
    c.equal("cpace", "Yb (ladder)", cc.x25519_ladder(yb, g), doc["G_25519"]["Yb"])
    k_a = cc.cpace_scalar_mult_vfy(ya, v["Yb"])
    k_b = cc.cpace_scalar_mult_vfy(yb, v["Ya"])
    c.equal("cpace", "K = scalar_mult_vfy(ya, Yb)", k_a, doc["G_25519"]["K"])
    c.equal("cpace", "K = scalar_mult_vfy(yb, Ya)", k_b, doc["G_25519"]["K"])
    c.equal("cpace", "K (ladder)", cc.x25519_ladder(ya, v["Yb"]), doc["G_25519"]["K"])
    t_ir = cc.transcript_ir(v["Ya"], ada, v["Yb"], adb)
    t_oc = cc.transcript_oc(v["Ya"], ada, v["Yb"], adb)
    c.equal("cpace", "transcript_ir(Ya, ADa, Yb, ADb)", t_ir, d["transcript_ir_Y"])
    c.equal("cpace", "transcript_oc(Ya, ADa, Yb, ADb)", t_oc, d["transcript_oc_Y"])
    c.equal("cpace", "DSI_ISK", cc.CPACE_DSI + b"_ISK", d["DSI_ISK"])
    c.equal("cpace", "lv_cat(DSI, sid, K) || transcript_ir",
            cc.lv_cat(cc.CPACE_DSI + b"_ISK", sid, k_a) + t_ir, d["isk_input_ir"])
    c.equal("cpace", "lv_cat(DSI, sid, K) || transcript_oc",
            cc.lv_cat(cc.CPACE_DSI + b"_ISK", sid, k_a) + t_oc, d["isk_input_oc"])
    c.equal("cpace", "ISK_IR", cc.cpace_isk(sid, k_a, t_ir), doc["G_25519"]["ISK_IR"])
    c.equal("cpace", "ISK_SY", cc.cpace_isk(sid, k_b, t_oc), doc["G_25519"]["ISK_SY"])
    c.equal("cpace", "sid_output_ir", cc.cpace_sid_output(t_ir), doc["G_25519"]["sid_output_ir"])
    c.equal("cpace", "sid_output_oc", cc.cpace_sid_output(t_oc), doc["G_25519"]["sid_output_oc"])

    s = bytes.fromhex(d["low_order_scalar"])
    points = doc["X25519_points"]
    for i, expected in enumerate(d["low_order_results"]):
        name = "Invalid Y%d" % i
        u = bytes.fromhex(points[name])
        c.equal("cpace", "scalar_mult(s, %s)" % name, cc.x25519(s, u), expected)
        c.equal("cpace", "scalar_mult(s, %s) (ladder)" % name, cc.x25519_ladder(s, u), expected)
        try:
            cc.cpace_scalar_mult_vfy(s, u)
            aborted = False
        except cc.CPaceAbort:
            aborted = True
        c.equal("cpace", "scalar_mult_vfy(s, %s) aborts" % name, aborted, i in d["low_order_aborts"])
    c.equal("cpace", "every point of the table checked", len(points), len(d["low_order_results"]))


def check_noise(c):
    doc = json.load(open(os.path.join(ROOT, "Resources/noise-cacophony-vectors.json")))
    per = collections.Counter()
    skipped = []
    for vector in doc["vectors"]:
        name = vector["protocol_name"]
        try:
            cc.parse_protocol_name(name)
        except ValueError:
            skipped.append(name)
            continue
        h = lambda key: bytes.fromhex(vector[key]) if key in vector else None
        init = cc.HandshakeState(name, True, h("init_prologue"), s=h("init_static"), e=h("init_ephemeral"),
                                 rs=h("init_remote_static"), psks=[bytes.fromhex(p) for p in vector.get("init_psks", [])])
        resp = cc.HandshakeState(name, False, h("resp_prologue"), s=h("resp_static"), e=h("resp_ephemeral"),
                                 rs=h("resp_remote_static"), psks=[bytes.fromhex(p) for p in vector.get("resp_psks", [])])
        ciphers = None  # (c1, c2) of each side once split
        i_ciphers = r_ciphers = None
        for index, message in enumerate(vector["messages"]):
            payload, expected = bytes.fromhex(message["payload"]), message["ciphertext"]
            initiator_sends = index % 2 == 0
            where = "%s message %d" % (name, index)
            try:
                if i_ciphers is None:  # handshake
                    writer, reader = (init, resp) if initiator_sends else (resp, init)
                    out, w_split = writer.write_message(payload)
                    c.equal("noise", where + " (written)", out, expected)
                    got, r_split = reader.read_message(bytes.fromhex(expected))
                    c.equal("noise", where + " (read)", got, payload)
                    if w_split:
                        i_ciphers, r_ciphers = (w_split, r_split) if initiator_sends else (r_split, w_split)
                        c.equal("noise", name + " handshake hash (initiator)", init.handshake_hash(), vector["handshake_hash"])
                        c.equal("noise", name + " handshake hash (responder)", resp.handshake_hash(), vector["handshake_hash"])
                else:  # transport: c1 initiator -> responder, c2 responder -> initiator
                    if initiator_sends:
                        send, receive = i_ciphers[0], r_ciphers[0]
                    else:
                        send, receive = r_ciphers[1], i_ciphers[1]
                    c.equal("noise", where + " (transport, sealed)", send.encrypt_with_ad(b"", payload), expected)
                    c.equal("noise", where + " (transport, opened)", receive.decrypt_with_ad(b"", bytes.fromhex(expected)), payload)
            except cc.NoiseError as error:
                c.failures.append("noise: %s: %s" % (where, error))
        if i_ciphers is None:
            c.failures.append("noise: %s: the handshake did not finish" % name)
        per[name.split("_")[1] + "/" + name.split("_")[3]] += 1
    return per, skipped


def main():
    c = Checker("-v" in sys.argv[1:])
    check_cpace(c)
    per, skipped = check_noise(c)
    summary = ", ".join("%s %d" % item for item in sorted(per.items()))
    print("cpace: %d values checked; noise: %d vectors (%s), %d values checked%s" % (
        c.counts["cpace"], sum(per.values()), summary, c.counts["noise"],
        "; skipped (unsupported pattern): " + ", ".join(skipped) if skipped else ""))
    for failure in c.failures:
        print("MISMATCH " + failure, file=sys.stderr)
    if c.failures:
        print("%d mismatches" % len(c.failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
