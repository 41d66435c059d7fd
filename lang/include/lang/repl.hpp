// The interactive loop: reads entries from stdin, runs each in the session, and
// never exits on an error. Returns the exit status for the `hinge` command.
#pragma once

namespace hinge::lang {

class Session;

int run_repl(Session& session);

}  // namespace hinge::lang
