// The O(NP) shortest-edit-script search behind fw::diff::diff, exposed for its
// tests (tests/parsers/onp_test.cpp checks it against dtl).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

// The search's inner loops compare interned token ids, billions of times
// over a fuzzing run: tracing those compares for libFuzzer (-fsanitize=fuzzer
// instruments every comparison and edge) teaches it nothing about its input
// and made diff_fuzz several times slower (bench/README.md, "Long fuzzing
// runs"). compose() and trace() are left out of coverage; AddressSanitizer
// and UBSan still check them.
#if defined(__has_attribute)
#if __has_attribute(no_sanitize_coverage)
#define FW_NO_SANITIZE_COVERAGE __attribute__((no_sanitize_coverage))
#endif
#endif
#ifndef FW_NO_SANITIZE_COVERAGE
#define FW_NO_SANITIZE_COVERAGE
#endif

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
// same edit script; what differs is the bookkeeping. dtl records each
// furthest point with a link to the one it came from, each element of the
// script as a (value, indices, type) triple, and keeps a common-subsequence
// copy; here each round stores one y per diagonal (compose()), the path is
// recovered from those rows (trace()), all buffers are reused across calls,
// and the script goes straight into change regions.
class OnpSearch {
 public:
  // Appends the change regions between a[a0, a1) and b[b0, b1) (both non-empty), in order.
  // Elements are compared for equality only; 0xFFFFFFFE and 0xFFFFFFFF are
  // reserved (the search's end markers) and must not occur.
  void run(const std::uint32_t* a, std::size_t a0, std::size_t a1, const std::uint32_t* b, std::size_t b0,
           std::size_t b1, std::vector<Region>& out) {
    // dtl makes the shorter sequence A, swapping when the old one is not shorter.
    m_swapped = !(a1 - a0 < b1 - b0);
    const std::uint32_t* sa = m_swapped ? b + b0 : a + a0;
    const std::uint32_t* sb = m_swapped ? a + a0 : b + b0;
    const std::size_t m = m_swapped ? b1 - b0 : a1 - a0;
    const std::size_t n = m_swapped ? a1 - a0 : b1 - b0;
    // Copies that end in two different markers, which equal nothing: a snake
    // then stops at the end of either sequence without a bounds check. (Two
    // of each: a snake never starts past the end, as in dtl, but a second
    // marker costs nothing and keeps any such start inside the copy.)
    m_seq_a.resize(m + 2);
    m_seq_b.resize(n + 2);
    std::copy(sa, sa + m, m_seq_a.begin());
    std::copy(sb, sb + n, m_seq_b.begin());
    m_seq_a[m] = m_seq_a[m + 1] = k_end_a;
    m_seq_b[n] = m_seq_b[n + 1] = k_end_b;
    m_a = m_seq_a.data();
    m_b = m_seq_b.data();
    m_m = static_cast<std::ptrdiff_t>(m);
    m_n = static_cast<std::ptrdiff_t>(n);
    m_i = a0;
    m_j = b0;
    m_open = false;
    m_out = &out;
    while (!compose()) {
    }
    close();
  }

  // Path points room kept for the next search (4 bytes each).
  std::size_t capacity() const { return m_capacity; }

 private:
  static constexpr std::int32_t k_max_points = 2000000;  // dtl's MAX_CORDINATES_SIZE
  static constexpr std::uint32_t k_end_a = 0xFFFFFFFF;
  static constexpr std::uint32_t k_end_b = 0xFFFFFFFE;

  // One O(NP) search over m_a[0, m_m) and m_b[0, m_n), its script emitted;
  // false when it stopped at the point limit and must go on from where it got.
  // The search works on locals and 32-bit indices (sequences are far shorter
  // than 2^31: diff() caps a search's work), so the compiler keeps them in
  // registers instead of reloading members after every store to the arrays.
  //
  // dtl keeps one furthest y per diagonal (fp) and records each furthest
  // point with the index of the point it was reached from, then follows
  // those links back. Here each round p stores its furthest ys as one row,
  // diagonals -p .. delta + p in order (m_ys, rows one after the other), read
  // back as the previous round's fp; the way back redoes each point's choice
  // between its two neighbours from the rows (trace()). Same points, one
  // store per snake instead of five.
  FW_NO_SANITIZE_COVERAGE bool compose() {
    const std::uint32_t* const a = m_a;
    const std::uint32_t* const b = m_b;
    const auto m = static_cast<std::int32_t>(m_m);
    const auto n = static_cast<std::int32_t>(m_n);
    const std::int32_t delta = n - m;
    // Round 0 has no previous round: its fp values are all -1 (diagonals 0 .. delta + 1).
    m_none.assign(static_cast<std::size_t>(delta) + 2, -1);
    std::int32_t* ys = m_ys.get();
    std::int32_t count = 0;
    std::int32_t p = 0;
    // dtl's snake(k, above, below), written out in the three loops below: from
    // the better of the two neighbouring furthest points (above: fp[k - 1] + 1,
    // below: fp[k + 1]; ties go below), follow diagonal k while the elements are
    // equal, and record the point reached. On k < delta, fp[k - 1] is this
    // round's and fp[k + 1] the previous round's; on k > delta the other way
    // round; delta comes last and takes both from this round. The end markers
    // stop every snake at the end of the sequence that runs out first.
    for (;; ++p) {
      // This round records delta + 2p + 1 points: make room once.
      const auto needed = static_cast<std::size_t>(count) + static_cast<std::size_t>(delta + 2 * p + 1);
      if (m_capacity < needed) {
        grow(static_cast<std::size_t>(count), needed);
        ys = m_ys.get();
      }
      // row[k], prev[k]: this and the previous round's furthest y on diagonal k.
      std::int32_t* const row = ys + count + p;
      const std::int32_t* const prev = p == 0 ? m_none.data() : row - (delta + 2 * p);
      // Inside a round the indices are 64-bit, which saves a sign extension per array access.
      std::ptrdiff_t left = -1;  // row[k - 1]; none for k = -p
      for (std::ptrdiff_t k = -p; k < delta; ++k) {
        std::ptrdiff_t y = std::max<std::ptrdiff_t>(left + 1, prev[k + 1]);
        while (a[y - k] == b[y]) ++y;
        row[k] = static_cast<std::int32_t>(y);
        left = y;
      }
      std::ptrdiff_t right = -1;  // row[k + 1]; none for k = delta + p
      for (std::ptrdiff_t k = delta + p; k > delta; --k) {
        std::ptrdiff_t y = std::max<std::ptrdiff_t>(prev[k - 1] + 1, right);
        while (a[y - k] == b[y]) ++y;
        row[k] = static_cast<std::int32_t>(y);
        right = y;
      }
      std::ptrdiff_t y = std::max(left + 1, right);  // row[delta - 1] + 1, row[delta + 1]
      while (a[y - delta] == b[y]) ++y;
      row[delta] = static_cast<std::int32_t>(y);
      count += delta + 2 * p + 1;
      if (y == n || count >= k_max_points) break;
    }
    trace(p, delta);
    // Replayed forwards: from each point to the next, one insertion or
    // deletion onto its diagonal (none from (0, 0)), then equal elements.
    std::int32_t px = 0;
    std::int32_t py = 0;
    for (std::size_t c = m_chain_size; c-- > 0;) {
      const auto [vx, vy] = m_chain[c];
      while (vy - vx > py - px) {
        edit(!m_swapped);
        ++py;
      }
      while (vy - vx < py - px) {
        edit(m_swapped);
        ++px;
      }
      if (vx > px) {
        close();
        m_i += static_cast<std::size_t>(vx - px);
        m_j += static_cast<std::size_t>(vx - px);
        py += vx - px;
        px = vx;
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

  // The path's points into m_chain, from the last (diagonal delta of round
  // p) back to the first, which starts at (0, 0). Each point's predecessor is
  // the neighbour compose() took it from: above (diagonal k - 1) when
  // fp[k - 1] + 1 > fp[k + 1], else below (k + 1), each from the round
  // compose() read it from; a neighbour no round reached counts as -1, and
  // taking one ends the path.
  FW_NO_SANITIZE_COVERAGE void trace(std::int32_t p, std::int32_t delta) {
    // Row q (diagonals -q .. delta + q) starts after rows 0 .. q - 1, which
    // hold delta + 2r + 1 each; row[k] is diagonal k, and row q - 1 starts
    // delta + 2q entries before row q (as in compose()).
    const std::int32_t* row = m_ys.get() + p * (delta + 1) + p * (p - 1) + p;
    // A path has at most one point per edit, plus its first: m + n + 1. (An
    // uninitialized buffer sized ahead: push_back does not inline here.)
    const auto most = static_cast<std::size_t>(m_m + m_n) + 2;
    if (m_chain_capacity < most) {
      m_chain = std::make_unique_for_overwrite<Point[]>(most);
      m_chain_capacity = most;
    }
    Point* out = m_chain.get();
    std::int32_t q = p;
    std::int32_t k = delta;
    std::int32_t y = row[k];
    for (;;) {
      *out++ = Point{y - k, y};
      // The neighbours as compose() read them, -1 where that round did not reach the diagonal.
      const std::int32_t* prev = q > 0 ? row - (delta + 2 * q) : row;  // read only when q > 0
      std::int32_t above = 0;
      std::int32_t below = -1;
      bool above_prev = false;
      bool below_prev = false;
      if (k < delta) {
        if (k > -q) above = row[k - 1] + 1;
        if (q > 0) below = prev[k + 1];
        below_prev = true;
      } else if (k > delta) {
        above = prev[k - 1] + 1;
        above_prev = true;
        if (k < delta + q) below = row[k + 1];
      } else {
        if (k > -q) above = row[k - 1] + 1;
        if (q > 0) below = row[k + 1];
      }
      if (above > below) {
        if (above == 0) break;  // no point above: the path starts here
        if (above_prev) {
          row = prev;
          --q;
        }
        --k;
        y = above - 1;
      } else {
        if (below < 0) break;
        if (below_prev) {
          row = prev;
          --q;
        }
        ++k;
        y = below;
      }
    }
    m_chain_size = static_cast<std::size_t>(out - m_chain.get());
  }

  // Makes room for `needed` points, keeping the first `count`.
  void grow(std::size_t count, std::size_t needed) {
    std::size_t capacity = std::max<std::size_t>({needed, 2 * m_capacity, 256});
    auto ys = std::make_unique_for_overwrite<std::int32_t[]>(capacity);
    std::copy(m_ys.get(), m_ys.get() + count, ys.get());
    m_ys = std::move(ys);
    m_capacity = capacity;
  }

  // One inserted (insert) or deleted element of the old/new sequences.
  void edit(bool insert) {
    if (!m_open) {
      m_region = Region{m_i, m_i, m_j, m_j};
      m_open = true;
    }
    if (insert) {
      ++m_j;
    } else {
      ++m_i;
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
  std::vector<std::uint32_t> m_seq_a;  // the shorter sequence, then k_end_a twice
  std::vector<std::uint32_t> m_seq_b;  // the other, then k_end_b twice
  std::vector<std::int32_t> m_none;    // -1s: the fp of the round before round 0
  // The furthest ys of a search, round after round, grown ahead of each
  // round (never initialized: only the [0, count) written by the search is read).
  std::unique_ptr<std::int32_t[]> m_ys;
  std::size_t m_capacity = 0;
  struct Point {
    std::int32_t x, y;
  };
  std::unique_ptr<Point[]> m_chain;  // the path's points, last first (trace())
  std::size_t m_chain_capacity = 0;
  std::size_t m_chain_size = 0;
  // The regions being emitted: old and new positions, the open region.
  std::size_t m_i = 0;
  std::size_t m_j = 0;
  bool m_open = false;
  Region m_region{};
  std::vector<Region>* m_out = nullptr;
};

}  // namespace fw::diff::detail
