#include "kafka_common.h"

#include <librdkafka/rdkafka.h>

#include "opentelemetry/semconv/incubating/messaging_attributes.h"
#include "opentelemetry/semconv/server_attributes.h"

namespace fabtrace::kafka::detail {

namespace semconv = opentelemetry::semconv;

std::string ErrorName(RdKafka::ErrorCode code) {
  return rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(code));
}

void Set(RdKafka::Conf& conf, const std::string& name, const std::string& value) {
  std::string error;
  if (conf.set(name, value, error) != RdKafka::Conf::CONF_OK) {
    throw KafkaError("configuration", "kafka setting " + name + "=" + value + ": " + error);
  }
}

std::unique_ptr<RdKafka::Conf> MakeConf(const KafkaOptions& options) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  Set(*conf, "bootstrap.servers", options.bootstrap_servers);
  Set(*conf, "client.id", options.client_id);
  Set(*conf, "message.max.bytes", std::to_string(options.max_message_bytes));
  Set(*conf, "reconnect.backoff.ms", "100");
  Set(*conf, "reconnect.backoff.max.ms", "1000");
  Set(*conf, "socket.connection.setup.timeout.ms", "2000");
  return conf;
}

void SetCommonAttributes(opentelemetry::trace::Span& span, const KafkaOptions& options,
                         const std::string& topic) {
  span.SetAttribute(semconv::messaging::kMessagingSystem, "kafka");
  span.SetAttribute(semconv::messaging::kMessagingDestinationName, topic);
  span.SetAttribute(semconv::messaging::kMessagingClientId, options.client_id);
  const auto first = options.bootstrap_servers.substr(0, options.bootstrap_servers.find(','));
  const auto colon = first.rfind(':');
  span.SetAttribute(semconv::server::kServerAddress, first.substr(0, colon));
  if (colon != std::string::npos) {
    span.SetAttribute(semconv::server::kServerPort,
                      static_cast<int64_t>(std::stoi(first.substr(colon + 1))));
  }
}

}  // namespace fabtrace::kafka::detail
