// libFuzzer target: parse and run arbitrary bytes in a Session with tight limits
// (small tensors, a small loop and call budget). Every run must end in a status and,
// on error, a diagnostic: no crash, no sanitizer report, no hang.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "lang/session.hpp"

using namespace hinge::lang;

namespace {

// Inputs that could touch the file system are skipped: every write needs `to`
// (save, plot, trace, record grads) and every read goes through load, import or
// csv. The words are matched whole, so `total` or `loader` still run.
bool touches_files(std::string_view text) {
  std::size_t i = 0;
  auto ident = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  while (i < text.size()) {
    if (!ident(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && ident(text[j])) ++j;
    std::string_view w = text.substr(i, j - i);
    if (w == "to" || w == "save" || w == "load" || w == "import" || w == "csv") return true;
    i = j;
  }
  return false;
}

std::FILE* null_stream() {
  static std::FILE* f = std::fopen("/dev/null", "w");
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (touches_files(text)) return -1;  // -1: not added to the corpus

  SessionOptions options;
  options.seed = 1;
  options.limits.max_elements = 1 << 14;
  options.limits.max_iterations = 20'000;
  options.limits.max_call_depth = 40;
  options.out = null_stream();
  options.err = null_stream();
  Session session(std::move(options));
  session.run_script("fuzz.hinge", text);
  // The session stays usable after whatever happened: a REPL would go on.
  session.run_entry("1 + 1");
  return 0;
}
