#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "auth_assertions.h"
#include "fabtrace/auth/jwt_verifier.h"
#include "test_keys.h"

namespace fabtrace::auth {
namespace {

using namespace testing;  // NOLINT: the test helpers
using namespace std::chrono_literals;

// A JWKS source the test changes while the verifier runs; counts the fetches.
class FakeKeySource {
 public:
  explicit FakeKeySource(std::string jwks) : jwks_(std::move(jwks)) {}

  JwksSource Source() {
    return [this] {
      ++fetches_;
      std::lock_guard lock(mutex_);
      if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
      if (failing_) throw std::runtime_error("connection refused (test)");
      return jwks_;
    };
  }
  void Serve(std::string jwks) {
    std::lock_guard lock(mutex_);
    jwks_ = std::move(jwks);
  }
  void Fail(bool failing) {
    std::lock_guard lock(mutex_);
    failing_ = failing;
  }
  void Delay(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    delay_ = delay;
  }
  int fetches() const { return fetches_; }

 private:
  std::mutex mutex_;
  std::string jwks_;
  bool failing_ = false;
  std::chrono::milliseconds delay_{0};
  std::atomic<int> fetches_{0};
};

std::string TokenOf(const TestKey& key, const std::string& kid) {
  return SignedToken(key, kid, ValidPayload());
}

TEST(KeyRefresh, KeysAreFetchedOnFirstUseOnly) {
  FakeKeySource keys(JwksOf({{&KeyA(), "a"}}));
  const JwtVerifier verifier(TestOptions(), keys.Source());
  EXPECT_EQ(keys.fetches(), 0);
  for (int i = 0; i < 3; ++i) EXPECT_NO_THROW(verifier.Verify(TokenOf(KeyA(), "a")));
  EXPECT_EQ(keys.fetches(), 1);
}

TEST(KeyRefresh, UnknownKidTriggersExactlyOneRefreshThatFindsTheNewKey) {
  FakeKeySource keys(JwksOf({{&KeyA(), "a"}}));
  const JwtVerifier verifier(TestOptions(), keys.Source());
  ASSERT_NO_THROW(verifier.Verify(TokenOf(KeyA(), "a")));
  ASSERT_EQ(keys.fetches(), 1);

  keys.Serve(JwksOf({{&KeyA(), "a"}, {&KeyB(), "b"}}));  // Keycloak rotated its keys
  EXPECT_NO_THROW(verifier.Verify(TokenOf(KeyB(), "b")));
  EXPECT_EQ(keys.fetches(), 2);
  EXPECT_NO_THROW(verifier.Verify(TokenOf(KeyB(), "b")));
  EXPECT_NO_THROW(verifier.Verify(TokenOf(KeyA(), "a")));
  EXPECT_EQ(keys.fetches(), 2);
}

TEST(KeyRefresh, UnknownKidWithoutSuchKeyIsUnknownKeyAndRefreshesAreRateLimited) {
  FakeKeySource keys(JwksOf({{&KeyA(), "a"}}));
  const JwtVerifier verifier(TestOptions(), keys.Source());
  ASSERT_NO_THROW(verifier.Verify(TokenOf(KeyA(), "a")));

  EXPECT_TRUE(FailsWith(verifier, TokenOf(KeyB(), "kid-nobody-knows"), AuthErrorCode::kUnknownKey,
                        "kid-nobody-knows"));
  EXPECT_EQ(keys.fetches(), 2);
  // Within the 10 s minimum interval no further fetch happens, whatever the kid.
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(FailsWith(verifier, TokenOf(KeyB(), "made-up-" + std::to_string(i)),
                          AuthErrorCode::kUnknownKey));
  }
  EXPECT_EQ(keys.fetches(), 2);
}

TEST(KeyRefresh, UnknownKidOnFirstUseCostsOneFetch) {
  FakeKeySource keys(JwksOf({{&KeyA(), "a"}}));
  const JwtVerifier verifier(TestOptions(), keys.Source());
  EXPECT_TRUE(FailsWith(verifier, TokenOf(KeyB(), "b"), AuthErrorCode::kUnknownKey));
  EXPECT_EQ(keys.fetches(), 1);
}

TEST(KeyRefresh, AfterTheMinimumIntervalAnUnknownKidRefreshesAgain) {
  FakeKeySource keys(JwksOf({{&KeyA(), "a"}}));
  auto options = TestOptions();
  options.jwks_min_refresh_interval = 100ms;
  const JwtVerifier verifier(options, keys.Source());
  ASSERT_NO_THROW(verifier.Verify(TokenOf(KeyA(), "a")));
  EXPECT_TRUE(FailsWith(verifier, TokenOf(KeyB(), "b"), AuthErrorCode::kUnknownKey));
  EXPECT_EQ(keys.fetches(), 2);
  keys.Serve(JwksOf({{&KeyA(), "a"}, {&KeyB(), "b"}}));
  EXPECT_TRUE(FailsWith(verifier, TokenOf(KeyB(), "b"), AuthErrorCode::kUnknownKey));
  EXPECT_EQ(keys.fetches(), 2);
  std::this_thread::sleep_for(150ms);
  EXPECT_NO_THROW(verifier.Verify(TokenOf(KeyB(), "b")));
  EXPECT_EQ(keys.fetches(), 3);
}

TEST(KeyRefresh, ThrowingSourceIsJwksUnavailableAndNotRetriedAtOnce) {
  FakeKeySource keys(JwksOf({{&KeyA(), "a"}}));
  keys.Fail(true);
  auto options = TestOptions();
  options.jwks_min_refresh_interval = 200ms;
  const JwtVerifier verifier(options, keys.Source());
  EXPECT_TRUE(FailsWith(verifier, TokenOf(KeyA(), "a"), AuthErrorCode::kJwksUnavailable));
  EXPECT_TRUE(FailsWith(verifier, TokenOf(KeyA(), "a"), AuthErrorCode::kJwksUnavailable));
  EXPECT_EQ(keys.fetches(), 1);
  try {
    verifier.Verify(TokenOf(KeyA(), "a"));
  } catch (const AuthError& error) {
    EXPECT_EQ(error.http_status(), 503);
    EXPECT_NE(std::string(error.what()).find("connection refused (test)"), std::string::npos);
  }

  keys.Fail(false);
  std::this_thread::sleep_for(250ms);
  EXPECT_NO_THROW(verifier.Verify(TokenOf(KeyA(), "a")));
  EXPECT_EQ(keys.fetches(), 2);
}

TEST(KeyRefresh, GarbageFromTheSourceIsJwksUnavailable) {
  FakeKeySource keys("<html>502 Bad Gateway</html>");
  const JwtVerifier verifier(TestOptions(), keys.Source());
  EXPECT_TRUE(FailsWith(verifier, TokenOf(KeyA(), "a"), AuthErrorCode::kJwksUnavailable));
}

TEST(KeyRefresh, SourceFailingDuringAnUnknownKidRefreshIsJwksUnavailable) {
  FakeKeySource keys(JwksOf({{&KeyA(), "a"}}));
  const JwtVerifier verifier(TestOptions(), keys.Source());
  ASSERT_NO_THROW(verifier.Verify(TokenOf(KeyA(), "a")));
  keys.Fail(true);
  EXPECT_TRUE(FailsWith(verifier, TokenOf(KeyB(), "b"), AuthErrorCode::kJwksUnavailable));
  // The keys already known still work.
  EXPECT_NO_THROW(verifier.Verify(TokenOf(KeyA(), "a")));
  EXPECT_EQ(keys.fetches(), 2);
}

TEST(KeyRefresh, PeriodicRefreshReplacesTheKeys) {
  FakeKeySource keys(JwksOf({{&KeyA(), "a"}}));
  auto options = TestOptions();
  options.jwks_refresh_interval = 50ms;
  const JwtVerifier verifier(options, keys.Source());
  ASSERT_NO_THROW(verifier.Verify(TokenOf(KeyA(), "a")));

  keys.Serve(JwksOf({{&KeyB(), "b"}}));  // key "a" was removed from the realm
  std::this_thread::sleep_for(80ms);
  // The stale set is fetched again (once) and no longer has "a".
  EXPECT_TRUE(FailsWith(verifier, TokenOf(KeyA(), "a"), AuthErrorCode::kUnknownKey));
  EXPECT_EQ(keys.fetches(), 2);
  EXPECT_NO_THROW(verifier.Verify(TokenOf(KeyB(), "b")));
  EXPECT_EQ(keys.fetches(), 2);
}

TEST(KeyRefresh, FailedPeriodicRefreshKeepsTheKnownKeys) {
  FakeKeySource keys(JwksOf({{&KeyA(), "a"}}));
  auto options = TestOptions();
  options.jwks_refresh_interval = 50ms;
  const JwtVerifier verifier(options, keys.Source());
  ASSERT_NO_THROW(verifier.Verify(TokenOf(KeyA(), "a")));
  keys.Fail(true);
  std::this_thread::sleep_for(80ms);
  for (int i = 0; i < 5; ++i) EXPECT_NO_THROW(verifier.Verify(TokenOf(KeyA(), "a")));
  EXPECT_EQ(keys.fetches(), 2);  // the failure is not retried within the minimum interval
}

TEST(KeyRefresh, ConcurrentFirstUseFetchesOnce) {
  FakeKeySource keys(JwksOf({{&KeyA(), "a"}}));
  keys.Delay(50ms);
  const JwtVerifier verifier(TestOptions(), keys.Source());
  const auto token = TokenOf(KeyA(), "a");
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        try {
          verifier.Verify(token);
          ++accepted;
        } catch (...) {
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(accepted, 200);
  EXPECT_EQ(keys.fetches(), 1);
}

}  // namespace
}  // namespace fabtrace::auth
