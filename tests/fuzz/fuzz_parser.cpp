// libFuzzer target: parse_program on arbitrary bytes. It must return (a tree or one
// diagnostic) for every input: no crash, no sanitizer report, no hang.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "syntax/diagnostics.hpp"
#include "syntax/parse.hpp"

using namespace hinge::lang;

namespace {

// A broken invariant is a bug even when nothing crashed: abort so libFuzzer keeps
// the input.
void expect(bool ok, const char* what) {
  if (!ok) {
    fmt::print(stderr, "fuzz_parser: invariant broken: {}\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Source src = make_source("fuzz.hinge", std::string(reinterpret_cast<const char*>(data), size));
  ParseResult r = parse_program(src);
  if (!r.ok()) {
    const Diagnostic& d = *r.error;
    expect(d.span.begin <= d.span.end, "diagnostic span is reversed");
    expect(d.span.end <= src.text.size(), "diagnostic span runs past the text");
    expect(!d.message.empty(), "empty diagnostic message");
    std::string shown = render(src, d);
    expect(shown.rfind("fuzz.hinge:", 0) == 0, "rendered diagnostic does not start with the file");
    expect(!shown.empty() && shown.back() == '\n', "rendered diagnostic does not end with a newline");
    return 0;
  }
  expect(!r.incomplete, "a program that parsed is marked incomplete");
  // Walk the whole tree (printing touches every node and span) and copy it (Box).
  std::string text = syntax::to_sexpr(r.program, true);
  syntax::Program copy = r.program;
  expect(syntax::to_sexpr(copy, true) == text, "a copied tree prints differently");
  return 0;
}
