#include "fabtrace/http/validation.h"

#include <gtest/gtest.h>

namespace fabtrace::http {
namespace {

using nlohmann::json;

int StatusOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const HttpError& error) {
    return error.status();
  }
  return 0;
}

TEST(Validation, StringsAreTypedNonEmptyAndBounded) {
  const auto body = json::parse(R"({"a": "x", "b": 3, "c": "", "d": "toolong"})");
  EXPECT_EQ(RequiredString(body, "a"), "x");
  EXPECT_EQ(StatusOf([&] { RequiredString(body, "b"); }), 400);
  EXPECT_EQ(StatusOf([&] { RequiredString(body, "c"); }), 400);
  EXPECT_EQ(StatusOf([&] { RequiredString(body, "d", 3); }), 400);
  EXPECT_EQ(StatusOf([&] { RequiredString(body, "missing"); }), 400);
  EXPECT_EQ(OptionalString(body, "missing"), std::nullopt);
  EXPECT_EQ(OptionalString(body, "a"), "x");
}

TEST(Validation, IntegersRejectStringsFractionsAndOutOfRange) {
  const auto body = json::parse(
      R"({"n": 5, "s": "5", "f": 5.5, "big": 18446744073709551615, "neg": -1, "t": true})");
  EXPECT_EQ(RequiredInt(body, "n", {1, 10}), 5);
  for (const char* field : {"s", "f", "big", "neg", "t", "missing"}) {
    EXPECT_EQ(StatusOf([&] { RequiredInt(body, field, {0, 10}); }), 400) << field;
  }
  EXPECT_EQ(OptionalInt(body, "missing", 7, {1, 10}), 7);
  EXPECT_EQ(StatusOf([&] { OptionalInt(body, "s", 7, {1, 10}); }), 400);
}

TEST(Validation, BooleansMustBeBooleans) {
  const auto body = json::parse(R"({"on": true, "text": "true", "one": 1})");
  EXPECT_TRUE(RequiredBool(body, "on"));
  EXPECT_EQ(StatusOf([&] { RequiredBool(body, "text"); }), 400);
  EXPECT_EQ(StatusOf([&] { RequiredBool(body, "one"); }), 400);
}

TEST(Validation, PathIdsArePositiveDecimalIntegers) {
  Request request;
  for (const char* bad : {"", "0", "-1", "1e3", "12a", "9999999999999999999", " 1"}) {
    request.path_params["id"] = bad;
    EXPECT_EQ(StatusOf([&] { PathId(request, "id"); }), 400) << bad;
  }
  request.path_params["id"] = "42";
  EXPECT_EQ(PathId(request, "id"), 42);
}

TEST(Validation, QueryIntegersAreBounded) {
  Request request;
  EXPECT_EQ(QueryInt(request, "limit", 20, {1, 100}), 20);
  request.query.emplace("limit", "101");
  EXPECT_EQ(StatusOf([&] { QueryInt(request, "limit", 20, {1, 100}); }), 400);
  request.query.clear();
  request.query.emplace("limit", "ten");
  EXPECT_EQ(StatusOf([&] { QueryInt(request, "limit", 20, {1, 100}); }), 400);
  request.query.clear();
  request.query.emplace("limit", "30");
  EXPECT_EQ(QueryInt(request, "limit", 20, {1, 100}), 30);
}

TEST(Validation, QueryEnumerationsPatternsAndPages) {
  Request request;
  EXPECT_EQ(QueryOneOf(request, "status", {"NEW", "DONE"}), std::nullopt);
  const auto page = QueryPage(request, 50, 200);
  EXPECT_EQ(page.limit, 50);
  EXPECT_EQ(page.offset, 0);
  request.query.emplace("status", "DONE");
  request.query.emplace("day", "2026-11-25");
  request.query.emplace("offset", "-1");
  EXPECT_EQ(QueryOneOf(request, "status", {"NEW", "DONE"}), "DONE");
  EXPECT_EQ(StatusOf([&] { QueryOneOf(request, "status", {"NEW"}); }), 400);
  const std::regex date(R"(\d{4}-\d{2}-\d{2})");
  EXPECT_EQ(QueryMatching(request, "day", date, "a date"), "2026-11-25");
  EXPECT_EQ(StatusOf([&] { QueryMatching(request, "status", date, "a date"); }), 400);
  EXPECT_EQ(StatusOf([&] { QueryPage(request, 50, 200); }), 400);
}

}  // namespace
}  // namespace fabtrace::http
