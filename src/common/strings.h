// Small string helpers shared by the layers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace easel {

// Levenshtein distance, case-insensitive.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is close enough to be a likely typo, else "".
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

std::string ToLower(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
// Every occurrence of `from` (not empty) replaced by `to`.
std::string ReplaceAll(std::string s, std::string_view from, std::string_view to);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
// Quotes and escapes a value for an error message: "abc", with control bytes as \xNN.
std::string Quote(std::string_view s);

}  // namespace easel
