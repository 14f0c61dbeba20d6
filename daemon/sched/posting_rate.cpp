#include "daemon/sched/posting_rate.hpp"

#include <algorithm>
#include <functional>

namespace fw::sched {

std::optional<std::chrono::seconds> posting_rate_suggestion(std::vector<std::int64_t> published,
                                                            std::int64_t now) {
  published.erase(
      std::remove_if(published.begin(), published.end(), [now](std::int64_t t) { return t > now; }),
      published.end());
  std::sort(published.begin(), published.end(), std::greater<>());
  published.erase(std::unique(published.begin(), published.end()), published.end());
  if (published.size() > k_sample) published.resize(k_sample);
  if (published.size() < 3) return std::nullopt;
  std::int64_t gap = (published.front() - published.back()) / static_cast<std::int64_t>(published.size() - 1);
  return std::chrono::seconds(gap / k_polls_per_post);
}

std::chrono::seconds bounded_posting_interval(std::chrono::seconds configured,
                                              std::chrono::seconds suggestion) {
  std::int64_t ceiling = std::max(
      configured.count(),
      std::min(configured.count() * k_max_stretch, static_cast<std::int64_t>(k_max_interval.count())));
  return std::chrono::seconds(std::clamp(suggestion.count(), configured.count(), ceiling));
}

std::chrono::seconds posting_rate_interval(std::chrono::seconds configured,
                                           std::vector<std::int64_t> published, std::int64_t now) {
  auto suggestion = posting_rate_suggestion(std::move(published), now);
  return suggestion ? bounded_posting_interval(configured, *suggestion) : configured;
}

}  // namespace fw::sched
