// Field errors collected across parsing and validation, reported all at once.
#pragma once

#include <string>
#include <vector>

namespace easel::spec {

struct FieldError {
  std::string path;     // "spec.workerPools[1].zones[0]"
  std::string message;  // "zone \"4\" does not exist in eastus (zones: 1, 2, 3)"
  std::string ToString() const { return path + ": " + message; }
};

class Diagnostics {
 public:
  void Add(std::string path, std::string message) {
    errors_.push_back({std::move(path), std::move(message)});
  }
  bool empty() const { return errors_.empty(); }
  size_t size() const { return errors_.size(); }
  const std::vector<FieldError>& errors() const { return errors_; }
  // One "<path>: <message>" line per error, in the order found.
  std::vector<std::string> Lines() const {
    std::vector<std::string> out;
    for (const FieldError& e : errors_) out.push_back(e.ToString());
    return out;
  }

 private:
  std::vector<FieldError> errors_;
};

// "a.b" + "c" -> "a.b.c"; keys that are not plain identifiers become a["x/y"].
std::string ChildPath(const std::string& parent, const std::string& key);
// "a.b" + 3 -> "a.b[3]"
std::string IndexPath(const std::string& parent, size_t index);

}  // namespace easel::spec
