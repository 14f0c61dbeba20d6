#include "daemon/log/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

namespace fw::log {

bool set_level(const std::string& level) {
  spdlog::level::level_enum lvl = spdlog::level::from_str(level);
  // from_str answers "off" for names it does not know; accept "off" only when asked.
  if (lvl == spdlog::level::off && level != "off") return false;
  spdlog::set_level(lvl);
  return true;
}

bool init(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("feedwatch");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
  spdlog::flush_on(spdlog::level::info);
  if (set_level(level)) return true;
  spdlog::set_level(spdlog::level::info);
  return false;
}

}  // namespace fw::log
