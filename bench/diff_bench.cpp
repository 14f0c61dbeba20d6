// Word diff speed (issue 5: "word diff of two 10 KB articles differing by five
// sentences", target >= 100x faster than Python's difflib at word level).
//
//   build/bench/diff_bench                  # C++ figures only
//   python3 bench/compare_diff.py build/bench/diff_bench   # C++ vs difflib, same inputs
//
// The inputs are generated deterministically from the shared seed text
// (../shared/seeds/000_c86083cb723734bd.txt next to the source tree): its
// article paragraphs, in order, until the text reaches 10,000 bytes (old); the
// same with the second sentence of five evenly spaced paragraphs rewritten
// (new). With FW_DIFF_BENCH_DUMP=DIR set, the two texts are written to
// DIR/old.txt and DIR/new.txt so compare_diff.py feeds difflib the same bytes.
//   WordDiff           fw::diff::diff (tokenize, paragraph + token O(NP), hunks)
//   WordDiffFlat       same texts with paragraph breaks turned into spaces: one
//                      paragraph, so the token-level diff does all the work
//   WordDiffIdentical  old vs a copy of itself
//   Tokenize           tokenize both texts
//   CanonicalText      canonical_text (NFC, folding, whitespace) of both texts
//   Classify           classify() of the two versions (canonicalize + diff + rules)
#include <benchmark/benchmark.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/diff/canonical.hpp"
#include "parsers/diff/classify.hpp"
#include "parsers/diff/diff.hpp"
#include "parsers/diff/tokenize.hpp"

namespace {

constexpr std::size_t k_target_bytes = 10000;

constexpr std::array<std::string_view, 5> k_replacements = {
    "Analysts at two brokerages said the figure would be revised once audited accounts were published.",
    "A spokesperson for the company declined to comment on the report when contacted on Monday.",
    "Officials in Beijing said the rules would be reviewed again before the end of the year.",
    "Several investors told reporters they had sold their holdings in the days that followed.",
    "The government has since said that it will publish further guidance in the spring.",
};

struct Inputs {
  std::string old_text;
  std::string new_text;
  std::string error;
};

std::vector<std::string> split(const std::string& s, std::string_view sep) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (true) {
    std::size_t end = s.find(sep, begin);
    out.push_back(s.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) return out;
    begin = end + sep.size();
  }
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out.append(sep);
    out.append(p);
  }
  return out;
}

Inputs make_inputs() {
  Inputs in;
  const std::string path = std::string(FW_SOURCE_DIR) + "/../shared/seeds/000_c86083cb723734bd.txt";
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    in.error = "cannot read " + path;
    return in;
  }
  std::string seed((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  // Article paragraphs: skip the feed's metadata lines, "The post ... appeared first" and "]]>" lines.
  std::vector<std::string> paragraphs;
  std::size_t bytes = 0;
  for (std::string p : split(seed, "\n\n")) {
    if (p.rfind("]]>\n", 0) == 0) p = p.substr(4);
    if (p.empty() || p.find("://") != std::string::npos || p.rfind("The post ", 0) == 0 ||
        p.rfind("]]>", 0) == 0) {
      continue;
    }
    paragraphs.push_back(p);
    bytes += p.size() + 2;
    if (bytes >= k_target_bytes) break;
  }
  in.old_text = join(paragraphs, "\n\n");
  // Rewrite the second sentence of five paragraphs spread over the text.
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < paragraphs.size(); ++i) {
    std::size_t first = paragraphs[i].find(". ");
    if (first != std::string::npos && paragraphs[i].find(". ", first + 2) != std::string::npos)
      candidates.push_back(i);
  }
  if (candidates.size() < k_replacements.size()) {
    in.error = "seed text has too few multi-sentence paragraphs";
    return in;
  }
  for (std::size_t k = 0; k < k_replacements.size(); ++k) {
    std::string& p = paragraphs[candidates[k * candidates.size() / k_replacements.size()]];
    std::size_t begin = p.find(". ") + 2;
    std::size_t end = p.find(". ", begin) + 1;
    p.replace(begin, end - begin, k_replacements[k]);
  }
  in.new_text = join(paragraphs, "\n\n");
  if (const char* dir = std::getenv("FW_DIFF_BENCH_DUMP")) {
    std::ofstream(std::string(dir) + "/old.txt", std::ios::binary) << in.old_text;
    std::ofstream(std::string(dir) + "/new.txt", std::ios::binary) << in.new_text;
  }
  return in;
}

const Inputs& inputs() {
  static const Inputs k_inputs = make_inputs();
  return k_inputs;
}

std::string flatten(std::string s) {
  for (std::size_t at = s.find("\n\n"); at != std::string::npos; at = s.find("\n\n", at))
    s.replace(at, 2, " ");
  return s;
}

bool ready(benchmark::State& state) {
  if (!inputs().error.empty()) {
    state.SkipWithError(inputs().error.c_str());
    return false;
  }
  return true;
}

void set_counters(benchmark::State& state, const std::string& a, const std::string& b) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(a.size() + b.size()));
  state.counters["old_bytes"] = static_cast<double>(a.size());
  state.counters["new_bytes"] = static_cast<double>(b.size());
}

void WordDiff(benchmark::State& state) {
  if (!ready(state)) return;
  const Inputs& in = inputs();
  std::size_t changes = 0;
  for (auto _ : state) {
    fw::diff::Diff d = fw::diff::diff(in.old_text, in.new_text);
    changes = d.changes.size();
    benchmark::DoNotOptimize(d);
  }
  set_counters(state, in.old_text, in.new_text);
  state.counters["changes"] = static_cast<double>(changes);
}
BENCHMARK(WordDiff);

void WordDiffFlat(benchmark::State& state) {
  if (!ready(state)) return;
  const std::string a = flatten(inputs().old_text);
  const std::string b = flatten(inputs().new_text);
  for (auto _ : state) {
    fw::diff::Diff d = fw::diff::diff(a, b);
    benchmark::DoNotOptimize(d);
  }
  set_counters(state, a, b);
}
BENCHMARK(WordDiffFlat);

void WordDiffIdentical(benchmark::State& state) {
  if (!ready(state)) return;
  const std::string a = inputs().old_text;
  const std::string b = inputs().old_text;
  for (auto _ : state) {
    fw::diff::Diff d = fw::diff::diff(a, b);
    benchmark::DoNotOptimize(d);
  }
  set_counters(state, a, b);
}
BENCHMARK(WordDiffIdentical);

void Tokenize(benchmark::State& state) {
  if (!ready(state)) return;
  const Inputs& in = inputs();
  std::size_t tokens = 0;
  for (auto _ : state) {
    auto a = fw::diff::tokenize(in.old_text);
    auto b = fw::diff::tokenize(in.new_text);
    tokens = a.size() + b.size();
    benchmark::DoNotOptimize(a);
    benchmark::DoNotOptimize(b);
  }
  set_counters(state, in.old_text, in.new_text);
  state.counters["tokens"] = static_cast<double>(tokens);
}
BENCHMARK(Tokenize);

void CanonicalText(benchmark::State& state) {
  if (!ready(state)) return;
  const Inputs& in = inputs();
  for (auto _ : state) {
    std::string a = fw::diff::canonical_text(in.old_text);
    std::string b = fw::diff::canonical_text(in.new_text);
    benchmark::DoNotOptimize(a);
    benchmark::DoNotOptimize(b);
  }
  set_counters(state, in.old_text, in.new_text);
}
BENCHMARK(CanonicalText);

void Classify(benchmark::State& state) {
  if (!ready(state)) return;
  const Inputs& in = inputs();
  fw::diff::Version before;
  before.title = "What is DeepSeek?";
  before.body = in.old_text;
  fw::diff::Version after = before;
  after.body = in.new_text;
  for (auto _ : state) {
    fw::diff::Classification c = fw::diff::classify(before, after);
    benchmark::DoNotOptimize(c);
  }
  set_counters(state, in.old_text, in.new_text);
}
BENCHMARK(Classify);

}  // namespace
