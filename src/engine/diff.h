// Comparing a desired request body with the live resource ARM returns.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace easel::engine {

// Empty when `live` already holds everything `desired` asks for; otherwise the first difference
// as "properties.addressSpace.addressPrefixes[0]: want \"10.0.0.0/16\", have \"10.1.0.0/16\"".
// ARM adds read-only fields and ids, so only the desired fields count; strings compare
// case-insensitively (ARM echoes ids and locations in its own casing); `tags` compare exactly,
// except that tags Azure carries and `desired` does not name (added by a policy) do not count.
std::string FirstDifference(const nlohmann::json& desired, const nlohmann::json& live);

// A difference and where it is.
struct Difference {
  std::string text;                      // as FirstDifference gives it
  std::string path;                      // "tags.team"
  nlohmann::json::json_pointer pointer;  // the same, in `desired` and `live`
  nlohmann::json have;                   // the live value there (null: live has none)
};

// FirstDifference with its place; nullopt when there is none.
std::optional<Difference> FirstDifferenceAt(const nlohmann::json& desired,
                                            const nlohmann::json& live);

// Makes `desired` take the live value where `d` is (or drops the member live does not have).
void AcceptLive(nlohmann::json* desired, const Difference& d);

// Every difference, in FirstDifference's order (each found after accepting the ones before).
std::vector<Difference> AllDifferences(nlohmann::json desired, const nlohmann::json& live);

// "Azure keeps tags.team at \"finance\" (a policy?): easel does not rewrite it".
std::string KeptMessage(const Difference& d);
// The same for several, in one line ("Azure keeps a at 1, b at 2 (a policy?): ...").
std::string KeptMessage(const std::vector<Difference>& kept);

// The first difference that is not one of `kept` (texts of differences Azure keeps after easel
// wrote this very body: a policy's value); "" when there is none. The kept ones met on the way are
// appended to `kept_found`.
std::string DifferenceBeyond(nlohmann::json desired, const nlohmann::json& live,
                             const std::vector<std::string>& kept,
                             std::vector<Difference>* kept_found);

}  // namespace easel::engine
