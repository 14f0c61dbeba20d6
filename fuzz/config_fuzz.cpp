// libFuzzer target for the YAML configuration: any bytes given to
// config::load_string() must give a Config or a ConfigError listing at least
// one problem, each "NAME:LINE: ..." (what check-config prints); no other
// exception, crash or hang. A Config that loads must load again from the same
// text with the same summary: checked on one input length in eight, as the
// second load doubles the cost of every input and the fuzzer's mutations
// reach all lengths. Durations are parsed on their own too.
//   scripts/fuzz 60     (seeds: fuzz/corpus/config_fuzz/)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "daemon/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16384) return 0;
  const std::string yaml(reinterpret_cast<const char*>(data), size);  // NOLINT: libFuzzer's API
  (void)fw::config::parse_duration(yaml.substr(0, 64));
  try {
    const fw::config::Config config = fw::config::load_string(yaml, "fuzz.yaml");
    const std::string first = fw::config::summary(config);
    if (size % 8 == 0 && fw::config::summary(fw::config::load_string(yaml, "fuzz.yaml")) != first)
      std::abort();
  } catch (const fw::config::ConfigError& e) {
    if (e.problems().empty()) std::abort();
    for (const std::string& p : e.problems()) {
      if (p.rfind("fuzz.yaml:", 0) != 0) std::abort();
    }
  }
  return 0;
}
