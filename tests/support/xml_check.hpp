// A small XML well-formedness checker for tests (balanced tags, quoted attributes,
// known entities, valid UTF-8), which also collects the elements it saw so that tests
// can count series and read labels. Enough to prove that an SVG opens; not a full
// XML parser (no DTDs, no namespaces checks).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hinge::test {

struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attrs;  // values with entities decoded
  std::string text;                          // the decoded character data directly inside

  bool has_class(std::string_view cls) const {
    auto it = attrs.find("class");
    if (it == attrs.end()) return false;
    std::string_view all = it->second;
    for (std::size_t i = 0; i <= all.size();) {
      std::size_t end = all.find(' ', i);
      if (end == std::string_view::npos) end = all.size();
      if (all.substr(i, end - i) == cls) return true;
      i = end + 1;
    }
    return false;
  }
};

struct XmlDoc {
  std::optional<std::string> error;  // "offset N: what is wrong"; empty when well-formed
  std::vector<XmlElement> elements;  // in document order; elements[0] is the root

  std::size_t count(std::string_view name, std::string_view cls = {}) const {
    std::size_t n = 0;
    for (const auto& e : elements) n += e.name == name && (cls.empty() || e.has_class(cls));
    return n;
  }
  std::vector<std::string> texts(std::string_view cls = {}) const {
    std::vector<std::string> out;
    for (const auto& e : elements) {
      if (e.name == "text" && (cls.empty() || e.has_class(cls))) out.push_back(e.text);
    }
    return out;
  }
};

namespace detail {

class XmlChecker {
 public:
  explicit XmlChecker(std::string_view s) : s_(s) {}

  XmlDoc run() {
    try {
      check_encoding();
      if (s_.substr(0, 5) == "<?xml") skip_past("?>");
      misc();
      if (!at('<')) fail("expected the root element");
      element();
      misc();
      if (pos_ != s_.size()) fail("content after the root element");
    } catch (const std::string& message) {
      doc_.error = message;
    }
    return std::move(doc_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) { throw "offset " + std::to_string(pos_) + ": " + what; }
  bool at(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool starts(std::string_view t) const { return s_.substr(pos_, t.size()) == t; }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  void skip_past(std::string_view end) {
    std::size_t k = s_.find(end, pos_);
    if (k == std::string_view::npos) fail(std::string("unterminated, expected ") + std::string(end));
    pos_ = k + end.size();
  }

  void check_encoding() {
    for (std::size_t i = 0; i < s_.size();) {
      auto c = static_cast<unsigned char>(s_[i]);
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        pos_ = i;
        fail("control character");
      }
      std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      if (n == 0 || i + n > s_.size()) {
        pos_ = i;
        fail("invalid UTF-8");
      }
      for (std::size_t k = 1; k < n; ++k) {
        if ((static_cast<unsigned char>(s_[i + k]) & 0xC0) != 0x80) {
          pos_ = i;
          fail("invalid UTF-8");
        }
      }
      i += n;
    }
  }

  // Comments, processing instructions and white space between elements.
  void misc() {
    for (;;) {
      skip_ws();
      if (starts("<!--"))
        skip_past("-->");
      else if (starts("<?"))
        skip_past("?>");
      else
        return;
    }
  }

  static bool name_char(char c, bool first) {
    auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || u >= 0x80) return true;
    return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
  }
  std::string name() {
    std::size_t begin = pos_;
    if (pos_ >= s_.size() || !name_char(s_[pos_], true)) fail("expected a name");
    while (pos_ < s_.size() && name_char(s_[pos_], false)) ++pos_;
    return std::string(s_.substr(begin, pos_ - begin));
  }

  // Decodes the entity at pos_ ('&'), appending its text to `out`.
  void entity(std::string& out) {
    std::size_t end = s_.find(';', pos_);
    if (end == std::string_view::npos || end - pos_ > 12) fail("'&' that starts no entity");
    std::string_view e = s_.substr(pos_ + 1, end - pos_ - 1);
    static const std::map<std::string_view, std::string_view> named = {
        {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}};
    if (auto it = named.find(e); it != named.end()) {
      out += it->second;
    } else if (e.size() >= 2 && e[0] == '#') {
      bool hex = e[1] == 'x';
      std::string_view digits = e.substr(hex ? 2 : 1);
      if (digits.empty()) fail("empty character reference");
      unsigned long code = 0;
      for (char c : digits) {
        int d = (c >= '0' && c <= '9')          ? c - '0'
                : hex && (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : hex && (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                : -1;
        if (d < 0) fail("bad character reference");
        code = code * (hex ? 16 : 10) + d;
        if (code > 0x10FFFF) fail("character reference out of range");
      }
      if (code < 0x20 && code != 9 && code != 10 && code != 13)
        fail("character reference to a control character");
      out += '?';  // the tests never look at referenced characters
    } else {
      fail("unknown entity &" + std::string(e) + ";");
    }
    pos_ = end + 1;
  }

  void element() {
    ++pos_;  // '<'
    std::size_t index = doc_.elements.size();
    doc_.elements.push_back({name(), {}, {}});
    for (;;) {
      std::size_t before = pos_;
      skip_ws();
      if (starts("/>")) {
        pos_ += 2;
        return;
      }
      if (at('>')) {
        ++pos_;
        break;
      }
      if (pos_ == before) fail("expected white space before an attribute");
      std::string attr = name();
      skip_ws();
      if (!at('=')) fail("attribute '" + attr + "' without '='");
      ++pos_;
      skip_ws();
      if (!at('"') && !at('\'')) fail("attribute '" + attr + "' value not quoted");
      char quote = s_[pos_++];
      std::string value;
      while (pos_ < s_.size() && s_[pos_] != quote) {
        if (s_[pos_] == '<') fail("'<' inside an attribute value");
        if (s_[pos_] == '&')
          entity(value);
        else
          value += s_[pos_++];
      }
      if (pos_ >= s_.size()) fail("unterminated attribute value");
      ++pos_;
      if (!doc_.elements[index].attrs.emplace(attr, value).second) fail("duplicate attribute '" + attr + "'");
    }
    // Content, up to the matching end tag.
    for (;;) {
      if (pos_ >= s_.size()) fail("missing </" + doc_.elements[index].name + ">");
      if (starts("</")) {
        pos_ += 2;
        std::string end = name();
        if (end != doc_.elements[index].name)
          fail("</" + end + "> closes <" + doc_.elements[index].name + ">");
        skip_ws();
        if (!at('>')) fail("expected '>'");
        ++pos_;
        return;
      }
      if (starts("<!--"))
        skip_past("-->");
      else if (starts("<![CDATA["))
        skip_past("]]>");
      else if (starts("<?"))
        skip_past("?>");
      else if (at('<'))
        element();
      else if (at('&'))
        entity(doc_.elements[index].text);
      else {
        if (starts("]]>")) fail("']]>' in text");
        doc_.elements[index].text += s_[pos_++];
      }
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  XmlDoc doc_;
};

}  // namespace detail

// Parses `xml`; doc.error says what is wrong, if anything.
inline XmlDoc parse_xml(std::string_view xml) { return detail::XmlChecker(xml).run(); }

}  // namespace hinge::test
