#include "sim/arm.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>

#include "common/strings.h"
#include "sim/util.h"

namespace azsim {

using easel::StartsWith;
using easel::ToLower;
using nlohmann::json;

// ---------------------------------------------------------------- helpers

json ArmErrorBody(const ArmError& e) {
  return {{"error", {{"code", e.code}, {"message", e.message}}}};
}

HttpResponse ArmJson(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.Set("Content-Type", "application/json; charset=utf-8");
  r.body = body.dump();
  return r;
}

HttpResponse ArmErrorResponse(const ArmError& e) {
  HttpResponse r = ArmJson(e.status, ArmErrorBody(e));
  return r;
}

std::string NormalizeLocation(const std::string& location) {
  std::string out;
  for (char c : location)
    if (c != ' ') out += char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool NameMatches(const std::string& name, size_t min_len, size_t max_len,
                 const std::string& extra_chars, bool first_alnum, const std::string& bad_last) {
  if (name.size() < min_len || name.size() > max_len) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && extra_chars.find(c) == std::string::npos)
      return false;
  if (first_alnum && !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  if (!bad_last.empty() && bad_last.find(name.back()) != std::string::npos) return false;
  return true;
}

std::string LastSegment(const std::string& id) {
  size_t slash = id.find_last_of('/');
  return slash == std::string::npos ? id : id.substr(slash + 1);
}

void SplitScope(const std::string& id, std::string* sub, std::string* rg) {
  std::vector<std::string> seg = SplitPath(id);
  sub->clear();
  rg->clear();
  if (seg.size() >= 2 && IEquals(seg[0], "subscriptions")) *sub = seg[1];
  if (seg.size() >= 4 && IEquals(seg[2], "resourceGroups")) *rg = seg[3];
}

TypeSpec& TypeRegistry::Add(TypeSpec spec) {
  std::string key = ToLower(spec.type);
  return types_[key] = std::move(spec);
}

void TypeRegistry::AddRoute(const std::string& ns, ProviderRoute route) {
  routes_[ToLower(ns)] = std::move(route);
}

const ProviderRoute* TypeRegistry::FindRoute(const std::string& ns) const {
  auto it = routes_.find(ToLower(ns));
  return it == routes_.end() ? nullptr : &it->second;
}

const TypeSpec* TypeRegistry::Find(const std::string& type) const {
  auto it = types_.find(ToLower(type));
  return it == types_.end() ? nullptr : &it->second;
}

std::vector<const TypeSpec*> TypeRegistry::All() const {
  std::vector<const TypeSpec*> out;
  for (const auto& [k, v] : types_) out.push_back(&v);
  return out;
}

// ---------------------------------------------------------------- request targets

struct Target {
  std::string sub, rg;
  std::string scope_id;  // canonical id of the scope (subscription, group or resource)
  const TypeSpec* spec = nullptr;
  std::string type;     // canonical type of the addressed resource or collection
  std::string id, key;  // the resource (or the collection's parent for lists)
  std::string name;
  std::string parent_id;  // enclosing resource (children) or scope
  bool collection = false;
  std::string action;
  ArmError error;
};

namespace {

const char kRgType[] = "Microsoft.Resources/resourceGroups";

std::string StripEtag(std::string s) {
  if (StartsWith(s, "W/")) s = s.substr(2);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

std::string NewEtag() { return "W/\"" + NewGuid() + "\""; }

std::string RgId(const std::string& sub, const std::string& rg) {
  return "/subscriptions/" + sub + "/resourceGroups/" + rg;
}

std::string SerializeResource(const Resource& r) {
  json h = {{"id", r.id},           {"type", r.type}, {"created", r.created},
            {"changed", r.changed}, {"op", r.op_id},  {"location", r.location}};
  return h.dump() + "\n" + r.body;
}

bool ParseResource(const std::string& value, Resource* r) {
  size_t nl = value.find('\n');
  if (nl == std::string::npos) return false;
  json h = json::parse(value.substr(0, nl), nullptr, false);
  if (!h.is_object()) return false;
  r->id = h.value("id", "");
  r->type = h.value("type", "");
  r->created = h.value("created", 0.0);
  r->changed = h.value("changed", 0.0);
  r->op_id = h.value("op", "");
  r->location = h.value("location", "");
  r->body = value.substr(nl + 1);
  return true;
}

json OpToJson(const Operation& op) {
  return {{"id", op.id},
          {"resource", op.resource_id},
          {"kind", op.kind},
          {"ns", op.ns},
          {"location", op.location},
          {"status", op.status},
          {"start", op.start},
          {"end", op.end},
          {"due", op.due},
          {"errorCode", op.error_code},
          {"errorMessage", op.error_message},
          {"created", op.created},
          {"dynamic", op.dynamic},
          {"simStart", op.sim_start}};
}

Operation OpFromJson(const json& j) {
  Operation op;
  op.id = j.value("id", "");
  op.resource_id = j.value("resource", "");
  op.kind = j.value("kind", "");
  op.ns = j.value("ns", "");
  op.location = j.value("location", "");
  op.status = j.value("status", "InProgress");
  op.start = j.value("start", 0.0);
  op.end = j.value("end", 0.0);
  op.due = j.value("due", 0.0);
  op.error_code = j.value("errorCode", "");
  op.error_message = j.value("errorMessage", "");
  op.created = j.value("created", false);
  op.dynamic = j.value("dynamic", false);
  op.sim_start = j.value("simStart", 0.0);
  return op;
}

const std::vector<std::string> kTopLevel = {
    "location", "tags",      "properties", "sku",  "kind", "zones", "identity",  "extendedLocation",
    "plan",     "managedBy", "id",         "name", "type", "etag",  "systemData"};

// Collects every {"id": "/subscriptions/..."} reference in a document.
void CollectRefs(const json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "id" && it.value().is_string()) {
        std::string v = it.value().get<std::string>();
        if (StartsWith(ToLower(v), "/subscriptions/")) out.push_back(v);
      } else {
        CollectRefs(it.value(), out);
      }
    }
  } else if (j.is_array()) {
    for (const auto& e : j) CollectRefs(e, out);
  }
}

// Fills ids of named elements of arrays under properties (sub-resources such as LB frontends).
// Microsoft.Network answers its sub-resources with their own `type` and the parent's `etag`
// (`etag` non-empty selects that).
void FillSubresourceIds(json& props, const std::string& self_id, const std::string& self_type,
                        const std::string& etag) {
  if (!props.is_object()) return;
  for (auto it = props.begin(); it != props.end(); ++it) {
    if (!it.value().is_array()) continue;
    for (auto& el : it.value()) {
      if (!el.is_object() || !el.contains("name") || !el["name"].is_string()) continue;
      el["id"] = self_id + "/" + it.key() + "/" + el["name"].get<std::string>();
      if (!etag.empty()) {
        el["type"] = self_type + "/" + it.key();
        el["etag"] = etag;
      }
      if (el.contains("properties") && el["properties"].is_object())
        el["properties"]["provisioningState"] = "Succeeded";
    }
  }
}

// Glob match ('*' any run of characters), case-insensitive.
bool GlobMatch(const std::string& pattern, const std::string& s) {
  size_t p = 0, i = 0, star = std::string::npos, mark = 0;
  while (i < s.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = i;
    } else if (p < pattern.size() && std::tolower(static_cast<unsigned char>(pattern[p])) ==
                                         std::tolower(static_cast<unsigned char>(s[i]))) {
      ++p;
      ++i;
    } else if (star != std::string::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// Azure Policy's `modify` effect on a request: for every policy whose `resourceType` pattern
// (default any) and `scope` prefix (default any) match, its operations `add` (only when the tag
// is absent), `addOrReplace` or `remove` fields `tags['NAME']`. A value
// "[resourceGroup().tags['NAME']]" is the resource group's tag (skipped when it has none).
void ApplyModifyPolicies(const std::vector<json>& policies, const std::string& type,
                         const std::string& id, const json& group_tags, json& doc) {
  static const std::regex field_re(R"(^tags\['([^']+)'\]$)", std::regex::icase);
  static const std::regex rg_re(R"(^\[resourceGroup\(\)\.tags\['([^']+)'\]\]$)", std::regex::icase);
  for (const auto& p : policies) {
    if (!IEquals(p.value("effect", "modify"), "modify")) continue;
    if (!GlobMatch(p.value("resourceType", "*"), type)) continue;
    std::string scope = p.value("scope", "");
    if (!scope.empty() && !StartsWith(ToLower(id), ToLower(scope))) continue;
    for (const auto& op : p["operations"]) {
      std::smatch m;
      std::string field = op.value("field", "");
      if (!std::regex_match(field, m, field_re)) continue;
      std::string tag = m[1];
      std::string kind = op.value("operation", "addOrReplace");
      if (IEquals(kind, "remove")) {
        if (doc.contains("tags") && doc["tags"].is_object()) doc["tags"].erase(tag);
        continue;
      }
      json value = op.value("value", json());
      std::smatch rm;
      std::string vs = value.is_string() ? value.get<std::string>() : "";
      if (std::regex_match(vs, rm, rg_re)) {
        std::string from = rm[1];
        if (!group_tags.is_object() || !group_tags.contains(from)) continue;
        value = group_tags[from];
      }
      if (!doc.contains("tags") || !doc["tags"].is_object()) doc["tags"] = json::object();
      if (IEquals(kind, "add") && doc["tags"].contains(tag)) continue;
      doc["tags"][tag] = value;
    }
  }
}

}  // namespace

// ---------------------------------------------------------------- engine

Arm::Arm(Store& store, BlobService& blob, const Fixture& fixture, Settings settings)
    : store_(store), blob_(blob), fixture_(fixture), settings_(std::move(settings)) {
  RegisterResourceTypes(types_);
  RegisterNetworkTypes(types_);
  RegisterComputeTypes(types_);
  RegisterStorageTypes(types_);
  RegisterContainerServiceTypes(types_);
  RegisterKubernetesConfigurationTypes(types_);
  RegisterPolicyTypes(types_);
  RegisterIdentityTypes(types_);
  RegisterExtensionTypes(types_);
  RegisterKeyVaultTypes(types_);
}

easel::Status Arm::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  easel::Status st = store_.Scan("res", [&](const std::string& key, const std::string& value) {
    Resource r;
    if (ParseResource(value, &r)) resources_[key] = std::move(r);
  });
  if (!st.ok()) return st;
  st = store_.Scan("op", [&](const std::string& key, const std::string& value) {
    json j = json::parse(value, nullptr, false);
    if (!j.is_object()) return;
    Operation op = OpFromJson(j);
    if (op.status == "InProgress") {
      if (op.dynamic)
        dynamic_.insert(key);
      else
        pending_.emplace(op.due, key);
    }
    ops_[key] = op;
  });
  if (!st.ok()) return st;
  // Fixture resources: created through the normal PUT path, completed at once.
  for (const auto& fr : fixture_.resources) {
    std::string id = fr.value("id", "");
    if (resources_.count(ToLower(id))) continue;
    HttpRequest req;
    req.method = "PUT";
    req.path = id;
    req.query["api-version"] = "fixture";
    req.body = fr.value("body", json::object()).dump();
    HttpResponse res = HandleLocked(req, LroFault{});
    if (res.status >= 300)
      return easel::Status::InvalidArgument("fixture resource " + id + ": " + res.body);
    for (auto& [k, op] : ops_)
      if (op.status == "InProgress") op.due = 0;
    AdvanceDue();
  }
  return easel::Status::Ok();
}

json Arm::Policies() const {
  std::lock_guard<std::mutex> lock(mu_);
  return json(fixture_.policies);
}

easel::Status Arm::SetPolicies(const json& policies) {
  if (!policies.is_array()) return easel::Status::InvalidArgument("policies must be an array");
  for (const auto& p : policies)
    if (!p.is_object() || !p.contains("operations") || !p["operations"].is_array())
      return easel::Status::InvalidArgument("each policy needs an operations array");
  std::lock_guard<std::mutex> lock(mu_);
  fixture_.policies = policies.get<std::vector<json>>();
  return easel::Status::Ok();
}

double Arm::SimNow() const {
  double now = NowSeconds();
  return now - paused_total_ - (paused_ ? now - paused_at_ : 0);
}

void Arm::Pause() {
  std::lock_guard<std::mutex> lock(mu_);
  if (paused_) return;
  paused_ = true;
  paused_at_ = NowSeconds();
}

void Arm::Resume() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!paused_) return;
  paused_ = false;
  paused_total_ += NowSeconds() - paused_at_;
}

bool Arm::paused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return paused_;
}

const Resource* Arm::Find(const std::string& id) const {
  auto it = resources_.find(ToLower(id));
  return it == resources_.end() ? nullptr : &it->second;
}

std::optional<json> Arm::FindJson(const std::string& id) const {
  const Resource* r = Find(id);
  if (!r) return std::nullopt;
  json j = json::parse(Render(*r), nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::vector<const Resource*> Arm::Children(const std::string& parent_id,
                                           const std::string& child_type) const {
  std::vector<const Resource*> out;
  std::string prefix = ToLower(parent_id) + "/";
  for (auto it = resources_.lower_bound(prefix);
       it != resources_.end() && StartsWith(it->first, prefix); ++it)
    if (child_type.empty() || IEquals(it->second.type, child_type)) out.push_back(&it->second);
  return out;
}

std::vector<const Resource*> Arm::OfType(const std::string& sub, const std::string& type) const {
  return Children("/subscriptions/" + sub, type);
}

void Arm::ForEach(const std::function<void(const Resource&)>& fn) const {
  for (const auto& [k, r] : resources_) fn(r);
}

bool Arm::ReferenceExists(const std::string& id) const {
  if (Find(id)) return true;
  // A named element inside a resource: {resource id}/{property}/{name}.
  std::string lower = ToLower(id);
  size_t last = lower.find_last_of('/');
  if (last == std::string::npos) return false;
  size_t prop_slash = lower.find_last_of('/', last - 1);
  if (prop_slash == std::string::npos) return false;
  const Resource* owner = Find(id.substr(0, prop_slash));
  if (!owner) return false;
  std::string prop = id.substr(prop_slash + 1, last - prop_slash - 1);
  std::string name = id.substr(last + 1);
  json body = json::parse(Render(*owner), nullptr, false);
  if (!body.is_object() || !body.contains("properties")) return false;
  for (auto it = body["properties"].begin(); it != body["properties"].end(); ++it) {
    if (!IEquals(it.key(), prop) || !it.value().is_array()) continue;
    for (const auto& el : it.value())
      if (el.is_object() && el.contains("name") && el["name"].is_string() &&
          IEquals(el["name"].get<std::string>(), name))
        return true;
  }
  return false;
}

Resource Arm::MakeChild(const std::string& id, const std::string& type, json body) const {
  Resource r;
  r.id = id;
  r.type = type;
  r.created = r.changed = NowSeconds();
  body["id"] = id;
  body["name"] = LastSegment(id);
  body["type"] = type;
  if (!body.contains("properties") || !body["properties"].is_object())
    body["properties"] = json::object();
  body["properties"]["provisioningState"] = "Succeeded";
  if (!body.contains("etag")) body["etag"] = NewEtag();
  r.body = body.dump();
  return r;
}

easel::Status Arm::WriteNow(const Resource& r) {
  std::string key = ToLower(r.id);
  auto it = resources_.find(key);
  Resource copy = r;
  if (it != resources_.end()) {
    copy.created = it->second.created;
    copy.op_id = it->second.op_id;
  }
  easel::Status st = Persist({copy}, {}, {});
  if (!st.ok()) return st;
  resources_[key] = std::move(copy);
  return st;
}

easel::Status Arm::RemoveNow(const std::string& id) {
  std::vector<std::string> deleted;
  RemoveTree(ToLower(id), deleted);
  return Persist({}, deleted, {});
}

easel::Status Arm::Persist(const std::vector<Resource>& puts,
                           const std::vector<std::string>& deletes,
                           const std::vector<Operation*>& ops) {
  std::vector<Store::Write> writes;
  for (const auto& r : puts) writes.push_back({"res", ToLower(r.id), SerializeResource(r)});
  for (const auto& k : deletes) writes.push_back({"res", k, std::nullopt});
  for (const Operation* op : ops) writes.push_back({"op", op->id, OpToJson(*op).dump()});
  return store_.Apply(writes);
}

json Arm::Hidden(const Resource& r) {
  if (r.body.find("\"_azsim\"") == std::string::npos) return json::object();
  json j = json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("_azsim") || !j["_azsim"].is_object()) return json::object();
  return j["_azsim"];
}

const Operation* Arm::FindOperation(const std::string& op_id) const {
  auto it = ops_.find(op_id);
  return it == ops_.end() ? nullptr : &it->second;
}

std::string Arm::Render(const Resource& r) const {
  const TypeSpec* spec = types_.Find(r.type);
  bool hidden = r.body.find("\"_azsim\"") != std::string::npos;
  if (!hidden && (!spec || (spec->inline_children.empty() && !spec->compose))) return r.body;
  json j = json::parse(r.body, nullptr, false);
  if (!j.is_object()) return r.body;
  j.erase("_azsim");
  if (!spec) return j.dump();
  for (const auto& [prop, child_type] : spec->inline_children) {
    json arr = json::array();
    size_t depth = std::count(r.id.begin(), r.id.end(), '/') + 2;
    for (const Resource* c : Children(r.id, child_type)) {
      if (size_t(std::count(c->id.begin(), c->id.end(), '/')) != depth) continue;
      json cj = json::parse(c->body, nullptr, false);
      if (cj.is_object()) arr.push_back(std::move(cj));
    }
    if (!j.contains("properties") || !j["properties"].is_object()) j["properties"] = json::object();
    j["properties"][prop] = std::move(arr);
  }
  if (spec->compose) spec->compose(const_cast<Arm&>(*this), r, j);
  return j.dump();
}

// ---------------------------------------------------------------- operations

Operation& Arm::StartOperation(const std::string& key, const std::string& kind,
                               const std::string& ns, const std::string& location, double seconds,
                               const LroFault& failure, bool created) {
  PruneOperations();
  Operation op;
  op.id = NewGuid();
  op.resource_id = key;
  op.kind = kind;
  op.ns = ns;
  op.location = location.empty() ? "global" : location;
  op.start = NowSeconds();
  op.due = SimNow() + seconds * settings_.time_scale;
  op.created = created;
  op.sim_start = SimNow();
  if (!failure.empty()) {
    op.error_code = failure.code;
    op.error_message = failure.message.empty() ? "The operation failed (fault injected by azsim)."
                                               : failure.message;
  }
  pending_.emplace(op.due, op.id);
  return ops_[op.id] = op;
}

void Arm::PruneOperations() {
  // Finished operations stay readable for an hour; beyond 20,000 records older ones are dropped.
  if (ops_.size() < 20000) return;
  double cutoff = NowSeconds() - 3600;
  std::vector<std::string> drop;
  for (const auto& [id, op] : ops_)
    if (op.status != "InProgress" && op.end < cutoff) drop.push_back(id);
  std::vector<Store::Write> writes;
  for (const auto& id : drop) {
    ops_.erase(id);
    writes.push_back({"op", id, std::nullopt});
  }
  (void)store_.Apply(writes);
}

void Arm::ResolveDynamic() {
  double now = SimNow();
  std::vector<std::string> ids(dynamic_.begin(), dynamic_.end());
  for (const auto& id : ids) {
    auto it = ops_.find(id);
    if (it == ops_.end() || it->second.status != "InProgress") {
      dynamic_.erase(id);
      continue;
    }
    Operation& op = it->second;
    // The hook's `due` is a lower bound of the completion time: nothing to decide before it.
    if (op.due > now) continue;
    auto rit = resources_.find(op.resource_id);
    const TypeSpec* spec = rit == resources_.end() ? nullptr : types_.Find(rit->second.type);
    if (!spec || !spec->resolve_put) {
      dynamic_.erase(id);
      Complete(op);
      continue;
    }
    LroOutcome out;
    try {
      out = spec->resolve_put(*this, rit->second, op, now);
    } catch (const std::exception& e) {
      // Never a request's failure (this runs for every request): the operation fails instead.
      out = LroOutcome{};
      out.done = true;
      out.error_code = "InternalServerError";
      out.error_message = std::string("azsim could not decide the operation: ") + e.what();
    }
    if (!out.done) {
      op.due = out.due;
      continue;
    }
    dynamic_.erase(id);
    op.error_code = out.error_code;
    op.error_message = out.error_message;
    if (!out.hidden.is_null()) {
      json j = json::parse(rit->second.body, nullptr, false);
      if (j.is_object()) {
        if (!j.contains("_azsim") || !j["_azsim"].is_object()) j["_azsim"] = json::object();
        j["_azsim"].merge_patch(out.hidden);
        rit->second.body = j.dump();
      }
    }
    Complete(op);
  }
}

void Arm::AdvanceDue() {
  if (paused_) return;
  if (!dynamic_.empty()) ResolveDynamic();
  double now = SimNow();
  while (!pending_.empty() && pending_.begin()->first <= now) {
    std::string id = pending_.begin()->second;
    pending_.erase(pending_.begin());
    auto it = ops_.find(id);
    if (it != ops_.end() && it->second.status == "InProgress") Complete(it->second);
  }
}

void Arm::RemoveTree(const std::string& key, std::vector<std::string>& deleted) {
  std::vector<std::string> keys;
  for (auto it = resources_.lower_bound(key + "/");
       it != resources_.end() && StartsWith(it->first, key + "/"); ++it)
    keys.push_back(it->first);
  keys.push_back(key);
  for (const auto& k : keys) {
    auto it = resources_.find(k);
    if (it == resources_.end()) continue;
    Resource r = std::move(it->second);
    resources_.erase(it);
    deleted.push_back(k);
    const TypeSpec* spec = types_.Find(r.type);
    if (spec && spec->on_removed) spec->on_removed(*this, r);
  }
}

void Arm::Complete(Operation& op) {
  op.end = NowSeconds();
  auto it = resources_.find(op.resource_id);
  std::vector<Resource> puts;
  std::vector<std::string> deletes;
  if (!op.error_code.empty()) {
    op.status = "Failed";
    if (it != resources_.end()) {
      json j = json::parse(it->second.body, nullptr, false);
      if (j.is_object() && j.contains("properties"))
        j["properties"]["provisioningState"] = "Failed";
      it->second.body = j.dump();
      it->second.op_id.clear();
      puts.push_back(it->second);
    }
  } else if (op.kind == "delete") {
    op.status = "Succeeded";
    if (it != resources_.end()) RemoveTree(op.resource_id, deletes);
  } else {
    op.status = "Succeeded";
    if (it != resources_.end()) {
      json j = json::parse(it->second.body, nullptr, false);
      if (j.is_object() && j.contains("properties"))
        j["properties"]["provisioningState"] = "Succeeded";
      it->second.body = j.dump();
      it->second.op_id.clear();
      puts.push_back(it->second);
    }
  }
  (void)Persist(puts, deletes, {&op});
}

void Arm::AddLroHeaders(HttpResponse& res, const Operation& op, const HttpRequest& req,
                        bool async_header) const {
  std::string sub, rg;
  SplitScope(req.path, &sub, &rg);
  std::string api = UrlEncode(req.Query("api-version"));
  std::string base = settings_.arm_base + "/subscriptions/" + sub + "/providers/" + op.ns +
                     "/locations/" + op.location;
  if (async_header)
    res.Set("Azure-AsyncOperation", base + "/operations/" + op.id + "?api-version=" + api);
  res.Set("Location", base + "/operationResults/" + op.id + "?api-version=" + api);
  double remaining = std::max(0.0, op.due - SimNow());
  res.Set("Retry-After", std::to_string(int64_t(std::ceil(std::min(remaining, 60.0)))));
}

HttpResponse Arm::OperationStatus(const HttpRequest& req, const std::string& op_id,
                                  bool result_style) {
  auto it = ops_.find(op_id);
  if (it == ops_.end())
    return ArmErrorResponse(
        Err(404, "OperationNotFound", "The operation '" + op_id + "' could not be found."));
  const Operation& op = it->second;
  if (!result_style) {
    json j = {
        {"id", req.path}, {"name", op.id}, {"status", op.status}, {"startTime", Iso8601(op.start)}};
    if (op.status != "InProgress") j["endTime"] = Iso8601(op.end);
    if (op.status == "Failed")
      j["error"] = {{"code", op.error_code}, {"message", op.error_message}};
    HttpResponse res = ArmJson(200, j);
    if (op.status == "InProgress") {
      res.Set("Retry-After",
              std::to_string(int64_t(std::ceil(std::min(60.0, std::max(0.0, op.due - SimNow()))))));
    }
    return res;
  }
  if (op.status == "InProgress") {
    HttpResponse res;
    res.status = 202;
    AddLroHeaders(res, op, req, false);
    return res;
  }
  if (op.status == "Failed") return ArmErrorResponse(Err(400, op.error_code, op.error_message));
  if (op.kind == "delete") {
    HttpResponse res;
    res.status = 204;
    return res;
  }
  auto rit = resources_.find(op.resource_id);
  if (rit == resources_.end()) {
    HttpResponse res;
    res.status = 204;
    return res;
  }
  HttpResponse res;
  res.status = 200;
  res.Set("Content-Type", "application/json; charset=utf-8");
  res.body = Render(rit->second);
  return res;
}

// ---------------------------------------------------------------- classification

std::string Arm::OperationKind(const HttpRequest& req) {
  if (req.method == "GET" || req.method == "HEAD") return "read";
  if (req.method == "DELETE") return "delete";
  if (req.method == "POST") {
    std::vector<std::string> seg = SplitPath(req.path);
    // List-style POST actions (listKeys, checkNameAvailability) are counted as reads by ARM? No:
    // ARM counts every POST as a write.
    return "write";
  }
  return "write";
}

std::string Arm::RequestType(const std::string& path) {
  std::vector<std::string> seg = SplitPath(path);
  size_t p = seg.size();
  for (size_t i = 0; i < seg.size(); ++i)
    if (IEquals(seg[i], "providers")) p = i;
  if (p + 2 < seg.size() + 1 && p + 1 < seg.size()) {
    std::string type = seg[p + 1];
    for (size_t i = p + 2; i < seg.size(); i += 2) type += "/" + seg[i];
    return type;
  }
  if (seg.size() >= 3 && IEquals(seg[2], "resourceGroups")) return kRgType;
  return "";
}

// ---------------------------------------------------------------- routing

HttpResponse Arm::Handle(const HttpRequest& req, const LroFault& lro_failure) {
  std::lock_guard<std::mutex> lock(mu_);
  AdvanceDue();
  try {
    return HandleLocked(req, lro_failure);
  } catch (const nlohmann::json::exception& e) {
    // A document of the wrong shape (a string where an object is expected, ...): the request's
    // fault, answered as Azure does, never a crash. Hooks validate before any state changes.
    return ArmErrorResponse(Err(
        400, "InvalidRequestContent",
        std::string("The request content was invalid and could not be deserialized: ") + e.what()));
  }
}

HttpResponse Arm::Subscription(const HttpRequest& req, const std::vector<std::string>& seg) {
  (void)req;
  auto sub_json = [](const azsim::Subscription& s) {
    return json{{"id", "/subscriptions/" + s.id},
                {"subscriptionId", s.id},
                {"tenantId", s.tenant_id},
                {"displayName", s.display_name},
                {"state", "Enabled"},
                {"subscriptionPolicies",
                 {{"locationPlacementId", "Public_2014-09-01"},
                  {"quotaId", "azsim"},
                  {"spendingLimit", "Off"}}}};
  };
  if (seg.size() == 1) {
    json arr = json::array();
    for (const auto& s : fixture_.subscriptions) arr.push_back(sub_json(s));
    return ArmJson(200, {{"value", arr}});
  }
  for (const auto& s : fixture_.subscriptions)
    if (IEquals(s.id, seg[1])) return ArmJson(200, sub_json(s));
  return ArmErrorResponse(
      Err(404, "SubscriptionNotFound", "The subscription '" + seg[1] + "' could not be found."));
}

HttpResponse Arm::HandleLocked(const HttpRequest& req, const LroFault& lro_failure) {
  std::vector<std::string> seg = SplitPath(req.path);
  if (seg.size() >= 2 && IEquals(seg[0], "providers"))
    if (const ProviderRoute* route = types_.FindRoute("/" + seg[1]))
      if (auto res = (*route)(*this, req, seg, "")) return *res;
  if (seg.empty() || !IEquals(seg[0], "subscriptions"))
    return ArmErrorResponse(
        Err(404, "NotFound", "No HTTP resource was found that matches the request URI."));
  if (seg.size() <= 2 && req.method == "GET") return Subscription(req, seg);
  if (seg.size() < 2)
    return ArmErrorResponse(Err(405, "MethodNotAllowed", "The method is not allowed."));
  const std::string& sub = seg[1];
  bool known = false;
  for (const auto& s : fixture_.subscriptions) known |= IEquals(s.id, sub);
  if (!known)
    return ArmErrorResponse(
        Err(404, "SubscriptionNotFound", "The subscription '" + sub + "' could not be found."));
  std::string canon_sub;
  for (const auto& s : fixture_.subscriptions)
    if (IEquals(s.id, sub)) canon_sub = s.id;

  if (seg.size() >= 4 && req.method == "GET" && IEquals(seg.back(), "permissions") &&
      IEquals(seg[seg.size() - 2], "Microsoft.Authorization") &&
      IEquals(seg[seg.size() - 3], "providers")) {
    std::string scope;
    for (size_t i = 0; i + 3 < seg.size(); ++i) scope += "/" + seg[i];
    return CallerPermissions(req, scope);
  }

  // Resource groups and group-level lists.
  if (seg.size() >= 3 && IEquals(seg[2], "resourceGroups")) {
    if (seg.size() == 3) {
      if (req.method != "GET")
        return ArmErrorResponse(Err(405, "MethodNotAllowed", "The method is not allowed."));
      return ListGeneric(req, "/subscriptions/" + canon_sub + "/resourcegroups/", canon_sub, false);
    }
    if (seg.size() == 4) return ResourceGroup(req, canon_sub, seg[3], lro_failure);
    if (seg.size() == 5 && IEquals(seg[4], "resources")) {
      const Resource* rg = Find(RgId(canon_sub, seg[3]));
      if (!rg)
        return ArmErrorResponse(Err(404, "ResourceGroupNotFound",
                                    "Resource group '" + seg[3] + "' could not be found."));
      return ListGeneric(req, ToLower(rg->id) + "/providers/", canon_sub, true);
    }
  }
  if (seg.size() == 3 && IEquals(seg[2], "locations") && req.method == "GET")
    return Locations(canon_sub);
  if (seg.size() == 3 && IEquals(seg[2], "resources") && req.method == "GET")
    return ListGeneric(req, ToLower("/subscriptions/" + canon_sub) + "/resourcegroups/", canon_sub,
                       true);

  // Subscription-level provider endpoints.
  if (seg.size() >= 4 && IEquals(seg[2], "providers")) {
    if (seg.size() >= 7 && IEquals(seg[4], "locations")) {
      if (IEquals(seg[6], "operations") || IEquals(seg[6], "asyncoperations"))
        return seg.size() == 8 ? OperationStatus(req, seg[7], false)
                               : ArmErrorResponse(Err(404, "NotFound", "Unknown operation path."));
      if (IEquals(seg[6], "operationResults") && seg.size() == 8)
        return OperationStatus(req, seg[7], true);
    }
    if (const ProviderRoute* route = types_.FindRoute(seg[3]))
      if (auto res = (*route)(*this, req, seg, canon_sub)) return *res;
    if (seg.size() == 5 && IEquals(seg[4], "checkNameAvailability") && req.method == "POST")
      return CheckNameAvailability(req);
    if (seg.size() == 4 || (seg.size() == 5 && IEquals(seg[4], "register"))) {
      return ArmJson(200, {{"id", "/subscriptions/" + canon_sub + "/providers/" + seg[3]},
                           {"namespace", seg[3]},
                           {"registrationState", "Registered"},
                           {"resourceTypes", json::array()}});
    }
  }

  // Generic resources: {scope}/providers/{ns}/{type}/{name}[/{type}/{name}]*[/{collection|action}]
  size_t p = seg.size();
  for (size_t i = 2; i < seg.size(); ++i)
    if (IEquals(seg[i], "providers")) p = i;
  if (p + 3 > seg.size())
    return ArmErrorResponse(
        Err(404, "NotFound", "No HTTP resource was found that matches the request URI."));
  Target t;
  t.sub = canon_sub;
  // Scope.
  std::vector<std::string> scope(seg.begin(), seg.begin() + long(p));
  if (scope.size() == 2) {
    t.scope_id = "/subscriptions/" + canon_sub;
  } else if (scope.size() == 4 && IEquals(scope[2], "resourceGroups")) {
    const Resource* rg = Find(RgId(canon_sub, scope[3]));
    if (!rg)
      return ArmErrorResponse(Err(404, "ResourceGroupNotFound",
                                  "Resource group '" + scope[3] + "' could not be found."));
    t.scope_id = rg->id;
    t.rg = LastSegment(rg->id);
  } else {
    std::string sid = "/" + easel::Join(scope, "/");
    const Resource* sr = Find(sid);
    if (!sr)
      return ArmErrorResponse(
          Err(404, "ParentResourceNotFound", "The scope '" + sid + "' does not exist."));
    t.scope_id = sr->id;
    std::string s2;
    SplitScope(sr->id, &s2, &t.rg);
  }
  std::vector<std::string> rest(seg.begin() + long(p) + 1, seg.end());
  std::string ns = rest[0];
  size_t pairs = (rest.size() - 1) / 2;
  bool odd_tail = (rest.size() - 1) % 2 == 1;
  // Type of the addressed resource, or of the collection.
  std::string type = ns;
  for (size_t i = 1; i < rest.size(); i += 2) type += "/" + rest[i];
  const TypeSpec* spec = types_.Find(type);
  if (odd_tail && req.method == "POST") {
    // Action on the resource named by all but the last segment.
    std::string rtype = ns;
    for (size_t i = 1; i + 1 < rest.size(); i += 2) rtype += "/" + rest[i];
    spec = types_.Find(rtype);
    t.action = ToLower(rest.back());
    if (!spec)
      return ArmErrorResponse(Err(
          400, "InvalidResourceType",
          "The resource type '" + rtype + "' could not be found in the namespace '" + ns + "'."));
    pairs = (rest.size() - 1) / 2;
    odd_tail = false;
  } else if (!spec) {
    return ArmErrorResponse(Err(400, "InvalidResourceType",
                                "The resource type '" + type.substr(ns.size() + 1) +
                                    "' could not be found in the namespace '" + ns + "'."));
  }
  t.spec = spec;
  t.type = spec->type;
  t.collection = odd_tail;
  // Canonical id built from the spec's type names and the names as written.
  std::vector<std::string> tparts = SplitPath(spec->type);  // ns, t1, t2, ...
  std::string id = t.scope_id + "/providers/" + tparts[0];
  std::string parent = t.scope_id;
  for (size_t i = 0; i < pairs; ++i) {
    parent = id;
    id += "/" + tparts[i + 1] + "/" + rest[2 + 2 * i];
  }
  if (t.collection) {
    t.parent_id = pairs == 0 ? t.scope_id : id;
    if (pairs > 0 && !Find(id))
      return ArmErrorResponse(
          Err(404, "ParentResourceNotFound",
              "Can not perform requested operation on nested resource. Parent resource '" +
                  LastSegment(id) + "' not found."));
    t.id = pairs == 0 ? t.scope_id : Find(id)->id;
    if (req.method != "GET")
      return ArmErrorResponse(Err(405, "MethodNotAllowed", "The method is not allowed."));
    return List(req, t);
  }
  t.parent_id = parent;
  if (pairs > 1 && !Find(parent))
    return ArmErrorResponse(
        Err(404, "ParentResourceNotFound",
            "Can not perform requested operation on nested resource. Parent resource '" +
                LastSegment(parent) + "' not found."));
  if (const Resource* pr = Find(parent)) t.parent_id = pr->id;
  t.key = ToLower(id);
  if (const Resource* existing = Find(id)) id = existing->id;
  t.id = id;
  t.name = LastSegment(id);
  if (!t.action.empty()) return Action(req, t);
  if (req.method == "PUT") return Put(req, t, lro_failure);
  if (req.method == "GET" || req.method == "HEAD") return Get(req, t);
  if (req.method == "DELETE") return Delete(req, t, lro_failure);
  if (req.method == "PATCH") return Patch(req, t);
  return ArmErrorResponse(
      Err(405, "MethodNotAllowed", "The method '" + req.method + "' is not allowed."));
}

// ---------------------------------------------------------------- checks

ArmError Arm::CheckReferences(const json& body, const std::string& self_id) const {
  std::vector<std::string> refs;
  CollectRefs(body.contains("properties") ? body["properties"] : json::object(), refs);
  std::string self = ToLower(self_id);
  for (const auto& ref : refs) {
    std::string lower = ToLower(ref);
    if (lower == self) continue;
    if (StartsWith(lower, self + "/")) {
      // A reference to an element of this very document (LB rule -> frontend): must be in the body.
      std::string rest = ref.substr(self.size() + 1);
      size_t slash = rest.find('/');
      bool found = false;
      if (slash != std::string::npos && body.contains("properties")) {
        std::string prop = rest.substr(0, slash), name = rest.substr(slash + 1);
        for (auto it = body["properties"].begin(); it != body["properties"].end(); ++it) {
          if (!IEquals(it.key(), prop) || !it.value().is_array()) continue;
          for (const auto& el : it.value())
            if (el.is_object() && el.contains("name") && el["name"].is_string() &&
                IEquals(el["name"].get<std::string>(), name))
              found = true;
        }
      }
      if (!found)
        return Err(400, "InvalidResourceReference",
                   "Resource " + ref + " referenced by resource " + self_id +
                       " was not found. Please make sure that the referenced resource exists, and "
                       "that both resources are in the same region.");
      continue;
    }
    if (lower.find("/providers/microsoft.authorization/roledefinitions/") != std::string::npos)
      continue;
    if (!ReferenceExists(ref))
      return Err(400, "InvalidResourceReference",
                 "Resource " + ref + " referenced by resource " + self_id +
                     " was not found. Please make sure that the referenced resource exists, and "
                     "that both resources are in the same region.");
  }
  return {};
}

ArmError Arm::CheckConflict(const Resource& r, const TypeSpec& spec) const {
  if (r.op_id.empty()) return {};
  auto it = ops_.find(r.op_id);
  if (it == ops_.end() || it->second.status != "InProgress") return {};
  if (spec.network)
    return Err(429, "RetryableErrorDueToAnotherOperation",
               "Operation on resource " + r.id +
                   " cannot be performed because another operation (" + it->second.kind +
                   ") on the same resource is in progress. Retry the request later.");
  return Err(409, "AnotherOperationInProgress",
             "Operation '" + it->second.kind + "' is in progress on resource '" + r.id +
                 "'. Another operation cannot be started until it completes.");
}

// ---------------------------------------------------------------- verbs

HttpResponse Arm::Put(const HttpRequest& req, const Target& t, const LroFault& lro_failure) {
  const TypeSpec& spec = *t.spec;
  json input = json::parse(req.body.empty() ? std::string("{}") : req.body, nullptr, false);
  if (input.is_discarded() || !input.is_object())
    return ArmErrorResponse(Err(400, "InvalidRequestContent",
                                "The request content was invalid and could not be deserialized: "
                                "the body is not a JSON object."));
  if (spec.valid_name && !spec.valid_name(t.name))
    return ArmErrorResponse(Err(400, spec.name_error_code,
                                "Resource name '" + t.name + "' is invalid. " + spec.name_rule));
  // Group being deleted.
  if (!t.rg.empty()) {
    const Resource* rg = Find(RgId(t.sub, t.rg));
    if (rg && !rg->op_id.empty() && ops_.count(rg->op_id) &&
        ops_.at(rg->op_id).status == "InProgress")
      return ArmErrorResponse(
          Err(409, "ResourceGroupBeingDeleted",
              "The resource group '" + t.rg +
                  "' is in deprovisioning state and cannot perform this operation."));
  }
  if (spec.strict) {
    for (auto it = input.begin(); it != input.end(); ++it)
      if (std::find(kTopLevel.begin(), kTopLevel.end(), it.key()) == kTopLevel.end())
        return ArmErrorResponse(Err(
            400, "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: 'Could not find member "
            "'" +
                it.key() + "' on object of type 'ResourceDefinition'. Path '" + it.key() + "'.'."));
  }
  // Readonly fields are ignored.
  for (const char* k : {"id", "name", "type", "etag", "systemData", "_azsim"}) input.erase(k);
  if (input.contains("properties")) {
    if (!input["properties"].is_object())
      return ArmErrorResponse(
          Err(400, "InvalidRequestContent",
              "The request content was invalid: 'properties' must be an object."));
    input["properties"].erase("provisioningState");
  } else {
    input["properties"] = json::object();
  }
  if (input.contains("tags") && !input["tags"].is_object())
    return ArmErrorResponse(Err(400, "InvalidRequestContent",
                                "The request content was invalid: 'tags' must be an object."));
  if (!fixture_.policies.empty()) {
    json group_tags;
    if (!t.rg.empty())
      if (auto g = FindJson(RgId(t.sub, t.rg)); g && g->contains("tags")) group_tags = (*g)["tags"];
    ApplyModifyPolicies(fixture_.policies, spec.type, t.id, group_tags, input);
  }
  if (spec.location_required) {
    if (!input.contains("location") || !input["location"].is_string() ||
        input["location"].get<std::string>().empty())
      return ArmErrorResponse(
          Err(400, "LocationRequired", "The location property is required for this definition."));
    input["location"] = NormalizeLocation(input["location"].get<std::string>());
  }
  const Resource* existing = Find(t.id);
  std::optional<json> existing_json;
  // A child cannot be written while its parent has an operation in flight.
  if (const Resource* parent = t.parent_id == t.scope_id ? nullptr : Find(t.parent_id)) {
    if (const TypeSpec* ps = types_.Find(parent->type)) {
      ArmError c = CheckConflict(*parent, *ps);
      if (!c.ok()) return ArmErrorResponse(c);
    }
  }
  if (existing) {
    ArmError c = CheckConflict(*existing, spec);
    if (!c.ok()) return ArmErrorResponse(c);
    existing_json = json::parse(existing->body, nullptr, false);
    if (existing_json->is_discarded()) existing_json.reset();
  }
  std::string if_match = req.Header("if-match");
  if (!if_match.empty() && if_match != "*") {
    std::string cur =
        existing_json && existing_json->contains("etag") ? existing_json->value("etag", "") : "";
    if (!existing || StripEtag(cur) != StripEtag(if_match))
      return ArmErrorResponse(
          Err(412, "PreconditionFailed",
              "The condition specified using HTTP conditional header(s) is not met."));
  }
  if (!if_match.empty() && if_match == "*" && !existing)
    return ArmErrorResponse(
        Err(412, "PreconditionFailed", "The resource does not exist (If-Match: *)."));
  if (req.Header("if-none-match") == "*" && existing)
    return ArmErrorResponse(
        Err(412, "PreconditionFailed", "The resource already exists (If-None-Match: *)."));
  if (existing_json && input.contains("location") && existing_json->contains("location") &&
      NormalizeLocation(existing_json->value("location", "")) !=
          input["location"].get<std::string>())
    return ArmErrorResponse(
        Err(409, "InvalidResourceLocation",
            "The resource '" + t.name + "' already exists in location '" +
                existing_json->value("location", "") + "' in resource group '" + t.rg +
                "'. A resource with the same name cannot be created in location '" +
                input["location"].get<std::string>() + "'. Please select a new resource name."));
  // Inline children are kept as separate resources; strip them from the stored body.
  json doc = input;
  doc["id"] = t.id;
  doc["name"] = t.name;
  doc["type"] = spec.type;
  ArmError refs = CheckReferences(doc, t.id);
  if (!refs.ok()) return ArmErrorResponse(refs);
  PutContext ctx{
      *this, t.id, t.sub, t.rg, t.name, t.parent_id, existing_json ? &*existing_json : nullptr,
      doc,   {},   {}};
  if (spec.validate) {
    ArmError e = spec.validate(ctx);
    if (!e.ok()) return ArmErrorResponse(e);
  }
  // Inline children: sync to child resources.
  for (const auto& [prop, child_type] : spec.inline_children) {
    if (!doc["properties"].contains(prop)) {
      if (existing) continue;  // absent on update: children unchanged by this generic path
      doc["properties"][prop] = json::array();
    }
    const json& arr = doc["properties"][prop];
    std::vector<std::string> keep;
    if (arr.is_array()) {
      for (const auto& el : arr) {
        if (!el.is_object() || !el.contains("name") || !el["name"].is_string()) continue;
        std::string cid =
            t.id + "/" + LastSegment(child_type) + "/" + el["name"].get<std::string>();
        json cbody = json::object();
        if (el.contains("properties")) cbody["properties"] = el["properties"];
        const Resource* ce = Find(cid);
        if (ce) cid = ce->id;
        bool already = false;
        for (const auto& ep : ctx.extra_puts) already |= IEquals(ep.id, cid);
        if (!already) ctx.extra_puts.push_back(MakeChild(cid, child_type, cbody));
        keep.push_back(ToLower(cid));
      }
    }
    if (existing) {
      size_t depth = std::count(t.id.begin(), t.id.end(), '/') + 2;
      for (const Resource* c : Children(t.id, child_type)) {
        if (size_t(std::count(c->id.begin(), c->id.end(), '/')) != depth) continue;
        if (std::find(keep.begin(), keep.end(), ToLower(c->id)) == keep.end()) {
          const TypeSpec* cs = types_.Find(child_type);
          if (cs && !cs->in_use_code.empty()) {
            std::string needle = "\"" + ToLower(c->id) + "\"";
            bool used = false;
            for (const auto& [k, r] : resources_) {
              if (StartsWith(k, ToLower(c->id))) continue;
              if (IContains(r.body, needle)) used = true;
            }
            if (used)
              return ArmErrorResponse(
                  Err(400, cs->in_use_code,
                      LastSegment(child_type) + " " + c->id + " is in use and cannot be deleted."));
          }
          ctx.extra_deletes.push_back(c->id);
        }
      }
    }
    doc["properties"].erase(prop);
  }
  if (spec.type != kRgType && spec.has_etag) doc["etag"] = NewEtag();
  FillSubresourceIds(doc["properties"], t.id, spec.type,
                     spec.network ? doc.value("etag", "") : std::string());
  double now = NowSeconds();
  Resource r;
  r.id = t.id;
  r.type = spec.type;
  r.created = existing ? existing->created : now;
  r.changed = now;
  r.location = doc.value("location", "");
  Operation* op = nullptr;
  std::vector<std::string> ns_parts = SplitPath(spec.type);
  if (spec.put == TypeSpec::PutStyle::kSync) {
    doc["properties"]["provisioningState"] = "Succeeded";
  } else {
    doc["properties"]["provisioningState"] = existing ? "Updating" : "Creating";
    op = &StartOperation(t.key, "put", ns_parts[0], r.location, spec.put_seconds, lro_failure,
                         !existing);
    r.op_id = op->id;
    if (spec.resolve_put) {
      // Decided by the hook on later requests (and on this one, after it is stored).
      for (auto pit = pending_.begin(); pit != pending_.end(); ++pit)
        if (pit->second == op->id) {
          pending_.erase(pit);
          break;
        }
      op->dynamic = true;
      dynamic_.insert(op->id);
    }
  }
  if (spec.type == kRgType) doc["properties"]["provisioningState"] = "Succeeded";
  r.body = doc.dump();
  std::vector<std::string> deleted;
  for (const auto& d : ctx.extra_deletes) RemoveTree(ToLower(d), deleted);
  std::vector<Resource> puts = ctx.extra_puts;
  if (spec.transient) {
    // Acts on other resources only (extra_puts); answers the document without storing it.
    if (!Persist(puts, deleted, {}).ok())
      return ArmErrorResponse(
          Err(500, "InternalServerError", "azsim could not persist the resource."));
    for (auto& pr : puts) {
      auto it = resources_.find(ToLower(pr.id));
      if (it != resources_.end()) pr.created = it->second.created;
      resources_[ToLower(pr.id)] = pr;
    }
    return ArmJson(200, doc);
  }
  puts.push_back(r);
  std::vector<Operation*> ops;
  if (op) ops.push_back(op);
  easel::Status st = Persist(puts, deleted, ops);
  if (!st.ok())
    return ArmErrorResponse(
        Err(500, "InternalServerError", "azsim could not persist the resource."));
  for (auto& pr : puts) {
    std::string k = ToLower(pr.id);
    auto it = resources_.find(k);
    if (it != resources_.end() && k != t.key) pr.created = it->second.created;
    resources_[k] = pr;
  }
  HttpResponse res;
  res.status = existing                                    ? 200
               : spec.put == TypeSpec::PutStyle::kAsync201 ? spec.create_status
                                                           : 201;
  if (spec.put == TypeSpec::PutStyle::kLocation202) {
    res.status = 202;
    AddLroHeaders(res, *op, req, false);
    return res;
  }
  res.Set("Content-Type", "application/json; charset=utf-8");
  res.body = Render(resources_[t.key]);
  if (op) AddLroHeaders(res, *op, req, true);
  return res;
}

HttpResponse Arm::Patch(const HttpRequest& req, const Target& t) {
  const Resource* existing = Find(t.id);
  if (!existing)
    return ArmErrorResponse(Err(404, "ResourceNotFound",
                                "The Resource '" + t.type + "/" + t.name +
                                    "' under resource group '" + t.rg + "' was not found."));
  ArmError c = CheckConflict(*existing, *t.spec);
  if (!c.ok()) return ArmErrorResponse(c);
  json patch = json::parse(req.body.empty() ? std::string("{}") : req.body, nullptr, false);
  if (patch.is_discarded() || !patch.is_object())
    return ArmErrorResponse(Err(400, "InvalidRequestContent",
                                "The request content was invalid and could not be deserialized."));
  std::string if_match = req.Header("if-match");
  json cur = json::parse(Render(*existing), nullptr, false);
  if (!if_match.empty() && if_match != "*" &&
      StripEtag(cur.value("etag", "")) != StripEtag(if_match))
    return ArmErrorResponse(
        Err(412, "PreconditionFailed",
            "The condition specified using HTTP conditional header(s) is not met."));
  for (const char* k : {"id", "name", "type", "etag", "systemData", "location"}) patch.erase(k);
  if (patch.contains("properties") && patch["properties"].is_object())
    patch["properties"].erase("provisioningState");
  json merged = cur;
  merged.merge_patch(patch);
  if (patch.contains("tags")) merged["tags"] = patch["tags"];
  HttpRequest put = req;
  put.method = "PUT";
  put.body = merged.dump();
  put.headers.erase("if-match");
  // A PATCH is a PUT of the merged document, completed synchronously (tags updates are).
  HttpResponse res = Put(put, t, LroFault{});
  if (res.status >= 300) return res;
  auto it = resources_.find(t.key);
  if (it != resources_.end() && !it->second.op_id.empty()) {
    auto oit = ops_.find(it->second.op_id);
    if (oit != ops_.end() && oit->second.status == "InProgress") Complete(oit->second);
  }
  HttpResponse out = ArmJson(200, json::parse(Render(resources_[t.key])));
  return out;
}

HttpResponse Arm::Get(const HttpRequest& req, const Target& t) {
  auto it = resources_.find(t.key);
  if (it == resources_.end()) {
    if (req.method == "HEAD") {
      HttpResponse r;
      r.status = 404;
      return r;
    }
    return ArmErrorResponse(Err(404, "ResourceNotFound",
                                "The Resource '" + t.type + "/" + t.name +
                                    "' under resource group '" + t.rg +
                                    "' was not found. For more details please go to "
                                    "https://aka.ms/ARMResourceNotFoundFix"));
  }
  HttpResponse res;
  res.status = req.method == "HEAD" ? 204 : 200;
  res.Set("Content-Type", "application/json; charset=utf-8");
  if (req.method != "HEAD") {
    res.body = Render(it->second);
    const TypeSpec* spec = types_.Find(it->second.type);
    if (spec && spec->expand && !req.Query("$expand").empty()) {
      json j = json::parse(res.body, nullptr, false);
      if (j.is_object()) {
        spec->expand(*this, it->second, req, j);
        res.body = j.dump();
      }
    }
  }
  return res;
}

HttpResponse Arm::Delete(const HttpRequest& req, const Target& t, const LroFault& lro_failure) {
  auto it = resources_.find(t.key);
  if (it == resources_.end()) {
    HttpResponse r;
    r.status = 204;
    return r;
  }
  Resource& r = it->second;
  const TypeSpec& spec = *t.spec;
  ArmError c = CheckConflict(r, spec);
  if (!c.ok()) return ArmErrorResponse(c);
  std::string if_match = req.Header("if-match");
  if (!if_match.empty() && if_match != "*") {
    json cur = json::parse(r.body, nullptr, false);
    if (StripEtag(cur.value("etag", "")) != StripEtag(if_match))
      return ArmErrorResponse(
          Err(412, "PreconditionFailed",
              "The condition specified using HTTP conditional header(s) is not met."));
  }
  if (!spec.in_use_code.empty()) {
    std::string needle = "\"" + t.key + "\"";
    for (const auto& [k, other] : resources_) {
      if (k == t.key || StartsWith(k, t.key + "/")) continue;
      if (IContains(other.body, needle))
        return ArmErrorResponse(Err(400, spec.in_use_code,
                                    LastSegment(spec.type) + " " + r.id + " is in use by " +
                                        other.id + " and cannot be deleted."));
    }
  }
  if (spec.before_delete) {
    ArmError e = spec.before_delete(*this, r);
    if (!e.ok()) return ArmErrorResponse(e);
  }
  if (!spec.async_delete) {
    std::vector<std::string> deleted;
    RemoveTree(t.key, deleted);
    (void)Persist({}, deleted, {});
    HttpResponse res;
    res.status = 200;
    return res;
  }
  json j = json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("properties")) j["properties"]["provisioningState"] = "Deleting";
  r.body = j.dump();
  std::vector<std::string> ns_parts = SplitPath(spec.type);
  Operation& op = StartOperation(t.key, "delete", ns_parts[0], r.location, spec.delete_seconds,
                                 lro_failure, false);
  r.op_id = op.id;
  (void)Persist({r}, {}, {&op});
  HttpResponse res;
  res.status = 202;
  AddLroHeaders(res, op, req, true);
  return res;
}

HttpResponse Arm::Action(const HttpRequest& req, const Target& t) {
  auto it = resources_.find(t.key);
  if (it == resources_.end())
    return ArmErrorResponse(Err(404, "ResourceNotFound",
                                "The Resource '" + t.type + "/" + t.name +
                                    "' under resource group '" + t.rg + "' was not found."));
  auto ait = t.spec->actions.find(t.action);
  if (ait == t.spec->actions.end())
    return ArmErrorResponse(
        Err(404, "NotFound", "The action '" + t.action + "' is not supported on " + t.type + "."));
  ActionContext ctx{*this, req, it->second, json::object()};
  if (!req.body.empty()) {
    ctx.body = json::parse(req.body, nullptr, false);
    if (ctx.body.is_discarded())
      return ArmErrorResponse(
          Err(400, "InvalidRequestContent",
              "The request content was invalid and could not be deserialized."));
  }
  return ait->second(ctx);
}

HttpResponse Arm::List(const HttpRequest& req, const Target& t) {
  // Direct children of t.id (or, at group/subscription scope, top-level resources of the type).
  json arr = json::array();
  std::vector<std::string> type_parts = SplitPath(t.type);
  std::string prefix;
  if (t.id == t.scope_id) {
    if (t.rg.empty() && t.scope_id == "/subscriptions/" + t.sub) {
      for (const Resource* r : OfType(t.sub, t.type)) arr.push_back(json::parse(Render(*r)));
    } else {
      for (const Resource* r : Children(t.scope_id + "/providers/" + type_parts[0], t.type))
        arr.push_back(json::parse(Render(*r)));
    }
  } else {
    size_t depth = std::count(t.id.begin(), t.id.end(), '/') + 2;
    for (const Resource* r : Children(t.id, t.type))
      if (size_t(std::count(r->id.begin(), r->id.end(), '/')) == depth)
        arr.push_back(json::parse(Render(*r)));
  }
  (void)req;
  return ArmJson(200, {{"value", arr}});
}

HttpResponse Arm::ListGeneric(const HttpRequest& req, const std::string& prefix,
                              const std::string& sub, bool resources_list) {
  (void)sub;
  std::string expand = ToLower(req.Query("$expand"));
  std::string filter = req.Query("$filter");
  std::string tag_name, tag_value, type_filter;
  // $filter forms: tagName eq 'a' and tagValue eq 'b'; resourceType eq 'x'.
  auto extract = [&](const std::string& key) -> std::string {
    std::string lf = ToLower(filter);
    size_t pos = lf.find(ToLower(key));
    if (pos == std::string::npos) return "";
    size_t q1 = filter.find('\'', pos);
    size_t q2 = q1 == std::string::npos ? q1 : filter.find('\'', q1 + 1);
    if (q2 == std::string::npos) return "";
    return filter.substr(q1 + 1, q2 - q1 - 1);
  };
  if (!filter.empty()) {
    tag_name = extract("tagName");
    tag_value = extract("tagValue");
    type_filter = extract("resourceType");
    if (tag_name.empty() && type_filter.empty())
      return ArmErrorResponse(
          Err(400, "InvalidFilterInQueryString", "The $filter '" + filter + "' is not supported."));
  }
  size_t top = 0;
  std::string top_s = req.Query("$top");
  if (!top_s.empty()) top = size_t(std::max(0L, std::strtol(top_s.c_str(), nullptr, 10)));
  size_t skip = 0;
  std::string skip_s = req.Query("$skiptoken");
  if (!skip_s.empty()) skip = size_t(std::max(0L, std::strtol(skip_s.c_str(), nullptr, 10)));
  const size_t page = top ? top : 1000;
  json arr = json::array();
  size_t index = 0;
  bool more = false;
  for (auto it = resources_.lower_bound(prefix);
       it != resources_.end() && StartsWith(it->first, prefix); ++it) {
    const Resource& r = it->second;
    const TypeSpec* spec = types_.Find(r.type);
    if (resources_list) {
      if (!spec || !spec->listed_in_group || r.type == kRgType) continue;
    } else if (r.type != kRgType) {
      continue;
    }
    if (!type_filter.empty() && !IEquals(type_filter, r.type)) continue;
    // Without a tag filter, entries before the page are skipped without parsing them.
    if (tag_name.empty() && index < skip) {
      ++index;
      continue;
    }
    if (tag_name.empty() && arr.size() >= page) {
      more = true;
      break;
    }
    json body = json::parse(r.body, nullptr, false);
    if (!body.is_object()) continue;
    if (!tag_name.empty()) {
      bool match = false;
      if (body.contains("tags") && body["tags"].is_object())
        for (auto tg = body["tags"].begin(); tg != body["tags"].end(); ++tg)
          if (IEquals(tg.key(), tag_name) &&
              (tag_value.empty() ||
               (tg.value().is_string() && tg.value().get<std::string>() == tag_value)))
            match = true;
      if (!match) continue;
    }
    if (index++ < skip) continue;
    if (arr.size() >= page) {
      more = true;
      break;
    }
    if (!resources_list) {
      arr.push_back(body);
      continue;
    }
    json g = {{"id", r.id}, {"name", LastSegment(r.id)}, {"type", r.type}};
    for (const char* k : {"location", "tags", "sku", "kind", "zones", "identity", "managedBy"})
      if (body.contains(k)) g[k] = body[k];
    if (expand.find("createdtime") != std::string::npos) g["createdTime"] = Iso8601(r.created);
    if (expand.find("changedtime") != std::string::npos) g["changedTime"] = Iso8601(r.changed);
    if (expand.find("provisioningstate") != std::string::npos && body.contains("properties"))
      g["provisioningState"] = body["properties"].value("provisioningState", "Succeeded");
    arr.push_back(std::move(g));
  }
  json out = {{"value", arr}};
  if (more) {
    std::string q;
    for (const auto& [k, v] : req.query)
      if (k != "$skiptoken") q += (q.empty() ? "" : "&") + UrlEncode(k) + "=" + UrlEncode(v);
    out["nextLink"] = settings_.arm_base + req.path + "?" + q +
                      "&$skiptoken=" + std::to_string(skip + arr.size());
  }
  return ArmJson(200, out);
}

HttpResponse Arm::ResourceGroup(const HttpRequest& req, const std::string& sub,
                                const std::string& name, const LroFault& lro_failure) {
  Target t;
  t.sub = sub;
  t.spec = types_.Find(kRgType);
  t.type = kRgType;
  t.scope_id = "/subscriptions/" + sub;
  t.parent_id = t.scope_id;
  t.id = RgId(sub, name);
  if (const Resource* r = Find(t.id)) t.id = r->id;
  t.key = ToLower(t.id);
  t.name = LastSegment(t.id);
  if (req.method == "HEAD") {
    HttpResponse r;
    r.status = Find(t.id) ? 204 : 404;
    return r;
  }
  if (req.method == "GET") {
    if (!Find(t.id))
      return ArmErrorResponse(
          Err(404, "ResourceGroupNotFound", "Resource group '" + name + "' could not be found."));
    return Get(req, t);
  }
  if (req.method == "PUT") return Put(req, t, LroFault{});
  if (req.method == "PATCH") return Patch(req, t);
  if (req.method == "DELETE") {
    if (!Find(t.id))
      return ArmErrorResponse(
          Err(404, "ResourceGroupNotFound", "Resource group '" + name + "' could not be found."));
    return Delete(req, t, lro_failure);
  }
  return ArmErrorResponse(Err(405, "MethodNotAllowed", "The method is not allowed."));
}

HttpResponse Arm::Locations(const std::string& sub) const {
  // Regions azsim accepts everywhere (it does not restrict locations), with their zones.
  static const std::vector<std::tuple<const char*, const char*, bool>> kRegions = {
      {"eastus", "East US", true},           {"eastus2", "East US 2", true},
      {"westus", "West US", false},          {"westus2", "West US 2", true},
      {"westus3", "West US 3", true},        {"centralus", "Central US", true},
      {"northeurope", "North Europe", true}, {"westeurope", "West Europe", true},
      {"uksouth", "UK South", true},         {"southeastasia", "Southeast Asia", true},
      {"japaneast", "Japan East", true},     {"australiaeast", "Australia East", true}};
  json arr = json::array();
  for (const auto& [name, display, zoned] : kRegions) {
    json l = {{"id", "/subscriptions/" + sub + "/locations/" + name},
              {"name", name},
              {"type", "Region"},
              {"displayName", display},
              {"regionalDisplayName", std::string("(azsim) ") + display},
              {"metadata", {{"regionType", "Physical"}, {"regionCategory", "Recommended"}}}};
    if (zoned) {
      json zones = json::array();
      for (const char* z : {"1", "2", "3"})
        zones.push_back({{"logicalZone", z}, {"physicalZone", std::string(name) + "-az" + z}});
      l["availabilityZoneMappings"] = zones;
    }
    arr.push_back(std::move(l));
  }
  return ArmJson(200, {{"value", arr}});
}

HttpResponse Arm::CheckNameAvailability(const HttpRequest& req) {
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.contains("name") || !body["name"].is_string())
    return ArmErrorResponse(
        Err(400, "InvalidRequestContent", "The request content was invalid: 'name' is required."));
  const TypeSpec* spec = types_.Find("Microsoft.Storage/storageAccounts");
  std::string name = body["name"].get<std::string>();
  if (spec && spec->valid_name && !spec->valid_name(name))
    return ArmJson(
        200,
        {{"nameAvailable", false},
         {"reason", "AccountNameInvalid"},
         {"message",
          name + " is not a valid storage account name. Storage account name must be between 3 and "
                 "24 characters in length and use numbers and lower-case letters only."}});
  for (const auto& [k, r] : resources_) {
    if (IEquals(r.type, "Microsoft.Storage/storageAccounts") && IEquals(LastSegment(r.id), name))
      return ArmJson(200,
                     {{"nameAvailable", false},
                      {"reason", "AlreadyExists"},
                      {"message", "The storage account named " + name + " is already taken."}});
  }
  return ArmJson(200, {{"nameAvailable", true}});
}

HttpResponse Arm::AcceptedOperation(const HttpRequest& req, const std::string& ns,
                                    const std::string& location) {
  Operation& op = StartOperation("", "action", ns, location, 0, LroFault{}, false);
  op.status = "Succeeded";
  op.end = NowSeconds();
  for (auto it = pending_.begin(); it != pending_.end(); ++it)
    if (it->second == op.id) {
      pending_.erase(it);
      break;
    }
  (void)Persist({}, {}, {&op});
  HttpResponse res;
  res.status = 202;
  AddLroHeaders(res, op, req, false);
  return res;
}

std::vector<std::pair<std::string, std::string>> Arm::RoleAssignmentsOf(
    const std::string& object_id) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, r] : resources_) {
    if (!IEquals(r.type, "Microsoft.Authorization/roleAssignments")) continue;
    json j = json::parse(r.body, nullptr, false);
    if (!j.is_object() || !j["properties"].is_object()) continue;
    const json& p = j["properties"];
    if (!IEquals(p.value("principalId", ""), object_id)) continue;
    out.emplace_back(p.value("scope", ""), LastSegment(p.value("roleDefinitionId", "")));
  }
  return out;
}

}  // namespace azsim
