// The config file as a compact tree: yaml-cpp's parser (its events, not
// YAML::Load) builds plain nodes that hold what the loader reads (type, line,
// scalar text, items, key/value pairs) and nothing more. A YAML::Node costs
// about 330 bytes and six allocations per node; for a 10,000-feed config that
// was 30 MB of a daemon's 64 MB peak. Aliases are copied, within a bound on
// the nodes a document may make (k_max_nodes), so an alias bomb is an error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace fw::config::yaml {

enum class Type : std::uint8_t { null, scalar, sequence, map };

struct Entry;

struct Node {
  Type type = Type::null;
  int line = 0;                // 1-based line where the node starts; 0 when unknown
  std::string scalar;          // Type::scalar: its text
  std::vector<Node> items;     // Type::sequence
  std::vector<Entry> entries;  // Type::map: in file order, repeated keys kept

  bool is_null() const { return type == Type::null; }
  bool is_scalar() const { return type == Type::scalar; }
  bool is_sequence() const { return type == Type::sequence; }
  bool is_map() const { return type == Type::map; }
  // Items of a sequence, entries of a map, 0 otherwise.
  std::size_t size() const;
};

struct Entry {
  Node key;
  Node value;
};

inline std::size_t Node::size() const {
  return is_map() ? entries.size() : items.size();
}

// More than this many nodes in a document, aliases counted at their full size.
constexpr std::size_t k_max_nodes = 2'000'000;

// A document the tree refuses although its syntax is fine (too many nodes,
// an alias inside the node it names).
class DocumentError : public std::runtime_error {
 public:
  DocumentError(int line, const std::string& what) : std::runtime_error(what), m_line(line) {}
  int line() const { return m_line; }

 private:
  int m_line;
};

// The first document of `text`; a null node when there is none. Throws
// YAML::ParserException on a syntax error (as YAML::Load does) and
// DocumentError as above.
Node parse(const std::string& text);

}  // namespace fw::config::yaml
