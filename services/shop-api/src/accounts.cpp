#include "accounts.h"

#include <sodium.h>

#include <regex>

namespace shop {
namespace {

using fabtrace::http::HttpError;

std::string Sha256Hex(const std::string& text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string Lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

constexpr int kMaxFailures = 5;
constexpr auto kLockout = std::chrono::minutes(1);

}  // namespace

Accounts::Session Accounts::OpenSession(std::int64_t customer_id) {
  unsigned char random[32];
  randombytes_buf(random, sizeof random);
  char token[65];
  sodium_bin2hex(token, sizeof token, random, sizeof random);
  db_.Execute(
      "INSERT INTO sessions (token_hash, customer_id, expires_at) VALUES ($1, $2, now() + interval "
      "'12 hours')",
      {Sha256Hex(token), std::to_string(customer_id)});
  return {customer_id, token};
}

Accounts::Session Accounts::SignUp(const std::string& raw_email, const std::string& password,
                                   const std::string& name) {
  static const std::regex kEmail(R"([^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,})");
  const auto email = Lower(raw_email);
  if (!std::regex_match(email, kEmail))
    throw HttpError(400, "invalid_email", "the e-mail address is not valid");
  if (password.size() < 8 || password.size() > 200) {
    throw HttpError(400, "weak_password", "the password must have 8 to 200 characters");
  }
  if (name.empty() || name.size() > 100)
    throw HttpError(400, "invalid_name", "the name must have 1 to 100 characters");
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.c_str(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("password hashing ran out of memory");
  }
  const auto inserted = db_.Execute(
      "INSERT INTO customers (email, display_name, password_hash) VALUES ($1, $2, $3) ON CONFLICT "
      "(email) DO NOTHING "
      "RETURNING id",
      {email, name, std::string(hash)});
  if (inserted.empty())
    throw HttpError(409, "email_taken", "an account with this e-mail address exists");
  return OpenSession(std::stoll(inserted.text(0, "id")));
}

Accounts::Session Accounts::SignIn(const std::string& raw_email, const std::string& password) {
  const auto email = Lower(raw_email);
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(failures_mutex_);
    auto it = failures_.find(email);
    if (it != failures_.end() && it->second.first >= kMaxFailures &&
        now - it->second.second < kLockout) {
      throw HttpError(429, "too_many_attempts", "too many failed sign-ins; wait a minute");
    }
  }
  const auto found =
      db_.Execute("SELECT id, password_hash FROM customers WHERE email = $1", {email});
  if (found.empty() || crypto_pwhash_str_verify(found.text(0, "password_hash").c_str(),
                                                password.c_str(), password.size()) != 0) {
    std::lock_guard lock(failures_mutex_);
    auto& entry = failures_[email];
    if (now - entry.second >= kLockout) entry.first = 0;
    ++entry.first;
    entry.second = now;
    throw HttpError(401, "wrong_credentials", "wrong e-mail address or password");
  }
  {
    std::lock_guard lock(failures_mutex_);
    failures_.erase(email);
  }
  return OpenSession(std::stoll(found.text(0, "id")));
}

std::int64_t Accounts::Authenticate(const fabtrace::http::Request& request) {
  const auto header = request.header("authorization");
  if (!header || header->substr(0, 7) != "Bearer ")
    throw HttpError(401, "not_signed_in", "sign in first");
  const auto found =
      db_.Execute("SELECT customer_id FROM sessions WHERE token_hash = $1 AND expires_at > now()",
                  {Sha256Hex(std::string(header->substr(7)))});
  if (found.empty())
    throw HttpError(401, "session_expired", "the session has expired; sign in again");
  return std::stoll(found.text(0, "customer_id"));
}

}  // namespace shop
