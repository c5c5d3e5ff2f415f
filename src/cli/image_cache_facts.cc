#include "cli/image_cache_facts.h"

#include <sys/stat.h>

#include <algorithm>

#include "azure/blob_client.h"
#include "azure/vhd.h"
#include "cli/storage_checks.h"
#include "common/hash.h"
#include "common/strings.h"
#include "image/vhd_image.h"
#include "plan/api_versions.h"
#include "spec/naming.h"

namespace easel::cli {
namespace {

using nlohmann::json;

std::string KeyOf(const std::string& identity) { return Sha256Hex(identity).substr(0, 16); }

std::string FooterIdentity(const azure::VhdFooterInfo& f) {
  return azure::VhdUuidString(f.unique_id) + "|" + std::to_string(f.checksum) + "|" +
         std::to_string(f.current_size);
}

// The content key of image.vhdUrl, read anonymously by its URL.
Result<std::string> RemoteContentKey(HttpClient& http, const azure::Cloud& cloud,
                                     const std::string& vhd_url, spec::Diagnostics* problems) {
  const std::string field = "spec.image.vhdUrl";
  const std::string url = azure::ResolveBlobUrl(cloud, vhd_url);
  HttpRequest head;
  head.method = "HEAD";
  head.url = url;
  head.headers["x-ms-version"] = "2021-12-02";
  Result<HttpResponse> h = http.Send(head);
  if (!h.ok()) {
    problems->Add(field,
                  "the image cache identifies the source by its content, and reading it by "
                  "its URL failed: " +
                      h.status().message());
    return std::string();
  }
  if (h->status != 200) {
    problems->Add(field,
                  "the image cache identifies the source by its content, and reading it by "
                  "its URL was answered HTTP " +
                      std::to_string(h->status) +
                      " (the source must be public or carry a SAS, as for the copy)");
    return std::string();
  }
  const uint64_t size = std::strtoull(h->Header("Content-Length").c_str(), nullptr, 10);
  if (size < azure::kVhdFooterSize) {
    problems->Add(field, "the source is " + std::to_string(size) +
                             " bytes, too small to be a VHD (its footer is 512 bytes)");
    return std::string();
  }
  HttpRequest tail;
  tail.url = url;
  tail.headers["x-ms-version"] = "2021-12-02";
  tail.headers["Range"] =
      "bytes=" + std::to_string(size - azure::kVhdFooterSize) + "-" + std::to_string(size - 1);
  Result<HttpResponse> t = http.Send(tail);
  if (!t.ok()) {
    problems->Add(field, "reading the source's VHD footer failed: " + t.status().message());
    return std::string();
  }
  // Only the range: a server that ignores it (200) would be sending the whole disk.
  if (t->status != 206 || t->body.size() != azure::kVhdFooterSize) {
    problems->Add(field, "reading the source's VHD footer (its last 512 bytes) was answered HTTP " +
                             std::to_string(t->status) + " with " + std::to_string(t->body.size()) +
                             " bytes");
    return std::string();
  }
  Result<azure::VhdFooterInfo> info = azure::ReadFixedVhdFooter(t->body);
  if (!info.ok()) {
    problems->Add(field, "the source is not a fixed VHD: " + info.status().message());
    return std::string();
  }
  // The ETag changes with every write of the blob: a VHD rewritten in place is a new key, even
  // when its footer (and any Content-MD5, which Put Page does not update) stayed.
  return KeyOf("blob|" + FooterIdentity(*info) + "|" + h->Header("ETag") + "|" +
               h->Header("Content-MD5"));
}

// The cache account of the subscription and region, if one exists: the first by name among the
// accounts tagged easel_image_cache=<region>.
Result<std::optional<std::pair<std::string, std::string>>> FindCacheAccount(
    azure::ArmClient& arm, const spec::ClusterSpec& s) {
  int status = 200;
  Result<std::vector<json>> accounts = azure::ListAll(
      arm, "/subscriptions/" + s.subscription_id + "/providers/Microsoft.Storage/storageAccounts",
      plan::api::kStorage, &status);
  if (!accounts.ok()) return accounts.status();
  std::optional<std::pair<std::string, std::string>> best;  // name, resource group
  for (const json& a : *accounts) {
    // The answer is untrusted: any member may be of any JSON type.
    auto text = [](const json& j, const char* key) {
      auto it = j.find(key);
      return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto tags = a.find("tags");
    if (tags == a.end() || !tags->is_object() ||
        ToLower(text(*tags, spec::kImageCacheTag)) != ToLower(s.location)) {
      continue;
    }
    const std::string id = text(a, "id"), name = text(a, "name");
    const std::string marker = "/resourcegroups/";
    size_t at = ToLower(id).find(marker);
    if (at == std::string::npos || name.empty()) continue;
    size_t from = at + marker.size();
    std::string group = id.substr(from, id.find('/', from) - from);
    if (!best || name < best->first) best = std::make_pair(name, group);
  }
  return best;
}

}  // namespace

Result<ImageCacheFacts> ReadImageCacheFacts(azure::ArmClient& arm, HttpClient& http,
                                            const azure::Cloud& cloud, const spec::ClusterSpec& s,
                                            spec::Diagnostics* problems) {
  ImageCacheFacts facts;
  if (!s.image.vhd_file.empty()) {
    Result<image::VhdInspection> vhd = image::InspectVhd(s.image.vhd_file);
    if (!vhd.ok()) return facts;  // reported by the caller's own check of the file
    // With the file's modification time: a file edited in place keeps its footer.
    struct stat st {};
    if (::stat(s.image.vhd_file.c_str(), &st) != 0) return facts;
    facts.cache.content_key =
        KeyOf("file|" + FooterIdentity(vhd->footer) + "|" + std::to_string(st.st_mtim.tv_sec) +
              "." + std::to_string(st.st_mtim.tv_nsec));
  } else {
    Result<std::string> key = RemoteContentKey(http, cloud, s.image.vhd_url, problems);
    if (!key.ok()) return key.status();
    facts.cache.content_key = *key;
  }
  if (facts.cache.content_key.empty()) return facts;

  Result<std::optional<std::pair<std::string, std::string>>> found = FindCacheAccount(arm, s);
  if (!found.ok()) return found.status();
  if (*found) {
    facts.cache.account_name = (*found)->first;
    facts.cache.resource_group = (*found)->second;
    return facts;
  }
  // None yet: this cluster creates it, in its own resource group, under the first free name.
  std::vector<std::string> taken;
  for (int k = 0; k < spec::kStorageAccountCandidates; ++k) {
    const std::string name = spec::ImageCacheAccountCandidate(s.subscription_id, s.location, k);
    std::string refusal;
    Result<bool> free = NameAvailable(arm, s.subscription_id, name, &refusal, &facts.arm_writes);
    if (!free.ok()) return free.status();
    if (*free) {
      facts.cache.account_name = name;
      facts.cache.resource_group = s.resource_group;
      return facts;
    }
    if (!refusal.empty()) {
      problems->Add("spec.image.cache",
                    "Azure refuses the cache account's name " + name + ": " + refusal);
      return facts;
    }
    taken.push_back(name);
  }
  problems->Add("spec.image.cache",
                "every candidate name of the image cache's account is taken "
                "in Azure (" +
                    Join(taken, ", ") + "); set image.cache: false");
  return facts;
}

}  // namespace easel::cli
