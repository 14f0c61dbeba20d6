// libFuzzer target for the robots.txt parser and matcher: any bytes must parse
// without crashing; every rule kept is non-empty and starts with '/' or '*';
// the input's first line (up to 2 KiB) is also used as a path to match, and
// /robots.txt is always allowed.
//   scripts/fuzz 60     (seeds: fuzz/corpus/robots_fuzz/)
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parsers/robots/robots.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT: libFuzzer's API
  const fw::robots::Robots robots = fw::robots::parse(text);
  for (const auto& group : robots.groups) {
    for (const auto& rule : group.rules) {
      if (rule.pattern.empty() || (rule.pattern[0] != '/' && rule.pattern[0] != '*')) std::abort();
    }
  }
  const std::string_view path = text.substr(0, std::min<std::size_t>(text.find('\n'), 2048));
  for (const char* agent : {"feedwatch", "*", ""}) {
    const fw::robots::Rules rules = fw::robots::rules_for(robots, agent);
    (void)rules.allowed(path);
    if (!rules.allowed("/robots.txt")) std::abort();
  }
  return 0;
}
