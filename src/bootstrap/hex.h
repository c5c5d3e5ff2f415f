// Internal to src/bootstrap: lowercase hex encoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace easel::bootstrap::internal {

std::string HexEncode(std::string_view bytes);
// nullopt unless `hex` has an even number of hex digits (either case).
std::optional<std::string> HexDecode(std::string_view hex);

}  // namespace easel::bootstrap::internal
