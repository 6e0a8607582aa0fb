#include "fabtrace/service/settings.h"

#include <gtest/gtest.h>

#include <map>

namespace fabtrace::service {
namespace {

Settings With(std::map<std::string, std::string> values) {
  return Settings([values](const std::string& name) -> std::optional<std::string> {
    const auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  });
}

std::string ErrorOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const SettingsError& error) {
    return error.what();
  }
  return "";
}

TEST(Settings, DefaultsApplyWhenUnset) {
  const auto settings = With({});
  EXPECT_EQ(settings.String("X", "d"), "d");
  EXPECT_EQ(settings.Port("PORT", 8180), 8180);
  EXPECT_EQ(settings.Millis("T_MS", 500).count(), 500);
  EXPECT_FALSE(settings.Flag("F", false));
  EXPECT_EQ(settings.LogLevel(), spdlog::level::info);
}

TEST(Settings, BadNumbersNameTheVariable) {
  const auto settings = With({{"PORT", "80a"}, {"BIG", "70000"}, {"T_MS", "-5"}, {"E", " 5"}});
  EXPECT_EQ(ErrorOf([&] { settings.Port("PORT", 1); }),
            "PORT: '80a' is not an integer from 1 to 65535");
  EXPECT_NE(ErrorOf([&] { settings.Port("BIG", 1); }).find("BIG: '70000'"), std::string::npos);
  EXPECT_NE(ErrorOf([&] { settings.Millis("T_MS", 1); }).find("T_MS"), std::string::npos);
  EXPECT_NE(ErrorOf([&] { settings.Int("E", 1, 0, 9); }).find("E: ' 5'"), std::string::npos);
}

TEST(Settings, SecretsAreNeverQuoted) {
  const auto settings = With({{"DB_PASSWORD_MS", "hunter2"}});
  const auto message = ErrorOf([&] { settings.Millis("DB_PASSWORD_MS", 1); });
  EXPECT_NE(message.find("DB_PASSWORD_MS"), std::string::npos);
  EXPECT_EQ(message.find("hunter2"), std::string::npos);
}

TEST(Settings, RequiredValuesMustBeSet) {
  EXPECT_EQ(ErrorOf([] { With({}).Required("SHOPDB_USER"); }), "SHOPDB_USER must be set");
  EXPECT_EQ(With({{"SHOPDB_USER", "shop"}}).Required("SHOPDB_USER"), "shop");
}

TEST(Settings, FlagsAcceptTheUsualSpellingsOnly) {
  for (const char* on : {"1", "true", "TRUE", "yes", "on"})
    EXPECT_TRUE(With({{"F", on}}).Flag("F", false)) << on;
  for (const char* off : {"0", "false", "no", "Off"})
    EXPECT_FALSE(With({{"F", off}}).Flag("F", true)) << off;
  EXPECT_NE(ErrorOf([] {
              With({{"F", "maybe"}}).Flag("F", false);
            }).find("F: 'maybe'"),
            std::string::npos);
}

TEST(Settings, UnknownLogLevelIsAnErrorNotSilence) {
  EXPECT_EQ(With({{"LOG_LEVEL", "debug"}}).LogLevel(), spdlog::level::debug);
  EXPECT_EQ(With({{"LOG_LEVEL", "WARNING"}}).LogLevel(), spdlog::level::warn);
  EXPECT_EQ(With({{"LOG_LEVEL", "warn"}}).LogLevel(), spdlog::level::warn);  // as the message offers
  EXPECT_EQ(With({{"LOG_LEVEL", "critical"}}).LogLevel(), spdlog::level::critical);
  EXPECT_EQ(With({{"LOG_LEVEL", "error"}}).LogLevel(), spdlog::level::err);
  EXPECT_EQ(With({{"LOG_LEVEL", "off"}}).LogLevel(), spdlog::level::off);
  EXPECT_NE(ErrorOf([] {
              With({{"LOG_LEVEL", "verbose"}}).LogLevel();
            }).find("LOG_LEVEL: 'verbose'"),
            std::string::npos);
}

TEST(Settings, EnvPrefixOfAServiceName) {
  EXPECT_EQ(EnvPrefix("shop-api"), "SHOP_API");
  EXPECT_EQ(EnvPrefix("crm-api"), "CRM_API");
}

}  // namespace
}  // namespace fabtrace::service
