// Integration-test support: the running landscape of `./fabtrace test` (ports and account
// names come from its FT_* environment, generated secrets from the state directory's
// secrets/landscape.env) and fault injection through toxiproxy.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

namespace fabtrace::testing {

inline std::optional<std::string> LandscapeValue(const std::string& name) {
  const std::string key = "FT_" + name;
  const char* value = std::getenv(key.c_str());
  if (value != nullptr && *value != '\0') return std::string(value);
  const char* state = std::getenv("FT_STATE");
  if (state == nullptr) return std::nullopt;
  std::ifstream secrets(std::string(state) + "/secrets/landscape.env");
  for (std::string line; std::getline(secrets, line);) {
    if (line.size() > key.size() && line.compare(0, key.size() + 1, key + "=") == 0)
      return line.substr(key.size() + 1);
  }
  return std::nullopt;
}

inline std::string Landscape(const std::string& name) {
  auto value = LandscapeValue(name);
  if (!value) throw std::runtime_error("FT_" + name + " is not set");
  return *value;
}

inline int LandscapePort(const std::string& name) { return std::stoi(Landscape("PORT_" + name)); }

// Outside `./fabtrace test` there is no landscape: skip. Inside it (which sets
// FABTRACE_REQUIRE_INTEGRATION) a missing landscape is a failure, never a silent skip.
#define FABTRACE_REQUIRE_LANDSCAPE()                                                      \
  do {                                                                                    \
    if (!::fabtrace::testing::LandscapeValue("PORT_TOXIPROXY_API")) {                     \
      if (std::getenv("FABTRACE_REQUIRE_INTEGRATION")) FAIL() << "landscape not running"; \
      GTEST_SKIP() << "needs the landscape of ./fabtrace test";                           \
    }                                                                                     \
  } while (false)

// The error_type() of the `Error` that `call` throws; a test failure when it throws none.
template <typename Error, typename Call>
std::string ErrorTypeOf(Call&& call) {
  try {
    call();
  } catch (const Error& error) {
    return error.error_type();
  }
  ADD_FAILURE() << "expected an exception";
  return {};
}

class Toxiproxy {
 public:
  Toxiproxy() : client_("127.0.0.1", LandscapePort("TOXIPROXY_API")) {}

  void SetEnabled(const std::string& proxy, bool enabled) {
    Post("/proxies/" + proxy, std::string(R"({"enabled":)") + (enabled ? "true" : "false") + "}");
  }
  // HANG: accepted connections get no byte back.
  void Hang(const std::string& proxy) {
    Post("/proxies/" + proxy + "/toxics",
         R"({"name":"hang","type":"timeout","stream":"downstream","attributes":{"timeout":0}})");
  }
  void Heal(const std::string& proxy) {
    client_.Delete(("/proxies/" + proxy + "/toxics/hang").c_str());
    SetEnabled(proxy, true);
  }

 private:
  void Post(const std::string& path, const std::string& body) {
    auto response = client_.Post(path.c_str(), body, "application/json");
    if (!response || response->status != 200) throw std::runtime_error("toxiproxy refused " + path);
  }
  httplib::Client client_;
};

// Heals the proxy when the test ends, whatever happened.
class FaultGuard {
 public:
  explicit FaultGuard(std::string proxy) : proxy_(std::move(proxy)) {}
  ~FaultGuard() {
    try {
      Toxiproxy().Heal(proxy_);
    } catch (...) {
    }
  }

 private:
  std::string proxy_;
};

}  // namespace fabtrace::testing
