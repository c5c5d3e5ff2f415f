// Small helpers shared by azsim's modules: encodings, time, ids, query strings.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace azsim {

std::string Base64Encode(std::string_view data);
std::string Base64UrlEncode(std::string_view data);  // no padding
// Returns false on malformed input.
bool Base64Decode(std::string_view text, std::string* out);
bool Base64UrlDecode(std::string_view text, std::string* out);

std::string HmacSha256(std::string_view key, std::string_view data);
std::string Sha256(std::string_view data);
std::string Md5(std::string_view data);
std::string RandomBytes(size_t n);
std::string NewGuid();
// A GUID-shaped id from a per-thread generator seeded once from OpenSSL: for request ids, which
// need uniqueness, not unpredictability.
std::string RequestId();
// A JSON string literal (with quotes) for `s`.
std::string JsonQuote(std::string_view s);
std::string HexEncode(std::string_view data);

// Percent-decoding; '+' becomes a space when form is true.
std::string UrlDecode(std::string_view text, bool form = false);
std::string UrlEncode(std::string_view text);
// Splits "a=1&b=2"; keys are lowercased; values decoded.
std::map<std::string, std::string> ParseQuery(std::string_view query, bool form = false);
// Splits a path on '/', dropping empty segments; segments are percent-decoded.
std::vector<std::string> SplitPath(std::string_view path);
// The scope of an extension resource (a policy assignment, a Flux configuration): its id up to
// the last /providers/.
std::string ExtensionScopeOf(const std::string& id);

bool IEquals(std::string_view a, std::string_view b);
// Case-insensitive substring search.
bool IContains(std::string_view haystack, std::string_view needle);

// Wall time.
double NowSeconds();
// RFC 3339 with 7 fractional digits, as ARM writes it.
std::string Iso8601(double epoch_seconds);
// RFC 1123 ("Tue, 24 Nov 2026 02:38:24 GMT"), as HTTP and Blob storage write it.
std::string HttpDate(double epoch_seconds);
// Parses ISO 8601 "2026-11-24T02:38:24Z" (fractions allowed); returns false on error.
bool ParseIso8601(std::string_view text, double* epoch_seconds);

}  // namespace azsim
