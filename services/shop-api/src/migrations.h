// Versioned schema migrations: every NNN_name.sql of a directory runs once, in order,
// each in its own transaction, recorded in schema_migrations.
#pragma once

#include <string>

#include "fabtrace/db/postgres.h"

namespace shop {

// Returns the number of migrations applied now.
int Migrate(fabtrace::db::PgPool& pool, const std::string& directory);

}  // namespace shop
