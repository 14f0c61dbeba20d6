#include "daemon/config/yaml_tree.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <sstream>

namespace fw::config::yaml {

namespace {

int line_of(const YAML::Mark& mark) {
  return mark.is_null() ? 0 : mark.line + 1;
}

// Builds the tree from the parser's events: containers under construction on
// a stack, each finished node added to the container on top (a map's first,
// third, ... node is a key, the next its value).
class Builder : public YAML::EventHandler {
 public:
  Node take_root() { return std::move(m_root); }

  void OnDocumentStart(const YAML::Mark& /*mark*/) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node n;
    n.line = line_of(mark);
    finish(std::move(n), anchor, 1);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = m_anchors.find(anchor);
    if (it == m_anchors.end()) {
      // The parser knows the anchor, so its node is still open: the alias is inside it.
      throw DocumentError(line_of(mark), "an alias is used inside the node its anchor names");
    }
    finish(Node(it->second.node), 0, it->second.count);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                const std::string& value) override {
    Node n;
    n.type = Type::scalar;
    n.line = line_of(mark);
    n.scalar = value;
    finish(std::move(n), anchor, 1);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    open(Type::sequence, mark, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    open(Type::map, mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    Node node;
    YAML::anchor_t anchor = 0;
    std::size_t first_count = 0;  // m_count when it opened
    bool has_key = false;         // a map: the key of the next entry is waiting in `key`
    Node key;
  };
  struct Anchored {
    Node node;
    std::size_t count = 0;  // nodes in it
  };

  void count(std::size_t n, int line) {
    m_count += n;
    if (m_count > k_max_nodes) {
      throw DocumentError(line, "the document has more than " + std::to_string(k_max_nodes) +
                                    " nodes (aliases counted in full)");
    }
  }

  void open(Type type, const YAML::Mark& mark, YAML::anchor_t anchor) {
    count(1, line_of(mark));
    Open o;
    o.node.type = type;
    o.node.line = line_of(mark);
    o.anchor = anchor;
    o.first_count = m_count - 1;
    m_open.push_back(std::move(o));
  }

  void close() {
    Open o = std::move(m_open.back());
    m_open.pop_back();
    add(std::move(o.node), o.anchor, m_count - o.first_count);
  }

  // A scalar, null or alias copy of `nodes` nodes is complete.
  void finish(Node n, YAML::anchor_t anchor, std::size_t nodes) {
    count(nodes, n.line);
    add(std::move(n), anchor, nodes);
  }

  void add(Node n, YAML::anchor_t anchor, std::size_t nodes) {
    if (anchor != 0) m_anchors[anchor] = Anchored{n, nodes};
    if (m_open.empty()) {
      m_root = std::move(n);
      return;
    }
    Open& top = m_open.back();
    if (top.node.type == Type::sequence) {
      top.node.items.push_back(std::move(n));
    } else if (!top.has_key) {
      top.key = std::move(n);
      top.has_key = true;
    } else {
      top.node.entries.push_back(Entry{std::move(top.key), std::move(n)});
      top.key = Node();
      top.has_key = false;
    }
  }

  Node m_root;
  std::vector<Open> m_open;
  std::map<YAML::anchor_t, Anchored> m_anchors;
  std::size_t m_count = 0;
};

}  // namespace

Node parse(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  Builder builder;
  parser.HandleNextDocument(builder);
  return builder.take_root();
}

}  // namespace fw::config::yaml
