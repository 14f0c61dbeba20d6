// Article extraction speed over the extraction benchmark's pages
// (../shared/bench/extraction/data/html/*.html.gz), next to the floor: Gumbo
// merely parsing the same pages (gumbo_parse + gumbo_destroy_output). Both
// report bytes_per_second over the pages' decompressed size.
//
//   ./build/bench/extract_bench                      # Google Benchmark
//   FW_EXTRACT_PAGES=/tmp/pages ./build/bench/extract_bench   # pages from a dir of *.html
//   ./build/bench/extract_bench --batch IN_DIR OUT_DIR        # IN_DIR/<id>.html -> OUT_DIR/<id>.txt,
//        prints extract_seconds= and extract_cpu_seconds= on stderr (score.py --batch-cmd)
//
// bench/compare_extractors.sh runs this, the batch mode under score.py, and
// Mozilla Readability on linkedom when node is installed.
#include <benchmark/benchmark.h>
#include <gumbo.h>
#include <libxml/xmlIO.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "parsers/extract/extract.hpp"

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Reads a .gz file through libxml2's transparent decompression (it links zlib).
std::string read_gz(const fs::path& path) {
  xmlParserInputBufferPtr buf = xmlParserInputBufferCreateFilename(path.c_str(), XML_CHAR_ENCODING_NONE);
  if (buf == nullptr) return {};
  while (xmlParserInputBufferGrow(buf, 1 << 16) > 0) {
  }
  std::string out(reinterpret_cast<const char*>(xmlBufContent(buf->buffer)), xmlBufUse(buf->buffer));
  xmlFreeParserInputBuffer(buf);
  return out;
}

struct Page {
  std::string id;
  std::string html;
};

const std::vector<Page>& pages() {
  static const std::vector<Page> k_pages = [] {
    std::vector<Page> out;
    const char* dir = std::getenv("FW_EXTRACT_PAGES");
    const fs::path root =
        dir != nullptr ? fs::path(dir) : fs::path(FW_SOURCE_DIR "/../shared/bench/extraction/data/html");
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.ends_with(".html.gz")) {
        out.push_back(Page{name.substr(0, name.size() - 8), read_gz(entry.path())});
      } else if (name.ends_with(".html")) {
        out.push_back(Page{name.substr(0, name.size() - 5), read_file(entry.path())});
      }
    }
    std::sort(out.begin(), out.end(), [](const Page& a, const Page& b) { return a.id < b.id; });
    if (out.empty()) std::cerr << "no pages under " << root << "\n";
    return out;
  }();
  return k_pages;
}

std::int64_t total_bytes() {
  std::int64_t n = 0;
  for (const Page& p : pages()) n += static_cast<std::int64_t>(p.html.size());
  return n;
}

void BM_GumboParse(benchmark::State& state) {
  for (auto _ : state) {
    for (const Page& p : pages()) {
      GumboOutput* out = gumbo_parse_with_options(&kGumboDefaultOptions, p.html.data(), p.html.size());
      benchmark::DoNotOptimize(out->root);
      gumbo_destroy_output(&kGumboDefaultOptions, out);
    }
  }
  state.SetBytesProcessed(state.iterations() * total_bytes());
}
BENCHMARK(BM_GumboParse)->Unit(benchmark::kMillisecond);

void BM_Extract(benchmark::State& state) {
  for (auto _ : state) {
    for (const Page& p : pages()) {
      fw::extract::Options options;
      auto article = fw::extract::extract(p.html, options);
      benchmark::DoNotOptimize(article);
    }
  }
  state.SetBytesProcessed(state.iterations() * total_bytes());
}
BENCHMARK(BM_Extract)->Unit(benchmark::kMillisecond);

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int run_batch(const fs::path& in_dir, const fs::path& out_dir) {
  std::vector<std::pair<fs::path, std::string>> inputs;
  for (const auto& entry : fs::directory_iterator(in_dir)) {
    if (entry.path().extension() == ".html") inputs.emplace_back(entry.path(), read_file(entry.path()));
  }
  fs::create_directories(out_dir);
  std::vector<std::string> texts(inputs.size());
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = cpu_seconds();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    fw::extract::Options options;
    auto article = fw::extract::extract(inputs[i].second, options);
    if (article) texts[i] = std::move(article->text);
  }
  const double cpu = cpu_seconds() - cpu0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    std::ofstream(out_dir / (inputs[i].first.stem().string() + ".txt"), std::ios::binary) << texts[i] << "\n";
  }
  std::fprintf(stderr, "extract_seconds=%.6f extract_cpu_seconds=%.6f\n", wall, cpu);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--batch") return run_batch(argv[2], argv[3]);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
