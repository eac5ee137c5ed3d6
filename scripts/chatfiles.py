"""File transfer frames (0x40-0x47, capability `files`) and received-name cleaning, written
from docs/PROTOCOL.md §10 independently of the Swift code (Sources/ChatProtocol/Transfer/).

Used by scripts/make-protocol-vectors.py (the `file_frames`, `file_frames_malformed` and
`file_names` vectors) and scripts/reference-client.py (--accept-files, --send-file).

- encode_*(...) give a frame's payload; file_frame(type, payload) the whole frame.
- parse(type, payload) gives a dict of the fields (the vectors' shape) or raises
  FileFrameError with the error name a receiver reports (malformedFrame, invalidUTF8).
- clean_name(raw) gives the cleaned name, or None when the name is refused; unique_name
  and part_name pick names on disk.
"""
import hashlib
import struct

FILE_OFFER, FILE_ACCEPT, FILE_REJECT, FILE_CHUNK = 0x40, 0x41, 0x42, 0x43
FILE_CREDIT, FILE_DONE, FILE_RESULT, FILE_CANCEL = 0x44, 0x45, 0x46, 0x47
FILE_TYPES = range(FILE_OFFER, FILE_CANCEL + 1)
TYPE_NAMES = {FILE_OFFER: "fileOffer", FILE_ACCEPT: "fileAccept", FILE_REJECT: "fileReject",
              FILE_CHUNK: "fileChunk", FILE_CREDIT: "fileCredit", FILE_DONE: "fileDone",
              FILE_RESULT: "fileResult", FILE_CANCEL: "fileCancel"}
CAPABILITY = "files"

ID_LENGTH = 16
RESUME_KEY_LENGTH = 16
MAX_PEER = 64           # bytes of an OFFER's peer name
MAX_NAME = 255          # bytes of a file name on the wire (a cleaned one is at most 250)
STATUS_VERIFIED, STATUS_HASH_MISMATCH, STATUS_FAILED = 0, 1, 2
INITIAL_WINDOW = 4 << 20
MAX_CHUNK = 128 << 10


class FileFrameError(Exception):
    """A malformed file frame: `error` is the protocol's error name."""

    def __init__(self, error, message):
        super().__init__(message)
        self.error = error
        self.message = message


def file_frame(ftype, payload):
    """A whole frame: u32be payload length, type byte, payload."""
    return struct.pack("!IB", len(payload), ftype) + payload


def _id(transfer_id):
    if len(transfer_id) != ID_LENGTH:
        raise ValueError("a transfer id is 16 bytes")
    return bytes(transfer_id)


def encode_offer(transfer_id, size, resume_key, peer, name):
    peer_b, name_b = peer.encode(), name.encode()
    if len(resume_key) != RESUME_KEY_LENGTH or len(peer_b) > MAX_PEER or not 1 <= len(name_b) <= MAX_NAME:
        raise ValueError("offer: resume key of 16 bytes, peer of at most 64, name of 1 to 255")
    return _id(transfer_id) + struct.pack("!Q", size) + bytes(resume_key) + bytes([len(peer_b)]) + peer_b + name_b


def encode_accept(transfer_id, offset, window):
    if window < 1:
        raise ValueError("accept: a window of at least 1 byte")
    return _id(transfer_id) + struct.pack("!QI", offset, window)


def encode_reject(transfer_id, reason):
    return _id(transfer_id) + reason.encode()


def encode_chunk(transfer_id, offset, data):
    if not data:
        raise ValueError("chunk: at least 1 byte of data")
    return _id(transfer_id) + struct.pack("!Q", offset) + bytes(data)


def encode_credit(transfer_id, credit):
    if credit < 1:
        raise ValueError("credit: at least 1 byte")
    return _id(transfer_id) + struct.pack("!I", credit)


def encode_done(transfer_id, sha256):
    if len(sha256) != 32:
        raise ValueError("done: a SHA-256 is 32 bytes")
    return _id(transfer_id) + bytes(sha256)


def encode_result(transfer_id, status, reason):
    if status not in (STATUS_VERIFIED, STATUS_HASH_MISMATCH, STATUS_FAILED):
        raise ValueError("result: status 0, 1 or 2")
    return _id(transfer_id) + bytes([status]) + reason.encode()


def encode_cancel(transfer_id, reason):
    return _id(transfer_id) + reason.encode()


def encode(fields):
    """The whole frame of a fields dict in the vectors' shape (the inverse of parse)."""
    t = fields["type"]
    i = bytes.fromhex(fields["id"])
    if t == "fileOffer":
        return file_frame(FILE_OFFER, encode_offer(i, fields["size"], bytes.fromhex(fields["resumeKey"]),
                                                   fields["peer"], fields["name"]))
    if t == "fileAccept":
        return file_frame(FILE_ACCEPT, encode_accept(i, fields["offset"], fields["window"]))
    if t == "fileReject":
        return file_frame(FILE_REJECT, encode_reject(i, fields["reason"]))
    if t == "fileChunk":
        return file_frame(FILE_CHUNK, encode_chunk(i, fields["offset"], bytes.fromhex(fields["data"])))
    if t == "fileCredit":
        return file_frame(FILE_CREDIT, encode_credit(i, fields["bytes"]))
    if t == "fileDone":
        return file_frame(FILE_DONE, encode_done(i, bytes.fromhex(fields["sha256"])))
    if t == "fileResult":
        return file_frame(FILE_RESULT, encode_result(i, fields["status"], fields["reason"]))
    if t == "fileCancel":
        return file_frame(FILE_CANCEL, encode_cancel(i, fields["reason"]))
    raise ValueError("not a file frame: " + t)


def _text(data, what):
    try:
        return data.decode("utf-8")  # strict: overlongs, surrogates and truncations refused
    except UnicodeDecodeError:
        raise FileFrameError("invalidUTF8", "%s is not UTF-8" % what) from None


def parse(ftype, payload):
    """The fields of a file frame's payload, as a dict in the vectors' shape. Raises
    FileFrameError("malformedFrame" | "invalidUTF8", message). Checks the layout only:
    whether the frame fits a transfer's state is the transfer's business."""
    payload = bytes(payload)
    name = TYPE_NAMES.get(ftype)
    if name is None:
        raise ValueError("not a file frame type: 0x%02x" % ftype)
    minimum = {FILE_OFFER: 16 + 8 + 16 + 1 + 1, FILE_ACCEPT: 28, FILE_REJECT: 16, FILE_CHUNK: 16 + 8 + 1,
               FILE_CREDIT: 20, FILE_DONE: 48, FILE_RESULT: 17, FILE_CANCEL: 16}[ftype]
    exact = ftype in (FILE_ACCEPT, FILE_CREDIT, FILE_DONE)
    if len(payload) < minimum or (exact and len(payload) != minimum):
        raise FileFrameError("malformedFrame", "%s of %d bytes: it takes %s %d" % (
            name, len(payload), "exactly" if exact else "at least", minimum))
    out = {"type": name, "id": payload[:16].hex()}
    rest = payload[16:]
    if ftype == FILE_OFFER:
        size, = struct.unpack("!Q", rest[:8])
        resume_key = rest[8:24]
        peer_length = rest[24]
        if peer_length > MAX_PEER:
            raise FileFrameError("malformedFrame", "fileOffer: a peer name of %d bytes (at most 64)" % peer_length)
        if len(rest) < 25 + peer_length + 1:
            raise FileFrameError("malformedFrame", "fileOffer: no file name after the peer name")
        peer = rest[25:25 + peer_length]
        file_name = rest[25 + peer_length:]
        if len(file_name) > MAX_NAME:
            raise FileFrameError("malformedFrame", "fileOffer: a file name of %d bytes (at most 255)" % len(file_name))
        out.update(size=size, resumeKey=resume_key.hex(), peer=_text(peer, "fileOffer: the peer name"),
                   name=_text(file_name, "fileOffer: the file name"))
    elif ftype == FILE_ACCEPT:
        offset, window = struct.unpack("!QI", rest)
        if window == 0:
            raise FileFrameError("malformedFrame", "fileAccept: a window of 0 bytes")
        out.update(offset=offset, window=window)
    elif ftype in (FILE_REJECT, FILE_CANCEL):
        out.update(reason=_text(rest, "%s: the reason" % name))
    elif ftype == FILE_CHUNK:
        offset, = struct.unpack("!Q", rest[:8])
        out.update(offset=offset, data=rest[8:].hex())
    elif ftype == FILE_CREDIT:
        credit, = struct.unpack("!I", rest)
        if credit == 0:
            raise FileFrameError("malformedFrame", "fileCredit: a credit of 0 bytes")
        out.update(bytes=credit)
    elif ftype == FILE_DONE:
        out.update(sha256=rest.hex())
    elif ftype == FILE_RESULT:
        if rest[0] > STATUS_FAILED:
            raise FileFrameError("malformedFrame", "fileResult: unknown status %d" % rest[0])
        out.update(status=rest[0], reason=_text(rest[1:], "fileResult: the reason"))
    return out


def resume_key(realpath, size, mtime_ns):
    """First 16 bytes of SHA-256("chat file resume" || realpath (UTF-8) || u64 size || u64 mtime ns)."""
    data = b"chat file resume" + realpath.encode("utf-8", "surrogateescape") + struct.pack("!QQ", size, mtime_ns)
    return hashlib.sha256(data).digest()[:16]


def chunk_size(peer_maximum_payload):
    """min(128 KiB, the peer's maximum payload - 32): a CHUNK's 24 bytes of id and offset fit."""
    return min(MAX_CHUNK, peer_maximum_payload - 32)


# ---------------------------------------------------------------------------------------
# Cleaning a received file name. NAME_RULES is the exact text that docs/PROTOCOL.md §10 and
# the vectors (file_names.about) carry; clean_name implements it step by step.

NAME_RULES = (
    "SafeFileName.clean(raw), on Unicode scalars (code points), never on grapheme clusters, in this order: "
    "(1) no Unicode normalisation (a decomposed name stays decomposed). "
    "(2) keep only the scalars after the last U+002F '/' or U+005C '\\' (the whole name if it has neither; "
    "no other character is a separator). "
    "(3) replace each of these scalars with one '_' (U+005F): U+0000-U+001F, U+007F-U+009F, U+061C, U+200E, "
    "U+200F, U+2028, U+2029, U+202A-U+202E, U+2066-U+2069, and the slash and backslash look-alikes U+2044, "
    "U+2215, U+2216, U+2571, U+2572, U+29F5, U+29F8, U+29F9, U+FE68, U+FF0F, U+FF3C; nothing else is replaced "
    "or removed (an escape sequence keeps its printable rest: ESC [ 2 J becomes _[2J; a zero-width joiner "
    "stays). "
    "(4) remove every ' ' (U+0020) at the start; remove every '.' (U+002E) and ' ' (U+0020) at the end. "
    "(5) refuse the name if it is now empty (this refuses '', '.', '..', '...', ' ', 'dir/'). "
    "(6) if the first scalar is '.', replace that one scalar with '_' ('.bashrc' -> '_bashrc', "
    "'..x' -> '_.x'). "
    "(7) if the name is over 250 UTF-8 bytes: the extension is the last '.' and every scalar after it when "
    "that is at most 32 UTF-8 bytes and the dot is not the first scalar, else empty; the stem is the rest "
    "before it; keep the longest prefix of whole scalars of the stem whose bytes plus the extension's are at "
    "most 250, append the extension, then apply (4) and (5) again. 250, not 255: the receiver writes "
    "NAME.part, and Linux refuses a name over 255 bytes. A name of at most 250 bytes is not changed by this "
    "step, so a cleaned name is at most 250 bytes.")

REPLACED = [(0x0000, 0x001F), (0x007F, 0x009F), (0x061C, 0x061C), (0x200E, 0x200F), (0x2028, 0x2029),
            (0x202A, 0x202E), (0x2066, 0x2069),
            # slash and backslash look-alikes
            (0x2044, 0x2044), (0x2215, 0x2216), (0x2571, 0x2572), (0x29F5, 0x29F5), (0x29F8, 0x29F9),
            (0xFE68, 0xFE68), (0xFF0F, 0xFF0F), (0xFF3C, 0xFF3C)]
MAX_EXTENSION = 32
MAX_CLEAN_NAME = MAX_NAME - len(".part")  # 250: NAME.part must fit Linux's 255 bytes


def _replaced(c):
    return any(lo <= ord(c) <= hi for lo, hi in REPLACED)


def _utf8_length(text):
    return len(text.encode("utf-8"))


def split_extension(name):
    """(stem, extension): the extension is the last '.' and what follows when the dot is not
    the first scalar and the extension is at most 32 UTF-8 bytes, else empty."""
    dot = name.rfind(".")
    if dot <= 0 or _utf8_length(name[dot:]) > MAX_EXTENSION:
        return name, ""
    return name[:dot], name[dot:]


def cut_to_bytes(stem, limit):
    """The longest prefix of whole scalars of stem with at most limit UTF-8 bytes."""
    out, used = [], 0
    for c in stem:
        size = _utf8_length(c)
        if used + size > limit:
            break
        out.append(c)
        used += size
    return "".join(out)


def _trim(name):
    return name.lstrip(" ").rstrip(". ")


def clean_name(raw):
    """The cleaned file name (str), or None when the name is refused. Python's str is a
    sequence of scalars, so every step below is on scalars."""
    name = raw                                                                 # (1) no NFC
    cut = max(name.rfind("/"), name.rfind("\\"))                              # (2)
    name = name[cut + 1:]
    name = "".join("_" if _replaced(c) else c for c in name)                   # (3)
    name = _trim(name)                                                         # (4)
    if not name:                                                               # (5)
        return None
    if name[0] == ".":                                                         # (6)
        name = "_" + name[1:]
    if _utf8_length(name) > MAX_CLEAN_NAME:                                    # (7)
        stem, extension = split_extension(name)
        name = cut_to_bytes(stem, MAX_CLEAN_NAME - _utf8_length(extension)) + extension
        name = _trim(name)
        if not name:
            return None
    return name


def unique_name(name, exists, limit=MAX_CLEAN_NAME):
    """name if exists(name) is false, else the first of 'stem (1)ext', 'stem (2)ext', ...
    (split_extension's stem and extension) that doesn't exist, the stem cut on a scalar
    boundary so the whole stays within limit bytes."""
    if not exists(name):
        return name
    stem, extension = split_extension(name)
    for n in range(1, 1 << 20):
        suffix = " (%d)%s" % (n, extension)
        candidate = cut_to_bytes(stem, limit - _utf8_length(suffix)) + suffix
        if not exists(candidate):
            return candidate
    raise FileExistsError("no free name for " + name)


def part_name(name):
    """NAME.part, the name cut (scalars) so that the whole stays within 255 bytes."""
    return cut_to_bytes(name, MAX_NAME - len(".part")) + ".part"
