// Employees sign in with Keycloak; an API checks each request's bearer JWT itself
// (signature against the realm's keys, issuer, audience, expiry) and the realm role its
// users need. The token is never logged or recorded; the span gets the user's subject id.
#pragma once

#include <string>

#include "fabtrace/auth/jwt_verifier.h"
#include "fabtrace/http/message.h"

namespace fabtrace::service {

class EmployeeAuth {
 public:
  EmployeeAuth(auth::JwtVerifierOptions options, std::string role);
  // For tests: keys from a source of their own.
  EmployeeAuth(auth::JwtVerifierOptions options, auth::JwksSource keys, std::string role);

  // The claims of the request's token: 401 without a valid one, 403 without the role,
  // 503 when the realm's keys cannot be had.
  auth::Claims Require(const http::Request& request) const;
  // Require, then the employee's user name (the subject id when the token has none), for
  // "approved by" and "actor" records.
  std::string RequireName(const http::Request& request) const;

 private:
  auth::JwtVerifier verifier_;
  std::string role_;
};

}  // namespace fabtrace::service
