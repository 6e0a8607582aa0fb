// Customer accounts: argon2id password hashes (libsodium), bearer session tokens stored
// only as SHA-256 hashes, and a sign-in rate limit per e-mail address.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "fabtrace/db/postgres.h"
#include "fabtrace/http/message.h"

namespace shop {

class Accounts {
 public:
  explicit Accounts(fabtrace::db::PgPool& db) : db_(db) {}

  struct Session {
    std::int64_t customer_id;
    std::string token;
  };
  // Throws HttpError 400 (invalid input) or 409 (e-mail taken).
  Session SignUp(const std::string& email, const std::string& password, const std::string& name);
  // Throws HttpError 401 (wrong credentials) or 429 (too many failures).
  Session SignIn(const std::string& email, const std::string& password);
  // The customer of "Authorization: Bearer <token>"; throws HttpError 401.
  std::int64_t Authenticate(const fabtrace::http::Request& request);

 private:
  Session OpenSession(std::int64_t customer_id);

  fabtrace::db::PgPool& db_;
  std::mutex failures_mutex_;
  std::map<std::string, std::pair<int, std::chrono::steady_clock::time_point>> failures_;
};

}  // namespace shop
