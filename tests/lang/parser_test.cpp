// Parser tests: the golden catalogue in tests/golden/parse (NAME.hinge -> NAME.expect,
// the printed tree or the rendered diagnostic), plus source, rendering and limits.
// HINGE_UPDATE_GOLDEN=1 rewrites the .expect files from the current output (the
// files' invariants are still checked, and the run fails so the mode is never left on).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "syntax/diagnostics.hpp"
#include "syntax/keywords.hpp"
#include "syntax/parse.hpp"
#include "syntax/prepass.hpp"
#include "syntax/source.hpp"
#include "syntax/spelling.hpp"
#include "syntax/tree.hpp"
#include "temp_dir.hpp"

using namespace hinge::lang;
namespace fs = std::filesystem;

namespace {

ParseResult parse(std::string text) { return parse_program(make_source("t.hinge", std::move(text))); }

std::string tree(const std::string& text) {
  ParseResult r = parse(text);
  if (!r.ok()) return "error: " + r.error->message;
  return syntax::to_sexpr(r.program);
}

std::string error_of(std::string text) {
  Source src = make_source("t.hinge", std::move(text));
  ParseResult r = parse_program(src);
  return r.ok() ? "ok" : render(src, *r.error);
}

}  // namespace

TEST_CASE("golden parse files", "[parser][golden]") {
  fs::path dir = fs::path(HINGE_TEST_DIR) / "golden" / "parse";
  const bool update = std::getenv("HINGE_UPDATE_GOLDEN") != nullptr;
  int count = 0;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".hinge") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& path : files) {
    ++count;
    const std::string name = path.filename().string();
    INFO("golden file: " << name);
    Source src = make_source(name, hinge::test::slurp(path));
    ParseResult r = parse_program(src);
    // What the name promises holds in update mode too: bad_* and incomplete_* files
    // are errors (incomplete_* only those), the others parse.
    const bool want_error = name.rfind("bad_", 0) == 0 || name.rfind("incomplete_", 0) == 0;
    CHECK(!r.ok() == want_error);
    CHECK(r.incomplete == (name.rfind("incomplete_", 0) == 0));
    const std::string got =
        r.ok() ? syntax::to_sexpr(r.program, name.rfind("spans_", 0) == 0) : render(src, *r.error);
    fs::path expect_path = fs::path(path).replace_extension(".expect");
    if (update) {
      std::ofstream(expect_path, std::ios::binary) << got;
      continue;
    }
    REQUIRE(fs::exists(expect_path));
    CHECK(got == hinge::test::slurp(expect_path));
  }
  CHECK(count >= 60);
  // Update mode rewrites the files and fails, so it is never left on.
  if (update) FAIL("HINGE_UPDATE_GOLDEN is set: the .expect files were rewritten; review them and unset it");
}

TEST_CASE("source line and column lookup", "[parser][source]") {
  Source src = make_source("s", "ab\ncd\n\xc3\xa9x\n");
  CHECK(src.line_starts == std::vector<uint32_t>{0, 3, 6, 10});
  CHECK(src.location(0).line == 1);
  CHECK(src.location(4).line == 2);
  CHECK(src.location(4).column == 2);
  CHECK(src.location(8).column == 2);  // after the two-byte 'é': one code point
  CHECK(src.line_text(3) == "\xc3\xa9x");
  CHECK(src.location(1000).line == 4);  // clamps to the end
}

TEST_CASE("render: caret, tildes, tabs", "[parser][diagnostics]") {
  Source src = make_source("model.hinge", "let w = 1\nlet x = 2\n    y = relu(w * x + b)\n");
  Diagnostic d{{src.line_start(3) + 13, src.line_start(3) + 18}, "shape mismatch in '*': [3] vs [4]"};
  CHECK(render(src, d) ==
        "model.hinge:3:14: error: shape mismatch in '*': [3] vs [4]\n"
        "        y = relu(w * x + b)\n"
        "                 ^~~~~\n");
  Source tabbed = make_source("t", "\tx = $\n");
  CHECK(render(tabbed, {{5, 6}, "bad"}) == "t:1:6: error: bad\n        x = $\n            ^\n");
  // An empty span at the end of a line puts the caret just after it.
  Source eol = make_source("e", "let x =\n");
  CHECK(render(eol, {{7, 7}, "expected an expression"}) ==
        "e:1:8: error: expected an expression\n    let x =\n           ^\n");
}

TEST_CASE("render: a long line shows a window around the caret, cut where it was cut",
          "[parser][diagnostics]") {
  // A line of a million characters, the error at character 500,001: the column is
  // counted on the whole line, the window shows 160 columns around the caret.
  std::string line(1'000'000, 'a');
  line.replace(500'000, 3, "bad");
  Source src = make_source("big.csv", line);
  const std::string out = render(src, {{500'000, 500'003}, "cell 1 is not a number"});
  CHECK(out.starts_with("big.csv:1:500001: error: cell 1 is not a number\n    ...aaa"));
  CHECK(out.size() < 400);
  const std::size_t shown = out.find("\n    ") + 5, caret = out.rfind("\n    ") + 5;
  CHECK(out.substr(out.find('^') - caret + shown, 3) == "bad");  // the caret sits under "bad"
  CHECK(out.substr(out.find('^'), 4) == "^~~\n");
  const std::string_view shown_line(out.data() + shown, out.find('\n', shown) - shown);
  CHECK(shown_line.ends_with("aaa..."));
  CHECK(shown_line.size() == 160 + 6);  // the widest window and its two cuts
  // Near the start only the end is cut; a short line is not cut at all.
  const std::string start = render(src, {{2, 3}, "x"});
  CHECK(start.starts_with("big.csv:1:3: error: x\n    aaa"));
  CHECK(start.find("...") == start.find("aaa...") + 3);
}

TEST_CASE("the Error exception carries its diagnostic", "[parser][diagnostics]") {
  try {
    throw Error({2, 4}, "unknown name 'q'");
  } catch (const Error& e) {
    CHECK(e.diagnostic().span == Span{2, 4});
    CHECK(std::string(e.what()) == "unknown name 'q'");
  }
}

TEST_CASE("precedence and associativity", "[parser]") {
  CHECK(tree("-x^2") == "(expr (neg (^ x 2)))\n");
  CHECK(tree("2^-1") == "(expr (^ 2 (neg 1)))\n");
  CHECK(tree("a^b^c") == "(expr (^ a (^ b c)))\n");
  CHECK(tree("a - b - c") == "(expr (- (- a b) c))\n");
  CHECK(tree("a + b * c @ d") == "(expr (+ a (@ (* b c) d)))\n");
  CHECK(tree("not a == b and c or d") == "(expr (or (and (not (== a b)) c) d))\n");
  CHECK(tree("-a * b") == "(expr (* (neg a) b))\n");
  CHECK(tree("f(x)[0](y)") == "(expr (call (index (call f x) 0) y))\n");
  CHECK(tree("(a + b) * c") == "(expr (* (+ a b) c))\n");
}

TEST_CASE("a byte order mark before the first line is no token", "[parser]") {
  CHECK(tree("\xEF\xBB\xBF"
             "a + b") == "(expr (+ a b))\n");
  CHECK(error_of("a +\xEF\xBB\xBF b").find("unexpected character") !=
        std::string::npos);  // elsewhere it is one
}

TEST_CASE("lines ending in a lone carriage return are an error at the first; CRLF lines are lines",
          "[parser]") {
  // Old Mac line endings: the statements would run together into one line.
  CHECK(
      error_of("let a = 1\rprint a\r") ==
      "t.hinge:1:10: error: a carriage return (\\r) with no newline after it: hinge reads lines that end in "
      "\\n or \\r\\n (save the file with Unix or Windows line endings)\n"
      "    let a = 1\\x0dprint a\n"
      "             ^~~~\n");
  // A comment does not hide the next line's code behind the carriage return.
  CHECK(error_of("# note\rprint 1").starts_with("t.hinge:1:7: error: a carriage return"));
  CHECK(tree("let a = 1\r\nprint a # x\r\n") == tree("let a = 1\nprint a\n"));
  CHECK(tree("print 1\r") == tree("print 1"));  // one at the very end ends nothing
}

TEST_CASE("did-you-mean: the edit distance counts a swap of neighbours as one step", "[parser][spelling]") {
  CHECK(edit_distance("reul", "relu") == 1);
  CHECK(edit_distance("pirnt", "print") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("abc", "abc") == 0);
  const std::string_view words[] = {"let", "print", "param"};
  CHECK(closest_name("lett", words) == "let");
  CHECK(closest_name("parm", words) == "param");
  CHECK(closest_name("xyz", words).empty());  // 3 edits from each: no plausible typo
  const std::string names[] = {"alpha", "beta"};
  CHECK(closest_name("alpah", names) == "alpha");
}

TEST_CASE("incomplete input asks for another line", "[parser][repl]") {
  for (const char* text : {"let x = (1 +", "f(1,", "def g(x) {\n  let h = 1\n", "print \"abc", "let y = 1 +",
                           "let y = 1 +\n", "xs = [1, 2,\n 3", "print a,", "if x {", "let z = x and"}) {
    INFO(text);
    ParseResult r = parse(text);
    CHECK_FALSE(r.ok());
    CHECK(r.incomplete);
  }
  for (const char* text : {"let x", "let = (", "f(1 2", "train loss with sgd() for 10", "let x = )",
                           "print \"a\" \"b", "let x = 1 $ (", "x ="}) {
    INFO(text);
    ParseResult r = parse(text);
    CHECK_FALSE(r.ok());
    if (std::string(text) != "x =") CHECK_FALSE(r.incomplete);
  }
  // Appending the rest makes it whole.
  CHECK(parse("let x = (1 +\n 2)").ok());
  CHECK(parse("def g(x) {\n  let h = 1\n  return h\n}\n").ok());
}

TEST_CASE("nesting limit and deep input", "[parser][limits]") {
  std::string ok = std::string(200, '(') + "1" + std::string(200, ')');
  CHECK(parse(ok).ok());
  std::string deep = std::string(201, '(') + "1" + std::string(201, ')');
  ParseResult r = parse(deep);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->message == "nesting too deep (more than 200 levels)");
  CHECK(r.error->span.begin == 200);

  // Far deeper than the stack could take: rejected before the grammar runs.
  for (const std::string& s :
       {std::string(100000, '['), std::string(100000, '-') + "x",
        "x" + std::string(50000, ' ').replace(0, 50000, 50000, '^'), std::string(100000, '{')}) {
    ParseResult d = parse(s);
    CHECK_FALSE(d.ok());
  }
  std::string pow_chain = "x";
  for (int i = 0; i < 50000; ++i) pow_chain += "^x";
  CHECK(parse(pow_chain).error->message == "nesting too deep (more than 200 levels)");
  std::string nots;
  for (int i = 0; i < 50000; ++i) nots += "not ";
  CHECK(parse(nots + "x").error->message == "nesting too deep (more than 200 levels)");
  std::string elifs = "if a { }";
  for (int i = 0; i < 50000; ++i) elifs += " else if a { }";
  CHECK(parse(elifs).error->message == "nesting too deep (more than 200 levels)");
  // Long flat input is fine up to the operator limit: each prefix minus ends with the
  // binary operator after it, so only the binary ones count.
  std::string sum = "x";
  for (uint32_t i = 0; i < max_operators; ++i) sum += " - -x";
  CHECK(parse(sum).ok());
  // One more binary operator is refused: evaluating the chain recurses once per operator.
  sum += " - -x";
  ParseResult too_long = parse(sum);
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error->message ==
        "expression too long: more than 10000 operators in a row (split it with `let`)");
  CHECK(too_long.error->span.begin == sum.size() - 4);  // at the operator past the limit
  std::string deep_string = "print \"{" + std::string(5000, '(') + "1" + std::string(5000, ')') + "}\"";
  CHECK(parse(deep_string).error->message == "nesting too deep (more than 200 levels)");
}

TEST_CASE("spans point into the original text", "[parser][spans]") {
  std::string text = "print \"loss {loss:.4f} at {n}\", n";
  ParseResult r = parse(text);
  REQUIRE(r.ok());
  const auto& print = r.program.stmts[0].as<syntax::Print>();
  const auto& str = print.values[0].as<syntax::String>();
  REQUIRE(str.parts.size() == 4);
  CHECK(str.parts[0].text == "loss ");
  CHECK(str.parts[1].spec == ".4f");
  CHECK(text.substr(str.parts[1].span.begin, str.parts[1].span.size()) == "{loss:.4f}");
  Span name = str.parts[1].expr->span;
  CHECK(text.substr(name.begin, name.size()) == "loss");
  CHECK(str.parts[3].expr->as<syntax::Name>().text == "n");
  Span stmt = r.program.stmts[0].span;
  CHECK(stmt == Span{0, static_cast<uint32_t>(text.size())});
}

TEST_CASE("numbers keep their text and integer-ness", "[parser]") {
  ParseResult r = parse("[1, 1.5, 1e-3, 2.5E+2, .5, 3.]");
  REQUIRE(r.ok());
  const auto& items = r.program.stmts[0].as<syntax::ExprStmt>().value.as<syntax::List>().items;
  REQUIRE(items.size() == 6);
  CHECK(items[0].as<syntax::Number>().is_integer);
  CHECK(items[0].as<syntax::Number>().value == 1.0);
  CHECK_FALSE(items[1].as<syntax::Number>().is_integer);
  CHECK(items[2].as<syntax::Number>().value == 1e-3);
  CHECK(items[3].as<syntax::Number>().text == "2.5E+2");
  CHECK(items[3].as<syntax::Number>().value == 250.0);
  CHECK(items[4].as<syntax::Number>().value == 0.5);
}

TEST_CASE("the tree is a copyable value", "[parser]") {
  ParseResult r = parse("def f(x) = x * 2\nif a { print 1 } else { print 2 }");
  REQUIRE(r.ok());
  syntax::Program copy = r.program;
  CHECK(syntax::to_sexpr(copy) == syntax::to_sexpr(r.program));
  const auto& def = copy.stmts[0].as<syntax::Def>();
  CHECK(def.one_line);
  CHECK(def.body->stmts.size() == 1);
  CHECK(def.body->stmts[0].kind() == syntax::StmtKind::return_);
  CHECK(copy.stmts[1].kind() == syntax::StmtKind::if_);
}

TEST_CASE("error messages at the offending token", "[parser][errors]") {
  CHECK(error_of("let x = 1 $ 2") ==
        "t.hinge:1:11: error: unexpected character '$'\n    let x = 1 $ 2\n              ^\n");
  CHECK(error_of("let for = 1") ==
        "t.hinge:1:5: error: 'for' is a reserved word\n    let for = 1\n        ^~~\n");
  CHECK(error_of("let letter = 1") == "ok");
  CHECK(error_of("let log = log(2)") == "ok");
}

TEST_CASE("the keyword table: reserved words are never names, contextual words are", "[parser]") {
  for (const syntax::Keyword& k : syntax::kKeywords) {
    const std::string w(k.word);
    INFO(w);
    ParseResult r = parse("let " + w + " = 1");
    if (k.reserved) {
      REQUIRE(!r.ok());
      CHECK(r.error->message == "'" + w + "' is a reserved word");
    } else {
      CHECK(tree("let " + w + " = 1\nprint " + w) == "(let " + w + " 1)\n(print " + w + ")\n");
    }
  }
}
