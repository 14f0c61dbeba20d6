// Feed parsing throughput.
//
//   build/bench/feed_parse_bench --benchmark_min_time=2
//
// The fixture benchmarks run on tests/fixtures/feeds/cbbc-tech-companies.xml.
// The corpus benchmarks read every *.xml file of the directory named by
// FW_FEED_CORPUS (generate one with bench/gen_feed_corpus.py; the whole
// comparison with Python's feedparser is bench/compare_feed_parsers.sh) and
// report MB/s (bytes_per_second) and feeds/s (items_per_second) for:
//   Corpus/Full            fw::feed::parse, entries with plain-text summary/content
//   Corpus/XmlPass         fw::feed::parse without HTML-to-text of the bodies
//   Corpus/Libxml2PushSax  libxml2's push parser with no-op SAX callbacks (the floor)
//   Corpus/Libxml2Dom      libxml2 building the tree only (xmlReadMemory)
//   Corpus/Libxml2PushDom  libxml2's push parser building the tree
//   Corpus/HtmlToText      fw::text::html_to_text over every content:encoded body
// Without FW_FEED_CORPUS the corpus benchmarks skip with a message.
#include <benchmark/benchmark.h>
#include <libxml/parser.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "parsers/feed/feed.hpp"
#include "parsers/text/normalize.hpp"
#include "parsers/text/text.hpp"

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string load_fixture() {
  return read_file(std::string(FW_SOURCE_DIR) + "/tests/fixtures/feeds/cbbc-tech-companies.xml");
}

struct Corpus {
  std::vector<std::string> files;
  std::int64_t bytes = 0;
};

// The corpus, loaded once; empty when FW_FEED_CORPUS is unset or unreadable.
const Corpus& corpus() {
  static const Corpus loaded = [] {
    Corpus c;
    const char* dir = std::getenv("FW_FEED_CORPUS");  // NOLINT(concurrency-mt-unsafe)
    if (dir == nullptr || *dir == '\0') return c;
    std::vector<std::filesystem::path> paths;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
      if (entry.path().extension() == ".xml") paths.push_back(entry.path());
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
      c.files.push_back(read_file(path));
      c.bytes += static_cast<std::int64_t>(c.files.back().size());
    }
    return c;
  }();
  return loaded;
}

bool skip_without_corpus(benchmark::State& state) {
  if (!corpus().files.empty()) return false;
  state.SkipWithError("FW_FEED_CORPUS is unset or holds no *.xml (bench/gen_feed_corpus.py DIR makes one)");
  return true;
}

void set_corpus_counters(benchmark::State& state) {
  state.SetBytesProcessed(state.iterations() * corpus().bytes);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(corpus().files.size()));
}

void BM_ParseRss2(benchmark::State& state) {
  const std::string bytes = load_fixture();
  const fw::feed::ParseOptions options{"https://focus.cbbc.org/tag/tech-companies/feed/",
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

void run_parse(benchmark::State& state, bool plain_text) {
  if (skip_without_corpus(state)) return;
  fw::feed::ParseOptions options{"https://example-news.org/feed/", "application/rss+xml; charset=UTF-8"};
  options.plain_text = plain_text;
  std::size_t entries = 0;
  for (auto _ : state) {
    for (const std::string& file : corpus().files) {
      auto feed = fw::feed::parse(file, options);
      if (feed) entries += feed->entries.size();
      benchmark::DoNotOptimize(feed);
    }
  }
  if (entries == 0) state.SkipWithError("no entries parsed");
  set_corpus_counters(state);
}

void BM_Corpus_Full(benchmark::State& state) {
  run_parse(state, true);
}
BENCHMARK(BM_Corpus_Full)->Unit(benchmark::kMillisecond);

void BM_Corpus_XmlPass(benchmark::State& state) {
  run_parse(state, false);
}
BENCHMARK(BM_Corpus_XmlPass)->Unit(benchmark::kMillisecond);

// The floor: libxml2's push parser with SAX2 callbacks that do nothing.
void on_start(void*, const xmlChar*, const xmlChar*, const xmlChar*, int, const xmlChar**, int, int,
              const xmlChar**) {}
void on_end(void*, const xmlChar*, const xmlChar*, const xmlChar*) {}
void on_characters(void*, const xmlChar*, int) {}

void BM_Corpus_Libxml2PushSax(benchmark::State& state) {
  if (skip_without_corpus(state)) return;
  xmlSAXHandler sax{};
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = &on_start;
  sax.endElementNs = &on_end;
  sax.characters = &on_characters;
  sax.cdataBlock = &on_characters;
  constexpr int k_chunk = 64 * 1024;
  for (auto _ : state) {
    for (const std::string& file : corpus().files) {
      xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(&sax, nullptr, nullptr, 0, nullptr);
      xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
      std::size_t offset = 0;
      while (offset < file.size()) {
        const int n = static_cast<int>(std::min<std::size_t>(k_chunk, file.size() - offset));
        xmlParseChunk(ctxt, file.data() + offset, n, 0);
        offset += static_cast<std::size_t>(n);
      }
      xmlParseChunk(ctxt, nullptr, 0, 1);
      benchmark::DoNotOptimize(ctxt->wellFormed);
      xmlFreeParserCtxt(ctxt);
    }
  }
  set_corpus_counters(state);
}
BENCHMARK(BM_Corpus_Libxml2PushSax)->Unit(benchmark::kMillisecond);

void BM_Corpus_Libxml2Dom(benchmark::State& state) {
  if (skip_without_corpus(state)) return;
  for (auto _ : state) {
    for (const std::string& file : corpus().files) {
      xmlDocPtr doc = xmlReadMemory(file.data(), static_cast<int>(file.size()), nullptr, nullptr,
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
      benchmark::DoNotOptimize(doc);
      xmlFreeDoc(doc);
    }
  }
  set_corpus_counters(state);
}
BENCHMARK(BM_Corpus_Libxml2Dom)->Unit(benchmark::kMillisecond);

// libxml2's push parser building the tree (its default SAX2 handlers), whole
// document in one chunk: what fw::feed::parse does before its own walk.
void BM_Corpus_Libxml2PushDom(benchmark::State& state) {
  if (skip_without_corpus(state)) return;
  for (auto _ : state) {
    for (const std::string& file : corpus().files) {
      xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(nullptr, nullptr, nullptr, 0, nullptr);
      xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
      xmlParseChunk(ctxt, file.data(), static_cast<int>(file.size()), 1);
      benchmark::DoNotOptimize(ctxt->myDoc);
      xmlFreeDoc(ctxt->myDoc);
      xmlFreeParserCtxt(ctxt);
    }
  }
  set_corpus_counters(state);
}
BENCHMARK(BM_Corpus_Libxml2PushDom)->Unit(benchmark::kMillisecond);

void BM_Corpus_HtmlToText(benchmark::State& state) {
  if (skip_without_corpus(state)) return;
  std::vector<std::string> bodies;
  std::int64_t bytes = 0;
  fw::feed::ParseOptions options;
  options.plain_text = false;
  for (const std::string& file : corpus().files) {
    auto feed = fw::feed::parse(file, options);
    if (!feed) continue;
    for (const auto& entry : feed->entries) {
      if (!entry.content_html) continue;
      bodies.push_back(*entry.content_html);
      bytes += static_cast<std::int64_t>(bodies.back().size());
    }
  }
  for (auto _ : state) {
    for (const std::string& body : bodies) benchmark::DoNotOptimize(fw::text::html_to_text(body));
  }
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_Corpus_HtmlToText)->Unit(benchmark::kMillisecond);

}  // namespace
