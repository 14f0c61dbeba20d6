// The O(NP) shortest-edit-script search behind fw::diff::diff, exposed for its
// tests (tests/parsers/onp_test.cpp checks it against dtl).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fw::diff::detail {

// A run of differing elements: old [a0, a1) became new [b0, b1).
struct Region {
  std::size_t a0, a1;
  std::size_t b0, b1;
};

// Wu, Manber, Myers and Miller's O(NP) search, step for step the one of dtl
// 1.19 (dtl::Diff::compose, snake and recordSequence: the same diagonal
// order, the same tie-break between the two neighbouring furthest points, the
// same restart once 2,000,000 path points are recorded), so it finds the very
// same edit script; what differs is the bookkeeping. dtl copies both
// sequences, records each element of the script as a (value, indices, type)
// triple and keeps a common-subsequence copy; here the sequences are spans of
// the callers' id arrays, the path points and the fp/path arrays live in
// buffers reused across calls, and the script goes straight into change
// regions. That was about a quarter of the word-diff benchmark's time.
class OnpSearch {
 public:
  // Appends the change regions between a[a0, a1) and b[b0, b1) (both non-empty), in order.
  void run(const std::uint32_t* a, std::size_t a0, std::size_t a1, const std::uint32_t* b, std::size_t b0,
           std::size_t b1, std::vector<Region>& out) {
    // dtl makes the shorter sequence A, swapping when the old one is not shorter.
    m_swapped = !(a1 - a0 < b1 - b0);
    m_a = m_swapped ? b + b0 : a + a0;
    m_b = m_swapped ? a + a0 : b + b0;
    m_m = static_cast<std::ptrdiff_t>(m_swapped ? b1 - b0 : a1 - a0);
    m_n = static_cast<std::ptrdiff_t>(m_swapped ? a1 - a0 : b1 - b0);
    m_i = a0;
    m_j = b0;
    m_open = false;
    m_out = &out;
    while (!compose()) {
    }
    close();
  }

 private:
  struct Point {
    std::ptrdiff_t x, y, parent;
  };
  static constexpr std::size_t k_max_points = 2000000;  // dtl's MAX_CORDINATES_SIZE

  std::ptrdiff_t snake(std::ptrdiff_t k, std::ptrdiff_t above, std::ptrdiff_t below) {
    std::ptrdiff_t r = above > below ? m_path[static_cast<std::size_t>(k - 1 + m_offset)]
                                     : m_path[static_cast<std::size_t>(k + 1 + m_offset)];
    std::ptrdiff_t y = std::max(above, below);
    std::ptrdiff_t x = y - k;
    while (x < m_m && y < m_n && m_a[x] == m_b[y]) {
      ++x;
      ++y;
    }
    m_path[static_cast<std::size_t>(k + m_offset)] = static_cast<std::ptrdiff_t>(m_points.size());
    m_points.push_back(Point{x, y, r});
    return y;
  }

  // One O(NP) search over m_a[0, m_m) and m_b[0, m_n), its script emitted;
  // false when it stopped at the point limit and must go on from where it got.
  bool compose() {
    const std::ptrdiff_t delta = m_n - m_m;
    m_offset = m_m + 1;
    const auto size = static_cast<std::size_t>(m_m + m_n + 3);
    m_fp.assign(size, -1);
    m_path.assign(size, -1);
    m_points.clear();
    std::ptrdiff_t* fp = m_fp.data() + m_offset;
    for (std::ptrdiff_t p = 0;; ++p) {
      for (std::ptrdiff_t k = -p; k <= delta - 1; ++k) fp[k] = snake(k, fp[k - 1] + 1, fp[k + 1]);
      for (std::ptrdiff_t k = delta + p; k >= delta + 1; --k) fp[k] = snake(k, fp[k - 1] + 1, fp[k + 1]);
      fp[delta] = snake(delta, fp[delta - 1] + 1, fp[delta + 1]);
      if (fp[delta] == m_n || m_points.size() >= k_max_points) break;
    }
    // The path, from its end back to (0, 0), then replayed forwards.
    m_chain.clear();
    for (std::ptrdiff_t r = m_path[static_cast<std::size_t>(delta + m_offset)]; r != -1;
         r = m_points[static_cast<std::size_t>(r)].parent) {
      m_chain.push_back(r);
    }
    std::ptrdiff_t px = 0;
    std::ptrdiff_t py = 0;
    for (std::size_t c = m_chain.size(); c-- > 0;) {
      const Point& v = m_points[static_cast<std::size_t>(m_chain[c])];
      while (px < v.x || py < v.y) {
        if (v.y - v.x > py - px) {
          step(m_swapped ? Step::remove : Step::insert);
          ++py;
        } else if (v.y - v.x < py - px) {
          step(m_swapped ? Step::insert : Step::remove);
          ++px;
        } else {
          step(Step::common);
          ++px;
          ++py;
        }
      }
    }
    if (px >= m_m && py >= m_n) return true;
    // Stopped early (dtl's "nontrivial difference"): search the rest afresh.
    m_a += px;
    m_b += py;
    m_m -= px;
    m_n -= py;
    return false;
  }

  enum class Step : std::uint8_t { common, remove, insert };

  void step(Step s) {
    if (s == Step::common) {
      close();
      ++m_i;
      ++m_j;
      return;
    }
    if (!m_open) {
      m_region = Region{m_i, m_i, m_j, m_j};
      m_open = true;
    }
    if (s == Step::remove) {
      ++m_i;
    } else {
      ++m_j;
    }
  }

  void close() {
    if (!m_open) return;
    m_region.a1 = m_i;
    m_region.b1 = m_j;
    m_out->push_back(m_region);
    m_open = false;
  }

  const std::uint32_t* m_a = nullptr;
  const std::uint32_t* m_b = nullptr;
  std::ptrdiff_t m_m = 0;
  std::ptrdiff_t m_n = 0;
  std::ptrdiff_t m_offset = 0;
  bool m_swapped = false;
  std::vector<std::ptrdiff_t> m_fp;
  std::vector<std::ptrdiff_t> m_path;
  std::vector<Point> m_points;
  std::vector<std::ptrdiff_t> m_chain;
  // The regions being emitted: old and new positions, the open region.
  std::size_t m_i = 0;
  std::size_t m_j = 0;
  bool m_open = false;
  Region m_region{};
  std::vector<Region>* m_out = nullptr;
};

}  // namespace fw::diff::detail
