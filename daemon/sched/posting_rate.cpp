#include "daemon/sched/posting_rate.hpp"

#include <algorithm>
#include <functional>

namespace fw::sched {

std::chrono::seconds posting_rate_interval(std::chrono::seconds configured,
                                           std::vector<std::int64_t> published, std::int64_t now) {
  published.erase(
      std::remove_if(published.begin(), published.end(), [now](std::int64_t t) { return t > now; }),
      published.end());
  std::sort(published.begin(), published.end(), std::greater<>());
  published.erase(std::unique(published.begin(), published.end()), published.end());
  if (published.size() > k_sample) published.resize(k_sample);
  if (published.size() < 3) return configured;
  std::int64_t gap = (published.front() - published.back()) / static_cast<std::int64_t>(published.size() - 1);
  std::int64_t suggested = gap / k_polls_per_post;
  std::int64_t ceiling = std::max(
      configured.count(),
      std::min(configured.count() * k_max_stretch, static_cast<std::int64_t>(k_max_interval.count())));
  return std::chrono::seconds(std::clamp(suggested, configured.count(), ceiling));
}

}  // namespace fw::sched
