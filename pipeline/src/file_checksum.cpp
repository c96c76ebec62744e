#include "pipeline/file_checksum.hpp"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace musicagent::pipeline {

FileChecksum checksum_file(const std::filesystem::path& path) {
  constexpr std::size_t kBlock = 1 << 20;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string() + " to checksum it");

  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL could not start a SHA-256 digest");
  }
  FileChecksum result;
  std::string buffer(kBlock, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    result.bytes += got;
    EVP_DigestUpdate(ctx.get(), buffer.data(), got);
  }
  if (in.bad()) throw std::runtime_error("read error while checksumming " + path.string());

  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest.data(), &length);
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < length; ++i) {
    result.sha256_hex += kHex[digest[i] >> 4];
    result.sha256_hex += kHex[digest[i] & 0xF];
  }
  return result;
}

}  // namespace musicagent::pipeline
