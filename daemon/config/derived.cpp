#include "daemon/config/derived.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace fw::config {

net::FetchOptions fetch_options(const Config& config) {
  const Http& http = config.http;
  net::FetchOptions o;
  o.user_agent = http.user_agent;
  o.timeout = http.timeout;
  o.connect_timeout = http.connect_timeout;
  o.max_body_bytes = http.max_body_bytes;
  o.max_redirects = http.max_redirects;
  o.max_host_connections = std::max(4L, static_cast<long>(http.per_host.max_concurrent));
  o.allow_private_networks = http.allow_private_networks;
  o.ca_file = http.ca_file;
  const char* loopback_only = std::getenv("FEEDWATCH_LOOPBACK_ONLY");
  o.loopback_only = loopback_only && std::string(loopback_only) == "1";
  for (const SiteRule& site : config.sites) {
    if (!site.robots) o.robots_ignored_hosts.push_back(site.host);
  }
  return o;
}

std::vector<extract::SiteRule> extract_rules(const Config& config) {
  std::vector<extract::SiteRule> rules;
  for (const SiteRule& s : config.sites) rules.push_back(extract::SiteRule{s.host, s.body, s.remove});
  return rules;
}

}  // namespace fw::config
