// Kafka producer and consumer (librdkafka) that carry the trace across the queue.
//
// Producer: a PRODUCER span "send <topic>" per message, ending at its delivery report;
// the trace context travels in the message headers. A message that cannot be delivered
// within the delivery timeout (or the request's deadline) fails with error.type
// "timeout", or "connection_refused" when the broker could not be reached at all.
//
// Consumer: a CONSUMER span "process <topic>" per message, continuing the producer's
// trace. A message the handler cannot process goes to the dead-letter topic with its
// trace context and the reason; offsets are committed only once a message is handled
// or dead-lettered, so nothing is lost.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "fabtrace/common/dependency_error.h"
#include "opentelemetry/trace/span.h"

namespace fabtrace::kafka {

struct KafkaOptions {
  std::string bootstrap_servers = "127.0.0.1:9092";
  std::string client_id = "fabtrace";
  std::chrono::milliseconds delivery_timeout{5000};  // also capped by the request Deadline
  std::size_t max_message_bytes = 1000000;
};

class KafkaError : public DependencyError {
 public:
  // error_type: "timeout", "connection_refused", or librdkafka's error name
  // ("UNKNOWN_TOPIC_OR_PART", "MSG_SIZE_TOO_LARGE", ...).
  KafkaError(std::string error_type, const std::string& message)
      : DependencyError("queue", KindOf(error_type), error_type, message) {}

 private:
  static Kind KindOf(const std::string& error_type) {
    if (error_type == "timeout") return Kind::kTimeout;
    if (error_type == "connection_refused" || error_type == "_TRANSPORT" ||
        error_type == "_ALL_BROKERS_DOWN")
      return Kind::kUnavailable;
    return Kind::kRefused;
  }
};

struct Delivery {
  int32_t partition = -1;
  int64_t offset = -1;
};

using MessageHeaders = std::map<std::string, std::string>;

class Producer {
 public:
  explicit Producer(KafkaOptions options);
  ~Producer();  // waits (up to the delivery timeout) for messages in flight
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Sends one message and waits for its delivery report. Throws KafkaError.
  Delivery Send(const std::string& topic, const std::string& key, const std::string& value,
                const MessageHeaders& headers = {});

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

struct Message {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  std::string key;
  std::string value;
  MessageHeaders headers;
};

struct ConsumerOptions {
  KafkaOptions kafka;
  std::string group_id;
  std::vector<std::string> topics;
  // Dead-letter topic of each topic: "<topic><suffix>".
  std::string dead_letter_suffix = ".dlq";
};

class Consumer {
 public:
  using Handler = std::function<void(const Message&)>;

  // Starts consuming on a background thread; `handler` runs inside the process span.
  Consumer(ConsumerOptions options, Handler handler);
  ~Consumer();  // stops and closes the group membership
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  struct Stats {
    std::atomic<std::uint64_t> processed{0};
    std::atomic<std::uint64_t> dead_lettered{0};
  };
  const Stats& stats() const { return stats_; }

 private:
  void Loop();
  void Process(const Message& message);
  // Sends a message its handler refused to the dead-letter topic, with the reason.
  void DeadLetter(opentelemetry::trace::Span& span, const Message& message,
                  const std::exception& error);

  ConsumerOptions options_;
  Handler handler_;
  std::unique_ptr<Producer> dead_letters_;
  Stats stats_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fabtrace::kafka
