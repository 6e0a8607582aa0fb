// The one kind of failure every client library (database, S3, Kafka) throws when a
// dependency fails, so the HTTP server answers all of them alike: 504 when it did not
// answer in time, 503 when it could not be reached, 502 when it refused the operation.
#pragma once

#include <stdexcept>
#include <string>

namespace fabtrace {

class DependencyError : public std::runtime_error {
 public:
  enum class Kind {
    kTimeout,      // accepted the call, no answer within the deadline
    kUnavailable,  // could not be reached (refused, closed, no free connection)
    kRefused,      // answered, and refused the operation with an error code of its own
  };

  // `dependency` names it in answers ("database", "storage", "queue"); `error_type` is
  // what the span records as error.type ("timeout", a SQLSTATE, an S3 or Kafka code).
  DependencyError(std::string dependency, Kind kind, std::string error_type,
                  const std::string& message)
      : std::runtime_error(message),
        dependency_(std::move(dependency)),
        kind_(kind),
        error_type_(std::move(error_type)) {}

  const std::string& dependency() const { return dependency_; }
  Kind kind() const { return kind_; }
  const std::string& error_type() const { return error_type_; }

 private:
  std::string dependency_;
  Kind kind_;
  std::string error_type_;
};

}  // namespace fabtrace
