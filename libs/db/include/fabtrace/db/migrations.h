// Versioned schema migrations: every `*.sql` file of a directory, in name order, applied
// once each in its own transaction and recorded in a history table (one per service when
// services share a database).
#pragma once

#include <string>

#include "fabtrace/db/postgres.h"

namespace fabtrace::db {

// Returns how many migrations were applied now.
int Migrate(PgPool& pool, const std::string& directory,
            const std::string& history_table = "schema_migrations");

}  // namespace fabtrace::db
