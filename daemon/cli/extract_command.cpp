#include "daemon/cli/extract_command.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "parsers/date/date.hpp"
#include "parsers/extract/extract.hpp"

namespace fw::cli {
namespace {

namespace fs = std::filesystem;

bool read_all(const std::string& path, std::string& out) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    out = ss.str();
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

template <class T>
nlohmann::json optional_json(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json optional_time(const std::optional<std::int64_t>& t) {
  return t ? nlohmann::json(fw::date::format_iso8601(*t)) : nlohmann::json(nullptr);
}

int run_batch(const std::string& in_dir, const std::string& out_dir) {
  std::error_code ec;
  std::vector<std::pair<std::string, std::string>> pages;  // id, bytes
  for (const auto& entry : fs::directory_iterator(in_dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".html") continue;
    std::string bytes;
    if (!read_all(entry.path().string(), bytes)) {
      std::cerr << "extract: cannot read " << entry.path().string() << "\n";
      return 1;
    }
    pages.emplace_back(entry.path().stem().string(), std::move(bytes));
  }
  if (ec) {
    std::cerr << "extract: cannot list " << in_dir << ": " << ec.message() << "\n";
    return 1;
  }
  fs::create_directories(out_dir, ec);
  if (ec) {
    std::cerr << "extract: cannot create " << out_dir << ": " << ec.message() << "\n";
    return 1;
  }
  std::vector<std::string> texts(pages.size());
  int failures = 0;
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = process_cpu_seconds();
  for (std::size_t i = 0; i < pages.size(); ++i) {
    auto article = fw::extract::extract(pages[i].second, fw::extract::Options{});
    if (article) {
      texts[i] = std::move(article->text);
    } else {
      ++failures;
      std::cerr << "extract: " << pages[i].first << ": " << article.error().message << "\n";
    }
  }
  const double cpu = process_cpu_seconds() - cpu0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  for (std::size_t i = 0; i < pages.size(); ++i) {
    std::ofstream out(fs::path(out_dir) / (pages[i].first + ".txt"), std::ios::binary);
    out << texts[i];
    if (!texts[i].empty()) out << "\n";
    if (!out) {
      std::cerr << "extract: cannot write " << (fs::path(out_dir) / (pages[i].first + ".txt")).string()
                << "\n";
      return 1;
    }
  }
  std::fprintf(stderr, "extract_seconds=%.6f extract_cpu_seconds=%.6f pages=%zu\n", wall, cpu, pages.size());
  return failures == 0 ? 0 : 1;
}

}  // namespace

int run_extract(const std::string& input, const std::string& url, const std::string& format,
                const std::string& batch_in, const std::string& batch_out) {
  if (!batch_in.empty()) {
    if (batch_out.empty()) {
      std::cerr << "extract: --batch needs IN_DIR and OUT_DIR\n";
      return 2;
    }
    return run_batch(batch_in, batch_out);
  }
  const std::string fmt = format.empty() ? "text" : format;
  if (fmt != "text" && fmt != "json" && fmt != "html") {
    std::cerr << "extract: --format must be text, json or html, not \"" << format << "\"\n";
    return 2;
  }
  if (input.empty()) {
    std::cerr << "extract: give a FILE or - for stdin\n";
    return 2;
  }
  std::string bytes;
  if (!read_all(input, bytes)) {
    std::cerr << "extract: cannot read " << input << "\n";
    return 1;
  }
  fw::extract::Options options;
  options.url = url;
  auto article = fw::extract::extract(bytes, options);
  if (!article) {
    std::cerr << "extract: " << input << ": " << article.error().message << "\n";
    return 1;
  }
  if (fmt == "text") {
    std::cout << article->text;
    if (!article->text.empty()) std::cout << "\n";
  } else if (fmt == "html") {
    std::cout << article->html;
  } else {
    nlohmann::ordered_json j = {{"title", optional_json(article->title)},
                                {"byline", optional_json(article->byline)},
                                {"published", optional_time(article->published)},
                                {"modified", optional_time(article->modified)},
                                {"canonical_url", optional_json(article->canonical_url)},
                                {"language", optional_json(article->language)},
                                {"lead_image", optional_json(article->lead_image)},
                                {"method", article->method},
                                {"text", article->text},
                                {"html", article->html},
                                {"warnings", article->warnings}};
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return std::cout.good() ? 0 : 1;
}

}  // namespace fw::cli
