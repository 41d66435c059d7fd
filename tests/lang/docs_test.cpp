// The docs cannot drift: every command README.md and lang/README.md show with its
// output is run, and the output must be what they show.
//
// In an indented code block, a line `$ COMMAND` is a command and the indented lines
// after it (up to a blank line or the next `$`) its output; lines `> INPUT` are REPL
// input, piped into one `hinge` session, and the lines between them its output. A
// line `...` in shown output stands for any number of lines. A command shown with
// no output is only checked to be one of the forms below, not run (its files are
// the reader's). The forms: `examples/run [NAME]` (the experiment, run as the
// wrapper runs it, in a fresh folder), `hinge ARGS` or `.build/lang/hinge ARGS`, and
// `echo 'TEXT' | hinge`; arguments are words or 'single-quoted'. Nothing goes
// through a shell: the test parses these forms itself and fails on any other, so a
// new kind of command in the docs needs a line here first.
#include <catch2/catch.hpp>

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "run_process.hpp"

namespace fs = std::filesystem;
using namespace hinge::test;

namespace {

const fs::path kRoot = fs::path(HINGE_TEST_DIR) / "..";

struct Shown {
  std::size_t line = 0;             // 1-based, of the command or first input
  std::string command;              // "$ ..." without the "$ "; empty for a transcript
  std::vector<std::string> inputs;  // transcript input lines
  std::vector<std::string> output;  // shown output lines
};

std::string rstrip(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// The commands and transcripts shown in a markdown file.
std::vector<Shown> shown_in(const fs::path& file) {
  std::ifstream in(file);
  std::vector<Shown> all;
  std::optional<Shown> cur;
  auto flush = [&] {
    if (cur) all.push_back(std::move(*cur));
    cur.reset();
  };
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    line = rstrip(line);
    const bool code = line.rfind("    ", 0) == 0;
    const std::string body = code ? line.substr(4) : "";
    if (!code) {
      flush();
      continue;
    }
    if (body.rfind("$ ", 0) == 0) {
      flush();
      cur = Shown{n, body.substr(2), {}, {}};
    } else if (body.rfind("> ", 0) == 0 || body == ">") {
      if (cur && !cur->command.empty()) flush();
      if (!cur) cur = Shown{n, "", {}, {}};
      cur->inputs.push_back(body.size() > 2 ? body.substr(2) : "");
    } else if (cur) {
      cur->output.push_back(body);
    }
  }
  flush();
  return all;
}

// Words of a shown command: blanks separate, 'single quotes' group, # starts a comment.
std::vector<std::string> words(const std::string& cmd) {
  std::vector<std::string> out;
  std::string w;
  bool in_word = false;
  for (std::size_t i = 0; i < cmd.size(); ++i) {
    const char c = cmd[i];
    if (c == '\'') {
      const std::size_t end = cmd.find('\'', i + 1);
      REQUIRE(end != std::string::npos);
      w += cmd.substr(i + 1, end - i - 1);
      in_word = true;
      i = end;
    } else if (c == ' ') {
      if (in_word) out.push_back(w);
      w.clear();
      in_word = false;
    } else if (c == '#' && !in_word) {
      break;
    } else {
      w += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(w);
  return out;
}

// "" when `actual` reads as `shown` (with `...` for any run of lines), else where not.
std::string mismatch(const std::vector<std::string>& shown, const std::vector<std::string>& actual) {
  // Classic wildcard matching over lines, with backtracking to the last `...`.
  std::size_t s = 0, a = 0, star = std::string::npos, mark = 0;
  while (a < actual.size()) {
    if (s < shown.size() && shown[s] == "...") {
      star = s++;
      mark = a;
    } else if (s < shown.size() && shown[s] == actual[a]) {
      ++s, ++a;
    } else if (star != std::string::npos) {
      s = star + 1;
      a = ++mark;
    } else {
      return "shown line " + std::to_string(s + 1) + ": '" + (s < shown.size() ? shown[s] : "(end)") +
             "', printed: '" + actual[a] + "'";
    }
  }
  while (s < shown.size() && shown[s] == "...") ++s;
  if (s < shown.size()) return "shown line " + std::to_string(s + 1) + " '" + shown[s] + "' was not printed";
  return "";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    out.push_back(rstrip(text.substr(at, end - at)));
    at = end + 1;
  }
  return out;
}

// Runs what `s` shows (when it shows output) and returns the mismatch, "" if none.
std::string check(const Shown& s) {
  TempDir dir("hinge-docs");
  RunOptions opt;
  std::vector<std::string> argv;
  std::string prefix;  // what a wrapper prints before hinge does
  if (s.command.empty()) {
    std::string input;
    for (const auto& l : s.inputs) input += l + "\n";
    std::ofstream(dir.path / ".stdin") << input;
    opt.stdin_path = dir.path / ".stdin";
    argv = {HINGE_EXE};
  } else {
    const auto w = words(s.command);
    REQUIRE(!w.empty());
    if (w[0] == "examples/run") {
      REQUIRE(w.size() <= 2);
      const std::string name = w.size() == 2 ? w[1] : "fit_curve";
      // The wrapper announces where the outputs go; the docs write the checkout as /path/to/hinge.
      const std::string wrapper = slurp(kRoot / "examples" / "run");
      REQUIRE(wrapper.find("echo \"examples/run: $name writes to $out/\"") != std::string::npos);
      prefix = "examples/run: " + name + " writes to /path/to/hinge/.out/\n";
      fs::copy_file(kRoot / "examples" / (name + ".hinge"), dir.path / (name + ".hinge"));
      argv = {HINGE_EXE, name + ".hinge"};
    } else if (w[0] == "hinge" || w[0] == ".build/lang/hinge") {
      argv = w;
      argv[0] = HINGE_EXE;
    } else if (w.size() == 4 && w[0] == "echo" && w[2] == "|" && w[3] == "hinge") {
      std::ofstream(dir.path / ".stdin") << w[1] << "\n";
      opt.stdin_path = dir.path / ".stdin";
      argv = {HINGE_EXE};
    } else {
      return "a command the doc test cannot run: " + s.command;
    }
  }
  if (s.output.empty()) return "";  // shown, not run (see the top of this file)
  const RunResult r = run_process(argv, dir.path, opt);
  const std::string why = mismatch(s.output, lines_of(prefix + r.out));
  return why.empty() ? "" : why + "\nstdout:\n" + r.out + "stderr:\n" + r.err;
}

}  // namespace

TEST_CASE("docs: the shown-output matcher", "[docs]") {
  CHECK(mismatch({"a", "...", "d"}, {"a", "b", "c", "d"}).empty());
  CHECK(mismatch({"a", "...", "d"}, {"a", "d"}).empty());
  CHECK_FALSE(mismatch({"a", "...", "d"}, {"a", "b", "c"}).empty());
  CHECK_FALSE(mismatch({"a", "b"}, {"a", "c"}).empty());
  CHECK_FALSE(mismatch({"a"}, {"a", "b"}).empty());
  CHECK(words("hinge -e 'let x = 1; print x'  # a comment") ==
        std::vector<std::string>{"hinge", "-e", "let x = 1; print x"});
}

TEST_CASE("docs: every command README.md and lang/README.md show prints what they show", "[docs]") {
  std::size_t ran = 0;
  for (const fs::path& doc : {kRoot / "README.md", kRoot / "lang" / "README.md"}) {
    for (const Shown& s : shown_in(doc)) {
      INFO(doc.filename().string() << ":" << s.line << ": "
                                   << (s.command.empty() ? "> " + s.inputs[0] : "$ " + s.command));
      CHECK(check(s) == "");
      ran += !s.output.empty();
    }
  }
  CHECK(ran >= 6);  // the tour's three commands and lang/README.md's transcripts at least
}
