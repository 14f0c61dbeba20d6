// The O(NP) shortest-edit-script search behind fw::diff::diff, exposed for its
// tests (tests/parsers/onp_test.cpp checks it against dtl).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
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
  struct Point {  // a furthest point on a diagonal and the point it was reached from
    std::int32_t x, y, parent;
  };
  static constexpr std::int32_t k_max_points = 2000000;  // dtl's MAX_CORDINATES_SIZE

  // One O(NP) search over m_a[0, m_m) and m_b[0, m_n), its script emitted;
  // false when it stopped at the point limit and must go on from where it got.
  // The search works on locals and 32-bit indices (sequences are far shorter
  // than 2^31: diff() caps a search's work), so the compiler keeps them in
  // registers instead of reloading members after every store to the arrays.
  bool compose() {
    const std::uint32_t* const a = m_a;
    const std::uint32_t* const b = m_b;
    const auto m = static_cast<std::int32_t>(m_m);
    const auto n = static_cast<std::int32_t>(m_n);
    const std::int32_t delta = n - m;
    const auto offset = static_cast<std::size_t>(m) + 1;
    const auto size = static_cast<std::size_t>(m) + static_cast<std::size_t>(n) + 3;
    m_fp.assign(size, -1);
    m_path.assign(size, -1);
    std::int32_t* const fp = m_fp.data() + offset;
    std::int32_t* const path = m_path.data() + offset;
    Point* points = m_points.get();
    std::int32_t count = 0;
    // dtl's snake(k, above, below), written out in the three loops below: from
    // the better of the two neighbouring furthest points (above: fp[k - 1] + 1,
    // below: fp[k + 1]; ties go below), follow diagonal k while the elements are
    // equal, and record the point reached. On a diagonal k < delta the old
    // sequence runs out first (m - x < n - y), on k > delta the new one, on
    // delta both at once, so each loop checks one bound.
    for (std::int32_t p = 0;; ++p) {
      // This round records delta + 2p + 1 points: make room once.
      const auto needed = static_cast<std::size_t>(count) + static_cast<std::size_t>(delta + 2 * p + 1);
      if (m_capacity < needed) {
        grow(static_cast<std::size_t>(count), needed);
        points = m_points.get();
      }
      // Diagonals -p .. delta - 1, upwards: fp[k - 1] and path[k - 1] are the
      // ones just computed, carried in registers.
      std::int32_t left_fp = fp[-p - 1];
      std::int32_t left_path = path[-p - 1];
      for (std::int32_t k = -p; k < delta; ++k) {
        const std::int32_t above = left_fp + 1;
        const std::int32_t below = fp[k + 1];
        const std::int32_t parent = above > below ? left_path : path[k + 1];
        std::int32_t x = std::max(above, below) - k;
        while (x < m && a[x] == b[x + k]) ++x;
        points[count] = Point{x, x + k, parent};
        left_fp = fp[k] = x + k;
        left_path = path[k] = count++;
      }
      // Diagonals delta + p .. delta + 1, downwards, carrying fp[k + 1] and path[k + 1].
      std::int32_t right_fp = fp[delta + p + 1];
      std::int32_t right_path = path[delta + p + 1];
      for (std::int32_t k = delta + p; k > delta; --k) {
        const std::int32_t above = fp[k - 1] + 1;
        const std::int32_t below = right_fp;
        const std::int32_t parent = above > below ? path[k - 1] : right_path;
        std::int32_t y = std::max(above, below);
        while (y < n && a[y - k] == b[y]) ++y;
        points[count] = Point{y - k, y, parent};
        right_fp = fp[k] = y;
        right_path = path[k] = count++;
      }
      {
        const std::int32_t above = fp[delta - 1] + 1;
        const std::int32_t below = fp[delta + 1];
        const std::int32_t parent = above > below ? path[delta - 1] : path[delta + 1];
        std::int32_t y = std::max(above, below);
        while (y < n && a[y - delta] == b[y]) ++y;
        points[count] = Point{y - delta, y, parent};
        fp[delta] = y;
        path[delta] = count++;
      }
      if (fp[delta] == n || count >= k_max_points) break;
    }
    // The path, from its end back to (0, 0), then replayed forwards.
    m_chain.clear();
    for (std::int32_t r = path[delta]; r != -1; r = points[r].parent) m_chain.push_back(r);
    std::int32_t px = 0;
    std::int32_t py = 0;
    for (std::size_t c = m_chain.size(); c-- > 0;) {
      const Point& v = points[m_chain[c]];
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
    if (px >= m && py >= n) return true;
    // Stopped early (dtl's "nontrivial difference"): search the rest afresh.
    m_a += px;
    m_b += py;
    m_m -= px;
    m_n -= py;
    return false;
  }

  // Makes room for `needed` points, keeping the first `count`.
  void grow(std::size_t count, std::size_t needed) {
    std::size_t capacity = std::max<std::size_t>({needed, 2 * m_capacity, 256});
    auto points = std::make_unique_for_overwrite<Point[]>(capacity);
    std::copy(m_points.get(), m_points.get() + count, points.get());
    m_points = std::move(points);
    m_capacity = capacity;
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
  bool m_swapped = false;
  std::vector<std::int32_t> m_fp;
  std::vector<std::int32_t> m_path;
  // The path points of a search, grown ahead of each round (never
  // initialized: only the [0, count) written by the search is read).
  std::unique_ptr<Point[]> m_points;
  std::size_t m_capacity = 0;
  std::vector<std::int32_t> m_chain;
  // The regions being emitted: old and new positions, the open region.
  std::size_t m_i = 0;
  std::size_t m_j = 0;
  bool m_open = false;
  Region m_region{};
  std::vector<Region>* m_out = nullptr;
};

}  // namespace fw::diff::detail
