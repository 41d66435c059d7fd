// Golden tests of the `hinge` command: every tests/golden/run/NAME.hinge runs in a
// fresh temporary directory and its stdout must match NAME.out (numbers within a
// relative 1e-6) and its exit status NAME.status (default 0); every
// tests/golden/errors/NAME.hinge must print exactly NAME.err on stderr and exit
// with NAME.status (default 70). NAME.args holds extra command-line options and
// the files in NAME.d/ are copied beside the script. Plus: SIGINT during train exits 130.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "run_process.hpp"

namespace fs = std::filesystem;
using hinge::test::RunResult;
using hinge::test::slurp;
using hinge::test::TempDir;

namespace {
// Golden runs use the fake clock so training reports read the same every run.
RunResult run(const std::vector<std::string>& argv, const fs::path& cwd, int timeout_s = 120,
              int sigint_after_ms = -1) {
  return hinge::test::run_process(argv, cwd, {timeout_s, sigint_after_ms, /*fake_clock=*/true});
}
}  // namespace

namespace {

// Splits text into numbers and the text between them.
struct Token {
  bool number;
  std::string text;
  double value = 0;
};

std::vector<Token> tokenize(const std::string& s) {
  std::vector<Token> out;
  std::string text;
  std::size_t i = 0;
  auto flush = [&] {
    if (!text.empty()) out.push_back({false, text});
    text.clear();
  };
  while (i < s.size()) {
    if (s.compare(i, 5, "<num>") == 0) {  // wildcard in expected output
      flush();
      out.push_back({true, "<num>"});
      i += 5;
      continue;
    }
    const bool starts_digit =
        std::isdigit(static_cast<unsigned char>(s[i])) ||
        (s[i] == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])));
    const bool sign = (s[i] == '-' || s[i] == '+') && i + 1 < s.size() &&
                      (std::isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '.') &&
                      (i == 0 || !std::isalnum(static_cast<unsigned char>(s[i - 1])));
    const bool word_start =
        i == 0 || !(std::isalpha(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '_');
    if ((starts_digit && word_start) || (sign && word_start)) {
      const char* b = s.c_str() + i;
      char* e = nullptr;
      double v = std::strtod(b, &e);
      if (e != b) {
        // strtod reads "inf"/"nan" and hex; keep to plain decimal forms.
        flush();
        out.push_back({true, std::string(b, static_cast<const char*>(e)), v});
        i += static_cast<std::size_t>(e - b);
        continue;
      }
    }
    text += s[i++];
  }
  flush();
  return out;
}

// Empty when the two lines match: numbers within a relative 1e-6, "<num>" matches
// any number, and an expected line ending in "<rest>" matches any actual line that
// starts like it (for machine-dependent tails such as finite-difference errors).
std::string compare_line(std::string expected, const std::string& actual) {
  bool prefix = false;
  if (auto at = expected.find("<rest>"); at != std::string::npos) {
    expected.resize(at);
    prefix = true;
  }
  auto e = tokenize(expected), a = tokenize(actual);
  for (std::size_t k = 0; k < std::max(e.size(), a.size()); ++k) {
    if (k >= e.size()) return prefix ? "" : "the line is longer than expected";
    if (k >= a.size()) return "the line is shorter than expected";
    if (e[k].number != a[k].number) return "expected '" + e[k].text + "', got '" + a[k].text + "'";
    if (e[k].number) {
      if (e[k].text == "<num>") continue;
      const double x = e[k].value, y = a[k].value;
      if (x == y || (std::isnan(x) && std::isnan(y))) continue;
      if (std::fabs(x - y) <= 1e-6 * std::max(std::fabs(x), std::fabs(y)) + 1e-12) continue;
      return "number: expected " + e[k].text + ", got " + a[k].text;
    }
    const bool last = k + 1 == e.size();
    if (prefix && last ? a[k].text.rfind(e[k].text, 0) != 0 : e[k].text != a[k].text)
      return "expected '" + e[k].text + "', got '" + a[k].text + "'";
    if (prefix && last) return "";
  }
  return "";
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  if (!s.empty() && s.back() != '\n') out.push_back("<no newline at end>");
  return out;
}

// Empty when `actual` matches `expected` line by line; else the first difference.
std::string compare_output(const std::string& expected, const std::string& actual) {
  auto e = lines_of(expected), a = lines_of(actual);
  for (std::size_t k = 0; k < std::max(e.size(), a.size()); ++k) {
    if (k >= e.size()) return "extra output at line " + std::to_string(k + 1) + ": " + a[k];
    if (k >= a.size()) return "missing output at line " + std::to_string(k + 1) + ": " + e[k];
    std::string d = compare_line(e[k], a[k]);
    if (!d.empty()) return "line " + std::to_string(k + 1) + ": " + d;
  }
  return "";
}

std::vector<fs::path> scripts_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".hinge") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

int expected_status(const fs::path& script, int fallback) {
  fs::path p = script;
  p.replace_extension(".status");
  if (!fs::exists(p)) return fallback;
  return std::stoi(slurp(p));
}

// Copies the script, and the files in NAME.d/ if present, into `dir`.
void stage(const fs::path& script, const fs::path& dir) {
  fs::copy_file(script, dir / script.filename());
  fs::path extra = script;
  extra.replace_extension(".d");
  if (fs::is_directory(extra)) fs::copy(extra, dir, fs::copy_options::recursive);
}

// hinge [options from NAME.args] NAME.hinge
std::vector<std::string> command_for(const fs::path& script) {
  std::vector<std::string> cmd{HINGE_EXE};
  fs::path args = script;
  args.replace_extension(".args");
  if (fs::exists(args)) {
    std::istringstream in(slurp(args));
    for (std::string a; in >> a;) cmd.push_back(a);
  }
  cmd.push_back(script.filename().string());
  return cmd;
}

const fs::path kGolden = fs::path(HINGE_TEST_DIR) / "golden";

}  // namespace

TEST_CASE("golden output tokenizer compares numbers with a tolerance", "[golden]") {
  CHECK(compare_output("loss 0.5000001 at step 3\n", "loss 0.5 at step 3\n").empty());
  CHECK_FALSE(compare_output("loss 0.51\n", "loss 0.5\n").empty());
  CHECK_FALSE(compare_output("w1 = 2\n", "w2 = 2\n").empty());
  CHECK(compare_output("took <num> s\n", "took 0.25 s\n").empty());
  CHECK(compare_output("1\n2\n", "1\n2\n").empty());
  CHECK_FALSE(compare_output("a\n", "a\nb\n").empty());
  CHECK(compare_output("[-1, 2e-07]\n", "[-1, 2.0000000001e-07]\n").empty());
  CHECK(compare_output("ok, worst <rest>\nnext\n", "ok, worst 1e-9 at w[3]\nnext\n").empty());
  CHECK_FALSE(compare_output("ok, worst <rest>\n", "FAILED at w[3]\n").empty());
}

TEST_CASE("golden scripts print what they should", "[golden]") {
  const auto scripts = scripts_in(kGolden / "run");
  REQUIRE(scripts.size() >= 10);
  for (const fs::path& script : scripts) {
    DYNAMIC_SECTION(script.filename().string()) {
      TempDir tmp;
      stage(script, tmp.path);
      RunResult r = run(command_for(script), tmp.path);
      fs::path out = script;
      out.replace_extension(".out");
      INFO("stderr:\n" << r.err);
      INFO("stdout:\n" << r.out);
      REQUIRE(fs::exists(out));
      CHECK(compare_output(slurp(out), r.out) == "");
      CHECK(r.status == expected_status(script, 0));
      fs::path err = script;
      err.replace_extension(".err");
      if (fs::exists(err))
        CHECK(r.err == slurp(err));
      else if (r.status == 0)
        CHECK(r.err.empty());
      // Every plot the script wrote is a whole SVG document.
      for (const auto& f : fs::directory_iterator(tmp.path)) {
        if (f.path().extension() != ".svg") continue;
        const std::string svg = slurp(f.path());
        INFO(f.path().filename().string());
        CHECK(svg.find("<svg") != std::string::npos);
        CHECK(svg.rfind("</svg>") != std::string::npos);
        CHECK(svg.rfind("</svg>") + 7 >= svg.size());
      }
    }
  }
}

TEST_CASE("golden errors print the exact diagnostic and status", "[golden]") {
  const auto scripts = scripts_in(kGolden / "errors");
  REQUIRE(scripts.size() >= 60);
  for (const fs::path& script : scripts) {
    DYNAMIC_SECTION(script.filename().string()) {
      TempDir tmp;
      stage(script, tmp.path);
      RunResult r = run(command_for(script), tmp.path);
      fs::path err = script;
      err.replace_extension(".err");
      REQUIRE(fs::exists(err));
      CHECK(r.err == slurp(err));
      CHECK(r.status == expected_status(script, 70));
      fs::path out = script;
      out.replace_extension(".out");
      if (fs::exists(out)) CHECK(compare_output(slurp(out), r.out) == "");
    }
  }
}

TEST_CASE("the hinge command's exit statuses", "[golden][cli]") {
  TempDir tmp;
  CHECK(run({HINGE_EXE, "--version"}, tmp.path).status == 0);
  CHECK(run({HINGE_EXE, "--help"}, tmp.path).out.find("usage: hinge") != std::string::npos);
  CHECK(run({HINGE_EXE, "--bogus"}, tmp.path).status == 64);
  CHECK(run({HINGE_EXE, "--seed", "x", "-e", "1"}, tmp.path).status == 64);
  CHECK(run({HINGE_EXE, "--dtype", "f16", "-e", "1"}, tmp.path).status == 64);
  CHECK(run({HINGE_EXE, "no-such-file.hinge"}, tmp.path).status == 66);
  // An empty script path is a usage error, not a silent REPL.
  RunResult empty = run({HINGE_EXE, ""}, tmp.path);
  CHECK(empty.status == 64);
  CHECK(empty.err.find("the script path is empty") != std::string::npos);
  RunResult e = run({HINGE_EXE, "-e", "1 + 2"}, tmp.path);
  CHECK(e.status == 0);
  CHECK(e.out == "3\n");
  CHECK(run({HINGE_EXE, "-e", "1 +"}, tmp.path).status == 65);
  CHECK(run({HINGE_EXE, "-e", "nope"}, tmp.path).status == 70);
  RunResult f32 = run({HINGE_EXE, "--dtype", "f32", "-e", "[1, 2] * 0.1"}, tmp.path);
  CHECK(f32.out == "[0.1, 0.2] (f32)\n");
  RunResult cap = run({HINGE_EXE, "--max-elements", "10", "-e", "zeros([4, 4])"}, tmp.path);
  CHECK(cap.status == 70);
  CHECK(cap.err.find("too large (limit 10 elements, --max-elements)") != std::string::npos);
  RunResult args = run({HINGE_EXE, "-e", "print args"}, tmp.path);
  CHECK(args.out == "[]\n");
}

TEST_CASE("SIGINT during train stops at a step boundary with status 130", "[golden][signal]") {
  TempDir tmp;
  {
    std::ofstream s(tmp.path / "long.hinge");
    s << "param w = 3\n"
         "let loss = (w - 1)^2\n"
         "train loss with sgd(lr=0.000001) for 1000000000 steps log every 1000000\n"
         "print \"not reached\"\n";
  }
  RunResult r = run({HINGE_EXE, "long.hinge"}, tmp.path, 120, 1500);
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  CHECK(r.status == 130);
  CHECK(r.out.find("training interrupted after step") != std::string::npos);
  CHECK(r.out.find("not reached") == std::string::npos);
}
