/// The encrypted channel's cryptography, pure: field arithmetic mod 2²⁵⁵−19 and Elligator 2
/// (constant-time), CPace (draft-irtf-cfrg-cpace, X25519/SHA-512), and the Noise handshake
/// (revision 34) over swift-crypto's X25519, ChaCha20-Poly1305, AES-GCM and SHA-256.
///
/// Every construction here is checked against published test vectors (Resources/) and by an
/// independent Python implementation (scripts/); docs/PROTOCOL.md says how chat uses them.
public enum ChatCrypto {}
