// Pieces shared by the producer and the consumer.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <string>

#include "fabtrace/kafka/kafka.h"
#include "opentelemetry/trace/span.h"

namespace fabtrace::kafka::detail {

// librdkafka's name of an error code, e.g. "UNKNOWN_TOPIC_OR_PART" or "_MSG_TIMED_OUT".
std::string ErrorName(RdKafka::ErrorCode code);

// A global configuration with the common settings; throws KafkaError on a bad value.
std::unique_ptr<RdKafka::Conf> MakeConf(const KafkaOptions& options);
void Set(RdKafka::Conf& conf, const std::string& name, const std::string& value);

// messaging.system, server.address/port and client id on a span.
void SetCommonAttributes(opentelemetry::trace::Span& span, const KafkaOptions& options,
                         const std::string& topic);

}  // namespace fabtrace::kafka::detail
