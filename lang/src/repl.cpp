// MINIMAL PLACEHOLDER REPL (to be replaced by the real one: libedit, history,
// completion, :commands). A plain line loop over stdin that gathers multi-line
// entries while they are incomplete and runs each one in the session.
#include "lang/repl.hpp"

#include <cstdio>
#include <string>

#include <unistd.h>

#include "lang/session.hpp"

namespace hinge::lang {

int run_repl(Session& session) {
  const bool interactive = isatty(fileno(stdin)) != 0;
  std::string entry;
  char buf[4096];
  for (;;) {
    if (interactive) {
      std::fputs(entry.empty() ? "> " : "... ", stdout);
      std::fflush(stdout);
    }
    if (!std::fgets(buf, sizeof buf, stdin)) {
      if (interrupt_requested() && interactive) {  // Ctrl-C at the prompt: drop the entry
        clear_interrupt();
        clearerr(stdin);
        entry.clear();
        std::fputs("\n", stdout);
        continue;
      }
      break;
    }
    entry += buf;
    if (entry.size() > (std::size_t{16} << 20)) {
      std::fputs("error: entry too long\n", stderr);
      entry.clear();
      continue;
    }
    if (session.is_incomplete(entry)) continue;
    session.run_entry(entry);
    clear_interrupt();
    entry.clear();
  }
  if (!entry.empty()) session.run_entry(entry);
  if (interactive) std::fputs("\n", stdout);
  return 0;
}

}  // namespace hinge::lang
