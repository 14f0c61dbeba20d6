// The reference side of bench/diff_equivalence.sh: compiled against an earlier
// revision's parsers/diff sources with -Dfw=fw_ref, so both implementations
// link into one program. Returns everything diff() makes observable: the JSON
// rendering (stats, changes, hunks), both text renderings and the tokens
// (kind and length) of both texts.
#include <string>
#include <string_view>

#include "parsers/diff/diff.hpp"
#include "parsers/diff/tokenize.hpp"

std::string diff_equivalence_reference(std::string_view old_text, std::string_view new_text) {
  const fw::diff::Diff d = fw::diff::diff(old_text, new_text);
  fw::diff::TextOptions all;
  all.all_paragraphs = true;
  all.color = true;
  std::string out = fw::diff::to_json(d) + "\n" + fw::diff::to_text(d) + "\n" + fw::diff::to_text(d, all);
  for (std::string_view text : {old_text, new_text}) {
    out += "\ntokens:";
    for (const fw::diff::Token& t : fw::diff::tokenize(text))
      out += " " + std::to_string(static_cast<int>(t.kind)) + ":" + std::to_string(t.text.size());
  }
  return out;
}
