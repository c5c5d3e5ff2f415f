// The api-version easel uses for each resource type. Each matches the model of a pinned
// official SDK package (tests/azure-models checks every planned body against it):
// @azure/arm-network 36.0.0, @azure/arm-privatedns 3.2.0, @azure/arm-storage 19.1.0,
// @azure/arm-compute 23.3.0 (kCompute for VMs, images and VM extensions alike),
// @azure/arm-keyvault 3.2.0, @azure/arm-msi 2.2.0.
#pragma once

namespace easel::plan::api {

inline constexpr const char* kResources = "2024-11-01";
inline constexpr const char* kNetwork = "2025-05-01";
inline constexpr const char* kPrivateDns = "2020-06-01";
inline constexpr const char* kStorage = "2025-06-01";
inline constexpr const char* kCompute = "2025-04-01";
inline constexpr const char* kKeyVault = "2024-11-01";
inline constexpr const char* kManagedIdentity = "2024-11-30";
// AKS: @azure/arm-containerservice 24.1.0; Flux: @azure/arm-kubernetesconfiguration 6.1.0;
// policy assignments: @azure/arm-policy 6.0.0; role assignments: @azure/arm-authorization 9.0.0.
inline constexpr const char* kContainerService = "2025-10-01";
inline constexpr const char* kKubernetesConfiguration = "2023-05-01";
inline constexpr const char* kPolicy = "2024-05-01";
inline constexpr const char* kAuthorization = "2022-04-01";

}  // namespace easel::plan::api
