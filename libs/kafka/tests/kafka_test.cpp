// Kafka through its toxiproxy proxy: context across the queue, real error codes,
// hangs and outages, dead letters. Runs inside ./fabtrace test.
#include "fabtrace/kafka/kafka.h"

#include <gtest/gtest.h>

#include <mutex>
#include <random>

#include "fabtrace/telemetry/in_memory_tracing.h"
#include "fabtrace/testing/landscape.h"

namespace fabtrace::kafka {
namespace {

using telemetry::testing::FindSpan;
using telemetry::testing::IntAttribute;
using telemetry::testing::StringAttribute;
namespace trace = opentelemetry::trace;

KafkaOptions Broker(std::chrono::milliseconds delivery_timeout = std::chrono::milliseconds(5000)) {
  KafkaOptions options;
  options.bootstrap_servers = "127.0.0.1:" + std::to_string(testing::LandscapePort("KAFKA_PROXY"));
  options.client_id = "kafka_tests";
  options.delivery_timeout = delivery_timeout;
  return options;
}

std::string Unique(const std::string& prefix) {
  std::random_device random;
  return prefix + "-" + std::to_string(random()) + std::to_string(random());
}

// Collects the messages a consumer group receives.
class Collector {
 public:
  void Add(const Message& message) {
    std::lock_guard lock(mutex_);
    messages_.push_back(message);
  }
  std::optional<Message> WaitFor(const std::string& key, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex_);
        for (const auto& message : messages_) {
          if (message.key == key) return message;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return std::nullopt;
  }

 private:
  std::mutex mutex_;
  std::vector<Message> messages_;
};

class Kafka : public ::testing::Test {
 protected:
  void SetUp() override { FABTRACE_REQUIRE_LANDSCAPE(); }
  telemetry::testing::InMemoryTracing tracing;
};

TEST_F(Kafka, ConsumerContinuesTheProducersTrace) {
  Collector received;
  Consumer consumer({Broker(), Unique("group"), {"libtest.events"}},
                    [&](const Message& m) { received.Add(m); });
  Producer producer(Broker());
  const auto key = Unique("job");
  auto request = telemetry::GetTracer("test")->StartSpan("request");
  Delivery delivery;
  {
    trace::Scope scope(request);
    delivery = producer.Send("libtest.events", key, R"({"status":"PRINTING"})",
                             {{"content-type", "application/json"}});
  }
  request->End();
  const auto message = received.WaitFor(key, std::chrono::seconds(30));
  ASSERT_TRUE(message) << "message not consumed";
  EXPECT_EQ(message->headers.at("content-type"), "application/json");
  EXPECT_EQ(message->offset, delivery.offset);

  const auto spans = tracing.TakeSpans();
  const auto* send = FindSpan(spans, "send libtest.events");
  // The group reads the topic from its start: pick the span of our message.
  const telemetry::testing::SpanData* process = nullptr;
  for (const auto& span : spans) {
    if (std::string(span->GetName()) == "process libtest.events" &&
        IntAttribute(*span, "messaging.kafka.offset") == delivery.offset &&
        StringAttribute(*span, "messaging.destination.partition.id") ==
            std::to_string(delivery.partition)) {
      process = span.get();
    }
  }
  const auto* parent = FindSpan(spans, "request");
  ASSERT_TRUE(send && process && parent);
  EXPECT_EQ(send->GetSpanKind(), trace::SpanKind::kProducer);
  EXPECT_EQ(send->GetParentSpanId(), parent->GetSpanId());
  EXPECT_EQ(StringAttribute(*send, "messaging.system"), "kafka");
  EXPECT_EQ(StringAttribute(*send, "messaging.destination.name"), "libtest.events");
  EXPECT_EQ(StringAttribute(*send, "messaging.operation.type"), "send");
  EXPECT_EQ(StringAttribute(*send, "messaging.destination.partition.id"),
            std::to_string(delivery.partition));
  EXPECT_EQ(IntAttribute(*send, "messaging.kafka.offset"), delivery.offset);
  EXPECT_EQ(process->GetSpanKind(), trace::SpanKind::kConsumer);
  EXPECT_EQ(process->GetTraceId(), parent->GetTraceId());
  EXPECT_EQ(process->GetParentSpanId(), send->GetSpanId());
  EXPECT_EQ(StringAttribute(*process, "messaging.operation.type"), "process");
  EXPECT_TRUE(StringAttribute(*process, "messaging.consumer.group.name").has_value());
  EXPECT_EQ(IntAttribute(*process, "messaging.kafka.offset"), delivery.offset);
}

TEST_F(Kafka, BrokerAndClientErrorsCarryTheirCodes) {
  Producer producer(Broker(std::chrono::milliseconds(3000)));
  const auto unknown =
      testing::ErrorTypeOf<KafkaError>([&] { producer.Send("no.such.topic", "k", "v"); });
  EXPECT_EQ(unknown, "UNKNOWN_TOPIC_OR_PART");
  EXPECT_EQ(testing::ErrorTypeOf<KafkaError>(
                [&] { producer.Send("libtest.events", "k", std::string(2'000'000, 'x')); }),
            "MSG_SIZE_TOO_LARGE");
  const auto spans = tracing.TakeSpans();
  const auto* failed = FindSpan(spans, "send no.such.topic");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->GetStatus(), trace::StatusCode::kError);
  EXPECT_EQ(StringAttribute(*failed, "error.type"), unknown);
  EXPECT_EQ(StringAttribute(*failed, "messaging.destination.name"), "no.such.topic");
  // The producer keeps working.
  EXPECT_GE(producer.Send("libtest.events", Unique("after"), "ok").offset, 0);
}

TEST_F(Kafka, HangIsATimeoutAtTheDeliveryTimeoutAndRecovers) {
  Producer producer(Broker(std::chrono::milliseconds(1000)));
  producer.Send("libtest.events", Unique("before"), "warm-up");
  testing::FaultGuard heal("kafka");
  testing::Toxiproxy().Hang("kafka");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(testing::ErrorTypeOf<KafkaError>(
                [&] { producer.Send("libtest.events", Unique("hung"), "lost?"); }),
            "timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2500));
  testing::Toxiproxy().Heal("kafka");

  Producer after(Broker(std::chrono::milliseconds(5000)));
  EXPECT_GE(after.Send("libtest.events", Unique("after"), "ok").offset, 0);
  const auto spans = tracing.TakeSpans();
  const telemetry::testing::SpanData* hung = nullptr;
  for (const auto& span : spans) {
    if (StringAttribute(*span, "error.type") == "timeout") hung = span.get();
  }
  ASSERT_NE(hung, nullptr);
  EXPECT_GE(hung->GetDuration(), std::chrono::milliseconds(900));
  EXPECT_EQ(StringAttribute(*hung, "messaging.system"), "kafka");
}

TEST_F(Kafka, OutageIsConnectionRefusedAndRecovers) {
  Producer producer(Broker(std::chrono::milliseconds(1500)));
  producer.Send("libtest.events", Unique("before"), "warm-up");
  testing::FaultGuard heal("kafka");
  testing::Toxiproxy().SetEnabled("kafka", false);
  EXPECT_EQ(
      testing::ErrorTypeOf<KafkaError>([&] { producer.Send("libtest.events", Unique("down"), "x"); }),
      "connection_refused");
  testing::Toxiproxy().SetEnabled("kafka", true);
  Producer after(Broker(std::chrono::milliseconds(5000)));
  EXPECT_GE(after.Send("libtest.events", Unique("after"), "ok").offset, 0);
}

TEST_F(Kafka, PoisonMessageGoesToTheDeadLetterTopicWithItsTrace) {
  const auto poison_key = Unique("poison");
  const auto good_key = Unique("good");
  Collector processed, dead;
  Consumer worker({Broker(), Unique("workers"), {"libtest.events"}}, [&](const Message& message) {
    if (message.key == poison_key) throw std::invalid_argument("job status is not JSON");
    processed.Add(message);
  });
  Consumer dead_letters({Broker(), Unique("dlq-readers"), {"libtest.events.dlq"}},
                        [&](const Message& message) { dead.Add(message); });
  Producer producer(Broker());
  auto request = telemetry::GetTracer("test")->StartSpan("request");
  {
    trace::Scope scope(request);
    producer.Send("libtest.events", poison_key, "{not json");
  }
  request->End();
  producer.Send("libtest.events", good_key, R"({"status":"DONE"})");

  const auto letter = dead.WaitFor(poison_key, std::chrono::seconds(30));
  ASSERT_TRUE(letter) << "poison message not dead-lettered";
  EXPECT_EQ(letter->value, "{not json");
  EXPECT_EQ(letter->headers.at("dlq.reason.type"), "std::invalid_argument");
  EXPECT_EQ(letter->headers.at("dlq.reason.message"), "job status is not JSON");
  EXPECT_EQ(letter->headers.at("dlq.original.topic"), "libtest.events");
  char trace_id[32];
  request->GetContext().trace_id().ToLowerBase16(trace_id);
  EXPECT_EQ(letter->headers.at("traceparent").substr(3, 32), std::string(trace_id, 32));
  EXPECT_TRUE(processed.WaitFor(good_key, std::chrono::seconds(30)));  // the poison blocks nothing
  EXPECT_GE(worker.stats().dead_lettered.load(), 1u);
}

}  // namespace
}  // namespace fabtrace::kafka
