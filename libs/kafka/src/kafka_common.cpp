#include "kafka_common.h"

#include <librdkafka/rdkafka.h>

namespace fabtrace::kafka::detail {

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
  span.SetAttribute("messaging.system", "kafka");
  span.SetAttribute("messaging.destination.name", topic);
  span.SetAttribute("messaging.client.id", options.client_id);
  const auto first = options.bootstrap_servers.substr(0, options.bootstrap_servers.find(','));
  const auto colon = first.rfind(':');
  span.SetAttribute("server.address", first.substr(0, colon));
  if (colon != std::string::npos) {
    span.SetAttribute("server.port", static_cast<int64_t>(std::stoi(first.substr(colon + 1))));
  }
}

}  // namespace fabtrace::kafka::detail
