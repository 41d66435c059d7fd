// Did-you-mean: the known word closest to a misspelt one, for every message that
// offers one (unknown names, columns, help topics, statement words).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace hinge::lang {

/// Optimal string alignment distance: insertions, deletions, substitutions and
/// swaps of neighbours ("reul" is one step from "relu", "pirnt" from "print").
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` by edit_distance when it is a plausible typo
/// (at most 2 edits, fewer than the word's length), or "".
///
/// **Example**
///     const std::string_view words[] = {"let", "print"};
///     closest_name("lett", words);   // "let"
std::string closest_name(std::string_view word, std::span<const std::string_view> candidates);
std::string closest_name(std::string_view word, std::span<const std::string> candidates);

}  // namespace hinge::lang
