// Unicode data for NFC (UAX #15), generated into nfc_tables.cpp by
// gen_nfc_tables.py. Sorted tables for binary search; see canonical.cpp.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fw::diff::nfc {

// Code points first..last have canonical combining class ccc (only ccc != 0 listed).
struct CccRange {
  std::uint32_t first;
  std::uint32_t last;
  std::uint8_t ccc;
};

// One level of canonical decomposition: cp -> a (+ b, 0 when a singleton).
// Hangul syllables are not listed: they decompose algorithmically.
struct Decomposition {
  std::uint32_t cp;
  std::uint32_t a;
  std::uint32_t b;
};

// Primary composites: a + b -> composite (composition exclusions, singletons and
// non-starter decompositions left out), sorted by (a, b).
struct Composition {
  std::uint32_t a;
  std::uint32_t b;
  std::uint32_t composite;
};

extern const CccRange k_ccc[];
extern const std::size_t k_ccc_size;
extern const Decomposition k_decompositions[];
extern const std::size_t k_decompositions_size;
extern const Composition k_compositions[];
extern const std::size_t k_compositions_size;

}  // namespace fw::diff::nfc

namespace fw::diff::nfc {

// Canonical combining class of cp (0 for starters and unassigned code points).
inline std::uint8_t combining_class(char32_t cp) {
  if (cp < 0x300) return 0;
  std::size_t lo = 0;
  std::size_t hi = k_ccc_size;
  while (lo < hi) {
    std::size_t mid = (lo + hi) / 2;
    if (k_ccc[mid].last < cp) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < k_ccc_size && k_ccc[lo].first <= cp ? k_ccc[lo].ccc : 0;
}

}  // namespace fw::diff::nfc
