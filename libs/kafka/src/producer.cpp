#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>

#include "fabtrace/common/deadline.h"
#include "fabtrace/kafka/kafka.h"
#include "fabtrace/telemetry/active_span.h"
#include "fabtrace/telemetry/end_on_exit.h"
#include "fabtrace/telemetry/propagation.h"
#include "fabtrace/telemetry/rate_limiter.h"
#include "fabtrace/telemetry/span_errors.h"
#include "fabtrace/telemetry/tracer.h"
#include "kafka_common.h"
#include "opentelemetry/semconv/incubating/messaging_attributes.h"

namespace trace = opentelemetry::trace;
using Clock = std::chrono::steady_clock;

namespace fabtrace::kafka {

namespace semconv = opentelemetry::semconv;
namespace {

struct DeliveryState {
  std::mutex mutex;
  std::condition_variable done_signal;
  bool done = false;
  RdKafka::ErrorCode error = RdKafka::ERR_NO_ERROR;
  Delivery delivery;
};

}  // namespace

struct Producer::Impl final : RdKafka::DeliveryReportCb, RdKafka::EventCb {
  KafkaOptions options;
  std::unique_ptr<RdKafka::Producer> producer;
  std::thread poller;
  std::atomic<bool> stop{false};
  std::mutex broker_mutex;
  std::string refusal;  // the last "connection refused" report of a broker, and when
  Clock::time_point refused_at;
  telemetry::RateLimiter error_log{std::chrono::seconds(10)};
  std::mutex topics_mutex;
  std::set<std::string> known_topics;

  // The broker's word on a topic not seen before: a misspelt or missing topic fails at
  // once with UNKNOWN_TOPIC_OR_PART instead of waiting out the delivery timeout.
  // Returns the error code of the topic, or NO_ERROR when it exists or the broker could
  // not be asked (then the send itself reports what is wrong).
  RdKafka::ErrorCode CheckTopic(const std::string& topic, std::chrono::milliseconds timeout) {
    {
      std::lock_guard lock(topics_mutex);
      if (known_topics.count(topic)) return RdKafka::ERR_NO_ERROR;
    }
    std::string error;
    std::unique_ptr<RdKafka::Topic> handle(
        RdKafka::Topic::create(producer.get(), topic, nullptr, error));
    RdKafka::Metadata* raw = nullptr;
    if (!handle || producer->metadata(false, handle.get(), &raw,
                                      static_cast<int>(timeout.count())) != RdKafka::ERR_NO_ERROR) {
      return RdKafka::ERR_NO_ERROR;
    }
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    for (const auto* described : *metadata->topics()) {
      if (described->topic() != topic) continue;
      if (described->err() != RdKafka::ERR_NO_ERROR) return described->err();
      std::lock_guard lock(topics_mutex);
      known_topics.insert(topic);
    }
    return RdKafka::ERR_NO_ERROR;
  }

  void dr_cb(RdKafka::Message& message) override {
    std::unique_ptr<std::shared_ptr<DeliveryState>> owner(
        static_cast<std::shared_ptr<DeliveryState>*>(message.msg_opaque()));
    auto& state = **owner;
    std::lock_guard lock(state.mutex);
    state.error = message.err();
    state.delivery = {message.partition(), message.offset()};
    state.done = true;
    state.done_signal.notify_all();
  }

  void event_cb(RdKafka::Event& event) override {
    if (event.type() != RdKafka::Event::EVENT_ERROR) return;
    const auto code = event.err();
    // Only a report that itself says "refused" dates a refusal: "all brokers down" and
    // "disconnected" also come while a broker hangs.
    if ((code == RdKafka::ERR__TRANSPORT || code == RdKafka::ERR__RESOLVE) &&
        event.str().find("refused") != std::string::npos) {
      std::lock_guard lock(broker_mutex);
      refusal = event.str();
      refused_at = Clock::now();
    }
    if (auto suppressed = error_log.Allow()) {
      spdlog::warn("kafka: {}: {} ({} similar suppressed)", detail::ErrorName(code), event.str(),
                   *suppressed);
    }
  }

  // A timed-out delivery while the broker was unreachable is an outage, not a hang.
  std::string ClassifyTimeout(Clock::time_point sent_at, std::string& message) {
    std::lock_guard lock(broker_mutex);
    if (!refusal.empty() && refused_at >= sent_at - options.delivery_timeout) {
      message = refusal;
      return "connection_refused";
    }
    return "timeout";
  }
};

Producer::Producer(KafkaOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  auto conf = detail::MakeConf(impl_->options);
  const auto timeout = std::to_string(impl_->options.delivery_timeout.count());
  detail::Set(*conf, "message.timeout.ms", timeout);
  detail::Set(*conf, "request.timeout.ms", timeout);
  detail::Set(*conf, "linger.ms", "1");
  std::string error;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(impl_.get()), error) !=
          RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", static_cast<RdKafka::EventCb*>(impl_.get()), error) !=
          RdKafka::Conf::CONF_OK) {
    throw KafkaError("configuration", error);
  }
  impl_->producer.reset(RdKafka::Producer::create(conf.get(), error));
  if (!impl_->producer) throw KafkaError("configuration", "kafka producer: " + error);
  impl_->poller = std::thread([impl = impl_.get()] {
    while (!impl->stop) impl->producer->poll(50);
  });
}

Producer::~Producer() {
  impl_->producer->flush(static_cast<int>(impl_->options.delivery_timeout.count()));
  impl_->stop = true;
  impl_->poller.join();
}

Delivery Producer::Send(const std::string& topic, const std::string& key, const std::string& value,
                        const MessageHeaders& headers) {
  trace::StartSpanOptions span_options;
  span_options.kind = trace::SpanKind::kProducer;
  auto span = telemetry::GetTracer("kafka")->StartSpan("send " + topic, span_options);
  telemetry::ActiveSpan active(span);
  const telemetry::EndOnExit end_span(span);
  detail::SetCommonAttributes(*span, impl_->options, topic);
  span->SetAttribute(semconv::messaging::kMessagingOperationType, "send");
  span->SetAttribute(semconv::messaging::kMessagingOperationName, "send");
  if (!key.empty()) span->SetAttribute(semconv::messaging::kMessagingKafkaMessageKey, key);
  span->SetAttribute(semconv::messaging::kMessagingMessageBodySize,
                     static_cast<int64_t>(value.size()));

  auto fail = [&span](const std::string& type, const std::string& message) {
    telemetry::MarkError(*span, type, message);
    return KafkaError(type, message);
  };

  // One budget for the whole send (asking about the topic, then the delivery), so a
  // hanging broker makes a span that ends at the delivery timeout, not at twice it.
  const auto started = Clock::now();
  const auto budget = Deadline::Cap(impl_->options.delivery_timeout);
  const auto topic_error = impl_->CheckTopic(topic, budget);
  if (topic_error != RdKafka::ERR_NO_ERROR) {
    throw fail(detail::ErrorName(topic_error),
               "kafka send to " + topic + ": " + RdKafka::err2str(topic_error));
  }

  std::unique_ptr<RdKafka::Headers> message_headers(RdKafka::Headers::create());
  for (const auto& [name, content] : headers) message_headers->add(name, content);
  telemetry::InjectContext([&message_headers](std::string_view name, std::string_view content) {
    message_headers->remove(std::string(name));
    message_headers->add(std::string(name), std::string(content));
  });
  auto state = std::make_shared<DeliveryState>();
  auto opaque = std::make_unique<std::shared_ptr<DeliveryState>>(state);
  const auto sent_at = Clock::now();
  const auto code =
      impl_->producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                               const_cast<char*>(value.data()), value.size(), key.data(),
                               key.size(), 0, message_headers.get(), opaque.get());
  if (code != RdKafka::ERR_NO_ERROR) {
    throw fail(detail::ErrorName(code), "kafka send to " + topic + ": " + RdKafka::err2str(code));
  }
  message_headers.release();  // librdkafka owns them now
  opaque.release();           // freed by the delivery report

  // librdkafka gives up after message.timeout.ms; the grace lets its own report come first.
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(budget - (Clock::now() - started));
  const auto wait = Deadline::Cap(std::max(left, std::chrono::milliseconds(100)) +
                                  std::chrono::milliseconds(500));
  std::unique_lock lock(state->mutex);
  if (!state->done_signal.wait_for(lock, wait, [&state] { return state->done; })) {
    std::string message = "no delivery report within " + std::to_string(wait.count()) + " ms";
    const auto type = impl_->ClassifyTimeout(sent_at, message);
    throw fail(type, "kafka send to " + topic + ": " + message);
  }
  if (state->error != RdKafka::ERR_NO_ERROR) {
    std::string message = RdKafka::err2str(state->error);
    const bool timed_out =
        state->error == RdKafka::ERR__MSG_TIMED_OUT || state->error == RdKafka::ERR__TIMED_OUT;
    const auto type =
        timed_out ? impl_->ClassifyTimeout(sent_at, message) : detail::ErrorName(state->error);
    throw fail(type, "kafka send to " + topic + ": " + message);
  }
  span->SetAttribute(semconv::messaging::kMessagingDestinationPartitionId,
                     std::to_string(state->delivery.partition));
  span->SetAttribute(semconv::messaging::kMessagingKafkaOffset,
                     static_cast<int64_t>(state->delivery.offset));
  return state->delivery;
}

}  // namespace fabtrace::kafka
