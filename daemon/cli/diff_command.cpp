#include "daemon/cli/diff_command.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "parsers/diff/diff.hpp"

namespace fw::cli {

namespace {

std::optional<std::string> read_text(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

int run_diff(const std::string& old_path, const std::string& new_path, const std::string& format) {
  if (format != "text" && format != "json") {
    std::cerr << "feedwatch diff: --format: expected text or json, got \"" << format << "\"\n";
    return 1;
  }
  if (old_path == "-" && new_path == "-") {
    std::cerr << "feedwatch diff: only one of OLD and NEW can be - (stdin)\n";
    return 1;
  }
  std::optional<std::string> old_text = read_text(old_path);
  if (!old_text) {
    std::cerr << "feedwatch diff: cannot read " << old_path << "\n";
    return 1;
  }
  std::optional<std::string> new_text = read_text(new_path);
  if (!new_text) {
    std::cerr << "feedwatch diff: cannot read " << new_path << "\n";
    return 1;
  }
  diff::Diff d = diff::diff(*old_text, *new_text);
  if (format == "json") {
    std::cout << diff::to_json(d, true) << "\n";
  } else {
    diff::TextOptions options;
    options.color = ::isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
    std::cout << diff::to_text(d, options);
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
}

}  // namespace fw::cli
