#include "import/checksum.h"

#include <openssl/evp.h>

#include <array>

namespace strata::import {

namespace {

// A 256-entry table for the reflected polynomial 0xEDB88320. zlib has the same function, but
// strata does not otherwise link zlib; these dozen lines are cheaper than a new dependency.
const std::array<std::uint32_t, 256>& CrcTable() {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
}

std::string DigestHex(const EVP_MD* md, std::string_view bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &len, md, nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[out[i] >> 4]);
    hex.push_back(kHex[out[i] & 0xF]);
  }
  return hex;
}

}  // namespace

std::uint32_t Crc32(std::string_view bytes, std::uint32_t crc) {
  const auto& t = CrcTable();
  crc = ~crc;
  for (unsigned char b : bytes) crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

std::int32_t FlywayChecksum(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  std::uint32_t crc = 0;
  size_t i = 0;
  while (i < bytes.size()) {
    size_t end = bytes.find_first_of("\r\n", i);
    if (end == std::string_view::npos) end = bytes.size();
    crc = Crc32(bytes.substr(i, end - i), crc);
    i = end;
    if (i < bytes.size()) {
      bool crlf = bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n';
      i += crlf ? 2 : 1;
    }
  }
  return static_cast<std::int32_t>(crc);
}

std::string LiquibaseChecksumV9(std::string_view sql) {
  std::string compact;
  compact.reserve(sql.size());
  for (char c : sql) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') compact.push_back(c);
  }
  std::string change = "9:" + Md5Hex(compact);
  return "9:" + Md5Hex(change + ":");
}

std::string Md5Hex(std::string_view bytes) { return DigestHex(EVP_md5(), bytes); }
std::string Sha1Hex(std::string_view bytes) { return DigestHex(EVP_sha1(), bytes); }

}  // namespace strata::import
