// The REPL (`hinge` with no script): reads entries, runs each in the session, and
// never stops on an error. On a terminal it edits lines with libedit (history in
// $XDG_STATE_HOME/hinge/history, tab completion, `:commands`); from a pipe it reads
// plain lines with no prompts.
#pragma once

namespace hinge::lang {

class Session;

/// Runs the REPL on stdin/stdout until end of input or `:quit`; returns the exit
/// status: 0 on a terminal; from a pipe, 0 when every entry succeeded, 70 when one
/// failed (a syntax or runtime error, a bad command), 130 when Ctrl-C stopped it.
int run_repl(Session& session);

}  // namespace hinge::lang
