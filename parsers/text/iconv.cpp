// Conversion of legacy encodings to UTF-8 with glibc's iconv, for the feed
// parser (the charset of a feed) and the extractor (the charset of a page).
#include <iconv.h>

#include <array>
#include <cerrno>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/text/text.hpp"

namespace fw::text {
namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD";

// Owns an iconv conversion descriptor.
class Iconv {
 public:
  Iconv(const char* to, const char* from) : m_cd(iconv_open(to, from)) {}
  ~Iconv() {
    if (ok()) iconv_close(m_cd);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;

  bool ok() const { return m_cd != reinterpret_cast<iconv_t>(-1); }  // NOLINT: iconv's sentinel
  iconv_t get() const { return m_cd; }

 private:
  iconv_t m_cd;
};

}  // namespace

std::optional<std::string> decode_iconv(std::string_view bytes, const std::string& encoding,
                                        std::size_t& bad_bytes) {
  const Iconv cd("UTF-8", encoding.c_str());
  if (!cd.ok()) return std::nullopt;
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 2 + 16);
  std::vector<char> input(bytes.begin(), bytes.end());  // iconv's input is not const
  char* in = input.data();
  std::size_t in_left = input.size();
  std::array<char, 8192> buffer{};
  bad_bytes = 0;
  while (in_left > 0) {
    char* dst = buffer.data();
    std::size_t dst_left = buffer.size();
    const std::size_t rc = iconv(cd.get(), &in, &in_left, &dst, &dst_left);
    out.append(buffer.data(), buffer.size() - dst_left);
    if (rc != static_cast<std::size_t>(-1) || errno == E2BIG) continue;
    // EILSEQ (invalid sequence) or EINVAL (truncated at the end): replace one byte and go on.
    out += k_replacement;
    ++bad_bytes;
    ++in;
    --in_left;
  }
  return out;
}

}  // namespace fw::text
