#include "evidence/sign.h"

#include "base/sha256.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <vector>

namespace strata::evidence {

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct MdFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

std::string B64(const unsigned char* p, size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n));
  out.resize(static_cast<size_t>(len));
  return out;
}

bool UnB64(const std::string& s, std::vector<unsigned char>* out) {
  if (s.empty() || s.size() % 4 != 0) return false;
  out->assign(3 * s.size() / 4 + 1, 0);
  int len = EVP_DecodeBlock(out->data(), reinterpret_cast<const unsigned char*>(s.data()),
                            static_cast<int>(s.size()));
  if (len < 0) return false;
  size_t pad = 0;
  if (s.size() >= 1 && s[s.size() - 1] == '=') ++pad;
  if (s.size() >= 2 && s[s.size() - 2] == '=') ++pad;
  out->resize(static_cast<size_t>(len) - pad);
  return true;
}

Result<Pkey> ReadKey(const std::string& path, bool want_private) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) {
    return Status(ErrorCode::kIo, fmt::format("cannot read the key file {}", path))
        .WithHint(
            "check the path; create a key with `openssl genpkey -algorithm ed25519 -out "
            "key.pem`");
  }
  EVP_PKEY* k = want_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                             : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (!k && !want_private) {
    // Accept a private key file too: its public half.
    std::unique_ptr<BIO, BioFree> again(BIO_new_file(path.c_str(), "r"));
    if (again) k = PEM_read_bio_PrivateKey(again.get(), nullptr, nullptr, nullptr);
  }
  Pkey key(k);
  if (!key || EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) {
    return Status(ErrorCode::kConfig, fmt::format("{} is not an Ed25519 {} key in PEM form", path,
                                                  want_private ? "private" : "public"))
        .WithHint(want_private ? "create one with `openssl genpkey -algorithm ed25519 -out "
                                 "key.pem`"
                               : "export it with `openssl pkey -in key.pem -pubout -out pub.pem`");
  }
  return key;
}

std::string RawPublicB64(EVP_PKEY* key) {
  unsigned char pub[32];
  size_t len = sizeof(pub);
  if (EVP_PKEY_get_raw_public_key(key, pub, &len) != 1) return {};
  return B64(pub, len);
}

}  // namespace

std::string Fingerprint(const std::string& pub_b64) {
  std::vector<unsigned char> raw;
  if (!UnB64(pub_b64, &raw)) return {};
  std::string hex =
      base::Sha256Hex(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
  return "sha256:" + hex.substr(0, 16);
}

Result<Signature> SignEd25519(std::string_view message, const std::string& key_path) {
  STRATA_ASSIGN_OR_RETURN(Pkey key, ReadKey(key_path, true));
  std::unique_ptr<EVP_MD_CTX, MdFree> ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  size_t sig_len = sizeof(sig);
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &sig_len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return Status(ErrorCode::kInternal, "OpenSSL could not sign with the Ed25519 key");
  }
  Signature s;
  s.signature_b64 = B64(sig, sig_len);
  s.public_key_b64 = RawPublicB64(key.get());
  s.fingerprint = Fingerprint(s.public_key_b64);
  return s;
}

bool VerifyEd25519(std::string_view message, const std::string& sig_b64,
                   const std::string& pub_b64) {
  std::vector<unsigned char> sig, pub;
  if (!UnB64(sig_b64, &sig) || !UnB64(pub_b64, &pub) || pub.size() != 32 || sig.size() != 64) {
    return false;
  }
  Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub.data(), pub.size()));
  if (!key) return false;
  std::unique_ptr<EVP_MD_CTX, MdFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(),
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

Result<std::string> ReadPublicKeyB64(const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(Pkey key, ReadKey(path, false));
  std::string b64 = RawPublicB64(key.get());
  if (b64.empty())
    return Status(ErrorCode::kConfig, fmt::format("{}: no Ed25519 public key", path));
  return b64;
}

}  // namespace strata::evidence
