#include "fabtrace/auth/jwt_verifier.h"

namespace fabtrace::auth {

void RequireRole(const Claims& claims, std::string_view role) {
  if (!claims.HasRole(role)) {
    throw AuthError(AuthErrorCode::kRoleMissing,
                    "the realm role '" + std::string(role) + "' is required");
  }
}

}  // namespace fabtrace::auth
