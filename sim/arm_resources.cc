// Microsoft.Resources: resource groups (the generic engine does the rest).
#include "sim/arm.h"

namespace azsim {

void RegisterResourceTypes(TypeRegistry& r) {
  TypeSpec rg;
  rg.type = "Microsoft.Resources/resourceGroups";
  rg.put = TypeSpec::PutStyle::kSync;
  rg.async_delete = true;
  rg.delete_seconds = 10;
  rg.listed_in_group = false;
  rg.name_error_code = "InvalidResourceGroupName";
  rg.name_rule =
      "Resource group names are 1-90 characters of letters, digits, '_', '(', ')', '-' and '.', "
      "not ending in '.'.";
  rg.valid_name = [](const std::string& n) {
    if (n.empty() || n.size() > 90 || n.back() == '.') return false;
    for (unsigned char c : n)
      if (!std::isalnum(c) && c != '_' && c != '(' && c != ')' && c != '-' && c != '.' && c < 0x80)
        return false;
    return true;
  };
  rg.validate = [](PutContext& ctx) -> ArmError {
    // Only location, tags and managedBy matter for a group.
    ctx.body["properties"] = nlohmann::json::object();
    return {};
  };
  r.Add(std::move(rg));
}

}  // namespace azsim
