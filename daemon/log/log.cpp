#include "daemon/log/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include <cctype>
#include <cstdlib>
#include <mutex>

namespace fw::log {

namespace {

int priority_of(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return LOG_DEBUG;
    case spdlog::level::info:
      return LOG_INFO;
    case spdlog::level::warn:
      return LOG_WARNING;
    case spdlog::level::err:
      return LOG_ERR;
    case spdlog::level::critical:
      return LOG_CRIT;
    default:
      return LOG_INFO;
  }
}

// Sends each line to journald with its priority and structured fields.
class JournalSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string_view text(msg.payload.data(), msg.payload.size());
    std::vector<std::string> entries;
    entries.push_back("MESSAGE=" + std::string(text));
    entries.push_back("PRIORITY=" + std::to_string(priority_of(msg.level)));
    entries.emplace_back("SYSLOG_IDENTIFIER=feedwatch");
    for (auto& [key, value] : journal_fields(text)) entries.push_back(key + "=" + value);
    std::vector<iovec> iov;
    iov.reserve(entries.size());
    for (auto& e : entries) iov.push_back(iovec{e.data(), e.size()});
    sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
  }
  void flush_() override {}
};

}  // namespace

std::vector<std::pair<std::string, std::string>> journal_fields(std::string_view message) {
  std::vector<std::pair<std::string, std::string>> fields;
  std::size_t i = 0;
  auto skip_spaces = [&] {
    while (i < message.size() && message[i] == ' ') ++i;
  };
  skip_spaces();
  std::size_t start = i;
  while (i < message.size() && message[i] != ' ') ++i;
  std::string_view event = message.substr(start, i - start);
  if (!event.empty() && event.find('=') == std::string_view::npos)
    fields.emplace_back("EVENT", std::string(event));
  else
    i = start;
  while (i < message.size()) {
    skip_spaces();
    std::size_t key_start = i;
    while (i < message.size() && message[i] != '=' && message[i] != ' ') ++i;
    std::string_view key = message.substr(key_start, i - key_start);
    if (i >= message.size() || message[i] != '=') continue;  // a bare word: not a field
    ++i;
    std::string value;
    if (i < message.size() && message[i] == '"') {
      ++i;
      while (i < message.size() && message[i] != '"') value.push_back(message[i++]);
      if (i < message.size()) ++i;
    } else {
      while (i < message.size() && message[i] != ' ') value.push_back(message[i++]);
    }
    bool valid = !key.empty();
    std::string upper;
    for (char c : key) {
      if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
            c == '_')) {
        valid = false;
      }
      upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    // journald reserves fields starting with '_' and requires a leading letter.
    if (valid && std::isalpha(static_cast<unsigned char>(upper[0]))) fields.emplace_back(upper, value);
  }
  return fields;
}

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  struct stat st {};
  if (fstat(2, &st) != 0) return false;
  unsigned long long dev = 0;
  unsigned long long ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  return dev == st.st_dev && ino == st.st_ino;
}

bool set_level(const std::string& level) {
  spdlog::level::level_enum lvl = spdlog::level::from_str(level);
  // from_str answers "off" for names it does not know; accept "off" only when asked.
  if (lvl == spdlog::level::off && level != "off") return false;
  spdlog::set_level(lvl);
  return true;
}

bool init(const std::string& level) {
  std::shared_ptr<spdlog::logger> logger;
  if (stderr_is_journal()) {
    logger = std::make_shared<spdlog::logger>("feedwatch", std::make_shared<JournalSink>());
  } else {
    logger = spdlog::stderr_logger_mt("feedwatch");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  }
  spdlog::set_default_logger(logger);
  spdlog::flush_on(spdlog::level::info);
  if (set_level(level)) return true;
  spdlog::set_level(spdlog::level::info);
  return false;
}

}  // namespace fw::log
