// Feed parsing and version hashing throughput on the Focus tag feed fixture.
//   build/bench/feed_parse_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <string>

#include "parsers/feed/feed.hpp"
#include "parsers/text/normalize.hpp"

namespace {

std::string load_fixture() {
  std::ifstream in(std::string(FW_SOURCE_DIR) + "/tests/fixtures/feeds/cbbc-tech-companies.xml",
                   std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void BM_ParseRss2(benchmark::State& state) {
  const std::string bytes = load_fixture();
  fw::feed::ParseOptions options{"https://focus.cbbc.org/tag/tech-companies/feed/",
                                 "application/rss+xml; charset=UTF-8"};
  for (auto _ : state) {
    auto feed = fw::feed::parse(bytes, options);
    benchmark::DoNotOptimize(feed);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_ParseRss2);

void BM_VersionHash(benchmark::State& state) {
  const std::string bytes = load_fixture();
  auto feed = fw::feed::parse(bytes, {});
  std::string body = feed && !feed->entries.empty() ? feed->entries[0].content.value_or("") : bytes;
  for (auto _ : state) benchmark::DoNotOptimize(fw::text::version_hash("title", body));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_VersionHash);

}  // namespace
