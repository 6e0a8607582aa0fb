// The operator endpoints of a service, served on its admin listener (127.0.0.1 only, a
// port of its own), never on the public router that nginx and clients reach:
//   GET /faults              the fault flags and their state
//   PUT /faults/{name}       {"enabled": true|false}; 403 unless FABTRACE_FAULTS=1
#pragma once

#include "fabtrace/http/router.h"
#include "fabtrace/service/fault_flags.h"

namespace fabtrace::service {

http::Router AdminRoutes(FaultFlags& faults);

}  // namespace fabtrace::service
