// The reference side of bench/diff_equivalence.sh: compiled against an earlier
// revision's parsers/diff sources with -Dfw=fw_ref, so both implementations
// link into one program. Returns everything diff() makes observable: the JSON
// rendering (stats, changes, hunks) and both text renderings.
#include <string>
#include <string_view>

#include "parsers/diff/diff.hpp"

std::string diff_equivalence_reference(std::string_view old_text, std::string_view new_text) {
  const fw::diff::Diff d = fw::diff::diff(old_text, new_text);
  fw::diff::TextOptions all;
  all.all_paragraphs = true;
  all.color = true;
  return fw::diff::to_json(d) + "\n" + fw::diff::to_text(d) + "\n" + fw::diff::to_text(d, all);
}
