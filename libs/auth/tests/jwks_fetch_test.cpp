#include "jwks_fetch.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "auth_assertions.h"
#include "fabtrace/auth/jwt_verifier.h"
#include "test_keys.h"

namespace fabtrace::auth {
namespace {

using namespace testing;  // NOLINT: the test helpers
using namespace std::chrono_literals;

constexpr const char* kCertsPath = "/realms/fabtrace/protocol/openid-connect/certs";

// A Keycloak stand-in on a free local port that serves the realm's certs.
class FakeKeycloak {
 public:
  FakeKeycloak() {
    server_.Get(kCertsPath, [this](const httplib::Request&, httplib::Response& response) {
      ++requests_;
      response.status = status_;
      response.set_content(status_ == 200 ? JwksOf({{&KeyA(), "a"}}) : "oops", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the accept loop runs would not stop it.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeKeycloak() {
    server_.stop();
    thread_.join();
  }

  std::string Issuer() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/realms/fabtrace";
  }
  void AnswerWith(int status) { status_ = status; }
  int requests() const { return requests_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> status_{200};
  std::atomic<int> requests_{0};
};

// A local port bound to a socket: listening but never accepting (connections queue and
// requests get no answer), or not listening at all (connections are refused).
class LocalPort {
 public:
  explicit LocalPort(bool listening) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        (listening && listen(fd_, 8) != 0) ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot open a local socket");
    }
    port_ = ntohs(address.sin_port);
  }
  ~LocalPort() { close(fd_); }
  LocalPort(const LocalPort&) = delete;
  LocalPort& operator=(const LocalPort&) = delete;

  std::string Issuer() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/realms/fabtrace";
  }

 private:
  int fd_;
  int port_ = 0;
};

JwtVerifierOptions OptionsFor(const std::string& issuer) {
  auto options = TestOptions();
  options.issuer = issuer;
  // Generous: a loaded 2-core machine may take a while to answer; the test of a silent
  // server sets its own short timeout.
  options.fetch_connect_timeout = 5s;
  options.fetch_timeout = 5s;
  return options;
}

std::string TokenFor(const std::string& issuer) {
  auto payload = ValidPayload();
  payload["iss"] = issuer;
  return SignedToken(KeyA(), "a", payload);
}

TEST(JwksFetch, KeysComeFromTheCertsEndpointOfTheIssuer) {
  FakeKeycloak keycloak;
  const JwtVerifier verifier(OptionsFor(keycloak.Issuer()));
  const auto claims = verifier.Verify(TokenFor(keycloak.Issuer()));
  EXPECT_EQ(claims.preferred_username, "erika.muster");
  EXPECT_NO_THROW(verifier.Verify(TokenFor(keycloak.Issuer())));
  EXPECT_EQ(keycloak.requests(), 1);
}

TEST(JwksFetch, ErrorStatusIsJwksUnavailable) {
  FakeKeycloak keycloak;
  keycloak.AnswerWith(500);
  const JwtVerifier verifier(OptionsFor(keycloak.Issuer()));
  EXPECT_TRUE(FailsWith(verifier, TokenFor(keycloak.Issuer()), AuthErrorCode::kJwksUnavailable));
  EXPECT_EQ(keycloak.requests(), 1);
}

TEST(JwksFetch, RefusedConnectionIsJwksUnavailable) {
  const LocalPort closed(/*listening=*/false);
  const auto issuer = closed.Issuer();
  const JwtVerifier verifier(OptionsFor(issuer));
  EXPECT_TRUE(FailsWith(verifier, TokenFor(issuer), AuthErrorCode::kJwksUnavailable));
}

TEST(JwksFetch, SilentServerEndsAtTheFetchTimeout) {
  const LocalPort silent(/*listening=*/true);
  const auto issuer = silent.Issuer();
  auto options = OptionsFor(issuer);
  options.fetch_timeout = 300ms;
  const JwtVerifier verifier(options);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(FailsWith(verifier, TokenFor(issuer), AuthErrorCode::kJwksUnavailable));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 2s);
}

TEST(JwksFetch, OnlyHttpAndHttpsAreFetched) {
  detail::JwksFetchOptions options;
  options.url = "file:///etc/passwd";
  EXPECT_THROW(detail::FetchJwks(options), std::runtime_error);
}

}  // namespace
}  // namespace fabtrace::auth
