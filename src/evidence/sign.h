// Ed25519 signatures over evidence digests (OpenSSL EVP). Keys are PEM files the operator
// provides (`openssl genpkey -algorithm ed25519 -out key.pem`; `openssl pkey -in key.pem
// -pubout -out pub.pem`). strata never writes a private key anywhere. Thread-safe.
#pragma once

#include "strata/result.h"

#include <string>
#include <string_view>

namespace strata::evidence {

struct Signature {
  std::string signature_b64;   // 64-byte Ed25519 signature, base64
  std::string public_key_b64;  // 32-byte raw public key, base64
  std::string fingerprint;     // "sha256:<first 16 hex of SHA-256 of the raw public key>"
};

// Signs `message` with the Ed25519 private key in the PEM file `key_path`. Errors: kIo (cannot
// read), kConfig (not an Ed25519 private key).
Result<Signature> SignEd25519(std::string_view message, const std::string& key_path);

// Verifies `sig_b64` over `message` with the raw public key `pub_b64`. Returns false on any
// mismatch or malformed input.
bool VerifyEd25519(std::string_view message, const std::string& sig_b64,
                   const std::string& pub_b64);

// Reads an Ed25519 public key PEM (or a private key PEM, taking its public half) and returns
// the raw key in base64. Errors: kIo, kConfig.
Result<std::string> ReadPublicKeyB64(const std::string& path);

std::string Fingerprint(const std::string& pub_b64);

}  // namespace strata::evidence
