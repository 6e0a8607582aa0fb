#include "fabtrace/service/employee_auth.h"

#include "fabtrace/telemetry/annotate.h"

namespace fabtrace::service {

EmployeeAuth::EmployeeAuth(auth::JwtVerifierOptions options, std::string role)
    : verifier_(std::move(options)), role_(std::move(role)) {}

EmployeeAuth::EmployeeAuth(auth::JwtVerifierOptions options, auth::JwksSource keys,
                           std::string role)
    : verifier_(std::move(options), std::move(keys)), role_(std::move(role)) {}

auth::Claims EmployeeAuth::Require(const http::Request& request) const {
  try {
    const auto header = request.header("authorization");
    auto claims = verifier_.Verify(auth::BearerToken(header.value_or("")));
    telemetry::Annotate("enduser.id", claims.subject);
    auth::RequireRole(claims, role_);
    return claims;
  } catch (const auth::AuthError& error) {
    auto answer =
        http::HttpError(error.http_status(), std::string(error.code_name()), error.what());
    throw answer;
  }
}

std::string EmployeeAuth::RequireName(const http::Request& request) const {
  const auto claims = Require(request);
  return claims.preferred_username.empty() ? claims.subject : claims.preferred_username;
}

}  // namespace fabtrace::service
