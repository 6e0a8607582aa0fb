#include <spdlog/spdlog.h>

#include "fabtrace/kafka/kafka.h"
#include "fabtrace/telemetry/active_span.h"
#include "fabtrace/telemetry/end_on_exit.h"
#include "fabtrace/telemetry/propagation.h"
#include "fabtrace/telemetry/rate_limiter.h"
#include "fabtrace/telemetry/span_errors.h"
#include "fabtrace/telemetry/tracer.h"
#include "kafka_common.h"
#include "opentelemetry/semconv/incubating/messaging_attributes.h"
#include "opentelemetry/trace/context.h"

namespace trace = opentelemetry::trace;

namespace fabtrace::kafka {

namespace semconv = opentelemetry::semconv;
namespace {

Message ToMessage(const RdKafka::Message& raw) {
  Message message;
  message.topic = raw.topic_name();
  message.partition = raw.partition();
  message.offset = raw.offset();
  if (raw.key()) message.key = *raw.key();
  message.value.assign(static_cast<const char*>(raw.payload()), raw.len());
  if (const auto* headers = const_cast<RdKafka::Message&>(raw).headers()) {
    for (const auto& header : headers->get_all()) {
      message.headers[header.key()] =
          header.value()
              ? std::string(static_cast<const char*>(header.value()), header.value_size())
              : std::string();
    }
  }
  return message;
}

class LogEvents final : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override {
    if (event.type() != RdKafka::Event::EVENT_ERROR) return;
    if (auto suppressed = limiter_.Allow()) {
      spdlog::warn("kafka consumer: {}: {} ({} similar suppressed)", detail::ErrorName(event.err()),
                   event.str(), *suppressed);
    }
  }

 private:
  telemetry::RateLimiter limiter_{std::chrono::seconds(10)};
};

}  // namespace

struct Consumer::Impl {
  LogEvents events;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
};

Consumer::Consumer(ConsumerOptions options, Handler handler)
    : options_(std::move(options)), handler_(std::move(handler)), impl_(std::make_unique<Impl>()) {
  auto conf = detail::MakeConf(options_.kafka);
  detail::Set(*conf, "group.id", options_.group_id);
  detail::Set(*conf, "enable.auto.commit", "false");
  detail::Set(*conf, "auto.offset.reset", "earliest");
  detail::Set(*conf, "session.timeout.ms", "10000");
  std::string error;
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(&impl_->events), error) !=
      RdKafka::Conf::CONF_OK) {
    throw KafkaError("configuration", error);
  }
  impl_->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!impl_->consumer) throw KafkaError("configuration", "kafka consumer: " + error);
  const auto code = impl_->consumer->subscribe(options_.topics);
  if (code != RdKafka::ERR_NO_ERROR)
    throw KafkaError(detail::ErrorName(code), "subscribe: " + RdKafka::err2str(code));
  dead_letters_ = std::make_unique<Producer>(options_.kafka);
  thread_ = std::thread([this] { Loop(); });
}

Consumer::~Consumer() {
  stop_ = true;
  thread_.join();
  impl_->consumer->close();
}

void Consumer::Loop() {
  telemetry::RateLimiter error_log(std::chrono::seconds(10));
  while (!stop_) {
    std::unique_ptr<RdKafka::Message> raw(impl_->consumer->consume(200));
    const auto code = raw->err();
    if (code == RdKafka::ERR__TIMED_OUT || code == RdKafka::ERR__PARTITION_EOF) continue;
    if (code != RdKafka::ERR_NO_ERROR) {
      if (auto suppressed = error_log.Allow()) {
        spdlog::warn("kafka consume: {}: {} ({} similar suppressed)", detail::ErrorName(code),
                     raw->errstr(), *suppressed);
      }
      continue;
    }
    const auto message = ToMessage(*raw);
    try {
      Process(message);
      impl_->consumer->commitSync(raw.get());
    } catch (const std::exception& error) {
      // Neither handled nor dead-lettered: read it again after a pause, lose nothing.
      spdlog::error("kafka: message {}/{}@{} kept for a retry: {}", message.topic,
                    message.partition, message.offset, error.what());
      std::unique_ptr<RdKafka::TopicPartition> position(
          RdKafka::TopicPartition::create(message.topic, message.partition, message.offset));
      impl_->consumer->seek(*position, 1000);
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

void Consumer::Process(const Message& message) {
  const auto parent = telemetry::ExtractContext(
      [&message](std::string_view name) -> std::optional<std::string_view> {
        auto it = message.headers.find(std::string(name));
        if (it == message.headers.end()) return std::nullopt;
        return std::string_view(it->second);
      },
      opentelemetry::context::Context{});
  trace::StartSpanOptions span_options;
  span_options.kind = trace::SpanKind::kConsumer;
  span_options.parent = trace::GetSpan(parent)->GetContext();
  auto span = telemetry::GetTracer("kafka")->StartSpan("process " + message.topic, span_options);
  telemetry::ActiveSpan active(span);
  const telemetry::EndOnExit end_span(span);
  detail::SetCommonAttributes(*span, options_.kafka, message.topic);
  span->SetAttribute(semconv::messaging::kMessagingOperationType, "process");
  span->SetAttribute(semconv::messaging::kMessagingOperationName, "process");
  span->SetAttribute(semconv::messaging::kMessagingConsumerGroupName, options_.group_id);
  span->SetAttribute(semconv::messaging::kMessagingDestinationPartitionId,
                     std::to_string(message.partition));
  span->SetAttribute(semconv::messaging::kMessagingKafkaOffset,
                     static_cast<int64_t>(message.offset));
  if (!message.key.empty())
    span->SetAttribute(semconv::messaging::kMessagingKafkaMessageKey, message.key);
  span->SetAttribute(semconv::messaging::kMessagingMessageBodySize,
                     static_cast<int64_t>(message.value.size()));
  try {
    handler_(message);
    ++stats_.processed;
  } catch (const DependencyError& error) {
    telemetry::RecordException(*span, error);
    // A dependency that did not answer or could not be reached: the message is fine, so
    // it is not dead-lettered but read again after a pause (Loop does not commit it).
    if (error.kind() != DependencyError::Kind::kRefused) throw;
    DeadLetter(*span, message, error);
  } catch (const std::exception& error) {
    telemetry::RecordException(*span, error);
    DeadLetter(*span, message, error);
  }
}

void Consumer::DeadLetter(trace::Span& span, const Message& message, const std::exception& error) {
  MessageHeaders headers = message.headers;
  headers.erase("traceparent");  // the dead-letter send carries this span's context
  headers.erase("tracestate");
  headers["dlq.reason.type"] = telemetry::ExceptionTypeName(error);
  headers["dlq.reason.message"] = error.what();
  headers["dlq.original.topic"] = message.topic;
  headers["dlq.original.partition"] = std::to_string(message.partition);
  headers["dlq.original.offset"] = std::to_string(message.offset);
  const auto dead_letter_topic = message.topic + options_.dead_letter_suffix;
  dead_letters_->Send(dead_letter_topic, message.key, message.value,
                      headers);  // throws: not committed
  ++stats_.dead_lettered;
  span.AddEvent("dead_lettered",
                {{semconv::messaging::kMessagingDestinationName, dead_letter_topic}});
  spdlog::warn("kafka: message {}/{}@{} sent to {}: {}", message.topic, message.partition,
               message.offset, dead_letter_topic, error.what());
}

}  // namespace fabtrace::kafka
